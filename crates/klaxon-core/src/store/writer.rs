//! Ring first, record second: the engine never waits on the disk. Everything the engine wants
//! written goes to a [`StoreWriter`], a thread that owns the database connection and writes in
//! order. When a write fails (a full disk, a read-only file system, a database locked by another
//! program, a damaged file) the writer keeps the writes in memory, reports the problem in
//! [`StoreHealth`] and tries again with a growing pause, so what happened is written down once
//! there is room. Incidents are never dropped; raw samples are, oldest first, past a bound, and
//! the count of dropped ones is reported.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::ErrorCode;
use tokio::sync::watch;

use super::Store;
use crate::domain::incident::{Incident, Journal, TimelineEvent};
use crate::domain::monitor::Sample;
use crate::domain::states::UnwatchedCause;
use crate::error::Error;

/// Raw samples kept in memory while the store cannot write; older ones are dropped first.
/// 200,000 samples is about 20 minutes of 1,000 monitors checked every 10 s, or days of a
/// founder's dozen, in roughly 40 MB.
pub const MAX_WAITING_SAMPLES: usize = 200_000;

/// How long one write waits for a database locked by someone else.
const WRITE_BUSY_TIMEOUT: Duration = Duration::from_secs(1);

/// The longest pause between two attempts while the store fails.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// One thing to write down.
#[derive(Debug, Clone)]
pub enum Write {
    /// An incident's current state and the timeline lines that led to it since the last write.
    Incident {
        incident: Box<Incident>,
        events: Vec<TimelineEvent>,
    },
    Samples {
        samples: Vec<(String, Sample)>,
        states: Vec<super::MonitorRow>,
    },
    Unmonitored {
        from: Timestamp,
        to: Timestamp,
        cause: UnwatchedCause,
    },
    /// Time nobody watched these monitors only (a maintenance window naming them).
    MonitorsUnmonitored {
        monitors: Vec<String>,
        from: Timestamp,
        to: Timestamp,
        cause: UnwatchedCause,
    },
    RetainMonitors(Vec<String>),
    RollUp {
        before: Timestamp,
    },
    /// A line on an incident's timeline that changes nothing else (a delivery's outcome).
    Timeline {
        incident_id: i64,
        event: TimelineEvent,
    },
}

impl Write {
    fn samples(&self) -> usize {
        match self {
            Write::Samples { samples, .. } => samples.len(),
            _ => 0,
        }
    }

    fn apply(&self, store: &mut Store) -> crate::Result<()> {
        match self {
            Write::Incident { incident, events } => store.save_incident(incident, events),
            Write::Samples { samples, states } => store.record_samples(samples, states),
            Write::Unmonitored { from, to, cause } => store.record_unmonitored(*from, *to, *cause),
            Write::MonitorsUnmonitored {
                monitors,
                from,
                to,
                cause,
            } => store.record_monitors_unmonitored(monitors, *from, *to, *cause),
            Write::RetainMonitors(names) => store.retain_monitor_states(names),
            Write::RollUp { before } => store.roll_up(*before).map(|_| ()),
            Write::Timeline { incident_id, event } => store.add_timeline(*incident_id, event),
        }
    }
}

/// How the store is doing, as the engine shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreHealth {
    /// Why history is not being saved right now, in words.
    pub problem: Option<String>,
    /// Writes held in memory until the store takes them.
    pub waiting: usize,
    /// Raw samples dropped because too many waited; incidents are never dropped.
    pub dropped_samples: u64,
    /// A database found damaged while running, moved aside for a fresh one: where it went.
    pub notice: Option<String>,
}

impl StoreHealth {
    /// The line `status` shows, when there is something to say.
    pub fn summary(&self) -> Option<String> {
        let problem = self.problem.as_ref()?;
        let mut line = format!("history is not being saved: {problem}");
        if self.waiting > 0 {
            line.push_str(&format!(
                " ({} change{} kept in memory, written once it works again)",
                self.waiting,
                if self.waiting == 1 { "" } else { "s" }
            ));
        }
        if self.dropped_samples > 0 {
            line.push_str(&format!(
                "; {} check results were dropped",
                self.dropped_samples
            ));
        }
        Some(line)
    }
}

