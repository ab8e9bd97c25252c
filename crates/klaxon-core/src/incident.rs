//! Incidents and the [`IncidentBook`], the only owner of their state.
//!
//! `open (ringing) → acknowledged → resolved`, plus `snoozed` (rings again when the snooze ends
//! and the service is still down). Every transition is committed to the [`Store`] before the
//! book changes its memory or anyone hears of it, so a crash at any moment loses nothing: on the
//! next start the book is loaded from the store and an unacknowledged incident rings again.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::monitor::{Evidence, Sample};
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentState {
    Ringing,
    Acknowledged,
    Snoozed,
    Resolved,
}

impl IncidentState {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentState::Ringing => "ringing",
            IncidentState::Acknowledged => "acknowledged",
            IncidentState::Snoozed => "snoozed",
            IncidentState::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<IncidentState> {
        Some(match text {
            "ringing" => IncidentState::Ringing,
            "acknowledged" => IncidentState::Acknowledged,
            "snoozed" => IncidentState::Snoozed,
            "resolved" => IncidentState::Resolved,
            _ => return None,
        })
    }
}

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
    /// Where the acknowledgement came from: `cli`, `window`, `tray`.
    pub acknowledged_via: Option<String>,
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
    /// `first_failure`, `confirmed`, `alarm_started`, `acknowledged`, `snoozed`,
    /// `snooze_ended`, `recovered`, `down_again`, `resolved`.
    pub kind: String,
    pub detail: String,
}

impl TimelineEvent {
    fn new(at: Timestamp, kind: &str, detail: impl Into<String>) -> Self {
        TimelineEvent {
            at,
            kind: kind.to_string(),
            detail: detail.into(),
        }
    }
}

/// The open incidents, one per monitor at most.
#[derive(Debug, Default)]
pub struct IncidentBook {
    open: BTreeMap<String, Incident>,
    stop_on_recovery: bool,
}

impl IncidentBook {
    /// Loads the open incidents. One that nobody acknowledged rings again; one that was snoozed
    /// keeps its snooze (the next [`IncidentBook::tick`] ends it if it has run out).
    pub fn load(store: &mut Store, now: Timestamp) -> Result<IncidentBook> {
        let mut book = IncidentBook::default();
        for incident in store.open_incidents()? {
            book.open.insert(incident.monitor.clone(), incident);
        }
        let restarted: Vec<String> = book
            .open
            .values()
            .filter(|i| i.state == IncidentState::Ringing)
            .map(|i| i.monitor.clone())
            .collect();
        for monitor in restarted {
            book.change(
                store,
                &monitor,
                TimelineEvent::new(now, "alarm_restarted", "Klaxon restarted; ringing again"),
                |i| {
                    i.alarm_started_at.get_or_insert(now);
                },
            )?;
        }
        Ok(book)
    }

    /// With `true`, a service coming back resolves even an unacknowledged incident.
    pub fn set_stop_on_recovery(&mut self, stop: bool) {
        self.stop_on_recovery = stop;
    }

    pub fn open_incidents(&self) -> impl Iterator<Item = &Incident> {
        self.open.values()
    }

    pub fn for_monitor(&self, monitor: &str) -> Option<&Incident> {
        self.open.get(monitor)
    }

    /// True while any incident wants the siren.
    pub fn is_ringing(&self) -> bool {
        self.open
            .values()
            .any(|i| i.state == IncidentState::Ringing)
    }

    /// Takes a monitor's settled verdict. Returns the incidents that changed.
    pub fn monitor_down(
        &mut self,
        store: &mut Store,
        monitor: &str,
        failing_since: Timestamp,
        sample: &Sample,
        now: Timestamp,
    ) -> Result<Option<Incident>> {
        if let Some(open) = self.open.get(monitor) {
            if open.recovered_at.is_none() {
                return Ok(None);
            }
            let event = TimelineEvent::new(now, "down_again", sample.reason.clone());
            return self
                .change(store, monitor, event, |i| i.recovered_at = None)
                .map(Some);
        }
        let mut incident = Incident {
            id: 0,
            monitor: monitor.to_string(),
            state: IncidentState::Ringing,
            first_failure_at: failing_since,
            opened_at: now,
            alarm_started_at: Some(now),
            acknowledged_at: None,
            acknowledged_via: None,
            snoozed_until: None,
            recovered_at: None,
            resolved_at: None,
            reason: sample.reason.clone(),
            evidence: sample.evidence.clone(),
        };
        let timeline = [
            TimelineEvent::new(failing_since, "first_failure", sample.reason.clone()),
            TimelineEvent::new(now, "confirmed", "the re-checks failed too"),
            TimelineEvent::new(now, "alarm_started", ""),
        ];
        incident.id = store.insert_incident(&incident, &timeline)?;
        self.open.insert(monitor.to_string(), incident.clone());
        Ok(Some(incident))
    }

