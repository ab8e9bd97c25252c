//! Incidents and their timelines in the database. Each change to an incident and the timeline
//! line that explains it are one transaction: the row and its history never disagree.

use jiff::Timestamp;
use rusqlite::{Row, Transaction, params};

use super::{Store, db, from_ms, ms};
use crate::domain::incident::{
    Incident, IncidentBook, IncidentState, Journal, Origin, TimelineEvent,
};
use crate::error::Result;

const COLUMNS: &str =
    "id, monitor, state, first_failure_at, opened_at, alarm_started_at, acknowledged_at,
    acknowledged_via, snoozed_until, recovered_at, resolved_at, reason, evidence, source, alert_key";

impl Store {
    /// Saves an incident (new or changed; its id is chosen by the engine, which is the only
    /// writer) and the timeline lines that explain the change, in one transaction.
    pub fn save_incident(&mut self, incident: &Incident, events: &[TimelineEvent]) -> Result<()> {
        let (source, alert_key) = match &incident.origin {
            Origin::Monitor => (None, None),
            Origin::Alert { source, key } => (Some(source), Some(key)),
        };
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| db(&path, e))?;
        tx.execute(
            "INSERT INTO incidents (id, monitor, state, first_failure_at, opened_at, alarm_started_at,
                acknowledged_at, acknowledged_via, snoozed_until, recovered_at, resolved_at, reason, evidence,
                source, alert_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (id) DO UPDATE SET state = ?3, alarm_started_at = ?6,
                acknowledged_at = ?7, acknowledged_via = ?8, snoozed_until = ?9,
                recovered_at = ?10, resolved_at = ?11",
            params![
                incident.id,
                incident.monitor,
                incident.state,
                ms(incident.first_failure_at),
                ms(incident.opened_at),
                incident.alarm_started_at.map(ms),
                incident.acknowledged_at.map(ms),
                incident.acknowledged_via,
                incident.snoozed_until.map(ms),
                incident.recovered_at.map(ms),
                incident.resolved_at.map(ms),
                incident.reason,
                serde_json::to_string(&incident.evidence).unwrap_or_else(|_| "{}".into()),
                source,
                alert_key,
            ],
        )
        .map_err(|e| db(&path, e))?;
        for event in events {
            add_event(&tx, incident.id, event).map_err(|e| db(&path, e))?;
        }
        tx.commit().map_err(|e| db(&path, e))
    }

    /// Adds a line to an incident's timeline.
    pub fn add_timeline(&mut self, incident_id: i64, event: &TimelineEvent) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| db(&path, e))?;
        add_event(&tx, incident_id, event).map_err(|e| db(&path, e))?;
        tx.commit().map_err(|e| db(&path, e))
    }

    /// The id the next incident gets: one past the highest ever recorded.
    pub fn next_incident_id(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM incidents", [], |r| {
                r.get(0)
            })
            .map_err(|e| db(&self.path, e))
    }

    /// Incidents not yet resolved, oldest first.
    pub fn open_incidents(&self) -> Result<Vec<Incident>> {
        self.query_incidents(&format!(
            "SELECT {COLUMNS} FROM incidents WHERE state <> 'resolved' ORDER BY id"
        ))
    }

    /// Every incident, newest first.
    pub fn incidents(&self) -> Result<Vec<Incident>> {
        self.query_incidents(&format!(
            "SELECT {COLUMNS} FROM incidents ORDER BY opened_at DESC, id DESC"
        ))
    }

    /// Incidents whose outage overlaps `[from, to)` (one not over yet lasts until `to`), in the
    /// order they began: the month's numbers.
    pub fn incidents_overlapping(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Incident>> {
        let (from, to) = (ms(from), ms(to));
        self.query_incidents(&format!(
            "SELECT {COLUMNS} FROM incidents WHERE first_failure_at < {to}
             AND COALESCE(recovered_at, resolved_at, {to}) > {from} ORDER BY first_failure_at, id"
        ))
    }

    pub fn incident(&self, id: i64) -> Result<Option<Incident>> {
        let sql = format!("SELECT {COLUMNS} FROM incidents WHERE id = {id}");
        Ok(self.query_incidents(&sql)?.into_iter().next())
    }

    pub fn timeline(&self, incident: i64) -> Result<Vec<TimelineEvent>> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, kind, detail FROM incident_events WHERE incident_id = ?1 ORDER BY at, id")
            .map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([incident], |r| {
                Ok(TimelineEvent {
                    at: from_ms(r.get(0)?),
                    kind: r.get(1)?,
                    detail: r.get(2)?,
                })
            })
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }

    fn query_incidents(&self, sql: &str) -> Result<Vec<Incident>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([], incident_from_row)
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }
}

fn add_event(tx: &Transaction, incident: i64, event: &TimelineEvent) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO incident_events (incident_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)",
        params![incident, ms(event.at), event.kind, event.detail],
    )
}

fn incident_from_row(r: &Row) -> rusqlite::Result<Incident> {
    let state: Option<String> = r.get(2)?;
    let evidence: String = r.get(12)?;
    let opt = |i: usize| -> rusqlite::Result<_> { Ok(r.get::<_, Option<i64>>(i)?.map(from_ms)) };
    let origin = match (
        r.get::<_, Option<String>>(13)?,
        r.get::<_, Option<String>>(14)?,
    ) {
        (Some(source), Some(key)) => Origin::Alert { source, key },
        _ => Origin::Monitor,
    };
    Ok(Incident {
        id: r.get(0)?,
        origin,
        monitor: r.get(1)?,
        // An unreadable state can only come from a newer Klaxon; ringing is the safe reading.
        state: state
            .and_then(|s| s.parse().ok())
            .unwrap_or(IncidentState::Ringing),
        first_failure_at: from_ms(r.get(3)?),
        opened_at: from_ms(r.get(4)?),
        alarm_started_at: opt(5)?,
        acknowledged_at: opt(6)?,
        acknowledged_via: r.get(7)?,
        snoozed_until: opt(8)?,
        recovered_at: opt(9)?,
        resolved_at: opt(10)?,
        reason: r.get(11)?,
        evidence: serde_json::from_str(&evidence).unwrap_or_default(),
    })
}

/// Straight to the database, for tools and tests that have no engine.
impl Journal for Store {
    fn record(&mut self, incident: &Incident, events: Vec<TimelineEvent>) {
        if let Err(e) = self.save_incident(incident, &events) {
            tracing::error!("saving incident {} failed: {e}", incident.id);
        }
    }
}

impl Store {
    /// The incident book as the last run left it: its open incidents, and ids that go on
    /// from the highest one recorded.
    pub fn incident_book(
        &self,
        journal: &mut impl Journal,
        now: Timestamp,
    ) -> Result<IncidentBook> {
        Ok(IncidentBook::resume(
            self.open_incidents()?,
            self.next_incident_id()?,
            journal,
            now,
        ))
    }
}
