use jiff::SignedDuration;

use super::*;
use crate::domain::incident::IncidentBook;
use crate::domain::monitor::{Evidence, Sample};
use crate::domain::states::{AckVia, UnwatchedCause};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn sample(at: Timestamp) -> Sample {
    Sample {
        ok: false,
        at,
        latency: std::time::Duration::from_millis(5),
        reason: "HTTP 502".into(),
        evidence: Evidence::default(),
        local_fault: None,
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("klaxon.db")).unwrap();
    (dir, store)
}

/// An outage of `monitor` from `down`, acknowledged `ack` minutes after, recovered at `up`.
fn outage(
    store: &mut Store,
    book: &mut IncidentBook,
    monitor: &str,
    down: &str,
    ack: i64,
    up: Option<&str>,
) {
    let down = t(down);
    let opened = book
        .monitor_down(store, monitor, down, &sample(down), down)
        .unwrap();
    let acked = down + SignedDuration::from_mins(ack);
    book.acknowledge(store, Some(opened.id), AckVia::Window, acked);
    if let Some(up) = up {
        book.monitor_up(store, monitor, t(up));
    }
}

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").unwrap()
}

#[test]
fn the_months_are_the_users_in_their_time_zone() {
    let bounds = month_bounds(t("2026-12-01T10:00:00Z"), &paris(), 2).unwrap();
    let first_days: Vec<String> = bounds.iter().map(|(d, _)| d.to_string()).collect();
    assert_eq!(first_days, ["2026-11-01", "2026-12-01"]);
    // Paris is UTC+1 in winter: December begins at 23:00 UTC on 30 November.
    assert_eq!(bounds[1].1.from, t("2026-11-30T23:00:00Z"));
    assert_eq!(bounds[0].1.to, bounds[1].1.from);
    // November began in summer time's aftermath: 23:00 UTC on 31 October (UTC+1 since the 25th).
    assert_eq!(bounds[0].1.from, t("2026-10-31T23:00:00Z"));
}

#[test]
fn an_incident_late_on_the_last_evening_belongs_to_the_users_month() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    // 23:30 in Paris on 30 November is 22:30 UTC: November's, though UTC would agree; 00:30 in
    // Paris on 1 December is 23:30 UTC on 30 November: December's, though UTC says November.
    outage(
        &mut store,
        &mut book,
        "API",
        "2026-11-30T22:30:00Z",
        2,
        Some("2026-11-30T22:40:00Z"),
    );
    outage(
        &mut store,
        &mut book,
        "Web",
        "2026-11-30T23:30:00Z",
        4,
        Some("2026-11-30T23:50:00Z"),
    );
    let report = month_report(&store, t("2026-12-01T10:00:00Z"), &paris(), 2).unwrap();
    let [nov, dec] = &report.months[..] else {
        panic!("{report:?}")
    };
    assert_eq!((nov.incidents, dec.incidents), (1, 1));
    assert_eq!((nov.downtime_s, dec.downtime_s), (600, 1200));
    assert_eq!(nov.median_ack_s, Some(120));
    assert_eq!(dec.median_recover_s, Some(1200));
    let utc = month_report(&store, t("2026-12-01T10:00:00Z"), &TimeZone::UTC, 2).unwrap();
    assert_eq!((utc.months[0].incidents, utc.months[1].incidents), (2, 0));
}

#[test]
fn the_medians_are_the_middle_times_and_unacknowledged_ones_are_left_out() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    outage(
        &mut store,
        &mut book,
        "A",
        "2026-12-01T10:00:00Z",
        1,
        Some("2026-12-01T10:10:00Z"),
    );
    outage(
        &mut store,
        &mut book,
        "B",
        "2026-12-02T10:00:00Z",
        3,
        Some("2026-12-02T10:30:00Z"),
    );
    outage(
        &mut store,
        &mut book,
        "C",
        "2026-12-03T10:00:00Z",
        10,
        Some("2026-12-03T11:00:00Z"),
    );
    let down = t("2026-12-04T10:00:00Z");
    book.monitor_down(&mut store, "D", down, &sample(down), down);
    let now = t("2026-12-04T10:05:00Z");
    let month = month_report(&store, now, &TimeZone::UTC, 1)
        .unwrap()
        .months
        .remove(0);
    assert_eq!(month.incidents, 4);
    assert_eq!(month.median_ack_s, Some(180));
    assert_eq!(month.median_recover_s, Some(1800));
    // 10 + 30 + 60 minutes, and the 5 minutes D has been down so far.
    assert_eq!(month.downtime_s, 105 * 60);
}

#[test]
fn overlapping_outages_of_one_service_and_unwatched_time_are_counted_once() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    outage(
        &mut store,
        &mut book,
        "API",
        "2026-12-01T10:00:00Z",
        1,
        Some("2026-12-01T11:00:00Z"),
    );
    store
        .record_unmonitored(
            t("2026-12-01T10:30:00Z"),
            t("2026-12-01T12:00:00Z"),
            UnwatchedCause::Suspend,
        )
        .unwrap();
    // A second outage of another service at the same time counts on its own.
    outage(
        &mut store,
        &mut book,
        "Web",
        "2026-12-01T10:00:00Z",
        1,
        Some("2026-12-01T10:20:00Z"),
    );
    let month = month_report(&store, t("2026-12-05T00:00:00Z"), &TimeZone::UTC, 1)
        .unwrap()
        .months
        .remove(0);
    assert_eq!(month.downtime_s, (30 + 20) * 60);
}

#[test]
fn an_outage_across_the_months_end_counts_in_each_month_for_its_part() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    outage(
        &mut store,
        &mut book,
        "API",
        "2026-11-30T23:00:00Z",
        1,
        Some("2026-12-01T01:00:00Z"),
    );
    let report = month_report(&store, t("2026-12-05T00:00:00Z"), &TimeZone::UTC, 6).unwrap();
    assert_eq!(report.months.len(), 6);
    assert_eq!(report.months[0].month.to_string(), "2026-07-01");
    let [.., nov, dec] = &report.months[..] else {
        panic!()
    };
    assert_eq!((nov.incidents, nov.downtime_s), (1, 3600));
    assert_eq!((dec.incidents, dec.downtime_s), (0, 3600));
    assert_eq!(dec.median_ack_s, None);
}
