//! The app's one error type. It reaches the window as `{code, message}`.

use klaxon_core::config::form::FieldProblem;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Engine(klaxon_core::Error),
    #[error("{0}")]
    Refused(String),
    #[error("the Klaxon engine is not running")]
    NoEngine,
    #[error("{0}")]
    Tauri(#[from] tauri::Error),
    /// A form that would not save; each problem names its field.
    #[error("{}", problems_text(.0))]
    Form(Vec<FieldProblem>),
}

fn problems_text(problems: &[FieldProblem]) -> String {
    let lines: Vec<String> = problems
        .iter()
        .map(|p| match p.field.as_str() {
            "" => p.message.clone(),
            field => format!("{field}: {}", p.message),
        })
        .collect();
    lines.join("; ")
}

/// The engine's refusal reaches the window in the engine's own words, as a refusal; anything
/// else that went wrong in the core is the engine's error.
impl From<klaxon_core::Error> for Error {
    fn from(e: klaxon_core::Error) -> Self {
        match e {
            klaxon_core::Error::Refused(message) => Error::Refused(message),
            other => Error::Engine(other),
        }
    }
}

impl Error {
    fn code(&self) -> &'static str {
        match self {
            Error::Engine(_) => "engine",
            Error::Refused(_) => "refused",
            Error::NoEngine => "no_engine",
            Error::Tauri(_) => "app",
            Error::Form(_) => "invalid",
        }
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Error", 2)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

pub type Result<T> = std::result::Result<T, Error>;
