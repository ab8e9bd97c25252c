//! Shared fixtures for the end-to-end tests: a loopback HTTP server that can be taken down and
//! brought back on the same port, a Klaxon home (config + data dir) in a temp dir, the real
//! `klaxon` binary run as a child that is killed when the test ends, and polling waits.

#![allow(dead_code)]

pub mod netns;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// This crate's directory (`tests/`), as `cargo test` names it when it runs the test. The path
/// compiled in is only the fallback: a test binary that cargo reuses from another checkout
/// sharing the target dir (CI's clone and a work tree both build into `$HOME/.cache/klaxon`)
/// carries that checkout's path, which may be gone.
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The `klaxon` binary, built by `cargo build -p klaxon-cli` (the Makefile does it first).
pub fn klaxon_bin() -> PathBuf {
    let path = assert_cmd::cargo::cargo_bin("klaxon");
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p klaxon-cli` first (make test does)",
        path.display()
    );
    path
}

/// A plain HTTP server on 127.0.0.1 answering `200 ok` to everything.
pub struct HttpServer {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    pub fn start() -> HttpServer {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Binds `addr` (port 0 for any), retrying briefly while a previous listener lets go.
    pub fn start_on(addr: SocketAddr) -> HttpServer {
        let listener = wait_for(Duration::from_secs(10), || TcpListener::bind(addr).ok());
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    return;
                }
                if let Ok(mut conn) = conn {
                    conn.set_read_timeout(Some(Duration::from_secs(2))).ok();
                    let mut buf = [0u8; 4096];
                    let _ = conn.read(&mut buf);
                    let _ = conn.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    );
                }
            }
        });
        HttpServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/health", self.addr)
    }

    /// Stops answering: later connections are refused.
    pub fn stop(mut self) -> SocketAddr {
        self.shutdown();
        self.addr
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A loopback port with nothing listening (bound, then released).
pub fn closed_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// A config file and data dir in a temp dir.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new(config: &str) -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("klaxon.toml"), config).unwrap();
        Home { dir }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("klaxon.toml")
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn write_config(&self, config: &str) {
        // Write then rename, as editors do, so the engine never reads half a file.
        let tmp = self.dir.path().join("klaxon.toml.tmp");
        std::fs::write(&tmp, config).unwrap();
        std::fs::rename(tmp, self.config()).unwrap();
    }

    /// An empty runtime dir: no PulseAudio server is found there.
    pub fn quiet_runtime(&self) -> PathBuf {
        let dir = self.dir.path().join("runtime");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        dir
    }

    /// Sends one raw JSON line to the engine's control socket and returns its answer, as the
    /// tray app and the window will.
    pub fn control(&self, line: &str) -> serde_json::Value {
        use std::io::{BufRead, BufReader};
        let mut conn =
            std::os::unix::net::UnixStream::connect(self.data().join("klaxon.sock")).unwrap();
        conn.write_all(format!("{line}\n").as_bytes()).unwrap();
        let mut answer = String::new();
        BufReader::new(conn).read_line(&mut answer).unwrap();
        serde_json::from_str(&answer).unwrap()
    }

    /// `klaxon ARGS` against this home, via the environment variables.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(klaxon_bin());
        cmd.env("KLAXON_CONFIG", self.config())
            .env("KLAXON_DATA_DIR", self.data())
            .timeout(Duration::from_secs(30));
        cmd
    }

    /// `klaxon run` in the background; killed when the returned guard drops.
    pub fn run(&self) -> Running {
        self.run_with(Vec::new())
    }

    /// `klaxon run` with extra environment (a PulseAudio server's runtime dir, say).
    pub fn run_with(&self, env: Vec<(&'static str, PathBuf)>) -> Running {
        let log = self
            .dir
            .path()
            .join(format!("run-{}.log", std::process::id()));
        let child = Command::new(klaxon_bin())
            .arg("run")
            .env("KLAXON_CONFIG", self.config())
            .env("KLAXON_DATA_DIR", self.data())
            // No sound server unless the test brings one: a developer's speakers stay quiet.
            .env("XDG_RUNTIME_DIR", self.quiet_runtime())
            .envs(env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let running = Running { child, log };
        let data = self.data();
        wait_for(Duration::from_secs(20), || {
            data.join("klaxon.sock").exists().then_some(())
        });
        running
    }

    /// `status --json`, parsed.
    pub fn status(&self) -> serde_json::Value {
        let out = self.cmd().args(["status", "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "status failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `status --json` when it answers; `None` when it fails (an engine that dies while it is
    /// being asked resets the connection).
    pub fn try_status(&self) -> Option<serde_json::Value> {
        let out = self.cmd().args(["status", "--json"]).output().unwrap();
        out.status
            .success()
            .then(|| serde_json::from_slice(&out.stdout).ok())
            .flatten()
    }

    pub fn history(&self) -> serde_json::Value {
        let out = self.cmd().args(["history", "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "history failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Polls `status --json` until `check` holds, and returns that status.
    pub fn wait_status(
        &self,
        what: &str,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let status = self.status();
            if check(&status) {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last status: {status:#}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

pub struct Running {
    pub child: Child,
    pub log: PathBuf,
}

impl Running {
    /// SIGKILL: no chance to flush or clean up, as in a crash.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `f` until it returns `Some`, or panics after `limit`.
pub fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "condition not met within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A config with fast checks, loopback witnesses and the given monitors.
pub fn fast_config(witness: SocketAddr, monitors: &str) -> String {
    format!(
        "[judge]\nconfirm = 1\nrecover = 1\nretry_every = \"300ms\"\nwitnesses = [\"{witness}\"]\n\n{monitors}"
    )
}

pub fn http_monitor(name: &str, url: &str) -> String {
    format!("[[monitor]]\nname = \"{name}\"\nurl = \"{url}\"\nevery = \"1s\"\ntimeout = \"1s\"\n\n")
}

pub fn state_of<'a>(status: &'a serde_json::Value, monitor: &str) -> Option<&'a str> {
    status["monitors"]
        .as_array()?
        .iter()
        .find(|m| m["name"] == monitor)?["state"]
        .as_str()
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}
pub mod alertmanager;
pub mod app;
pub mod discord;
pub mod fake_bus;
pub mod gatus;
pub mod healthchecks;
pub mod keyring;
pub mod ntfy;
pub mod pulse;
pub mod pushover;
pub mod serial;
pub mod siren;
pub mod slack;
pub mod smtp;
pub mod tray;
pub mod uptime_kuma;
pub mod webhook;
pub mod window;
