//! A stand-in for a Discord webhook on 127.0.0.1: "Execute Webhook",
//! `POST /api[/v{n}]/webhooks/{id}/{token}[?wait=true]` with a JSON body, answered as Discord
//! answers: `204 No Content`, or `200` and the created message with `wait=true`; JSON errors
//! `{"code", "message"[, "errors"]}`; and per-route rate limits, with the `X-RateLimit-*` headers on
//! every answer and `429` plus `Retry-After` and a `retry_after` body when the bucket is spent.
//! It keeps every accepted message and can be scripted to fail, to rate limit, or to behave as a
//! deleted webhook.
//!
//! Based on Discord's own docs (github:discord/discord-api-docs, read at c98d64b):
//! - `developers/resources/webhook.mdx`, "Execute Webhook": `wait` defaults to false and then the
//!   answer is `204 No Content`; at least one of `content`, `embeds`, `components`, `file`, `poll`;
//!   `content` up to 2000 characters; `embeds` up to 10; webhook names up to 80 characters.
//! - `developers/reference.mdx`: boolean query strings are `True`/`true`/`1` and
//!   `False`/`false`/`0`; form errors are `50035 "Invalid Form Body"` with an `errors` tree whose
//!   leaves are `{"_errors": [{"code", "message"}]}`.
//! - `developers/topics/opcodes-and-status-codes.mdx`: `10015` unknown webhook, `50006` cannot send
//!   an empty message, `50027` invalid webhook token, `50035` invalid form body, `50109` invalid
//!   JSON. The `message` strings ("Unknown Webhook", "Invalid Webhook Token", "Cannot send an empty
//!   message", "Must be 2000 or fewer in length.") are the live API's, as client code matching on
//!   them shows; the docs give only the meanings.
//! - `developers/topics/rate-limits.mdx`: `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch
//!   seconds, with decimals in the 429 example), `-Reset-After` (seconds, decimals), `-Bucket`; on a
//!   429 also `X-RateLimit-Scope` and a JSON body `{"message": "You are being rate limited.",
//!   "retry_after": <float>, "global": false}`; `Retry-After` is whole seconds (the docs' example
//!   pairs `retry_after: 64.57` with `Retry-After: 65`, so it is rounded up).
//! - Not documented, from the live API as client code and experience know it (marked where used):
//!   the `_errors` codes other than `BASE_TYPE_MAX_LENGTH` (`BASE_TYPE_BAD_LENGTH`,
//!   `BASE_TYPE_STRING`, `LIST_TYPE_CONVERT`, `DICT_TYPE_CONVERT`, `CONTENT_TYPE_INVALID`,
//!   `BOOLEAN_TYPE_CONVERT`) and their message texts. Tests should match on `code` values, which
//!   are documented, rather than on those texts.
//!
//! The bucket size is not documented (the docs say not to hard-code it); the stand-in uses 5
//! requests per 2 seconds per webhook, what Discord reports for webhooks in practice, and
//! [`Discord::start_with_bucket`] changes it. Multipart and form bodies, threads, components and
//! polls answer a loud `501` rather than a guess.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::ntfy::http::{Answer, Request, Server};
use super::wait_for;

/// Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds, for snowflakes.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
const MAX_CONTENT_CHARS: usize = 2000;
const MAX_EMBEDS: usize = 10;
const MAX_USERNAME_CHARS: usize = 80;
/// A fixed bucket id, as Discord's opaque `X-RateLimit-Bucket` string.
const BUCKET: &str = "d1sc0rd5ta7d1nb0cket0000000000ab";

/// A message the webhook posted.
#[derive(Clone, Debug)]
pub struct DiscordMessage {
    /// Its snowflake.
    pub id: String,
    pub content: String,
    pub username: Option<String>,
    pub embeds: Vec<Value>,
    pub allowed_mentions: Option<Value>,
    /// The whole JSON body as sent.
    pub payload: Value,
    /// Whether the poster asked for the message back (`wait=true`).
    pub waited: bool,
}

/// One request the stand-in answered, accepted or not.
#[derive(Clone, Debug)]
pub struct DiscordAttempt {
    pub at: Instant,
    pub path: String,
    pub status: u16,
    pub body: String,
}

#[derive(Clone)]
enum Scripted {
    Fail(u16, Value),
    RateLimit(f64),
}

