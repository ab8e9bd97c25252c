//! The [`IncidentBook`], the only owner of the open incidents' state. Ring first, record
//! second: the book changes its memory at once and hands each change, with the timeline line
//! that explains it, to a [`Journal`] (in the engine, the store's writer thread), so a full disk
//! or a locked database can delay the record but never the alarm or an acknowledgement.
//! Incident ids are chosen here, not by the database, so an incident has its id before it is
//! written.
//!
//! A snooze ends by the monotonic clock: the wall clock set back an hour must not stretch a
//! ten-minute snooze to seventy. Its wall-clock end is kept for display and for a restart.

mod alerts;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use jiff::Timestamp;
use tokio::time::Instant;

use super::{AckVia, Incident, IncidentState, Key, Origin, TimelineEvent, TimelineKind};
use crate::domain::monitor::Sample;
pub use alerts::Firing;

/// Where the book sends each change to be written down.
pub trait Journal {
    fn record(&mut self, incident: &Incident, events: Vec<TimelineEvent>);
}

/// The open incidents, at most one per [`Key`] (a monitor, or one outside alert).
#[derive(Debug)]
pub struct IncidentBook {
    open: BTreeMap<Key, Incident>,
    stop_on_recovery: bool,
    next_id: i64,
    /// When each snooze ends by the monotonic clock (absent after a restart: then the wall
    /// clock's `snoozed_until` is all there is).
    snooze_ends: HashMap<Key, Instant>,
}

impl Default for IncidentBook {
    fn default() -> Self {
        IncidentBook {
            open: BTreeMap::new(),
            stop_on_recovery: false,
            next_id: 1,
            snooze_ends: HashMap::new(),
        }
    }
}

impl IncidentBook {
    /// Takes up the open incidents of an earlier run (read from the store), with ids to go on
    /// from. One that nobody acknowledged rings again; one that was snoozed keeps its snooze
    /// (the next [`IncidentBook::tick`] ends it if it has run out).
    pub fn resume(
        open: Vec<Incident>,
        next_id: i64,
        journal: &mut impl Journal,
        now: Timestamp,
    ) -> IncidentBook {
        let mut book = IncidentBook {
            next_id,
            ..IncidentBook::default()
        };
        for incident in open {
            book.open.insert(incident.key(), incident);
        }
        let restarted: Vec<Key> = book
            .open
            .values()
            .filter(|i| i.state == IncidentState::Ringing)
            .map(Incident::key)
            .collect();
        for key in restarted {
            book.change(
                journal,
                &key,
                TimelineEvent::new(
                    now,
                    TimelineKind::AlarmRestarted,
                    "Klaxon restarted; ringing again",
                ),
                |i| {
                    i.alarm_started_at.get_or_insert(now);
                },
            );
        }
        book
    }

    /// A book for when the database cannot be read at all: ids start past any the database
    /// can hold in practice (milliseconds since 1970), so the incidents of this run do not
    /// collide with the ones already recorded once the database can be written again.
    pub fn without_history(now: Timestamp) -> IncidentBook {
        IncidentBook {
            next_id: now.as_millisecond().max(1),
            ..IncidentBook::default()
        }
    }

    /// With `true`, a service coming back resolves even an unacknowledged incident.
    pub fn set_stop_on_recovery(&mut self, stop: bool) {
        self.stop_on_recovery = stop;
    }

    pub fn open_incidents(&self) -> impl Iterator<Item = &Incident> {
        self.open.values()
    }

    pub fn for_monitor(&self, monitor: &str) -> Option<&Incident> {
        self.open.get(&Key::monitor(monitor))
    }

    /// True while any incident wants the siren.
    pub fn is_ringing(&self) -> bool {
        self.open
            .values()
            .any(|i| i.state == IncidentState::Ringing)
    }

