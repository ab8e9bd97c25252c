//! A stand-in for Pushover's API on 127.0.0.1: sending (`POST /1/messages.json`, form-encoded or
//! JSON), emergency receipts (`GET /1/receipts/{receipt}.json`), cancelling them one by one
//! (`POST /1/receipts/{receipt}/cancel.json`) or by tag
//! (`POST /1/receipts/cancel_by_tag/{tag}.json`), with Pushover's JSON answers, its validation
//! errors and its monthly message limit. A test plays the phone with [`Pushover::acknowledge`],
//! and checks how Klaxon polls with [`Pushover::polls`] and [`Pushover::poll_intervals`].
//!
//! What it is based on (no live Pushover here; sources named so a reader can check them):
//! - pushover.net/api (stored copy, read only in part): the parameters `token`, `user`, `message`
//!   (required), `device`, `title`, `url`, `url_title`, `priority`, `timestamp`, `sound`; priority
//!   -2..2, where 2 "also requires confirmation from the user".
//! - pushover.net/api/receipts (stored copy, read in full): receipts are 30 characters of
//!   `[A-Za-z0-9]`; the receipt answer's fields and their meanings; poll "no faster than once every
//!   5 seconds". The page says nothing of an answer to faster polling, so by default the stand-in
//!   answers every poll and only *records* them; [`Pushover::refuse_fast_polls`] opts into a `429`
//!   for tests that want it (that answer is the stand-in's, not Pushover's).
//! - github:gregdel/pushover (Go client): the limits 1024 characters for a message, 250 for a
//!   title, 512 for a URL (`MessageMaxLength` …); the `X-Limit-App-Limit`, `-Remaining`, `-Reset`
//!   headers, read from message answers; success `{"status":1,"request":…}` and failure
//!   `{"status":0,"errors":[…],"request":…}`; a 5xx carries no readable body; the receipt and
//!   cancel paths. The 100-character URL title limit is from the API page as remembered.
//! - Emergency `retry` at least 30 s and `expire` at most 10800 s: third-party docs of the API
//!   (pushoverr, a client noting a 400 without them "verified on a physical device"), and a client's
//!   bug report quoting Pushover's "expire must be supplied with priority=2".
//! - Pushover's support page and blog (2026-04): an account may send 10,000 messages a month,
//!   resetting on the 1st; over the limit the API answers `429`.
//! - The cancel answers: `{"status":1,"request":…}` for one receipt, and `{"status":1,
//!   "canceled":N,"request":…}` for a tag, as the brief for this stand-in describes the docs.
//! - Error *wordings* that could not be read verbatim (marked `NOT VERBATIM` below) follow
//!   Pushover's documented shape — a 4xx, `status: 0`, an `errors` array and the offending field
//!   named, e.g. `{"user":"invalid","errors":["user identifier is invalid"],"status":0,…}`. Tests
//!   should match on the status, `status: 0` and the field key, not on the wording.
//!
//! Attachments, `device` lists, `callback` calls, glances, groups and user validation are not
//! mirrored: a multipart body or another path answers a loud `501`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::discord::civil_from_days;
use super::ntfy::http::{Answer, Request, Server, parse_query};
use super::wait_for;

/// The app token the stand-in accepts: 30 characters of `[A-Za-z0-9]`, as Pushover's are.
pub const APP_TOKEN: &str = "aKlaxonStandInAppToken00000001";
/// The user key the stand-in accepts (30 characters).
pub const USER_KEY: &str = "uKlaxonStandInUserKey000000001";

