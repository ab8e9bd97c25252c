//! `[heartbeat]`: Klaxon watched from outside. While it is on call it requests this URL every
//! `every` (a Healthchecks ping URL, an Uptime Kuma push URL, anything that alerts when the
//! pings stop), so the founder's phone rings when the laptop dies, sleeps, loses its network or
//! Klaxon crashes — the failures Klaxon cannot report itself.
//!
//! `notify_on_sleep` covers what a watchdog cannot tell apart from a crash: the laptop going to
//! sleep, or the founder quitting Klaxon. With it, the phone channels (`true`: every ntfy and
//! Pushover channel; or a list of channel names) are told "you are not covered" just before.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::bounds::Within;
use super::{ChannelConfig, Collector};
use crate::domain::states::ChannelKind;

const EVERY: Within = Within {
    min: Duration::from_secs(5),
    max: Duration::from_secs(24 * 3600),
    words: "from 5s to 24h",
};

#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatConfig {
    /// As written: may be a `{secret:NAME}`, read from the keyring when it is requested.
    /// `None`: no pings, only the notices.
    pub url: Option<String>,
    pub every: Duration,
    /// The channels told before the machine sleeps or Klaxon quits; empty for none.
    pub notify_on_sleep: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct RawHeartbeat {
    url: Option<Spanned<String>>,
    every: Option<Spanned<String>>,
    notify_on_sleep: Option<Spanned<NotifyOnSleep>>,
}

/// `true` for every phone channel, or the channels by name.
#[derive(Deserialize)]
#[serde(untagged)]
enum NotifyOnSleep {
    Phones(bool),
    Named(Vec<String>),
}

impl RawHeartbeat {
    pub(super) fn validate(
        &self,
        span: std::ops::Range<usize>,
        channels: &[ChannelConfig],
        errs: &mut Collector,
    ) -> Option<HeartbeatConfig> {
        // All checked before giving up, so every mistake is reported at once.
        let url = self
            .url
            .as_ref()
            .map(|url| super::channel_table::http_url(url, "heartbeat.url", errs));
        let every = match &self.every {
            None => Some(Duration::from_secs(60)),
            Some(_) => errs.bounded(&self.every, "heartbeat.every", EVERY),
        };
        let notify_on_sleep = match &self.notify_on_sleep {
            None => Some(Vec::new()),
            Some(told) => told_channels(told, channels, errs),
        };
        if url.is_none() && self.notify_on_sleep.is_none() {
            errs.push(
                span,
                "heartbeat",
                "give `url` (a watchdog to ping), `notify_on_sleep`, or both".into(),
            );
            return None;
        }
        Some(HeartbeatConfig {
            url: url.map_or(Some(None), |u| u.map(Some))?,
            every: every?,
            notify_on_sleep: notify_on_sleep?,
        })
    }
}

const FIELD: &str = "heartbeat.notify_on_sleep";

/// The channels `notify_on_sleep` names, each known.
fn told_channels(
    told: &Spanned<NotifyOnSleep>,
    channels: &[ChannelConfig],
    errs: &mut Collector,
) -> Option<Vec<String>> {
    match told.get_ref() {
        NotifyOnSleep::Phones(false) => Some(Vec::new()),
        NotifyOnSleep::Phones(true) => {
            let phones: Vec<String> = channels
                .iter()
                .filter(|c| matches!(c.kind(), ChannelKind::Ntfy | ChannelKind::Pushover))
                .map(|c| c.name.clone())
                .collect();
            if phones.is_empty() {
                let m = "true tells every ntfy and Pushover channel, and there is none: add one, \
                         or list the channels to tell";
                errs.push(told.span(), FIELD, m.into());
                return None;
            }
            Some(phones)
        }
        NotifyOnSleep::Named(names) => {
            let unknown: Vec<&String> = names
                .iter()
                .filter(|n| !channels.iter().any(|c| &c.name == *n))
                .collect();
            if let Some(name) = unknown.first() {
                let m = format!("no [[channel]] is named {name:?}");
                errs.push(told.span(), FIELD, m);
                return None;
            }
            Some(names.clone())
        }
    }
}
