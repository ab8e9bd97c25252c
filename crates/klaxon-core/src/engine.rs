//! The engine: one owner task that holds all mutable state (monitors' latest views, the
//! incident book, the store, pause) and receives everything as messages: observations from the
//! schedule, commands from the control socket or the app, wakes from the sleep watcher, ticks.
//! It publishes a [`Status`] snapshot on a `watch` channel and [`Event`]s on a `broadcast`.
//! Nothing else holds engine state, so there are no locks to reason about.
//!
//! [`Engine`] is the handle: dropping it stops the task and every monitor task with it.

mod beat;
pub mod clock;
pub mod control;
pub mod desktop;
pub mod dispatch;
pub mod fault_injection;
pub mod heartbeat;
pub mod keep_awake;
pub mod leaving;

pub mod open_files;
mod owner;
pub mod phone_acks;
pub mod power;
pub mod schedule;
pub mod siren;
pub mod source_watch;
mod watch_file;
pub mod witness;

use std::fs::File;
use std::path::{Path, PathBuf};

use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::domain::incident::IncidentBook;
use crate::domain::status::{Event, Status};
use crate::engine::clock::SharedClock;
use crate::error::{Error, Result};
use crate::paths::DataFiles;
use crate::protocol::{Command, Reply, Transport};
use crate::store::{Store, StoreWriter, Write};

/// Where an engine keeps its files and how it tells time.
#[derive(Clone)]
pub struct EngineOptions {
    pub config_path: PathBuf,
    pub data_dir: PathBuf,
    pub clock: SharedClock,
}

pub type Envelope = (Command, oneshot::Sender<Reply>);

/// A running engine. Dropping it stops everything it started and releases the data dir.
pub struct Engine {
    commands: mpsc::Sender<Envelope>,
    status: watch::Receiver<Status>,
    events: broadcast::Sender<Event>,
    /// Waits on the owner task and reports how it ended.
    task: Option<JoinHandle<()>>,
    owner: tokio::task::AbortHandle,
    failure: watch::Receiver<Option<String>>,
    farewell: watch::Receiver<Vec<crate::config::ChannelConfig>>,
    shutdown: Option<oneshot::Sender<()>>,
    _control: crate::engine::control::ControlServer,
    _lock: File,
}

impl Engine {
    /// Takes the data dir (one engine per data dir), opens the database, reads the config and
    /// starts checking. An unacknowledged incident left open by a previous run rings again.
    /// An invalid config is an error: `klaxon run` says what is wrong and where, and stops.
    pub async fn start(options: EngineOptions) -> Result<Engine> {
        let config = Config::load(&options.config_path)?;
        Engine::start_with(options, config, None).await
    }

    /// Like [`Engine::start`], but an invalid config does not stop it: it starts with no
    /// monitors, reports the errors in `status` (`config_error`), and picks up the file once
    /// it is fixed. A tray app that cannot start over a typo helps nobody.
    pub async fn start_despite_config_errors(options: EngineOptions) -> Result<Engine> {
        match Config::load(&options.config_path) {
            Ok(config) => Engine::start_with(options, config, None).await,
            Err(Error::Config(errors)) => {
                let empty = Config::default();
                Engine::start_with(options, empty, Some(errors.to_string())).await
            }
            Err(e) => Err(e),
        }
    }

