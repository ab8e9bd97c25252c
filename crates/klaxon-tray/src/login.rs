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
    let listed = launcher()
        .and_then(|l| l.is_enabled().map_err(|e| Error::Login(e.to_string())))
        .unwrap_or(false);
    #[cfg(target_os = "linux")]
    let listed = listed && written_whole();
    listed
}

/// The login item's file on Linux, where auto-launch puts it (`~/.config/autostart`, whatever
/// `XDG_CONFIG_HOME` says).
#[cfg(target_os = "linux")]
fn desktop_file() -> Option<std::path::PathBuf> {
    let dirs = directories::BaseDirs::new()?;
    Some(
        dirs.home_dir()
            .join(".config/autostart")
            .join(format!("{NAME}.desktop")),
    )
}

/// Whether the login item's file holds the line that starts Klaxon. auto-launch writes it
/// with one unchecked `write`: a full disk or a crash leaves an empty or cut file that still
/// exists, which a file-exists check would take for "on" while nothing starts at login.
#[cfg(target_os = "linux")]
fn written_whole() -> bool {
    let (Some(file), Ok(tray)) = (desktop_file(), crate::beside_me(crate::TRAY_BIN)) else {
        return false;
    };
    let exec = format!(
        "Exec={} {}",
        desktop_quoted(&tray.display().to_string()),
        crate::BACKGROUND_ARG
    );
    holds_line(&file, &exec)
}

/// Reads at most 16 KiB: the path could be anything, even a device that never ends.
#[cfg(target_os = "linux")]
fn holds_line(file: &std::path::Path, line: &str) -> bool {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(16 * 1024).read_to_string(&mut text))
        .is_ok()
        && text.lines().any(|l| l == line)
}

/// Turns it on or off and answers what the OS now has.
pub fn set(enabled: bool) -> Result<bool> {
    let launcher = launcher()?;
    let done = if enabled {
        // auto-launch makes only the last directory: on a fresh account with no ~/.config yet,
        // enabling would fail.
        #[cfg(target_os = "linux")]
        if let Some(dir) = desktop_file().as_deref().and_then(std::path::Path::parent) {
            let _ = std::fs::create_dir_all(dir);
        }
        launcher.enable()
    } else {
        launcher.disable()
    };
    done.map_err(|e| Error::Login(e.to_string()))?;
    #[cfg(target_os = "linux")]
    if enabled && !written_whole() {
        // An item that starts nothing must not look like one that does: take it away and say so.
        let _ = launcher.disable();
        return Err(Error::Login(
            "the login item could not be written whole (is the disk full?), so Klaxon would not start at login".into(),
        ));
    }
    Ok(is_enabled())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_login_item_cut_short_or_unreadable_is_not_taken_for_one_that_starts_klaxon() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Klaxon.desktop");
        let exec = "Exec=\"/usr/bin/klaxon-tray\" --background";
        let whole = format!("[Desktop Entry]\nType=Application\n{exec}\nTerminal=false");
        std::fs::write(&file, &whole).unwrap();
        assert!(holds_line(&file, exec));
        // What a full disk leaves: the file created, nothing or part of it written.
        std::fs::write(&file, "").unwrap();
        assert!(!holds_line(&file, exec));
        std::fs::write(&file, &whole[..whole.find("--back").unwrap()]).unwrap();
        assert!(!holds_line(&file, exec));
        // A path that is a device with no end is read only so far.
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("endless")).unwrap();
        assert!(!holds_line(&dir.path().join("endless"), exec));
        assert!(!holds_line(&dir.path().join("missing"), exec));
    }

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
