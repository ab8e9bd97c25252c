//! Waking fast with the default judge: every monitor started together has a state within
//! seconds, not after its interval; and a single dropped check is still forgiven.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::*;

/// The old schedule spread first checks over the whole interval (here a minute); the new one
/// checks them all within 2 s. Generous for a busy machine, far below the interval.
const SOON: Duration = Duration::from_secs(12);

fn monitors(prefix: &str, count: usize, url: &str) -> String {
    (0..count)
        .map(|i| {
            format!("[[monitor]]\nname = \"{prefix}{i}\"\nurl = \"{url}\"\nevery = \"60s\"\n\n")
        })
        .collect()
}

fn all_up(status: &serde_json::Value, count: usize) -> bool {
    status["monitors"]
        .as_array()
        .is_some_and(|m| m.len() == count && m.iter().all(|m| m["state"] == "up"))
}

#[test]
fn thirty_monitors_at_a_minute_all_have_a_state_within_seconds_of_start_and_of_a_reload() {
    let server = HttpServer::start();
    let witness = HttpServer::start();
    let judge = format!("[judge]\nwitnesses = [\"{}\"]\n\n", witness.addr);
    let home = Home::new(&format!("{judge}{}", monitors("a", 30, &server.url())));
    let started = Instant::now();
    let _running = home.run();
    home.wait_status("all 30 up", |s| all_up(s, 30));
    let took = started.elapsed();
    assert!(took < SOON, "30 monitors took {took:?} to have a state");

    home.write_config(&format!(
        "{judge}{}{}",
        monitors("a", 30, &server.url()),
        monitors("b", 30, &server.url())
    ));
    let reloaded = Instant::now();
    home.wait_status("all 60 up", |s| all_up(s, 60));
    let took = reloaded.elapsed();
    assert!(
        took < SOON,
        "30 added monitors took {took:?} to have a state"
    );
}

#[test]
fn a_single_dropped_check_opens_no_incident_with_the_default_judge() {
    // Answers 200, except a 503 for the third request: one failed check, then re-checks that
    // pass (half a second apart at a 1 s interval).
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let n = count.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let answer: &[u8] = if n == 2 {
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            } else {
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            };
            let _ = conn.write_all(answer);
        }
    });
    let witness = HttpServer::start();
    let home = Home::new(&format!(
        "[judge]\nwitnesses = [\"{}\"]\n\n[[monitor]]\nname = \"API\"\nurl = \"http://{addr}/\"\nevery = \"1s\"\n",
        witness.addr
    ));
    let _running = home.run();
    wait_for(Duration::from_secs(20), || {
        (served.load(Ordering::SeqCst) >= 6).then_some(())
    });
    let status = home.status();
    assert_eq!(state_of(&status, "API"), Some("up"), "{status:#}");
    assert!(
        home.history().as_array().is_some_and(|h| h.is_empty()),
        "{:#}",
        home.history()
    );
}
