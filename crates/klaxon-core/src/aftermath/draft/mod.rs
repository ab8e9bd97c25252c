//! Honest replies after an outage: a personal apology to one customer, a short reply, the
//! status-page updates and a blameless postmortem, each in a personal or formal tone, written
//! from the incident's own facts and the founder's notes. Templates are built in and can be
//! overridden by files in the config dir (`templates/apology-personal.txt`, …); a user template
//! that does not render is reported with its line and the built-in one is used instead.
//! Whatever is still unknown shows as `[add: …]` in the text and is listed in `missing`.

pub mod facts;

use std::path::Path;

use jiff::Timestamp;
use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::config::ProductConfig;
use crate::domain::incident::{Incident, TimelineEvent};
use crate::domain::notes::IncidentNotes;
use crate::error::{Error, Result};

pub use crate::domain::states::{DraftKind, DraftTone};
use strum::VariantArray;

pub const KINDS: &[DraftKind] = DraftKind::VARIANTS;
pub const TONES: &[DraftTone] = DraftTone::VARIANTS;

/// What to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct DraftRequest {
    pub kind: DraftKind,
    pub tone: DraftTone,
    /// The customer's name, for the emails.
    pub customer: String,
    /// The customer's time zone (IANA name, like Europe/Berlin); empty for UTC.
    pub tz: String,
}

/// A draft, ready to edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct Draft {
    /// The email's subject line (empty for status updates and postmortems).
    pub subject: String,
    pub body: String,
    /// What is still unknown: each appears in the text as `[add: …]`.
    pub missing: Vec<String>,
    /// A user template that could not be used, and why (the built-in one was).
    pub warnings: Vec<String>,
}

/// Everything a draft is written from.
pub struct Sources<'a> {
    pub incident: &'a Incident,
    pub timeline: &'a [TimelineEvent],
    pub notes: &'a IncidentNotes,
    pub product: &'a ProductConfig,
    /// Where user templates live (`<config dir>/templates`).
    pub templates_dir: &'a Path,
}

pub fn write(sources: &Sources, request: &DraftRequest, now: Timestamp) -> Result<Draft> {
    let (kind, tone) = (request.kind, request.tone);
    let tz = facts::time_zone(&request.tz)?;
    let facts = facts::build(
        sources.incident,
        sources.timeline,
        sources.notes,
        sources.product,
        &request.customer,
        &tz,
        now,
    );
    let name = format!("{kind}-{tone}");
    let mut warnings = Vec::new();
    let user_file = sources.templates_dir.join(format!("{name}.txt"));
    let text = match std::fs::read_to_string(&user_file) {
        Ok(source) => match render(&name, &source, &facts) {
            Ok(text) => text,
            Err(e) => {
                warnings.push(format!(
                    "{}{}: {} — the built-in {name} template was used instead",
                    user_file.display(),
                    e.line().map(|l| format!(":{l}")).unwrap_or_default(),
                    e.detail().unwrap_or("it does not render"),
                ));
                render(&name, builtin(kind, tone), &facts).map_err(builtin_broken)?
            }
        },
        Err(_) => render(&name, builtin(kind, tone), &facts).map_err(builtin_broken)?,
    };
    let (subject, body) = split_subject(&text);
    Ok(Draft {
        missing: missing(&format!("{subject}\n{body}")),
        subject,
        body,
        warnings,
    })
}

/// A draft kind by its name, as `klaxon draft --kind` takes it.
pub fn kind_named(text: &str) -> Result<DraftKind> {
    named(text, KINDS, "kind")
}

/// A draft tone by its name, as `klaxon draft --tone` takes it.
pub fn tone_named(text: &str) -> Result<DraftTone> {
    named(text, TONES, "tone")
}

fn named<T: Copy + Into<&'static str>>(text: &str, all: &[T], what: &str) -> Result<T> {
    all.iter()
        .copied()
        .find(|k| (*k).into() == text.trim())
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|k| (*k).into()).collect();
            Error::Draft(format!(
                "{text:?} is not a draft {what}; choose {}",
                names.join(", ")
            ))
        })
}

fn render(name: &str, source: &str, facts: &facts::Facts) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    // A misspelt fact is an error, not a silent gap in a letter to a customer.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // `{{ cause|sentence }}`: the founder's note starting a sentence, capitalised.
    env.add_filter("sentence", |text: String| -> String {
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => text,
        }
    });
    env.add_template(name, source)?;
    env.get_template(name)?.render(facts)
}

fn builtin_broken(e: minijinja::Error) -> Error {
    Error::Draft(format!("a built-in draft template failed: {e}"))
}

fn builtin(kind: DraftKind, tone: DraftTone) -> &'static str {
    use {DraftKind::*, DraftTone::*};
    match (kind, tone) {
        (Apology, Personal) => include_str!("../../../templates/apology-personal.txt"),
        (Apology, Formal) => include_str!("../../../templates/apology-formal.txt"),
        (Reply, Personal) => include_str!("../../../templates/reply-personal.txt"),
        (Reply, Formal) => include_str!("../../../templates/reply-formal.txt"),
        (Status, Personal) => include_str!("../../../templates/status-personal.txt"),
        (Status, Formal) => include_str!("../../../templates/status-formal.txt"),
        (Postmortem, Personal) => include_str!("../../../templates/postmortem-personal.txt"),
        (Postmortem, Formal) => include_str!("../../../templates/postmortem-formal.txt"),
    }
}

/// A first line `Subject: …` becomes the subject.
fn split_subject(text: &str) -> (String, String) {
    let text = text.trim();
    match text.split_once('\n') {
        Some((first, rest)) if first.starts_with("Subject:") => (
            first.trim_start_matches("Subject:").trim().to_string(),
            rest.trim().to_string() + "\n",
        ),
        _ => (String::new(), text.to_string() + "\n"),
    }
}

/// The `[add: …]` markers in the text, each once, in order.
fn missing(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("[add: ") {
        let after = &rest[start + 6..];
        let Some(end) = after.find(']') else { break };
        let what = after[..end].to_string();
        if !found.contains(&what) {
            found.push(what);
        }
        rest = &after[end + 1..];
    }
    found
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;

/// A draft for a recorded incident: its facts and notes from the store, the `[product]` names
/// from the config file (the defaults if the file cannot be read — the markers then say what
/// to add), user templates from `templates/` beside it.
pub fn for_incident(
    store: &crate::store::Store,
    config_path: &Path,
    incident: i64,
    request: &DraftRequest,
    now: Timestamp,
) -> Result<Draft> {
    let found = store
        .incident(incident)?
        .ok_or(Error::NoSuchIncident(incident))?;
    let product = crate::config::Config::load(config_path)
        .map(|c| c.product)
        .unwrap_or_default();
    let templates_dir = config_path
        .parent()
        .unwrap_or(Path::new("."))
        .join("templates");
    let sources = Sources {
        incident: &found,
        timeline: &store.timeline(incident)?,
        notes: &store.notes(incident)?,
        product: &product,
        templates_dir: &templates_dir,
    };
    write(&sources, request, now)
}
