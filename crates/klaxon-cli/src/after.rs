//! `klaxon note` and `klaxon draft`: after the outage, the founder's notes on an incident and
//! the replies written from them. Both work whether or not an engine is running (the notes are
//! not engine state; SQLite takes the second writer).

use std::process::ExitCode;

use anyhow::Result;
use klaxon_core::draft::{self, DraftRequest};
use klaxon_core::notes::{IncidentNotes, SavedDraft};
use klaxon_core::paths::Paths;
use klaxon_core::store::Store;

use klaxon_core::engine::database_path;

/// Adds what is given to the incident's notes and prints them all.
pub fn note(paths: &Paths, incident: i64, change: IncidentNotes) -> Result<ExitCode> {
    let mut store = Store::open(&database_path(&paths.data_dir))?;
    let notes = store.notes(incident)?.merged(change);
    store.set_notes(incident, &notes, jiff::Timestamp::now())?;
    let show = |label: &str, text: &str| {
        println!("{label:<11} {}", if text.is_empty() { "—" } else { text });
    };
    println!("Notes on incident #{incident}:");
    show("cause", &notes.cause);
    show("fix", &notes.fix);
    show("impact", &notes.impact);
    show("data loss", &notes.data_loss);
    show("offer", &notes.offer);
    if notes.prevention.is_empty() {
        show("prevention", "");
    }
    for item in &notes.prevention {
        show("prevention", item);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a draft (subject, blank line, body); what is still missing goes to stderr.
pub fn draft(paths: &Paths, incident: i64, request: DraftRequest, save: bool) -> Result<ExitCode> {
    let mut store = Store::open(&database_path(&paths.data_dir))?;
    let now = jiff::Timestamp::now();
    let draft = draft::for_incident(&store, &paths.config, incident, &request, now)?;
    for warning in &draft.warnings {
        eprintln!("klaxon: {warning}");
    }
    if !draft.subject.is_empty() {
        println!("Subject: {}\n", draft.subject);
    }
    print!("{}", draft.body);
    if !draft.missing.is_empty() {
        eprintln!("\nStill missing (marked [add: …] above):");
        for what in &draft.missing {
            eprintln!("  - {what}");
        }
        eprintln!(
            "Add notes with `klaxon note {incident} --cause … --fix … --prevent … --impact …`."
        );
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
        eprintln!("Saved as draft #{}.", saved.id);
    }
    Ok(ExitCode::SUCCESS)
}
