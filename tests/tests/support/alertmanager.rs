//! A real Alertmanager on loopback: Debian's `prometheus-alertmanager` (which `make deps`
//! installs, stopping the package's own service), run as a child with a config in a temp dir,
//! its state (`--storage.path`) there too, clustering off (`--cluster.listen-address=` empty, so
//! it binds nothing but its web port) and one route to a receiver with no integrations: it never
//! notifies anyone, so `group_wait`/`group_interval` play no part. Stopped on drop (SIGTERM, then
//! SIGKILL if it lingers).
//!
//! What a test can rely on (checked by `alertmanager_support.rs`, Alertmanager 0.25):
//! - An alert is in `GET /api/v2/alerts` as soon as [`Alertmanager::post_alert`] has returned,
//!   with `status.state` `active` (the API works the state out on each GET). Without `endsAt` it
//!   stays firing for `resolve_timeout` (5 minutes) unless it is posted again or ended.
//! - An alert's identity (`fingerprint`) is its labels alone: the same labels posted twice are
//!   one alert (its first `startsAt` kept, the latest annotations shown).
//! - [`Alertmanager::end_alert`] (`endsAt` now) takes the alert out of `GET /api/v2/alerts` as
//!   soon as it has returned: that list leaves out alerts whose `endsAt` has passed.
//! - A silence posted to `/api/v2/silences` is listed at once with `status.state` `active` (a
//!   `startsAt` in the past becomes now), and the alerts it matches show `state` `suppressed`,
//!   `silencedBy: [id]` on the next GET. `GET /api/v2/alerts` includes silenced alerts unless
//!   asked `?silenced=false`. `GET /api/v2/silences` includes expired silences too.
//!
//! Tests still poll (Klaxon reads on its own schedule); these are the reasons a poll's limit of a
//! few seconds is ample.

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::discord::civil_from_days;
use super::ntfy::http::{Reply, send};
use super::{closed_port, wait_for};

/// Where Debian's package puts the server.
pub const BINARY: &str = "/usr/bin/prometheus-alertmanager";

/// One route, to a receiver that does nothing.
const CONFIG: &str = "route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n";

pub struct Alertmanager {
    pub addr: SocketAddr,
    log: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Alertmanager {
    /// Starts one and waits until `/-/ready` answers 200. A port taken by someone else between
    /// [`closed_port`] and Alertmanager's bind makes it exit; then it is tried on another port.
    pub fn start() -> Alertmanager {
        let mut log = String::new();
        for _ in 0..3 {
            let mut am = Alertmanager::spawn();
            if am.wait_ready(Duration::from_secs(20)) {
                return am;
            }
            log = am.log();
        }
        panic!("Alertmanager did not start: {log}");
    }

    fn spawn() -> Alertmanager {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("alertmanager.yml");
        std::fs::write(&config, CONFIG).unwrap();
        let log = dir.path().join("alertmanager.log");
        let addr = closed_port();
        let child = Command::new(BINARY)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .arg("--cluster.listen-address=")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{BINARY}: {e} (make deps installs prometheus-alertmanager)")
            });
        Alertmanager {
            addr,
            log,
            child,
            _dir: dir,
        }
    }

    /// True once `/-/ready` answers 200; false if the process has exited. Panics after `limit`.
    fn wait_ready(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            if ready(self.addr) {
                return true;
            }
            assert!(
                Instant::now() < deadline,
                "Alertmanager not ready within {limit:?}: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash: the API is under `/api/v2`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What it has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Posts a firing alert (`startsAt` now, no `endsAt`), as Prometheus does.
    pub fn post_alert(&self, labels: &[(&str, &str)], annotations: &[(&str, &str)]) {
        self.post_alerts(json!([{
            "labels": object(labels),
            "annotations": object(annotations),
            "startsAt": rfc3339_now(),
        }]));
    }

    /// Posts the same alert with `endsAt` now: resolved, no longer listed.
    pub fn end_alert(&self, labels: &[(&str, &str)], annotations: &[(&str, &str)]) {
        self.post_alerts(json!([{
            "labels": object(labels),
            "annotations": object(annotations),
            "endsAt": rfc3339_now(),
        }]));
    }

    fn post_alerts(&self, alerts: Value) {
        let reply = self.send("POST", "/api/v2/alerts", &alerts.to_string());
        assert_eq!(reply.status, 200, "posting alerts: {reply:?}");
    }

    /// `GET /api/v2/alerts`: the alerts not yet ended, silenced ones included.
    pub fn alerts(&self) -> Value {
        self.get("/api/v2/alerts")
    }

    /// `GET /api/v2/silences`: every silence, expired ones included.
    pub fn silences(&self) -> Value {
        self.get("/api/v2/silences")
    }

    /// Polls until a silence is active, and returns it.
    pub fn wait_for_silence(&self, limit: Duration) -> Value {
        wait_for(limit, || {
            self.silences()
                .as_array()?
                .iter()
                .find(|s| s["status"]["state"] == "active")
                .cloned()
        })
    }

    fn get(&self, path: &str) -> Value {
        let reply = self.send("GET", path, "");
        assert_eq!(reply.status, 200, "GET {path}: {reply:?}");
        reply.json()
    }

    /// A request to the API, with the JSON content type it insists on.
    pub fn send(&self, method: &str, path: &str, body: &str) -> Reply {
        send(
            method,
            &format!("{}{path}", self.url()),
            &[("Content-Type", "application/json")],
            body,
        )
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Labels or annotations as the JSON object the API takes.
fn object(pairs: &[(&str, &str)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect::<Map<_, _>>(),
    )
}

/// Now as `2026-01-02T03:04:05.678Z`, the form Alertmanager writes.
pub fn rfc3339_now() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let secs = now.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_millis()
    )
}

/// `GET /-/ready` answered 200. Anything else — refused, closed mid-start, no answer within
/// 2 s — is "not yet", never a panic: a server still starting may accept and close.
fn ready(addr: std::net::SocketAddr) -> bool {
    use std::io::{Read, Write};
    let Ok(mut conn) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return false;
    };
    let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /-/ready HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if conn.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200")
}