const MAX_MESSAGE: usize = 1024;
const MAX_TITLE: usize = 250;
const MAX_URL: usize = 512;
const MAX_URL_TITLE: usize = 100;
const MIN_RETRY: u64 = 30;
const MAX_EXPIRE: u64 = 10_800;
/// The receipts page: "no faster than once every 5 seconds".
pub const MIN_POLL_INTERVAL: Duration = Duration::from_secs(5);
const FREE_MONTHLY_LIMIT: u32 = 10_000;
const CHARSET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// A message Pushover accepted, with every field as sent.
#[derive(Clone, Debug)]
pub struct PushoverMessage {
    pub user: String,
    pub message: String,
    pub title: Option<String>,
    pub priority: i64,
    pub retry: Option<u64>,
    pub expire: Option<u64>,
    pub tags: Vec<String>,
    pub sound: Option<String>,
    pub url: Option<String>,
    pub url_title: Option<String>,
    pub timestamp: Option<i64>,
    /// The `request` id it was answered with.
    pub request: String,
    /// Its receipt, for priority 2.
    pub receipt: Option<String>,
    /// All fields as received (strings; JSON numbers as their text).
    pub fields: Vec<(String, String)>,
    pub content_type: Option<String>,
}

impl PushoverMessage {
    pub fn field(&self, name: &str) -> Option<&str> {
        field(&self.fields, name)
    }
}

/// A receipt as the receipts API reports it (integers as the API's 0/1 turned into bools), plus
/// whether it was cancelled, which the API does not report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptState {
    pub acknowledged: bool,
    pub acknowledged_at: i64,
    pub acknowledged_by: String,
    pub acknowledged_by_device: String,
    pub last_delivered_at: i64,
    pub expired: bool,
    pub expires_at: i64,
    pub called_back: bool,
    pub called_back_at: i64,
    pub cancelled: bool,
    pub tags: Vec<String>,
}

/// A cancel request that succeeded: of one receipt, or of every open receipt with a tag.
#[derive(Clone, Debug)]
pub struct Cancellation {
    pub receipt: Option<String>,
    pub tag: Option<String>,
    /// How many open receipts it stopped.
    pub canceled: usize,
    pub at: Instant,
}

/// One request the stand-in answered.
#[derive(Clone, Debug)]
pub struct PushoverAttempt {
    pub at: Instant,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub body: String,
}

struct Receipt {
    sent_at: i64,
    retry: i64,
    expires_at: i64,
    tags: Vec<String>,
    acknowledged: Option<(i64, String)>,
    cancelled_at: Option<i64>,
}

impl Receipt {
    fn open(&self, now: i64) -> bool {
        self.acknowledged.is_none() && self.cancelled_at.is_none() && now < self.expires_at
    }

    fn state(&self, now: i64) -> ReceiptState {
        // Delivered at `sent_at`, then every `retry` seconds until acknowledged, cancelled or
        // expired.
        let stop = [
            Some(now),
            Some(self.expires_at),
            self.acknowledged.as_ref().map(|a| a.0),
            self.cancelled_at,
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap();
        let last = self.sent_at + (stop - self.sent_at).max(0) / self.retry * self.retry;
        let (acknowledged_at, device) = self.acknowledged.clone().unwrap_or((0, String::new()));
        ReceiptState {
            acknowledged: self.acknowledged.is_some(),
            acknowledged_at,
            acknowledged_by: if self.acknowledged.is_some() {
                USER_KEY.to_string()
            } else {
                String::new()
            },
            acknowledged_by_device: device,
            last_delivered_at: last,
            expired: now >= self.expires_at,
            expires_at: self.expires_at,
            called_back: false,
            called_back_at: 0,
            cancelled: self.cancelled_at.is_some(),
            tags: self.tags.clone(),
        }
    }
}

struct State {
    messages: Vec<PushoverMessage>,
    attempts: Vec<PushoverAttempt>,
    receipts: HashMap<String, Receipt>,
    polls: HashMap<String, Vec<Instant>>,
    cancellations: Vec<Cancellation>,
    script: VecDeque<(u16, Value)>,
    limit: u32,
    remaining: u32,
    refuse_fast_polls: bool,
    rng: u64,
}

impl State {
    fn random(&mut self, len: usize, charset: &[u8]) -> String {
        (0..len)
            .map(|_| {
                self.rng ^= self.rng << 13;
                self.rng ^= self.rng >> 7;
                self.rng ^= self.rng << 17;
                charset[(self.rng % charset.len() as u64) as usize] as char
            })
            .collect()
    }

