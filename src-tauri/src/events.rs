//! The engine's status becomes the window's `status` events.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Runtime};

use klaxon_core::paths::Paths;
use klaxon_core::protocol::Client;

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
