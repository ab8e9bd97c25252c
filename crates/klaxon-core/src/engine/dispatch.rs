//! The dispatcher: takes each message the ladder hands it, writes it to the outbox (the
//! database) before the first attempt, and sends it — retrying with backoff, honouring a
//! service's `Retry-After` — until it is delivered or given up. Every attempt's outcome goes
//! back to the owner for the incident's timeline.
//!
//! It never holds the owner up: each delivery is a task of its own, and the database is used
//! through connections of its own, off the async threads. A database that cannot be written
//! does not stop a delivery (ring first): it is sent anyway and kept in memory, so within one
//! run a step is still sent once. At start it takes up what a killed Klaxon left pending.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::channels::{self, ATTEMPT_TIMEOUT, Message, PhoneAck};
use crate::config::ChannelConfig;
use crate::domain::states::{ChannelKind, DeliveryEvent, DeliveryState, IncidentState};
use crate::domain::status::IncidentView;
use crate::engine::clock::SharedClock;
use crate::store::{Outcome, Store};

/// What the owner asks of the dispatcher.
#[derive(Debug)]
pub enum Order {
    /// The channels as the config now has them.
    Configure(Vec<ChannelConfig>),
    /// One step of the ladder (or one announcement) for one channel.
    Deliver { channel: String, message: Message },
    /// Tells every channel already notified about this incident (acknowledged, resolved).
    Announce { message: Message },
}

/// How one attempt went, for the incident's timeline.
#[derive(Debug, Clone)]
pub struct Report {
    pub incident_id: i64,
    pub channel: String,
    pub kind: ChannelKind,
    pub event: DeliveryEvent,
    pub outcome: Outcome,
    /// Read back from the outbox (an earlier run, or `klaxon channel test`): for the coverage
    /// verdict only, not a new line on any timeline.
    pub recalled: bool,
}

/// The dispatcher's handle: dropping it stops every delivery in flight.
pub struct Dispatcher {
    orders: mpsc::UnboundedSender<Order>,
    task: tokio::task::JoinHandle<()>,
}

impl Dispatcher {
    pub fn start(
        db: PathBuf,
        channels: Vec<ChannelConfig>,
        clock: SharedClock,
        reports: mpsc::Sender<Report>,
        acks: mpsc::Sender<PhoneAck>,
        ack_key: std::sync::Arc<[u8]>,
    ) -> Dispatcher {
        let (orders, rx) = mpsc::unbounded_channel();
        let http = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let post = Post {
            db,
            channels: by_name(channels),
            http,
            clock,
            reports,
            acks,
            ack_key,
            handed: HashSet::new(),
            flights: JoinSet::new(),
            by_incident: HashMap::new(),
            read_failures: Default::default(),
        };
        Dispatcher {
            orders,
            task: tokio::spawn(post.run(rx)),
        }
    }

