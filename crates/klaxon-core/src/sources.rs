//! Reading monitoring that runs elsewhere — Alertmanager, ntfy, Healthchecks, Gatus, Uptime
//! Kuma — into [`Alert`]s, the one shape the engine turns into incidents. A polled source
//! answers with everything firing now ([`poll`]): an alert missing from a later answer has
//! resolved. ntfy is a stream instead ([`ntfy`]): each message fires or resolves one alert.
//!
//! Everything a source says is data from outside: bodies are read up to [`MAX_BODY`], at most
//! [`MAX_ALERTS`] alerts are taken, and each text is bounded ([`Alert::new`]) and later escaped
//! where it is shown. A source that cannot be read, or whose answer cannot be understood, is
//! *unreachable* with a reason that says which; that is never an outage of what it watches.
//! Sources only read: nothing here writes to a monitored service, except the silence
//! Alertmanager is asked for when an alert is acknowledged ([`alertmanager::silence`]).

pub mod alertmanager;
pub mod gatus;
pub mod healthchecks;
pub mod ntfy;
pub mod page;
pub mod uptime_kuma;

use std::time::Duration;

use jiff::Timestamp;

use crate::config::{SourceConfig, SourceTarget};

/// The most of a source's answer that is read.
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// The most alerts taken from one answer; the rest are dropped (and said so in the log).
pub const MAX_ALERTS: usize = 500;
/// How long one read may take.
pub const READ_TIMEOUT: Duration = Duration::from_secs(15);
const MAX_TITLE: usize = 200;
const MAX_REASON: usize = 1000;
const MAX_LABELS: usize = 40;
pub(crate) const MAX_LABEL: usize = 256;

/// One alert firing at a source.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Stable across reads while it fires: Alertmanager's fingerprint, a check's id.
    pub key: String,
    /// What is down, as the incident's title.
    pub title: String,
    /// Why, in the source's words.
    pub reason: String,
    /// When the source says it started firing, if it says.
    pub since: Option<Timestamp>,
    /// The source's labels (or fields), shown as the incident's evidence.
    pub labels: Vec<(String, String)>,
    /// Someone already has it at the source (silenced in Alertmanager): the incident counts
    /// as acknowledged `via: "source"`.
    pub acknowledged: bool,
}

impl Alert {
    /// An alert with every text bounded: a hostile source cannot make Klaxon keep megabytes.
    pub fn new(key: &str, title: &str, reason: &str) -> Alert {
        Alert {
            key: bounded(key, MAX_LABEL),
            title: bounded(title, MAX_TITLE),
            reason: bounded(reason, MAX_REASON),
            since: None,
            labels: Vec::new(),
            acknowledged: false,
        }
    }

    pub fn since(mut self, since: Option<Timestamp>) -> Alert {
        self.since = since;
        self
    }

    /// Adds labels, bounded in number and length.
    pub fn labels<'a>(mut self, labels: impl IntoIterator<Item = (&'a str, &'a str)>) -> Alert {
        for (k, v) in labels {
            if self.labels.len() >= MAX_LABELS {
                break;
            }
            self.labels
                .push((bounded(k, MAX_LABEL), bounded(v, MAX_LABEL)));
        }
        self
    }
}

fn bounded(text: &str, max: usize) -> String {
    crate::text::bounded(text.trim(), max).into_owned()
}

/// Reads a polled source: every alert firing now, or why it could not be read.
pub async fn poll(http: &reqwest::Client, source: &SourceConfig) -> Result<Vec<Alert>, String> {
    // A URL may hold a `{secret:NAME}` (a password, a token in its path) as a key may.
    let mut alerts = match &source.target {
        SourceTarget::Alertmanager { url } => {
            alertmanager::poll(http, &revealed(url).await?, &source.filter).await
        }
        SourceTarget::Healthchecks { url, api_key } => {
            let url = revealed(url).await?;
            healthchecks::poll(http, &url, &revealed(api_key).await?).await
        }
        SourceTarget::Gatus { url } => gatus::poll(http, &revealed(url).await?).await,
        SourceTarget::UptimeKuma { url, api_key } => {
            let url = revealed(url).await?;
            let key = match api_key {
                Some(k) => Some(revealed(k).await?),
                None => None,
            };
            uptime_kuma::poll(http, &url, key.as_deref()).await
        }
        SourceTarget::Ntfy { .. } => Err("an ntfy source is followed, not polled".into()),
    }?;
    if alerts.len() > MAX_ALERTS {
        tracing::warn!(
            source = %source.name,
            "{} alerts firing; only the first {MAX_ALERTS} are taken",
            alerts.len()
        );
        alerts.truncate(MAX_ALERTS);
    }
    Ok(alerts)
}

/// A `{secret:NAME}` read from the keyring.
pub(crate) async fn revealed(text: &str) -> Result<String, String> {
    crate::channels::revealed(text).await
}

/// Sends `request` (a GET built on the engine's client) and reads at most [`MAX_BODY`] of a 2xx answer's body; anything else is a reason
/// the source is unreachable, naming the `service`.
pub(crate) async fn get(service: &str, request: reqwest::RequestBuilder) -> Result<String, String> {
    let mut response = request
        .timeout(READ_TIMEOUT)
        .send()
        .await
        .map_err(|e| crate::channels::unanswered(service, &e))?;
    let status = response.status();
    if !status.is_success() {
        let hint = match status.as_u16() {
            401 | 403 => " — check the API key or token",
            404 => " — check the URL",
            _ => "",
        };
        return Err(format!(
            "the {service} server answered HTTP {}{hint}",
            status.as_u16()
        ));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("the {service} server's answer broke off: {}", short(&e)))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(format!(
                "the {service} server's answer is larger than {} MiB",
                MAX_BODY / (1024 * 1024)
            ));
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| format!("the {service} server's answer is not UTF-8"))
}

/// A JSON answer read into `T`, or a reason that names the service and what was wrong.
pub(crate) fn json<T: serde::de::DeserializeOwned>(service: &str, body: &str) -> Result<T, String> {
    serde_json::from_str(body).map_err(|e| {
        format!(
            "the {service} server's answer was not understood: {}",
            crate::text::printable(&crate::text::bounded(&e.to_string(), 200))
        )
    })
}

fn short(e: &reqwest::Error) -> String {
    crate::text::bounded(&e.to_string(), 200).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_polled_url_holding_a_secret_is_read_with_the_secret_never_its_name() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let http = reqwest::Client::new();
        let url = format!("http://{addr}/{{secret:klaxon-test-missing-7f3a}}");
        for target in [
            SourceTarget::Alertmanager { url: url.clone() },
            SourceTarget::Gatus { url: url.clone() },
            SourceTarget::UptimeKuma {
                url: url.clone(),
                api_key: None,
            },
            SourceTarget::Healthchecks {
                url: url.clone(),
                api_key: "k".into(),
            },
        ] {
            let source = SourceConfig {
                name: "s".into(),
                target,
                every: Duration::from_secs(15),
                filter: Vec::new(),
                unreachable_alarm_after: None,
            };
            // The secret is not in the keyring: no request goes out with its name in the URL.
            let read = poll(&http, &source).await;
            assert!(read.is_err(), "{read:?}");
            assert!(
                listener.accept().is_err(),
                "{:?} was sent with the literal {{secret:…}}",
                source.kind()
            );
        }
    }
}
