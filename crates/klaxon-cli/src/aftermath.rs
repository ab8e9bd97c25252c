//! `klaxon note` and `klaxon draft`: after the outage, the founder's notes on an incident and
//! the replies written from them. Both work whether or not an engine is running (the notes are
//! not engine state; SQLite takes the second writer). Neither creates a database: with no
//! history yet there is no incident to write about.

use std::process::ExitCode;

use anyhow::Result;
use klaxon_core::aftermath::draft::DraftRequest;
use klaxon_core::domain::notes::IncidentNotes;
use klaxon_core::paths::Paths;
use klaxon_core::protocol::Client;
use klaxon_core::text::printable;

use crate::terminal::{errln, outln};

/// Adds what is given to the incident's notes and prints them all.
pub async fn note(paths: &Paths, incident: i64, change: IncidentNotes) -> Result<ExitCode> {
    let notes = Client::over_socket(paths.clone())
        .add_notes(incident, change)
        .await?;
    let show = |label: &str, text: &str| {
        let text = if text.is_empty() { "—" } else { text };
        outln!("{label:<11} {}", printable(text))
    };
    outln!("Notes on incident #{incident}:")?;
    show("cause", &notes.cause)?;
    show("fix", &notes.fix)?;
    show("impact", &notes.impact)?;
    show("data loss", &notes.data_loss)?;
    show("offer", &notes.offer)?;
    if notes.prevention.is_empty() {
        show("prevention", "")?;
    }
    for item in &notes.prevention {
        show("prevention", item)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a draft (subject, blank line, body); what is still missing goes to stderr.
pub async fn draft(
    paths: &Paths,
    incident: i64,
    request: DraftRequest,
    save: bool,
) -> Result<ExitCode> {
    let client = Client::over_socket(paths.clone());
    let draft = client.draft(incident, request.clone()).await?;
    for warning in &draft.warnings {
        errln!("klaxon: {warning}");
    }
    if !draft.subject.is_empty() {
        outln!("Subject: {}\n", printable(&draft.subject))?;
    }
    // Multi-line: the terminal's escaping keeps its lines and escapes the rest.
    crate::terminal::out(&draft.body, false)?;
    if !draft.missing.is_empty() {
        errln!("\nStill missing (marked [add: …] above):");
        for what in &draft.missing {
            errln!("  - {what}");
        }
        errln!("Add notes with `klaxon note {incident} --cause … --fix … --prevent … --impact …`.");
    }
    if save {
        let saved = client
            .save_draft(incident, request, draft.subject, draft.body)
            .await?;
        errln!("Saved as draft #{}.", saved.id);
    }
    Ok(ExitCode::SUCCESS)
}
