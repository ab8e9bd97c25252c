//! Each monitor's uptime over 24 hours, 7 days and 30 days, its response times over the same
//! periods, and its certificate's expiry: the numbers under each monitor in the window.
//!
//! Uptime is a share of the time Klaxon was watching, never of the clock: time the machine
//! slept, was offline, was paused or in a maintenance window (the store's unwatched stretches),
//! and whole hours in which a monitor that checks several times an hour was not checked at all
//! (Klaxon was not running), are left out and counted apart, so "99.95 % · 2 h unwatched not
//! counted" says both. An outage during unwatched time is counted once, as unwatched. A period
//! in which nothing was watched has no percentage (`None`), never 100 %. Time is passed in.

use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::stretches::{Stretch, merged, outside, total};
use crate::domain::states::UnwatchedCause;
use crate::domain::status::Status;
use crate::error::Result;
use crate::store::{Store, Unwatched};

/// A period the window shows figures over, ending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub enum Period {
    #[serde(rename = "24h")]
    Day,
    #[serde(rename = "7d")]
    Week,
    #[serde(rename = "30d")]
    Month,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    pub fn length(self) -> SignedDuration {
        SignedDuration::from_hours(match self {
            Period::Day => 24,
            Period::Week => 7 * 24,
            Period::Month => 30 * 24,
        })
    }

    /// One point of the response-time chart: 96 for a day, 168 for a week, 120 for 30 days,
    /// about what a 440-pixel-wide chart can show apart.
    pub fn step(self) -> SignedDuration {
        match self {
            Period::Day => SignedDuration::from_mins(15),
            Period::Week => SignedDuration::from_hours(1),
            Period::Month => SignedDuration::from_hours(6),
        }
    }
}

/// One monitor's uptime over one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct Uptime {
    pub period: Period,
    /// The share of the watched time the monitor was up, in percent; `null` when nothing was
    /// watched (not 100 %).
    pub percent: Option<f64>,
    #[ts(type = "number")]
    pub watched_s: u64,
    #[ts(type = "number")]
    pub down_s: u64,
    /// Time inside the period, after the first check, that nobody watched: not counted.
    #[ts(type = "number")]
    pub unwatched_s: u64,
    /// The first check, when it came after the period began (a monitor added since).
    #[ts(type = "string | null")]
    pub since: Option<Timestamp>,
}

impl Uptime {
    /// The percentage as the user reads it, the window's `percentText` in Rust: two decimals cut
    /// down, never rounded up, so any downtime reads below 100 % ("99.99 %"); "nothing watched"
    /// rather than 100 % when nothing was.
    pub fn percent_words(&self) -> String {
        match self.percent {
            None => "nothing watched".into(),
            Some(_) if self.down_s == 0 => "100 %".into(),
            Some(p) => format!("{:.2} %", ((p * 100.0).floor() / 100.0).min(99.99)),
        }
    }

    /// What the percentage leaves out, when anything: "2 h unwatched not counted".
    pub fn unwatched_words(&self) -> Option<String> {
        (self.unwatched_s >= 60).then(|| {
            let d = std::time::Duration::from_secs(self.unwatched_s);
            format!("{} unwatched not counted", crate::domain::words::elapsed(d))
        })
    }
}

/// The certificate a monitor's newest HTTPS or TLS check saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct Certificate {
    #[ts(type = "string")]
    pub not_after: Timestamp,
    #[ts(type = "string")]
    pub seen_at: Timestamp,
}

/// What the window shows under one monitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct MonitorUptime {
    pub monitor: String,
    /// 24 h, 7 d and 30 d, in that order.
    pub uptime: Vec<Uptime>,
    pub certificate: Option<Certificate>,
}

/// One monitor's response times over a period, one point per [`Period::step`] from `from`;
/// `null` where it was not checked. Every check counts, failed ones too (a timeout is a peak).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct LatencySeries {
    pub monitor: String,
    pub period: Period,
    #[ts(type = "string")]
    pub from: Timestamp,
    #[ts(type = "number")]
    pub step_s: u64,
    #[ts(type = "Array<number | null>")]
    pub avg_ms: Vec<Option<u64>>,
    #[ts(type = "Array<number | null>")]
    pub max_ms: Vec<Option<u64>>,
}

