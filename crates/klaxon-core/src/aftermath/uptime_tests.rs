use std::time::Duration;

use super::*;
use crate::domain::incident::IncidentBook;
use crate::domain::monitor::{Evidence, Sample};
use crate::domain::states::AckVia;

fn now() -> Timestamp {
    // 2026-09-21 14:13:20 UTC: not on an hour, as a real "now" rarely is.
    Timestamp::from_second(1_790_000_000).unwrap()
}

fn ago(minutes: i64) -> Timestamp {
    now() - SignedDuration::from_mins(minutes)
}

fn sample(ok: bool, at: Timestamp, latency_ms: u64) -> Sample {
    Sample {
        ok,
        at,
        latency: Duration::from_millis(latency_ms),
        reason: if ok { "HTTP 200 OK" } else { "HTTP 502" }.into(),
        evidence: Evidence::default(),
        local_fault: None,
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("klaxon.db")).unwrap();
    (dir, store)
}

/// One check every `every` minutes for `monitor` from `from` to `to` minutes ago.
fn checked(store: &mut Store, monitor: &str, from: i64, to: i64, every: i64) {
    let samples: Vec<_> = (to..from)
        .rev()
        .step_by(every as usize)
        .map(|m| (monitor.to_string(), sample(true, ago(m), 40)))
        .collect();
    store.record_samples(&samples, &[]).unwrap();
}

/// An outage of `monitor` from `from` to `to` minutes ago.
fn outage(store: &mut Store, monitor: &str, from: i64, to: i64) {
    let mut book = IncidentBook::default();
    book.monitor_down(
        store,
        monitor,
        ago(from),
        &sample(false, ago(from), 40),
        ago(from),
    )
    .unwrap();
    book.acknowledge(store, None, AckVia::Window, ago(from));
    book.monitor_up(store, monitor, ago(to));
}

fn figures(store: &Store, offline_since: Option<Timestamp>) -> MonitorUptime {
    uptimes(
        store,
        &["API".to_string()],
        now(),
        &Ongoing::offline(offline_since),
    )
    .unwrap()
    .remove(0)
}

fn day(store: &Store) -> Uptime {
    figures(store, None).uptime.remove(0)
}

const HOUR: u64 = 3600;

#[test]
fn a_monitor_up_all_day_is_up_all_the_time_with_nothing_unwatched() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 25 * 60, 0, 1);
    let d = day(&store);
    assert_eq!(d.period, Period::Day);
    assert_eq!(d.percent, Some(100.0));
    assert_eq!((d.watched_s, d.down_s, d.unwatched_s), (24 * HOUR, 0, 0));
    assert_eq!(d.since, None);
}

#[test]
fn an_hour_down_in_a_watched_day_is_a_day_less_one_twenty_fourth() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 25 * 60, 0, 1);
    outage(&mut store, "API", 180, 120);
    let d = day(&store);
    assert_eq!(d.down_s, HOUR);
    let percent = d.percent.unwrap();
    assert!((percent - 100.0 * 23.0 / 24.0).abs() < 1e-9, "{percent}");
}

#[test]
fn sleep_pause_and_maintenance_are_left_out_and_counted_apart() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 25 * 60, 0, 1);
    for (from, to, cause) in [
        (600, 540, UnwatchedCause::Suspend),
        (400, 370, UnwatchedCause::Paused),
        (300, 270, UnwatchedCause::Maintenance),
    ] {
        store.record_unmonitored(ago(from), ago(to), cause).unwrap();
    }
    let d = day(&store);
    assert_eq!(d.unwatched_s, 2 * HOUR);
    assert_eq!(d.watched_s, 22 * HOUR);
    assert_eq!(d.percent, Some(100.0));
}