struct State {
    messages: Vec<DiscordMessage>,
    attempts: Vec<DiscordAttempt>,
    script: VecDeque<Scripted>,
    revoked: bool,
    /// The bucket: when its window started, and how many requests it has taken.
    window_start: Option<Instant>,
    used: u32,
    next_seq: u64,
}

struct Config {
    id: String,
    token: String,
    limit: u32,
    window: Duration,
}

/// A Discord webhook on loopback; stops when dropped.
pub struct Discord {
    server: Server,
    config: Arc<Config>,
    state: Arc<Mutex<State>>,
}

impl Discord {
    /// A webhook with a bucket of 5 requests per 2 seconds.
    pub fn start() -> Discord {
        Self::start_with_bucket(5, Duration::from_secs(2))
    }

    /// A webhook whose bucket allows `limit` requests per `window`.
    pub fn start_with_bucket(limit: u32, window: Duration) -> Discord {
        let config = Arc::new(Config {
            id: "1234567890123456789".to_string(),
            // Real tokens are 68 URL-safe characters.
            token: "kLaXoN-StAnDiN_".repeat(4) + "t0k3nxyz",
            limit,
            window,
        });
        let state = Arc::new(Mutex::new(State {
            messages: Vec::new(),
            attempts: Vec::new(),
            script: VecDeque::new(),
            revoked: false,
            window_start: None,
            used: 0,
            next_seq: 0,
        }));
        let (st, cf) = (state.clone(), config.clone());
        let server = Server::start(move |req| handle(&st, &cf, req));
        Discord {
            server,
            config,
            state,
        }
    }

