//! Launch at login, through tauri-plugin-autostart (a `.desktop` file in
//! `~/.config/autostart` on Linux, a Launch Agent on macOS, the Run key on Windows). The
//! window's checkbox and the tray's check item both come here.

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::{AutoLaunchManager, MacosLauncher};

use crate::error::{Error, Result};

pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_autostart::init(
        MacosLauncher::LaunchAgent,
        Some(vec![crate::BACKGROUND_ARG]),
    )
}

/// Whether the OS will start Klaxon at login (false when it cannot tell).
pub fn is_enabled<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.try_state::<AutoLaunchManager>()
        .and_then(|m| m.is_enabled().ok())
        .unwrap_or(false)
}

/// Turns it on or off and answers what the OS now has.
pub fn set<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> Result<bool> {
    let manager = app
        .try_state::<AutoLaunchManager>()
        .ok_or_else(|| Error::Refused("launch at login is not available here".into()))?;
    let done = if enabled {
        // auto-launch writes ~/.config/autostart/Klaxon.desktop but makes only the last
        // directory: on a fresh account with no ~/.config yet, enabling would fail.
        #[cfg(target_os = "linux")]
        if let Some(dirs) = directories::BaseDirs::new() {
            let _ = std::fs::create_dir_all(dirs.config_dir().join("autostart"));
        }
        manager.enable()
    } else {
        manager.disable()
    };
    done.map_err(|e| Error::Refused(format!("cannot change launch at login: {e}")))?;
    let now = is_enabled(app);
    crate::tray::launch_at_login_changed(app);
    Ok(now)
}
