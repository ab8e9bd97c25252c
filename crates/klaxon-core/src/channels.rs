//! Sending one message to one channel, and what the answer means. The message says what is
//! down, since when, why, and how to acknowledge; it never carries a secret, and an error
//! never shows a URL (a token may sit in one). Each kind of service speaks its own API
//! ([`ntfy`], [`webhook`], Slack and Discord in [`chat`]); this module owns what they share: the words, the secrets, and the
//! reading of an HTTP answer into "delivered", "try again at …" or "give up".

pub mod chat;
pub mod email;
pub mod ntfy;
pub mod pushover;
pub mod webhook;

use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::config::{ChannelConfig, ChannelTarget};
use crate::domain::delivery::Outcome;
use crate::domain::states::{DeliveryEvent, IncidentState};
use crate::domain::status::IncidentView;

/// How long one attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: u32 = 10;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// An acknowledgement made on the phone (ntfy's button, Pushover's emergency receipt).
#[derive(Debug, Clone, PartialEq)]
pub struct PhoneAck {
    pub incident_id: i64,
    pub channel: String,
}

/// What one delivery is about.
#[derive(Debug, Clone)]
pub struct Message {
    pub event: DeliveryEvent,
    pub incident: IncidentView,
    pub step: String,
    /// Its row in the outbox, when written down: services that keep messages are asked for
    /// it after a restart, and webhooks carry it so a receiver can drop a repeat.
    pub delivery: Option<i64>,
    /// The code an Acknowledge button carries ([`ntfy::ack_code`]), filled in when sent.
    pub ack_code: Option<String>,
}

impl Message {
    /// `klaxon channel test`'s message: about no incident, and saying so.
    pub fn test(now: Timestamp) -> Message {
        Message {
            event: DeliveryEvent::Test,
            incident: IncidentView {
                id: 0,
                monitor: "Klaxon".into(),
                source: None,
                state: IncidentState::Resolved,
                opened_at: now,
                acknowledged_at: None,
                resolved_at: Some(now),
                first_failure_at: now,
                recovered_at: Some(now),
                acknowledged_via: None,
                snoozed_until: None,
                time_to_acknowledge_s: None,
                time_to_recover_s: None,
                reason: "a test".into(),
            },
            step: "test".into(),
            delivery: None,
            ack_code: None,
        }
    }

    /// Klaxon on this machine is about to stop watching; `why` is "is going to sleep" or "is
    /// stopping".
    pub fn leaving(why: &str, now: Timestamp) -> Message {
        let host = gethostname::gethostname().to_string_lossy().into_owned();
        let mut message = Message::test(now);
        message.event = DeliveryEvent::Leaving;
        message.step = "leaving".into();
        message.incident.monitor = format!("Klaxon on {}", crate::text::bounded(&host, 64));
        message.incident.reason = why.into();
        message
    }

    /// "API is down", "API: acknowledged", "API is back up".
    pub fn title(&self) -> String {
        let what = &self.incident.monitor;
        match self.event {
            DeliveryEvent::Opened => format!("{what} is down"),
            DeliveryEvent::Reminder => format!("{what} is still down, and nobody has answered"),
            DeliveryEvent::Acknowledged => format!("{what}: acknowledged"),
            DeliveryEvent::Resolved => format!("{what} is back up"),
            DeliveryEvent::Test => "Klaxon test message".into(),
            DeliveryEvent::Leaving => format!("{what} {}", self.incident.reason),
        }
    }

    /// The body: since when, why, and what to do.
    pub fn body(&self) -> String {
        let i = &self.incident;
        let since = local_clock(i.first_failure_at);
        match self.event {
            DeliveryEvent::Opened | DeliveryEvent::Reminder => format!(
                "{} has been down since {since} ({}). Acknowledge with the button below, \
                 `klaxon ack`, or in Klaxon's window.",
                i.monitor, i.reason
            ),
            DeliveryEvent::Acknowledged => {
                let via = i
                    .acknowledged_via
                    .map_or("someone".into(), |v| format!("the {v}"));
                let at = i.acknowledged_at.map(local_clock).unwrap_or_default();
                format!("Acknowledged by {via} at {at}; still down since {since}.")
            }
            DeliveryEvent::Resolved if i.state == IncidentState::Resolved => {
                format!("{} answers again; it was down from {since}.", i.monitor)
            }
            DeliveryEvent::Resolved => format!("{} answers again.", i.monitor),
            DeliveryEvent::Test => "This is a test from Klaxon: if you can read it, this channel \
                                    reaches you. Nothing is down."
                .into(),
            DeliveryEvent::Leaving => format!(
                "You are not covered from {} until it is back: until then it cannot check your \
                 services or ring, and only a heartbeat watchdog would notice an outage.",
                local_clock(i.opened_at)
            ),
        }
    }
}

