//! The queries behind the uptime figures, the response-time chart and the certificate's expiry:
//! which hours each monitor was checked in, how long its checks took, and the certificate its
//! newest HTTPS or TLS check saw. Raw samples and hourly roll-ups are read together, so a
//! period reaching past [`super::RAW_WINDOW`] is read whole. The arithmetic lives in
//! `crate::aftermath::uptime`.

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, params};

use super::{Store, db, from_ms, ms};
use crate::domain::monitor::Sample;
use crate::error::Result;

const HOUR_MS: i64 = 3_600_000;

/// One bucket of a monitor's response times: every check in it, passed or failed (a rolled-up
/// hour no longer tells them apart, so neither does a raw one: a timeout shows as a peak).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencyBucket {
    /// Counted from the start of the query, in buckets.
    pub index: usize,
    pub checks: u64,
    pub sum_ms: u64,
    pub max_ms: u64,
}

/// Keeps the certificate each sample saw, newest first wins (one row per monitor). Called in
/// the samples' own transaction: the probe already reads the leaf's not-after on every HTTPS
/// and TLS check, so nothing in the engine changes for it.
pub(super) fn record_certificates(
    conn: &Connection,
    samples: &[(String, Sample)],
) -> rusqlite::Result<()> {
    let mut upsert = conn.prepare_cached(
        "INSERT INTO certificates (monitor, not_after, seen_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (monitor) DO UPDATE SET not_after = ?2, seen_at = ?3 WHERE seen_at <= ?3",
    )?;
    for (monitor, s) in samples {
        if let Some(not_after) = s.evidence.cert_expires {
            upsert.execute(params![monitor, ms(not_after), ms(s.at)])?;
        }
    }
    Ok(())
}

impl Store {
    /// Each monitor's certificate: `(monitor, not after, when a check last saw it)`.
    /// A database an older Klaxon wrote, read before an engine migrated it, has none.
    pub fn certificates(&self) -> Result<Vec<(String, Timestamp, Timestamp)>> {
        let kept: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'certificates')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| db(&self.path, e))?;
        if !kept {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT monitor, not_after, seen_at FROM certificates")
            .map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, from_ms(r.get(1)?), from_ms(r.get(2)?)))
            })
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }

    /// A monitor's first check ever (a rolled-up one counts from the start of its hour):
    /// before it, the monitor was not watched at all. Two index seeks.
    pub fn first_check(&self, monitor: &str) -> Result<Option<Timestamp>> {
        self.conn
            .prepare_cached(
                "SELECT MIN(t) FROM (SELECT MIN(at) AS t FROM samples WHERE monitor = ?1
                 UNION ALL SELECT MIN(hour) FROM hourly WHERE monitor = ?1)",
            )
            .and_then(|mut stmt| stmt.query_row([monitor], |r| r.get::<_, Option<i64>>(0)))
            .map(|first| first.map(from_ms))
            .map_err(|e| db(&self.path, e))
    }

    /// `(hour, checks)` for every clock hour in `[from, to)` the monitor was checked in. Raw
    /// hours are found by stepping through the index (two seeks an hour, not a scan of every
    /// sample: 100 monitors checked every 10 s are 1.7 million raw rows) and count at most 2:
    /// enough to tell a monitor checked several times an hour from one checked hourly.
    pub fn hours_checked(
        &self,
        monitor: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(Timestamp, u64)>> {
        let err = |e| db(&self.path, e);
        let mut hours = Vec::new();
        let mut rolled = self
            .conn
            .prepare_cached(
                "SELECT hour, checks FROM hourly WHERE monitor = ?1 AND hour > ?2 - ?4 AND hour < ?3",
            )
            .map_err(err)?;
        let rows = rolled
            .query_map(params![monitor, ms(from), ms(to), HOUR_MS], |r| {
                Ok((
                    from_ms(r.get(0)?),
                    u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                ))
            })
            .map_err(err)?;
        for row in rows {
            hours.push(row.map_err(err)?);
        }
        let mut next = self
            .conn
            .prepare_cached(
                "SELECT MIN(at) FROM samples WHERE monitor = ?1 AND at >= ?2 AND at < ?3",
            )
            .map_err(err)?;
        let mut at = ms(from);
        while let Some(first) = next
            .query_row(params![monitor, at, ms(to)], |r| r.get::<_, Option<i64>>(0))
            .map_err(err)?
        {
            let hour = first.div_euclid(HOUR_MS) * HOUR_MS;
            let end = (hour + HOUR_MS).min(ms(to));
            let second = next
                .query_row(params![monitor, first + 1, end], |r| {
                    r.get::<_, Option<i64>>(0)
                })
                .map_err(err)?;
            hours.push((from_ms(hour), if second.is_some() { 2 } else { 1 }));
            at = hour + HOUR_MS;
        }
        hours.sort_by_key(|(h, _)| *h);
        Ok(hours)
    }

    /// One monitor's response times in `[from, to)`, summed per `bucket` counted from `from`
    /// (buckets of an hour or more line up with the rolled-up hours when `from` is on an hour).
    pub fn latency_buckets(
        &self,
        monitor: &str,
        from: Timestamp,
        to: Timestamp,
        bucket: SignedDuration,
    ) -> Result<Vec<LatencyBucket>> {
        let bucket_ms = i64::try_from(bucket.as_millis()).unwrap_or(i64::MAX).max(1);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT (t - ?2) / ?4 AS b, SUM(n), SUM(s), MAX(m) FROM (
                    SELECT at AS t, 1 AS n, latency_ms AS s, latency_ms AS m FROM samples
                    WHERE monitor = ?1 AND at >= ?2 AND at < ?3
                    UNION ALL SELECT hour, checks, latency_sum_ms, latency_max_ms FROM hourly
                    WHERE monitor = ?1 AND hour >= ?2 AND hour < ?3
                 ) GROUP BY b ORDER BY b",
            )
            .map_err(|e| db(&self.path, e))?;
        let count = |v: i64| u64::try_from(v).unwrap_or(0);
        let rows = stmt
            .query_map(params![monitor, ms(from), ms(to), bucket_ms], |r| {
                Ok(LatencyBucket {
                    index: usize::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    checks: count(r.get(1)?),
                    sum_ms: count(r.get(2)?),
                    max_ms: count(r.get(3)?),
                })
            })
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }
}
