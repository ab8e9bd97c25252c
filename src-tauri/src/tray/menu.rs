//! The tray's menu, which reaches everything (Linux trays deliver menu clicks only). Each item
//! that does something carries a [`TrayAction`] as its id, written and read by serde, so a
//! click is decoded into a typed action and never by picking a string apart.

use klaxon_core::domain::states::{AckVia, Overall};
use klaxon_core::domain::status::Status;
use serde::{Deserialize, Serialize};
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::{AppHandle, Manager, Runtime};

use crate::AppState;

/// What a click on the menu asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrayAction {
    Open,
    Acknowledge,
    Snooze { minutes: u64 },
    PauseFor { minutes: u64 },
    PauseUntilResumed,
    Resume,
    TestAlarm,
    LaunchAtLogin,
    Quit,
}

impl TrayAction {
    /// The menu item id that carries this action.
    pub fn id(self) -> String {
        serde_json::to_string(&self).unwrap_or_default()
    }

    /// The action a clicked item's id carries; `None` for an id that carries none.
    pub fn from_id(id: &str) -> Option<TrayAction> {
        serde_json::from_str(id).ok()
    }
}

const SNOOZES: [u64; 3] = [5, 15, 30];
/// The length of "Pause for 1 hour".
const PAUSE_HOUR: u64 = 60;

pub fn build<R: Runtime>(app: &AppHandle<R>, status: &Status) -> tauri::Result<Menu<R>> {
    let menu = Menu::new(app)?;
    if let Some(problem) = super::own_problem(status) {
        menu.append(&shown(app, &format!("⚠ {problem}"))?)?;
        menu.append(&PredefinedMenuItem::separator(app)?)?;
    }
    for line in watched_lines(status) {
        menu.append(&shown(app, &line)?)?;
    }
    if !status.monitors.is_empty() || !status.sources.is_empty() {
        menu.append(&PredefinedMenuItem::separator(app)?)?;
    }
    let ringing = status.overall() == Overall::Ringing;
    menu.append(&item(
        app,
        TrayAction::Acknowledge,
        "Acknowledge…",
        ringing,
    )?)?;
    let snooze = Submenu::new(app, "Snooze", ringing)?;
    for minutes in SNOOZES {
        let label = format!("{minutes} minutes");
        snooze.append(&item(app, TrayAction::Snooze { minutes }, &label, true)?)?;
    }
    menu.append(&snooze)?;
    menu.append(pause_or_resume(app, status)?.as_ref())?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&item(app, TrayAction::Open, "Open Klaxon", true)?)?;
    menu.append(&item(app, TrayAction::TestAlarm, "Test alarm", !ringing)?)?;
    menu.append(&CheckMenuItem::with_id(
        app,
        TrayAction::LaunchAtLogin.id(),
        "Launch at login",
        true,
        crate::login::is_enabled(app),
        None::<&str>,
    )?)?;
    menu.append(&item(app, TrayAction::Quit, "Quit", true)?)?;
    Ok(menu)
}

/// "Resume monitoring" while paused, else the "Pause monitoring" submenu.
fn pause_or_resume<R: Runtime>(
    app: &AppHandle<R>,
    status: &Status,
) -> tauri::Result<Box<dyn IsMenuItem<R>>> {
    if status.paused_until.is_some() {
        return Ok(Box::new(item(
            app,
            TrayAction::Resume,
            "Resume monitoring",
            true,
        )?));
    }
    let pause = Submenu::new(app, "Pause monitoring", true)?;
    let hour = TrayAction::PauseFor {
        minutes: PAUSE_HOUR,
    };
    pause.append(&item(app, hour, "For 1 hour", true)?)?;
    pause.append(&item(
        app,
        TrayAction::PauseUntilResumed,
        "Until resumed",
        true,
    )?)?;
    Ok(Box::new(pause))
}

fn item<R: Runtime>(
    app: &AppHandle<R>,
    action: TrayAction,
    label: &str,
    enabled: bool,
) -> tauri::Result<MenuItem<R>> {
    MenuItem::with_id(app, action.id(), label, enabled, None::<&str>)
}

/// A line that only shows something (a monitor's state, a problem): never clickable.
fn shown<R: Runtime>(app: &AppHandle<R>, label: &str) -> tauri::Result<MenuItem<R>> {
    MenuItem::new(app, label, false, None::<&str>)
}

/// Does what a clicked item asks.
pub fn clicked<R: Runtime>(app: &AppHandle<R>, id: &str) {
    let Some(action) = TrayAction::from_id(id) else {
        return;
    };
    match action {
        TrayAction::Open => {
            let _ = crate::window::open(app);
        }
        TrayAction::Quit => app.exit(0),
        TrayAction::LaunchAtLogin => {
            let want = !crate::login::is_enabled(app);
            if let Err(e) = crate::login::set(app, want) {
                tracing::warn!("tray: {e}");
            }
        }
        // With the awake check on, the code to type is in the window: open it at the prompt.
        // Without it, the click is the acknowledgement.
        TrayAction::Acknowledge if code_needed(app) => {
            let _ = crate::window::open(app);
        }
        engine_action => ask_engine(app, engine_action),
    }
}

