//! The owner task's state and its message loop. See the parent module for why it is one task.

mod commands;
mod coverage;
mod faults;
mod ladder;
mod local_fault;
mod maintenance;
mod reload;
mod siren_sync;
#[cfg(test)]
mod snapshot_tests;
mod sources;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::{EngineOptions, Envelope};
use crate::config::Config;
use crate::domain::incident::{Incident, IncidentBook};
use crate::domain::monitor::{Sample, Verdict};
use crate::domain::states::UnwatchedCause;
use crate::domain::status::{Event, IncidentView, MonitorView, PausedUntil, Status};
use crate::engine::schedule::{self, Context, Crash, Directions, MonitorTask, Observation};
use crate::error::Result;
use crate::protocol::SlipStats;
use crate::store::{MonitorRow, RAW_WINDOW, StoreHealth, StoreWriter, Write};

/// Keep the most recent slips only, so memory stays flat on a long run.
const SLIP_WINDOW: usize = 100_000;

struct Watched {
    task: Option<MonitorTask>,
    view: MonitorView,
    verdict: Verdict,
    failing_since: Option<Timestamp>,
    dirty: bool,
}

pub(super) struct Owner {
    options: EngineOptions,
    config: Config,
    config_error: Option<String>,
    /// Everything to be written down goes here; it never blocks (see `store::writer`).
    writer: StoreWriter,
    store_health: watch::Receiver<StoreHealth>,
    store_notice: Option<String>,
    /// The store problem last announced, to notify once per episode.
    store_problem_shown: Option<String>,
    /// Klaxon's own faults since start, newest last (bounded).
    faults: Vec<String>,
    crashes: mpsc::UnboundedReceiver<Crash>,
    crashes_tx: mpsc::UnboundedSender<Crash>,
    /// Recent restarts per monitor, to stop a crash loop.
    restarts: HashMap<String, Vec<tokio::time::Instant>>,
    ticks: u64,
    book: IncidentBook,
    order: Vec<String>,
    watched: HashMap<String, Watched>,
    ctx: Arc<Context>,
    directions: watch::Sender<Directions>,
    observations: mpsc::Receiver<Observation>,
    observations_tx: mpsc::Sender<Observation>,
    wakes: mpsc::Receiver<(Timestamp, Timestamp)>,
    sleep_watch: JoinHandle<()>,
    _config_watch: Option<notify::RecommendedWatcher>,
    pending: Vec<(String, Sample)>,
    paused: Option<(Timestamp, PausedUntil)>,
    /// When a timed pause ends, by the monotonic clock (wall time is for display only).
    pause_ends: Option<tokio::time::Instant>,
    /// Since when the witnesses say this machine is offline; recorded as unmonitored time
    /// (cause `offline`) when it ends.
    blind_since: Option<Timestamp>,
    generation: u64,
    /// A ring: the oldest goes as the newest comes, in constant time (a `Vec`'s `remove(0)`
    /// moved all 100,000 on every check once the window was full).
    slips: std::collections::VecDeque<f64>,
    slip_count: u64,
    last_rollup: Option<Timestamp>,
    status: watch::Sender<Status>,
    events: broadcast::Sender<Event>,
    siren: crate::engine::siren::Siren,
    sound: watch::Receiver<crate::engine::siren::SoundStatus>,
    /// When the current ringing started, for the siren's escalation.
    ringing_since: Option<std::time::Instant>,
    /// The awake check's code while something rings.
    ack_code: Option<String>,
    keep_awake: crate::engine::keep_awake::KeepAwake,
    /// Checks this machine could not make (out of files, memory, ports): shown, never judged.
    local_faults: local_fault::LocalFaults,
    /// The ladder's channels: the dispatcher and the phone's way back.
    outreach: ladder::Outreach,
    /// Pings a watchdog elsewhere while on call.
    heartbeat: crate::engine::heartbeat::Heartbeat,
    /// Tells the phone before the machine sleeps; `farewell` has the channels to tell on quit.
    leaving: crate::engine::leaving::SleepWatch,
    farewell: watch::Sender<Vec<crate::config::ChannelConfig>>,
    /// What the coverage verdict remembers (power, the channels' last outcomes).
    watchfulness: coverage::Watchfulness,
    /// Monitoring that runs elsewhere: its tasks, their readings, what they said.
    sources: sources::SourceDesk,
    /// Outages held through maintenance windows.
    held: maintenance::Held,
}

