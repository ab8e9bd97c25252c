//! Outside alerts in the owner: each `[[source]]`'s task hands in readings, and the book opens,
//! recovers and resolves the incidents filed under the source. A source that cannot be read is
//! `unreachable` — not an outage of what it watches — and rings as an incident of its own only
//! after `unreachable_alarm_after`, and never while this laptop is offline. Acknowledging an
//! Alertmanager alert asks Alertmanager to silence it; acknowledging a page tells the pager.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::mpsc;

use super::Owner;
use crate::config::{SourceConfig, SourceTarget};
use crate::domain::incident::{Firing, Incident, IncidentState, Origin};
use crate::domain::monitor::Evidence;
use crate::domain::states::{SourceState, TimelineKind};
use crate::domain::status::SourceView;
use crate::engine::source_watch::{Reach, Read, Reading, SourceTask};
use crate::sources::{Alert, MAX_ALERTS};

/// The key of the incident a source rings with when it cannot be read.
pub const UNREACHABLE_KEY: &str = "unreachable";
/// An acknowledged alert is silenced at Alertmanager this long without an `ack_timeout`.
const SILENCE_FOR: Duration = Duration::from_secs(3600);

/// A running source and what `status` shows of it.
pub(crate) struct WatchedSource {
    task: SourceTask,
    pub(super) view: SourceView,
    /// Unreachable (and this laptop online) since then: the alarm clock for it.
    unreachable_since: Option<Timestamp>,
    /// A stream has [`MAX_ALERTS`] open: further alerts are dropped (said once in the log).
    full: bool,
}

/// What the sources need that the rest of the owner does not.
pub(crate) struct SourceDesk {
    pub(super) watched: HashMap<String, WatchedSource>,
    pub(super) readings: mpsc::Receiver<Reading>,
    pub(super) reach: Reach,
    /// A line for an incident's timeline from a task that spoke to a source (a silence made).
    pub(super) notes: mpsc::Receiver<(i64, TimelineKind, String)>,
    notes_tx: mpsc::Sender<(i64, TimelineKind, String)>,
    generation: u64,
}

impl SourceDesk {
    pub(super) fn new(reach: Reach, readings: mpsc::Receiver<Reading>) -> SourceDesk {
        let (notes_tx, notes) = mpsc::channel(64);
        SourceDesk {
            watched: HashMap::new(),
            readings,
            reach,
            notes,
            notes_tx,
            generation: 0,
        }
    }
}

impl Owner {
    /// Follows the config: new and changed sources start (and read at once), removed ones stop
    /// and their incidents resolve.
    pub(super) fn apply_sources(&mut self, sources: &[SourceConfig], now: Timestamp) {
        let gone: Vec<String> = self
            .sources
            .watched
            .keys()
            .filter(|name| !sources.iter().any(|s| &s.name == *name))
            .cloned()
            .collect();
        for name in gone {
            self.sources.watched.remove(&name);
            let changed = self.book.source_removed(&mut self.writer, &name, now);
            self.announce(changed);
        }
        for source in sources {
            if self
                .sources
                .watched
                .get(&source.name)
                .is_some_and(|w| &w.task.config == source)
            {
                continue;
            }
            self.sources.generation += 1;
            let task = SourceTask::start(
                source.clone(),
                self.sources.generation,
                self.sources.reach.clone(),
            );
            let view = SourceView {
                name: source.name.clone(),
                kind: source.kind(),
                state: SourceState::Unknown,
                reason: None,
                last_read: None,
                firing: 0,
            };
            let watched = WatchedSource {
                task,
                view,
                unreachable_since: None,
                full: false,
            };
            self.sources.watched.insert(source.name.clone(), watched);
        }
    }

    /// Reads a source at once: its task starts over, and a new task reads first.
    pub(super) fn check_source(&mut self, name: &str) -> crate::protocol::Reply {
        use crate::protocol::Reply;
        let Some(config) = self
            .sources
            .watched
            .get(name)
            .map(|w| w.task.config.clone())
        else {
            return Reply::Refused {
                message: format!(
                    "no [[source]] is named {:?}",
                    crate::text::printable(&crate::text::bounded(name, 64))
                ),
            };
        };
        self.sources.generation += 1;
        let task = SourceTask::start(config, self.sources.generation, self.sources.reach.clone());
        if let Some(w) = self.sources.watched.get_mut(name) {
            w.task = task;
        }
        Reply::Done {
            message: format!("reading {} now", crate::text::printable(name)),
        }
    }

