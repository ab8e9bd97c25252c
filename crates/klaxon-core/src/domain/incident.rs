//! Incidents as values: their states, the key moments of one outage and the lines of its
//! timeline. `open (ringing) → acknowledged → resolved`, plus `snoozed` (rings again when the
//! snooze ends and the service is still down). Their one owner is the [`IncidentBook`]; on each
//! start it is loaded from the store and an unacknowledged incident rings again.

mod book;

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::monitor::Evidence;

pub use super::states::{AckVia, IncidentState, TimelineKind};
pub use book::{Firing, IncidentBook, Journal};

/// Where an incident comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Origin {
    /// A `[[monitor]]` of this config; the incident's `monitor` is its name.
    #[default]
    Monitor,
    /// An alert from monitoring that runs elsewhere: the `[[source]]`'s name and the alert's
    /// own stable key (a fingerprint, a check's id); the incident's `monitor` is the alert's
    /// title.
    Alert { source: String, key: String },
}

/// What an open incident is filed under: at most one open incident per key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Monitor(String),
    Alert { source: String, key: String },
}

impl Key {
    pub fn monitor(name: &str) -> Key {
        Key::Monitor(name.to_string())
    }
}

/// One outage of one monitor or one outside alert, with its timeline's key moments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: i64,
    pub origin: Origin,
    /// What is down, as shown: the monitor's name, or the alert's title.
    pub monitor: String,
    pub state: IncidentState,
    pub first_failure_at: Timestamp,
    /// When the failure was confirmed and the incident opened.
    pub opened_at: Timestamp,
    pub alarm_started_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    /// Where the acknowledgement came from.
    pub acknowledged_via: Option<AckVia>,
    pub snoozed_until: Option<Timestamp>,
    pub recovered_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub reason: String,
    pub evidence: Evidence,
}

impl Incident {
    /// A new incident, ringing from `now`, for an outage that began at `since`.
    pub fn ringing(
        id: i64,
        origin: Origin,
        title: &str,
        (reason, evidence): (&str, &Evidence),
        since: Timestamp,
        now: Timestamp,
    ) -> Incident {
        Incident {
            id,
            origin,
            monitor: title.to_string(),
            state: IncidentState::Ringing,
            first_failure_at: since,
            opened_at: now,
            alarm_started_at: Some(now),
            acknowledged_at: None,
            acknowledged_via: None,
            snoozed_until: None,
            recovered_at: None,
            resolved_at: None,
            reason: reason.to_string(),
            evidence: evidence.clone(),
        }
    }

    /// What the incident is filed under while open.
    pub fn key(&self) -> Key {
        match &self.origin {
            Origin::Monitor => Key::Monitor(self.monitor.clone()),
            Origin::Alert { source, key } => Key::Alert {
                source: source.clone(),
                key: key.clone(),
            },
        }
    }

    /// The outside source's name; `None` for a monitor of this config.
    pub fn source(&self) -> Option<&str> {
        match &self.origin {
            Origin::Monitor => None,
            Origin::Alert { source, .. } => Some(source),
        }
    }

    /// From the alarm to a person answering it.
    pub fn time_to_acknowledge(&self) -> Option<Duration> {
        let start = self.alarm_started_at.unwrap_or(self.opened_at);
        between(start, self.acknowledged_at?)
    }

    /// From the first failed check to the service answering again.
    pub fn time_to_recover(&self) -> Option<Duration> {
        between(self.first_failure_at, self.recovered_at?)
    }

    pub fn is_open(&self) -> bool {
        self.state != IncidentState::Resolved
    }
}

fn between(from: Timestamp, to: Timestamp) -> Option<Duration> {
    Duration::try_from(to.duration_since(from)).ok()
}

/// One line of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct TimelineEvent {
    #[ts(type = "string")]
    pub at: Timestamp,
    pub kind: TimelineKind,
    pub detail: String,
}

impl TimelineEvent {
    fn new(at: Timestamp, kind: TimelineKind, detail: impl Into<String>) -> Self {
        TimelineEvent {
            at,
            kind,
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