    /// The monitor answers again. A ringing incident keeps ringing until someone acknowledges
    /// it (unless `stop_on_recovery`): an outage nobody noticed still needs a person.
    pub fn monitor_up(
        &mut self,
        store: &mut Store,
        monitor: &str,
        now: Timestamp,
    ) -> Result<Option<Incident>> {
        let Some(open) = self.open.get(monitor) else {
            return Ok(None);
        };
        if open.recovered_at.is_some() {
            return Ok(None);
        }
        let resolve = open.state != IncidentState::Ringing || self.stop_on_recovery;
        let event = TimelineEvent::new(now, "recovered", "the service answers again");
        let changed = self.change(store, monitor, event, |i| i.recovered_at = Some(now))?;
        if resolve {
            return self.resolve(store, monitor, now, "resolved").map(Some);
        }
        Ok(Some(changed))
    }

    /// Acknowledges one incident, or every ringing and snoozed one when `id` is `None`.
    pub fn acknowledge(
        &mut self,
        store: &mut Store,
        id: Option<i64>,
        via: &str,
        now: Timestamp,
    ) -> Result<Vec<Incident>> {
        let targets: Vec<String> = self
            .open
            .values()
            .filter(|i| id.is_none_or(|id| i.id == id))
            .filter(|i| matches!(i.state, IncidentState::Ringing | IncidentState::Snoozed))
            .map(|i| i.monitor.clone())
            .collect();
        let mut changed = Vec::new();
        for monitor in targets {
            let event = TimelineEvent::new(now, "acknowledged", format!("via {via}"));
            let incident = self.change(store, &monitor, event, |i| {
                i.state = IncidentState::Acknowledged;
                i.acknowledged_at = Some(now);
                i.acknowledged_via = Some(via.to_string());
                i.snoozed_until = None;
            })?;
            if incident.recovered_at.is_some() {
                changed.push(self.resolve(store, &monitor, now, "resolved")?);
            } else {
                changed.push(incident);
            }
        }
        Ok(changed)
    }

    /// Silences every ringing incident for `length`; each rings again afterwards if its service
    /// is still down.
    pub fn snooze(
        &mut self,
        store: &mut Store,
        length: Duration,
        now: Timestamp,
    ) -> Result<Vec<Incident>> {
        let until = now
            .checked_add(
                jiff::SignedDuration::try_from(length).unwrap_or(jiff::SignedDuration::MAX),
            )
            .unwrap_or(Timestamp::MAX);
        let targets: Vec<String> = self
            .open
            .values()
            .filter(|i| matches!(i.state, IncidentState::Ringing | IncidentState::Snoozed))
            .map(|i| i.monitor.clone())
            .collect();
        let mut changed = Vec::new();
        for monitor in targets {
            let detail = format!("until {until}");
            let event = TimelineEvent::new(now, "snoozed", detail);
            changed.push(self.change(store, &monitor, event, |i| {
                i.state = IncidentState::Snoozed;
                i.snoozed_until = Some(until);
            })?);
        }
        Ok(changed)
    }

    /// Ends snoozes that ran out: a service still down rings again, one that came back in the
    /// meantime is resolved (the snooze showed someone was awake).
    pub fn tick(&mut self, store: &mut Store, now: Timestamp) -> Result<Vec<Incident>> {
        let ended: Vec<(String, bool)> = self
            .open
            .values()
            .filter(|i| {
                i.state == IncidentState::Snoozed && i.snoozed_until.is_some_and(|u| u <= now)
            })
            .map(|i| (i.monitor.clone(), i.recovered_at.is_some()))
            .collect();
        let mut changed = Vec::new();
        for (monitor, recovered) in ended {
            if recovered {
                changed.push(self.resolve(store, &monitor, now, "resolved")?);
                continue;
            }
            let event = TimelineEvent::new(now, "snooze_ended", "still down; ringing again");
            changed.push(self.change(store, &monitor, event, |i| {
                i.state = IncidentState::Ringing;
                i.snoozed_until = None;
            })?);
        }
        Ok(changed)
    }

    /// Resolves a removed monitor's incident: nothing will ever check it again.
    pub fn monitor_removed(
        &mut self,
        store: &mut Store,
        monitor: &str,
        now: Timestamp,
    ) -> Result<Option<Incident>> {
        if !self.open.contains_key(monitor) {
            return Ok(None);
        }
        self.resolve(store, monitor, now, "monitor_removed")
            .map(Some)
    }

    fn resolve(
        &mut self,
        store: &mut Store,
        monitor: &str,
        now: Timestamp,
        kind: &str,
    ) -> Result<Incident> {
        let event = TimelineEvent::new(now, kind, "");
        let incident = self.change(store, monitor, event, |i| {
            i.state = IncidentState::Resolved;
            i.resolved_at = Some(now);
            i.snoozed_until = None;
        })?;
        self.open.remove(monitor);
        Ok(incident)
    }

    /// Applies `edit` to a copy, commits it with its timeline line, and only then keeps it.
    fn change(
        &mut self,
        store: &mut Store,
        monitor: &str,
        event: TimelineEvent,
        edit: impl FnOnce(&mut Incident),
    ) -> Result<Incident> {
        let Some(current) = self.open.get(monitor) else {
            return Err(crate::Error::Refused(format!(
                "no open incident for {monitor:?}"
            )));
        };
        let mut next = current.clone();
        edit(&mut next);
        store.update_incident(&next, &event)?;
        self.open.insert(monitor.to_string(), next.clone());
        Ok(next)
    }
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
