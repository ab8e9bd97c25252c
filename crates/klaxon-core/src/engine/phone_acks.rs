//! Listening for the phone's acknowledgements: one task per ntfy channel with an `ack_topic`
//! follows the topic's JSON stream and hands each `ack N` to the owner. It resumes with
//! `since=` from the last message it read (kept in the database), so a tap made while the
//! laptop slept or Klaxon was stopped still counts when it is back; a dropped connection is
//! opened again with a growing wait (1 s to 30 s).

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::channels::ntfy::{PhoneAck, ack_of};
use crate::channels::{revealed, unanswered};
use crate::config::{ChannelConfig, ChannelTarget};

/// How long the stream may say nothing, not even ntfy's keepalive (every 45 s by default).
const SILENCE: Duration = Duration::from_secs(120);

/// Follows the channel's ack topic until dropped (the caller aborts the task): each
/// `ack N` message is handed to `acks`, and the id of the last message read is kept in the
/// database at `db` so the next connection resumes after it.
pub async fn listen(
    http: reqwest::Client,
    channel: ChannelConfig,
    db: PathBuf,
    start: jiff::Timestamp,
    acks: mpsc::Sender<PhoneAck>,
    key: std::sync::Arc<[u8]>,
) {
    let ChannelTarget::Ntfy {
        server,
        token,
        ack_topic: Some(ack_topic),
        ..
    } = &channel.target
    else {
        return;
    };
    let mut wait = Duration::from_secs(1);
    loop {
        let since = cursor(&db, &channel.name)
            .await
            .unwrap_or_else(|| start.as_second().to_string());
        match follow(
            &http,
            &channel.name,
            server,
            token,
            ack_topic,
            &since,
            &db,
            (&acks, &key),
        )
        .await
        {
            Ok(()) => wait = Duration::from_secs(1),
            Err(e) => {
                tracing::warn!(channel = %channel.name, "listening for acknowledgements: {e}");
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        }
        if acks.is_closed() {
            return;
        }
        tokio::time::sleep(wait).await;
    }
}

/// One connection to the topic's JSON stream, read until it ends.
#[allow(clippy::too_many_arguments)]
async fn follow(
    http: &reqwest::Client,
    channel: &str,
    server: &str,
    token: &Option<String>,
    ack_topic: &str,
    since: &str,
    db: &std::path::Path,
    (acks, key): (&mpsc::Sender<PhoneAck>, &[u8]),
) -> Result<(), String> {
    let server = revealed(server).await?;
    let mut request = http.get(format!("{server}/{ack_topic}/json?since={since}"));
    if let Some(token) = token {
        request = request.bearer_auth(revealed(token).await?);
    }
    let mut response = request.send().await.map_err(|e| unanswered("ntfy", &e))?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status().as_u16()));
    }
    let mut pending = Vec::new();
    let mut ignored: u64 = 0;
    loop {
        // ntfy sends a keepalive every 45 s: a stream silent for longer is a connection lost
        // (a sleep, a changed network) that no error will ever report. It is opened again,
        // from where it was read to.
        let read = tokio::time::timeout(SILENCE, response.chunk()).await;
        let Ok(read) = read else {
            return Err(format!(
                "the stream said nothing for {} s; opening it again",
                SILENCE.as_secs()
            ));
        };
        let Some(chunk) = read.map_err(|e| unanswered("ntfy", &e))? else {
            break;
        };
        pending.extend_from_slice(&chunk);
        // Where to resume: written once per chunk, not once per message, so a flood costs
        // one database write per read rather than one per line.
        let mut newest = None;
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let Ok(event) = serde_json::from_slice::<serde_json::Value>(&line) else {
                continue;
            };
            if event["event"] != "message" {
                continue;
            }
            let text = event["message"].as_str().unwrap_or("");
            if text.starts_with("ack") && ack_of(text, key).is_none() {
                // Said at the first and then at each doubling: a flood of forged taps cannot
                // flood the log with the same line.
                ignored += 1;
                if ignored.is_power_of_two() {
                    tracing::warn!(%channel, ignored, "a tap without its incident's code was ignored");
                }
            }
            if let Some(id) = ack_of(text, key) {
                let ack = PhoneAck {
                    incident_id: id,
                    channel: channel.to_string(),
                };
                if acks.send(ack).await.is_err() {
                    return Ok(());
                }
            }
            // ntfy's ids are a dozen letters and digits; anything else is not kept (it goes
            // into the next request's URL).
            if let Some(id) = event["id"].as_str().filter(|id| is_message_id(id)) {
                newest = Some(id.to_string());
            }
        }
        if let Some(id) = newest {
            remember(db, channel, &id).await;
        }
        // Bounded: a line longer than any ntfy message is not one.
        if pending.len() > 64 * 1024 {
            return Err("the stream sent an overlong line".into());
        }
    }
    Ok(())
}

