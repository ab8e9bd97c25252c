//! Saying "you are not covered" before Klaxon stops watching. A watchdog pinged by the heartbeat
//! cannot tell a laptop that went to sleep from one that died, and nothing at all tells the
//! founder that quitting Klaxon left him uncovered. With `[heartbeat] notify_on_sleep`, the
//! channels it names are told just before either happens.
//!
//! Quitting: both shells call [`tell`] before they stop the engine. Sleeping: on Linux,
//! [`SleepWatch`] holds a *delay* inhibitor from systemd-logind, which makes the system wait
//! (up to logind's `InhibitDelayMaxSec`, 5 s by default) after announcing `PrepareForSleep`;
//! the notice goes out in that time and the lock is let go, then taken again on waking. Other
//! systems have no such announcement that Klaxon can hold up, so there only quitting is told.

use std::time::Duration;

use futures_util::future::join_all;
use jiff::Timestamp;
use tokio::task::JoinHandle;

use crate::channels::{Message, send};
use crate::config::ChannelConfig;
use crate::domain::delivery::Outcome;

/// Sleep waits for the notice at most this long: logind's default delay is 5 s.
pub const BEFORE_SLEEP: Duration = Duration::from_secs(4);
/// Quitting waits for it at most this long.
pub const BEFORE_QUIT: Duration = Duration::from_secs(5);

/// Sends the notice to every channel at once, giving up on those not done within `limit`.
/// Each outcome is logged; the caller carries on whatever they were.
pub async fn tell(channels: &[ChannelConfig], why: &str, limit: Duration) -> Vec<Outcome> {
    if channels.is_empty() {
        return Vec::new();
    }
    // As the dispatcher's: a redirect is an answer, not somewhere else to send the notice.
    let http = reqwest::Client::builder()
        .timeout(limit)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    let message = Message::leaving(why, Timestamp::now());
    let sends = channels.iter().map(|channel| {
        let (http, message) = (&http, &message);
        async move {
            let sent =
                tokio::time::timeout(limit, send(http, channel, message, 1, Timestamp::now()));
            let outcome = match sent.await {
                Ok((outcome, _)) => outcome,
                Err(_) => Outcome::Failed {
                    error: format!("no answer within {} s", limit.as_secs()),
                    retry_at: None,
                },
            };
            match &outcome {
                Outcome::Delivered => {
                    tracing::info!(channel = %channel.name, "told that Klaxon {why}")
                }
                Outcome::Failed { error, .. } => tracing::warn!(
                    channel = %channel.name,
                    "could not tell that Klaxon {why}: {}",
                    crate::text::printable(error)
                ),
            }
            outcome
        }
    });
    join_all(sends).await
}

/// Follows the system's announcements of sleep while some channel is to be told. Dropping it
/// stops following and lets go of the inhibitor.
#[derive(Default)]
pub struct SleepWatch {
    channels: Vec<ChannelConfig>,
    task: Option<JoinHandle<()>>,
}

impl SleepWatch {
    /// Follows the config: the channels to tell, none to stop.
    pub fn configure(&mut self, channels: Vec<ChannelConfig>) {
        if channels == self.channels && (self.task.is_some() || channels.is_empty()) {
            return;
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        self.channels = channels.clone();
        if !channels.is_empty() {
            self.task = follow(channels);
        }
    }
}

impl Drop for SleepWatch {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[cfg(target_os = "linux")]
fn follow(channels: Vec<ChannelConfig>) -> Option<JoinHandle<()>> {
    Some(tokio::spawn(logind::follow(channels)))
}

#[cfg(not(target_os = "linux"))]
fn follow(_channels: Vec<ChannelConfig>) -> Option<JoinHandle<()>> {
    None
}

#[cfg(target_os = "linux")]
mod logind {
    use std::time::Duration;

    use futures_util::StreamExt;
    use zbus::zvariant::OwnedFd;

    use super::{BEFORE_SLEEP, tell};
    use crate::config::ChannelConfig;

    /// A lost bus is looked for again this often.
    const RECONNECT: Duration = Duration::from_secs(60);

    pub(super) async fn follow(channels: Vec<ChannelConfig>) {
        let mut said = None;
        loop {
            let why = match watch(&channels).await {
                Ok(()) => "logind went away".to_string(),
                Err(e) => e.to_string(),
            };
            // Said once per different reason: a machine without logind would say it each minute.
            if said.as_ref() != Some(&why) {
                tracing::warn!(
                    "cannot tell the phone before this machine sleeps ({why}); trying again every minute"
                );
                said = Some(why);
            }
            tokio::time::sleep(RECONNECT).await;
        }
    }

    async fn watch(channels: &[ChannelConfig]) -> zbus::Result<()> {
        let bus = zbus::Connection::system().await?;
        let logind = zbus::Proxy::new(
            &bus,
            "org.freedesktop.login1",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
        )
        .await?;
        let mut announcements = logind.receive_signal("PrepareForSleep").await?;
        let mut lock = Some(delay_sleep(&logind).await?);
        tracing::info!("the phone will be told before this machine sleeps");
        while let Some(signal) = announcements.next().await {
            let Ok((going,)) = signal.body().deserialize::<(bool,)>() else {
                continue;
            };
            if going {
                tell(channels, "is going to sleep", BEFORE_SLEEP).await;
                // Letting go is what allows the sleep to go ahead.
                lock = None;
            } else if lock.is_none() {
                lock = Some(delay_sleep(&logind).await?);
            }
        }
        drop(lock);
        Ok(())
    }

    /// A delay lock: logind waits for it to be closed (or for its time limit) before sleeping.
    async fn delay_sleep(logind: &zbus::Proxy<'_>) -> zbus::Result<OwnedFd> {
        logind
            .call(
                "Inhibit",
                &(
                    "sleep",
                    "Klaxon",
                    "Klaxon tells your phone that it stops watching",
                    "delay",
                ),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::config::ChannelTarget;

    #[tokio::test]
    async fn the_notice_is_not_sent_on_to_wherever_a_redirect_points() {
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let (elsewhere, landed) = crate::test_servers::answering(ok.into()).await;
        let redirect = format!(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: {elsewhere}/caught\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let (hook, _) = crate::test_servers::answering(redirect).await;
        let channel = ChannelConfig {
            name: "hook".into(),
            target: ChannelTarget::Webhook {
                url: format!("{hook}/klaxon"),
                secret: None,
            },
        };
        let outcomes = tell(&[channel], "is stopping", Duration::from_secs(5)).await;
        assert_eq!(
            landed.load(Ordering::SeqCst),
            0,
            "the notice followed the redirect"
        );
        assert!(
            matches!(&outcomes[..], [Outcome::Failed { error, .. }] if error.starts_with("HTTP 307")),
            "{outcomes:?}"
        );
    }
}
