//! Settings → Import monitors: the window reads the chosen file in JS (an `<input type="file">`,
//! so the app never gets a path to go looking at) and hands its text here, to the same
//! klaxon-core function `klaxon import` runs. A dry run answers what would be added and every
//! field without an equivalent; the real one writes klaxon.toml and has the engine reload.

use std::path::PathBuf;

use klaxon_core::config::import::{self, ImportReport, ImportSource};
use klaxon_core::text::{bound, printable};
use tauri::State;

use crate::AppState;
use crate::error::Result;

/// The longest file name kept for messages (the name is the browser's, outside text).
const FILE_NAME_BYTES: usize = 255;

#[tauri::command]
pub async fn import_monitors(
    state: State<'_, AppState>,
    tool: ImportSource,
    file_name: String,
    text: String,
    dry_run: bool,
) -> Result<ImportReport> {
    let file = PathBuf::from(printable(&bound(file_name, FILE_NAME_BYTES)).into_owned());
    let report = import::import(tool, &file, &text, &state.paths.config, dry_run)?;
    if !report.dry_run && !report.added.is_empty() {
        // The engine also sees the file change on its own; asking now only makes it prompt,
        // so a refusal (no engine running) does not undo an import that was written.
        if let Err(e) = state.client().reload().await {
            tracing::warn!("the import was written but the engine did not reload: {e}");
        }
    }
    Ok(report)
}
