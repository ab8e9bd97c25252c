//! Text from outside is data: escape sequences from a loopback DNS server and HTTP servers
//! reach neither the terminal nor the log raw, a password in a monitor's URL is used but never
//! shown or stored, and the real `klaxon` binary reads what it stores back safely.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use hickory_server::ServerFuture;
use hickory_server::authority::{Catalog, ZoneType};
use hickory_server::proto::rr::rdata::{NS, SOA, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryAuthority;
use support::*;

/// What a hostile DNS server puts in a TXT record: clear the screen, home the cursor, and lie.
const SCREEN_CLEAR: &str = "\x1b[2J\x1b[H FAKE ALL GOOD";

/// Bytes that must never reach a terminal raw: ESC, DEL, the UTF-8 of C1 CSI (U+009B) and of
/// the right-to-left override (U+202E).
fn hostile_bytes(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut found = Vec::new();
    for c in ['\x1b', '\x7f', '\u{9b}', '\u{202e}'] {
        if text.contains(c) {
            found.push(format!("{c:?}"));
        }
    }
    found
}

fn assert_safe(what: &str, bytes: &[u8]) {
    let found = hostile_bytes(bytes);
    assert!(
        found.is_empty(),
        "{what} carries raw {found:?}: {:?}",
        String::from_utf8_lossy(bytes)
    );
}

/// An authoritative DNS server on 127.0.0.1 for `klaxon.test.`, whose TXT record is
/// [`SCREEN_CLEAR`]. Runs on its own runtime (one worker thread); stops when dropped.
struct HostileDns {
    addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl HostileDns {
    fn start() -> HostileDns {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let origin = Name::from_ascii("klaxon.test.").unwrap();
        let ns = Name::from_ascii("ns1.klaxon.test.").unwrap();
        let admin = Name::from_ascii("admin.klaxon.test.").unwrap();
        let mut zone = InMemoryAuthority::empty(origin.clone(), ZoneType::Primary, false);
        let soa = SOA::new(ns.clone(), admin, 1, 3600, 600, 86400, 60);
        for record in [
            Record::from_rdata(origin.clone(), 60, RData::SOA(soa)),
            Record::from_rdata(origin.clone(), 60, RData::NS(NS(ns))),
            Record::from_rdata(
                origin.clone(),
                60,
                RData::TXT(TXT::new(vec![SCREEN_CLEAR.into()])),
            ),
        ] {
            zone.upsert_mut(record, 1);
        }
        let mut catalog = Catalog::new();
        catalog.upsert(LowerName::new(&origin), vec![Arc::new(zone)]);
        let addr = runtime.block_on(async {
            let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let addr = socket.local_addr().unwrap();
            let mut server = ServerFuture::new(catalog);
            server.register_socket(socket);
            tokio::spawn(async move {
                let _ = server.block_until_done().await;
            });
            addr
        });
        HostileDns {
            addr,
            _runtime: runtime,
        }
    }
}

/// A loopback HTTP server that answers every request with `respond(request)`; stops when
/// dropped. Counts the requests it saw.
struct RawHttp {
    addr: SocketAddr,
    seen: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RawHttp {
    fn start(respond: impl Fn(&str) -> Vec<u8> + Send + 'static) -> RawHttp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (seen, stop) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let (counter, flag) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(mut conn) = conn else { continue };
                conn.set_read_timeout(Some(Duration::from_secs(2))).ok();
                let mut buf = [0u8; 8192];
                let n = conn.read(&mut buf).unwrap_or(0);
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = conn.write_all(&respond(&String::from_utf8_lossy(&buf[..n])));
            }
        });
        RawHttp {
            addr,
            seen,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for RawHttp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn response(status_line: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = status_line.to_vec();
    out.extend_from_slice(
        format!(
            "\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    out
}

/// Everything in `dir`, recursively, as bytes.
fn all_bytes_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(all_bytes_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            files.push((path, bytes));
        }
    }
    files
}

#[test]
fn escape_sequences_from_dns_and_http_are_shown_escaped_in_check_status_history_and_the_log() {
    let dns = HostileDns::start();
    // A reason phrase carrying C1 CSI and a right-to-left override, and a JSON field whose value
    // carries them too (plus an ESC, escaped in the JSON text as JSON allows).
    let json_server = RawHttp::start(|_| {
        response(
            "HTTP/1.1 200 \u{9b}2J\u{202e}KO".as_bytes(),
            br#"{"status":"\u009b2J\u202eDOOG LLA \u001b[2J FAKE"}"#,
        )
    });
    // A reason phrase with a raw ESC: not HTTP at all, and it must not leak through the error.
    let garbled = RawHttp::start(|_| response(b"HTTP/1.1 500 \x1b[2J\x1b[H FAKE ALL GOOD", b"{}"));
    let home = Home::new(&fast_config(
        closed_port(),
        &format!(
            "[[monitor]]\nname = \"Mail DNS\"\ndns = \"klaxon.test\"\nrecord = \"TXT\"\nresolver = \"{}\"\nexpect = {{ records = [\"v=spf1 -all\"] }}\nevery = \"1s\"\ntimeout = \"1s\"\n\n\
             [[monitor]]\nname = \"API\"\nurl = \"http://{}/health\"\nexpect = {{ json = {{ path = \"status\", equals = \"ok\" }} }}\nevery = \"1s\"\ntimeout = \"1s\"\n\n{}",
            dns.addr,
            json_server.addr,
            http_monitor("Garbled", &format!("http://{}/", garbled.addr)),
        ),
    ));

    // `klaxon check` prints the outcome once: escaped, and still saying what came back.
    let out = home.cmd().args(["check", "Mail DNS"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_safe("check's stdout", &out.stdout);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(r"(got \u{1b}[2J\u{1b}[H FAKE ALL GOOD)"),
        "{text}"
    );
    let out = home.cmd().args(["check", "API"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_safe("check's stdout", &out.stdout);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(r"\u{9b}2J\u{202e}DOOG LLA"), "{text}");
    let out = home.cmd().args(["check", "Garbled"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_safe("check's stdout", &out.stdout);
    assert_safe("check's stderr", &out.stderr);

    // The engine sees the same failures, rings, and keeps them.
    let running = home.run();
    home.wait_status("three incidents", |s| {
        s["incidents"].as_array().is_some_and(|i| i.len() == 3)
    });

    let out = home.cmd().arg("status").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_safe("status", &out.stdout);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(r"\u{1b}[2J\u{1b}[H FAKE ALL GOOD"), "{text}");
    assert!(text.contains(r"\u{202e}DOOG LLA"), "{text}");
    // One line per monitor (indented, below the headline): nothing from outside broke a line.
    let monitor_lines = text
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("  #"));
    assert_eq!(
        monitor_lines.filter(|l| l.contains("down")).count(),
        3,
        "{text}"
    );

    // JSON keeps the real value, in a form a terminal cannot act on.
    let out = home.cmd().args(["status", "--json"]).output().unwrap();
    assert_safe("status --json", &out.stdout);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons: Vec<&str> = status["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["reason"].as_str())
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains(SCREEN_CLEAR)),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("\u{9b}2J\u{202e}DOOG")),
        "{reasons:?}"
    );

    let out = home.cmd().arg("history").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_safe("history", &out.stdout);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(r"\u{1b}[2J"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // The log said what happened, escaped.
    let log = std::fs::read(&running.log).unwrap();
    assert_safe("the log of klaxon run", &log);
    let log = String::from_utf8_lossy(&log);
    assert!(log.contains(r"\u{1b}[2J\u{1b}[H FAKE ALL GOOD"), "{log}");
}

#[test]
fn a_hostile_monitor_name_is_escaped_wherever_it_is_shown() {
    let server = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor(r"API\u001b[2J\u001b[H", &server.url()),
    ));
    let check = home.cmd().args(["config", "check"]).output().unwrap();
    assert_safe("config check's stdout", &check.stdout);
    assert_safe("config check's stderr", &check.stderr);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        said.contains(r"\u{1b}[2J") || said.contains("name"),
        "{said}"
    );
    if !check.status.success() {
        return; // the config refuses such a name: nothing else can show it
    }
    let running = home.run();
    home.wait_status("the monitor up", |s| {
        s["monitors"][0]["state"].as_str() == Some("up")
    });
    let out = home.cmd().arg("status").output().unwrap();
    assert_safe("status", &out.stdout);
    assert!(String::from_utf8_lossy(&out.stdout).contains(r"API\u{1b}[2J\u{1b}[H"));
    assert_safe("the log", &std::fs::read(&running.log).unwrap());
}

#[test]
fn a_password_in_a_url_is_used_for_the_check_but_never_shown_or_stored() {
    const PASSWORD: &str = "correct-horse-7731";
    // base64("admin:correct-horse-7731"), as the Authorization header carries it.
    const CREDENTIALS: &str = "YWRtaW46Y29ycmVjdC1ob3JzZS03NzMx";
    let server = RawHttp::start(|request| {
        let authorised = request
            .lines()
            .any(|l| l.eq_ignore_ascii_case(&format!("authorization: Basic {CREDENTIALS}")));
        if authorised {
            response(b"HTTP/1.1 200 OK", b"ok")
        } else {
            response(b"HTTP/1.1 401 Unauthorized", b"who are you?")
        }
    });
    let url = format!("http://admin:{PASSWORD}@{}/health", server.addr);
    let shown = format!("http://admin:•••@{}/health", server.addr);
    let home = Home::new(&fast_config(closed_port(), &http_monitor("API", &url)));

    let out = home.cmd().args(["config", "check"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(stdout.contains(&shown), "{stdout}");
    assert!(
        stderr.contains("klaxon secret set api-password"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "http://admin:{{secret:api-password}}@{}/health",
            server.addr
        )),
        "{stderr}"
    );
    assert!(!format!("{stdout}{stderr}").contains(PASSWORD));

    let out = home.cmd().args(["check", "API"]).output().unwrap();
    assert!(out.status.success(), "the password was not used: {out:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(PASSWORD));

    let running = home.run();
    let status = home.wait_status("the monitor up", |s| state_of(s, "API") == Some("up"));
    assert_eq!(status["monitors"][0]["target"], shown.as_str());
    let out = home.cmd().arg("status").output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(PASSWORD));
    assert!(server.seen.load(Ordering::SeqCst) >= 2);

    // Let it write down a few more checks, then look at every byte it left behind (database,
    // WAL, lock, anything) while it runs, and again after it stopped.
    let seen = server.seen.load(Ordering::SeqCst);
    wait_for(Duration::from_secs(20), || {
        (server.seen.load(Ordering::SeqCst) >= seen + 3).then_some(())
    });
    for (path, bytes) in all_bytes_under(&home.data()) {
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "{} holds the password",
            path.display()
        );
    }
    let log = running.log.clone();
    drop(running);
    for (path, bytes) in all_bytes_under(&home.data()) {
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "{} holds the password",
            path.display()
        );
    }
    let log = std::fs::read_to_string(log).unwrap();
    assert!(!log.contains(PASSWORD), "{log}");
}