/// Sends `message` to `channel`, resolving its `{secret:…}`s first. With a Pushover emergency,
/// also the receipt to watch for the phone's acknowledgement.
pub async fn send(
    http: &reqwest::Client,
    channel: &ChannelConfig,
    message: &Message,
    attempt: u32,
    now: Timestamp,
) -> (Outcome, Option<String>) {
    let (sent, receipt) = match &channel.target {
        ChannelTarget::Ntfy { .. } => (ntfy::publish(http, channel, message).await, None),
        ChannelTarget::Webhook { .. } => (webhook::post(http, channel, message, now).await, None),
        ChannelTarget::Slack { url } => (chat::slack(http, url, message).await, None),
        ChannelTarget::Discord { url } => (chat::discord(http, url, message).await, None),
        ChannelTarget::Pushover { .. } => match pushover::send(http, channel, message).await {
            Ok((answer, receipt)) => (Ok(answer), receipt),
            Err(error) => (Err(error), None),
        },
        ChannelTarget::Email { .. } => {
            let outcome = match email::send(channel, message).await {
                email::Sent::Accepted => Outcome::Delivered,
                email::Sent::Refused(error) => Outcome::Failed {
                    error,
                    retry_at: None,
                },
                email::Sent::Failed(error) => retry(error, attempt, None, now),
            };
            return (outcome, None);
        }
    };
    let outcome = match sent {
        Ok(answer) => judge(answer, attempt, now),
        Err(error) => retry(error, attempt, None, now),
    };
    // A receipt counts only once the message was accepted.
    let receipt = receipt.filter(|_| outcome == Outcome::Delivered);
    (outcome, receipt)
}

/// After a restart, for a delivery whose last attempt never recorded its outcome: whether the
/// service has it already. Only services that keep messages can say (ntfy); for the others
/// `false`, and the message is sent again (a webhook receiver can drop it by its `delivery`).
pub async fn already_arrived(
    http: &reqwest::Client,
    channel: &ChannelConfig,
    delivery: i64,
    since: Timestamp,
) -> bool {
    match &channel.target {
        ChannelTarget::Ntfy { .. } => ntfy::has(http, channel, delivery, since).await,
        ChannelTarget::Webhook { .. }
        | ChannelTarget::Slack { .. }
        | ChannelTarget::Discord { .. }
        | ChannelTarget::Pushover { .. }
        | ChannelTarget::Email { .. } => false,
    }
}

/// A service's answer, as much of it as a verdict needs.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<Duration>,
    /// The start of the body, for a refusal's reason.
    pub said: String,
}

/// Turns an answer into an outcome: 2xx delivered; 408, 429 and 5xx tried again (429 after
/// the service's own hint); any other refusal given up with what to check.
fn judge(answer: Answer, attempt: u32, now: Timestamp) -> Outcome {
    let status = answer.status;
    let hint = match status {
        200..=299 => return Outcome::Delivered,
        401 | 403 => "check the token",
        404 => "check the topic or URL",
        408 | 429 | 500..=599 => {
            let error = format!("HTTP {status}{}", said(&answer.said));
            return retry(error, attempt, answer.retry_after, now);
        }
        _ => "the service refused the message",
    };
    Outcome::Failed {
        error: format!("HTTP {status}{} — {hint}", said(&answer.said)),
        retry_at: None,
    }
}

fn said(text: &str) -> String {
    let text = crate::text::bounded(text.trim(), 120);
    if text.is_empty() {
        String::new()
    } else {
        format!(" ({})", crate::text::printable(&text))
    }
}

/// Tries again after 2, 4, 8 … seconds (at most five minutes), or after the service's own
/// `Retry-After`; gives up after [`MAX_ATTEMPTS`].
fn retry(error: String, attempt: u32, hint: Option<Duration>, now: Timestamp) -> Outcome {
    if attempt + 1 >= MAX_ATTEMPTS {
        return Outcome::Failed {
            error: format!("{error}; gave up after {MAX_ATTEMPTS} attempts"),
            retry_at: None,
        };
    }
    let backoff = Duration::from_secs(2u64.saturating_pow(attempt + 1)).min(MAX_BACKOFF);
    let wait = hint.unwrap_or(backoff).min(MAX_BACKOFF);
    let retry_at = jiff::SignedDuration::try_from(wait)
        .ok()
        .and_then(|d| now.checked_add(d).ok())
        .unwrap_or(now);
    Outcome::Failed {
        error,
        retry_at: Some(retry_at),
    }
}

/// Reads an HTTP answer: status, `Retry-After` (seconds), the first bytes of the body.
pub(crate) async fn answer_of(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after_of(v, Timestamp::now()));
    let said = read_at_most(response, SAID).await.unwrap_or_default();
    Answer {
        status,
        retry_after,
        said,
    }
}

/// `Retry-After` as seconds or as an HTTP date (RFC 9110); a date gone by is "now", and
/// anything else is no hint at all. [`retry`] caps what it says at five minutes.
fn retry_after_of(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    Some(Duration::try_from(at.duration_since(now)).unwrap_or_default())
}

/// How much of a refusal's body is kept for its reason.
const SAID: usize = 512;