    /// Takes a monitor's settled verdict. Returns the incident that changed.
    pub fn monitor_down(
        &mut self,
        journal: &mut impl Journal,
        monitor: &str,
        failing_since: Timestamp,
        sample: &Sample,
        now: Timestamp,
    ) -> Option<Incident> {
        let key = Key::monitor(monitor);
        if let Some(open) = self.open.get(&key) {
            // Still down, still the same outage: nothing changes until it recovers.
            open.recovered_at?;
            let event = TimelineEvent::new(now, TimelineKind::DownAgain, sample.reason.clone());
            return self.change(journal, &key, event, |i| i.recovered_at = None);
        }
        let said = (sample.reason.as_str(), &sample.evidence);
        let incident = Incident::ringing(
            self.next_id,
            Origin::Monitor,
            monitor,
            said,
            failing_since,
            now,
        );
        let timeline = vec![
            TimelineEvent::new(
                failing_since,
                TimelineKind::FirstFailure,
                sample.reason.clone(),
            ),
            TimelineEvent::new(now, TimelineKind::Confirmed, "the re-checks failed too"),
            TimelineEvent::new(now, TimelineKind::AlarmStarted, ""),
        ];
        Some(self.open_new(journal, key, incident, timeline))
    }

    /// Files a new incident under `key` with its first timeline lines, and takes its id.
    fn open_new(
        &mut self,
        journal: &mut impl Journal,
        key: Key,
        incident: Incident,
        timeline: Vec<TimelineEvent>,
    ) -> Incident {
        self.next_id = self.next_id.saturating_add(1);
        self.open.insert(key, incident.clone());
        journal.record(&incident, timeline);
        incident
    }

    /// The monitor answers again. A ringing incident keeps ringing until someone acknowledges
    /// it (unless `stop_on_recovery`): an outage nobody noticed still needs a person.
    pub fn monitor_up(
        &mut self,
        journal: &mut impl Journal,
        monitor: &str,
        now: Timestamp,
    ) -> Option<Incident> {
        let key = Key::monitor(monitor);
        let open = self.open.get(&key)?;
        if open.recovered_at.is_some() {
            return None;
        }
        let resolve = open.state != IncidentState::Ringing || self.stop_on_recovery;
        let event = TimelineEvent::new(now, TimelineKind::Recovered, "the service answers again");
        let changed = self.change(journal, &key, event, |i| i.recovered_at = Some(now));
        if resolve {
            return self.resolve(journal, &key, now, TimelineKind::Resolved);
        }
        changed
    }

    /// Acknowledges one incident, or every ringing and snoozed one when `id` is `None`.
    pub fn acknowledge(
        &mut self,
        journal: &mut impl Journal,
        id: Option<i64>,
        via: AckVia,
        now: Timestamp,
    ) -> Vec<Incident> {
        let targets: Vec<Key> = self
            .open
            .values()
            .filter(|i| id.is_none_or(|id| i.id == id))
            .filter(|i| matches!(i.state, IncidentState::Ringing | IncidentState::Snoozed))
            .map(Incident::key)
            .collect();
        let mut changed = Vec::new();
        for key in targets {
            self.snooze_ends.remove(&key);
            let event = TimelineEvent::new(now, TimelineKind::Acknowledged, format!("via {via}"));
            let Some(incident) = self.change(journal, &key, event, |i| {
                i.state = IncidentState::Acknowledged;
                i.acknowledged_at = Some(now);
                i.acknowledged_via = Some(via);
                i.snoozed_until = None;
            }) else {
                continue;
            };
            if incident.recovered_at.is_some() {
                changed.extend(self.resolve(journal, &key, now, TimelineKind::Resolved));
            } else {
                changed.push(incident);
            }
        }
        changed
    }

    /// Silences every ringing incident for `length` (measured from `mono`, the monotonic
    /// clock); each rings again afterwards if its service is still down.
    pub fn snooze(
        &mut self,
        journal: &mut impl Journal,
        length: Duration,
        now: Timestamp,
        mono: Instant,
    ) -> Vec<Incident> {
        let until = jiff::SignedDuration::try_from(length)
            .ok()
            .and_then(|d| now.checked_add(d).ok())
            .unwrap_or(Timestamp::MAX);
        let ends = mono.checked_add(length);
        let targets: Vec<Key> = self
            .open
            .values()
            .filter(|i| matches!(i.state, IncidentState::Ringing | IncidentState::Snoozed))
            .map(Incident::key)
            .collect();
        let mut changed = Vec::new();
        for key in targets {
            match ends {
                Some(ends) => self.snooze_ends.insert(key.clone(), ends),
                None => self.snooze_ends.remove(&key),
            };
            let event = TimelineEvent::new(now, TimelineKind::Snoozed, format!("until {until}"));
            changed.extend(self.change(journal, &key, event, |i| {
                i.state = IncidentState::Snoozed;
                i.snoozed_until = Some(until);
            }));
        }
        changed
    }

