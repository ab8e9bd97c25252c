//! The tray's menu, which reaches everything (Linux trays deliver menu clicks only). Each item
//! that does something carries a [`TrayAction`] as its id, written and read by serde, so a
//! click is decoded into a typed action and never by picking a string apart. Building the menu
//! is all this module does; `tray_loop.rs` carries the actions out.

use klaxon_core::domain::states::Overall;
use klaxon_core::domain::status::Status;
use serde::{Deserialize, Serialize};
use tray_icon::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};

use crate::look::{own_problem, watched_lines};

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

/// The menu for this status; `login` is whether Klaxon starts at login (its check mark).
pub fn build(status: &Status, login: bool) -> tray_icon::menu::Result<Menu> {
    let menu = Menu::new();
    if let Some(problem) = own_problem(status) {
        menu.append(&shown(&format!("⚠ {problem}")))?;
        menu.append(&PredefinedMenuItem::separator())?;
    }
    for line in watched_lines(status) {
        menu.append(&shown(&line))?;
    }
    if !status.monitors.is_empty() || !status.sources.is_empty() {
        menu.append(&PredefinedMenuItem::separator())?;
    }
    let ringing = status.overall() == Overall::Ringing;
    menu.append(&item(TrayAction::Acknowledge, "Acknowledge…", ringing))?;
    let snooze = Submenu::new("Snooze", ringing);
    for minutes in SNOOZES {
        let label = format!("{minutes} minutes");
        snooze.append(&item(TrayAction::Snooze { minutes }, &label, true))?;
    }
    menu.append(&snooze)?;
    if status.paused_until.is_some() {
        menu.append(&item(TrayAction::Resume, "Resume monitoring", true))?;
    } else {
        let pause = Submenu::new("Pause monitoring", true);
        let hour = TrayAction::PauseFor {
            minutes: PAUSE_HOUR,
        };
        pause.append(&item(hour, "For 1 hour", true))?;
        pause.append(&item(TrayAction::PauseUntilResumed, "Until resumed", true))?;
        menu.append(&pause)?;
    }
    menu.append(&PredefinedMenuItem::separator())?;
    menu.append(&item(TrayAction::Open, "Open Klaxon", true))?;
    menu.append(&item(TrayAction::TestAlarm, "Test alarm", !ringing))?;
    menu.append(&CheckMenuItem::with_id(
        TrayAction::LaunchAtLogin.id(),
        "Launch at login",
        true,
        login,
        None,
    ))?;
    menu.append(&item(TrayAction::Quit, "Quit", true))?;
    Ok(menu)
}

fn item(action: TrayAction, label: &str, enabled: bool) -> MenuItem {
    MenuItem::with_id(action.id(), label, enabled, None)
}

/// A line that only shows something (a monitor's state, a problem): never clickable.
fn shown(label: &str) -> MenuItem {
    MenuItem::new(label, false, None)
}

/// What the menu shows, so it is rebuilt only when that changes (a rebuilt menu closes one the
/// user has open).
pub fn key(status: &Status, login: bool) -> Vec<String> {
    let mut key: Vec<String> = status
        .monitors
        .iter()
        .map(|m| format!("{}={}", m.name, m.state))
        .collect();
    key.extend(status.incidents.iter().map(|i| i.state.to_string()));
    key.push(format!("{:?}", status.paused_until.is_some()));
    key.extend(own_problem(status));
    key.extend(status.maintenance.iter().map(|m| m.until.to_string()));
    key.extend(
        status
            .sources
            .iter()
            .map(|s| format!("{}={}", s.name, s.state)),
    );
    key.push(format!("login={login}"));
    key
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // Ids muda makes up for the lines that only show something carry no action.
        assert_eq!(TrayAction::from_id("3"), None);
        assert_eq!(TrayAction::from_id("snooze-15"), None);
    }
}