    /// A request id in the UUID form Pushover's answers carry.
    fn request_id(&mut self) -> String {
        let hex = b"0123456789abcdef";
        let s = self.random(32, hex);
        format!(
            "{}-{}-4{}-a{}-{}",
            &s[..8],
            &s[8..12],
            &s[13..16],
            &s[17..20],
            &s[20..]
        )
    }
}

/// Pushover's API on loopback; stops when dropped.
pub struct Pushover {
    server: Server,
    state: Arc<Mutex<State>>,
}

impl Pushover {
    pub fn start() -> Pushover {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            | 1;
        let state = Arc::new(Mutex::new(State {
            messages: Vec::new(),
            attempts: Vec::new(),
            receipts: HashMap::new(),
            polls: HashMap::new(),
            cancellations: Vec::new(),
            script: VecDeque::new(),
            limit: FREE_MONTHLY_LIMIT,
            remaining: FREE_MONTHLY_LIMIT,
            refuse_fast_polls: false,
            rng: seed,
        }));
        let st = state.clone();
        let server = Server::start(move |req| handle(&st, req));
        Pushover { server, state }
    }

    /// The API base, `http://127.0.0.1:PORT` (Pushover's is `https://api.pushover.net`); paths
    /// start with `/1/`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// `{url}/1/messages.json`.
    pub fn messages_url(&self) -> String {
        format!("{}/1/messages.json", self.url())
    }

    /// `{url}/1/receipts/{receipt}.json?token={APP_TOKEN}`, as a client polls it.
    pub fn receipt_url(&self, receipt: &str) -> String {
        format!("{}/1/receipts/{receipt}.json?token={APP_TOKEN}", self.url())
    }

    pub fn app_token(&self) -> &'static str {
        APP_TOKEN
    }

