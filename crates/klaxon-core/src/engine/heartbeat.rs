//! The heartbeat: while Klaxon is on call it requests the configured URL every `every`, so a
//! watchdog elsewhere (Healthchecks, Uptime Kuma's push monitor) rings the founder when the
//! pings stop. The owner drives it from its tick; each ping runs in a task of its own, never
//! holding the owner up, and its outcome is kept for `status` — a heartbeat that is not being
//! accepted means Klaxon's own disappearance would go unnoticed, so it is said loudly.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::channels::{revealed, unanswered};
use crate::config::HeartbeatConfig;

/// How long one ping may take.
const PING_TIMEOUT: Duration = Duration::from_secs(10);

/// How the last ping went.
#[derive(Debug, Clone, PartialEq)]
pub enum Beat {
    Accepted(Timestamp),
    /// Why the watchdog did not take it ("HTTP 404", "it could not be reached").
    Refused(String),
}

#[derive(Default)]
pub struct Heartbeat {
    config: Option<HeartbeatConfig>,
    next: Option<Instant>,
    last: Arc<Mutex<Option<Beat>>>,
    ping: Option<JoinHandle<()>>,
    http: Option<reqwest::Client>,
}

impl Heartbeat {
    /// Follows the config; a changed URL or interval is pinged at once.
    pub fn configure(&mut self, config: Option<HeartbeatConfig>) {
        if config != self.config {
            self.config = config;
            self.next = None;
            if let Ok(mut last) = self.last.lock() {
                *last = None;
            }
        }
    }

    /// Pings when one is due and Klaxon is on call (monitoring, not paused): a paused Klaxon
    /// goes quiet on purpose, and the watchdog then says so.
    pub fn tick(&mut self, on_call: bool, now: Instant) {
        let Some((config, Some(url))) = self.config.as_ref().map(|c| (c, c.url.clone())) else {
            return;
        };
        if !on_call {
            self.next = None;
            return;
        }
        if self.next.is_some_and(|next| now < next) {
            return;
        }
        if self.ping.as_ref().is_some_and(|p| !p.is_finished()) {
            return;
        }
        self.next = now.checked_add(config.every);
        let http = self.http.get_or_insert_with(client).clone();
        let last = self.last.clone();
        self.ping = Some(tokio::spawn(async move {
            let beat = ping(&http, &url).await;
            if let Beat::Refused(why) = &beat {
                tracing::warn!("the heartbeat was not accepted: {why}");
            }
            if let Ok(mut last) = last.lock() {
                *last = Some(beat);
            }
        }));
    }

    /// The last ping's outcome, if one was made.
    pub fn last(&self) -> Option<Beat> {
        self.last.lock().ok().and_then(|l| l.clone())
    }

    /// What is wrong, for `status`: `None` while the pings are accepted (or none is set).
    pub fn problem(&self) -> Option<String> {
        match self.last()? {
            Beat::Accepted(_) => None,
            Beat::Refused(why) => Some(format!(
                "the heartbeat is not being accepted ({why}): if this machine stops, nobody is told"
            )),
        }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        if let Some(ping) = &self.ping {
            ping.abort();
        }
    }
}

/// Redirects are not followed: only the watchdog's own answer says it heard the ping.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(PING_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

async fn ping(http: &reqwest::Client, url: &str) -> Beat {
    let url = match revealed(url).await {
        Ok(url) => url,
        Err(e) => return Beat::Refused(e),
    };
    match http.get(url).send().await {
        Ok(r) if r.status().is_success() => Beat::Accepted(Timestamp::now()),
        Ok(r) if r.status().is_redirection() => Beat::Refused(format!(
            "HTTP {}: a redirect, not the watchdog's answer — give the URL it points to",
            r.status().as_u16()
        )),
        Ok(r) => Beat::Refused(format!("HTTP {}", r.status().as_u16())),
        Err(e) => Beat::Refused(unanswered("heartbeat", &e)),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;

    /// A captive portal, a login page, an http URL for an https-only watchdog: the redirect's
    /// target answering 200 is not the watchdog hearing the ping.
    #[tokio::test]
    async fn a_redirect_is_not_an_accepted_ping() {
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let (portal, visited) = crate::test_servers::answering(ok.into()).await;
        let redirect = format!(
            "HTTP/1.1 302 Found\r\nLocation: {portal}/login\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
        );
        let (watchdog, _) = crate::test_servers::answering(redirect).await;
        let beat = ping(&client(), &format!("{watchdog}/ping/abc")).await;
        assert_eq!(visited.load(Ordering::SeqCst), 0);
        let Beat::Refused(why) = beat else {
            panic!("a redirect was taken as the watchdog's answer")
        };
        assert!(why.starts_with("HTTP 302"), "{why}");
        assert!(why.contains("redirect"), "{why}");
    }
}
