//! The SQLite database in the data dir: samples, hourly roll-ups, unmonitored time, the last
//! state of each monitor, and incidents with their timelines.
//!
//! WAL mode lets the CLI read while the engine writes. Migrations are numbered SQL files run
//! each in its own transaction, with SQLite's `user_version` recording how far a database got.
//! Raw samples are kept for [`RAW_WINDOW`] and then summed per hour, so a year of history for
//! dozens of monitors stays in the tens of megabytes.

mod bar_queries;
mod deliveries;
mod incidents;
mod notes_and_drafts;
mod recovery;
mod rows;
mod uptime_queries;
mod words;
mod writer;

pub use crate::domain::delivery::Outcome;
pub use deliveries::Delivery;
pub use recovery::{Opened, open_for_engine};
pub use rows::MonitorRow;
pub use uptime_queries::LatencyBucket;
pub use writer::{MAX_WAITING_SAMPLES, StoreHealth, StoreWriter, Write, describe};

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags, params};

use crate::domain::monitor::Sample;
use crate::domain::states::UnwatchedCause;
use crate::error::{Error, Result};

/// How long raw samples are kept before being rolled up per hour.
pub const RAW_WINDOW: Duration = Duration::from_secs(48 * 3600);

const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_initial",
        include_str!("../../migrations/0001_initial.sql"),
    ),
    (
        "0002_notes_and_drafts",
        include_str!("../../migrations/0002_notes_and_drafts.sql"),
    ),
    (
        "0003_incident_origin",
        include_str!("../../migrations/0003_incident_origin.sql"),
    ),
    (
        "0004_deliveries",
        include_str!("../../migrations/0004_deliveries.sql"),
    ),
    (
        "0005_certificates",
        include_str!("../../migrations/0005_certificates.sql"),
    ),
    (
        "0006_monitor_unmonitored",
        include_str!("../../migrations/0006_monitor_unmonitored.sql"),
    ),
];

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) and migrates the database.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| db(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store
            .conn
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA busy_timeout = 5000;",
            )
            .map_err(|e| db(path, e))?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database for reading only (the CLI while an engine may be writing).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| db(path, e))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| db(path, e))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&mut self) -> Result<()> {
        let version: usize = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| db(&self.path, e))?;
        for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(version) {
            let migration = |source| Error::Migration {
                name: name.to_string(),
                source,
            };
            let tx = self.conn.transaction().map_err(migration)?;
            tx.execute_batch(sql).map_err(migration)?;
            tx.pragma_update(None, "user_version", i + 1)
                .map_err(migration)?;
            tx.commit().map_err(migration)?;
        }
        Ok(())
    }

    /// Writes a batch of samples in one transaction, with each monitor's latest state.
    pub fn record_samples(
        &mut self,
        samples: &[(String, Sample)],
        states: &[MonitorRow],
    ) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| db(&path, e))?;
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO samples (monitor, at, ok, latency_ms, reason) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(|e| db(&path, e))?;
            for (monitor, s) in samples {
                let reason = (!s.ok).then_some(s.reason.as_str());
                insert
                    .execute(params![monitor, ms(s.at), s.ok, millis(s.latency), reason])
                    .map_err(|e| db(&path, e))?;
            }
            uptime_queries::record_certificates(&tx, samples).map_err(|e| db(&path, e))?;
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO monitor_state (monitor, state, last_checked, latency_ms, reason, target)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (monitor) DO UPDATE SET state = ?2, last_checked = ?3,
                        latency_ms = ?4, reason = ?5, target = ?6",
                )
                .map_err(|e| db(&path, e))?;
            for s in states {
                upsert
                    .execute(params![
                        s.name,
                        s.state,
                        s.last_checked.map(ms),
                        s.latency_ms,
                        s.reason,
                        s.target
                    ])
                    .map_err(|e| db(&path, e))?;
            }
        }
        tx.commit().map_err(|e| db(&path, e))
    }

    /// Forgets monitors that are no longer in the config (their history stays).
    pub fn retain_monitor_states(&mut self, names: &[String]) -> Result<()> {
        let list = serde_json::to_string(names).unwrap_or_else(|_| "[]".into());
        self.conn
            .execute(
                "DELETE FROM monitor_state WHERE monitor NOT IN (SELECT value FROM json_each(?1))",
                [list],
            )
            .map_err(|e| db(&self.path, e))?;
        Ok(())
    }

    /// Each monitor's last known state, for `status` when no engine runs.
    pub fn monitor_states(&self) -> Result<Vec<MonitorRow>> {
        let mut stmt = self
            .conn
            .prepare("SELECT monitor, state, last_checked, latency_ms, reason, target FROM monitor_state ORDER BY rowid")
            .map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(MonitorRow {
                    name: r.get(0)?,
                    state: r.get(1)?,
                    last_checked: r.get::<_, Option<i64>>(2)?.map(from_ms),
                    latency_ms: r.get(3)?,
                    reason: r.get(4)?,
                    target: r.get(5)?,
                })
            })
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }

    /// Sums samples older than `before` into hourly rows and deletes them. Only whole hours are
    /// rolled up, so an hour is never split between the two tables.
    pub fn roll_up(&mut self, before: Timestamp) -> Result<usize> {
        let cutoff = ms(before) - ms(before).rem_euclid(3_600_000);
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| db(&path, e))?;
        tx.execute(
            "INSERT INTO hourly (monitor, hour, checks, failures, latency_sum_ms, latency_max_ms)
             SELECT monitor, at / 3600000 * 3600000, COUNT(*), SUM(ok = 0), SUM(latency_ms), MAX(latency_ms)
             FROM samples WHERE at < ?1 GROUP BY monitor, at / 3600000
             ON CONFLICT (monitor, hour) DO UPDATE SET
                checks = checks + excluded.checks,
                failures = failures + excluded.failures,
                latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms,
                latency_max_ms = MAX(latency_max_ms, excluded.latency_max_ms)",
            [cutoff],
        )
        .map_err(|e| db(&path, e))?;
        let deleted = tx
            .execute("DELETE FROM samples WHERE at < ?1", [cutoff])
            .map_err(|e| db(&path, e))?;
        tx.commit().map_err(|e| db(&path, e))?;
        Ok(deleted)
    }

    /// Records time nobody was watching (the machine slept, monitoring was paused).
    pub fn record_unmonitored(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        cause: UnwatchedCause,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO unmonitored (from_at, to_at, cause) VALUES (?1, ?2, ?3)",
                params![ms(from), ms(to), cause],
            )
            .map_err(|e| db(&self.path, e))?;
        Ok(())
    }

    /// Records time nobody watched the monitors named (a maintenance window over them).
    pub fn record_monitors_unmonitored(
        &mut self,
        monitors: &[String],
        from: Timestamp,
        to: Timestamp,
        cause: UnwatchedCause,
    ) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| db(&path, e))?;
        for monitor in monitors {
            tx.execute(
                "INSERT INTO monitor_unmonitored (monitor, from_at, to_at, cause) VALUES (?1, ?2, ?3, ?4)",
                params![monitor, ms(from), ms(to), cause],
            )
            .map_err(|e| db(&path, e))?;
        }
        tx.commit().map_err(|e| db(&path, e))
    }

    pub fn unmonitored(&self) -> Result<Vec<Unwatched>> {
        let mut stmt = self
            .conn
            .prepare("SELECT from_at, to_at, cause FROM unmonitored ORDER BY from_at")
            .map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([], unwatched_from_row)
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }

    /// (raw samples, hourly rows) for one monitor: what the history holds.
    pub fn sample_counts(&self, monitor: &str) -> Result<(u64, u64)> {
        let count = |sql: &str| -> Result<u64> {
            self.conn
                .query_row(sql, [monitor], |r| r.get(0))
                .map_err(|e| db(&self.path, e))
        };
        Ok((
            count("SELECT COUNT(*) FROM samples WHERE monitor = ?1")?,
            count("SELECT COALESCE(SUM(checks), 0) FROM hourly WHERE monitor = ?1")?,
        ))
    }

    /// Gives free pages back to the file system (after a large roll-up).
    pub fn vacuum(&mut self) -> Result<()> {
        self.conn
            .execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(|e| db(&self.path, e))
    }
}

fn db(path: &Path, source: rusqlite::Error) -> Error {
    Error::Database {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(crate) fn from_ms(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A stretch of time nobody was watching, as the `unmonitored` table holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unwatched {
    pub from: Timestamp,
    pub to: Timestamp,
    pub cause: UnwatchedCause,
}

fn unwatched_from_row(r: &rusqlite::Row) -> rusqlite::Result<Unwatched> {
    Ok(Unwatched {
        from: from_ms(r.get(0)?),
        to: from_ms(r.get(1)?),
        cause: r.get(2)?,
    })
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