    /// `http://127.0.0.1:PORT/api/webhooks/{id}/{token}`, as Discord hands it out.
    pub fn webhook_url(&self) -> String {
        format!(
            "{}/api/webhooks/{}/{}",
            self.server.url(),
            self.config.id,
            self.config.token
        )
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn webhook_id(&self) -> &str {
        &self.config.id
    }

    pub fn webhook_token(&self) -> &str {
        &self.config.token
    }

    pub fn messages(&self) -> Vec<DiscordMessage> {
        self.lock().messages.clone()
    }

    /// The posted messages once there are at least `count`, waiting up to `limit`.
    pub fn wait_for_messages(&self, count: usize, limit: Duration) -> Vec<DiscordMessage> {
        wait_for(limit, || {
            let got = self.messages();
            (got.len() >= count).then_some(got)
        })
    }

    pub fn attempts(&self) -> Vec<DiscordAttempt> {
        self.lock().attempts.clone()
    }

    /// The next `n` executions answer `status` with the JSON `body` (e.g.
    /// `{"code": 0, "message": "500: Internal Server Error"}`) and post nothing.
    pub fn fail_next(&self, n: usize, status: u16, body: Value) {
        let step = Scripted::Fail(status, body);
        self.lock().script.extend(std::iter::repeat_n(step, n));
    }

    /// The next `n` executions answer `429` as a spent bucket does, with `retry_after` seconds
    /// in the body and `Retry-After` (rounded up) in the headers.
    pub fn rate_limit_next(&self, n: usize, retry_after: f64) {
        let step = Scripted::RateLimit(retry_after);
        self.lock().script.extend(std::iter::repeat_n(step, n));
    }

    /// The webhook is deleted: every execution from now on gets `404 {"code": 10015}`.
    pub fn revoke(&self) {
        self.lock().revoked = true;
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn handle(state: &Mutex<State>, config: &Config, req: &Request) -> Answer {
    let answer = answer(state, config, req);
    state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .attempts
        .push(DiscordAttempt {
            at: Instant::now(),
            path: req.path.clone(),
            status: answer.status,
            body: String::from_utf8_lossy(&answer.body).into_owned(),
        });
    answer
}

fn api_error(status: u16, code: u32, message: &str) -> Answer {
    Answer::json(status, &json!({"message": message, "code": code}))
}

fn not_mirrored(what: &str) -> Answer {
    Answer::body(
        501,
        "text/plain",
        format!("the Discord stand-in does not mirror {what}"),
    )
}

/// `(id, token)` of `/api/webhooks/{id}/{token}` or `/api/v{n}/webhooks/{id}/{token}`.
fn webhook_of(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/api/")?;
    let rest = match rest.split_once('/') {
        Some((v, r)) if v.starts_with('v') && v[1..].bytes().all(|b| b.is_ascii_digit()) => r,
        _ => rest,
    };
    let rest = rest.strip_prefix("webhooks/")?;
    let (id, token) = rest.split_once('/')?;
    (!token.is_empty() && !token.contains('/')).then_some((id, token))
}

fn answer(state: &Mutex<State>, config: &Config, req: &Request) -> Answer {
    let Some((id, token)) = webhook_of(&req.path) else {
        return not_mirrored(&format!("{} {}", req.method, req.path));
    };
    if req.method != "POST" {
        return not_mirrored(&format!(
            "{} on a webhook (only Execute Webhook)",
            req.method
        ));
    }
    if req.query("thread_id").is_some() {
        return not_mirrored("thread_id");
    }
    let wait = match req.query("wait") {
        None | Some("false" | "False" | "0") => false,
        Some("true" | "True" | "1") => true,
        Some(_) => {
            return form_error(
                "wait",
                "BOOLEAN_TYPE_CONVERT",
                "Must be either true or false.",
            );
        }
    };
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(step) = st.script.pop_front() {
        return match step {
            Scripted::Fail(status, body) => Answer::json(status, &body),
            Scripted::RateLimit(after) => rate_limited(config, after),
        };
    }
    if st.revoked || id != config.id {
        return api_error(404, 10015, "Unknown Webhook");
    }
    if token != config.token {
        return api_error(401, 50027, "Invalid Webhook Token");
    }
    // The bucket: a window opens with its first request and refills when it ends.
    let now = Instant::now();
    if st
        .window_start
        .is_none_or(|start| now >= start + config.window)
    {
        st.window_start = Some(now);
        st.used = 0;
    }
    let reset_after = (st.window_start.unwrap() + config.window - now).as_secs_f64();
    if st.used >= config.limit {
        return rate_limited(config, reset_after);
    }
    st.used += 1;
    let remaining = config.limit - st.used;
    let with_limits = |a: Answer| limit_headers(a, config.limit, remaining, reset_after);

    let content_type = req.header("content-type").unwrap_or("");
    if !content_type.starts_with("application/json") {
        if content_type.starts_with("multipart/form-data")
            || content_type.starts_with("application/x-www-form-urlencoded")
        {
            return not_mirrored(content_type);
        }
        return with_limits(form_error_request(
            "CONTENT_TYPE_INVALID",
            "Expected \"Content-Type\" header to be one of {'application/json', 'multipart/form-data', 'application/x-www-form-urlencoded'}.",
        ));
    }
    let payload: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(_) => {
            return with_limits(api_error(
                400,
                50109,
                "The request body contains invalid JSON.",
            ));
        }
    };
    let Some(body) = payload.as_object() else {
        return with_limits(form_error_request(
            "DICT_TYPE_CONVERT",
            "Only dictionaries may be used in a DictType",
        ));
    };
    for unmirrored in ["components", "poll", "attachments", "thread_name"] {
        if body.get(unmirrored).is_some_and(|v| !v.is_null()) {
            return not_mirrored(unmirrored);
        }
    }
    if let Some(errors) = validate(body) {
        return with_limits(Answer::json(
            400,
            &json!({"message": "Invalid Form Body", "code": 50035, "errors": errors}),
        ));
    }
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let embeds: Vec<Value> = body
        .get("embeds")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if content.is_empty() && embeds.is_empty() {
        return with_limits(api_error(400, 50006, "Cannot send an empty message"));
    }
    let id = snowflake(&mut st);
    let username = body
        .get("username")
        .and_then(Value::as_str)
        .map(str::to_string);
    let message = DiscordMessage {
        id: id.clone(),
        content: content.clone(),
        username: username.clone(),
        embeds: embeds.clone(),
        allowed_mentions: body.get("allowed_mentions").cloned(),
        payload: payload.clone(),
        waited: wait,
    };
    st.messages.push(message);
    if !wait {
        return with_limits(Answer::new(204));
    }
    // The message object (developers/resources/message.mdx), as a webhook's author appears.
    let created = json!({
        "id": id,
        "type": 0,
        "content": content,
        "channel_id": "1111111111111111111",
        "author": {
            "bot": true,
            "id": config.id,
            "username": username.unwrap_or_else(|| "Klaxon".to_string()),
            "avatar": null,
            "discriminator": "0000",
        },
        "attachments": [],
        "embeds": embeds,
        "mentions": [],
        "mention_roles": [],
        "pinned": false,
        "mention_everyone": false,
        "tts": body.get("tts").and_then(Value::as_bool).unwrap_or(false),
        "timestamp": iso8601_now(),
        "edited_timestamp": null,
        "flags": body.get("flags").and_then(Value::as_u64).unwrap_or(0),
        "components": [],
        "webhook_id": config.id,
    });
    with_limits(Answer::json(200, &created))
}

/// The field errors of an Execute Webhook body, as Discord's nested `errors` object, or `None`.
fn validate(body: &Map<String, Value>) -> Option<Value> {
    let mut errors = Map::new();
    let leaf =
        |code: &str, message: String| json!({"_errors": [{"code": code, "message": message}]});
    match body.get("content") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.chars().count() > MAX_CONTENT_CHARS => {
            errors.insert(
                "content".into(),
                leaf(
                    "BASE_TYPE_MAX_LENGTH",
                    format!("Must be {MAX_CONTENT_CHARS} or fewer in length."),
                ),
            );
        }
        Some(Value::String(_)) => {}
        Some(_) => {
            errors.insert(
                "content".into(),
                leaf(
                    "BASE_TYPE_STRING",
                    "Could not interpret value as string.".into(),
                ),
            );
        }
    }
    match body.get("embeds") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if a.len() > MAX_EMBEDS => {
            errors.insert(
                "embeds".into(),
                leaf(
                    "BASE_TYPE_MAX_LENGTH",
                    format!("Must be {MAX_EMBEDS} or fewer in length."),
                ),
            );
        }
        Some(Value::Array(_)) => {}
        Some(_) => {
            errors.insert(
                "embeds".into(),
                leaf(
                    "LIST_TYPE_CONVERT",
                    "Only iterables may be used in a ListType".into(),
                ),
            );
        }
    }
    if let Some(name) = body.get("username").and_then(Value::as_str) {
        let n = name.chars().count();
        if n == 0 || n > MAX_USERNAME_CHARS {
            errors.insert(
                "username".into(),
                leaf(
                    "BASE_TYPE_BAD_LENGTH",
                    format!("Must be between 1 and {MAX_USERNAME_CHARS} in length."),
                ),
            );
        }
    }
    (!errors.is_empty()).then_some(Value::Object(errors))
}

