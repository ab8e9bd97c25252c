//! An ntfy topic as a source (`ntfy = "https://ntfy.sh/TOPIC"`): its JSON stream
//! (`/TOPIC/json?since=…`, one JSON object per line: `open`, `keepalive`, `message` events, as
//! ntfy's docs describe its subscribe API) is read message by message. A message at or above
//! `min_priority` fires an alert filed under its title (or, without one, its first line); a
//! message tagged `resolved` resolves the alert with the same title. Many tools publish to ntfy
//! (Healthchecks, Uptime Kuma, Gatus, Grafana), and so does `klaxon page`.

use std::time::Duration;

use serde_json::Value;

use super::Alert;

const SERVICE: &str = "ntfy";
/// ntfy sends a keepalive every 45 s by default: a stream silent for this long is broken.
pub const SILENT_AFTER: Duration = Duration::from_secs(120);
/// A line longer than any ntfy message (4 KiB text plus its fields) is not one.
const MAX_LINE: usize = 64 * 1024;
/// The tag a page carries (`klaxon page`), and the one that resolves.
pub const PAGE_TAG: &str = "klaxon-page";
pub const RESOLVED_TAG: &str = "resolved";
/// The tag of the answer to a page ("acknowledged by …").
pub const REPLY_TAG: &str = "klaxon-ack";

/// What one message says.
#[derive(Debug, Clone, PartialEq)]
pub enum Said {
    Fired(Alert),
    Resolved { key: String },
}

/// One open connection to the topic's stream.
pub struct Topic {
    response: reqwest::Response,
    pending: Vec<u8>,
    min_priority: u8,
}

/// Opens the stream after `since` (a message id, or a Unix time).
pub async fn open(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    since: &str,
    min_priority: u8,
) -> Result<Topic, String> {
    let url = super::revealed(url).await?;
    let mut request = http.get(format!("{}/json", url.trim_end_matches('/')));
    request = request.query(&[("since", since)]);
    if let Some(token) = token {
        request = request.bearer_auth(super::revealed(token).await?);
    }
    let response = request
        .send()
        .await
        .map_err(|e| crate::channels::unanswered(SERVICE, &e))?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        let hint = match status {
            401 | 403 => " — check the token",
            404 => " — check the URL",
            _ => "",
        };
        return Err(format!("the ntfy server answered HTTP {status}{hint}"));
    }
    Ok(Topic {
        response,
        pending: Vec::new(),
        min_priority,
    })
}

impl Topic {
    /// The next message: what it says (if it says anything to Klaxon) and its id, to resume
    /// from. `Ok(None)` when the server ended the stream.
    pub async fn next(&mut self) -> Result<Option<(Option<Said>, Option<String>)>, String> {
        let Some(event) = self.next_message().await? else {
            return Ok(None);
        };
        let id = event["id"]
            .as_str()
            .map(|s| crate::text::bounded(s, 64).into_owned());
        Ok(Some((said(&event, self.min_priority), id)))
    }

    /// The next `message` event, as ntfy sent it.
    pub async fn next_message(&mut self) -> Result<Option<Value>, String> {
        loop {
            if let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                let Ok(event) = serde_json::from_slice::<Value>(&line) else {
                    continue;
                };
                if event["event"] == "message" {
                    return Ok(Some(event));
                }
                continue;
            }
            if self.pending.len() > MAX_LINE {
                return Err("the ntfy stream sent an overlong line".into());
            }
            let chunk = tokio::time::timeout(SILENT_AFTER, self.response.chunk())
                .await
                .map_err(|_| {
                    "the ntfy stream went silent (no keepalive for 2 minutes)".to_string()
                })?
                .map_err(|e| crate::channels::unanswered(SERVICE, &e))?;
            match chunk {
                Some(bytes) => self.pending.extend_from_slice(&bytes),
                None => return Ok(None),
            }
        }
    }
}

/// What a `message` event says: a resolution, an alert at or above `min_priority`, or nothing.
pub fn said(event: &Value, min_priority: u8) -> Option<Said> {
    let text = event["message"].as_str().unwrap_or("").trim();
    let title = event["title"].as_str().unwrap_or("").trim();
    let first_line = text.lines().next().unwrap_or("").trim();
    let key = if title.is_empty() { first_line } else { title };
    if key.is_empty() {
        return None;
    }
    let tags: Vec<&str> = event["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let key = crate::text::bounded(key, 200).into_owned();
    // A Klaxon's own reply to a page is for the pager, not an alert.
    if tags.contains(&REPLY_TAG) {
        return None;
    }
    if tags.contains(&RESOLVED_TAG) {
        return Some(Said::Resolved { key });
    }
    // ntfy leaves `priority` out for the default, 3.
    let priority = event["priority"].as_u64().unwrap_or(3);
    if priority < u64::from(min_priority) {
        return None;
    }
    let reason = if text.is_empty() { key.as_str() } else { text };
    let since = event["time"]
        .as_i64()
        .and_then(|t| jiff::Timestamp::from_second(t).ok());
    let priority = priority.to_string();
    let mut labels = vec![("priority", priority.as_str())];
    labels.extend(tags.iter().map(|t| ("tag", *t)));
    // Each page is its own incident, filed under its message id: a second page from the same
    // teammate ("Page from Alex") must ring even while the first stays acknowledged.
    let filed = match event["id"].as_str() {
        Some(id) if tags.contains(&PAGE_TAG) && !id.trim().is_empty() => {
            format!("page {}", crate::text::bounded(id.trim(), 64))
        }
        _ => key.clone(),
    };
    Some(Said::Fired(
        Alert::new(&filed, &key, reason).since(since).labels(labels),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_urgent_message_fires_under_its_title_and_a_resolved_one_resolves_it() {
        let fired = said(
            &json!({"event":"message","id":"a","time":1796090400,"title":"Backups failed",
                    "message":"pg_dump exited 1","priority":5,"tags":["warning"]}),
            4,
        );
        let Some(Said::Fired(alert)) = fired else {
            panic!("{fired:?}")
        };
        assert_eq!(
            (alert.key.as_str(), alert.title.as_str()),
            ("Backups failed", "Backups failed")
        );
        assert_eq!(alert.reason, "pg_dump exited 1");
        assert!(alert.labels.contains(&("tag".into(), "warning".into())));
        assert_eq!(
            said(
                &json!({"event":"message","title":"Backups failed","message":"ok","tags":["resolved"]}),
                4
            ),
            Some(Said::Resolved {
                key: "Backups failed".into()
            })
        );
    }

    #[test]
    fn a_message_below_the_priority_or_with_nothing_to_say_is_ignored() {
        assert_eq!(
            said(&json!({"event":"message","title":"fyi","message":"x"}), 4),
            None
        );
        assert_eq!(
            said(&json!({"event":"message","message":"  ","priority":5}), 4),
            None
        );
        let fired = said(
            &json!({"event":"message","message":"disk full\nmore","priority":4}),
            4,
        );
        assert!(matches!(fired, Some(Said::Fired(a)) if a.key == "disk full"));
    }

    #[test]
    fn wrong_types_and_huge_texts_are_taken_safely() {
        let huge = "x".repeat(100_000);
        let fired = said(
            &json!({"event":"message","title":huge,"message":7,"priority":"high","tags":"no"}),
            1,
        );
        let Some(Said::Fired(alert)) = fired else {
            panic!("{fired:?}")
        };
        assert!(alert.title.len() <= 200 && alert.key.len() <= 200);
    }
}
