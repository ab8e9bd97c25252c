//! The one API both shells stand on. [`Client`] asks an engine (through any [`Transport`]: the
//! control socket for the CLI, the engine itself for the tray app that runs it in-process) and
//! reads the history from the database; every method returns a typed result or a
//! [`crate::Error`], the same for both shells. The only `match` on a raw [`Reply`] is here.
//!
//! History, notes and drafts are not engine state: they are read and written through a
//! connection of the client's own, off the async threads, so they work whether or not an
//! engine runs, and never wait on it.

use std::future::Future;
use std::path::PathBuf;

use jiff::Timestamp;

use super::socket;
use super::wire::{Command, Reply, SlipStats};
use crate::aftermath::draft::{self, Draft, DraftRequest};
use crate::aftermath::look_back::{self, DayBar, IncidentDetail};
use crate::aftermath::month::{self, MonthReport};
use crate::aftermath::uptime::{self, LatencySeries, MonitorUptime, Period};
use crate::channels::{self, Message};
use crate::config::Config;
use crate::domain::delivery::Outcome;
use crate::domain::notes::{IncidentNotes, SavedDraft};
use crate::domain::states::AckVia;
use crate::domain::states::{ChannelKind, DeliveryEvent, DeliveryState};
use crate::domain::status::{IncidentView, Status};
use crate::error::{Error, Result};
use crate::paths::{DataFiles, Paths};
use crate::store::Delivery;
use crate::store::Store;

/// Carries one command to an engine and brings back its reply, as it is.
pub trait Transport {
    fn send(&self, command: Command) -> impl Future<Output = Result<Reply>> + Send;
}

impl<T: Transport + Sync> Transport for &T {
    fn send(&self, command: Command) -> impl Future<Output = Result<Reply>> + Send {
        (**self).send(command)
    }
}

/// The control socket in a data dir: [`Error::NotRunning`] when no engine serves it.
#[derive(Debug, Clone)]
pub struct Socket {
    data_dir: PathBuf,
}

impl Socket {
    /// The control socket of the engine that runs on `data_dir`.
    pub fn new(data_dir: PathBuf) -> Self {
        Socket { data_dir }
    }
}

impl Transport for Socket {
    fn send(&self, command: Command) -> impl Future<Output = Result<Reply>> + Send {
        socket::send_owned(self.data_dir.clone(), command)
    }
}

/// One channel as `klaxon channel list` and Settings show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct ChannelSummary {
    pub name: String,
    pub kind: ChannelKind,
    /// How its newest delivery (a test included) stands; `null` when it was never used.
    pub last_state: Option<DeliveryState>,
    pub last_error: Option<String>,
    #[ts(type = "string | null")]
    pub last_at: Option<Timestamp>,
    /// Which step or test it was ("step 2", "test …").
    pub last_step: Option<String>,
}

impl ChannelSummary {
    fn of(name: String, kind: ChannelKind, last: Option<&Delivery>) -> ChannelSummary {
        ChannelSummary {
            name,
            kind,
            last_state: last.map(|d| d.state),
            last_error: last.and_then(|d| d.last_error.clone()),
            last_at: last.map(|d| d.delivered_at.unwrap_or(d.next_attempt_at)),
            last_step: last.map(|d| d.step.clone()),
        }
    }
}

/// What an action (acknowledge, snooze, pause…) answers: the engine's sentence, and the
/// incidents it changed, if it changes incidents.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub message: String,
    pub incidents: Vec<IncidentView>,
}

/// Klaxon, as a shell sees it.
#[derive(Debug, Clone)]
pub struct Client<T> {
    transport: T,
    pub(super) paths: Paths,
}

impl Client<Socket> {
    /// A client of whichever engine serves the control socket in `paths.data_dir`.
    pub fn over_socket(paths: Paths) -> Self {
        let transport = Socket {
            data_dir: paths.data_dir.clone(),
        };
        Client { transport, paths }
    }
}

