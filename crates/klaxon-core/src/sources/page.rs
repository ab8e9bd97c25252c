//! Paging the founder (`klaxon page`): an urgent message on the team's ntfy topic, which the
//! founder's Klaxon follows as a source and rings for at once, at full loudness. When it is
//! acknowledged, that Klaxon answers on the same topic ("acknowledged by … at 02:14"), and the
//! pager, still listening, says so. Anyone without Klaxon can page with one `curl` (README).

use std::time::Duration;

use serde_json::json;

use super::ntfy::{self, PAGE_TAG, REPLY_TAG};

/// A page's own words are at most this long (ntfy's message limit is 4 KiB).
pub const MAX_MESSAGE: usize = 2000;

/// Publishes the page; returns its message id, to listen for the answer after it.
pub async fn send(
    http: &reqwest::Client,
    topic_url: &str,
    token: Option<&str>,
    from: &str,
    text: &str,
) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("say what is wrong: the page's message is empty".into());
    }
    if text.len() > MAX_MESSAGE {
        return Err(format!(
            "a page is at most {MAX_MESSAGE} bytes; say it shorter"
        ));
    }
    let from = crate::text::bounded(from.trim(), 64);
    let body = json!({
        "title": format!("Page from {from}"),
        "message": text,
        "priority": 5,
        "tags": [PAGE_TAG, "rotating_light"],
    });
    let answer = publish(http, topic_url, token, body).await?;
    Ok(answer["id"].as_str().unwrap_or_default().to_string())
}

/// The founder's Klaxon answers a page it acknowledged.
pub async fn reply(
    http: &reqwest::Client,
    topic_url: &str,
    token: Option<&str>,
    text: &str,
) -> Result<(), String> {
    let body = json!({
        "title": "Page acknowledged",
        "message": text,
        "priority": 3,
        "tags": [REPLY_TAG, "white_check_mark"],
    });
    publish(http, topic_url, token, body).await.map(|_| ())
}

/// Listens on the topic after `since` (the page's id) for the answer, at most `limit`.
/// `Ok(None)` when none came in time.
pub async fn wait_for_reply(
    http: &reqwest::Client,
    topic_url: &str,
    token: Option<&str>,
    since: &str,
    limit: Duration,
) -> Result<Option<String>, String> {
    let listen = async {
        // A stream that ends is opened again, but never in a tight loop: a server (or a proxy)
        // that ends every stream at once must not be hammered for the whole wait.
        let mut pause = Duration::from_secs(1);
        loop {
            let mut topic = ntfy::open(http, topic_url, token, since, 1).await?;
            while let Some(event) = topic.next_message().await? {
                let tags = event["tags"].as_array().cloned().unwrap_or_default();
                if tags.iter().any(|t| t == REPLY_TAG) {
                    let said = event["message"].as_str().unwrap_or("acknowledged");
                    return Ok(Some(crate::text::bounded(said, 300).into_owned()));
                }
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(30));
        }
    };
    match tokio::time::timeout(limit, listen).await {
        Ok(answer) => answer,
        Err(_) => Ok(None),
    }
}

/// POSTs a JSON message to the topic (ntfy's "publish as JSON": to the server's root, with the
/// topic in the body).
async fn publish(
    http: &reqwest::Client,
    topic_url: &str,
    token: Option<&str>,
    mut body: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let url = super::revealed(topic_url).await?;
    let Some((server, topic)) = url.trim_end_matches('/').rsplit_once('/') else {
        return Err("the page topic's URL names no topic".into());
    };
    body["topic"] = json!(topic);
    let mut request = http
        .post(format!("{server}/"))
        .timeout(super::READ_TIMEOUT)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(super::revealed(token).await?);
    }
    let text = super::get("ntfy", request).await?;
    super::json("ntfy", &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A "topic" whose stream ends at once, every time: 200 and an empty body.
    fn ending_topic() -> (String, Arc<AtomicUsize>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let opened = Arc::new(AtomicUsize::new(0));
        let count = opened.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                count.fetch_add(1, Ordering::Relaxed);
                let mut request = [0u8; 4096];
                let _ = conn.read(&mut request);
                let _ = conn.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        (format!("http://{addr}/page"), opened)
    }

    #[tokio::test]
    async fn waiting_on_a_stream_that_keeps_ending_does_not_hammer_the_server() {
        let (url, opened) = ending_topic();
        let http = reqwest::Client::new();
        let answer = wait_for_reply(&http, &url, None, "x", Duration::from_millis(2500)).await;
        assert_eq!(answer, Ok(None));
        let opened = opened.load(Ordering::Relaxed);
        assert!(opened <= 5, "the stream was opened {opened} times in 2.5 s");
    }
}
