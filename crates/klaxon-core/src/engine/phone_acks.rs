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
    while let Some(chunk) = response.chunk().await.map_err(|e| unanswered("ntfy", &e))? {
        pending.extend_from_slice(&chunk);
        // Bounded: a line longer than any ntfy message is not one.
        if pending.len() > 64 * 1024 {
            return Err("the stream sent an overlong line".into());
        }
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
            if let Some(id) = event["id"].as_str() {
                remember(db, channel, id).await;
            }
        }
    }
    Ok(())
}

async fn cursor(db: &std::path::Path, channel: &str) -> Option<String> {
    let (db, channel) = (db.to_path_buf(), channel.to_string());
    tokio::task::spawn_blocking(move || {
        crate::store::Store::open(&db)
            .ok()?
            .channel_cursor(&channel)
            .ok()?
    })
    .await
    .ok()?
}

async fn remember(db: &std::path::Path, channel: &str, id: &str) {
    let (db, channel, id) = (db.to_path_buf(), channel.to_string(), id.to_string());
    let saved = tokio::task::spawn_blocking(move || {
        crate::store::Store::open(&db)?.set_channel_cursor(&channel, &id)
    })
    .await;
    if let Ok(Err(e)) = saved {
        tracing::warn!("keeping where the ack topic was read to: {e}");
    }
}