enum Message {
    Write(Write),
    /// Answered once everything sent before it is written (or has failed once).
    Sync(mpsc::Sender<()>),
}

/// The handle: sending never blocks. Dropping it lets the thread write what it still holds
/// (one attempt) and end; [`StoreWriter::finish`] waits for that.
pub struct StoreWriter {
    tx: Option<mpsc::Sender<Message>>,
    health: watch::Receiver<StoreHealth>,
    thread: Option<JoinHandle<()>>,
}

impl StoreWriter {
    /// Starts writing to `store`, or, when it could not be opened, to the database at `path`
    /// once it can be (the thread keeps trying).
    pub fn start(store: Option<Store>, path: &Path) -> StoreWriter {
        // A database locked by another program fails a write after a second, not five: the
        // write is kept and tried again, and the problem is shown meanwhile.
        if let Some(store) = &store {
            let _ = store.conn.busy_timeout(WRITE_BUSY_TIMEOUT);
        }
        let (tx, rx) = mpsc::channel();
        let (health_tx, health) = watch::channel(StoreHealth::default());
        let mut thread = WriterThread {
            store,
            path: path.to_path_buf(),
            queue: VecDeque::new(),
            waiting_samples: 0,
            health: health_tx,
            backoff: Duration::ZERO,
        };
        if thread.store.is_none() {
            thread.fail(&open_failure_hint(path));
        }
        let handle = std::thread::Builder::new()
            .name("klaxon-store".into())
            .spawn(move || thread.run(rx))
            .ok();
        if handle.is_none() {
            tracing::error!("cannot start the store's thread: history will not be saved");
        }
        StoreWriter {
            tx: Some(tx),
            health,
            thread: handle,
        }
    }

