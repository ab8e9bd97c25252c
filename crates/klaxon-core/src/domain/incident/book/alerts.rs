//! The book's side of outside alerts: an alert that fires opens (or re-opens) the incident
//! filed under its source and key, and one that stops firing recovers it — resolved at once
//! unless it still rings, exactly as a monitor that answers again.

use jiff::Timestamp;

use super::IncidentBook;
use crate::domain::incident::{Incident, IncidentState, Journal, Key, Origin, TimelineEvent};
use crate::domain::monitor::Evidence;
use crate::domain::states::TimelineKind;

/// One firing alert, as the book needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    pub source: String,
    pub key: String,
    pub title: String,
    pub reason: String,
    /// When the source says it started; never later than now.
    pub since: Option<Timestamp>,
    pub evidence: Evidence,
}

impl IncidentBook {
    /// An alert fires. Returns the incident that changed: a new one, or one that had
    /// recovered and fires again.
    pub fn alert_firing(
        &mut self,
        journal: &mut impl Journal,
        alert: &Firing,
        now: Timestamp,
    ) -> Option<Incident> {
        let key = Key::Alert {
            source: alert.source.clone(),
            key: alert.key.clone(),
        };
        if let Some(open) = self.open.get(&key) {
            open.recovered_at?;
            let event = TimelineEvent::new(now, TimelineKind::DownAgain, alert.reason.clone());
            return self.change(journal, &key, event, |i| i.recovered_at = None);
        }
        let since = alert.since.filter(|s| *s <= now).unwrap_or(now);
        let origin = Origin::Alert {
            source: alert.source.clone(),
            key: alert.key.clone(),
        };
        let said = (alert.reason.as_str(), &alert.evidence);
        let incident = Incident::ringing(self.next_id, origin, &alert.title, said, since, now);
        let timeline = vec![
            TimelineEvent::new(since, TimelineKind::FirstFailure, alert.reason.clone()),
            TimelineEvent::new(
                now,
                TimelineKind::Confirmed,
                format!("{} says it is firing", alert.source),
            ),
            TimelineEvent::new(now, TimelineKind::AlarmStarted, ""),
        ];
        Some(self.open_new(journal, key, incident, timeline))
    }

    /// The source says the alert stopped firing.
    pub fn alert_resolved(
        &mut self,
        journal: &mut impl Journal,
        source: &str,
        key: &str,
        now: Timestamp,
    ) -> Option<Incident> {
        let key = Key::Alert {
            source: source.to_string(),
            key: key.to_string(),
        };
        let open = self.open.get(&key)?;
        if open.recovered_at.is_some() {
            return None;
        }
        let resolve = open.state != IncidentState::Ringing || self.stop_on_recovery;
        let words = format!("{source} says it is resolved");
        let event = TimelineEvent::new(now, TimelineKind::Recovered, words);
        let changed = self.change(journal, &key, event, |i| i.recovered_at = Some(now));
        if resolve {
            return self.resolve(journal, &key, now, TimelineKind::Resolved);
        }
        changed
    }

    /// The keys of a source's open incidents.
    pub fn alerts_of(&self, source: &str) -> Vec<String> {
        self.open
            .keys()
            .filter_map(|k| match k {
                Key::Alert { source: s, key } if s == source => Some(key.clone()),
                _ => None,
            })
            .collect()
    }

    /// Resolves every open incident of a source that is no longer configured.
    pub fn source_removed(
        &mut self,
        journal: &mut impl Journal,
        source: &str,
        now: Timestamp,
    ) -> Vec<Incident> {
        let keys: Vec<Key> = self
            .alerts_of(source)
            .into_iter()
            .map(|key| Key::Alert {
                source: source.to_string(),
                key,
            })
            .collect();
        keys.iter()
            .filter_map(|k| self.resolve(journal, k, now, TimelineKind::MonitorRemoved))
            .collect()
    }

