//! A stand-in for Healthchecks' Management API v3 on 127.0.0.1: `GET /api/v3/checks/` answers
//! one project's checks, the way Healthchecks does for a read-write key (`uuid`, `ping_url`,
//! `update_url`, …) or a read-only key (`unique_key` instead), and `401` for anything else. The
//! test sets each check's state (`up`, `down`, `grace`, `paused`, `new`) and can script failures.
//!
//! What it is based on (healthchecks/healthchecks at 29b5ec2; sources named so a reader can
//! check them):
//! - `hc/api/decorators.py` `authorize_read`: the key comes only from `X-Api-Key`; a key that is
//!   not 32 characters is `401 {"error": "missing api key"}`, an unknown one
//!   `401 {"error": "wrong api key"}`; a key starting `hcr_` (or the project's read-only key) reads
//!   without secrets. `cors` adds `Access-Control-Allow-*` headers to every answer.
//! - `hc/api/views.py` `get_checks`: `{"checks": [...]}`, filtered by `?slug=` and every `?tag=`.
//! - `hc/api/models.py` `Check.to_dict(readonly, v=3)`: the fields and their types; `isostring`
//!   (ISO 8601, `+00:00`, no fraction); `next_ping` is `null` once a check is down, new or paused;
//!   `timeout` for a simple check, `schedule` and `tz` for a cron one.
//! - `templates/docs/api.md`: the example answers both ways.
//!
//! Anything it does not mirror (other paths or methods) gets a loud `501`, not a plausible guess.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::ntfy::http::{Answer, Request, Server};

/// The project's read-write key: 32 characters, as Healthchecks requires.
pub const API_KEY: &str = "hcw_rwrwrwrwrwrwrwrwrwrwrwrwrwrw";
/// The project's read-only key.
pub const READ_ONLY_KEY: &str = "hcr_rorororororororororororororo";
const SITE_ROOT: &str = "https://healthchecks.example";
const PING_ENDPOINT: &str = "https://hc-ping.example/";

/// A check's state as `/api/v3/checks/` reports it (`status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckState {
    New,
    Up,
    Grace,
    Down,
    Paused,
}

impl CheckState {
    fn word(self) -> &'static str {
        match self {
            CheckState::New => "new",
            CheckState::Up => "up",
            CheckState::Grace => "grace",
            CheckState::Down => "down",
            CheckState::Paused => "paused",
        }
    }
}

/// One check; its fields are what the test may want to vary.
#[derive(Clone, Debug)]
pub struct Check {
    pub name: String,
    pub slug: String,
    /// Space-separated.
    pub tags: String,
    pub desc: String,
    pub state: CheckState,
    /// A simple check's period.
    pub timeout: Duration,
    pub grace: Duration,
    pub last_ping: Option<SystemTime>,
    pub n_pings: u64,
    pub uuid: String,
    /// What a read-only key sees instead of the uuid (a SHA-1 in hex, stable per check).
    pub unique_key: String,
}

/// One request the stand-in answered.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub method: String,
    pub path: String,
    pub api_key: Option<String>,
    pub status: u16,
}

#[derive(Default)]
struct Shared {
    checks: Vec<Check>,
    attempts: Vec<Attempt>,
    /// Statuses for the next requests, first first, before any key is looked at.
    script: Vec<u16>,
}

pub struct Healthchecks {
    server: Server,
    shared: Arc<Mutex<Shared>>,
}

impl Healthchecks {
    pub fn start() -> Healthchecks {
        let shared: Arc<Mutex<Shared>> = Arc::default();
        let state = shared.clone();
        let server = Server::start(move |req| answer(req, &state));
        Healthchecks { server, shared }
    }

    /// `http://127.0.0.1:PORT`: the site root a source is configured with.
    pub fn url(&self) -> String {
        self.server.url()
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap()
    }

