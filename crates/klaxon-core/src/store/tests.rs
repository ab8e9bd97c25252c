use super::*;
use crate::domain::monitor::Evidence;
use crate::domain::states::MonitorState;

fn sample(at_ms: i64, ok: bool, latency_ms: u64) -> Sample {
    Sample {
        ok,
        at: from_ms(at_ms),
        latency: Duration::from_millis(latency_ms),
        reason: if ok {
            "HTTP 200 OK".into()
        } else {
            "connection refused".into()
        },
        evidence: Evidence::default(),
        local_fault: None,
    }
}

#[test]
fn migrations_run_once_and_a_reopened_database_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.db");
    {
        let mut store = Store::open(&path).unwrap();
        store
            .record_samples(&[("API".into(), sample(1_000, true, 5))], &[])
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.sample_counts("API").unwrap(), (1, 0));
    let version: i64 = store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, MIGRATIONS.len() as i64);
}

#[test]
fn old_samples_are_rolled_up_per_hour_without_losing_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("klaxon.db")).unwrap();
    let hour = 3_600_000;
    let samples: Vec<(String, Sample)> = (0..120)
        .map(|i| {
            (
                "API".to_string(),
                sample(i * 60_000, i % 10 != 0, 10 + i as u64),
            )
        })
        .collect();
    store.record_samples(&samples, &[]).unwrap();
    // Roll up the first hour only; a cutoff inside the second hour must not split it.
    let deleted = store.roll_up(from_ms(hour + hour / 2)).unwrap();
    assert_eq!(deleted, 60);
    assert_eq!(store.sample_counts("API").unwrap(), (60, 60));
    let (checks, failures, max): (i64, i64, i64) = store
        .conn
        .query_row(
            "SELECT checks, failures, latency_max_ms FROM hourly WHERE monitor = 'API'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((checks, failures, max), (60, 6, 69));
    // Rolling up the rest adds to the hours, never replaces them.
    store.roll_up(from_ms(10 * hour)).unwrap();
    assert_eq!(store.sample_counts("API").unwrap(), (0, 120));
}

#[test]
fn a_reader_sees_what_the_engine_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.db");
    let mut writer = Store::open(&path).unwrap();
    let state = MonitorView {
        name: "API".into(),
        state: MonitorState::Down,
        last_checked: Some(from_ms(5_000)),
        latency_ms: Some(3),
        reason: Some("connection refused".into()),
        target: "http://127.0.0.1:1/".into(),
        tls_verification_off: false,
    };
    writer
        .record_samples(
            &[("API".into(), sample(5_000, false, 3))],
            std::slice::from_ref(&state),
        )
        .unwrap();
    let reader = Store::open_read_only(&path).unwrap();
    assert_eq!(reader.monitor_states().unwrap(), [state]);
    writer.retain_monitor_states(&[]).unwrap();
    assert!(reader.monitor_states().unwrap().is_empty());
}