impl<T: Transport + Sync> Client<T> {
    pub fn new(transport: T, paths: Paths) -> Self {
        Client { transport, paths }
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// The live status of the engine.
    pub async fn status(&self) -> Result<Status> {
        match self.transport.send(Command::Status).await? {
            Reply::Status { status } => Ok(*status),
            other => Err(unexpected(other)),
        }
    }

    /// Acknowledges one incident, or every ringing one.
    pub async fn acknowledge(
        &self,
        incident: Option<i64>,
        via: AckVia,
        code: Option<String>,
    ) -> Result<Answer> {
        self.act(Command::Ack {
            incident,
            via,
            code,
        })
        .await
    }

    pub async fn snooze(&self, minutes: u64) -> Result<Answer> {
        self.act(Command::Snooze { minutes }).await
    }

    /// Pauses for `minutes`, or until [`Client::resume`] with `None`.
    pub async fn pause(&self, minutes: Option<u64>) -> Result<Answer> {
        self.act(Command::Pause { minutes }).await
    }

    pub async fn resume(&self) -> Result<Answer> {
        self.act(Command::Resume).await
    }

    /// Makes the engine read its config file again.
    pub async fn reload(&self) -> Result<Answer> {
        self.act(Command::Reload).await
    }

    /// Reads a `[[source]]` now rather than at its next turn.
    pub async fn check_source(&self, name: &str) -> Result<Answer> {
        self.act(Command::CheckSource {
            name: name.to_string(),
        })
        .await
    }

    /// Plays the whole escalation compressed into `seconds`.
    pub async fn test_alarm(&self, seconds: u64) -> Result<Answer> {
        self.act(Command::TestAlarm { seconds }).await
    }

    pub async fn slips(&self) -> Result<SlipStats> {
        match self.transport.send(Command::Slips).await? {
            Reply::Slips { slips } => Ok(slips),
            Reply::Refused { message } => Err(Error::Refused(message)),
            other => Err(unexpected(other)),
        }
    }

    async fn act(&self, command: Command) -> Result<Answer> {
        match self.transport.send(command).await? {
            Reply::Done { message } => Ok(Answer {
                message,
                incidents: Vec::new(),
            }),
            Reply::Incidents { message, incidents } => Ok(Answer { message, incidents }),
            Reply::Refused { message } => Err(Error::Refused(message)),
            other => Err(unexpected(other)),
        }
    }
}

/// The history, read and written through the client's own connection.
impl<T> Client<T> {
    /// What the database remembers of the monitors and open incidents, for when no engine
    /// runs. Nothing recorded yet is an empty status, not an error.
    pub async fn saved_status(&self) -> Result<Status> {
        self.read_or(Status::default(), |store| {
            Ok(Status {
                monitors: store
                    .monitor_states()?
                    .into_iter()
                    .map(Into::into)
                    .collect(),
                incidents: store
                    .open_incidents()?
                    .iter()
                    .map(IncidentView::from)
                    .collect(),
                ..Status::default()
            }
            .with_overall())
        })
        .await
    }

    /// Every incident, newest first.
    pub async fn history(&self) -> Result<Vec<IncidentView>> {
        self.read_or(Vec::new(), |store| {
            Ok(store.incidents()?.iter().map(IncidentView::from).collect())
        })
        .await
    }

    /// One incident with its timeline and evidence.
    pub async fn incident(&self, id: i64) -> Result<IncidentDetail> {
        self.with_history(id, move |store| {
            look_back::incident_detail(store, id)?.ok_or(Error::NoSuchIncident(id))
        })
        .await
    }

    /// The last 24 hours of each named monitor.
    pub async fn day_bars(
        &self,
        monitors: Vec<String>,
        offline_since: Option<Timestamp>,
    ) -> Result<Vec<DayBar>> {
        let empty = monitors
            .iter()
            .map(|m| DayBar {
                monitor: m.clone(),
                slots: vec![look_back::Slot::None; look_back::SLOTS],
            })
            .collect();
        self.read_or(empty, move |store| {
            look_back::day_bars(store, &monitors, Timestamp::now(), offline_since)
        })
        .await
    }

