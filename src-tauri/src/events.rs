//! Core events become window events and tray updates, in one place.

use std::time::Duration;

use jiff::Timestamp;
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::watch;

use klaxon_core::domain::status::Status;

/// Follows the engine's status until it stops: the tray is updated and the window (if open)
/// gets a `status` event with the new snapshot. Every 20 s the tray is looked at again, so a
/// tooltip's "down for 4 min" keeps counting.
pub fn forward<R: Runtime>(app: AppHandle<R>, mut status: watch::Receiver<Status>) {
    tauri::async_runtime::spawn(async move {
        let mut shown: Option<(&'static str, String, Vec<String>)> = None;
        let mut tick = tokio::time::interval(Duration::from_secs(20));
        loop {
            let changed = tokio::select! {
                changed = status.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    true
                }
                _ = tick.tick() => false,
            };
            let now = status.borrow_and_update().clone();
            let view = (
                crate::tray::icon_name(&now),
                crate::tray::tooltip(&now, Timestamp::now()),
                menu_key(&now),
            );
            if shown.as_ref() != Some(&view) {
                let menu_changed = shown.as_ref().is_none_or(|s| s.2 != view.2);
                crate::tray::refresh(&app, &now, &view.1, menu_changed);
                shown = Some(view);
            }
            if changed {
                let _ = app.emit("status", &now);
            }
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
    key.extend(status.incidents.iter().map(|i| i.state.to_string()));
    key.push(format!("{:?}", status.paused_until.is_some()));
    key.extend(crate::tray::own_problem(status));
    key
}
