//! Publishing, as ntfy's `transformBodyJSON`, `limitRequestsWithTopic`, `authorizeTopicWrite`,
//! `handlePublishInternal` and `parsePublishParams` do it, in their order, so that a request
//! with two faults gets the error ntfy would give first.
//!
//! Parameters come from headers first and the query second (`readParam`), by any of ntfy's
//! aliases, with header names compared case-insensitively and RFC 2047 encoded words
//! (`=?UTF-8?B?…?=`) decoded as Go's `mime.WordDecoder` does.

use std::sync::Arc;

use super::actions;
use super::errors::*;
use super::http::Request;
use super::{
    CACHE_SECONDS, MESSAGE_ID_LENGTH, Message, Outcome, Shared, authorize, check_topic_allowed,
    go_json, take_request, valid_topic,
};

/// ntfy's `emptyMessageBody`.
const EMPTY_MESSAGE: &str = "triggered";

/// `transformBodyJSON`: reads `{"topic", "message", "title", "priority", "tags", "actions", …}`
/// and rewrites the request into a publish to `/<topic>`, with the fields as `X-…` headers.
/// Returns the topic.
pub(super) fn transform_json(shared: &Shared, req: &mut Request) -> Result<String, NtfyError> {
    // Twice the message limit, "to account for JSON format overhead".
    if req.body.len() > shared.options.message_size_limit * 2 {
        return Err(JSON_BODY_TOO_LARGE.err());
    }
    // json.Decoder reads the first value and ignores what follows.
    let value = serde_json::Deserializer::from_slice(&req.body)
        .into_iter::<serde_json::Value>()
        .next()
        .and_then(Result::ok)
        .ok_or_else(|| JSON_INVALID.err())?;
    let fields = match &value {
        serde_json::Value::Object(fields) => fields.clone(),
        serde_json::Value::Null => Default::default(),
        _ => return Err(JSON_INVALID.err()),
    };
    let mut m = JsonPublish::default();
    for (key, v) in &fields {
        if v.is_null() {
            continue;
        }
        let string = || {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| JSON_INVALID.err())
        };
        // Go matches JSON keys to struct fields whatever their case.
        match key.to_lowercase().as_str() {
            "topic" => m.topic = string()?,
            "title" => m.title = string()?,
            "message" => m.message = string()?,
            "priority" => m.priority = v.as_i64().ok_or_else(|| JSON_INVALID.err())?,
            "tags" => {
                m.tags = v
                    .as_array()
                    .ok_or_else(|| JSON_INVALID.err())?
                    .iter()
                    .map(|t| {
                        t.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| JSON_INVALID.err())
                    })
                    .collect::<Result<_, _>>()?
            }
            "actions" => {
                // Type errors here are a JSON error (40024); missing labels and the like are
                // found later, when the X-Actions header is parsed (40018).
                let text = v.to_string();
                actions::from_json(&text).map_err(|_| JSON_INVALID.err())?;
                m.actions = Some(text);
            }
            "markdown" => m.markdown = v.as_bool().ok_or_else(|| JSON_INVALID.err())?,
            other @ ("click" | "icon" | "attach" | "filename" | "email" | "call" | "cache"
            | "firebase" | "delay") => m.others.push((other.to_string(), string()?)),
            _ => {}
        }
    }
    if !valid_topic(&m.topic) {
        return Err(TOPIC_INVALID.err());
    }
    if m.message.is_empty() {
        m.message = EMPTY_MESSAGE.to_string();
    }
    req.path = format!("/{}", m.topic);
    req.body = m.message.into_bytes();
    if !m.title.is_empty() {
        req.set_header("X-Title", m.title);
    }
    if m.priority != 0 {
        req.set_header("X-Priority", m.priority.to_string());
    }
    if !m.tags.is_empty() {
        req.set_header("X-Tags", m.tags.join(","));
    }
    if m.markdown {
        req.set_header("X-Markdown", "yes".into());
    }
    if let Some(actions) = m.actions.filter(|a| a != "[]") {
        req.set_header("X-Actions", actions);
    }
    for (name, value) in m.others.into_iter().filter(|(_, v)| !v.is_empty()) {
        let mut header = format!("X-{name}");
        header[2..3].make_ascii_uppercase();
        req.set_header(&header, value);
    }
    Ok(m.topic)
}