/// The start of a body, at most `limit` bytes: a service that answers gigabytes, or never
/// stops, costs no more. `None` when the body could not be read.
pub(crate) async fn read_at_most(mut response: reqwest::Response, limit: usize) -> Option<String> {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk[..chunk.len().min(limit - body.len())])
            }
            Ok(None) => break,
            Err(_) if body.is_empty() => return None,
            Err(_) => break,
        }
    }
    Some(String::from_utf8_lossy(&body).into_owned())
}

/// A request that did not get an answer, said without its URL.
pub(crate) fn unanswered(service: &str, e: &reqwest::Error) -> String {
    let why = if e.is_timeout() {
        "it did not answer in time"
    } else if e.is_connect() {
        "it could not be reached"
    } else {
        "the request failed"
    };
    format!("the {service} server: {why}")
}

/// `{secret:NAME}`s replaced by the keyring's values, off the async threads.
pub(crate) async fn revealed(text: &str) -> Result<String, String> {
    let text = text.to_string();
    tokio::task::spawn_blocking(move || crate::secrets::resolve(&text))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// "02:07 CET" in this machine's time zone.
fn local_clock(t: Timestamp) -> String {
    t.to_zoned(TimeZone::system())
        .strftime("%H:%M %Z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_790_000_000 + s).unwrap()
    }

    fn answer(status: u16, retry_after: Option<u64>) -> Answer {
        Answer {
            status,
            retry_after: retry_after.map(Duration::from_secs),
            said: "{\"code\":40101,\"http\":401,\"error\":\"unauthorized\"}".into(),
        }
    }

    #[test]
    fn a_refused_token_is_given_up_with_what_to_check() {
        let Outcome::Failed { error, retry_at } = judge(answer(401, None), 0, at(0)) else {
            panic!("a 401 is not delivered")
        };
        assert_eq!(retry_at, None);
        assert!(error.starts_with("HTTP 401"), "{error}");
        assert!(error.ends_with("check the token"), "{error}");
    }

    #[test]
    fn a_busy_service_is_tried_again_after_its_own_hint_or_a_growing_wait() {
        let Outcome::Failed { retry_at, .. } = judge(answer(429, Some(30)), 0, at(0)) else {
            panic!("a 429 is not delivered")
        };
        assert_eq!(retry_at, Some(at(30)));
        let Outcome::Failed { retry_at, .. } = judge(answer(503, None), 2, at(0)) else {
            panic!("a 503 is not delivered")
        };
        assert_eq!(retry_at, Some(at(8)));
        assert_eq!(judge(answer(200, None), 0, at(0)), Outcome::Delivered);
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_a_date() {
        let now = Timestamp::from_second(1_790_000_000).unwrap();
        let secs = |n: u64| Some(Duration::from_secs(n));
        assert_eq!(retry_after_of("120", now), secs(120));
        assert_eq!(retry_after_of(" 7 ", now), secs(7));
        let soon = now
            .checked_add(jiff::SignedDuration::from_secs(90))
            .unwrap();
        let date = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&soon)
            .unwrap();
        assert_eq!(retry_after_of(&date, now), secs(90));
        // A date gone by: at once (the growing wait still applies in `retry`); nonsense: none.
        assert_eq!(
            retry_after_of("Sat, 01 Jan 2000 00:00:00 GMT", now),
            secs(0)
        );
        assert_eq!(retry_after_of("-5", now), None);
        assert_eq!(retry_after_of("99999999999999999999", now), None);
        // Far in the future: capped by `retry` at five minutes.
        let far = retry_after_of("Tue, 31 Dec 2999 23:59:59 GMT", now).unwrap();
        let Outcome::Failed { retry_at, .. } = retry("HTTP 429".into(), 0, Some(far), now) else {
            unreachable!()
        };
        assert_eq!(
            retry_at,
            Some(Timestamp::from_second(1_790_000_300).unwrap())
        );
    }

    #[tokio::test]
    async fn an_endless_answer_is_read_no_further_than_its_reason_needs() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 4096];
            let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut request).await;
            let head = "HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n";
            socket.write_all(head.as_bytes()).await.unwrap();
            let chunk = format!("{:x}\r\n{}\r\n", 65536, "\u{1b}".repeat(65536));
            while socket.write_all(chunk.as_bytes()).await.is_ok() {}
        });
        let response = reqwest::get(url).await.unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(5), answer_of(response))
            .await
            .expect("the body is read only as far as the reason needs");
        assert_eq!(answer.status, 500);
        assert_eq!(answer.said.len(), SAID);
    }

    #[test]
    fn retries_end_after_the_last_attempt() {
        let Outcome::Failed { error, retry_at } = retry("HTTP 500".into(), 9, None, at(0)) else {
            unreachable!()
        };
        assert_eq!(retry_at, None);
        assert!(error.contains("gave up after 10 attempts"), "{error}");
        let Outcome::Failed { retry_at, .. } = retry("x".into(), 20, None, at(0)) else {
            unreachable!()
        };
        assert_eq!(retry_at, None);
    }
}
