//! A webhook: any HTTP endpoint gets a documented JSON body for every incident event. With a
//! `secret`, the body is signed — `X-Klaxon-Signature: sha256=<hex HMAC-SHA256 of the raw
//! body>` — so the receiver can tell Klaxon's messages from anyone else's.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde_json::json;
use sha2::Sha256;

use super::{Answer, Message, answer_of, revealed, unanswered};
use crate::config::{ChannelConfig, ChannelTarget};

/// The header that carries the signature.
pub const SIGNATURE: &str = "X-Klaxon-Signature";

/// The body, as documented in the README: `{"event", "title", "text", "step", "delivery",
/// "sent_at", "incident"}`, the incident in the `history --json` shape; `delivery` is the same
/// number on every attempt of one message, so a receiver can drop a repeat.
pub fn body(message: &Message, now: Timestamp) -> Vec<u8> {
    let body = json!({
        "event": message.event,
        "title": message.title(),
        "text": message.body(),
        "step": message.step,
        "delivery": message.delivery,
        "sent_at": now,
        "incident": message.incident,
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// `sha256=<hex>` of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

pub async fn post(
    http: &reqwest::Client,
    channel: &ChannelConfig,
    message: &Message,
    now: Timestamp,
) -> Result<Answer, String> {
    let ChannelTarget::Webhook { url, secret } = &channel.target else {
        return Err("not a webhook channel".into());
    };
    let url = revealed(url).await?;
    let body = body(message, now);
    let mut request = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    if let Some(secret) = secret {
        request = request.header(SIGNATURE, signature(&revealed(secret).await?, &body));
    }
    match request.body(body).send().await {
        Ok(response) => Ok(answer_of(response).await),
        Err(e) => Err(unanswered("webhook", &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_rfc_4231s_hmac_sha256() {
        // RFC 4231, test case 2.
        let sig = signature("Jefe", b"what do ya want for nothing?");
        assert_eq!(
            sig,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
