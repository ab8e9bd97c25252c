//! Launch at login, through the auto-launch crate (the one tauri-plugin-autostart stands on):
//! a `.desktop` file in `~/.config/autostart` on Linux, a Launch Agent on macOS, the Run key on
//! Windows. The login item starts the tray process directly with `--background`, so logging in
//! never loads the window's WebKit. The tray's check item and the window's checkbox (in the
//! window's process) both come here, so they always name the same file.

use auto_launch::{AutoLaunch, AutoLaunchBuilder};

use crate::error::{Error, Result};

/// The name the OS lists the login item under (and, on Linux, its file: `Klaxon.desktop`).
const NAME: &str = "Klaxon";

fn launcher() -> Result<AutoLaunch> {
    let tray = crate::beside_me(crate::TRAY_BIN)?;
    let path = tray.display().to_string();
    // auto-launch writes the path into the desktop file's Exec line as it is: quoted, a path
    // with a space (a home dir, an unpacked tarball) still starts.
    #[cfg(target_os = "linux")]
    let path = desktop_quoted(&path);
    AutoLaunchBuilder::new()
        .set_app_name(NAME)
        .set_app_path(&path)
        .set_args(&[crate::BACKGROUND_ARG])
        .set_use_launch_agent(true)
        .build()
        .map_err(|e| Error::Login(e.to_string()))
}

/// The Desktop Entry spec's quoting of an Exec argument.
#[cfg(target_os = "linux")]
fn desktop_quoted(arg: &str) -> String {
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// Whether the OS will start Klaxon at login (false when it cannot tell).
pub fn is_enabled() -> bool {
    launcher()
        .and_then(|l| l.is_enabled().map_err(|e| Error::Login(e.to_string())))
        .unwrap_or(false)
}

/// Turns it on or off and answers what the OS now has.
pub fn set(enabled: bool) -> Result<bool> {
    let launcher = launcher()?;
    let done = if enabled {
        // auto-launch makes only the last directory: on a fresh account with no ~/.config yet,
        // enabling would fail.
        #[cfg(target_os = "linux")]
        if let Some(dirs) = directories::BaseDirs::new() {
            let _ = std::fs::create_dir_all(dirs.config_dir().join("autostart"));
        }
        launcher.enable()
    } else {
        launcher.disable()
    };
    done.map_err(|e| Error::Login(e.to_string()))?;
    Ok(is_enabled())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_path_with_spaces_and_quotes_is_one_exec_argument() {
        assert_eq!(
            desktop_quoted("/usr/bin/klaxon-tray"),
            "\"/usr/bin/klaxon-tray\""
        );
        assert_eq!(
            desktop_quoted("/home/a b/\"x\"/$HOME"),
            "\"/home/a b/\\\"x\\\"/\\$HOME\""
        );
    }
}
