//! The facts a draft is written from: the incident's own record (times in the customer's time
//! zone, durations in words) and the founder's notes. Every fact is a finished string, so a
//! template only places them; a fact nobody has supplied yet is a visible `[add: …]` marker,
//! never an empty gap.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, Zoned};
use serde::Serialize;

use crate::config::ProductConfig;
use crate::domain::incident::{Incident, TimelineEvent, TimelineKind};
use crate::domain::notes::IncidentNotes;
use crate::error::{Error, Result};

/// An acknowledgement slower than this is said out loud in the drafts.
pub const LONG_TO_ACKNOWLEDGE: SignedDuration = SignedDuration::from_mins(15);

#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    pub customer: String,
    pub product: String,
    pub company: String,
    pub signature: String,
    /// The monitor that failed ("API").
    pub service: String,
    /// What the check saw ("connection refused").
    pub reason: String,
    /// What users saw (notes).
    pub impact: String,
    /// "Tuesday 14 October 2025"
    pub start_day: String,
    /// "2:07 am"
    pub start_time: String,
    pub end_time: String,
    pub alarm_time: String,
    pub ack_time: String,
    /// "CET"
    pub tz: String,
    /// "on Tuesday 14 October 2025, from 2:07 am to 5:10 am CET"
    pub when: String,
    /// "about 3 hours", "47 minutes" (so far, while it lasts)
    pub duration: String,
    /// "was down" / "has been down" (still going on).
    pub was_down: String,
    /// "was unavailable" / "has been unavailable".
    pub was_unavailable: String,
    pub ongoing: bool,
    pub acknowledged: bool,
    /// From the alarm to a person answering it.
    pub ack_delay: String,
    pub ack_long: bool,
    /// From the first failed check to the alarm.
    pub detect_delay: String,
    pub cause: String,
    pub fix: String,
    pub prevention: Vec<String>,
    pub data_loss: String,
    /// Optional: empty when there is none.
    pub offer: String,
    pub timeline: Vec<Moment>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Moment {
    pub time: String,
    pub what: String,
}

pub fn marker(what: &str) -> String {
    format!("[add: {what}]")
}

/// Text the founder wrote, without a trailing full stop (the template adds its own), or the
/// marker asking for it.
fn written(text: &str, what: &str) -> String {
    let text = text.trim().trim_end_matches('.').trim();
    if text.is_empty() {
        marker(what)
    } else {
        text.to_string()
    }
}

/// The customer's time zone, by IANA name ("Europe/Berlin"); "UTC" when none is given.
pub fn time_zone(name: &str) -> Result<TimeZone> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(TimeZone::UTC);
    }
    TimeZone::get(name).map_err(|_| {
        Error::Draft(format!(
            "{name:?} is not a time zone Klaxon knows; use an IANA name like Europe/Berlin or America/New_York"
        ))
    })
}

pub fn build(
    incident: &Incident,
    timeline: &[TimelineEvent],
    notes: &IncidentNotes,
    product: &ProductConfig,
    customer: &str,
    tz: &TimeZone,
    now: Timestamp,
) -> Facts {
    let local = |t: Timestamp| t.to_zoned(tz.clone());
    let span = Span::of(incident, tz, now);
    let alarm_at = incident.alarm_started_at.unwrap_or(incident.opened_at);
    let ack_delay = incident.acknowledged_at.map(|a| a.duration_since(alarm_at));
    let (was_down, was_unavailable) = match span.ongoing {
        true => ("has been down", "has been unavailable"),
        false => ("was down", "was unavailable"),
    };
    Facts {
        customer: written(customer, "the customer's name"),
        product: written(
            &product.name,
            "your product's name (product.name in klaxon.toml)",
        ),
        company: written(
            &product.company,
            "your company's name (product.company in klaxon.toml)",
        ),
        signature: written(
            &product.signature,
            "your name (product.signature in klaxon.toml)",
        ),
        service: incident.monitor.clone(),
        reason: incident.reason.clone(),
        impact: written(&notes.impact, "what your users saw"),
        start_day: day(&span.start),
        start_time: clock(&span.start),
        end_time: span.end_time(),
        alarm_time: clock(&local(alarm_at)),
        ack_time: incident
            .acknowledged_at
            .map(|t| clock(&local(t)))
            .unwrap_or_else(|| "not yet".into()),
        tz: zone(&span.start),
        when: span.when(),
        duration: span.duration(),
        was_down: was_down.into(),
        was_unavailable: was_unavailable.into(),
        ongoing: span.ongoing,
        acknowledged: ack_delay.is_some(),
        ack_delay: ack_delay.map(humanize).unwrap_or_else(|| "not yet".into()),
        ack_long: ack_delay.is_some_and(|d| d > LONG_TO_ACKNOWLEDGE),
        detect_delay: humanize(alarm_at.duration_since(incident.first_failure_at)),
        cause: written(&notes.cause, "what caused it, in plain words"),
        fix: written(&notes.fix, "what was done to fix it"),
        prevention: prevention(notes),
        data_loss: written(&notes.data_loss, "whether any data was lost"),
        offer: notes.offer.trim().to_string(),
        timeline: timeline
            .iter()
            .map(|e| Moment {
                time: clock(&local(e.at)),
                what: describe(e),
            })
            .collect(),
    }
}