    /// A reading from a source's task.
    pub(super) fn source_read(&mut self, reading: Reading) {
        let now = self.now();
        let Some(w) = self.sources.watched.get_mut(&reading.source) else {
            return;
        };
        if w.task.generation != reading.generation {
            return;
        }
        let name = reading.source.clone();
        let mut changed = Vec::new();
        match reading.read {
            Read::Unreachable { reason, offline } => {
                w.view.state = SourceState::Unreachable;
                w.view.reason = Some(crate::text::bounded(&reason, 300).into_owned());
                // Offline: this laptop cannot reach anything, so the source's silence says
                // nothing about it.
                w.unreachable_since = if offline {
                    None
                } else {
                    w.unreachable_since.or(Some(now))
                };
            }
            read => {
                w.view.state = SourceState::Reachable;
                w.view.reason = None;
                w.view.last_read = Some(now);
                w.unreachable_since = None;
                changed.extend(self.book.alert_resolved(
                    &mut self.writer,
                    &name,
                    UNREACHABLE_KEY,
                    now,
                ));
                changed.extend(self.take_reading(&name, read, now));
            }
        }
        self.count_firing(&name);
        self.announce(changed);
        self.publish();
    }

    fn take_reading(&mut self, source: &str, read: Read, now: Timestamp) -> Vec<Incident> {
        let mut changed = Vec::new();
        match read {
            Read::Firing(alerts) => {
                let firing: Vec<&str> = alerts.iter().map(|a| a.key.as_str()).collect();
                for key in self.book.alerts_of(source) {
                    if key != UNREACHABLE_KEY && !firing.contains(&key.as_str()) {
                        changed.extend(self.book.alert_resolved(
                            &mut self.writer,
                            source,
                            &key,
                            now,
                        ));
                    }
                }
                for alert in &alerts {
                    if !self.room_for(source, &alert.key) {
                        continue;
                    }
                    changed.extend(self.book.alert_firing(
                        &mut self.writer,
                        &firing_of(source, alert),
                        now,
                    ));
                    if alert.acknowledged {
                        changed.extend(self.acknowledged_at_source(source, &alert.key, now));
                    }
                }
            }
            Read::Fired(alert) => {
                if self.room_for(source, &alert.key) {
                    changed.extend(self.book.alert_firing(
                        &mut self.writer,
                        &firing_of(source, &alert),
                        now,
                    ));
                }
            }
            Read::Resolved { key } => {
                let open: Vec<String> = self
                    .book
                    .alerts_of(source)
                    .into_iter()
                    .filter(|k| k != UNREACHABLE_KEY)
                    .collect();
                // Tools word "down" and "up" differently: with one open alert, a resolution
                // that names another is still about it — unless that alert is a page, which
                // only a message naming it ends (another tool on the topic is not its answer).
                let only_page = open.len() == 1
                    && self.book.open_incidents().any(|i| {
                        matches!(&i.origin, Origin::Alert { source: s, key: k }
                            if s == source && *k == open[0])
                            && is_page(i)
                    });
                let key = if open.contains(&key) || open.len() != 1 || only_page {
                    key
                } else {
                    open[0].clone()
                };
                changed.extend(
                    self.book
                        .alert_resolved(&mut self.writer, source, &key, now),
                );
            }
            Read::Connected | Read::Unreachable { .. } => {}
        }
        changed
    }

    /// Whether the alert under `key` may be (or is) open: at most [`MAX_ALERTS`] of a source's
    /// alerts are open at once — recovered ones still ringing count — so a topic flooding
    /// distinct titles, or a source whose fingerprints change every read, cannot open
    /// thousands of incidents. Dropping is said once in the log until there is room again.
    fn room_for(&mut self, source: &str, key: &str) -> bool {
        let open = self.book.alerts_of(source);
        let full = open.iter().filter(|k| *k != UNREACHABLE_KEY).count() >= MAX_ALERTS;
        let room = !full || open.iter().any(|k| k == key);
        if let Some(w) = self.sources.watched.get_mut(source) {
            if !room && !w.full {
                tracing::warn!(
                    source = %source,
                    "{MAX_ALERTS} alerts open; further ones are dropped until some resolve"
                );
            }
            w.full = full;
        }
        room
    }

    /// Someone has the alert at its source (a silence in Alertmanager): a ringing incident is
    /// acknowledged `via: "source"`.
    fn acknowledged_at_source(&mut self, source: &str, key: &str, now: Timestamp) -> Vec<Incident> {
        let ringing = self.book.open_incidents().find(|i| {
            matches!(&i.origin, Origin::Alert { source: s, key: k } if s == source && k == key)
                && matches!(i.state, IncidentState::Ringing | IncidentState::Snoozed)
        });
        let Some(id) = ringing.map(|i| i.id) else {
            return Vec::new();
        };
        let via = crate::domain::states::AckVia::Source;
        self.book.acknowledge(&mut self.writer, Some(id), via, now)
    }

    fn count_firing(&mut self, source: &str) {
        let firing = self
            .book
            .alerts_of(source)
            .iter()
            .filter(|k| *k != UNREACHABLE_KEY)
            .count();
        if let Some(w) = self.sources.watched.get_mut(source) {
            w.view.firing = firing;
        }
    }

