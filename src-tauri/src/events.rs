//! Core events become window events and tray updates, in one place.

use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::watch;

use klaxon_core::status::Status;

/// Follows the engine's status until it stops: the tray is updated and the window (if open)
/// gets a `status` event with the new snapshot.
pub fn forward<R: Runtime>(app: AppHandle<R>, mut status: watch::Receiver<Status>) {
    tauri::async_runtime::spawn(async move {
        let mut last_tray = None;
        while status.changed().await.is_ok() {
            let now = status.borrow_and_update().clone();
            let tray_view = (
                crate::tray::icon_name(&now),
                crate::tray::tooltip(&now),
                menu_key(&now),
            );
            if last_tray.as_ref() != Some(&tray_view) {
                crate::tray::update(&app, &now);
                last_tray = Some(tray_view);
            }
            let _ = app.emit("status", &now);
        }
    });
}

/// What the menu shows, so it is rebuilt only when that changes.
fn menu_key(status: &Status) -> Vec<String> {
    let mut key: Vec<String> = status
        .monitors
        .iter()
        .map(|m| format!("{}={}", m.name, m.state))
        .collect();
    key.extend(status.incidents.iter().map(|i| i.state.clone()));
    key.push(format!("{:?}", status.paused_until.is_some()));
    key
}
