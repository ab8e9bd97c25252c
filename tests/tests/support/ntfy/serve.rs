//! The stand-in's server side: one thread per connection reading requests (kept alive between
//! them, as Go's server does), and the routing, authentication and limits that ntfy's `handle`,
//! `handleInternal`, `maybeAuthenticate`, `authorizeTopic` and `limitRequests` apply before a
//! publish or a subscription is handled.

use std::io::BufReader;
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::errors::*;
use super::http::{self, Request};
use super::{
    Attempt, Conn, DISALLOWED_TOPICS, Grant, Shared, go_json, publish, subscribe, valid_topic,
};

/// What a handler produces: a JSON answer to write, an empty answer of some type, or a response
/// it has already written itself (with whether the connection can carry another request).
pub(super) enum Outcome {
    Answer(u16, String),
    Empty(u16, &'static str),
    Streamed(u16, bool),
}

impl From<NtfyError> for Outcome {
    fn from(e: NtfyError) -> Self {
        Outcome::Answer(e.http, e.body())
    }
}

/// Reads requests off one connection until the client closes it, a stream ends, or the
/// stand-in stops. Connections stay open between requests, as Go's server keeps them.
pub(super) fn serve_connection(shared: &Arc<Shared>, socket: TcpStream) {
    let id = shared.next_conn.fetch_add(1, Ordering::SeqCst);
    let Ok(clone) = socket.try_clone() else {
        return;
    };
    shared.lock().conns.insert(
        id,
        Conn {
            socket: clone,
            streaming: None,
        },
    );
    if shared.stopping() {
        let _ = socket.shutdown(Shutdown::Both);
    }
    let mut reader = BufReader::new(socket);
    while let Some(mut req) = http::read_request(&mut reader) {
        // Before routing: a JSON publish rewrites the path to its topic's.
        let path = req.path.clone();
        let authorization = req.header("authorization").map(str::to_string);
        let outcome = route(shared, id, &mut reader, &mut req);
        let (status, keep) = match outcome {
            Outcome::Answer(status, body) => {
                let ok = http::write_response(
                    reader.get_mut(),
                    status,
                    "application/json",
                    body.as_bytes(),
                )
                .is_ok();
                (status, ok && http::keep_alive(&req))
            }
            Outcome::Empty(status, content_type) => {
                let ok = http::write_response(reader.get_mut(), status, content_type, b"").is_ok();
                (status, ok && http::keep_alive(&req))
            }
            Outcome::Streamed(status, reusable) => (status, reusable && http::keep_alive(&req)),
        };
        shared.lock().attempts.push(Attempt {
            method: req.method.clone(),
            path,
            status,
            authorization,
        });
        shared.changed.notify_all();
        if !keep || shared.stopping() {
            break;
        }
    }
    shared.lock().conns.remove(&id);
    shared.changed.notify_all();
}

/// `handle` and `handleInternal`, trimmed to the publish and subscribe API: authentication comes
/// first (so a bad token is 401 on any path), then the route.
fn route(
    shared: &Arc<Shared>,
    conn: u64,
    reader: &mut BufReader<TcpStream>,
    req: &mut Request,
) -> Outcome {
    let path = req.path.clone();
    let method = req.method.as_str();
    let publish_route = ((method == "PUT" || method == "POST")
        && (path == "/" || topic_of_path(&path).is_some()))
        || (method == "GET" && publish_path_topic(&path).is_some());
    if publish_route && let Some(status) = shared.lock().scripted.pop_front() {
        return scripted(status).into();
    }
    let token = match authenticate(shared, req) {
        Ok(token) => token,
        Err(e) => return e.into(),
    };
    let result = if method == "GET" && path == "/v1/health" {
        Ok(Outcome::Answer(
            200,
            go_json(&serde_json::json!({"healthy": true})),
        ))
    } else if (method == "PUT" || method == "POST") && path == "/" {
        publish::transform_json(shared, req)
            .and_then(|topic| publish::publish(shared, req, &topic, token.as_deref()))
    } else if (method == "PUT" || method == "POST") && topic_of_path(&path).is_some() {
        let topic = topic_of_path(&path).unwrap().to_string();
        publish::publish(shared, req, &topic, token.as_deref())
    } else if let Some(topic) = publish_path_topic(&path).filter(|_| method == "GET") {
        let topic = topic.to_string();
        publish::publish(shared, req, &topic, token.as_deref())
    } else if let Some(topics) = path
        .strip_prefix('/')
        .and_then(|p| p.strip_suffix("/json"))
        .filter(|t| method == "GET" && !t.is_empty() && t.split(',').all(valid_topic))
    {
        let topics = topics.to_string();
        subscribe::subscribe(shared, conn, reader, req, &topics, token.as_deref())
    } else if ["sse", "raw", "ws"]
        .iter()
        .any(|s| path.ends_with(&format!("/{s}")))
        && method == "GET"
    {
        Err(not_mirrored("the SSE, raw and WebSocket streams"))
    } else {
        Err(NOT_FOUND.err())
    };
    result.unwrap_or_else(Outcome::from)
}

/// `topicPathRegex`: `/<topic>`.
fn topic_of_path(path: &str) -> Option<&str> {
    path.strip_prefix('/').filter(|t| valid_topic(t))
}

/// `publishPathRegex`: `/<topic>/(publish|send|trigger)`, publishing by GET.
fn publish_path_topic(path: &str) -> Option<&str> {
    let (topic, verb) = path.strip_prefix('/')?.split_once('/')?;
    (valid_topic(topic) && ["publish", "send", "trigger"].contains(&verb)).then_some(topic)
}

/// `topicsFromIDs`: ntfy's own paths are not topics.
pub(super) fn check_topic_allowed(topic: &str) -> Result<(), NtfyError> {
    if DISALLOWED_TOPICS.contains(&topic) {
        return Err(TOPIC_DISALLOWED.err());
    }
    Ok(())
}

/// `limitRequests`: one request from the visitor's budget.
pub(super) fn take_request(shared: &Shared) -> Result<(), NtfyError> {
    let mut st = shared.lock();
    match st.requests_left.as_mut() {
        Some(0) => Err(TOO_MANY_REQUESTS.err()),
        Some(n) => {
            *n -= 1;
            Ok(())
        }
        None => Ok(()),
    }
}

/// `maybeAuthenticate`: `Ok(Some(token))` for a known token, `Ok(None)` for an anonymous visitor
/// (no `Authorization`, or a scheme other than Basic and Bearer), 401 for credentials that do not
/// authenticate. The header may also come as `?auth=` (base64url of the header value).
fn authenticate(shared: &Shared, req: &Request) -> Result<Option<String>, NtfyError> {
    if shared.options.tokens.is_empty() {
        return Ok(None);
    }
    let mut header = req.header("authorization").unwrap_or("").trim().to_string();
    let param = ["authorization", "auth"]
        .iter()
        .find_map(|n| req.query(n).map(str::trim).filter(|v| !v.is_empty()));
    if let Some(param) = param {
        // A malformed ?auth= is a plain Go error in ntfy, which handleError turns into a 500.
        let decoded = publish::base64_decode(param, true).ok_or_else(|| INTERNAL_ERROR.err())?;
        header = String::from_utf8_lossy(&decoded).trim().to_string();
    }
    let lower = header.to_lowercase();
    if !(lower.starts_with("basic ") || lower.starts_with("bearer ")) {
        return Ok(None);
    }
    // ntfy checks "Bearer" case-sensitively; anything else is tried as Basic auth.
    let token = if let Some(token) = header.strip_prefix("Bearer") {
        token.trim().to_string()
    } else {
        let encoded = header.get(6..).unwrap_or("");
        let decoded = publish::base64_decode(encoded, false).ok_or_else(|| UNAUTHORIZED.err())?;
        let pair = String::from_utf8_lossy(&decoded).into_owned();
        match pair.split_once(':') {
            // An empty user name means the password is a token.
            Some(("", password)) => password.to_string(),
            // The stand-in has tokens, not users.
            _ => return Err(UNAUTHORIZED.err()),
        }
    };
    if shared.options.tokens.iter().any(|(t, _)| *t == token) {
        Ok(Some(token))
    } else {
        Err(UNAUTHORIZED.err())
    }
}

/// `authorizeTopic`: with access control on, only a token granted the topic gets through; an
/// anonymous visitor or another topic's token is 403.
pub(super) fn authorize(
    shared: &Shared,
    token: Option<&str>,
    topic: &str,
) -> Result<(), NtfyError> {
    if shared.options.tokens.is_empty() {
        return Ok(());
    }
    let granted = shared.options.tokens.iter().any(|(t, grant)| {
        Some(t.as_str()) == token
            && match grant {
                Grant::AllTopics => true,
                Grant::Topics(topics) => topics.iter().any(|t| t == topic),
            }
    });
    if granted {
        Ok(())
    } else {
        Err(FORBIDDEN.err())
    }
}