    /// Resolves an acknowledged incident whose purpose is met — a page, once answered: nothing
    /// else would ever say it is over.
    pub fn resolve_acknowledged(
        &mut self,
        journal: &mut impl Journal,
        id: i64,
        now: Timestamp,
    ) -> Option<Incident> {
        let key = self
            .open
            .values()
            .find(|i| i.id == id && i.state == IncidentState::Acknowledged)
            .map(Incident::key)?;
        self.resolve(journal, &key, now, TimelineKind::Resolved)
    }

    /// Adds a line to an open incident's timeline (a silence made, a reply sent).
    pub fn note(
        &mut self,
        journal: &mut impl Journal,
        id: i64,
        kind: TimelineKind,
        detail: String,
        now: Timestamp,
    ) {
        let Some(key) = self.open.values().find(|i| i.id == id).map(Incident::key) else {
            return;
        };
        let event = TimelineEvent::new(now, kind, detail);
        self.change(journal, &key, event, |_| {});
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Lines(Vec<(i64, TimelineKind, String)>);

    impl Journal for Lines {
        fn record(&mut self, incident: &Incident, events: Vec<TimelineEvent>) {
            for e in events {
                self.0.push((incident.id, e.kind, e.detail));
            }
        }
    }

    fn firing(key: &str) -> Firing {
        Firing {
            source: "prod".into(),
            key: key.into(),
            title: "HighErrorRate on api-1".into(),
            reason: "5xx above 5%".into(),
            since: Some("2026-12-01T02:00:00Z".parse().unwrap()),
            evidence: Evidence::default(),
        }
    }

    fn at(min: i64) -> Timestamp {
        Timestamp::from_second(1_796_090_400 + min * 60).unwrap()
    }

    #[test]
    fn an_alert_firing_twice_is_one_incident_that_rings() {
        let (mut book, mut j) = (IncidentBook::default(), Lines::default());
        let opened = book.alert_firing(&mut j, &firing("3f9c"), at(0)).unwrap();
        assert_eq!(opened.state, IncidentState::Ringing);
        assert_eq!(opened.monitor, "HighErrorRate on api-1");
        assert_eq!(
            opened.key(),
            Key::Alert {
                source: "prod".into(),
                key: "3f9c".into()
            }
        );
        assert!(book.alert_firing(&mut j, &firing("3f9c"), at(1)).is_none());
        assert_eq!(book.open_incidents().count(), 1);
        assert!(book.alert_firing(&mut j, &firing("other"), at(1)).is_some());
        assert_eq!(book.open_incidents().count(), 2);
    }

    #[test]
    fn a_resolved_alert_resolves_once_acknowledged_and_not_before() {
        let (mut book, mut j) = (IncidentBook::default(), Lines::default());
        book.alert_firing(&mut j, &firing("3f9c"), at(0));
        let recovered = book.alert_resolved(&mut j, "prod", "3f9c", at(2)).unwrap();
        assert_eq!(
            recovered.state,
            IncidentState::Ringing,
            "nobody has seen it yet"
        );
        let acked = book.acknowledge(&mut j, None, crate::domain::states::AckVia::Cli, at(3));
        assert_eq!(acked[0].state, IncidentState::Resolved);
        assert!(book.alerts_of("prod").is_empty());

        book.alert_firing(&mut j, &firing("b"), at(4));
        book.acknowledge(&mut j, None, crate::domain::states::AckVia::Cli, at(5));
        let resolved = book.alert_resolved(&mut j, "prod", "b", at(6)).unwrap();
        assert_eq!(resolved.state, IncidentState::Resolved);
    }

    #[test]
    fn a_start_in_the_future_is_taken_as_now() {
        let (mut book, mut j) = (IncidentBook::default(), Lines::default());
        let mut alert = firing("k");
        alert.since = Some(at(60));
        let opened = book.alert_firing(&mut j, &alert, at(0)).unwrap();
        assert_eq!(opened.first_failure_at, at(0));
    }
}
