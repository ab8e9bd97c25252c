//! A stand-in for Gatus's status API on 127.0.0.1: `GET /api/v1/endpoints/statuses` answers every
//! endpoint with its latest results, as Gatus's default (memory) store does. The test records
//! results (a passing or failing check, or any result it builds) and can put the API behind
//! basic auth, as Gatus's `security.basic` does.
//!
//! What it is based on (TwiN/gatus at 08c4635; sources named so a reader can check them):
//! - `api/api.go`: the route, behind the security middleware when `security` is configured.
//! - `api/endpoint_status.go` and `api/util.go`: `?page=` (default 1) and `?pageSize=` (default
//!   50, at most `storage.maximum-number-of-results`, 100 by default, on page 1) of *results*;
//!   `Content-Type: application/json`.
//! - `storage/store/memory/memory.go` and `util.go`: statuses sorted by key, each page of results
//!   oldest first, events left out (empty, `omitempty`) since only results are paged in.
//! - `config/endpoint/status.go`, `result.go`, `condition_result.go`: the fields (`status` is the
//!   HTTP status, `duration` nanoseconds, `timestamp` RFC 3339; `errors`, `conditionResults` and
//!   `hostname` left out when empty).
//! - `config/key/key.go`: `key` is `group_name`, each lower-cased with ` /_.,#+&` made `-`.
//! - `security/config.go`: a refused request is `401 Unauthorized` with `WWW-Authenticate: Basic`.
//!
//! Anything it does not mirror (other paths or methods) gets a loud `501`, not a plausible guess.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::healthchecks::utc;
use super::ntfy::http::{Answer, Request, Server};

/// `storage.maximum-number-of-results`' default: results kept per endpoint.
const MAXIMUM_NUMBER_OF_RESULTS: usize = 100;
const DEFAULT_PAGE_SIZE: usize = 50;

struct Endpoint {
    group: String,
    name: String,
    /// Oldest first, at most [`MAXIMUM_NUMBER_OF_RESULTS`].
    results: Vec<Value>,
}

impl Endpoint {
    fn key(&self) -> String {
        key(&self.group, &self.name)
    }
}

#[derive(Default)]
struct Shared {
    endpoints: Vec<Endpoint>,
    /// `Authorization` values accepted; none means the API is open.
    basic_auth: Option<String>,
    requests: usize,
    /// Statuses for the next requests, first first.
    script: Vec<u16>,
}

pub struct Gatus {
    server: Server,
    shared: Arc<Mutex<Shared>>,
}

impl Gatus {
    pub fn start() -> Gatus {
        let shared: Arc<Mutex<Shared>> = Arc::default();
        let state = shared.clone();
        let server = Server::start(move |req| answer(req, &state));
        Gatus { server, shared }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap()
    }

    /// Adds an endpoint with no results yet; returns its key (`group_name`).
    pub fn add_endpoint(&self, group: &str, name: &str) -> String {
        let endpoint = Endpoint {
            group: group.to_string(),
            name: name.to_string(),
            results: Vec::new(),
        };
        let key = endpoint.key();
        self.lock().endpoints.push(endpoint);
        key
    }

    /// A check of the endpoint passes now: `[STATUS] == 200` and a quick response.
    pub fn pass(&self, key: &str) {
        self.record(key, result(true, SystemTime::now()));
    }

    /// A check of the endpoint fails now: status 503, `[STATUS] (503) == 200`.
    pub fn fail(&self, key: &str) {
        self.record(key, result(false, SystemTime::now()));
    }

    /// Appends any result (see [`result`] for the shape), dropping the oldest past 100.
    pub fn record(&self, key: &str, result: Value) {
        let mut shared = self.lock();
        let endpoint = shared
            .endpoints
            .iter_mut()
            .find(|e| e.key() == key)
            .unwrap_or_else(|| panic!("no endpoint with key {key:?}"));
        endpoint.results.push(result);
        if endpoint.results.len() > MAXIMUM_NUMBER_OF_RESULTS {
            endpoint.results.remove(0);
        }
    }

