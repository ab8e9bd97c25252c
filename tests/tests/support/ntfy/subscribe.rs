//! The JSON stream, `GET /<topic>[,<topic>…]/json`, as ntfy's `handleSubscribeHTTP` serves it:
//! `application/x-ndjson; charset=utf-8`, one JSON event per line, each line flushed, so Go
//! frames the body as chunks. A stream opens with an `open` event, replays the cached messages
//! `since=` asks for, then sends each new message as it is published and a `keepalive` event
//! every keepalive interval. `poll=1` replays and closes (with no message, Go's empty answer is
//! `Content-Length: 0`).
//!
//! `since=` is `all`, `none`, `latest`, a message id (the messages published after it; an unknown
//! id means all of them), a Unix time in seconds (messages at or after it), or a Go duration such
//! as `10m` (messages at or after now minus that).

use std::io::BufReader;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::errors::*;
use super::http::{self, Request};
use super::publish::read_param;
use super::{
    ID_CHARSET, MESSAGE_ID_LENGTH, Message, Outcome, Shared, authorize, go_json, take_request,
    unix_now, valid_topic,
};

const CONTENT_TYPE: &str = "application/x-ndjson; charset=utf-8";
/// How often a waiting stream looks for a client that hung up (Go learns it from the socket).
const HANGUP_CHECK: Duration = Duration::from_millis(100);

/// `sinceMarker`.
enum Since {
    None,
    All,
    Latest,
    Id(String),
    Time(i64),
}

pub(super) fn subscribe(
    shared: &Arc<Shared>,
    conn: u64,
    reader: &mut BufReader<TcpStream>,
    req: &Request,
    topics_str: &str,
    token: Option<&str>,
) -> Result<Outcome, NtfyError> {
    take_request(shared)?;
    let topics: Vec<String> = topics_str
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    // topicsFromPath turns a disallowed name into "topic invalid" here.
    if topics
        .iter()
        .any(|t| !valid_topic(t) || super::check_topic_allowed(t).is_err())
    {
        return Err(TOPIC_INVALID.err());
    }
    for t in &topics {
        authorize(shared, token, t)?;
    }
    let poll = ["1", "yes", "true"].contains(
        &read_param(req, &["x-poll", "poll", "po"])
            .to_lowercase()
            .as_str(),
    );
    let since = parse_since(&read_param(req, &["x-since", "since", "si"]), poll)?;

    let mut st = shared.lock();
    // Everything published from here on is live; everything before is the cache.
    let mut cursor = st.log.len();
    let old = cached(&st.log, &topics, &since);
    if !poll && let Some(c) = st.conns.get_mut(&conn) {
        c.streaming = Some(topics.clone());
    }
    drop(st);
    shared.changed.notify_all();

    let out = reader.get_mut();
    if poll {
        if old.is_empty() {
            return Ok(Outcome::Empty(200, CONTENT_TYPE));
        }
        let _ = http::start_chunked(out, 200, CONTENT_TYPE);
        for m in &old {
            let _ = http::write_chunk(out, go_json(m).as_bytes());
        }
        let done = http::end_chunked(out).is_ok();
        return Ok(Outcome::Streamed(200, done));
    }

    let opened = Message::event("open", topics_str, shared.random_id(MESSAGE_ID_LENGTH));
    let mut ok = http::start_chunked(out, 200, CONTENT_TYPE).is_ok()
        && http::write_chunk(out, go_json(&opened).as_bytes()).is_ok();
    for m in &old {
        ok = ok && http::write_chunk(out, go_json(m).as_bytes()).is_ok();
    }
    let mut next_keepalive = Instant::now() + shared.options.keepalive;
    while ok && !shared.stopping() {
        let fresh = {
            let wait = next_keepalive
                .saturating_duration_since(Instant::now())
                .min(HANGUP_CHECK);
            let st = shared.lock();
            let st = if st.log.len() == cursor {
                shared.changed.wait_timeout(st, wait).unwrap().0
            } else {
                st
            };
            let fresh: Vec<Message> = st.log[cursor..]
                .iter()
                .filter(|m| topics.contains(&m.topic))
                .cloned()
                .collect();
            cursor = st.log.len();
            fresh
        };
        for m in &fresh {
            ok = ok && http::write_chunk(out, go_json(m).as_bytes()).is_ok();
        }
        if Instant::now() >= next_keepalive {
            let keepalive =
                Message::event("keepalive", topics_str, shared.random_id(MESSAGE_ID_LENGTH));
            ok = ok && http::write_chunk(out, go_json(&keepalive).as_bytes()).is_ok();
            next_keepalive = Instant::now() + shared.options.keepalive;
        }
        ok = ok && !hung_up(out);
    }
    Ok(Outcome::Streamed(200, false))
}

/// Whether the subscriber closed its end (a read of zero bytes, or a reset), without consuming
/// what it may have sent.
fn hung_up(socket: &TcpStream) -> bool {
    let _ = socket.set_nonblocking(true);
    let mut buf = [0u8; 1];
    let closed = match socket.peek(&mut buf) {
        Ok(n) => n == 0,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    };
    let _ = socket.set_nonblocking(false);
    closed
}

/// `messageCache.Messages` for each topic, sorted by time as `sendOldMessages` sorts them.
fn cached(log: &[Message], topics: &[String], since: &Since) -> Vec<Message> {
    let mut out: Vec<Message> = Vec::new();
    for topic in topics {
        let mut mine = log.iter().enumerate().filter(|(_, m)| m.topic == *topic);
        match since {
            Since::None => {}
            Since::All => out.extend(mine.map(|(_, m)| m.clone())),
            Since::Latest => out.extend(mine.next_back().map(|(_, m)| m.clone())),
            Since::Time(t) => {
                out.extend(mine.filter(|(_, m)| m.time >= *t).map(|(_, m)| m.clone()))
            }
            Since::Id(id) => match log.iter().position(|m| m.id == *id) {
                Some(row) => out.extend(mine.filter(|(i, _)| *i > row).map(|(_, m)| m.clone())),
                None => out.extend(mine.map(|(_, m)| m.clone())),
            },
        }
    }
    out.sort_by_key(|m| m.time);
    out
}

/// `parseSince`: no `since` means nothing for a stream and everything for a poll.
fn parse_since(since: &str, poll: bool) -> Result<Since, NtfyError> {
    Ok(match since {
        "" if poll => Since::All,
        "" | "none" => Since::None,
        "all" => Since::All,
        "latest" => Since::Latest,
        s if s.len() == MESSAGE_ID_LENGTH && s.bytes().all(|b| ID_CHARSET.contains(&b)) => {
            Since::Id(s.to_string())
        }
        s => match s.parse::<i64>() {
            Ok(t) => Since::Time(t),
            Err(_) => {
                let ago = go_duration_secs(s).ok_or_else(|| SINCE_INVALID.err())?;
                Since::Time(unix_now() - ago.floor() as i64)
            }
        },
    })
}

/// Go's `time.ParseDuration`, in seconds: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or `0`.
fn go_duration_secs(s: &str) -> Option<f64> {
    let (sign, mut rest) = match s.as_bytes().first()? {
        b'-' => (-1.0, &s[1..]),
        b'+' => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    if rest == "0" {
        return Some(0.0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..num_len];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = number
            .parse()
            .ok()
            .or_else(|| format!("0{number}").parse().ok())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    Some(sign * total)
}