/// Unwatched time still going on, which the store learns of only when it ends: an offline
/// stretch, and maintenance windows (over every monitor, or the ones they name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ongoing {
    pub offline_since: Option<Timestamp>,
    pub maintenance: Vec<(Option<Vec<String>>, Timestamp)>,
}

impl Ongoing {
    /// What the engine's status says is going on.
    pub fn of(status: &Status) -> Self {
        Ongoing {
            offline_since: status.blind_since,
            maintenance: status
                .maintenance
                .iter()
                .map(|m| (m.monitors.clone(), m.since))
                .collect(),
        }
    }

    /// Nothing going on but, perhaps, being offline since then.
    pub fn offline(since: Option<Timestamp>) -> Self {
        Ongoing {
            offline_since: since,
            maintenance: Vec::new(),
        }
    }
}

/// The figures of `monitors` at `now`, with what is `ongoing` left out too.
pub fn uptimes(
    store: &Store,
    monitors: &[String],
    now: Timestamp,
    ongoing: &Ongoing,
) -> Result<Vec<MonitorUptime>> {
    let offline_since = ongoing.offline_since;
    let start = now - Period::Month.length();
    let mut unwatched: Vec<Stretch> = store
        .unmonitored_between(start, now)?
        .into_iter()
        .chain(offline_since.map(|since| Unwatched {
            from: since,
            to: now,
            cause: UnwatchedCause::Offline,
        }))
        .map(|u| Stretch::new(u.from, u.to))
        .collect();
    unwatched.sort_by_key(|s| s.from);
    // A maintenance window that names monitors leaves only theirs unwatched; one going on now
    // counts up to now.
    let mut own_unwatched: HashMap<String, Vec<Stretch>> = HashMap::new();
    for (monitor, u) in store.monitors_unmonitored_between(start, now)? {
        own_unwatched
            .entry(monitor)
            .or_default()
            .push(Stretch::new(u.from, u.to));
    }
    for (names, since) in &ongoing.maintenance {
        let stretch = Stretch::new(*since, now);
        match names {
            None => unwatched.push(stretch),
            Some(names) => {
                for name in names {
                    own_unwatched.entry(name.clone()).or_default().push(stretch);
                }
            }
        }
    }
    let mut outages: HashMap<String, Vec<Stretch>> = HashMap::new();
    for (monitor, from, to) in store.outages_between(start, now)? {
        outages
            .entry(monitor)
            .or_default()
            .push(Stretch::new(from, to));
    }
    let mut certificates: HashMap<String, Certificate> = store
        .certificates()?
        .into_iter()
        .map(|(m, not_after, seen_at)| (m, Certificate { not_after, seen_at }))
        .collect();
    monitors
        .iter()
        .map(|m| {
            let first = store.first_check(m)?;
            let mut gaps = unwatched.clone();
            gaps.extend(own_unwatched.get(m).into_iter().flatten().copied());
            if let Some(first) = first {
                let checked = store.hours_checked(m, first.max(start), now)?;
                gaps.extend(silent_hours(&checked, first, Stretch::new(start, now)));
            }
            let down = outages.get(m).map(Vec::as_slice).unwrap_or_default();
            Ok(MonitorUptime {
                monitor: m.clone(),
                uptime: Period::ALL
                    .iter()
                    .map(|p| uptime(*p, now, first, &gaps, down))
                    .collect(),
                certificate: certificates.remove(m),
            })
        })
        .collect()
}

