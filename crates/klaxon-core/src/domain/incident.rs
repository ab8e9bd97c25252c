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
pub use book::{IncidentBook, Journal};

/// One outage of one monitor, with its timeline's key moments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: i64,
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
