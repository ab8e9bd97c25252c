//! A stand-in for Uptime Kuma's `/metrics` on 127.0.0.1: the Prometheus text prom-client writes
//! for Uptime Kuma's gauges, `monitor_status` among them (1 UP, 0 DOWN, 2 PENDING,
//! 3 MAINTENANCE), behind the same authentication. The test adds monitors and sets their status.
//!
//! What it is based on (louislam/uptime-kuma at 6398a95; sources named so a reader can check
//! them):
//! - `server/prometheus.js`: the gauges, their help texts, and the labels: one per tag (named by
//!   the tag, sanitised to `[a-zA-Z0-9_]`), then `monitor_id`, `monitor_name`, `monitor_type`,
//!   `monitor_url`, `monitor_hostname`, `monitor_port`. A gauge is set on a heartbeat, so a
//!   monitor with none yet has no sample, while `# HELP` and `# TYPE` are always there.
//! - prom-client's registry: samples as `name{label="value",…} value`, label values escaped
//!   (`\\`, `\"`, `\n`), a JavaScript `null` written as `null`; `Content-Type:
//!   text/plain; version=0.0.4; charset=utf-8`.
//! - `server/server.js` and `server/auth.js` (`apiAuth`): with API keys enabled, HTTP basic auth
//!   whose password must be a key (the user is not read); with auth disabled, no check. A refusal
//!   is express-basic-auth's challenge: `401` with `WWW-Authenticate: Basic` and an empty body.
//!   Uptime Kuma's keys read `uk<ID>_<KEY>`.
//!
//! Anything it does not mirror (other paths or methods) gets a loud `501`, not a plausible guess.

use std::sync::{Arc, Mutex, MutexGuard};

use super::ntfy::http::{Answer, Request, Server};

/// The API key the stand-in accepts when started with [`UptimeKuma::start_with_api_key`].
pub const API_KEY: &str = "uk1_Yk3sZl9tZWFuaW5nbGVzc19rZXk";

/// `monitor_status`' values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonitorStatus {
    Down = 0,
    Up = 1,
    Pending = 2,
    Maintenance = 3,
}

/// One monitor as the metrics show it.
#[derive(Clone, Debug)]
pub struct Monitor {
    pub id: u32,
    pub name: String,
    /// `http`, `keyword`, `port`, `ping`, `dns`, …
    pub kind: String,
    /// `https://` for a monitor that is not HTTP (Uptime Kuma's default).
    pub url: String,
    pub hostname: Option<String>,
    pub port: Option<u16>,
    /// `(tag, value)`; the tag becomes a label.
    pub tags: Vec<(String, String)>,
    /// `None` until the first heartbeat.
    pub status: Option<MonitorStatus>,
}

#[derive(Default)]
struct Shared {
    monitors: Vec<Monitor>,
    /// `None`: auth disabled.
    api_key: Option<String>,
    requests: usize,
}

pub struct UptimeKuma {
    server: Server,
    shared: Arc<Mutex<Shared>>,
}

impl UptimeKuma {
    /// API keys enabled: `/metrics` needs [`API_KEY`] as the basic-auth password.
    pub fn start_with_api_key() -> UptimeKuma {
        Self::start(Some(API_KEY))
    }

    /// "Disable auth" set in Uptime Kuma's settings: `/metrics` is open.
    pub fn start_without_auth() -> UptimeKuma {
        Self::start(None)
    }

    fn start(api_key: Option<&str>) -> UptimeKuma {
        let shared = Arc::new(Mutex::new(Shared {
            api_key: api_key.map(str::to_string),
            ..Shared::default()
        }));
        let state = shared.clone();
        let server = Server::start(move |req| answer(req, &state));
        UptimeKuma { server, shared }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap()
    }

    /// Adds an HTTP monitor of `url`, UP; returns its id.
    pub fn add_http(&self, name: &str, url: &str) -> u32 {
        self.add(Monitor {
            id: 0,
            name: name.to_string(),
            kind: "http".into(),
            url: url.to_string(),
            hostname: None,
            port: None,
            tags: Vec::new(),
            status: Some(MonitorStatus::Up),
        })
    }

    /// Adds any monitor (its `id` is assigned); returns its id.
    pub fn add(&self, mut monitor: Monitor) -> u32 {
        let mut shared = self.lock();
        monitor.id = shared.monitors.iter().map(|m| m.id).max().unwrap_or(0) + 1;
        let id = monitor.id;
        shared.monitors.push(monitor);
        id
    }

