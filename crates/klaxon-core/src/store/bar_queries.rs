//! The queries behind the window's look back: which samples, outages and unwatched stretches
//! fall inside a window of time. The shaping into a bar lives in `crate::aftermath::look_back`.

use jiff::Timestamp;

use super::Unwatched;
use super::{Store, db, from_ms, ms};
use crate::error::Result;

impl Store {
    /// For each monitor, the slots (of `slot` length, counted from `from`) in which a check
    /// passed before `to`. Bucketed in SQL: a day of 10-second checks for 100 monitors is
    /// 864,000 rows, the answer at most 96 per monitor.
    pub fn passing_slots(
        &self,
        from: Timestamp,
        to: Timestamp,
        slot: jiff::SignedDuration,
    ) -> Result<Vec<(String, usize)>> {
        let slot_ms = i64::try_from(slot.as_millis()).unwrap_or(i64::MAX).max(1);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT monitor, (at - ?1) / ?3 AS slot FROM samples
                 WHERE ok = 1 AND at >= ?1 AND at < ?2 GROUP BY monitor, slot",
            )
            .map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([ms(from), ms(to), slot_ms], |r| {
                Ok((r.get(0)?, usize::try_from(r.get::<_, i64>(1)?).unwrap_or(0)))
            })
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }

    /// Unwatched stretches (`suspend`, `paused`, `offline`) that overlap `[from, to)`.
    pub fn unmonitored_between(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Unwatched>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT from_at, to_at, cause FROM unmonitored WHERE to_at > ?1 AND from_at < ?2 ORDER BY from_at",
            )
            .map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([ms(from), ms(to)], super::unwatched_from_row)
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }

    /// Stretches nobody watched some monitors only (maintenance windows that name them) that
    /// overlap `[from, to)`, each with its monitor.
    pub fn monitors_unmonitored_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, Unwatched)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT monitor, from_at, to_at, cause FROM monitor_unmonitored WHERE to_at > ?1 AND from_at < ?2 ORDER BY from_at",
            )
            .map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([ms(from), ms(to)], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Unwatched {
                        from: super::from_ms(r.get(1)?),
                        to: super::from_ms(r.get(2)?),
                        cause: r.get(3)?,
                    },
                ))
            })
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }

    /// Outages `(monitor, first failure, recovery)` overlapping `[from, to)`; an outage still
    /// going on ends at `to`.
    pub fn outages_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, Timestamp, Timestamp)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT monitor, first_failure_at, COALESCE(recovered_at, resolved_at, ?2)
                 FROM incidents
                 WHERE first_failure_at < ?2 AND COALESCE(recovered_at, resolved_at, ?2) > ?1",
            )
            .map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([ms(from), ms(to)], |r| {
                Ok((r.get(0)?, from_ms(r.get(1)?), from_ms(r.get(2)?)))
            })
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }
}