    pub fn user_key(&self) -> &'static str {
        USER_KEY
    }

    pub fn messages(&self) -> Vec<PushoverMessage> {
        self.lock().messages.clone()
    }

    /// The accepted messages once there are at least `count`, waiting up to `limit`.
    pub fn wait_for_messages(&self, count: usize, limit: Duration) -> Vec<PushoverMessage> {
        wait_for(limit, || {
            let got = self.messages();
            (got.len() >= count).then_some(got)
        })
    }

    pub fn attempts(&self) -> Vec<PushoverAttempt> {
        self.lock().attempts.clone()
    }

    /// The phone acknowledges the emergency behind `receipt` on `device` (the first
    /// acknowledgement counts, as the receipts page says). Panics on an unknown receipt.
    pub fn acknowledge(&self, receipt: &str, device: &str) {
        let mut st = self.lock();
        let r = st
            .receipts
            .get_mut(receipt)
            .unwrap_or_else(|| panic!("no receipt {receipt:?} was issued"));
        if r.acknowledged.is_none() {
            r.acknowledged = Some((unix_now(), device.to_string()));
        }
    }

    /// Ends the retries of `receipt` now, as if its `expire` had passed.
    pub fn expire(&self, receipt: &str) {
        let mut st = self.lock();
        let r = st
            .receipts
            .get_mut(receipt)
            .unwrap_or_else(|| panic!("no receipt {receipt:?} was issued"));
        r.expires_at = r.expires_at.min(unix_now());
    }

    pub fn receipt_state(&self, receipt: &str) -> Option<ReceiptState> {
        self.lock()
            .receipts
            .get(receipt)
            .map(|r| r.state(unix_now()))
    }

    /// Every successful cancel request, in order.
    pub fn cancellations(&self) -> Vec<Cancellation> {
        self.lock().cancellations.clone()
    }

    /// When `receipt` was polled, oldest first.
    pub fn polls(&self, receipt: &str) -> Vec<Instant> {
        self.lock().polls.get(receipt).cloned().unwrap_or_default()
    }

    /// The time between consecutive polls of `receipt`; each should be at least
    /// [`MIN_POLL_INTERVAL`].
    pub fn poll_intervals(&self, receipt: &str) -> Vec<Duration> {
        self.polls(receipt)
            .windows(2)
            .map(|w| w[1] - w[0])
            .collect()
    }

    /// Polls of a receipt sooner than [`MIN_POLL_INTERVAL`] after the previous one answer `429`
    /// from now on. The docs ask for the interval but do not say what happens otherwise: this is
    /// the stand-in's strictness, for tests that want a violation to fail loudly.
    pub fn refuse_fast_polls(&self) {
        self.lock().refuse_fast_polls = true;
    }

    /// The next `n` sends answer `status` with the JSON `body` and are not stored.
    pub fn fail_next(&self, n: usize, status: u16, body: Value) {
        self.lock()
            .script
            .extend(std::iter::repeat_n((status, body), n));
    }

    /// Sets the app's monthly limit and what is left of it; at 0 left, sends answer `429`.
    pub fn set_app_limit(&self, limit: u32, remaining: u32) {
        let mut st = self.lock();
        st.limit = limit;
        st.remaining = remaining;
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn handle(state: &Mutex<State>, req: &Request) -> Answer {
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    let answer = route(&mut st, req);
    st.attempts.push(PushoverAttempt {
        at: Instant::now(),
        method: req.method.clone(),
        path: req.path.clone(),
        status: answer.status,
        body: String::from_utf8_lossy(&answer.body).into_owned(),
    });
    answer
}

fn not_mirrored(what: &str) -> Answer {
    Answer::body(
        501,
        "text/plain",
        format!("the Pushover stand-in does not mirror {what}"),
    )
}

/// A 4xx in Pushover's shape: `{field: problem, "errors": [...], "status": 0, "request": id}`.
fn invalid(st: &mut State, status: u16, field: &str, problem: &str, error: &str) -> Answer {
    let request = st.request_id();
    Answer::json(
        status,
        &json!({field: problem, "errors": [error], "status": 0, "request": request}),
    )
}

fn token_invalid(st: &mut State) -> Answer {
    invalid(st, 400, "token", "invalid", "application token is invalid")
}

fn route(st: &mut State, req: &Request) -> Answer {
    let path = req.path.as_str();
    if path == "/1/messages.json" {
        return match req.method.as_str() {
            "POST" => send(st, req),
            m => not_mirrored(&format!("{m} {path}")),
        };
    }
    let Some(rest) = path.strip_prefix("/1/receipts/") else {
        return not_mirrored(path);
    };
    if let Some(tag) = rest
        .strip_prefix("cancel_by_tag/")
        .and_then(|r| r.strip_suffix(".json"))
    {
        return match req.method.as_str() {
            "POST" => cancel_by_tag(st, req, tag),
            m => not_mirrored(&format!("{m} {path}")),
        };
    }
    if let Some(receipt) = rest.strip_suffix("/cancel.json") {
        return match req.method.as_str() {
            "POST" => cancel(st, req, receipt),
            m => not_mirrored(&format!("{m} {path}")),
        };
    }
    if let Some(receipt) = rest.strip_suffix(".json").filter(|r| !r.contains('/')) {
        return match req.method.as_str() {
            "GET" => poll(st, req, receipt),
            m => not_mirrored(&format!("{m} {path}")),
        };
    }
    not_mirrored(path)
}

/// The request's parameters: a urlencoded form (also when no type is given) or a JSON object.
fn fields_of(req: &Request) -> Result<Vec<(String, String)>, Answer> {
    let ct = req.header("content-type").unwrap_or("");
    if ct.starts_with("multipart/form-data") {
        return Err(not_mirrored("multipart bodies (attachments)"));
    }
    if ct.starts_with("application/json") {
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&req.body) else {
            // NOT VERBATIM: Pushover's answer to a body it cannot parse was not readable.
            return Err(Answer::json(
                400,
                &json!({"errors": ["request body is not a JSON object"], "status": 0}),
            ));
        };
        return Ok(map
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect());
    }
    Ok(parse_query(&String::from_utf8_lossy(&req.body)))
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn limit_headers(answer: Answer, st: &State) -> Answer {
    answer
        .header("X-Limit-App-Limit", st.limit)
        .header("X-Limit-App-Remaining", st.remaining)
        .header("X-Limit-App-Reset", next_month_start(unix_now()))
}

fn send(st: &mut State, req: &Request) -> Answer {
    if let Some((status, body)) = st.script.pop_front() {
        return Answer::json(status, &body);
    }
    let fields = match fields_of(req) {
        Ok(f) => f,
        Err(a) => return a,
    };
    let get = |name: &str| field(&fields, name).filter(|v| !v.is_empty());
    if get("token") != Some(APP_TOKEN) {
        return token_invalid(st);
    }
    if st.remaining == 0 {
        // NOT VERBATIM wording; the 429 itself is documented.
        let a = invalid(
            st,
            429,
            "token",
            "over limit",
            "application is over its monthly message limit",
        );
        return limit_headers(a, st);
    }
    if get("user") != Some(USER_KEY) {
        return invalid(st, 400, "user", "invalid", "user identifier is invalid");
    }
    let Some(message) = get("message") else {
        // NOT VERBATIM.
        return invalid(
            st,
            400,
            "message",
            "cannot be blank",
            "message cannot be blank",
        );
    };
    for (name, max) in [
        ("message", MAX_MESSAGE),
        ("title", MAX_TITLE),
        ("url", MAX_URL),
        ("url_title", MAX_URL_TITLE),
    ] {
        if get(name).is_some_and(|v| v.chars().count() > max) {
            // NOT VERBATIM.
            let error = format!("{name} is too long (at most {max} characters)");
            return invalid(st, 400, name, "is too long", &error);
        }
    }
    let priority = match get("priority").map(|p| p.trim().parse::<i64>()) {
        None => 0,
        Some(Ok(p)) if (-2..=2).contains(&p) => p,
        // NOT VERBATIM.
        _ => return invalid(st, 400, "priority", "is invalid", "priority is invalid"),
    };
    let timestamp = match get("timestamp").map(|t| t.trim().parse::<i64>()) {
        None => None,
        Some(Ok(t)) => Some(t),
        // NOT VERBATIM.
        Some(Err(_)) => return invalid(st, 400, "timestamp", "is invalid", "timestamp is invalid"),
    };
    let seconds = |name: &str| get(name).map(|v| v.trim().parse::<u64>());
    let (mut retry, mut expire) = (None, None);
    if priority == 2 {
        retry = match seconds("retry") {
            // NOT VERBATIM, by analogy with the quoted expire error.
            None => {
                let e = "retry must be supplied with priority=2";
                return invalid(st, 400, "retry", "must be supplied with priority=2", e);
            }
            Some(Ok(r)) if r >= MIN_RETRY => Some(r),
            // NOT VERBATIM.
            _ => {
                let e = "retry must be at least 30 seconds";
                return invalid(st, 400, "retry", "is invalid", e);
            }
        };
        expire = match seconds("expire") {
            // Quoted from a client's report of Pushover's answer.
            None => {
                let e = "expire must be supplied with priority=2";
                return invalid(st, 400, "expire", "must be supplied with priority=2", e);
            }
            Some(Ok(x)) if x <= MAX_EXPIRE => Some(x),
            // NOT VERBATIM.
            _ => {
                let e = "expire must be at most 10800 seconds";
                return invalid(st, 400, "expire", "is invalid", e);
            }
        };
    }
    let tags: Vec<String> = if priority == 2 {
        get("tags")
            .map(|t| {
                t.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let request = st.request_id();
    let receipt = (priority == 2).then(|| st.random(30, CHARSET));
    if let (Some(r), Some(retry), Some(expire)) = (&receipt, retry, expire) {
        let now = unix_now();
        st.receipts.insert(
            r.clone(),
            Receipt {
                sent_at: now,
                retry: retry as i64,
                expires_at: now + expire as i64,
                tags: tags.clone(),
                acknowledged: None,
                cancelled_at: None,
            },
        );
    }
    let text = |name: &str| get(name).map(str::to_string);
    st.messages.push(PushoverMessage {
        user: USER_KEY.to_string(),
        message: message.to_string(),
        title: text("title"),
        priority,
        retry,
        expire,
        tags,
        sound: text("sound"),
        url: text("url"),
        url_title: text("url_title"),
        timestamp,
        request: request.clone(),
        receipt: receipt.clone(),
        content_type: req.header("content-type").map(str::to_string),
        fields: fields.clone(),
    });
    st.remaining -= 1;
    let body = match receipt {
        Some(r) => json!({"status": 1, "request": request, "receipt": r}),
        None => json!({"status": 1, "request": request}),
    };
    limit_headers(Answer::json(200, &body), st)
}

fn receipt_not_found(st: &mut State) -> Answer {
    // The shape of Pushover's other errors; wording NOT VERBATIM.
    invalid(
        st,
        404,
        "receipt",
        "not found",
        "receipt not found; may be invalid or expired",
    )
}

fn poll(st: &mut State, req: &Request, receipt: &str) -> Answer {
    let now = Instant::now();
    let previous = st.polls.get(receipt).and_then(|p| p.last().copied());
    st.polls.entry(receipt.to_string()).or_default().push(now);
    if req.query("token") != Some(APP_TOKEN) {
        return token_invalid(st);
    }
    if st.refuse_fast_polls && previous.is_some_and(|p| now - p < MIN_POLL_INTERVAL) {
        // The stand-in's own answer (see `refuse_fast_polls`).
        let e = "receipt polled faster than once every 5 seconds";
        return invalid(st, 429, "receipt", "polled too often", e);
    }
    let Some(state) = st.receipts.get(receipt).map(|r| r.state(unix_now())) else {
        return receipt_not_found(st);
    };
    let request = st.request_id();
    let flag = |b: bool| i64::from(b);
    Answer::json(
        200,
        &json!({
            "status": 1,
            "acknowledged": flag(state.acknowledged),
            "acknowledged_at": state.acknowledged_at,
            "acknowledged_by": state.acknowledged_by,
            "acknowledged_by_device": state.acknowledged_by_device,
            "last_delivered_at": state.last_delivered_at,
            "expired": flag(state.expired),
            "expires_at": state.expires_at,
            "called_back": flag(state.called_back),
            "called_back_at": state.called_back_at,
            "request": request,
        }),
    )
}

fn cancel(st: &mut State, req: &Request, receipt: &str) -> Answer {
    let fields = match fields_of(req) {
        Ok(f) => f,
        Err(a) => return a,
    };
    if field(&fields, "token") != Some(APP_TOKEN) {
        return token_invalid(st);
    }
    let now = unix_now();
    let Some(r) = st.receipts.get_mut(receipt) else {
        return receipt_not_found(st);
    };
    let canceled = if r.open(now) {
        r.cancelled_at = Some(now);
        1
    } else {
        0
    };
    st.cancellations.push(Cancellation {
        receipt: Some(receipt.to_string()),
        tag: None,
        canceled,
        at: Instant::now(),
    });
    let request = st.request_id();
    Answer::json(200, &json!({"status": 1, "request": request}))
}

fn cancel_by_tag(st: &mut State, req: &Request, tag: &str) -> Answer {
    let fields = match fields_of(req) {
        Ok(f) => f,
        Err(a) => return a,
    };
    if field(&fields, "token") != Some(APP_TOKEN) {
        return token_invalid(st);
    }
    let now = unix_now();
    let mut canceled = 0;
    for r in st.receipts.values_mut() {
        if r.open(now) && r.tags.iter().any(|t| t == tag) {
            r.cancelled_at = Some(now);
            canceled += 1;
        }
    }
    st.cancellations.push(Cancellation {
        receipt: None,
        tag: Some(tag.to_string()),
        canceled,
        at: Instant::now(),
    });
    let request = st.request_id();
    Answer::json(
        200,
        &json!({"status": 1, "canceled": canceled, "request": request}),
    )
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// 00:00 UTC on the 1st of the month after `now`: when Pushover's monthly quota resets.
fn next_month_start(now: i64) -> i64 {
    let (y, m, _) = civil_from_days(now.div_euclid(86_400));
    let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    days_from_civil(y, m, 1) * 86_400
}

/// Howard Hinnant's `days_from_civil`, the inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