fn code_needed<R: Runtime>(app: &AppHandle<R>) -> bool {
    let state = app.try_state::<AppState>();
    let Some(engine) = state.as_ref().and_then(|s| s.engine()) else {
        return true;
    };
    engine.status().borrow().ack_code.is_some()
}

/// Hands an action to the engine through the same client the window's commands use.
fn ask_engine<R: Runtime>(app: &AppHandle<R>, action: TrayAction) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let client = state.client();
        let answer = match action {
            TrayAction::Acknowledge => client.acknowledge(None, AckVia::Tray, None).await,
            TrayAction::Snooze { minutes } => client.snooze(minutes).await,
            TrayAction::PauseFor { minutes } => client.pause(Some(minutes)).await,
            TrayAction::PauseUntilResumed => client.pause(None).await,
            TrayAction::Resume => client.resume().await,
            TrayAction::TestAlarm => client.test_alarm(10).await,
            TrayAction::Open | TrayAction::LaunchAtLogin | TrayAction::Quit => return,
        };
        if let Err(e) = answer {
            tracing::warn!("tray: {e}");
        }
    });
}

/// What is watched, one line each: the monitors; then, as outside alerts have no monitor
/// line, each open one with where it came from, and each source with whether it can be read.
fn watched_lines(status: &Status) -> Vec<String> {
    use klaxon_core::text::printable;
    let monitors = status
        .monitors
        .iter()
        .map(|m| match status.maintenance_until(&m.name) {
            Some(until) => format!(
                "{} — {}, in maintenance until {}",
                printable(&m.name),
                m.state,
                super::clock(until, &jiff::tz::TimeZone::system())
            ),
            None => format!("{} — {}", printable(&m.name), m.state),
        });
    let alerts = status.incidents.iter().filter_map(|i| {
        let from = i.source.as_deref()?;
        Some(format!(
            "{} — {} ({})",
            printable(&i.monitor),
            i.state,
            printable(from)
        ))
    });
    let sources = status
        .sources
        .iter()
        .map(|s| format!("{} ({}) — {}", printable(&s.name), s.kind, s.state));
    monitors.chain(alerts).chain(sources).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_alerts_and_their_sources_are_listed_with_escaped_titles() {
        let status: Status = serde_json::from_value(serde_json::json!({
            "overall": "ringing",
            "monitors": [{"name": "API", "state": "up", "last_checked": null, "latency_ms": 3,
                          "reason": null, "target": "http://127.0.0.1/"}],
            "incidents": [{"id": 2, "monitor": "Disk\u{1b}[2J full on db-1", "source": "prod",
                "state": "ringing", "opened_at": "2026-12-01T02:07:31Z", "acknowledged_at": null,
                "resolved_at": null, "first_failure_at": "2026-12-01T02:07:00Z",
                "recovered_at": null, "acknowledged_via": null, "snoozed_until": null,
                "time_to_acknowledge_s": null, "time_to_recover_s": null, "reason": "97%"}],
            "blind": false, "live": true, "faults": [],
            "sources": [{"name": "prod", "kind": "alertmanager", "state": "unreachable",
                         "reason": "HTTP 500", "last_read": null, "firing": 1}]
        }))
        .unwrap();
        let lines = watched_lines(&status);
        assert_eq!(lines[0], "API — up");
        assert!(lines[1].starts_with("Disk"), "{lines:?}");
        assert!(
            lines[1].ends_with(" full on db-1 — ringing (prod)"),
            "{lines:?}"
        );
        assert!(!lines[1].contains('\u{1b}'), "{lines:?}");
        assert_eq!(lines[2], "prod (alertmanager) — unreachable");
    }

    #[test]
    fn every_action_comes_back_from_its_menu_id() {
        let all = [
            TrayAction::Open,
            TrayAction::Acknowledge,
            TrayAction::Snooze { minutes: 15 },
            TrayAction::PauseFor { minutes: 60 },
            TrayAction::PauseUntilResumed,
            TrayAction::Resume,
            TrayAction::TestAlarm,
            TrayAction::LaunchAtLogin,
            TrayAction::Quit,
        ];
        for action in all {
            assert_eq!(
                TrayAction::from_id(&action.id()),
                Some(action),
                "{action:?}"
            );
        }
        // Ids Tauri makes up for the lines that only show something carry no action.
        assert_eq!(TrayAction::from_id("3"), None);
        assert_eq!(TrayAction::from_id("snooze-15"), None);
    }
}
