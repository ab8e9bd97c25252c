//! The escalation ladder, climbed by the owner on every tick: each channel's step that has come
//! due for an unacknowledged incident is handed to the dispatcher once (the outbox keeps it
//! once across restarts), and again every `repeat_every` while nobody answers. An
//! acknowledgement from anywhere stops the climb; the channels already told hear that it was
//! acknowledged and, later, resolved. A tap on the phone comes back as an acknowledgement.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Owner;
use crate::channels::Message;
use crate::channels::ntfy::PhoneAck;
use crate::config::{ChannelConfig, ChannelTarget};
use crate::domain::incident::Incident;
use crate::domain::states::{AckVia, DeliveryEvent, IncidentState, TimelineKind};
use crate::domain::status::IncidentView;
use crate::engine::clock::SharedClock;
use crate::engine::dispatch::{Dispatcher, Order, Report};
use crate::engine::phone_acks;
use crate::store::{Outcome, Write};

/// Everything that reaches past the laptop: the dispatcher, its reports, and the listeners
/// for the phone's acknowledgements.
pub(super) struct Outreach {
    dispatcher: Dispatcher,
    pub(super) reports: mpsc::Receiver<Report>,
    pub(super) acks: mpsc::Receiver<PhoneAck>,
    acks_tx: mpsc::Sender<PhoneAck>,
    listeners: Vec<JoinHandle<()>>,
    /// (incident, channel, step) handed to the dispatcher in this run.
    handed: HashSet<(i64, String, String)>,
    db: PathBuf,
    started: Timestamp,
    /// Signs the phone's Acknowledge buttons; a tap is taken only with its incident's code.
    ack_key: std::sync::Arc<[u8]>,
}

impl Outreach {
    pub(super) fn start(
        data_dir: &std::path::Path,
        channels: &[ChannelConfig],
        clock: SharedClock,
    ) -> Outreach {
        let files = crate::paths::DataFiles::new(data_dir);
        let db = files.database();
        let ack_key = ack_key(&files.ack_key());
        let (reports_tx, reports) = mpsc::channel(256);
        let (acks_tx, acks) = mpsc::channel(64);
        let started = clock.now();
        let dispatcher = Dispatcher::start(
            db.clone(),
            channels.to_vec(),
            clock,
            reports_tx,
            acks_tx.clone(),
            ack_key.clone(),
        );
        let mut outreach = Outreach {
            dispatcher,
            reports,
            acks,
            acks_tx,
            listeners: Vec::new(),
            handed: HashSet::new(),
            db,
            started,
            ack_key,
        };
        outreach.listen(channels);
        outreach
    }

    /// The channels changed (a reload): the dispatcher and the listeners follow.
    pub(super) fn configure(&mut self, channels: &[ChannelConfig]) {
        self.dispatcher.order(Order::Configure(channels.to_vec()));
        self.listen(channels);
    }

