//! `klaxon note` and `klaxon draft`: after the outage, the founder's notes on an incident and
//! the replies written from them. Both work whether or not an engine is running (the notes are
//! not engine state; SQLite takes the second writer). Neither creates a database: with no
//! history yet there is no incident to write about.

use std::process::ExitCode;

use anyhow::{Result, bail};
use klaxon_core::draft::{self, DraftRequest};
use klaxon_core::engine::database_path;
use klaxon_core::notes::{IncidentNotes, SavedDraft};
use klaxon_core::paths::Paths;
use klaxon_core::store::Store;
use klaxon_core::text::printable;

use crate::terminal::{errln, outln};

/// The database, opened for writing only when it already exists.
fn existing_store(paths: &Paths, incident: i64) -> Result<Store> {
    let path = database_path(&paths.data_dir);
    let exists = path
        .try_exists()
        .map_err(|source| klaxon_core::Error::Read {
            path: path.clone(),
            source,
        })?;
    if !exists {
        bail!(
            "there is no history yet in {} (Klaxon has not recorded anything there), so there is no incident #{incident}",
            paths.data_dir.display()
        );
    }
    Ok(Store::open(&path)?)
}

/// Adds what is given to the incident's notes and prints them all.
pub fn note(paths: &Paths, incident: i64, change: IncidentNotes) -> Result<ExitCode> {
    let mut store = existing_store(paths, incident)?;
    let notes = store.notes(incident)?.merged(change);
    store.set_notes(incident, &notes, jiff::Timestamp::now())?;
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
pub fn draft(paths: &Paths, incident: i64, request: DraftRequest, save: bool) -> Result<ExitCode> {
    let mut store = existing_store(paths, incident)?;
    let now = jiff::Timestamp::now();
    let draft = draft::for_incident(&store, &paths.config, incident, &request, now)?;
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
        let saved = store.save_draft(&SavedDraft {
            id: 0,
            incident_id: incident,
            kind: request.kind,
            tone: request.tone,
            customer: request.customer,
            tz: request.tz,
            subject: draft.subject,
            body: draft.body,
            saved_at: now,
        })?;
        errln!("Saved as draft #{}.", saved.id);
    }
    Ok(ExitCode::SUCCESS)
}