/// The fields of ntfy's `publishMessage` that the stand-in reads.
#[derive(Default)]
struct JsonPublish {
    topic: String,
    title: String,
    message: String,
    priority: i64,
    tags: Vec<String>,
    actions: Option<String>,
    markdown: bool,
    others: Vec<(String, String)>,
}

/// Publishes to `topic` (already taken from the path), or answers ntfy's error.
pub(super) fn publish(
    shared: &Arc<Shared>,
    req: &Request,
    topic: &str,
    token: Option<&str>,
) -> Result<Outcome, NtfyError> {
    check_topic_allowed(topic)?;
    take_request(shared)?;
    authorize(shared, token, topic)?;
    let id = shared.random_id(MESSAGE_ID_LENGTH);
    let mut m = Message::event("message", topic, id);
    parse_params(shared, req, &mut m)?;
    {
        let mut st = shared.lock();
        match st.messages_left.as_mut() {
            Some(0) => return Err(DAILY_MESSAGE_QUOTA.err()),
            Some(n) => *n -= 1,
            None => {}
        }
    }
    // handlePublishBody: a body over the limit, or not UTF-8, is an attachment, and
    // attachments are off.
    let body = &req.body;
    if body.len() > shared.options.message_size_limit {
        return Err(ATTACHMENTS_DISALLOWED.err());
    }
    let text = std::str::from_utf8(body).map_err(|_| ATTACHMENTS_DISALLOWED.err())?;
    if !text.is_empty() {
        m.message = text.trim().to_string();
    }
    if m.message.is_empty() {
        m.message = EMPTY_MESSAGE.to_string();
    }
    m.expires = m.time + CACHE_SECONDS;
    m.authorization = req.header("authorization").map(str::to_string);
    let answer = go_json(&m);
    shared.lock().log.push(m);
    shared.changed.notify_all();
    Ok(Outcome::Answer(200, answer))
}

/// `parsePublishParams`, for the parameters a self-hosted ntfy with defaults accepts.
fn parse_params(shared: &Shared, req: &Request, m: &mut Message) -> Result<(), NtfyError> {
    for (what, names) in [
        ("attachments", &["x-filename", "filename", "file", "f"][..]),
        ("attachments", &["x-attach", "attach", "a"][..]),
        (
            "delayed delivery",
            &["x-delay", "delay", "x-at", "at", "x-in", "in"][..],
        ),
        ("cache=no", &["x-cache", "cache"][..]),
        ("templates", &["x-template", "template", "tpl"][..]),
        ("poll requests", &["x-poll-id", "poll-id"][..]),
    ] {
        let value = read_param(req, names);
        let harmless = what == "cache=no"
            && ["1", "yes", "true"].contains(&value.to_lowercase().as_str())
            || what == "templates" && ["0", "no", "false"].contains(&value.to_lowercase().as_str());
        if !value.is_empty() && !harmless {
            return Err(not_mirrored(what));
        }
    }
    m.title = read_param(req, &["x-title", "title", "t"]);
    m.click = read_param(req, &["x-click", "click"]);
    let icon = read_param(req, &["x-icon", "icon"]);
    if !icon.is_empty() {
        if !(icon.starts_with("http://") || icon.starts_with("https://")) {
            return Err(ICON_URL_INVALID.err());
        }
        m.icon = icon;
    }
    // No SMTP sender and no Twilio account: e-mail and calls are refused.
    if !read_param(
        req,
        &["x-email", "x-e-mail", "email", "e-mail", "mail", "e"],
    )
    .is_empty()
    {
        return Err(BAD_REQUEST_EMAIL_DISABLED.err());
    }
    if !read_param(req, &["x-call", "call"]).is_empty() {
        return Err(PHONE_CALLS_DISABLED.err());
    }
    let message = read_param(req, &["x-message", "message", "m"]).replace("\\n", "\n");
    if !message.is_empty() {
        m.message = message;
    }
    m.priority = parse_priority(&read_param(req, &["x-priority", "priority", "prio", "p"]))
        .ok_or_else(|| PRIORITY_INVALID.err())?;
    let tags = read_param(req, &["x-tags", "tags", "tag", "ta"]);
    m.tags = tags
        .split(',')
        .filter(|t| !t.is_empty())
        .map(|t| t.trim().to_string())
        .collect();
    let actions = read_param(req, &["x-actions", "actions", "action"]);
    if !actions.is_empty() {
        m.actions = actions::parse(&actions, &mut |n| shared.random_id(n))
            .map_err(|e| ACTIONS_INVALID.err().wrap(&e))?;
    }
    let content_type = read_param(req, &["content-type", "content_type"]);
    let markdown = read_param(req, &["x-markdown", "markdown", "md"]).to_lowercase();
    if ["1", "yes", "true"].contains(&markdown.as_str())
        || content_type.eq_ignore_ascii_case("text/markdown")
    {
        m.content_type = "text/markdown".into();
    }
    Ok(())
}

