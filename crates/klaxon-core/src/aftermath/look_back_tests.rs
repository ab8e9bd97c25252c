use std::time::Duration;

use super::*;
use crate::domain::incident::IncidentBook;
use crate::domain::monitor::{Evidence, Sample};
use crate::domain::states::AckVia;

/// The bars end at `now`: slot 95 holds the last 15 minutes, slot 0 the 15 before 24 h ago.
fn now() -> Timestamp {
    Timestamp::from_second(1_790_000_000).unwrap()
}

fn ago(minutes: i64) -> Timestamp {
    now() - SignedDuration::from_mins(minutes)
}

fn sample(ok: bool, at: Timestamp) -> Sample {
    Sample {
        ok,
        at,
        latency: Duration::from_millis(5),
        reason: if ok {
            "HTTP 200 OK"
        } else {
            "HTTP 502 Bad Gateway"
        }
        .into(),
        evidence: Evidence {
            status: Some(if ok { 200 } else { 502 }),
            body_excerpt: Some("<h1>502</h1>".into()),
            ..Evidence::default()
        },
        local_fault: None,
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("klaxon.db")).unwrap();
    (dir, store)
}

/// One sample a minute for `monitor` over `[from, to)` minutes ago.
fn checked(store: &mut Store, monitor: &str, from: i64, to: i64, ok: bool) {
    let samples: Vec<_> = (to + 1..=from)
        .rev()
        .map(|m| (monitor.to_string(), sample(ok, ago(m))))
        .collect();
    store.record_samples(&samples, &[]).unwrap();
}

fn bar(store: &Store, offline_since: Option<Timestamp>) -> Vec<Slot> {
    let bars = day_bars(store, &["API".to_string()], now(), offline_since).unwrap();
    bars.into_iter().next().unwrap().slots
}

#[test]
fn a_monitor_checked_all_day_is_up_in_every_slot() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 24 * 60, 0, true);
    let slots = bar(&store, None);
    assert_eq!(slots.len(), SLOTS);
    assert!(slots.iter().all(|s| *s == Slot::Up), "{slots:?}");
}

#[test]
fn a_new_monitor_shows_nothing_before_its_first_check() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 60, 0, true);
    let slots = bar(&store, None);
    assert!(slots[..92].iter().all(|s| *s == Slot::None), "{slots:?}");
    assert!(slots[92..].iter().all(|s| *s == Slot::Up), "{slots:?}");
}

#[test]
fn an_outage_is_down_from_first_failure_to_recovery_and_nothing_else_is() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 24 * 60, 0, true);
    let mut book = IncidentBook::default();
    // Down from 3 h ago to 2 h 31 min ago: slots 84 and 85.
    book.monitor_down(
        &mut store,
        "API",
        ago(180),
        &sample(false, ago(179)),
        ago(179),
    );
    book.acknowledge(&mut store, None, AckVia::Cli, ago(175));
    book.monitor_up(&mut store, "API", ago(151));
    let slots = bar(&store, None);
    let down: Vec<usize> = (0..SLOTS).filter(|i| slots[*i] == Slot::Down).collect();
    assert_eq!(down, [84, 85]);
}

#[test]
fn an_outage_still_going_on_reaches_the_end_of_the_bar() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 60, 0, true);
    IncidentBook::default()
        .monitor_down(&mut store, "API", ago(20), &sample(false, ago(19)), ago(19))
        .unwrap();
    let slots = bar(&store, None);
    assert_eq!(&slots[94..], [Slot::Down, Slot::Down]);
}

#[test]
fn sleep_pause_and_offline_time_are_shown_as_such_not_as_uptime() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 24 * 60, 0, true);
    store
        .record_unmonitored(ago(600), ago(570), UnwatchedCause::Suspend)
        .unwrap();
    store
        .record_unmonitored(ago(300), ago(285), UnwatchedCause::Offline)
        .unwrap();
    let slots = bar(&store, Some(ago(10)));
    assert_eq!(slots[56], Slot::Unmonitored);
    assert_eq!(slots[57], Slot::Unmonitored);
    assert_eq!(slots[76], Slot::Offline);
    // The offline stretch still going on is not in the store yet, but it is on the bar.
    assert_eq!(slots[95], Slot::Offline);
    assert_eq!(slots[30], Slot::Up);
}

#[test]
fn a_maintenance_window_naming_one_monitor_greys_only_its_bar() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 24 * 60, 0, true);
    checked(&mut store, "Web", 24 * 60, 0, true);
    store
        .record_monitors_unmonitored(
            &["API".into()],
            ago(600),
            ago(570),
            UnwatchedCause::Maintenance,
        )
        .unwrap();
    let bars = day_bars(&store, &["API".into(), "Web".into()], now(), None).unwrap();
    assert_eq!(bars[0].slots[56], Slot::Unmonitored);
    assert_eq!(bars[1].slots[56], Slot::Up);
}

#[test]
fn failed_checks_outside_an_outage_do_not_count_as_up() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 30, 0, false);
    assert!(bar(&store, None).iter().all(|s| *s == Slot::None));
}

#[test]
fn an_incident_opens_to_its_timeline_and_evidence() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    let opened = book
        .monitor_down(&mut store, "API", ago(10), &sample(false, ago(9)), ago(9))
        .unwrap();
    book.acknowledge(&mut store, None, AckVia::Window, ago(8));
    let detail = incident_detail(&store, opened.id).unwrap().unwrap();
    assert_eq!(detail.incident.monitor, "API");
    assert_eq!(detail.incident.acknowledged_via, Some(AckVia::Window));
    assert_eq!(detail.evidence.status, Some(502));
    assert_eq!(
        detail.evidence.body_excerpt.as_deref(),
        Some("<h1>502</h1>")
    );
    let kinds: Vec<_> = detail.timeline.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "first_failure",
            "confirmed",
            "alarm_started",
            "acknowledged"
        ]
    );
    assert_eq!(incident_detail(&store, opened.id + 1).unwrap(), None);
}