    pub fn remove_endpoint(&self, key: &str) {
        self.lock().endpoints.retain(|e| e.key() != key);
    }

    /// Puts the API behind `security.basic` with this user and password.
    pub fn require_basic_auth(&self, user: &str, password: &str) {
        self.lock().basic_auth = Some(format!("Basic {}", base64(&format!("{user}:{password}"))));
    }

    /// The next requests get these statuses, in order.
    pub fn fail_next(&self, statuses: &[u16]) {
        self.lock().script.extend_from_slice(statuses);
    }

    /// How many requests came.
    pub fn requests(&self) -> usize {
        self.lock().requests
    }
}

/// A result as Gatus marshals it: an HTTP check of `https://api.example.org/health`.
pub fn result(success: bool, at: SystemTime) -> Value {
    let (status, condition) = if success {
        (200, "[STATUS] == 200")
    } else {
        (503, "[STATUS] (503) == 200")
    };
    json!({
        "status": status,
        "hostname": "api.example.org",
        "duration": Duration::from_millis(42).as_nanos() as u64,
        "conditionResults": [
            {"condition": condition, "success": success},
            {"condition": "[RESPONSE_TIME] < 500", "success": true}
        ],
        "success": success,
        "timestamp": format!("{}Z", utc(at)),
    })
}

/// `key.ConvertGroupAndNameToKey`.
pub fn key(group: &str, name: &str) -> String {
    let sanitize = |s: &str| {
        s.trim()
            .to_lowercase()
            .chars()
            .map(|c| if "/_.,# +&".contains(c) { '-' } else { c })
            .collect::<String>()
    };
    format!("{}_{}", sanitize(group), sanitize(name))
}

fn answer(req: &Request, state: &Mutex<Shared>) -> Answer {
    let mut shared = state.lock().unwrap();
    shared.requests += 1;
    if !shared.script.is_empty() {
        let status = shared.script.remove(0);
        return Answer::body(
            status,
            "text/plain; charset=utf-8",
            format!("error {status}"),
        );
    }
    if req.method != "GET" || req.path != "/api/v1/endpoints/statuses" {
        return Answer::body(
            501,
            "text/plain",
            format!("stand-in: {} {} is not mirrored", req.method, req.path),
        );
    }
    if let Some(expected) = &shared.basic_auth
        && req.header("authorization") != Some(expected.as_str())
    {
        return Answer::body(401, "text/plain; charset=utf-8", "Unauthorized")
            .header("WWW-Authenticate", "Basic");
    }
    let (page, page_size) = paging(req);
    let mut statuses: Vec<(String, Value)> = shared
        .endpoints
        .iter()
        .map(|e| {
            // getStartAndEndIndex: pages count back from the newest result.
            let n = e.results.len();
            let end = n.saturating_sub((page - 1) * page_size);
            let start = n.saturating_sub(page * page_size);
            let mut status =
                json!({"name": e.name, "key": e.key(), "results": e.results[start..end]});
            if !e.group.is_empty() {
                status["group"] = json!(e.group);
            }
            (e.key(), status)
        })
        .collect();
    statuses.sort_by(|a, b| a.0.cmp(&b.0));
    let body: Vec<Value> = statuses.into_iter().map(|(_, s)| s).collect();
    Answer::json(200, &Value::Array(body))
}

/// `extractPageAndPageSizeFromRequest`.
fn paging(req: &Request) -> (usize, usize) {
    let number = |name: &str| req.query(name).and_then(|v| v.parse::<i64>().ok());
    let page = number("page").filter(|p| *p >= 1).unwrap_or(1) as usize;
    let mut size = number("pageSize").unwrap_or(DEFAULT_PAGE_SIZE as i64);
    if page == 1 && size > MAXIMUM_NUMBER_OF_RESULTS as i64 {
        size = MAXIMUM_NUMBER_OF_RESULTS as i64;
    } else if size < 1 {
        size = DEFAULT_PAGE_SIZE as i64;
    }
    (page, size as usize)
}

/// Standard base64 with padding, for a basic-auth header.
pub fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
