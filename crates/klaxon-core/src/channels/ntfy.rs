//! ntfy: a push to the founder's phone, and the phone's way back. An alert is published with
//! priority 5 (urgent, which ntfy's Android app can let ring through Do Not Disturb) and, when
//! the channel has an `ack_topic`, an **Acknowledge** button: ntfy's `http` action, which posts
//! `ack <incident id>` to that topic. The engine listens to that topic
//! (`engine::phone_acks`) and reads each tap with [`ack_of`].
//!
//! Anyone who can publish to the ack topic can acknowledge: like ntfy's own topics, its name is
//! the password, so choose one nobody guesses. The button carries no token.

use serde_json::json;

use super::{Answer, Message, answer_of, revealed, unanswered};
use crate::config::{ChannelConfig, ChannelTarget};
use crate::domain::states::DeliveryEvent;

/// Publishes `message` to the channel's topic (ntfy's JSON publishing, `POST /`).
pub async fn publish(
    http: &reqwest::Client,
    channel: &ChannelConfig,
    message: &Message,
) -> Result<Answer, String> {
    let ChannelTarget::Ntfy {
        server,
        topic,
        token,
        ack_topic,
    } = &channel.target
    else {
        return Err("not an ntfy channel".into());
    };
    let server = revealed(server).await?;
    let alert = matches!(
        message.event,
        DeliveryEvent::Opened | DeliveryEvent::Reminder
    );
    let mut body = json!({
        "topic": topic,
        "title": message.title(),
        "message": message.body(),
        "priority": if alert { 5 } else { 3 },
        "tags": [match message.event {
            _ if alert => "rotating_light",
            DeliveryEvent::Leaving => "zzz",
            _ => "white_check_mark",
        }],
    });
    if let Some(id) = message.delivery {
        body["tags"] = json!([body["tags"][0], delivery_tag(id)]);
    }
    if let (true, Some(ack_topic)) = (alert, ack_topic) {
        body["actions"] = json!([{
            "action": "http",
            "label": "Acknowledge",
            "url": format!("{server}/{ack_topic}"),
            "method": "POST",
            "body": format!(
                "ack {} {}",
                message.incident.id,
                message.ack_code.as_deref().unwrap_or("")
            ),
            "clear": true,
        }]);
    }
    let mut request = http
        .post(format!("{server}/"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&body).unwrap_or_default());
    if let Some(token) = token {
        request = request.bearer_auth(revealed(token).await?);
    }
    match request.send().await {
        Ok(response) => Ok(answer_of(response).await),
        Err(e) => Err(unanswered("ntfy", &e)),
    }
}

/// The tag that marks a message as the outbox's delivery `id`.
fn delivery_tag(id: i64) -> String {
    format!("klaxon-{id}")
}

/// Whether the topic already holds delivery `id` (sent before Klaxon was killed, its outcome
/// never written). Asks ntfy for the topic's messages since the delivery was written down; an
/// answer that cannot be had counts as "no" (a repeat is better than a loss).
pub async fn has(
    http: &reqwest::Client,
    channel: &ChannelConfig,
    id: i64,
    since: jiff::Timestamp,
) -> bool {
    let ChannelTarget::Ntfy {
        server,
        topic,
        token,
        ..
    } = &channel.target
    else {
        return false;
    };
    let Ok(server) = revealed(server).await else {
        return false;
    };
    let since = since.as_second().saturating_sub(1);
    let mut request = http.get(format!("{server}/{topic}/json?poll=1&since={since}"));
    if let Some(token) = token {
        let Ok(token) = revealed(token).await else {
            return false;
        };
        request = request.bearer_auth(token);
    }
    let Ok(response) = request.send().await else {
        return false;
    };
    // A day of one topic's messages is a few kilobytes; a server answering more is cut off.
    let Some(text) = super::read_at_most(response, 1 << 20).await else {
        return false;
    };
    let tag = delivery_tag(id);
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .any(|m| {
            m["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == tag.as_str()))
        })
}

pub use super::PhoneAck;

/// The code that proves a tap came from Klaxon's own button for incident `id`: the start of
/// an HMAC-SHA256 under this installation's ack key. Someone who guesses the ack topic cannot
/// make one, so cannot silence an alarm by posting `ack 7`.
pub fn ack_code(key: &[u8], id: i64) -> String {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(format!("klaxon ack {id}").as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..8])
}

/// The text a tap posts: `ack 7 <code>` acknowledges incident 7 when the code is its own.
pub fn ack_of(text: &str, key: &[u8]) -> Option<i64> {
    let mut words = text.split_whitespace();
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some("ack"), Some(id), Some(code), None) => {
            let id = id.parse().ok()?;
            (code == ack_code(key, id)).then_some(id)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_ack_with_its_own_code_acknowledges() {
        let key = b"an installation's key";
        let code = ack_code(key, 7);
        assert_eq!(code.len(), 16);
        assert_eq!(ack_of(&format!("ack 7 {code}"), key), Some(7));
        assert_eq!(ack_of(&format!("  ack   7  {code} "), key), Some(7));
        // Another incident's code, another key's, none at all: nothing.
        assert_eq!(ack_of(&format!("ack 8 {code}"), key), None);
        assert_eq!(
            ack_of(&format!("ack 7 {}", ack_code(b"other", 7)), key),
            None
        );
        assert_eq!(ack_of("ack 7", key), None);
        assert_eq!(ack_of("ack seven x", key), None);
        assert_eq!(ack_of("triggered", key), None);
    }
}