    /// Adds a simple check (every hour, 5 min grace), pinged just now: `up`. Returns its uuid.
    pub fn add_check(&self, name: &str, tags: &str) -> String {
        let mut shared = self.lock();
        let n = shared.checks.len() as u64 + 1;
        let uuid = format!("803f680d-e89b-492b-82ef-{n:012x}");
        shared.checks.push(Check {
            name: name.to_string(),
            slug: slugify(name),
            tags: tags.to_string(),
            desc: String::new(),
            state: CheckState::Up,
            timeout: Duration::from_secs(3600),
            grace: Duration::from_secs(300),
            last_ping: Some(SystemTime::now()),
            n_pings: 1,
            unique_key: format!("{:040x}", n.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            uuid: uuid.clone(),
        });
        uuid
    }

    /// Sets a check's state by name (`Down` as Healthchecks' alert loop leaves it: `next_ping`
    /// `null`). Panics on an unknown name.
    pub fn set_state(&self, name: &str, state: CheckState) {
        self.change(name, |c| c.state = state);
    }

    /// A ping arrives: the check is `up`, last pinged now.
    pub fn ping(&self, name: &str) {
        self.change(name, |c| {
            c.state = CheckState::Up;
            c.last_ping = Some(SystemTime::now());
            c.n_pings += 1;
        });
    }

    /// Changes anything about one check.
    pub fn change(&self, name: &str, f: impl FnOnce(&mut Check)) {
        let mut shared = self.lock();
        let check = shared
            .checks
            .iter_mut()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no check named {name:?}"));
        f(check);
    }

    pub fn remove_check(&self, name: &str) {
        self.lock().checks.retain(|c| c.name != name);
    }

    /// The next requests get these statuses (with Django's plain error pages), in order.
    pub fn fail_next(&self, statuses: &[u16]) {
        self.lock().script.extend_from_slice(statuses);
    }

    pub fn attempts(&self) -> Vec<Attempt> {
        self.lock().attempts.clone()
    }
}

fn answer(req: &Request, state: &Mutex<Shared>) -> Answer {
    let mut shared = state.lock().unwrap();
    let api_key = req.header("x-api-key").map(str::to_string);
    let answer = if !shared.script.is_empty() {
        let status = shared.script.remove(0);
        Answer::body(status, "text/html", format!("<h1>Error {status}</h1>"))
    } else if req.method != "GET" || req.path != "/api/v3/checks/" {
        Answer::body(
            501,
            "text/plain",
            format!("stand-in: {} {} is not mirrored", req.method, req.path),
        )
    } else {
        list(req, api_key.as_deref(), &shared.checks)
    };
    shared.attempts.push(Attempt {
        method: req.method.clone(),
        path: req.path.clone(),
        api_key,
        status: answer.status,
    });
    cors(answer)
}

/// `authorize_read`, then `get_checks`.
fn list(req: &Request, api_key: Option<&str>, checks: &[Check]) -> Answer {
    let key = api_key.unwrap_or("");
    if key.chars().count() != 32 {
        return Answer::json(401, &json!({"error": "missing api key"}));
    }
    let readonly = match key {
        API_KEY => false,
        READ_ONLY_KEY => true,
        _ => return Answer::json(401, &json!({"error": "wrong api key"})),
    };
    let tags: Vec<&str> = req
        .query
        .iter()
        .filter(|(k, _)| k == "tag")
        .map(|(_, v)| v.as_str())
        .collect();
    let slug = req.query("slug").filter(|s| !s.is_empty());
    let checks: Vec<Value> = checks
        .iter()
        .filter(|c| slug.is_none_or(|s| c.slug == s))
        .filter(|c| {
            tags.iter()
                .all(|t| c.tags.split_whitespace().any(|x| x == *t))
        })
        .map(|c| to_dict(c, readonly))
        .collect();
    Answer::json(200, &json!({ "checks": checks }))
}

/// What Healthchecks' `cors("GET", "POST")` adds to every answer of this view.
fn cors(answer: Answer) -> Answer {
    answer
        .header("Access-Control-Allow-Origin", "*")
        .header("Access-Control-Allow-Headers", "X-Api-Key")
        .header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        .header("Access-Control-Max-Age", "600")
}

/// `Check.to_dict(readonly=…, v=3)` for a simple check.
fn to_dict(c: &Check, readonly: bool) -> Value {
    let next_ping = match (c.state, c.last_ping) {
        (CheckState::Up | CheckState::Grace, Some(last)) => Some(isostring(last + c.timeout)),
        _ => None,
    };
    let mut d = json!({
        "name": c.name,
        "slug": c.slug,
        "tags": c.tags,
        "desc": c.desc,
        "grace": c.grace.as_secs(),
        "n_pings": c.n_pings,
        "status": c.state.word(),
        "started": false,
        "last_ping": c.last_ping.map(isostring),
        "next_ping": next_ping,
        "manual_resume": false,
        "methods": "",
        "subject": "",
        "subject_fail": "",
        "start_kw": "",
        "success_kw": "",
        "failure_kw": "",
        "filter_subject": false,
        "filter_body": false,
        "filter_http_body": false,
        "filter_default_fail": false,
        "badge_url": format!("{SITE_ROOT}/b/2/{}.svg", c.uuid),
        "timeout": c.timeout.as_secs(),
    });
    let o = d.as_object_mut().unwrap();
    if readonly {
        o.insert("unique_key".into(), json!(c.unique_key));
    } else {
        let update_url = format!("{SITE_ROOT}/api/v3/checks/{}", c.uuid);
        o.insert("uuid".into(), json!(c.uuid));
        o.insert(
            "ping_url".into(),
            json!(format!("{PING_ENDPOINT}{}", c.uuid)),
        );
        o.insert("pause_url".into(), json!(format!("{update_url}/pause")));
        o.insert("resume_url".into(), json!(format!("{update_url}/resume")));
        o.insert("update_url".into(), json!(update_url));
        o.insert("channels".into(), json!(""));
    }
    d
}

/// Django's `slugify`, near enough for test names.
fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c);
        } else if (c.is_whitespace() || c == '-') && !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// Python's `datetime.isoformat()` for a UTC time without microseconds:
/// `2020-03-24T14:02:03+00:00`.
pub fn isostring(t: SystemTime) -> String {
    format!("{}+00:00", utc(t))
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC (the tests crate has no date library).
pub fn utc(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