#[test]
fn a_maintenance_window_naming_one_monitor_leaves_only_its_time_unwatched() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 25 * 60, 0, 1);
    checked(&mut store, "Web", 25 * 60, 0, 1);
    let names = ["API".to_string()];
    let cause = UnwatchedCause::Maintenance;
    store
        .record_monitors_unmonitored(&names, ago(300), ago(240), cause)
        .unwrap();
    // Down through its own maintenance: not an outage for the uptime either.
    outage(&mut store, "API", 290, 250);
    let both = uptimes(
        &store,
        &["API".into(), "Web".into()],
        now(),
        &Ongoing::default(),
    )
    .unwrap();
    let (api, web) = (&both[0].uptime[0], &both[1].uptime[0]);
    assert_eq!((api.unwatched_s, api.down_s), (HOUR, 0));
    assert_eq!(api.percent, Some(100.0));
    assert_eq!((web.unwatched_s, web.watched_s), (0, 24 * HOUR));
}

#[test]
fn a_maintenance_window_going_on_is_left_out_before_it_ends() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 25 * 60, 0, 1);
    checked(&mut store, "Web", 25 * 60, 0, 1);
    // API's window began two hours ago and is still on: nothing of it is in the store yet.
    let ongoing = Ongoing {
        offline_since: None,
        maintenance: vec![(Some(vec!["API".into()]), ago(120))],
    };
    let both = uptimes(&store, &["API".into(), "Web".into()], now(), &ongoing).unwrap();
    assert_eq!(both[0].uptime[0].unwatched_s, 2 * HOUR);
    assert_eq!(both[1].uptime[0].unwatched_s, 0);
    // A window over every monitor, on for the whole day: nothing watched, no percentage.
    let all_day = Ongoing {
        offline_since: None,
        maintenance: vec![(None, ago(25 * 60))],
    };
    let day = &uptimes(&store, &["Web".into()], now(), &all_day).unwrap()[0].uptime[0];
    assert_eq!((day.percent, day.watched_s), (None, 0));
}

#[test]
fn an_outage_inside_a_sleep_is_not_counted_twice() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 25 * 60, 0, 1);
    // Down for two hours, asleep for the middle one of them.
    outage(&mut store, "API", 600, 480);
    store
        .record_unmonitored(ago(570), ago(510), UnwatchedCause::Suspend)
        .unwrap();
    let d = day(&store);
    assert_eq!(
        (d.down_s, d.unwatched_s, d.watched_s),
        (HOUR, HOUR, 23 * HOUR)
    );
    let percent = d.percent.unwrap();
    assert!((percent - 100.0 * 22.0 / 23.0).abs() < 1e-9, "{percent}");
}

#[test]
fn a_period_with_nothing_watched_says_so_instead_of_a_hundred_percent() {
    let (_dir, mut store) = store();
    assert_eq!(day(&store).percent, None);
    // Checked two days ago, then asleep ever since: the day has nothing, the week has some.
    checked(&mut store, "API", 49 * 60, 47 * 60, 1);
    store
        .record_unmonitored(ago(47 * 60), now(), UnwatchedCause::Suspend)
        .unwrap();
    let f = figures(&store, None);
    assert_eq!(f.uptime[0].percent, None);
    assert_eq!(f.uptime[0].unwatched_s, 24 * HOUR);
    assert_eq!(f.uptime[1].percent, Some(100.0));
}

#[test]
fn a_monitor_added_this_morning_counts_from_its_first_check() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 300, 0, 1);
    let d = day(&store);
    assert_eq!(d.since, Some(ago(299)));
    assert_eq!(d.watched_s, 299 * 60);
    assert_eq!(d.unwatched_s, 0);
}

#[test]
fn an_offline_stretch_still_going_on_is_unwatched() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 25 * 60, 0, 1);
    let d = figures(&store, Some(ago(90))).uptime.remove(0);
    assert_eq!(d.unwatched_s, 90 * 60);
}

#[test]
fn whole_hours_without_a_check_are_unwatched_for_a_monitor_checked_often() {
    let (_dir, mut store) = store();
    // Klaxon did not run from 10 h to 7 h ago (checks every 5 minutes otherwise).
    checked(&mut store, "API", 25 * 60, 10 * 60, 5);
    checked(&mut store, "API", 7 * 60, 0, 5);
    let d = day(&store);
    // 10 h ago is 04:13; the whole hours 05:00–07:00 had no check (04:xx and 07:xx had some).
    assert_eq!(d.unwatched_s, 2 * HOUR);
    assert_eq!(d.percent, Some(100.0));
}

