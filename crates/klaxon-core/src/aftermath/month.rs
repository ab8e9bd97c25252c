//! The month's numbers that open the Incidents view: how many incidents began, how long
//! services were down, the median time to acknowledge and to recover, for this month and the
//! ones before it (a small trend). Months are the user's, in their time zone: an incident at
//! 23:30 on the 31st in Paris is in that month, not the next. Time and zone are passed in.
//!
//! Downtime is the time from each outage's first failed check to its recovery (or now, or
//! its end for an outside alert that never recovered), each service counted once per minute
//! when its incidents overlap, inside the month, less any unwatched time (as uptime does).
//! The medians are over the month's incidents that were acknowledged or recovered.

use std::collections::HashMap;
use std::time::Duration;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::stretches::{Stretch, merged, outside};
use crate::domain::incident::Incident;
use crate::error::{Error, Result};
use crate::store::Store;

/// One calendar month's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct MonthNumbers {
    /// The month's first day, `2026-12-01`.
    #[ts(type = "string")]
    pub month: Date,
    /// How many incidents began in it.
    pub incidents: u32,
    #[ts(type = "number")]
    pub downtime_s: u64,
    #[ts(type = "number | null")]
    pub median_ack_s: Option<u64>,
    #[ts(type = "number | null")]
    pub median_recover_s: Option<u64>,
}

/// This month (last) and the ones before it (first), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct MonthReport {
    pub months: Vec<MonthNumbers>,
}

/// The numbers of the `count` months up to and including `now`'s, in `tz`.
pub fn month_report(
    store: &Store,
    now: Timestamp,
    tz: &TimeZone,
    count: usize,
) -> Result<MonthReport> {
    let bounds = month_bounds(now, tz, count.max(1))?;
    let (Some(first), Some(last)) = (bounds.first(), bounds.last()) else {
        return Ok(MonthReport { months: Vec::new() });
    };
    let (start, end) = (first.1.from, last.1.to.min(now));
    let incidents = store.incidents_overlapping(start, end)?;
    let unwatched: Vec<Stretch> = store
        .unmonitored_between(start, end)?
        .into_iter()
        .map(|u| Stretch::new(u.from, u.to))
        .collect();
    Ok(MonthReport {
        months: bounds
            .into_iter()
            .map(|(month, span)| numbers(month, span, &incidents, &unwatched, now))
            .collect(),
    })
}

/// The report when nothing was ever recorded: every month at zero.
pub fn empty_report(now: Timestamp, tz: &TimeZone, count: usize) -> Result<MonthReport> {
    Ok(MonthReport {
        months: month_bounds(now, tz, count.max(1))?
            .into_iter()
            .map(|(month, span)| numbers(month, span, &[], &[], now))
            .collect(),
    })
}

/// The first day and the `[start, end)` of each of the `count` months up to `now`'s.
pub fn month_bounds(now: Timestamp, tz: &TimeZone, count: usize) -> Result<Vec<(Date, Stretch)>> {
    let zone_error = |e: jiff::Error| Error::Refused(format!("cannot find the month's start: {e}"));
    let this = now.to_zoned(tz.clone()).date().first_of_month();
    (0..count)
        .rev()
        .map(|back| {
            let month = this
                .checked_sub((back as i64).months())
                .map_err(zone_error)?;
            let next = month.checked_add(1.month()).map_err(zone_error)?;
            let start = month.to_zoned(tz.clone()).map_err(zone_error)?.timestamp();
            let end = next.to_zoned(tz.clone()).map_err(zone_error)?.timestamp();
            Ok((month, Stretch::new(start, end)))
        })
        .collect()
}

/// One month's numbers from the incidents overlapping it.
pub fn numbers(
    month: Date,
    span: Stretch,
    incidents: &[Incident],
    unwatched: &[Stretch],
    now: Timestamp,
) -> MonthNumbers {
    let began: Vec<&Incident> = incidents
        .iter()
        .filter(|i| span.from <= i.first_failure_at && i.first_failure_at < span.to)
        .collect();
    let until_now = Stretch::new(span.from, span.to.min(now));
    let mut outages: HashMap<&str, Vec<Stretch>> = HashMap::new();
    for i in incidents {
        let end = i.recovered_at.or(i.resolved_at).unwrap_or(now);
        outages
            .entry(i.monitor.as_str())
            .or_default()
            .push(Stretch::new(i.first_failure_at, end));
    }
    let gone = merged(unwatched.iter().copied(), until_now);
    let downtime = outages
        .into_values()
        .map(|o| outside(&merged(o, until_now), &gone))
        .fold(jiff::SignedDuration::ZERO, |sum, d| sum + d);
    MonthNumbers {
        month,
        incidents: u32::try_from(began.len()).unwrap_or(u32::MAX),
        downtime_s: u64::try_from(downtime.as_secs()).unwrap_or(0),
        median_ack_s: median(began.iter().filter_map(|i| i.time_to_acknowledge())),
        median_recover_s: median(began.iter().filter_map(|i| i.time_to_recover())),
    }
}

/// The median in whole seconds (the mean of the middle two for an even count).
fn median(durations: impl Iterator<Item = Duration>) -> Option<u64> {
    let mut secs: Vec<u64> = durations.map(|d| d.as_secs()).collect();
    secs.sort_unstable();
    let mid = secs.len() / 2;
    match secs.len() {
        0 => None,
        n if n % 2 == 1 => Some(secs[mid]),
        _ => Some((secs[mid - 1] + secs[mid]) / 2),
    }
}

#[cfg(test)]
#[path = "month_tests.rs"]
mod tests;