    async fn start_with(
        options: EngineOptions,
        config: Config,
        config_error: Option<String>,
    ) -> Result<Engine> {
        crate::data_dir::prepare(&options.data_dir)?;
        let lock = lock_data_dir(&options.data_dir)?;
        let (writer, book, store_notice) = open_history(&options);
        let (commands_tx, commands_rx) = mpsc::channel(64);
        let (events, _) = broadcast::channel(256);
        let (status_tx, status_rx) = watch::channel(Status::default());
        let (shutdown_tx, shutdown_rx) = oneshot::channel();
        let options_dir = options.data_dir.clone();
        let mut owner = owner::Owner::new(
            options,
            config,
            writer,
            book,
            status_tx,
            events.clone(),
            commands_tx.clone(),
        )?;
        if let Some(message) = config_error {
            owner.reject(message);
        }
        owner.store_notice(store_notice);
        let farewell = owner.farewell();
        let control = crate::engine::control::ControlServer::start(
            &DataFiles::new(&options_dir).socket(),
            commands_tx.clone(),
        )?;
        let owner_task = tokio::spawn(owner.run(commands_rx, shutdown_rx));
        let owner_abort = owner_task.abort_handle();
        let (failure_tx, failure) = watch::channel(None);
        let task = tokio::spawn(async move {
            let reason = match owner_task.await {
                Ok(()) => return, // stopped on purpose
                Err(e) if e.is_panic() => format!(
                    "the engine's task panicked: {}",
                    crate::engine::schedule::panic_message(e.into_panic().as_ref())
                ),
                Err(e) if e.is_cancelled() => return,
                Err(e) => format!("the engine's task ended: {e}"),
            };
            tracing::error!("{reason}");
            let _ = failure_tx.send(Some(reason));
        });
        Ok(Engine {
            _control: control,
            commands: commands_tx,
            status: status_rx,
            events,
            task: Some(task),
            owner: owner_abort,
            failure,
            farewell,
            shutdown: Some(shutdown_tx),
            _lock: lock,
        })
    }

    /// Sends a command and waits for the answer.
    pub async fn command(&self, command: Command) -> Reply {
        let (tx, rx) = oneshot::channel();
        if self.commands.send((command, tx)).await.is_err() {
            return Reply::Refused {
                message: "the engine has stopped".into(),
            };
        }
        rx.await.unwrap_or(Reply::Refused {
            message: "the engine has stopped".into(),
        })
    }

    /// The latest snapshot; `changed()` on it waits for the next.
    pub fn status(&self) -> watch::Receiver<Status> {
        self.status.clone()
    }

    pub fn events(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Becomes `Some(reason)` if the engine's owner task ends by itself, which only a bug can
    /// make happen. `klaxon run` and the tray app then exit non-zero with the reason, so the data
    /// dir's lock is released and the engine can be started again, rather than leaving a live
    /// process that does nothing.
    pub fn failure(&self) -> watch::Receiver<Option<String>> {
        self.failure.clone()
    }

    /// Before quitting: tells the channels of `[heartbeat] notify_on_sleep` that this machine is
    /// no longer covered, waiting at most [`leaving::BEFORE_QUIT`].
    pub async fn farewell(&self) {
        let channels = self.farewell.borrow().clone();
        leaving::tell(&channels, "is stopping", leaving::BEFORE_QUIT).await;
    }

    /// Stops the engine, flushing what it has not yet written.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.owner.abort();
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Ring first, record second: whatever state the database is in, the engine gets a book of
/// open incidents and a writer, and starts. A damaged file is set aside (the notice says where);
/// one that cannot be written right now is read if it can be, and written once it can.
fn open_history(options: &EngineOptions) -> (StoreWriter, IncidentBook, Option<String>) {
    let path = DataFiles::new(&options.data_dir).database();
    let now = options.clock.now();
    let opened = crate::store::open_for_engine(&path, now);
    let mut restarts: Vec<Write> = Vec::new();
    let book = match &opened.store {
        Some(store) => store.incident_book(&mut restarts, now),
        None => {
            Store::open_read_only(&path).and_then(|store| store.incident_book(&mut restarts, now))
        }
    };
    let book = book.unwrap_or_else(|e| {
        tracing::error!("cannot read the open incidents: {e}");
        IncidentBook::without_history(now)
    });
    let writer = StoreWriter::start(opened.store, &path);
    for write in restarts {
        writer.send(write);
    }
    (writer, book, opened.notice)
}

fn lock_data_dir(data_dir: &Path) -> Result<File> {
    let path = DataFiles::new(data_dir).lock();
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(Error::AlreadyRunning(data_dir.to_path_buf()))
        }
        Err(std::fs::TryLockError::Error(source)) => Err(Error::Write { path, source }),
    }
}

/// The tray app, which runs its engine in-process, speaks to it through the same typed client
/// as the CLI does over the socket.
impl Transport for Engine {
    async fn send(&self, command: Command) -> Result<Reply> {
        Ok(self.command(command).await)
    }
}
