//! Sources that misbehave, against the real `klaxon run`: a server that answers an endless
//! body, and an ntfy "stream" that is one endless line. Each is a clear `unreachable` reason;
//! the engine keeps answering and its memory stays small.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use support::{Home, closed_port, fast_config};

/// Answers every request with 200 and a body of `A`s that never ends (until dropped).
struct Endless {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Endless {
    fn start() -> Endless {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(mut conn) = conn else { continue };
                let flag = flag.clone();
                std::thread::spawn(move || {
                    let mut request = [0u8; 4096];
                    let _ = conn.read(&mut request);
                    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                                Transfer-Encoding: chunked\r\n\r\n";
                    if conn.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "A".repeat(64 * 1024));
                    while !flag.load(Ordering::Relaxed) {
                        if conn.write_all(chunk.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Endless { addr, stop }
    }
}

impl Drop for Endless {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = std::net::TcpStream::connect(self.addr);
    }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn an_endless_answer_or_stream_is_unreachable_not_a_crash() {
    let endless = Endless::start();
    let home = Home::new(&format!(
        "{}[[source]]\nname = \"am\"\nalertmanager = \"http://{addr}\"\nevery = \"5s\"\n\n\
         [[source]]\nname = \"topic\"\nntfy = \"http://{addr}/alerts\"\n",
        fast_config(closed_port(), ""),
        addr = endless.addr
    ));
    let running = home.run();
    let status = home.wait_status("both unreachable", |s| {
        s["sources"]
            .as_array()
            .is_some_and(|all| all.len() == 2 && all.iter().all(|x| x["state"] == "unreachable"))
    });
    let reasons: Vec<&str> = status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap_or(""))
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("larger than 4 MiB")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("overlong line")),
        "{reasons:?}"
    );
    // Read again and again for a while: memory stays near where an idle engine sits.
    std::thread::sleep(Duration::from_secs(12));
    assert_eq!(home.status()["live"], true);
    let rss = rss_kib(running.child.id());
    assert!(
        rss < 80 * 1024,
        "klaxon run uses {rss} KiB after endless answers"
    );
    assert!(home.status()["incidents"].as_array().unwrap().is_empty());
}

/// An ntfy "topic" that, on every stream opened, floods `count` urgent messages, each with its
/// own title (carrying a terminal escape), then stays open sending nothing.
fn flooding_topic(count: usize) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            std::thread::spawn(move || {
                let mut request = [0u8; 4096];
                let _ = conn.read(&mut request);
                let mut body = String::from(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nConnection: close\r\n\r\n",
                );
                body.push_str("{\"event\":\"open\"}\n");
                for i in 0..count {
                    body.push_str(&format!(
                        "{{\"event\":\"message\",\"id\":\"m{i}\",\"time\":1796090400,\
                         \"title\":\"\\u001b[31mdisk {i} full\\u0007\",\"message\":\"x\",\"priority\":5}}\n"
                    ));
                }
                if conn.write_all(body.as_bytes()).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_secs(600));
            });
        }
    });
    addr
}

#[test]
fn a_topic_flooding_distinct_alerts_opens_a_bounded_number_of_incidents() {
    let addr = flooding_topic(2000);
    let home = Home::new(&format!(
        "{}[[source]]\nname = \"flood\"\nntfy = \"http://{addr}/alerts\"\n",
        fast_config(closed_port(), ""),
    ));
    let running = home.run();
    home.wait_status("the flood read", |s| {
        s["sources"][0]["firing"].as_u64().unwrap_or(0) >= 500
    });
    std::thread::sleep(Duration::from_secs(5));
    let status = home.status();
    let firing = status["sources"][0]["firing"].as_u64().unwrap();
    assert!(firing <= 500, "{firing} alerts from one topic are open");
    let incidents = status["incidents"].as_array().unwrap();
    assert!(incidents.len() <= 500, "{} incidents", incidents.len());
    assert_eq!(status["live"], true);
    // Nothing the topic said reaches the log unescaped. (A bare BEL may be the siren's own
    // terminal bell; the topic's BEL follows "full".)
    let log = running.log();
    assert!(
        !log.contains('\u{1b}') && !log.contains("full\u{7}"),
        "an escape reached the log"
    );
}

/// An "Alertmanager" whose 300 alerts get new fingerprints on every read.
fn shifting_alertmanager() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for (read, conn) in listener.incoming().enumerate() {
            let Ok(mut conn) = conn else { continue };
            let mut request = [0u8; 4096];
            let _ = conn.read(&mut request);
            let alerts: Vec<String> = (0..300)
                .map(|i| {
                    format!(
                        r#"{{"fingerprint":"r{read}-{i}","labels":{{"alertname":"A{i}"}},"status":{{"silencedBy":[]}}}}"#
                    )
                })
                .collect();
            let body = format!("[{}]", alerts.join(","));
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(body.as_bytes());
        }
    });
    addr
}

#[test]
fn fingerprints_that_change_every_read_keep_a_bounded_number_of_incidents_open() {
    let addr = shifting_alertmanager();
    let home = Home::new(&format!(
        "{}[[source]]\nname = \"shifty\"\nalertmanager = \"http://{addr}\"\nevery = \"5s\"\n",
        fast_config(closed_port(), ""),
    ));
    let _running = home.run();
    let mut last = serde_json::Value::Null;
    for _ in 0..3 {
        let status = home.wait_status("read again", |s| {
            s["sources"][0]["state"] == "reachable" && s["sources"][0]["last_read"] != last
        });
        last = status["sources"][0]["last_read"].clone();
    }
    std::thread::sleep(Duration::from_millis(500));
    let status = home.status();
    let open = status["incidents"].as_array().unwrap().len();
    assert!(open <= 500, "{open} incidents open from one source");
    assert_eq!(status["live"], true);
}
