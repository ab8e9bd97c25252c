//! The guided first run's commands. The guide itself is the window's (`FirstRun.svelte`); the
//! steps it takes reuse the Settings commands (check and save a monitor, test the alarm, save
//! and test a channel). What is only the guide's lives here: whether to show it, the monitor
//! guessed from one typed line, the phone put on the ladder, and remembering how it ended.
//!
//! The guide is due when klaxon.toml watches nothing (no monitor, no source) and the guide has
//! never been finished or skipped on this data dir: a founder who set Klaxon up by hand, or
//! said "later", is never walked through it again (the window offers it from Settings).

use klaxon_core::config::Config;
use klaxon_core::config::edit::ConfigDocument;
use klaxon_core::config::first_run::{guess_monitor as guess, with_phone_step};
use klaxon_core::config::form::{FieldProblem, MonitorForm};
use klaxon_core::paths::{DataFiles, GuideEnd};
use tauri::State;

use crate::AppState;
use crate::commands::blocking;
use crate::error::{Error, Result};
use crate::settings;

/// Whether the window opens at the guide.
#[tauri::command]
pub async fn first_run_due(state: State<'_, AppState>) -> Result<bool> {
    let paths = state.paths.clone();
    blocking(move || {
        if DataFiles::new(&paths.data_dir).first_run_end().is_some() {
            return Ok(false);
        }
        // A file with errors is someone's work in progress, not a first run.
        let watches_nothing = Config::load(&paths.config)
            .map(|c| c.monitors.is_empty() && c.sources.is_empty())
            .unwrap_or(false);
        Ok(watches_nothing)
    })
    .await
}

/// Remembers that the guide was finished or skipped, so it is not shown again by itself.
#[tauri::command]
pub async fn first_run_end(state: State<'_, AppState>, end: GuideEnd) -> Result<()> {
    let data_dir = state.paths.data_dir.clone();
    blocking(move || Ok(DataFiles::new(&data_dir).remember_first_run(end)?)).await
}

/// A monitor form from one typed line: name and kind guessed, to be checked and changed.
#[tauri::command]
pub async fn guess_monitor(typed: String) -> Result<MonitorForm> {
    guess(&typed).map_err(|message| Error::Form(vec![FieldProblem::new("target", message)]))
}

/// Puts the channel on the escalation ladder ("after 3 minutes, notify phone") unless a step
/// already names it; a ladder that was empty starts with the siren at once.
#[tauri::command]
pub async fn put_phone_on_ladder(state: State<'_, AppState>, channel: String) -> Result<String> {
    let what = format!("{} is on the escalation ladder", channel.trim());
    settings::change(
        &state,
        &state.paths.config,
        &what,
        |doc: &mut ConfigDocument| {
            let ladder = with_phone_step(&doc.escalation_form(), &channel);
            doc.set_escalation(&ladder).map_err(Error::Form)
        },
    )
    .await
}