impl Owner {
    pub(super) fn new(
        options: EngineOptions,
        config: Config,
        writer: StoreWriter,
        book: IncidentBook,
        status: watch::Sender<Status>,
        events: broadcast::Sender<Event>,
        commands: mpsc::Sender<Envelope>,
    ) -> Result<Owner> {
        let (observations_tx, observations) = mpsc::channel(1024);
        let (directions, directions_rx) = watch::channel(Directions::default());
        let (wakes_tx, wakes) = mpsc::channel(8);
        let (crashes_tx, crashes) = mpsc::unbounded_channel();
        let ctx = Arc::new(reload::context(
            &config,
            observations_tx.clone(),
            directions_rx,
            crashes_tx.clone(),
            &options,
            tokio::time::Instant::now(),
        ));
        let sleep_watch = schedule::watch_for_sleep(options.clock.clone(), wakes_tx);
        let (readings_tx, readings) = mpsc::channel(256);
        let reach = crate::engine::source_watch::Reach {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::limited(3))
                .build()
                .unwrap_or_default(),
            witnesses: ctx.witnesses.clone(),
            readings: readings_tx,
            db: crate::paths::DataFiles::new(&options.data_dir).database(),
            start: options.clock.now(),
        };
        let siren = crate::engine::siren::Siren::start(&config.alarm, Some(&options.data_dir));
        let outreach =
            ladder::Outreach::start(&options.data_dir, &config.channels, options.clock.clone());
        let mut owner = Owner {
            outreach,
            heartbeat: Default::default(),
            leaving: Default::default(),
            farewell: watch::channel(Vec::new()).0,
            watchfulness: Default::default(),
            sources: sources::SourceDesk::new(reach, readings),
            held: Default::default(),
            _config_watch: super::watch_file::watch(&options.config_path, commands),
            options,
            config: Config {
                alarm: config.alarm.clone(),
                judge: config.judge.clone(),
                monitors: Vec::new(),
                product: config.product.clone(),
                channels: config.channels.clone(),
                escalation: config.escalation.clone(),
                heartbeat: None,
                sources: Vec::new(),
                page: config.page.clone(),
                maintenance: Vec::new(),
            },
            config_error: None,
            store_health: writer.health(),
            writer,
            store_notice: None,
            store_problem_shown: None,
            faults: Vec::new(),
            crashes,
            crashes_tx,
            restarts: HashMap::new(),
            ticks: 0,
            book,
            order: Vec::new(),
            watched: HashMap::new(),
            ctx,
            directions,
            observations,
            observations_tx,
            wakes,
            sleep_watch,
            pending: Vec::new(),
            paused: None,
            pause_ends: None,
            blind_since: None,
            generation: 0,
            slips: std::collections::VecDeque::new(),
            slip_count: 0,
            last_rollup: None,
            status,
            events,
            sound: siren.status(),
            siren,
            ringing_since: None,
            ack_code: None,
            keep_awake: crate::engine::keep_awake::KeepAwake::default(),
            local_faults: local_fault::LocalFaults::default(),
        };
        owner.apply(config);
        Ok(owner)
    }

    pub(super) async fn run(
        mut self,
        mut commands: mpsc::Receiver<Envelope>,
        mut shutdown: oneshot::Receiver<()>,
    ) {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        self.publish();
        loop {
            tokio::select! {
                Some(obs) = self.observations.recv() => self.observed(obs),
                Some((command, reply)) = commands.recv() => {
                    let answer = self.command(command);
                    let _ = reply.send(answer);
                    self.publish();
                }
                Some((slept, woke)) = self.wakes.recv() => self.woke(slept, woke),
                Some(crash) = self.crashes.recv() => self.crashed(crash),
                Ok(()) = self.sound.changed() => self.sound_changed(),
                Ok(()) = self.store_health.changed() => self.store_changed(),
                _ = tick.tick() => self.tick(),
                Some(report) = self.outreach.reports.recv() => {
                    self.delivery_reported(report);
                    self.publish();
                }
                Some(reading) = self.sources.readings.recv() => self.source_read(reading),
                Some(note) = self.sources.notes.recv() => {
                    self.source_noted(note);
                    self.publish();
                }
                Some(ack) = self.outreach.acks.recv() => {
                    self.phone_acked(ack);
                    self.publish();
                }
                _ = &mut shutdown => break,
            }
        }
        self.flush();
        self.sleep_watch.abort();
        // The last writes, off the runtime's threads: a locked database may take a while.
        let writer = self.writer;
        let _ = tokio::task::spawn_blocking(move || writer.finish()).await;
    }

    /// The channels to tell when Klaxon quits, following the config.
    pub(super) fn farewell(&self) -> watch::Receiver<Vec<crate::config::ChannelConfig>> {
        self.farewell.subscribe()
    }

    fn now(&self) -> Timestamp {
        self.options.clock.now()
    }

    fn observed(&mut self, obs: Observation) {
        if self.local_fault_seen(&obs) {
            return;
        }
        let now = self.now();
        let Some(w) = self.watched.get_mut(&obs.monitor) else {
            return;
        };
        if w.task
            .as_ref()
            .is_none_or(|t| t.generation != obs.generation)
        {
            return;
        }
        self.slip_count += 1;
        if self.slips.len() >= SLIP_WINDOW {
            self.slips.pop_front();
        }
        self.slips.push_back(obs.slip.as_secs_f64() * 1000.0);
        let s = &obs.sample;
        if s.ok {
            if obs.verdict == Verdict::Up {
                w.failing_since = None;
            }
        } else {
            w.failing_since.get_or_insert(s.at);
        }
        w.view.last_checked = Some(s.at);
        w.view.latency_ms = Some(u64::try_from(s.latency.as_millis()).unwrap_or(u64::MAX));
        w.view.reason = Some(s.reason.clone());
        w.dirty = true;
        let changed = w.verdict != obs.verdict;
        w.verdict = obs.verdict;
        if self.paused.is_none() {
            w.view.state = obs.verdict.state();
        }
        let failing_since = w.failing_since.unwrap_or(s.at);
        let view = w.view.clone();
        self.pending.push((obs.monitor.clone(), obs.sample.clone()));
        if changed {
            tracing::info!(monitor = %obs.monitor, state = obs.verdict.state().as_str(), reason = %s.reason, "monitor changed");
            let _ = self.events.send(Event::MonitorChanged { monitor: view });
        }
        let held = obs.verdict == Verdict::Down
            && self.hold_in_maintenance(&obs.monitor, failing_since, &obs.sample, now);
        if obs.verdict == Verdict::Up {
            self.release_held(&obs.monitor);
        }
        let incident = match obs.verdict {
            Verdict::Down if held => None,
            Verdict::Down => self.book.monitor_down(
                &mut self.writer,
                &obs.monitor,
                failing_since,
                &obs.sample,
                now,
            ),
            Verdict::Up => self.book.monitor_up(&mut self.writer, &obs.monitor, now),
            Verdict::Offline | Verdict::Unknown => None,
        };
        self.announce(incident.into_iter().collect());
        // Blindness can only change with a verdict: looking over every monitor on each check
        // was a twentieth of the engine's CPU with 1,000 monitors.
        if changed {
            self.update_blind();
            self.publish();
        }
    }

    /// Tells everyone about changed incidents; the siren follows in `publish`.
    fn announce(&mut self, changed: Vec<Incident>) {
        if changed.is_empty() {
            return;
        }
        // Ring first: the siren starts before anyone is told or anything is logged.
        self.publish();
        for incident in &changed {
            tracing::warn!(id = incident.id, monitor = %incident.monitor, state = incident.state.as_str(), "incident");
            let _ = self.events.send(Event::IncidentChanged {
                incident: incident.into(),
            });
            siren_sync::notify_incident(incident);
        }
        for incident in &changed {
            self.tell_channels(incident);
            self.tell_source(incident);
        }
    }

    fn woke(&mut self, slept: Timestamp, woke: Timestamp) {
        tracing::info!(%slept, %woke, "the machine slept; re-checking after a grace period");
        self.writer.send(Write::Unmonitored {
            from: slept,
            to: woke,
            cause: UnwatchedCause::Suspend,
        });
        // Snoozes and pauses count the time asleep, which the monotonic clock does not.
        let asleep = Duration::try_from(woke.duration_since(slept)).unwrap_or_default();
        let mono = tokio::time::Instant::now();
        self.book.slept(asleep, mono);
        self.pause_ends = self
            .pause_ends
            .map(|ends| ends.checked_sub(asleep).unwrap_or(mono));
        let _ = self.events.send(Event::Unmonitored {
            from: slept,
            to: woke,
            cause: UnwatchedCause::Suspend,
        });
    }

    fn tick(&mut self) {
        let now = self.now();
        let mono = tokio::time::Instant::now();
        self.ticks += 1;
        if self.ticks == 3 && crate::engine::fault_injection::fire("owner") {
            panic!("injected fault: the owner task panics (KLAXON_INJECT_PANIC=owner)");
        }
        let changed = self.book.tick(&mut self.writer, now, mono);
        self.announce(changed);
        self.climb_ladders(now);
        self.sound_unreachable_sources(now);
        self.end_maintenance(now);
        let on_call =
            (!self.watched.is_empty() || !self.sources.watched.is_empty()) && self.paused.is_none();
        self.heartbeat.tick(on_call, mono);
        self.watchfulness.look_at_power(mono);
        let coverage = self.coverage();
        if self.status.borrow().coverage.as_ref() != Some(&coverage) {
            self.publish();
        }
        if self.pause_ends.is_some_and(|ends| ends <= mono) {
            self.resume(now);
        }
        self.flush();
        if self
            .last_rollup
            .is_none_or(|t| now.duration_since(t) > jiff::SignedDuration::from_mins(10))
        {
            self.last_rollup = Some(now);
            let before = now
                .checked_sub(jiff::SignedDuration::try_from(RAW_WINDOW).unwrap_or_default())
                .unwrap_or(now);
            self.writer.send(Write::RollUp { before });
        }
        self.publish();
    }

    fn flush(&mut self) {
        let states: Vec<MonitorRow> = self
            .watched
            .values_mut()
            .filter_map(|w| std::mem::take(&mut w.dirty).then_some(&*w))
            .map(|w| MonitorRow::from(&w.view))
            .collect();
        if self.pending.is_empty() && states.is_empty() {
            return;
        }
        let samples = std::mem::take(&mut self.pending);
        self.writer.send(Write::Samples { samples, states });
    }

    /// Makes `config` the running one: starts, restarts and stops only the monitors that changed.
    fn update_blind(&mut self) {
        let blind = self.watched.values().any(|w| w.verdict == Verdict::Offline);
        if blind == self.blind_since.is_some() {
            return;
        }
        let now = self.now();
        if blind {
            self.blind_since = Some(now);
            tracing::warn!("Klaxon is blind: this machine seems offline (no witness answers)");
            crate::engine::desktop::notify(
                "Klaxon cannot see",
                "This machine seems offline: nothing can be checked until it is back.",
            );
        } else if let Some(since) = self.blind_since.take() {
            self.writer.send(Write::Unmonitored {
                from: since,
                to: now,
                cause: UnwatchedCause::Offline,
            });
        }
        let _ = self.events.send(Event::Blind { blind });
    }

    fn snapshot(&self) -> Status {
        // Each `watch` borrow is a read lock that another thread (the siren player, the store
        // writer) may be queueing to write behind: take every one in its own statement, never
        // two at once, or the owner and that thread wait on each other for ever.
        let sound = self.sound.borrow().clone();
        let store_problem = self.store_health.borrow().summary();
        let coverage = self.coverage();
        let sources = self.source_views();
        let maintenance = self.maintenance_views(self.now());
        Status {
            sources,
            maintenance,
            monitors: self
                .order
                .iter()
                .filter_map(|n| self.watched.get(n))
                .map(|w| w.view.clone())
                .collect(),
            incidents: self.book.open_incidents().map(IncidentView::from).collect(),
            blind: self.blind_since.is_some(),
            blind_since: self.blind_since,
            live: true,
            paused_until: self.paused.as_ref().map(|(_, u)| u.clone()),
            config_error: self.config_error.clone(),
            local_fault: self.local_faults.describe(),
            sound: Some(sound),
            // No awake check: nothing to type, anywhere.
            ack_code: self
                .ack_code
                .clone()
                .filter(|_| self.config.alarm.awake_check),
            keep_awake: Some(self.keep_awake.state().clone()),
            store_problem,
            store_notice: self.store_notice.clone(),
            faults: self.faults.clone(),
            coverage: Some(coverage),
            overall: Default::default(),
        }
        .with_overall()
    }

    fn publish(&mut self) {
        self.sync_alarm();
        self.status.send_replace(self.snapshot());
    }

    fn slip_stats(&self) -> SlipStats {
        let mut sorted: Vec<f64> = self.slips.iter().copied().collect();
        sorted.sort_by(|a, b| a.total_cmp(b));
        let at = |q: f64| {
            sorted
                .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        SlipStats {
            checks: self.slip_count,
            p50_ms: at(0.5),
            p99_ms: at(0.99),
            max_ms: at(1.0),
        }
    }
}
