use super::*;
use crate::domain::incident::{Incident, IncidentState, Origin, TimelineEvent, TimelineKind};
use crate::domain::monitor::Evidence;
use crate::domain::states::MonitorState;
use crate::domain::status::IncidentView;

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
    let state = MonitorRow {
        name: "API".into(),
        state: MonitorState::Down,
        last_checked: Some(from_ms(5_000)),
        latency_ms: Some(3),
        reason: Some("connection refused".into()),
        target: "http://127.0.0.1:1/".into(),
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

/// A database exactly as the Klaxon before origins left it: the first two migrations, and an
/// incident with its timeline and notes written by that version's SQL.
fn database_of_the_previous_schema(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(include_str!("../../migrations/0001_initial.sql"))
        .unwrap();
    conn.execute_batch(include_str!("../../migrations/0002_notes_and_drafts.sql"))
        .unwrap();
    conn.pragma_update(None, "user_version", 2).unwrap();
    conn.execute_batch(
        "INSERT INTO incidents (id, monitor, state, first_failure_at, opened_at, alarm_started_at,
            acknowledged_at, acknowledged_via, snoozed_until, recovered_at, resolved_at, reason, evidence)
         VALUES (1, 'API', 'resolved', 1000, 3000, 3000, 60000, 'window', NULL, 90000, 90000,
            'HTTP 502 Bad Gateway', '{}'),
                (2, 'Web', 'ringing', 100000, 102000, 102000, NULL, NULL, NULL, NULL, NULL,
            'connection refused', '{}');
         INSERT INTO incident_events (incident_id, at, kind, detail)
         VALUES (1, 1000, 'first_failure', 'HTTP 502 Bad Gateway'), (1, 60000, 'acknowledged', 'via window');
         INSERT INTO incident_notes (incident_id, cause, fix, prevention, impact, data_loss, offer, updated_at)
         VALUES (1, 'a full disk', 'cleared it', '[]', '', '', '', 95000);",
    )
    .unwrap();
}

#[test]
fn a_database_of_the_previous_schema_opens_and_keeps_its_incidents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.db");
    database_of_the_previous_schema(&path);

    let store = Store::open(&path).unwrap();
    let all = store.incidents().unwrap();
    assert_eq!(all.len(), 2);
    let api = all.iter().find(|i| i.id == 1).unwrap();
    assert_eq!(api.origin, Origin::Monitor);
    assert_eq!(api.monitor, "API");
    assert_eq!(api.state, IncidentState::Resolved);
    assert_eq!(api.reason, "HTTP 502 Bad Gateway");
    let kinds: Vec<TimelineKind> = store.timeline(1).unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [TimelineKind::FirstFailure, TimelineKind::Acknowledged]
    );
    assert_eq!(store.notes(1).unwrap().cause, "a full disk");
    let open = store.open_incidents().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].monitor, "Web");
    assert_eq!(IncidentView::from(&open[0]).source, None);
    // The next incident goes on from the old ones.
    assert_eq!(store.next_incident_id().unwrap(), 3);
    drop(store);
    // Reopening does not migrate twice.
    assert_eq!(Store::open(&path).unwrap().incidents().unwrap().len(), 2);
}

#[test]
fn an_incident_from_an_outside_alert_keeps_its_source_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("klaxon.db")).unwrap();
    let at = from_ms(5_000);
    let alert = Incident {
        id: 7,
        origin: Origin::Alert {
            source: "prod-alertmanager".into(),
            key: "fingerprint-3f2a".into(),
        },
        monitor: "HighErrorRate on api-1".into(),
        state: IncidentState::Ringing,
        first_failure_at: at,
        opened_at: at,
        alarm_started_at: Some(at),
        acknowledged_at: None,
        acknowledged_via: None,
        snoozed_until: None,
        recovered_at: None,
        resolved_at: None,
        reason: "error rate above 5% for 5 minutes".into(),
        evidence: Evidence::default(),
    };
    let opened = TimelineEvent {
        at,
        kind: TimelineKind::AlarmStarted,
        detail: String::new(),
    };
    store.save_incident(&alert, &[opened]).unwrap();
    let read = store.incident(7).unwrap().unwrap();
    assert_eq!(read, alert);
    let view = IncidentView::from(&read);
    assert_eq!(view.source.as_deref(), Some("prod-alertmanager"));
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["source"], "prod-alertmanager");
    assert_eq!(json["monitor"], "HighErrorRate on api-1");
}