#[test]
fn a_monitor_checked_hourly_has_no_silent_hours() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 25 * 60, 0, 90);
    assert_eq!(day(&store).unwatched_s, 0);
}

#[test]
fn the_week_and_the_month_come_after_the_day() {
    let (_dir, mut store) = store();
    checked(&mut store, "API", 3 * 24 * 60, 0, 10);
    let f = figures(&store, None);
    let periods: Vec<Period> = f.uptime.iter().map(|u| u.period).collect();
    assert_eq!(periods, Period::ALL);
    assert_eq!(f.uptime[1].since, Some(ago(3 * 24 * 60 - 1)));
}

#[test]
fn the_newest_certificate_a_check_saw_is_kept() {
    let (_dir, mut store) = store();
    let with_cert = |at: Timestamp, days: i64| {
        let mut s = sample(true, at, 40);
        s.evidence.cert_expires = Some(now() + SignedDuration::from_hours(24 * days));
        ("API".to_string(), s)
    };
    store
        .record_samples(&[with_cert(ago(10), 40), with_cert(ago(5), 90)], &[])
        .unwrap();
    // A check without TLS (refused before the handshake) leaves the certificate as it was.
    store
        .record_samples(&[("API".to_string(), sample(false, ago(1), 1))], &[])
        .unwrap();
    let cert = figures(&store, None).certificate.unwrap();
    assert_eq!(cert.not_after, now() + SignedDuration::from_hours(24 * 90));
    assert_eq!(cert.seen_at, ago(5));
    assert_eq!(
        uptimes(&store, &["Web".into()], now(), &Ongoing::default()).unwrap()[0].certificate,
        None
    );
}

#[test]
fn the_week_chart_reads_raw_and_rolled_up_hours_alike() {
    let (_dir, mut store) = store();
    let samples: Vec<_> = (0..4 * 24 * 60)
        .step_by(10)
        .map(|m| {
            (
                "API".to_string(),
                sample(true, ago(m), if m < 60 { 300 } else { 40 }),
            )
        })
        .collect();
    store.record_samples(&samples, &[]).unwrap();
    store.roll_up(ago(48 * 60)).unwrap();
    let week = latency(&store, "API", Period::Week, now()).unwrap();
    assert_eq!(week.avg_ms.len(), 168);
    assert_eq!(week.step_s, HOUR);
    // The last point is the hour now is in; four days back, all hours have a point.
    assert_eq!(week.from.as_second() % 3600, 0);
    let known = week.avg_ms.iter().filter(|p| p.is_some()).count();
    assert!((96..=98).contains(&known), "{known}");
    assert_eq!(week.avg_ms[100], Some(40));
    assert_eq!(week.max_ms[167], Some(300));
    assert_eq!(week.avg_ms[0], None);
    let day = latency(&store, "API", Period::Day, now()).unwrap();
    assert_eq!(day.avg_ms.len(), 96);
    assert_eq!(day.avg_ms[95], Some(300));
    assert_eq!(day.avg_ms[0], Some(40));
}

#[test]
fn the_percentage_reads_as_in_the_window_never_rounded_up() {
    let u = |percent: Option<f64>, down_s: u64, unwatched_s: u64| Uptime {
        period: Period::Day,
        percent,
        watched_s: 86_400,
        down_s,
        unwatched_s,
        since: None,
    };
    assert_eq!(u(Some(100.0), 0, 0).percent_words(), "100 %");
    assert_eq!(u(Some(99.99999), 1, 0).percent_words(), "99.99 %");
    assert_eq!(u(Some(99.9537), 40, 0).percent_words(), "99.95 %");
    assert_eq!(u(None, 0, 0).percent_words(), "nothing watched");
    assert_eq!(
        u(Some(100.0), 0, 7_200).unwatched_words().as_deref(),
        Some("2 h unwatched not counted")
    );
    assert_eq!(u(Some(100.0), 0, 30).unwatched_words(), None);
}