    /// Each named monitor's uptime over 24 h, 7 d and 30 d, and its certificate. Nothing
    /// recorded yet is no figures (no percentage), not an error.
    pub async fn uptime(
        &self,
        monitors: Vec<String>,
        ongoing: uptime::Ongoing,
    ) -> Result<Vec<MonitorUptime>> {
        let empty = monitors
            .iter()
            .map(|m| uptime::uptime_of_nothing(m))
            .collect();
        self.read_or(empty, move |store| {
            uptime::uptimes(store, &monitors, Timestamp::now(), &ongoing)
        })
        .await
    }

    /// One monitor's response times over `period`.
    pub async fn latency(&self, monitor: String, period: Period) -> Result<LatencySeries> {
        let now = Timestamp::now();
        let empty = uptime::latency_of_nothing(&monitor, period, now);
        self.read_or(empty, move |store| {
            uptime::latency(store, &monitor, period, now)
        })
        .await
    }

    /// The numbers of the last `months` months (this one last), in the machine's time zone.
    pub async fn months(&self, months: usize) -> Result<MonthReport> {
        let tz = jiff::tz::TimeZone::system();
        let now = Timestamp::now();
        let empty = month::empty_report(now, &tz, months)?;
        self.read_or(empty, move |store| {
            month::month_report(store, now, &tz, months)
        })
        .await
    }

    pub async fn notes(&self, incident: i64) -> Result<IncidentNotes> {
        self.with_history(incident, move |store| store.notes(incident))
            .await
    }

    /// Replaces the incident's notes with `notes` (the window's whole form).
    pub async fn set_notes(&self, incident: i64, notes: IncidentNotes) -> Result<IncidentNotes> {
        self.write_notes(incident, move |_| IncidentNotes::default().merged(notes))
            .await
    }

    /// Adds what `change` fills in to the incident's notes and keeps the rest (`klaxon note`).
    pub async fn add_notes(&self, incident: i64, change: IncidentNotes) -> Result<IncidentNotes> {
        self.write_notes(incident, move |old| old.merged(change))
            .await
    }

    /// A reply to customers, drafted from the incident and its notes.
    pub async fn draft(&self, incident: i64, request: DraftRequest) -> Result<Draft> {
        let config = self.paths.config.clone();
        self.with_history(incident, move |store| {
            draft::for_incident(store, &config, incident, &request, Timestamp::now())
        })
        .await
    }

    /// Keeps a draft (as edited) with the incident.
    pub async fn save_draft(
        &self,
        incident: i64,
        request: DraftRequest,
        subject: String,
        body: String,
    ) -> Result<SavedDraft> {
        self.with_history_mut(incident, move |store| {
            store.save_draft(&SavedDraft {
                id: 0,
                incident_id: incident,
                kind: request.kind,
                tone: request.tone,
                customer: request.customer,
                tz: request.tz,
                subject,
                body,
                saved_at: Timestamp::now(),
            })
        })
        .await
    }

    pub async fn drafts(&self, incident: i64) -> Result<Vec<SavedDraft>> {
        self.with_history(incident, move |store| store.drafts(incident))
            .await
    }

    /// Each `[[channel]]` of the config, with its newest delivery (a test included).
    pub async fn channels(&self) -> Result<Vec<ChannelSummary>> {
        let config = Config::load(&self.paths.config)?;
        let last = self
            .read_or(Vec::new(), |s| s.last_delivery_per_channel())
            .await?;
        Ok(config
            .channels
            .into_iter()
            .map(|c| {
                let newest = last.iter().find(|d| d.channel == c.name);
                ChannelSummary::of(c.name.clone(), c.kind(), newest)
            })
            .collect())
    }

