//! Pushover: the founder's phone through Pushover's app. An alert is an **emergency** (priority
//! 2): the phone repeats it every `retry` until someone acknowledges it in the app, up to
//! `expire`, and Pushover answers with a receipt. Klaxon polls the receipt (every 10 s, twice
//! what Pushover allows) and an acknowledgement on the phone acknowledges the incident. Every
//! emergency is tagged with its incident, so acknowledging or resolving it anywhere cancels the
//! phone's repeats by tag before the notice goes out.

use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use super::{Answer, Message, PhoneAck, answer_of, revealed, unanswered};
use crate::config::{ChannelConfig, ChannelTarget};
use crate::domain::states::DeliveryEvent;

/// How often the phone repeats an unacknowledged emergency, and for how long (Pushover's
/// bounds: `retry` at least 30 s, `expire` at most 3 h).
const RETRY: Duration = Duration::from_secs(60);
pub const EXPIRE: Duration = Duration::from_secs(3 * 3600);
/// Pushover asks not to poll a receipt more often than every 5 s.
const POLL_EVERY: Duration = Duration::from_secs(10);

/// The tag that ties an emergency to its incident, for cancelling by tag.
fn tag_of(incident: i64) -> String {
    format!("klaxon-incident-{incident}")
}

struct Keys {
    api: String,
    user: String,
    token: String,
}

async fn keys(channel: &ChannelConfig) -> Result<Keys, String> {
    let ChannelTarget::Pushover { api, user, token } = &channel.target else {
        return Err("not a Pushover channel".into());
    };
    Ok(Keys {
        api: revealed(api).await?.trim_end_matches('/').to_string(),
        user: revealed(user).await?,
        token: revealed(token).await?,
    })
}

/// Sends `message`; an alert as an emergency, whose receipt comes back with the answer.
pub async fn send(
    http: &reqwest::Client,
    channel: &ChannelConfig,
    message: &Message,
) -> Result<(Answer, Option<String>), String> {
    let keys = keys(channel).await?;
    let alert = matches!(
        message.event,
        DeliveryEvent::Opened | DeliveryEvent::Reminder
    );
    if matches!(
        message.event,
        DeliveryEvent::Acknowledged | DeliveryEvent::Resolved
    ) {
        cancel(http, &keys, message.incident.id).await;
    }
    let tag = tag_of(message.incident.id);
    let mut form = vec![
        ("token", keys.token.clone()),
        ("user", keys.user.clone()),
        ("title", message.title()),
        ("message", message.body()),
        ("priority", if alert { "2" } else { "0" }.to_string()),
    ];
    if alert {
        form.push(("retry", RETRY.as_secs().to_string()));
        form.push(("expire", EXPIRE.as_secs().to_string()));
        form.push(("tags", tag));
    }
    let body = form_body(&form);
    let response = http
        .post(format!("{}/1/messages.json", keys.api))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await
        .map_err(|e| unanswered("Pushover", &e))?;
    let answer = answer_of(response).await;
    let receipt = serde_json::from_str::<Value>(&answer.said)
        .ok()
        .and_then(|v| v["receipt"].as_str().map(str::to_string));
    Ok((answer, receipt))
}

/// Stops the phone repeating the incident's emergency; best effort (it expires anyway).
async fn cancel(http: &reqwest::Client, keys: &Keys, incident: i64) {
    let url = format!(
        "{}/1/receipts/cancel_by_tag/{}.json",
        keys.api,
        tag_of(incident)
    );
    let body = form_body(&[("token", keys.token.clone())]);
    let sent = http
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await;
    if let Err(e) = sent {
        tracing::warn!(
            "cancelling the Pushover emergency: {}",
            unanswered("Pushover", &e)
        );
    }
}

/// Watches an emergency's receipt until it is acknowledged (handed to `acks`), expires, or
/// Klaxon stops; polled every [`POLL_EVERY`].
pub async fn watch(
    http: reqwest::Client,
    channel: ChannelConfig,
    receipt: String,
    incident_id: i64,
    acks: mpsc::Sender<PhoneAck>,
) {
    let Ok(keys) = keys(&channel).await else {
        return;
    };
    let deadline = tokio::time::Instant::now() + EXPIRE + POLL_EVERY;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(POLL_EVERY).await;
        let url = format!(
            "{}/1/receipts/{receipt}.json?token={}",
            keys.api, keys.token
        );
        let Ok(response) = http.get(url).send().await else {
            continue;
        };
        // A receipt's state is a few hundred bytes; more is not read.
        let Some(text) = super::read_at_most(response, 64 << 10).await else {
            continue;
        };
        let Ok(state) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if state["acknowledged"] == 1 {
            let ack = PhoneAck {
                incident_id,
                channel: channel.name.clone(),
            };
            let _ = acks.send(ack).await;
            return;
        }
        if state["expired"] == 1 || state["status"] != 1 {
            return;
        }
    }
}

fn form_body(fields: &[(&str, String)]) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect::<Vec<_>>()
        .join("&")
}