/// The outage from its first failed check to the service answering again (or to now, while
/// it lasts), in the customer's time zone.
struct Span {
    start: Zoned,
    end: Zoned,
    ongoing: bool,
}

impl Span {
    fn of(incident: &Incident, tz: &TimeZone, now: Timestamp) -> Span {
        let end_at = incident.recovered_at.or(incident.resolved_at);
        Span {
            start: incident.first_failure_at.to_zoned(tz.clone()),
            end: end_at.unwrap_or(now).to_zoned(tz.clone()),
            ongoing: end_at.is_none(),
        }
    }

    fn end_time(&self) -> String {
        match self.ongoing {
            true => "now (still down)".into(),
            false => clock(&self.end),
        }
    }

    /// "about 3 hours", or "47 minutes so far" while it lasts.
    fn duration(&self) -> String {
        let lasted = humanize(self.end.timestamp().duration_since(self.start.timestamp()));
        match self.ongoing {
            true => format!("{lasted} so far"),
            false => lasted,
        }
    }

    /// "on Tuesday 14 October 2025, from 2:07 am to 5:10 am CET", with each time's own zone
    /// across a clock change and each day when it spans midnight.
    fn when(&self) -> String {
        let (start, end) = (&self.start, &self.end);
        if self.ongoing {
            format!("since {} on {}, {}", clock(start), day(start), zone(start))
        } else if zone(start) != zone(end) {
            // Across a clock change: each time with its own zone, so "2:30 to 2:45" is not read
            // as fifteen minutes when it was an hour and a quarter.
            format!(
                "from {} {} on {} to {} {} on {}",
                clock(start),
                zone(start),
                day(start),
                clock(end),
                zone(end),
                day(end)
            )
        } else if start.date() == end.date() {
            format!(
                "on {}, from {} to {} {}",
                day(start),
                clock(start),
                clock(end),
                zone(end)
            )
        } else {
            format!(
                "from {} on {} to {} on {} {}",
                clock(start),
                day(start),
                clock(end),
                day(end),
                zone(end)
            )
        }
    }
}

/// What will change, one line each, or the marker asking for it.
fn prevention(notes: &IncidentNotes) -> Vec<String> {
    let written: Vec<String> = notes
        .prevention
        .iter()
        .map(|p| written(p, "what will change"))
        .collect();
    match written.is_empty() {
        true => vec![marker("what will change so it does not happen again")],
        false => written,
    }
}

/// A length of time as a customer reads it ("about 3 hours"); the same words as everywhere.
pub fn humanize(d: SignedDuration) -> String {
    let d = std::time::Duration::try_from(d).unwrap_or_default();
    crate::domain::words::duration(d, crate::domain::words::Style::Prose)
}

/// "2:07 am"
fn clock(t: &Zoned) -> String {
    t.strftime("%-I:%M %P").to_string()
}

/// "Tuesday 14 October 2025"
fn day(t: &Zoned) -> String {
    t.strftime("%A %-d %B %Y").to_string()
}

/// "CET", "CEST", "UTC": the abbreviation in force at that moment.
fn zone(t: &Zoned) -> String {
    t.strftime("%Z").to_string()
}

fn describe(e: &TimelineEvent) -> String {
    use TimelineKind::*;
    let what = match e.kind {
        FirstFailure => "first failed check",
        Confirmed => "failure confirmed by re-checks",
        AlarmStarted => "alarm started ringing",
        AlarmRestarted => "alarm rang again after Klaxon restarted",
        Acknowledged => "alarm acknowledged",
        Snoozed => "alarm snoozed",
        SnoozeEnded => "snooze ended",
        Recovered => "service answering again",
        DownAgain => "down again",
        Resolved => "incident resolved",
        MonitorRemoved => "monitor removed from the config",
        AckExpired => "still down after the acknowledgement: rang again",
        Notified => "notified",
        DeliveryFailed => "a notification could not be delivered",
        SourceSilenced => "silenced at its source",
    };
    // The reason a check failed and where an ack came from are worth a line; the other
    // details only repeat the kind.
    let telling = matches!(
        e.kind,
        FirstFailure | DownAgain | Acknowledged | Notified | DeliveryFailed | SourceSilenced
    );
    if e.detail.is_empty() || !telling {
        what.to_string()
    } else {
        format!("{what} ({})", e.detail)
    }
}
