//! The tray icon: its picture and tooltip say the headline state at a glance ([`Status::overall`]
//! and [`Status::headline`], the same as `klaxon status` and the window), and its menu
//! ([`menu`]) reaches everything.

mod menu;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use klaxon_core::domain::states::Overall;
use klaxon_core::domain::status::Status;
use tauri::image::Image;
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

use crate::AppState;

pub const TRAY_ID: &str = "klaxon";

/// Which icon the headline state calls for: `ok`, `down`, `acknowledged`, `offline`, `paused`.
pub fn icon_name(status: &Status) -> &'static str {
    match status.overall() {
        Overall::Ringing | Overall::Failing => "down",
        Overall::Acknowledged => "acknowledged",
        Overall::Offline => "offline",
        Overall::Paused => "paused",
        Overall::AllUp | Overall::NothingConfigured => "ok",
    }
}

/// "3 monitors up", "API down for 4 min — ringing", and a second line for a fault of Klaxon's
/// own ("⚠ history is not being saved: the disk is full").
pub fn tooltip(status: &Status, now: Timestamp) -> String {
    let mut lines = vec![status.headline(now)];
    lines.extend(maintenance_line(status, &TimeZone::system()));
    lines.extend(own_problem(status).map(|problem| format!("⚠ {problem}")));
    lines.join("\n")
}

/// "In maintenance until 03:00" (every monitor), or "API, DB in maintenance until 03:00".
pub fn maintenance_line(status: &Status, zone: &TimeZone) -> Option<String> {
    let until = status.maintenance.iter().map(|m| m.until).max()?;
    let when = clock(until, zone);
    if status.maintenance.iter().any(|m| m.monitors.is_none()) {
        return Some(format!("In maintenance until {when}"));
    }
    let mut names: Vec<String> = status
        .maintenance
        .iter()
        .flat_map(|m| m.monitors.iter().flatten())
        .map(|n| klaxon_core::text::printable(n).into_owned())
        .collect();
    names.sort();
    names.dedup();
    Some(format!("{} in maintenance until {when}", names.join(", ")))
}

/// "03:00" today, "Sun 03:00" on another day: a maintenance window is at most a week long.
pub fn clock(at: Timestamp, zone: &TimeZone) -> String {
    let here = at.to_zoned(zone.clone());
    let today = Timestamp::now().to_zoned(zone.clone()).date();
    if here.date() == today {
        here.strftime("%H:%M").to_string()
    } else {
        here.strftime("%a %H:%M").to_string()
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
        .or_else(|| {
            let coverage = status.coverage.as_ref()?;
            let gap = coverage.gaps.first()?;
            Some(format!("not covered: {}", gap.problem))
        })
}

pub fn create<R: Runtime>(app: &AppHandle<R>, status: &Status) -> tauri::Result<TrayIcon<R>> {
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu::build(app, status)?)
        .tooltip(tooltip(status, Timestamp::now()))
        .on_menu_event(|app, event| menu::clicked(app, event.id().as_ref()));
    if let Some(icon) = icon(icon_name(status)) {
        builder = builder.icon(icon);
    }
    builder.build(app)
}

/// Rebuilds the menu so its check mark follows a change made in the window.
pub fn launch_at_login_changed<R: Runtime>(app: &AppHandle<R>) {
    if let Some(engine) = app.try_state::<AppState>().and_then(|s| s.inner().engine()) {
        let status = engine.status().borrow().clone();
        update(app, &status);
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
    if menu_changed && let Ok(menu) = menu::build(app, status) {
        let _ = tray.set_menu(Some(menu));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use klaxon_core::domain::states::{IncidentState, MonitorState};
    use klaxon_core::domain::status::{IncidentView, MonitorView};

    fn monitor(name: &str, state: MonitorState) -> MonitorView {
        MonitorView {
            name: name.into(),
            state,
            last_checked: None,
            latency_ms: None,
            reason: None,
            target: String::new(),
            tls_verification_off: false,
        }
    }

    fn incident(state: IncidentState, since: Timestamp) -> IncidentView {
        IncidentView {
            id: 1,
            monitor: "API".into(),
            source: None,
            state,
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
                monitor("API", MonitorState::Up),
                monitor("DB", MonitorState::Up),
                monitor("Web", MonitorState::Up),
            ],
            ..Status::default()
        };
        let now = Timestamp::now();
        assert_eq!(tooltip(&status, now), "3 monitors up");
        assert_eq!(icon_name(&status), "ok");
        status.monitors[1].state = MonitorState::Down;
        assert_eq!(tooltip(&status, now), "2 of 3 monitors up");
    }

    #[test]
    fn the_tooltip_says_how_long_a_service_has_been_down_and_whether_it_rings() {
        let now = Timestamp::now();
        let since = now - jiff::SignedDuration::from_secs(4 * 60 + 10);
        let mut status = Status {
            monitors: vec![monitor("API", MonitorState::Down)],
            incidents: vec![incident(IncidentState::Ringing, since)],
            ..Status::default()
        };
        assert_eq!(tooltip(&status, now), "API down for 4 min — ringing");
        assert_eq!(icon_name(&status), "down");
        status.incidents[0].state = IncidentState::Acknowledged;
        let later = now + jiff::SignedDuration::from_secs(3600);
        assert_eq!(
            tooltip(&status, later),
            "API down for 1 h 4 min — acknowledged"
        );
        assert_eq!(icon_name(&status), "acknowledged");
    }

    #[test]
    fn the_tooltip_says_maintenance_and_until_when() {
        let until = Timestamp::now() + jiff::SignedDuration::from_secs(60);
        let mut status = Status {
            monitors: vec![monitor("API", MonitorState::Up)],
            maintenance: vec![klaxon_core::domain::status::MaintenanceView {
                monitors: Some(vec!["API".into(), "D\u{1b}[2JB".into()]),
                since: Timestamp::now(),
                until,
            }],
            ..Status::default()
        };
        let zone = TimeZone::UTC;
        let at = clock(until, &zone);
        let line = maintenance_line(&status, &zone).unwrap();
        assert!(line.starts_with("API, D"), "{line}");
        assert!(
            line.ends_with(&format!("B in maintenance until {at}")),
            "{line}"
        );
        assert!(!line.contains('\u{1b}'), "{line}");
        assert_eq!(status.maintenance_until("API"), Some(until));
        assert_eq!(status.maintenance_until("Web"), None);
        status.maintenance[0].monitors = None;
        assert_eq!(
            maintenance_line(&status, &zone).unwrap(),
            format!("In maintenance until {at}")
        );
        assert_eq!(status.maintenance_until("Web"), Some(until));
        assert!(
            tooltip(&status, Timestamp::now()).starts_with("1 monitor up\nIn maintenance until ")
        );
    }

    #[test]
    fn a_store_that_cannot_write_is_shown_in_the_tooltip_even_when_all_is_up() {
        let status = Status {
            monitors: vec![monitor("API", MonitorState::Up)],
            store_problem: Some("history is not being saved: the disk is full".into()),
            ..Status::default()
        };
        assert_eq!(
            tooltip(&status, Timestamp::now()),
            "1 monitor up\n⚠ history is not being saved: the disk is full"
        );
    }
}
