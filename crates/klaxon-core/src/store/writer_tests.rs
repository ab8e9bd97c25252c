use super::*;
use crate::domain::incident::{AckVia, IncidentBook, IncidentState};
use crate::domain::monitor::Evidence;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + secs).unwrap()
}

fn failed(secs: i64) -> Sample {
    Sample {
        ok: false,
        at: at(secs),
        latency: Duration::from_millis(3),
        reason: "connection refused".into(),
        evidence: Evidence::default(),
        local_fault: None,
    }
}

fn wait_for(health: &watch::Receiver<StoreHealth>, want: impl Fn(&StoreHealth) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !want(&health.borrow()) {
        assert!(
            std::time::Instant::now() < deadline,
            "store health stayed {:?}",
            health.borrow()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_incident_opened_while_the_database_is_locked_is_written_once_it_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.db");
    let mut writer = StoreWriter::start(Some(Store::open(&path).unwrap()), &path);
    let health = writer.health();
    // Another program holds the write lock.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let mut book = IncidentBook::default();
    let opened = book
        .monitor_down(&mut writer, "API", at(0), &failed(4), at(5))
        .expect("the incident opens in memory at once");
    assert!(book.is_ringing());
    let acked = book.acknowledge(&mut writer, None, AckVia::Cli, at(9));
    assert_eq!(acked[0].state, IncidentState::Acknowledged);

    // Both changes wait: the second may reach the writer just after it reported the first.
    wait_for(&health, |h| h.problem.is_some() && h.waiting >= 2);
    let shown = health.borrow().summary().unwrap();
    assert!(
        shown.starts_with("history is not being saved: the database is locked by another program"),
        "{shown}"
    );
    assert!(shown.contains("2 changes kept in memory"), "{shown}");

    other.execute_batch("COMMIT").unwrap();
    wait_for(&health, |h| h.problem.is_none());
    writer.sync();
    let store = Store::open_read_only(&path).unwrap();
    let saved = store
        .incident(opened.id)
        .unwrap()
        .expect("written once free");
    assert_eq!(saved.state, IncidentState::Acknowledged);
    assert_eq!(saved.acknowledged_via, Some(AckVia::Cli));
    let kinds: Vec<String> = store
        .timeline(opened.id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind.as_str().to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "first_failure",
            "confirmed",
            "alarm_started",
            "acknowledged"
        ]
    );
}

#[test]
fn a_database_that_cannot_be_opened_is_written_once_it_can_be() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("not-yet");
    let path = missing.join("klaxon.db");
    let mut writer = StoreWriter::start(None, &path);
    let health = writer.health();
    let mut book = IncidentBook::without_history(at(0));
    let opened = book
        .monitor_down(&mut writer, "API", at(0), &failed(4), at(5))
        .unwrap();
    wait_for(&health, |h| h.problem.is_some());
    std::fs::create_dir(&missing).unwrap();
    wait_for(&health, |h| h.problem.is_none());
    writer.sync();
    let store = Store::open_read_only(&path).unwrap();
    assert_eq!(store.incident(opened.id).unwrap().unwrap().monitor, "API");
}

#[test]
fn check_results_waiting_past_the_bound_are_dropped_oldest_first_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("not-yet");
    let path = missing.join("klaxon.db");
    let writer = StoreWriter::start(None, &path);
    let health = writer.health();
    let batch = |first: i64| Write::Samples {
        samples: (0..10_000)
            .map(|i| ("API".to_string(), failed(first + i)))
            .collect(),
        states: vec![],
    };
    let batches = MAX_WAITING_SAMPLES as i64 / 10_000 + 3;
    for b in 0..batches {
        writer.send(batch(b * 10_000));
    }
    writer.sync();
    assert_eq!(health.borrow().dropped_samples, 30_000);
    assert!(
        health
            .borrow()
            .summary()
            .unwrap()
            .ends_with("; 30000 check results were dropped")
    );
    std::fs::create_dir(&missing).unwrap();
    wait_for(&health, |h| h.problem.is_none());
    writer.sync();
    let store = Store::open_read_only(&path).unwrap();
    let (raw, _) = store.sample_counts("API").unwrap();
    assert_eq!(raw, MAX_WAITING_SAMPLES as u64, "the newest ones were kept");
}
