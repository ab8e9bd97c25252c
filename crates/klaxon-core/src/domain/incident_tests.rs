use super::*;
use crate::domain::monitor::{Evidence, Sample};
use crate::store::{Store, Write};
use tokio::time::Instant;

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

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("klaxon.db")).unwrap();
    (dir, store)
}

fn kinds(store: &Store, id: i64) -> Vec<String> {
    store
        .timeline(id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind.as_str().to_string())
        .collect()
}

#[test]
fn a_confirmed_outage_opens_one_ringing_incident_with_its_timeline() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    let opened = book
        .monitor_down(&mut store, "API", at(0), &failed(4), at(5))
        .unwrap();
    assert_eq!(opened.state, IncidentState::Ringing);
    assert!(book.is_ringing());
    // Still down: no second incident.
    assert_eq!(
        book.monitor_down(&mut store, "API", at(0), &failed(35), at(35)),
        None
    );
    assert_eq!(store.incidents().unwrap().len(), 1);
    assert_eq!(
        kinds(&store, opened.id),
        ["first_failure", "confirmed", "alarm_started"]
    );
}

#[test]
fn recovery_does_not_silence_an_unacknowledged_alarm() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    let id = book
        .monitor_down(&mut store, "API", at(0), &failed(4), at(5))
        .unwrap()
        .id;
    let recovered = book.monitor_up(&mut store, "API", at(65)).unwrap();
    assert_eq!(recovered.state, IncidentState::Ringing);
    assert_eq!(recovered.recovered_at, Some(at(65)));
    let acked = book.acknowledge(&mut store, None, AckVia::Cli, at(125));
    assert_eq!(acked[0].state, IncidentState::Resolved);
    assert!(!book.is_ringing());
    let saved = store.incident(id).unwrap().unwrap();
    assert_eq!(saved.time_to_acknowledge(), Some(Duration::from_secs(120)));
    assert_eq!(saved.time_to_recover(), Some(Duration::from_secs(65)));
    assert_eq!(saved.acknowledged_via, Some(AckVia::Cli));
}

#[test]
fn an_acknowledged_incident_resolves_when_the_service_returns() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    book.monitor_down(&mut store, "API", at(0), &failed(4), at(5));
    book.acknowledge(&mut store, None, AckVia::Cli, at(10));
    let resolved = book.monitor_up(&mut store, "API", at(200)).unwrap();
    assert_eq!(resolved.state, IncidentState::Resolved);
    assert_eq!(resolved.resolved_at, Some(at(200)));
    assert!(book.for_monitor("API").is_none());
    assert_eq!(kinds(&store, resolved.id).last().unwrap(), "resolved");
}

#[test]
fn a_snooze_rings_again_when_it_ends_and_the_service_is_still_down() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    let t0 = Instant::now();
    book.monitor_down(&mut store, "API", at(0), &failed(4), at(5));
    let snoozed = book.snooze(&mut store, Duration::from_secs(600), at(10), t0);
    assert_eq!(snoozed[0].state, IncidentState::Snoozed);
    assert_eq!(snoozed[0].snoozed_until, Some(at(610)));
    assert!(!book.is_ringing());
    assert!(book.tick(&mut store, at(609), t0 + secs(599)).is_empty());
    let again = book.tick(&mut store, at(610), t0 + secs(600));
    assert_eq!(again[0].state, IncidentState::Ringing);
    assert!(book.is_ringing());
}

#[test]
fn a_clock_set_back_an_hour_does_not_stretch_a_snooze() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    let t0 = Instant::now();
    book.monitor_down(&mut store, "API", at(0), &failed(4), at(5));
    book.snooze(&mut store, Duration::from_secs(600), at(10), t0);
    // Ten minutes later by the monotonic clock, but the wall clock now reads 50 min earlier.
    let again = book.tick(&mut store, at(610 - 3600), t0 + secs(600));
    assert_eq!(again.len(), 1, "the snooze ends after 10 minutes, not 70");
    assert!(book.is_ringing());
}

#[test]
fn a_clock_set_forward_does_not_cut_a_snooze_short() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    let t0 = Instant::now();
    book.monitor_down(&mut store, "API", at(0), &failed(4), at(5));
    book.snooze(&mut store, Duration::from_secs(600), at(10), t0);
    assert!(
        book.tick(&mut store, at(10 + 7200), t0 + secs(60))
            .is_empty()
    );
    assert!(!book.is_ringing());
}

#[test]
fn a_snooze_counts_the_time_the_machine_slept() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    let t0 = Instant::now();
    book.monitor_down(&mut store, "API", at(0), &failed(4), at(5));
    book.snooze(&mut store, Duration::from_secs(600), at(10), t0);
    // Asleep for two hours: the monotonic clock moved 5 s, the wall clock two hours.
    book.slept(Duration::from_secs(7200), t0 + secs(5));
    assert_eq!(book.tick(&mut store, at(7215), t0 + secs(5)).len(), 1);
    assert!(book.is_ringing());
}

