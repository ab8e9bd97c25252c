//! Core events become window events and tray updates, in one place.

use std::time::Duration;

use jiff::Timestamp;
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::watch;

use klaxon_core::domain::status::Status;
use klaxon_core::paths::Paths;
use klaxon_core::protocol::Client;

/// Follows the engine's status until it stops: the tray is updated and the window (if open)
/// gets a `status` event with the new snapshot. Every 5 s the tray is looked at again, so a
/// tooltip's "down for 4 min" keeps counting and the login check mark follows the window's.
pub fn forward<R: Runtime>(app: AppHandle<R>, mut status: watch::Receiver<Status>) {
    tauri::async_runtime::spawn(async move {
        let mut shown: Option<(&'static str, String, Vec<String>)> = None;
        let mut tick = tokio::time::interval(Duration::from_secs(5));
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
            let mut key = menu_key(&now);
            key.push(format!("login={}", login_key(&app)));
            let view = (
                crate::tray::icon_name(&now),
                crate::tray::tooltip(&now, Timestamp::now()),
                key,
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

/// How often the window's process asks the engine for its status. A ringing incident shows in
/// the window within this; asking costs the engine one snapshot.
const FOLLOW_EVERY: Duration = Duration::from_millis(500);

/// In the window's process: follows the engine's status over the control socket and gives the
/// window a `status` event whenever it changes. When the engine cannot be reached (the tray
/// app was killed, or quit while this window stayed), the window gets one `engine-lost` event
/// with the reason, so it never goes on showing the last "All up"; the next status it gets
/// means the engine is back.
pub fn follow_over_socket<R: Runtime>(app: AppHandle<R>, paths: Paths) {
    tauri::async_runtime::spawn(async move {
        let client = Client::over_socket(paths);
        let mut shown = String::new();
        let mut lost = false;
        let mut tick = tokio::time::interval(FOLLOW_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = match client.status().await {
                Ok(now) => now,
                Err(e) => {
                    if !lost {
                        let _ = app.emit("engine-lost", e.to_string());
                        lost = true;
                        // Whatever comes back is news to the window, even if unchanged.
                        shown.clear();
                    }
                    continue;
                }
            };
            lost = false;
            // Compared as sent, so only a change the window would show wakes it.
            let Ok(text) = serde_json::to_string(&now) else {
                continue;
            };
            if text != shown {
                let _ = app.emit("status", &now);
                shown = text;
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
    key.extend(status.maintenance.iter().map(|m| m.until.to_string()));
    key
}

/// The menu's "Launch at login" check mark is set from the window's process too: looked at on
/// each tick, so the tray's mark follows within one.
fn login_key<R: Runtime>(app: &AppHandle<R>) -> bool {
    crate::login::is_enabled(app)
}