    pub fn order(&self, order: Order) {
        let _ = self.orders.send(order);
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn by_name(channels: Vec<ChannelConfig>) -> HashMap<String, ChannelConfig> {
    channels.into_iter().map(|c| (c.name.clone(), c)).collect()
}

struct Post {
    db: PathBuf,
    channels: HashMap<String, ChannelConfig>,
    http: reqwest::Client,
    clock: SharedClock,
    reports: mpsc::Sender<Report>,
    /// Where a Pushover receipt's acknowledgement goes.
    acks: mpsc::Sender<PhoneAck>,
    /// Signs the phone's Acknowledge buttons.
    ack_key: std::sync::Arc<[u8]>,
    /// (incident, channel, step) handed over in this run: sent once even with no database.
    handed: HashSet<(i64, String, String)>,
    /// Deliveries in flight; aborted with the dispatcher.
    flights: JoinSet<()>,
    /// Each incident's flights, so an acknowledgement can stop what is still being tried for
    /// it (retries of its alerts, a Pushover receipt still polled).
    by_incident: HashMap<i64, Vec<tokio::task::AbortHandle>>,
    /// Outbox reads failed in a row: the outbox is read every few seconds, so a database that
    /// cannot be read is said at the first failure and each doubling, not every time (the
    /// store's own problem is already loud in `status`).
    read_failures: std::sync::atomic::AtomicU64,
}

impl Post {
    async fn run(mut self, mut orders: mpsc::UnboundedReceiver<Order>) {
        self.take_up_what_was_left().await;
        // The outbox is also written by `klaxon channel test` in another process: read each
        // channel's newest outcome now and then, so a fixed token shows as fixed.
        let mut recall = tokio::time::interval(std::time::Duration::from_secs(10));
        loop {
            tokio::select! {
                _ = recall.tick() => self.recall().await,
                order = orders.recv() => match order {
                    Some(order) => self.take(order).await,
                    None => return,
                },
                // Reap finished deliveries so the set does not grow over a long run.
                Some(_) = self.flights.join_next(), if !self.flights.is_empty() => {}
            }
        }
    }

    async fn take(&mut self, order: Order) {
        match order {
            Order::Configure(channels) => self.channels = by_name(channels),
            Order::Deliver { channel, message } => self.deliver(channel, message).await,
            Order::Announce { message } => {
                let id = message.incident.id;
                for flight in self.by_incident.remove(&id).unwrap_or_default() {
                    flight.abort();
                }
                let told = self.read(move |s| s.deliveries_for(id)).await;
                let channels: HashSet<String> = told
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|d| d.state == DeliveryState::Delivered)
                    .map(|d| d.channel)
                    .collect();
                for channel in channels {
                    self.deliver(channel, message.clone()).await;
                }
            }
        }
    }

    /// Writes the delivery down, then sends it unless it already went out.
    async fn deliver(&mut self, channel: String, message: Message) {
        let key = (message.incident.id, channel.clone(), message.step.clone());
        if !self.handed.insert(key) {
            return;
        }
        let Some(config) = self.channels.get(&channel).cloned() else {
            return;
        };
        // Written down in the delivery's own task: a database another program holds makes
        // each delivery wait for it at once, not one after another.
        self.fly(config, message, Start::Enqueue, 0);
    }

    /// After a restart: what was written down but not delivered goes out now — unless its
    /// last attempt was cut off by the kill and the service turns out to have it already.
    async fn take_up_what_was_left(&mut self) {
        self.watch_receipts_again().await;
        let left = self
            .read(|s| s.pending_deliveries())
            .await
            .unwrap_or_default();
        for delivery in left {
            let Some(config) = self.channels.get(&delivery.channel).cloned() else {
                continue;
            };
            let incident_id = delivery.incident_id;
            let incident = self.read(move |s| s.incident(incident_id)).await.flatten();
            let Some(incident) = incident else { continue };
            self.handed
                .insert((incident_id, delivery.channel.clone(), delivery.step.clone()));
            let message = Message {
                event: delivery.event,
                incident: IncidentView::from(&incident),
                step: delivery.step.clone(),
                delivery: Some(delivery.id),
                ack_code: None,
            };
            // Whether a message cut off by the kill arrived is asked in its own task: a
            // service that does not answer holds up no other delivery.
            let start = if delivery.in_flight {
                Start::Unsure(delivery.id, delivery.created_at)
            } else {
                Start::Row(delivery.id)
            };
            self.fly(config, message, start, delivery.attempts);
        }
    }

    /// Pushover emergencies still running on the phone for incidents that still ring: their
    /// receipts are watched again, so an acknowledgement made there while Klaxon was stopped
    /// still counts.
    async fn watch_receipts_again(&mut self) {
        let expire = jiff::SignedDuration::try_from(channels::pushover::EXPIRE).unwrap_or_default();
        let since = self
            .clock
            .now()
            .checked_sub(expire)
            .unwrap_or(self.clock.now());
        let receipts = self
            .read(move |s| s.receipts_since(since))
            .await
            .unwrap_or_default();
        for (delivery, receipt) in receipts {
            let Some(channel) = self.channels.get(&delivery.channel).cloned() else {
                continue;
            };
            let id = delivery.incident_id;
            let incident = self.read(move |s| s.incident(id)).await.flatten();
            if incident.is_none_or(|i| i.state != IncidentState::Ringing) {
                continue;
            }
            let (http, acks) = (self.http.clone(), self.acks.clone());
            let watcher = self
                .flights
                .spawn(channels::pushover::watch(http, channel, receipt, id, acks));
            self.by_incident.entry(id).or_default().push(watcher);
        }
    }

    async fn recall(&self) {
        let last = self.read(|s| s.last_delivery_per_channel()).await;
        for d in last.unwrap_or_default() {
            let Some(channel) = self.channels.get(&d.channel) else {
                continue;
            };
            let outcome = match d.state {
                DeliveryState::Delivered => Outcome::Delivered,
                DeliveryState::Failed => Outcome::Failed {
                    error: d.last_error.unwrap_or_default(),
                    retry_at: None,
                },
                // Still being tried: its attempts report as they happen.
                DeliveryState::Pending => continue,
            };
            let report = Report {
                incident_id: d.incident_id,
                channel: d.channel.clone(),
                kind: channel.kind(),
                event: d.event,
                outcome,
                recalled: true,
            };
            let _ = self.reports.send(report).await;
        }
    }

    /// One delivery's attempts, in a task of its own, until delivered or given up.
    fn fly(&mut self, channel: ChannelConfig, message: Message, start: Start, done: u32) {
        let message = Message {
            ack_code: Some(channels::ntfy::ack_code(&self.ack_key, message.incident.id)),
            ..message
        };
        let (http, clock, reports, db, acks) = (
            self.http.clone(),
            self.clock.clone(),
            self.reports.clone(),
            self.db.clone(),
            self.acks.clone(),
        );
        let incident_id = message.incident.id;
        let announcement = matches!(
            message.event,
            DeliveryEvent::Acknowledged | DeliveryEvent::Resolved
        );
        let flight = self.flights.spawn(async move {
            let (row, mut attempt) = match start {
                Start::Row(id) => (Some(id), done),
                Start::Unsure(id, since) => {
                    if channels::already_arrived(&http, &channel, id, since).await {
                        let now = clock.now();
                        write(db, move |s| s.record_attempt(id, &Outcome::Delivered, now)).await;
                        let report = Report {
                            incident_id: message.incident.id,
                            channel: channel.name.clone(),
                            kind: channel.kind(),
                            event: message.event,
                            outcome: Outcome::Delivered,
                            recalled: false,
                        };
                        let _ = reports.send(report).await;
                        return;
                    }
                    (Some(id), done)
                }
                Start::Enqueue => {
                    let (id, step, event) =
                        (message.incident.id, message.step.clone(), message.event);
                    let (name, now, db) = (channel.name.clone(), clock.now(), db.clone());
                    let row = write(db, move |s| {
                        s.enqueue_delivery(id, &name, &step, event, now)
                    })
                    .await;
                    match row {
                        Some(d) if d.state != DeliveryState::Pending => return,
                        Some(d) => (Some(d.id), d.attempts),
                        None => (None, 0),
                    }
                }
            };
            let message = Message {
                delivery: row.or(message.delivery),
                ..message
            };
            loop {
                if let Some(id) = row {
                    // Written before anything is sent, and waited for.
                    let db = db.clone();
                    let _ =
                        tokio::task::spawn_blocking(move || Store::open(&db)?.begin_attempt(id))
                            .await;
                }
                let now = clock.now();
                let (outcome, receipt) =
                    channels::send(&http, &channel, &message, attempt, now).await;
                if let Some(id) = row {
                    let (db, outcome, now) = (db.clone(), outcome.clone(), clock.now());
                    let kept = receipt.clone();
                    // The receipt first: a delivery shown as delivered has it kept.
                    let _ = tokio::task::spawn_blocking(move || {
                        let mut store = Store::open(&db)?;
                        if let Some(receipt) = kept {
                            store.set_receipt(id, &receipt)?;
                        }
                        store.record_attempt(id, &outcome, now)
                    })
                    .await;
                }
                let report = Report {
                    incident_id: message.incident.id,
                    channel: channel.name.clone(),
                    kind: channel.kind(),
                    event: message.event,
                    outcome: outcome.clone(),
                    recalled: false,
                };
                let _ = reports.send(report).await;
                if let Some(receipt) = receipt {
                    let id = message.incident.id;
                    channels::pushover::watch(http, channel, receipt, id, acks).await;
                    return;
                }
                let Outcome::Failed {
                    retry_at: Some(at), ..
                } = outcome
                else {
                    return;
                };
                attempt += 1;
                let wait = Timestamp::duration_since(at, clock.now());
                let wait = std::time::Duration::try_from(wait).unwrap_or_default();
                tokio::time::sleep(wait).await;
            }
        });
        // An announcement is not stopped by the next one; alerts and receipts are.
        if !announcement {
            let flights = self.by_incident.entry(incident_id).or_default();
            flights.retain(|f| !f.is_finished());
            flights.push(flight);
        }
    }

    async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Store) -> crate::Result<T> + Send + 'static,
    ) -> Option<T> {
        let db = self.db.clone();
        let read = tokio::task::spawn_blocking(move || read(&Store::open_read_only(&db)?)).await;
        use std::sync::atomic::Ordering::Relaxed;
        match read {
            Ok(Ok(value)) => {
                if self.read_failures.swap(0, Relaxed) > 0 {
                    tracing::info!("the outbox can be read again");
                }
                Some(value)
            }
            Ok(Err(e)) => {
                let failures = self.read_failures.fetch_add(1, Relaxed) + 1;
                if failures.is_power_of_two() {
                    tracing::warn!("reading the outbox failed ({failures} times in a row): {e}");
                }
                None
            }
            Err(_) => None,
        }
    }
}

/// Where a delivery's task begins.
enum Start {
    /// Its row is in the outbox already (taken up after a restart).
    Row(i64),
    /// Its row, whose last attempt was cut off by a kill: the service is asked first whether
    /// it has the message (written since then).
    Unsure(i64, Timestamp),
    /// It is written down first, unless this step was written (and sent) before.
    Enqueue,
}

async fn write<T: Send + 'static>(
    db: PathBuf,
    change: impl FnOnce(&mut Store) -> crate::Result<T> + Send + 'static,
) -> Option<T> {
    let written = tokio::task::spawn_blocking(move || change(&mut Store::open(&db)?)).await;
    match written {
        Ok(Ok(value)) => Some(value),
        Ok(Err(e)) => {
            tracing::warn!("writing the outbox failed (sending anyway): {e}");
            None
        }
        Err(_) => None,
    }
}