/// `util.ParsePriority`: 1–5 or min, low, default, high, urgent/max; empty is 0 (none given).
pub(super) fn parse_priority(p: &str) -> Option<i64> {
    match p.trim().to_lowercase().as_str() {
        "" => Some(0),
        "1" | "min" => Some(1),
        "2" | "low" => Some(2),
        "3" | "default" => Some(3),
        "4" | "high" => Some(4),
        "5" | "max" | "urgent" => Some(5),
        _ => None,
    }
}

/// `readParam`: the first non-empty header among `names`, else the first non-empty query
/// parameter, trimmed.
pub(super) fn read_param(req: &Request, names: &[&str]) -> String {
    for name in names {
        let value = req.header(name).unwrap_or("");
        let value = decode_words(value).unwrap_or_else(|| value.to_string());
        // maybeIgnoreSpecialHeader: the RFC 9218 `Priority: u=3, i` that proxies add is not ntfy's.
        let value = if name.eq_ignore_ascii_case("priority") && is_rfc9218(value.trim()) {
            String::new()
        } else {
            value
        };
        if !value.trim().is_empty() {
            return value.trim().to_string();
        }
    }
    names
        .iter()
        .find_map(|n| {
            req.query(&n.to_lowercase())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        })
        .unwrap_or("")
        .to_string()
}

/// `^u=\d,\s*(i|\d)$|^u=\d$`
fn is_rfc9218(v: &str) -> bool {
    let Some(rest) = v.strip_prefix("u=") else {
        return false;
    };
    let mut chars = rest.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_digit()) {
        return false;
    }
    let rest = chars.as_str();
    if rest.is_empty() {
        return true;
    }
    let Some(rest) = rest.strip_prefix(',') else {
        return false;
    };
    let rest = rest.trim_start();
    rest == "i" || (rest.len() == 1 && rest.chars().all(|c| c.is_ascii_digit()))
}

/// Go's `mime.WordDecoder.DecodeHeader` for UTF-8, US-ASCII and ISO-8859-1 words: `None` when
/// a word cannot be decoded (ntfy then keeps the header as it came).
fn decode_words(value: &str) -> Option<String> {
    if !value.contains("=?") {
        return Some(value.to_string());
    }
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let between = &rest[..start];
        let word = &rest[start + 2..];
        let mut parts = word.splitn(3, '?');
        let (charset, encoding, tail) = (parts.next()?, parts.next()?, parts.next()?);
        let Some(end) = tail.find("?=") else { break };
        let text = &tail[..end];
        let bytes = match encoding {
            "B" | "b" => base64_decode(text, false)?,
            "Q" | "q" => q_decode(text)?,
            _ => return None,
        };
        let decoded = match charset.to_lowercase().as_str() {
            "utf-8" | "us-ascii" => String::from_utf8(bytes).ok()?,
            "iso-8859-1" => bytes.iter().map(|b| *b as char).collect(),
            _ => return None,
        };
        // Whitespace between two encoded words is dropped (RFC 2047 §6.2).
        if !(last_was_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        out.push_str(&decoded);
        last_was_word = true;
        rest = &tail[end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

fn q_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

/// Base64: the standard alphabet with padding, or (`url_raw`) the URL alphabet without it, as
/// Go's `StdEncoding` and `RawURLEncoding` require.
pub(super) fn base64_decode(text: &str, url_raw: bool) -> Option<Vec<u8>> {
    let alphabet: &[u8; 64] = if url_raw {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let data = if url_raw {
        text
    } else {
        if !text.len().is_multiple_of(4) {
            return None;
        }
        text.trim_end_matches('=')
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in data.bytes() {
        let v = alphabet.iter().position(|a| *a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
