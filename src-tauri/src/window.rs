//! The window is made when opened and destroyed when closed: an idle hidden webview costs
//! hundreds of megabytes, and a tray app lives for days.

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

pub const LABEL: &str = "main";

pub fn open<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(LABEL) {
        window.show()?;
        return window.set_focus();
    }
    WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html".into()))
        .title("Klaxon")
        .inner_size(440.0, 640.0)
        .build()?;
    Ok(())
}
