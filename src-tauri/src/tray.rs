//! The tray icon: its picture and tooltip say the state at a glance, and its menu reaches
//! everything (Linux trays deliver menu clicks only).

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

/// "3 monitors up", "API down since 02:07 — ringing".
pub fn tooltip(status: &Status) -> String {
    if let Some(i) = status.incidents.first() {
        return format!("{} down — {}", i.monitor, i.state);
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

fn menu<R: Runtime>(app: &AppHandle<R>, status: &Status) -> tauri::Result<Menu<R>> {
    let menu = Menu::new(app)?;
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
        .tooltip(tooltip(status))
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
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let _ = tray.set_icon(icon(icon_name(status)));
    let _ = tray.set_tooltip(Some(tooltip(status)));
    if let Ok(menu) = menu(app, status) {
        let _ = tray.set_menu(Some(menu));
    }
}

fn clicked<R: Runtime>(app: &AppHandle<R>, id: &str) {
    let command = match id {
        // The awake check lives in the window: acknowledging opens it at the code prompt.
        "ack" | "open" => {
            let _ = crate::window::open(app);
            return;
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
