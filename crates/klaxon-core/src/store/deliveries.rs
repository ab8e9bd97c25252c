//! The outbox: each message to a channel is a row written before the first attempt, keyed by
//! incident, channel and step, so that whatever happens (a retry, a restart after `kill -9`) a
//! step is sent at most once after it was delivered. Also where each listener has read to.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Row, params};

use super::{Store, db, from_ms, ms};
use crate::domain::delivery::Outcome;
use crate::domain::states::{DeliveryEvent, DeliveryState};
use crate::error::Result;

/// One message to one channel about one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub incident_id: i64,
    pub channel: String,
    /// Which rung of the ladder, or which announcement ("step 2", "acknowledged").
    pub step: String,
    pub event: DeliveryEvent,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub delivered_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// An attempt started and its outcome was never written (Klaxon was killed meanwhile).
    pub in_flight: bool,
}

const COLUMNS: &str = "id, incident_id, channel, step, event, state, attempts, next_attempt_at, \
                       last_error, delivered_at, created_at, in_flight";

impl Store {
    /// Writes the delivery down unless this incident, channel and step already have one, and
    /// returns the row as it now stands (a delivered one is not to be sent again).
    pub fn enqueue_delivery(
        &mut self,
        incident_id: i64,
        channel: &str,
        step: &str,
        event: DeliveryEvent,
        now: Timestamp,
    ) -> Result<Delivery> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO deliveries
                    (incident_id, channel, step, event, state, next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
                params![incident_id, channel, step, event, ms(now)],
            )
            .map_err(|e| db(&self.path, e))?;
        self.conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM deliveries
                     WHERE incident_id = ?1 AND channel = ?2 AND step = ?3"
                ),
                params![incident_id, channel, step],
                delivery_from_row,
            )
            .map_err(|e| db(&self.path, e))
    }

    /// Marks an attempt as started, before anything is sent: if Klaxon dies before its outcome
    /// is written, the next start knows to check rather than send blindly again.
    pub fn begin_attempt(&mut self, id: i64) -> Result<()> {
        self.conn
            .execute("UPDATE deliveries SET in_flight = 1 WHERE id = ?1", [id])
            .map_err(|e| db(&self.path, e))?;
        Ok(())
    }

    /// Records an attempt's outcome.
    pub fn record_attempt(&mut self, id: i64, outcome: &Outcome, now: Timestamp) -> Result<()> {
        let (state, error, next, delivered) = match outcome {
            Outcome::Delivered => (DeliveryState::Delivered, None, now, Some(ms(now))),
            Outcome::Failed {
                error,
                retry_at: Some(at),
            } => (DeliveryState::Pending, Some(error), *at, None),
            Outcome::Failed {
                error,
                retry_at: None,
            } => (DeliveryState::Failed, Some(error), now, None),
        };
        self.conn
            .execute(
                "UPDATE deliveries SET state = ?2, attempts = attempts + 1, last_error = ?3,
                    next_attempt_at = ?4, delivered_at = ?5, in_flight = 0 WHERE id = ?1",
                params![id, state, error, ms(next), delivered],
            )
            .map_err(|e| db(&self.path, e))?;
        Ok(())
    }

    /// Keeps a delivered emergency's receipt, to be watched again after a restart.
    pub fn set_receipt(&mut self, id: i64, receipt: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE deliveries SET receipt = ?2 WHERE id = ?1",
                params![id, receipt],
            )
            .map_err(|e| db(&self.path, e))?;
        Ok(())
    }

    /// Receipts of deliveries made since `since`, with their deliveries, oldest first.
    pub fn receipts_since(&self, since: Timestamp) -> Result<Vec<(Delivery, String)>> {
        let sql = format!(
            "SELECT {COLUMNS}, receipt FROM deliveries
             WHERE receipt IS NOT NULL AND delivered_at >= ?1 ORDER BY id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([ms(since)], |r| Ok((delivery_from_row(r)?, r.get(12)?)))
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }

    /// Deliveries still to be attempted, soonest first.
    pub fn pending_deliveries(&self) -> Result<Vec<Delivery>> {
        self.deliveries_where("state = 'pending' ORDER BY next_attempt_at, id", params![])
    }

    /// Every delivery about one incident, oldest first.
    pub fn deliveries_for(&self, incident_id: i64) -> Result<Vec<Delivery>> {
        self.deliveries_where("incident_id = ?1 ORDER BY id", params![incident_id])
    }

    /// Each channel's newest delivery, for `klaxon channel list`.
    pub fn last_delivery_per_channel(&self) -> Result<Vec<Delivery>> {
        self.deliveries_where(
            "id IN (SELECT MAX(id) FROM deliveries GROUP BY channel) ORDER BY channel",
            params![],
        )
    }

    pub fn channel_cursor(&self, channel: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT since FROM channel_cursors WHERE channel = ?1",
                [channel],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| db(&self.path, e))
    }

    pub fn set_channel_cursor(&mut self, channel: &str, since: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO channel_cursors (channel, since) VALUES (?1, ?2)
                 ON CONFLICT (channel) DO UPDATE SET since = ?2",
                [channel, since],
            )
            .map_err(|e| db(&self.path, e))?;
        Ok(())
    }

    fn deliveries_where(
        &self,
        condition: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<Delivery>> {
        let sql = format!("SELECT {COLUMNS} FROM deliveries WHERE {condition}");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map(args, delivery_from_row)
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }
}