    /// Sends a clearly marked test message to the channel and says how it went; the outcome is
    /// kept as the channel's newest delivery when there is a history to keep it in.
    pub async fn test_channel(&self, name: &str) -> Result<Outcome> {
        let config = Config::load(&self.paths.config)?;
        let Some(channel) = config.channels.into_iter().find(|c| c.name == name) else {
            return Err(Error::NoSuchChannel(name.to_string()));
        };
        let http = reqwest::Client::builder()
            .timeout(channels::ATTEMPT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Refused(e.to_string()))?;
        let now = Timestamp::now();
        let (sent, _) = channels::send(&http, &channel, &Message::test(now), 0, now).await;
        let outcome = match sent {
            // A test is one attempt: its answer is the answer.
            Outcome::Failed { error, .. } => Outcome::Failed {
                error,
                retry_at: None,
            },
            delivered => delivered,
        };
        let kept = outcome.clone();
        let step = format!("test {}", now.as_millisecond());
        let name = name.to_string();
        let _ = self
            .write_if_history(move |s| {
                let d = s.enqueue_delivery(0, &name, &step, DeliveryEvent::Test, now)?;
                s.record_attempt(d.id, &kept, now)
            })
            .await;
        Ok(outcome)
    }

    async fn write_notes(
        &self,
        incident: i64,
        change: impl FnOnce(IncidentNotes) -> IncidentNotes + Send + 'static,
    ) -> Result<IncidentNotes> {
        self.with_history_mut(incident, move |store| {
            let notes = change(store.notes(incident)?);
            store.set_notes(incident, &notes, Timestamp::now())?;
            store.notes(incident)
        })
        .await
    }

    /// Writes to the history if there is one; nothing otherwise.
    async fn write_if_history(
        &self,
        write: impl FnOnce(&mut Store) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        let path = DataFiles::new(&self.paths.data_dir).database();
        blocking(move || {
            if !has_history(&path)? {
                return Ok(());
            }
            write(&mut Store::open(&path)?)
        })
        .await
    }

    /// Reads the history, or answers `empty` when nothing has been recorded yet.
    async fn read_or<R: Send + 'static>(
        &self,
        empty: R,
        read: impl FnOnce(&Store) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let path = DataFiles::new(&self.paths.data_dir).database();
        blocking(move || {
            if !has_history(&path)? {
                return Ok(empty);
            }
            read(&Store::open_read_only(&path)?)
        })
        .await
    }

    /// Reads the history about `incident`; with none recorded yet, there is no such incident.
    async fn with_history<R: Send + 'static>(
        &self,
        incident: i64,
        read: impl FnOnce(&Store) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let path = DataFiles::new(&self.paths.data_dir).database();
        let data_dir = self.paths.data_dir.clone();
        blocking(move || {
            if !has_history(&path)? {
                return Err(Error::NoHistory { data_dir, incident });
            }
            read(&Store::open_read_only(&path)?)
        })
        .await
    }

    /// Writes about `incident` through a connection of its own (SQLite lets it take turns with
    /// the engine's); never creates a database.
    async fn with_history_mut<R: Send + 'static>(
        &self,
        incident: i64,
        write: impl FnOnce(&mut Store) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let path = DataFiles::new(&self.paths.data_dir).database();
        let data_dir = self.paths.data_dir.clone();
        blocking(move || {
            if !has_history(&path)? {
                return Err(Error::NoHistory { data_dir, incident });
            }
            write(&mut Store::open(&path)?)
        })
        .await
    }
}

/// Whether the database holds anything yet. An engine creates it empty (0600, before SQLite
/// opens it) a moment before writing its tables: empty means no history, not an error. A data
/// dir that cannot be looked into is an error, not an empty history.
fn has_history(db: &std::path::Path) -> Result<bool> {
    match std::fs::metadata(db) {
        Ok(meta) => Ok(meta.len() > 0),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(Error::Read {
            path: db.to_path_buf(),
            source,
        }),
    }
}

async fn blocking<R: Send + 'static>(f: impl FnOnce() -> Result<R> + Send + 'static) -> Result<R> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Refused(format!("reading the history stopped: {e}")))?
}

fn unexpected(reply: Reply) -> Error {
    let shown = serde_json::to_string(&reply).unwrap_or_default();
    Error::UnexpectedReply(crate::text::bound(shown, 200))
}