fn is_message_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Where the topic kept under `name` (a channel, or `source:NAME`) was last read to.
pub(crate) async fn cursor(db: &std::path::Path, name: &str) -> Option<String> {
    let (db, name) = (db.to_path_buf(), name.to_string());
    tokio::task::spawn_blocking(move || {
        crate::store::Store::open(&db)
            .ok()?
            .channel_cursor(&name)
            .ok()?
    })
    .await
    .ok()?
}

/// Keeps where the topic kept under `name` was read to; a failure is said, not fatal (the
/// next start reads a little again).
pub(crate) async fn remember(db: &std::path::Path, name: &str, id: &str) {
    let (db, who, id) = (db.to_path_buf(), name.to_string(), id.to_string());
    let saved = tokio::task::spawn_blocking(move || {
        crate::store::Store::open(&db)?.set_channel_cursor(&who, &id)
    })
    .await;
    if let Ok(Err(e)) = saved {
        tracing::warn!(
            "keeping where {} was read to: {e}",
            crate::text::printable(name)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-connection ntfy stand-in that answers the stream with `body`, then closes.
    async fn stream(body: String) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n\
                        Connection: close\r\n\r\n";
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(body.as_bytes()).await;
        });
        server
    }

    async fn follow_once(body: String) -> (Vec<PhoneAck>, Option<String>) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("klaxon.db");
        let server = stream(body).await;
        let key = b"the key";
        let (tx, mut rx) = mpsc::channel(16);
        let followed = tokio::time::timeout(
            Duration::from_secs(5),
            follow(
                &reqwest::Client::new(),
                "phone",
                &server,
                &None,
                "acks",
                "0",
                &db,
                (&tx, key),
            ),
        )
        .await
        .expect("the stream is read to its end, at the speed it comes");
        followed.unwrap();
        drop(tx);
        let mut acks = Vec::new();
        while let Some(ack) = rx.recv().await {
            acks.push(ack);
        }
        let cursor = cursor(&db, "phone").await;
        (acks, cursor)
    }

    fn message(id: &str, text: &str) -> String {
        serde_json::json!({ "id": id, "event": "message", "message": text }).to_string() + "\n"
    }

    #[tokio::test(start_paused = true)]
    async fn a_stream_that_falls_silent_is_given_up_and_opened_again() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
            let _ = socket.write_all(head.as_bytes()).await;
            // Then nothing, as a connection lost while the laptop slept: no keepalive, no end.
            std::future::pending::<()>().await;
        });
        let dir = tempfile::tempdir().unwrap();
        let (tx, _rx) = mpsc::channel(1);
        let followed = tokio::time::timeout(
            Duration::from_secs(600),
            follow(
                &reqwest::Client::new(),
                "phone",
                &server,
                &None,
                "acks",
                "0",
                &dir.path().join("klaxon.db"),
                (&tx, b"the key"),
            ),
        )
        .await
        .expect("a silent stream is not waited on for ever");
        let error = followed.unwrap_err();
        assert!(error.contains("said nothing"), "{error}");
    }

    #[tokio::test]
    async fn a_flood_of_messages_does_not_hide_the_tap_after_it() {
        let mut body: String = (0..5000)
            .map(|i| {
                message(
                    &format!("flood{i:07}"),
                    "not an ack, just noise to fill the pipe",
                )
            })
            .collect();
        let code = crate::channels::ntfy::ack_code(b"the key", 7);
        body += &message("tapTAP123456", &format!("ack 7 {code}"));
        let (acks, cursor) = follow_once(body).await;
        assert_eq!(acks.len(), 1, "{acks:?}");
        assert_eq!(acks[0].incident_id, 7);
        assert_eq!(cursor.as_deref(), Some("tapTAP123456"));
    }

    #[tokio::test]
    async fn an_id_that_is_not_ntfys_is_not_kept_as_where_to_resume() {
        let body = message("good12345678", "hello")
            + &message("x&poll=1&since=all\u{1b}[31m", "hello")
            + &message(&"a".repeat(10_000), "hello");
        let (_, cursor) = follow_once(body).await;
        assert_eq!(
            cursor.as_deref().map(|c| &c[..c.len().min(80)]),
            Some("good12345678")
        );
    }
}
