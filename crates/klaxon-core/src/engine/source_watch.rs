//! One task per `[[source]]`, reading it and handing each reading to the owner: a polled
//! source is read every `every`; an ntfy topic is followed as a stream (resuming with
//! `since=` from the last message read, kept in the database, so what was published while the
//! laptop slept still counts). A source that cannot be read is *unreachable*, and the
//! witnesses say whether that is this laptop being offline. Dropping the handle stops the task.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::config::{SourceConfig, SourceTarget};
use crate::engine::phone_acks::{cursor, remember};
use crate::engine::witness::Witnesses;
use crate::sources::{self, Alert};

/// What one reading of a source found.
#[derive(Debug, Clone)]
pub enum Read {
    /// Everything firing now (a poll): an open alert missing from it has resolved.
    Firing(Vec<Alert>),
    /// A stream's message: this alert fires.
    Fired(Alert),
    /// A stream's message: the alert filed under this key (or, when none is, the source's only
    /// open one) has resolved.
    Resolved { key: String },
    /// A stream is connected: the source is reachable.
    Connected,
    /// It could not be read. `offline`: no witness answers either, so this laptop is offline.
    Unreachable { reason: String, offline: bool },
}

#[derive(Debug, Clone)]
pub struct Reading {
    pub source: String,
    pub generation: u64,
    pub read: Read,
}

/// A running source; dropping it stops the task.
pub struct SourceTask {
    pub config: SourceConfig,
    pub generation: u64,
    handle: JoinHandle<()>,
}

impl Drop for SourceTask {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// What a source task needs from the engine.
#[derive(Clone)]
pub struct Reach {
    pub http: reqwest::Client,
    pub witnesses: Arc<Witnesses>,
    pub readings: mpsc::Sender<Reading>,
    pub db: PathBuf,
    /// Where a stream with no cursor yet starts: when this engine started.
    pub start: jiff::Timestamp,
}

impl SourceTask {
    pub fn start(config: SourceConfig, generation: u64, reach: Reach) -> SourceTask {
        let task = config.clone();
        let handle = tokio::spawn(async move {
            match &task.target {
                SourceTarget::Ntfy { .. } => follow(task, generation, reach).await,
                _ => poll(task, generation, reach).await,
            }
        });
        SourceTask {
            config,
            generation,
            handle,
        }
    }
}

async fn poll(source: SourceConfig, generation: u64, reach: Reach) {
    loop {
        let read = match sources::poll(&reach.http, &source).await {
            Ok(alerts) => Read::Firing(alerts),
            Err(reason) => unreachable(reason, &reach).await,
        };
        if !send(&reach, &source, generation, read).await {
            return;
        }
        tokio::time::sleep(source.every).await;
    }
}

async fn follow(source: SourceConfig, generation: u64, reach: Reach) {
    let SourceTarget::Ntfy {
        url,
        token,
        min_priority,
    } = &source.target
    else {
        return;
    };
    let cursor_name = format!("source:{}", source.name);
    let mut wait = Duration::from_secs(1);
    loop {
        let since = cursor(&reach.db, &cursor_name)
            .await
            .unwrap_or_else(|| reach.start.as_second().to_string());
        let token = token.as_deref();
        let ended = match sources::ntfy::open(&reach.http, url, token, &since, *min_priority).await
        {
            Ok(mut topic) => {
                if !send(&reach, &source, generation, Read::Connected).await {
                    return;
                }
                wait = Duration::from_secs(1);
                // Where to resume is written at most once a second (and when the stream ends):
                // a flood of messages must not cost a database write each. After a kill -9, up
                // to a second of messages is read again: an alert still open is the same
                // incident; one resolved within that second may open again, and ring.
                let mut unsaved: Option<String> = None;
                let mut saved_at = tokio::time::Instant::now();
                let ended = loop {
                    if let Some(id) =
                        unsaved.take_if(|_| saved_at.elapsed() >= Duration::from_secs(1))
                    {
                        remember(&reach.db, &cursor_name, &id).await;
                        saved_at = tokio::time::Instant::now();
                    }
                    match topic.next().await {
                        Ok(Some((said, id))) => {
                            let read = match said {
                                Some(sources::ntfy::Said::Fired(alert)) => Some(Read::Fired(alert)),
                                Some(sources::ntfy::Said::Resolved { key }) => {
                                    Some(Read::Resolved { key })
                                }
                                None => None,
                            };
                            if let Some(read) = read
                                && !send(&reach, &source, generation, read).await
                            {
                                return;
                            }
                            if id.is_some() {
                                unsaved = id;
                            }
                        }
                        Ok(None) => break None,
                        Err(reason) => break Some(reason),
                    }
                };
                if let Some(id) = unsaved {
                    remember(&reach.db, &cursor_name, &id).await;
                }
                ended
            }
            Err(reason) => Some(reason),
        };
        if let Some(reason) = ended {
            let read = unreachable(reason, &reach).await;
            if !send(&reach, &source, generation, read).await {
                return;
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(source.every.max(Duration::from_secs(5)));
    }
}

async fn unreachable(reason: String, reach: &Reach) -> Read {
    let offline = !reach.witnesses.any_reachable().await;
    Read::Unreachable { reason, offline }
}

/// False once the owner is gone.
async fn send(reach: &Reach, source: &SourceConfig, generation: u64, read: Read) -> bool {
    let reading = Reading {
        source: source.name.clone(),
        generation,
        read,
    };
    reach.readings.send(reading).await.is_ok()
}