    /// A heartbeat with this status for the monitor named `name`.
    pub fn set_status(&self, name: &str, status: MonitorStatus) {
        let mut shared = self.lock();
        let monitor = shared
            .monitors
            .iter_mut()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no monitor named {name:?}"));
        monitor.status = Some(status);
    }

    /// The monitor is deleted (`Prometheus.remove`): its samples go.
    pub fn remove(&self, name: &str) {
        self.lock().monitors.retain(|m| m.name != name);
    }

    pub fn requests(&self) -> usize {
        self.lock().requests
    }
}

fn answer(req: &Request, state: &Mutex<Shared>) -> Answer {
    let mut shared = state.lock().unwrap();
    shared.requests += 1;
    if req.method != "GET" || req.path != "/metrics" {
        return Answer::body(
            501,
            "text/plain",
            format!("stand-in: {} {} is not mirrored", req.method, req.path),
        );
    }
    if let Some(key) = &shared.api_key
        && password(req).as_deref() != Some(key.as_str())
    {
        return Answer::body(401, "text/html; charset=utf-8", "")
            .header("WWW-Authenticate", "Basic");
    }
    Answer::body(
        200,
        "text/plain; version=0.0.4; charset=utf-8",
        metrics(&shared.monitors),
    )
}

/// The password of a basic-auth header (what `apiAuthorizer` checks as the key).
fn password(req: &Request) -> Option<String> {
    let encoded = req.header("authorization")?.strip_prefix("Basic ")?;
    let decoded = unbase64(encoded.trim())?;
    let (_, password) = decoded.split_once(':')?;
    Some(password.to_string())
}

/// The whole page: `monitor_status` and a neighbour gauge, as prom-client writes them.
fn metrics(monitors: &[Monitor]) -> String {
    let mut tags: Vec<String> = monitors
        .iter()
        .flat_map(|m| m.tags.iter().map(|(t, _)| sanitize(t)))
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort_by_key(|t| t.to_lowercase());
    tags.dedup();
    let mut out = String::new();
    out.push_str("# HELP monitor_response_time Monitor Response Time (ms)\n");
    out.push_str("# TYPE monitor_response_time gauge\n");
    for m in monitors.iter().filter(|m| m.status.is_some()) {
        out.push_str(&format!(
            "monitor_response_time{{{}}} 42\n",
            labels(m, &tags)
        ));
    }
    out.push_str(
        "# HELP monitor_status Monitor Status (1 = UP, 0= DOWN, 2= PENDING, 3= MAINTENANCE)\n",
    );
    out.push_str("# TYPE monitor_status gauge\n");
    for m in monitors {
        if let Some(status) = m.status {
            out.push_str(&format!(
                "monitor_status{{{}}} {}\n",
                labels(m, &tags),
                status as u8
            ));
        }
    }
    out.push_str("\n# HELP process_cpu_user_seconds_total Total user CPU time spent in seconds.\n");
    out.push_str("# TYPE process_cpu_user_seconds_total counter\n");
    out.push_str("process_cpu_user_seconds_total 0.123\n");
    out
}

/// The labels of one monitor's sample: its tags in order (values joined, as prom-client writes
/// the array `mapTagsToLabels` makes), then the monitor's own.
fn labels(m: &Monitor, tags: &[String]) -> String {
    let mut pairs: Vec<(String, String)> = tags
        .iter()
        .filter(|t| m.tags.iter().any(|(name, _)| sanitize(name) == **t))
        .map(|t| {
            let values: Vec<String> = m
                .tags
                .iter()
                .filter(|(name, _)| sanitize(name) == *t)
                .map(|(_, v)| sanitize(v))
                .filter(|v| !v.is_empty())
                .collect();
            (t.clone(), values.join(","))
        })
        .collect();
    let null = || "null".to_string();
    pairs.extend([
        ("monitor_id".into(), m.id.to_string()),
        ("monitor_name".into(), m.name.clone()),
        ("monitor_type".into(), m.kind.clone()),
        ("monitor_url".into(), m.url.clone()),
        (
            "monitor_hostname".into(),
            m.hostname.clone().unwrap_or_else(null),
        ),
        (
            "monitor_port".into(),
            m.port.map(|p| p.to_string()).unwrap_or_else(null),
        ),
    ]);
    pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect::<Vec<_>>()
        .join(",")
}

/// prom-client's `escapeLabelValue`.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('"', "\\\"")
}

/// `Prometheus.sanitizeForPrometheus`.
fn sanitize(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    kept.trim_start_matches(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
        .to_string()
}

fn unbase64(text: &str) -> Option<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8(out).ok()
}