    /// One listener per ntfy channel with an ack topic.
    fn listen(&mut self, channels: &[ChannelConfig]) {
        for old in self.listeners.drain(..) {
            old.abort();
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .build()
            .unwrap_or_default();
        for channel in channels {
            if let ChannelTarget::Ntfy {
                ack_topic: Some(_), ..
            } = &channel.target
            {
                let task = phone_acks::listen(
                    http.clone(),
                    channel.clone(),
                    self.db.clone(),
                    self.started,
                    self.acks_tx.clone(),
                    self.ack_key.clone(),
                );
                self.listeners.push(tokio::spawn(task));
            }
        }
    }
}

/// This installation's ack key: read from the data dir, or made (32 random bytes, 0600) on
/// first use. Without a place to keep it, a key for this run only: buttons sent before a
/// restart then no longer acknowledge, which `klaxon ack` and the window still do.
fn ack_key(path: &std::path::Path) -> std::sync::Arc<[u8]> {
    if let Ok(key) = std::fs::read(path)
        && key.len() == 32
    {
        return key.into();
    }
    let mut key = [0u8; 32];
    if let Err(e) = getrandom::fill(&mut key) {
        tracing::error!("no randomness for the ack key ({e}); the phone's buttons are unsigned");
    }
    if let Err(e) = crate::data_dir::write_private(path, &key) {
        tracing::warn!("keeping the ack key at {} failed: {e}", path.display());
    }
    key.to_vec().into()
}

impl Drop for Outreach {
    fn drop(&mut self) {
        for listener in &self.listeners {
            listener.abort();
        }
    }
}

impl Owner {
    /// Hands every channel step that has come due to the dispatcher, once. Steps count from
    /// when the alarm started, which an expired acknowledgement sets again: the ladder then
    /// climbs anew, under new step names.
    pub(super) fn climb_ladders(&mut self, now: Timestamp) {
        if let Some(timeout) = self.config.escalation.ack_timeout {
            let changed = self.book.ack_expired(&mut self.writer, timeout, now);
            self.announce(changed);
        }
        let escalation = &self.config.escalation;
        let mut due = Vec::new();
        for incident in self.book.open_incidents() {
            if incident.state != IncidentState::Ringing {
                continue;
            }
            let since = incident.alarm_started_at.unwrap_or(incident.opened_at);
            let open_for = Duration::try_from(now.duration_since(since)).unwrap_or_default();
            // The first climb keeps the plain names; a climb after an expired
            // acknowledgement is named by when it began.
            let round = match since == incident.opened_at {
                true => String::new(),
                false => format!(" from {}", since.as_second()),
            };
            for (i, channel) in escalation.channels() {
                let after = escalation.steps[i].after;
                if after > open_for {
                    continue;
                }
                let step = format!("step {}{round}", i + 1);
                // Only the latest repeat: one missed while asleep is not sent in a burst.
                let repeats = escalation.repeat_every.map_or(0, |every| {
                    (open_for - after).as_secs() / every.as_secs().max(1)
                });
                let (step, event) = match repeats {
                    0 => (step, DeliveryEvent::Opened),
                    r => (format!("{step} repeat {r}"), DeliveryEvent::Reminder),
                };
                due.push((incident.id, channel.to_string(), step, event, incident));
            }
        }
        let orders: Vec<_> = due
            .into_iter()
            .filter(|(id, channel, step, ..)| {
                self.outreach
                    .handed
                    .insert((*id, channel.clone(), step.clone()))
            })
            .map(|(_, channel, step, event, incident)| Order::Deliver {
                channel,
                message: Message {
                    event,
                    incident: IncidentView::from(incident),
                    step,
                    delivery: None,
                    ack_code: None,
                },
            })
            .collect();
        for order in orders {
            self.outreach.dispatcher.order(order);
        }
    }

    /// An incident acknowledged or resolved: the channels already told hear about it.
    pub(super) fn tell_channels(&mut self, incident: &Incident) {
        let event = match incident.state {
            IncidentState::Acknowledged => DeliveryEvent::Acknowledged,
            IncidentState::Resolved => DeliveryEvent::Resolved,
            IncidentState::Ringing | IncidentState::Snoozed => return,
        };
        let message = Message {
            event,
            incident: IncidentView::from(incident),
            step: event.as_str().to_string(),
            delivery: None,
            ack_code: None,
        };
        self.outreach.dispatcher.order(Order::Announce { message });
    }

    /// A delivery's outcome, as a line on its incident's timeline.
    pub(super) fn delivery_reported(&mut self, report: Report) {
        self.watchfulness
            .channels
            .insert(report.channel.clone(), report.outcome.clone());
        if report.recalled {
            return;
        }
        let who = format!("{} ({})", report.channel, report.kind);
        let (kind, detail) = match (&report.outcome, report.event) {
            (Outcome::Delivered, DeliveryEvent::Acknowledged) => (
                TimelineKind::Notified,
                format!("{who} told it was acknowledged"),
            ),
            (Outcome::Delivered, DeliveryEvent::Resolved) => {
                (TimelineKind::Notified, format!("{who} told it is resolved"))
            }
            (Outcome::Delivered, _) => (TimelineKind::Notified, format!("{who} notified")),
            (Outcome::Failed { error, retry_at }, _) => {
                let next = if retry_at.is_some() {
                    "; trying again"
                } else {
                    ""
                };
                (
                    TimelineKind::DeliveryFailed,
                    format!("{who}: {error}{next}"),
                )
            }
        };
        tracing::info!(incident = report.incident_id, "{detail}");
        let event = crate::domain::incident::TimelineEvent {
            at: self.now(),
            kind,
            detail,
        };
        self.writer.send(Write::Timeline {
            incident_id: report.incident_id,
            event,
        });
    }

    /// A tap on the phone's Acknowledge button.
    pub(super) fn phone_acked(&mut self, ack: PhoneAck) {
        let now = self.now();
        let id = Some(ack.incident_id);
        let changed = self
            .book
            .acknowledge(&mut self.writer, id, AckVia::Phone, now);
        if !changed.is_empty() {
            tracing::warn!(incident = ack.incident_id, channel = %ack.channel, "acknowledged from the phone");
        }
        self.announce(changed);
    }
}
