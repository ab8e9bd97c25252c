//! `[heartbeat]`: Klaxon watched from outside. While it is on call it requests this URL every
//! `every` (a Healthchecks ping URL, an Uptime Kuma push URL, anything that alerts when the
//! pings stop), so the founder's phone rings when the laptop dies, sleeps, loses its network or
//! Klaxon crashes — the failures Klaxon cannot report itself.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::Collector;
use super::bounds::Within;

const EVERY: Within = Within {
    min: Duration::from_secs(5),
    max: Duration::from_secs(24 * 3600),
    words: "from 5s to 24h",
};

#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatConfig {
    /// As written: may be a `{secret:NAME}`, read from the keyring when it is requested.
    pub url: String,
    pub every: Duration,
}

#[derive(Deserialize)]
pub(super) struct RawHeartbeat {
    url: Spanned<String>,
    every: Option<Spanned<String>>,
}

impl RawHeartbeat {
    pub(super) fn validate(&self, errs: &mut Collector) -> Option<HeartbeatConfig> {
        // Both checked before giving up, so every mistake is reported at once.
        let url = super::channel_table::http_url(&self.url, "heartbeat.url", errs);
        let every = match &self.every {
            None => Some(Duration::from_secs(60)),
            Some(_) => errs.bounded(&self.every, "heartbeat.every", EVERY),
        };
        Some(HeartbeatConfig {
            url: url?,
            every: every?,
        })
    }
}