/// One monitor's uptime over `period` ending at `now`, from its first check, the stretches
/// nobody watched, and its outages.
pub fn uptime(
    period: Period,
    now: Timestamp,
    first_check: Option<Timestamp>,
    unwatched: &[Stretch],
    outages: &[Stretch],
) -> Uptime {
    let start = now - period.length();
    let Some(first) = first_check.filter(|f| *f < now) else {
        return Uptime {
            period,
            percent: None,
            watched_s: 0,
            down_s: 0,
            unwatched_s: 0,
            since: None,
        };
    };
    let watching = Stretch::new(first.max(start), now);
    let gone = merged(unwatched.iter().copied(), watching);
    let watched = outside(&[watching], &gone);
    let down = outside(&merged(outages.iter().copied(), watching), &gone);
    let secs = |d: SignedDuration| u64::try_from(d.as_secs()).unwrap_or(0);
    let percent = (watched > SignedDuration::ZERO)
        .then(|| 100.0 * (1.0 - down.as_secs_f64() / watched.as_secs_f64()));
    Uptime {
        period,
        percent,
        watched_s: secs(watched),
        down_s: secs(down),
        unwatched_s: secs(total(&gone)),
        since: (first > start).then_some(first),
    }
}

/// Whole clock hours after the first check in which a monitor that checks at least twice an
/// hour was not checked at all: Klaxon was not running. A monitor checked less often says
/// nothing by a silent hour, so none are counted for it.
pub fn silent_hours(
    checked: &[(Timestamp, u64)],
    first: Timestamp,
    period: Stretch,
) -> Vec<Stretch> {
    let checks: u64 = checked.iter().map(|(_, n)| n).sum();
    if checked.is_empty() || checks < 2 * checked.len() as u64 {
        return Vec::new();
    }
    let hour = SignedDuration::from_hours(1);
    let seen: HashSet<Timestamp> = checked.iter().map(|(h, _)| *h).collect();
    let from = first.max(period.from);
    let Ok(mut h) = from.round(
        jiff::TimestampRound::new()
            .smallest(jiff::Unit::Hour)
            .mode(jiff::RoundMode::Ceil),
    ) else {
        return Vec::new();
    };
    let mut silent = Vec::new();
    while h + hour <= period.to {
        if !seen.contains(&h) {
            silent.push(Stretch::new(h, h + hour));
        }
        h += hour;
    }
    silent
}

/// `monitor`'s response times over `period` ending at `now`. A week's and 30 days' points
/// start on the hour, so each rolled-up hour falls in one point.
pub fn latency(
    store: &Store,
    monitor: &str,
    period: Period,
    now: Timestamp,
) -> Result<LatencySeries> {
    let mut series = latency_of_nothing(monitor, period, now);
    let (from, step, points) = (series.from, period.step(), series.avg_ms.len());
    for b in store.latency_buckets(monitor, from, from + period.length(), step)? {
        if b.index < points && b.checks > 0 {
            series.avg_ms[b.index] = Some(b.sum_ms / b.checks);
            series.max_ms[b.index] = Some(b.max_ms);
        }
    }
    Ok(series)
}

/// A monitor's figures when nothing was ever recorded.
pub fn uptime_of_nothing(monitor: &str) -> MonitorUptime {
    MonitorUptime {
        monitor: monitor.to_string(),
        uptime: Period::ALL
            .iter()
            .map(|p| uptime(*p, Timestamp::UNIX_EPOCH, None, &[], &[]))
            .collect(),
        certificate: None,
    }
}

/// The chart's frame for `period` at `now`, with no point known.
pub fn latency_of_nothing(monitor: &str, period: Period, now: Timestamp) -> LatencySeries {
    let step = period.step();
    let points = (period.length().as_secs() / step.as_secs()) as usize;
    let end = match period {
        Period::Day => now,
        Period::Week | Period::Month => {
            now.round(
                jiff::TimestampRound::new()
                    .smallest(jiff::Unit::Hour)
                    .mode(jiff::RoundMode::Floor),
            )
            .unwrap_or(now)
                + SignedDuration::from_hours(1)
        }
    };
    LatencySeries {
        monitor: monitor.to_string(),
        period,
        from: end - period.length(),
        step_s: u64::try_from(step.as_secs()).unwrap_or(0),
        avg_ms: vec![None; points],
        max_ms: vec![None; points],
    }
}

#[cfg(test)]
#[path = "uptime_tests.rs"]
mod tests;