    /// On each tick: a source unreachable past its `unreachable_alarm_after` rings.
    pub(super) fn sound_unreachable_sources(&mut self, now: Timestamp) {
        let due: Vec<Firing> = self
            .sources
            .watched
            .values()
            .filter_map(|w| {
                let since = w.unreachable_since?;
                let after = w.task.config.unreachable_alarm_after?;
                let after = jiff::SignedDuration::try_from(after).ok()?;
                (now.duration_since(since) >= after).then(|| Firing {
                    source: w.view.name.clone(),
                    key: UNREACHABLE_KEY.into(),
                    title: format!("{} ({}) cannot be read", w.view.name, w.view.kind),
                    reason: w.view.reason.clone().unwrap_or_default(),
                    since: Some(since),
                    evidence: Evidence::default(),
                })
            })
            .collect();
        let mut changed = Vec::new();
        for firing in &due {
            changed.extend(self.book.alert_firing(&mut self.writer, firing, now));
        }
        self.announce(changed);
    }

    /// After an incident changed: an acknowledged Alertmanager alert is silenced there, and an
    /// acknowledged page is answered on its topic.
    pub(super) fn tell_source(&mut self, incident: &Incident) {
        let Origin::Alert { source, key } = &incident.origin else {
            return;
        };
        // Acknowledged at the source itself: it knows already.
        if incident.state != IncidentState::Acknowledged
            || key == UNREACHABLE_KEY
            || incident.acknowledged_via == Some(crate::domain::states::AckVia::Source)
        {
            return;
        }
        let Some(w) = self.sources.watched.get(source) else {
            return;
        };
        let (id, notes, now) = (incident.id, self.sources.notes_tx.clone(), self.now());
        let http = self.sources.reach.http.clone();
        let via = incident
            .acknowledged_via
            .map_or("Klaxon".to_string(), |v| format!("Klaxon ({v})"));
        match w.task.config.target.clone() {
            SourceTarget::Alertmanager { url } => {
                let length = self.config.escalation.ack_timeout.unwrap_or(SILENCE_FOR);
                let labels = incident.evidence.labels.clone();
                tokio::spawn(async move {
                    let comment = format!("Acknowledged in {via}; someone is on it.");
                    let said = match crate::sources::revealed(&url).await {
                        Ok(url) => {
                            crate::sources::alertmanager::silence(
                                &http, &url, &labels, length, &comment, now,
                            )
                            .await
                        }
                        Err(e) => Err(e),
                    };
                    let detail = match said {
                        Ok(silence) => format!("silenced in Alertmanager (silence {silence})"),
                        Err(e) => format!("could not be silenced in Alertmanager: {e}"),
                    };
                    let _ = notes.send((id, TimelineKind::SourceSilenced, detail)).await;
                });
            }
            SourceTarget::Ntfy { url, token, .. } if is_page(incident) => {
                let host = gethostname::gethostname().to_string_lossy().into_owned();
                let at = now
                    .to_zoned(jiff::tz::TimeZone::system())
                    .strftime("%H:%M %Z")
                    .to_string();
                let text = format!(
                    "Acknowledged on {} by {via} at {at}: {}",
                    crate::text::bounded(&host, 64),
                    incident.reason
                );
                tokio::spawn(async move {
                    let said =
                        crate::sources::page::reply(&http, &url, token.as_deref(), &text).await;
                    let detail = match said {
                        Ok(()) => "the pager was told it was acknowledged".to_string(),
                        Err(e) => format!("the pager could not be told: {e}"),
                    };
                    let _ = notes.send((id, TimelineKind::Notified, detail)).await;
                });
            }
            _ => {}
        }
    }

    /// A line from a source's errand for an incident's timeline.
    /// An answered page is over once the pager has been told (or could not be).
    pub(super) fn source_noted(&mut self, (id, kind, detail): (i64, TimelineKind, String)) {
        let now = self.now();
        self.book.note(&mut self.writer, id, kind, detail, now);
        let answered_page = kind == TimelineKind::Notified
            && self.book.open_incidents().any(|i| i.id == id && is_page(i));
        if answered_page {
            let resolved = self.book.resolve_acknowledged(&mut self.writer, id, now);
            self.announce(resolved.into_iter().collect());
        }
    }

    pub(super) fn source_views(&self) -> Vec<SourceView> {
        let mut views: Vec<SourceView> = self
            .sources
            .watched
            .values()
            .map(|w| w.view.clone())
            .collect();
        views.sort_by(|a, b| a.name.cmp(&b.name));
        views
    }
}

fn firing_of(source: &str, alert: &Alert) -> Firing {
    Firing {
        source: source.to_string(),
        key: alert.key.clone(),
        title: alert.title.clone(),
        reason: alert.reason.clone(),
        since: alert.since,
        evidence: Evidence {
            labels: alert.labels.clone(),
            ..Evidence::default()
        },
    }
}

/// A teammate's page (`klaxon page`): it rings at full loudness at once.
pub(super) fn is_page(incident: &Incident) -> bool {
    incident
        .evidence
        .labels
        .iter()
        .any(|(k, v)| k == "tag" && v == crate::sources::ntfy::PAGE_TAG)
}