#[test]
fn after_a_restart_a_snooze_ends_by_its_recorded_wall_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.db");
    {
        let mut store = Store::open(&path).unwrap();
        let mut book = IncidentBook::default();
        book.monitor_down(&mut store, "API", at(0), &failed(4), at(5));
        book.snooze(&mut store, Duration::from_secs(600), at(10), Instant::now());
    }
    let store = Store::open(&path).unwrap();
    let mut journal = Vec::new();
    let mut book = store.incident_book(&mut journal, at(300)).unwrap();
    assert!(!book.is_ringing(), "still snoozed");
    let mut store = store;
    assert!(book.tick(&mut store, at(609), Instant::now()).is_empty());
    assert_eq!(book.tick(&mut store, at(610), Instant::now()).len(), 1);
}

#[test]
fn a_snoozed_incident_whose_service_returned_is_resolved_when_the_snooze_ends() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    book.monitor_down(&mut store, "API", at(0), &failed(4), at(5));
    book.snooze(&mut store, Duration::from_secs(600), at(10), Instant::now());
    let recovered = book.monitor_up(&mut store, "API", at(100)).unwrap();
    assert_eq!(recovered.state, IncidentState::Resolved);
}

#[test]
fn an_unacknowledged_incident_rings_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.db");
    let id = {
        let mut store = Store::open(&path).unwrap();
        let mut book = IncidentBook::default();
        book.monitor_down(&mut store, "API", at(0), &failed(4), at(5))
            .unwrap()
            .id
        // dropped without any shutdown, as after kill -9
    };
    let mut store = Store::open(&path).unwrap();
    let mut journal: Vec<Write> = Vec::new();
    let book = store.incident_book(&mut journal, at(300)).unwrap();
    assert!(book.is_ringing());
    assert_eq!(book.for_monitor("API").unwrap().id, id);
    for write in journal {
        if let Write::Incident { incident, events } = write {
            store.save_incident(&incident, &events).unwrap();
        }
    }
    assert_eq!(kinds(&store, id).last().unwrap(), "alarm_restarted");
}

#[test]
fn acknowledging_one_incident_by_id_leaves_the_others_ringing() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    let api = book
        .monitor_down(&mut store, "API", at(0), &failed(4), at(5))
        .unwrap();
    book.monitor_down(&mut store, "DB", at(0), &failed(4), at(5));
    let acked = book.acknowledge(&mut store, Some(api.id), AckVia::Window, at(9));
    assert_eq!(acked.len(), 1);
    assert_eq!(acked[0].monitor, "API");
    assert!(book.is_ringing());
    assert_eq!(
        book.for_monitor("DB").unwrap().state,
        IncidentState::Ringing
    );
}

#[test]
fn a_flap_before_acknowledgement_keeps_the_same_incident() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    let first = book
        .monitor_down(&mut store, "API", at(0), &failed(4), at(5))
        .unwrap();
    book.monitor_up(&mut store, "API", at(60));
    let again = book
        .monitor_down(&mut store, "API", at(90), &failed(90), at(95))
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.recovered_at, None);
    assert!(kinds(&store, first.id).contains(&"down_again".to_string()));
}

#[test]
fn with_stop_on_recovery_a_returning_service_resolves_and_silences_the_alarm() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    book.set_stop_on_recovery(true);
    book.monitor_down(&mut store, "API", at(0), &failed(4), at(5));
    let resolved = book.monitor_up(&mut store, "API", at(65)).unwrap();
    assert_eq!(resolved.state, IncidentState::Resolved);
    assert_eq!(resolved.acknowledged_at, None, "nobody acknowledged it");
    assert!(!book.is_ringing());
}

#[test]
fn an_acknowledged_incident_still_down_past_the_ack_timeout_rings_again() {
    let (_dir, mut store) = store();
    let mut book = IncidentBook::default();
    book.monitor_down(&mut store, "API", at(0), &failed(4), at(5));
    book.monitor_down(&mut store, "DB", at(0), &failed(4), at(5));
    book.acknowledge(&mut store, None, AckVia::Cli, at(10));
    // DB came back (recovered, acknowledged incidents resolve): nothing to ring for.
    book.monitor_up(&mut store, "DB", at(30));
    let timeout = secs(60);
    assert!(book.ack_expired(&mut store, timeout, at(69)).is_empty());
    let again = book.ack_expired(&mut store, timeout, at(70));
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].monitor, "API");
    assert_eq!(again[0].state, IncidentState::Ringing);
    assert_eq!(again[0].alarm_started_at, Some(at(70)));
    assert!(book.is_ringing());
    assert_eq!(kinds(&store, again[0].id).last().unwrap(), "ack_expired");
    // Once ringing again it is not "expired" again until someone acknowledges anew.
    assert!(book.ack_expired(&mut store, timeout, at(500)).is_empty());
}
