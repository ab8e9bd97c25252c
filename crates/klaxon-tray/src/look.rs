//! What the tray shows, worked out from a status: which icon, the tooltip's lines and the
//! menu's lines about what is watched. Plain functions of a [`Status`] (and the time where the
//! words depend on it), so they are tested without a desktop; `tray_loop.rs` puts them on
//! screen.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use klaxon_core::domain::states::Overall;
use klaxon_core::domain::status::Status;

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

/// What is watched, one line each: the monitors; then, as outside alerts have no monitor
/// line, each open one with where it came from, and each source with whether it can be read.
pub fn watched_lines(status: &Status) -> Vec<String> {
    use klaxon_core::text::printable;
    let monitors = status
        .monitors
        .iter()
        .map(|m| match status.maintenance_until(&m.name) {
            Some(until) => format!(
                "{} — {}, in maintenance until {}",
                printable(&m.name),
                m.state,
                clock(until, &jiff::tz::TimeZone::system())
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