fn form_error(field: &str, code: &str, message: &str) -> Answer {
    Answer::json(
        400,
        &json!({"message": "Invalid Form Body", "code": 50035,
                "errors": {field: {"_errors": [{"code": code, "message": message}]}}}),
    )
}

/// A 50035 about the request as a whole (the docs' "Request Error" shape).
fn form_error_request(code: &str, message: &str) -> Answer {
    Answer::json(
        400,
        &json!({"message": "Invalid Form Body", "code": 50035,
                "errors": {"_errors": [{"code": code, "message": message}]}}),
    )
}

fn limit_headers(answer: Answer, limit: u32, remaining: u32, reset_after: f64) -> Answer {
    answer
        .header("X-RateLimit-Limit", limit)
        .header("X-RateLimit-Remaining", remaining)
        .header(
            "X-RateLimit-Reset",
            format!("{:.3}", unix_now_f64() + reset_after),
        )
        .header("X-RateLimit-Reset-After", format!("{reset_after:.3}"))
        .header("X-RateLimit-Bucket", BUCKET)
}

/// A spent bucket's answer: the docs' "Example Exceeded User Rate Limit Response".
fn rate_limited(config: &Config, retry_after: f64) -> Answer {
    let retry_after = (retry_after * 1000.0).round() / 1000.0;
    let answer = Answer::json(
        429,
        &json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": false}),
    )
    .header("Retry-After", retry_after.ceil() as u64)
    .header("X-RateLimit-Scope", "user");
    limit_headers(answer, config.limit, 0, retry_after)
}

fn snowflake(st: &mut State) -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    st.next_seq += 1;
    (((ms - DISCORD_EPOCH_MS) << 22) | (st.next_seq & 0xfff)).to_string()
}

fn unix_now_f64() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// `2026-01-02T03:04:05.678000+00:00`, the form of Discord's `timestamp`.
fn iso8601_now() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let secs = now.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_micros()
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}
