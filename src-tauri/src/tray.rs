//! The tray icon: its picture and tooltip say the state at a glance, and its menu reaches
//! everything (Linux trays deliver menu clicks only).

use jiff::Timestamp;
use klaxon_core::engine::Command;
use klaxon_core::status::Status;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

use crate::AppState;

pub const TRAY_ID: &str = "klaxon";
const LOGIN_ID: &str = "launch-at-login";

/// Which icon the state calls for: `ok`, `down`, `acknowledged`, `offline`, `paused`.
pub fn icon_name(status: &Status) -> &'static str {
    if status.incidents.iter().any(|i| i.state == "ringing") {
        "down"
    } else if !status.incidents.is_empty() {
        "acknowledged"
    } else if status.paused_until.is_some() {
        "paused"
    } else if status.blind {
        "offline"
    } else if status.monitors.iter().any(|m| m.state == "down") {
        "down"
    } else {
        "ok"
    }
}

/// "3 monitors up", "API down for 4 min — ringing", and a second line for a fault of Klaxon's
/// own ("⚠ history is not being saved: the disk is full").
pub fn tooltip(status: &Status, now: Timestamp) -> String {
    let head = headline(status, now);
    match own_problem(status) {
        Some(problem) => format!("{head}\n⚠ {problem}"),
        None => head,
    }
}

fn headline(status: &Status, now: Timestamp) -> String {
    let top = status
        .incidents
        .iter()
        .find(|i| i.state == "ringing")
        .or(status.incidents.first());
    if let Some(i) = top {
        let down_for = now.duration_since(i.first_failure_at).as_secs().max(0);
        return format!(
            "{} down for {} — {}",
            i.monitor,
            for_how_long(down_for),
            i.state
        );
    }
    if status.paused_until.is_some() {
        return "Klaxon is paused".into();
    }
    if status.blind {
        return "Klaxon cannot see: this machine seems offline".into();
    }
    let up = status.monitors.iter().filter(|m| m.state == "up").count();
    match status.monitors.len() {
        0 => "Klaxon: no monitors yet".into(),
        n if up == n => format!("{n} monitor{} up", if n == 1 { "" } else { "s" }),
        n => format!("{up} of {n} monitors up"),
    }
}

/// "45 s", "4 min", "2 h 5 min".
fn for_how_long(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s % 3600 < 60 => format!("{} h", s / 3600),
        s => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

fn icon(name: &str) -> Option<Image<'static>> {
    let bytes: &'static [u8] = match name {
        "down" => include_bytes!("../../icons/tray-down.png"),
        "acknowledged" => include_bytes!("../../icons/tray-acknowledged.png"),
        "offline" => include_bytes!("../../icons/tray-offline.png"),
        "paused" => include_bytes!("../../icons/tray-paused.png"),
        _ => include_bytes!("../../icons/tray-ok.png"),
    };
    Image::from_bytes(bytes).ok()
}

/// A fault inside Klaxon that the user must see even with all services up: history not being
/// saved, no sound, checks that cannot be made, a crashed task. The most urgent one.
pub fn own_problem(status: &Status) -> Option<String> {
    status
        .sound
        .as_ref()
        .and_then(|s| s.problem.clone())
        .or_else(|| status.local_fault.clone())
        .or_else(|| status.store_problem.clone())
        .or_else(|| status.faults.last().cloned())
        .or_else(|| status.store_notice.clone())
}

fn menu<R: Runtime>(app: &AppHandle<R>, status: &Status) -> tauri::Result<Menu<R>> {
    let menu = Menu::new(app)?;
    if let Some(problem) = own_problem(status) {
        menu.append(&MenuItem::with_id(
            app,
            "problem",
            format!("⚠ {problem}"),
            false,
            None::<&str>,
        )?)?;
        menu.append(&PredefinedMenuItem::separator(app)?)?;
    }
    for (i, m) in status.monitors.iter().enumerate() {
        let line = format!("{} — {}", m.name, m.state);
        menu.append(&MenuItem::with_id(
            app,
            format!("monitor-{i}"),
            line,
            false,
            None::<&str>,
        )?)?;
    }
    if !status.monitors.is_empty() {
        menu.append(&PredefinedMenuItem::separator(app)?)?;
    }
    let ringing = status.incidents.iter().any(|i| i.state == "ringing");
    menu.append(&MenuItem::with_id(
        app,
        "ack",
        "Acknowledge…",
        ringing,
        None::<&str>,
    )?)?;
    let snooze = Submenu::with_id(app, "snooze", "Snooze", ringing)?;
    for m in [5, 15, 30] {
        snooze.append(&MenuItem::with_id(
            app,
            format!("snooze-{m}"),
            format!("{m} minutes"),
            true,
            None::<&str>,
        )?)?;
    }
    menu.append(&snooze)?;
    if status.paused_until.is_some() {
        menu.append(&MenuItem::with_id(
            app,
            "resume",
            "Resume monitoring",
            true,
            None::<&str>,
        )?)?;
    } else {
        let pause = Submenu::with_id(app, "pause", "Pause monitoring", true)?;
        pause.append(&MenuItem::with_id(
            app,
            "pause-60",
            "For 1 hour",
            true,
            None::<&str>,
        )?)?;
        pause.append(&MenuItem::with_id(
            app,
            "pause",
            "Until resumed",
            true,
            None::<&str>,
        )?)?;
        menu.append(&pause)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(
        app,
        "open",
        "Open Klaxon",
        true,
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(
        app,
        "test-alarm",
        "Test alarm",
        !ringing,
        None::<&str>,
    )?)?;
    menu.append(&CheckMenuItem::with_id(
        app,
        LOGIN_ID,
        "Launch at login",
        true,
        crate::login::is_enabled(app),
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?)?;
    Ok(menu)
}

pub fn create<R: Runtime>(app: &AppHandle<R>, status: &Status) -> tauri::Result<TrayIcon<R>> {
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu(app, status)?)
        .tooltip(tooltip(status, Timestamp::now()))
        .on_menu_event(|app, event| clicked(app, event.id().as_ref()));
    if let Some(icon) = icon(icon_name(status)) {
        builder = builder.icon(icon);
    }
    builder.build(app)
}

/// Rebuilds the menu so its check mark follows a change made in the window.
pub fn launch_at_login_changed<R: Runtime>(app: &AppHandle<R>) {
    if let Some(state) = app.try_state::<AppState>() {
        update(app, &state.engine.status().borrow().clone());
    }
}

/// Brings the tray in line with a new status.
pub fn update<R: Runtime>(app: &AppHandle<R>, status: &Status) {
    refresh(app, status, &tooltip(status, Timestamp::now()), true);
}

/// Sets the icon and tooltip, and rebuilds the menu when `menu_changed` (a rebuilt menu
/// closes one the user has open, so it is not done for a tooltip's minute ticking over).
pub fn refresh<R: Runtime>(app: &AppHandle<R>, status: &Status, tip: &str, menu_changed: bool) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let _ = tray.set_icon(icon(icon_name(status)));
    let _ = tray.set_tooltip(Some(tip));
    if menu_changed && let Ok(menu) = menu(app, status) {
        let _ = tray.set_menu(Some(menu));
    }
}

