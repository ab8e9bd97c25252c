//! Settings' maintenance windows: list them with their next start, add, change, delete. Each a
//! few lines over the config document, written and reloaded like every other Settings change.

use jiff::Timestamp;
use klaxon_core::config::edit::ConfigDocument;
use klaxon_core::config::maintenance_form::{MaintenanceEntry, MaintenanceForm};
use tauri::State;

use crate::error::{Error, Result};
use crate::{AppState, settings};

/// Every `[[maintenance]]` in the file, with when it next starts and whether one is on.
#[tauri::command]
pub async fn maintenance(state: State<'_, AppState>) -> Result<Vec<MaintenanceEntry>> {
    let doc = ConfigDocument::read(&state.paths.config)?;
    Ok(doc.maintenance_entries(Timestamp::now()))
}

/// Adds a window (`position` null) or changes the one at `position` (1-based).
#[tauri::command]
pub async fn save_maintenance(
    state: State<'_, AppState>,
    position: Option<usize>,
    form: MaintenanceForm,
) -> Result<String> {
    settings::change(
        &state,
        &state.paths.config,
        "Maintenance window saved",
        |doc| doc.put_maintenance(position, &form).map_err(Error::Form),
    )
    .await
}

#[tauri::command]
pub async fn delete_maintenance(state: State<'_, AppState>, position: usize) -> Result<String> {
    settings::change(
        &state,
        &state.paths.config,
        "Maintenance window deleted",
        |doc| Ok(doc.delete_maintenance(position)?),
    )
    .await
}