    pub fn send(&self, write: Write) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Message::Write(write));
        }
    }

    pub fn health(&self) -> watch::Receiver<StoreHealth> {
        self.health.clone()
    }

    /// Waits until everything sent so far has been tried once (tests, shutdown).
    pub fn sync(&self) {
        let (tx, rx) = mpsc::channel();
        if let Some(sender) = &self.tx
            && sender.send(Message::Sync(tx)).is_ok()
        {
            let _ = rx.recv_timeout(Duration::from_secs(30));
        }
    }

    /// Stops the thread after one last attempt at what it holds.
    pub fn finish(mut self) {
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for StoreWriter {
    fn drop(&mut self) {
        self.tx.take();
    }
}

struct WriterThread {
    store: Option<Store>,
    path: PathBuf,
    queue: VecDeque<Write>,
    waiting_samples: usize,
    health: watch::Sender<StoreHealth>,
    backoff: Duration,
}

impl WriterThread {
    fn run(mut self, rx: mpsc::Receiver<Message>) {
        let mut syncs = Vec::new();
        loop {
            // Wait for work; while writes are held back, wake up to try again.
            let first = if self.queue.is_empty() {
                rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                rx.recv_timeout(self.backoff)
            };
            match first {
                Ok(message) => self.take(message, &mut syncs),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            while let Ok(message) = rx.try_recv() {
                self.take(message, &mut syncs);
            }
            self.write_out();
            for done in syncs.drain(..) {
                let _ = done.send(());
            }
        }
        self.write_out();
        if !self.queue.is_empty() {
            tracing::error!(
                "Klaxon stopped with {} changes it could not write to {}",
                self.queue.len(),
                self.path.display()
            );
        }
    }

    fn take(&mut self, message: Message, syncs: &mut Vec<mpsc::Sender<()>>) {
        match message {
            Message::Write(write) => {
                self.waiting_samples += write.samples();
                self.queue.push_back(write);
                self.drop_old_samples();
            }
            Message::Sync(done) => syncs.push(done),
        }
    }

    fn drop_old_samples(&mut self) {
        let mut dropped = 0u64;
        while self.waiting_samples > MAX_WAITING_SAMPLES {
            let Some(index) = self.queue.iter().position(|w| w.samples() > 0) else {
                break;
            };
            if let Some(write) = self.queue.remove(index) {
                self.waiting_samples -= write.samples();
                dropped += write.samples() as u64;
            }
        }
        if dropped > 0 {
            self.health
                .send_modify(|h| h.dropped_samples = h.dropped_samples.saturating_add(dropped));
        }
    }

    /// Writes the queue in order, stopping at the first failure so nothing is reordered.
    fn write_out(&mut self) {
        if self.store.is_none() {
            match Store::open(&self.path) {
                Ok(store) => {
                    let _ = store.conn.busy_timeout(WRITE_BUSY_TIMEOUT);
                    self.store = Some(store);
                }
                Err(e) => return self.fail(&describe(&e)),
            }
        }
        let Some(store) = self.store.as_mut() else {
            return;
        };
        while let Some(write) = self.queue.front() {
            if let Err(e) = write.apply(store) {
                tracing::debug!("writing to the store failed: {e}");
                if super::recovery::is_damage(&e) {
                    return self.start_afresh(&e);
                }
                return self.fail(&describe(&e));
            }
            if let Some(done) = self.queue.pop_front() {
                self.waiting_samples -= done.samples();
            }
        }
        self.backoff = Duration::ZERO;
        if self.health.borrow().problem.is_some() {
            tracing::info!("the store works again: everything held in memory is written");
        }
        self.health.send_if_modified(|h| {
            let changed = h.problem.is_some() || h.waiting != 0;
            h.problem = None;
            h.waiting = 0;
            changed
        });
    }

    /// The database went bad under us: keep it aside and write what is held, and everything
    /// after, to a fresh one. An open incident is whole again in the fresh database with its
    /// next change, since each write carries the incident's full state.
    fn start_afresh(&mut self, error: &Error) {
        self.store = None;
        let opened = super::recovery::set_aside(&self.path, Timestamp::now(), &error.to_string());
        self.store = opened.store;
        if let Some(store) = &self.store {
            let _ = store.conn.busy_timeout(WRITE_BUSY_TIMEOUT);
        }
        self.health.send_modify(|h| h.notice = opened.notice);
        if self.store.is_none() {
            self.fail("the database file is damaged");
        }
    }

    fn fail(&mut self, problem: &str) {
        self.backoff = (self.backoff * 2).clamp(Duration::from_millis(500), MAX_BACKOFF);
        let waiting = self.queue.len();
        self.health.send_if_modified(|h| {
            let changed = h.problem.as_deref() != Some(problem) || h.waiting != waiting;
            if h.problem.as_deref() != Some(problem) {
                tracing::error!("history is not being saved: {problem}");
            }
            h.problem = Some(problem.to_string());
            h.waiting = waiting;
            changed
        });
    }
}

fn open_failure_hint(path: &Path) -> String {
    format!("the database {} cannot be opened", path.display())
}

/// A store failure in the words a person needs: what is wrong, not SQLite's code.
pub fn describe(error: &Error) -> String {
    let sqlite = match error {
        Error::Database { source, .. } | Error::Migration { source, .. } => source,
        other => return other.to_string(),
    };
    match sqlite.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => "the disk is full".into(),
        Some(ErrorCode::ReadOnly) => "the database is read-only".into(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "the database is locked by another program".into()
        }
        Some(ErrorCode::PermissionDenied) => "permission to write the database was denied".into(),
        Some(ErrorCode::SystemIoFailure) => "the disk reported an input/output error".into(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            "the database file is damaged".into()
        }
        Some(ErrorCode::CannotOpen) => "the database file cannot be opened".into(),
        _ => error.to_string(),
    }
}

/// The engine's journal: a send that never blocks.
impl Journal for StoreWriter {
    fn record(&mut self, incident: &Incident, events: Vec<TimelineEvent>) {
        self.send(Write::Incident {
            incident: Box::new(incident.clone()),
            events,
        });
    }
}

/// Held until there is somewhere to send them (the engine's start, before its writer runs).
impl Journal for Vec<Write> {
    fn record(&mut self, incident: &Incident, events: Vec<TimelineEvent>) {
        self.push(Write::Incident {
            incident: Box::new(incident.clone()),
            events,
        });
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
