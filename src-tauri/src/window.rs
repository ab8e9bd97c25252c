//! The window itself, in its own process (`klaxon-app --window`; why, and how it is started and
//! ended, is in the tray's `klaxon_tray::window`). A second `--window` (the founder clicks
//! Open again) finds the first through its own single-instance guard, brings that window up and
//! ends.

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

pub const LABEL: &str = "main";

/// Makes the window.
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html".into()))
        .title("Klaxon")
        .inner_size(440.0, 640.0)
        .build()?;
    Ok(())
}

/// When Klaxon is opened again: brings the window up.
pub fn focus<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