fn clicked<R: Runtime>(app: &AppHandle<R>, id: &str) {
    let command = match id {
        "open" => {
            let _ = crate::window::open(app);
            return;
        }
        "ack" => {
            // With the awake check on, the code to type is in the window: open it at the
            // prompt. Without it, the click is the acknowledgement.
            let code_needed = app
                .try_state::<AppState>()
                .is_none_or(|s| s.engine.status().borrow().ack_code.is_some());
            if code_needed {
                let _ = crate::window::open(app);
                return;
            }
            Command::Ack {
                incident: None,
                via: "tray".into(),
                code: None,
            }
        }
        "quit" => {
            app.exit(0);
            return;
        }
        LOGIN_ID => {
            let want = !crate::login::is_enabled(app);
            if let Err(e) = crate::login::set(app, want) {
                tracing::warn!("tray: {e}");
            }
            return;
        }
        "resume" => Command::Resume,
        "test-alarm" => Command::TestAlarm { seconds: 10 },
        "pause" => Command::Pause { minutes: None },
        _ => match id.split_once('-') {
            Some(("snooze", m)) => Command::Snooze {
                minutes: m.parse().unwrap_or(15),
            },
            Some(("pause", m)) => Command::Pause {
                minutes: m.parse().ok(),
            },
            _ => return,
        },
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        if let Err(e) = crate::commands::send(&state, command).await {
            tracing::warn!("tray: {e}");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use klaxon_core::status::{IncidentView, MonitorView};

    fn monitor(name: &str, state: &str) -> MonitorView {
        MonitorView {
            name: name.into(),
            state: state.into(),
            last_checked: None,
            latency_ms: None,
            reason: None,
            target: String::new(),
            tls_verification_off: false,
        }
    }

    fn incident(state: &str, since: Timestamp) -> IncidentView {
        IncidentView {
            id: 1,
            monitor: "API".into(),
            state: state.into(),
            opened_at: since,
            acknowledged_at: None,
            resolved_at: None,
            first_failure_at: since,
            recovered_at: None,
            acknowledged_via: None,
            snoozed_until: None,
            time_to_acknowledge_s: None,
            time_to_recover_s: None,
            reason: "connection refused".into(),
        }
    }

    #[test]
    fn the_tooltip_counts_monitors_when_all_is_well() {
        let mut status = Status {
            monitors: vec![
                monitor("API", "up"),
                monitor("DB", "up"),
                monitor("Web", "up"),
            ],
            ..Status::default()
        };
        let now = Timestamp::now();
        assert_eq!(tooltip(&status, now), "3 monitors up");
        assert_eq!(icon_name(&status), "ok");
        status.monitors[1].state = "down".into();
        assert_eq!(tooltip(&status, now), "2 of 3 monitors up");
    }

    #[test]
    fn the_tooltip_says_how_long_a_service_has_been_down_and_whether_it_rings() {
        let now = Timestamp::now();
        let since = now - jiff::SignedDuration::from_secs(4 * 60 + 10);
        let mut status = Status {
            monitors: vec![monitor("API", "down")],
            incidents: vec![incident("ringing", since)],
            ..Status::default()
        };
        assert_eq!(tooltip(&status, now), "API down for 4 min — ringing");
        assert_eq!(icon_name(&status), "down");
        status.incidents[0].state = "acknowledged".into();
        let later = now + jiff::SignedDuration::from_secs(3600);
        assert_eq!(
            tooltip(&status, later),
            "API down for 1 h 4 min — acknowledged"
        );
        assert_eq!(icon_name(&status), "acknowledged");
    }

    #[test]
    fn a_store_that_cannot_write_is_shown_in_the_tooltip_even_when_all_is_up() {
        let status = Status {
            monitors: vec![monitor("API", "up")],
            store_problem: Some("history is not being saved: the disk is full".into()),
            ..Status::default()
        };
        assert_eq!(
            tooltip(&status, Timestamp::now()),
            "1 monitor up\n⚠ history is not being saved: the disk is full"
        );
    }
}