fn delivery_from_row(r: &Row) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        incident_id: r.get(1)?,
        channel: r.get(2)?,
        step: r.get(3)?,
        event: r.get(4)?,
        state: r.get(5)?,
        attempts: r.get(6)?,
        next_attempt_at: from_ms(r.get(7)?),
        last_error: r.get(8)?,
        delivered_at: r.get::<_, Option<i64>>(9)?.map(from_ms),
        created_at: from_ms(r.get(10)?),
        in_flight: r.get(11)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_790_000_000 + s).unwrap()
    }

    #[test]
    fn a_step_is_written_once_and_a_delivered_one_stays_delivered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("klaxon.db");
        let mut store = Store::open(&path).unwrap();
        let first = store
            .enqueue_delivery(7, "phone", "step 2", DeliveryEvent::Opened, at(0))
            .unwrap();
        assert_eq!(first.state, DeliveryState::Pending);
        assert!(!first.in_flight);
        store.begin_attempt(first.id).unwrap();
        assert!(store.pending_deliveries().unwrap()[0].in_flight);
        let failed = Outcome::Failed {
            error: "HTTP 500".into(),
            retry_at: Some(at(2)),
        };
        store.record_attempt(first.id, &failed, at(1)).unwrap();
        store
            .record_attempt(first.id, &Outcome::Delivered, at(2))
            .unwrap();
        drop(store);
        // As after a restart: the same step handed over again is found delivered.
        let mut store = Store::open(&path).unwrap();
        let again = store
            .enqueue_delivery(7, "phone", "step 2", DeliveryEvent::Opened, at(9))
            .unwrap();
        assert_eq!(again.id, first.id);
        assert_eq!(again.state, DeliveryState::Delivered);
        assert_eq!(again.attempts, 2);
        assert_eq!(again.last_error, None);
        assert_eq!(again.delivered_at, Some(at(2)));
        assert!(!again.in_flight);
        assert!(store.pending_deliveries().unwrap().is_empty());
        assert_eq!(store.deliveries_for(7).unwrap().len(), 1);
    }

    #[test]
    fn a_failure_with_no_retry_is_given_up_and_kept_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("klaxon.db")).unwrap();
        let d = store
            .enqueue_delivery(1, "hook", "step 1", DeliveryEvent::Opened, at(0))
            .unwrap();
        let gave_up = Outcome::Failed {
            error: "HTTP 404".into(),
            retry_at: None,
        };
        store.record_attempt(d.id, &gave_up, at(1)).unwrap();
        let last = store.last_delivery_per_channel().unwrap();
        assert_eq!(last[0].state, DeliveryState::Failed);
        assert_eq!(last[0].last_error.as_deref(), Some("HTTP 404"));
        assert_eq!(store.channel_cursor("phone").unwrap(), None);
        let d = store
            .enqueue_delivery(2, "pager", "step 1", DeliveryEvent::Opened, at(0))
            .unwrap();
        store
            .record_attempt(d.id, &Outcome::Delivered, at(1))
            .unwrap();
        store.set_receipt(d.id, "r123").unwrap();
        let watched = store.receipts_since(at(0)).unwrap();
        assert_eq!(watched.len(), 1);
        assert_eq!(
            (watched[0].0.incident_id, watched[0].1.as_str()),
            (2, "r123")
        );
        assert!(store.receipts_since(at(5)).unwrap().is_empty());
        store.set_channel_cursor("phone", "abc123").unwrap();
        store.set_channel_cursor("phone", "def456").unwrap();
        assert_eq!(
            store.channel_cursor("phone").unwrap().as_deref(),
            Some("def456")
        );
    }
}
