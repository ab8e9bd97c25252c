//! The queries behind the window's look back: which samples, outages and unwatched stretches
//! fall inside a window of time. The shaping into a bar lives in `crate::history`.

use jiff::Timestamp;

use super::{Store, db, from_ms, ms};
use crate::error::Result;

impl Store {
    /// Every (monitor, time, ok) checked in `[from, to)`, in time order.
    pub fn samples_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, Timestamp, bool)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT monitor, at, ok FROM samples WHERE at >= ?1 AND at < ?2 ORDER BY at",
            )
            .map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([ms(from), ms(to)], |r| {
                Ok((r.get(0)?, from_ms(r.get(1)?), r.get(2)?))
            })
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }

    /// Unwatched stretches (`suspend`, `paused`, `offline`) that overlap `[from, to)`.
    pub fn unmonitored_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(Timestamp, Timestamp, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT from_at, to_at, cause FROM unmonitored WHERE to_at > ?1 AND from_at < ?2 ORDER BY from_at",
            )
            .map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([ms(from), ms(to)], |r| {
                Ok((from_ms(r.get(0)?), from_ms(r.get(1)?), r.get(2)?))
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