    /// Ends snoozes that ran out: a service still down rings again, one that came back in the
    /// meantime is resolved (the snooze showed someone was awake).
    pub fn tick(
        &mut self,
        journal: &mut impl Journal,
        now: Timestamp,
        mono: Instant,
    ) -> Vec<Incident> {
        let ended: Vec<(Key, bool)> = self
            .open
            .iter()
            .filter(|(_, i)| i.state == IncidentState::Snoozed)
            .filter(|(key, i)| match self.snooze_ends.get(*key) {
                Some(ends) => *ends <= mono,
                None => i.snoozed_until.is_some_and(|u| u <= now),
            })
            .map(|(key, i)| (key.clone(), i.recovered_at.is_some()))
            .collect();
        let mut changed = Vec::new();
        for (key, recovered) in ended {
            self.snooze_ends.remove(&key);
            if recovered {
                changed.extend(self.resolve(journal, &key, now, TimelineKind::Resolved));
                continue;
            }
            let event =
                TimelineEvent::new(now, TimelineKind::SnoozeEnded, "still down; ringing again");
            changed.extend(self.change(journal, &key, event, |i| {
                i.state = IncidentState::Ringing;
                i.snoozed_until = None;
            }));
        }
        changed
    }

    /// Incidents acknowledged more than `timeout` ago whose service is still down ring again,
    /// and their ladder starts over from now: an acknowledgement is a promise to fix it, not
    /// leave to sleep through it.
    pub fn ack_expired(
        &mut self,
        journal: &mut impl Journal,
        timeout: Duration,
        now: Timestamp,
    ) -> Vec<Incident> {
        let timeout = jiff::SignedDuration::try_from(timeout).unwrap_or(jiff::SignedDuration::MAX);
        let expired: Vec<Key> = self
            .open
            .values()
            .filter(|i| i.state == IncidentState::Acknowledged && i.recovered_at.is_none())
            .filter(|i| {
                i.acknowledged_at
                    .is_some_and(|at| now.duration_since(at) >= timeout)
            })
            .map(Incident::key)
            .collect();
        let mut changed = Vec::new();
        for key in expired {
            let event = TimelineEvent::new(
                now,
                TimelineKind::AckExpired,
                "acknowledged, and still down: ringing again",
            );
            changed.extend(self.change(journal, &key, event, |i| {
                i.state = IncidentState::Ringing;
                i.alarm_started_at = Some(now);
            }));
        }
        changed
    }

    /// The machine slept for `length`: the monotonic clock stood still meanwhile, so snoozes
    /// are brought forward by it (a 10-minute snooze over a 2-hour sleep has ended on waking).
    pub fn slept(&mut self, length: Duration, mono: Instant) {
        for ends in self.snooze_ends.values_mut() {
            *ends = ends.checked_sub(length).unwrap_or(mono);
        }
    }

    /// Resolves a removed monitor's incident: nothing will ever check it again.
    pub fn monitor_removed(
        &mut self,
        journal: &mut impl Journal,
        monitor: &str,
        now: Timestamp,
    ) -> Option<Incident> {
        self.resolve(
            journal,
            &Key::monitor(monitor),
            now,
            TimelineKind::MonitorRemoved,
        )
    }

    fn resolve(
        &mut self,
        journal: &mut impl Journal,
        key: &Key,
        now: Timestamp,
        kind: TimelineKind,
    ) -> Option<Incident> {
        let event = TimelineEvent::new(now, kind, "");
        let incident = self.change(journal, key, event, |i| {
            i.state = IncidentState::Resolved;
            i.resolved_at = Some(now);
            i.snoozed_until = None;
        })?;
        self.open.remove(key);
        self.snooze_ends.remove(key);
        Some(incident)
    }

    /// Applies `edit` to the open incident filed under `key` and hands the result, with the
    /// timeline line that explains it, to the journal. `None` when there is no such incident.
    fn change(
        &mut self,
        journal: &mut impl Journal,
        key: &Key,
        event: TimelineEvent,
        edit: impl FnOnce(&mut Incident),
    ) -> Option<Incident> {
        let incident = self.open.get_mut(key)?;
        edit(incident);
        journal.record(incident, vec![event]);
        Some(incident.clone())
    }
}
