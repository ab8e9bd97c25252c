//! The tray process's one error type: what a desktop piece refused, said as a sentence.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot change launch at login: {0}")]
    Login(String),
    #[error("cannot find Klaxon's {name} program beside this one ({path}): {source}")]
    Missing {
        name: &'static str,
        path: String,
        source: std::io::Error,
    },
    #[error("cannot start the window's process: {0}")]
    Window(std::io::Error),
    #[error("no tray icon: {0}")]
    Tray(String),
}

pub type Result<T> = std::result::Result<T, Error>;
