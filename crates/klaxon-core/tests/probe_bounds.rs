//! What a probe must never do, whatever the server: keep a connection between checks (a stale
//! pooled connection could raise a false alarm), or let a hostile body grow its memory. This
//! file is its own test binary so that the memory figure is this test's alone.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use klaxon_core::probe::Prober;
use support::*;
use tokio::io::AsyncWriteExt;

/// Peak resident memory of this process, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn every_check_opens_a_fresh_connection_even_when_the_server_keeps_it_alive() {
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    let addr = serve(move |mut stream| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            // Keep-alive: answer every request on this connection, never close it.
            loop {
                if read_head(&mut stream).await.is_empty() {
                    return;
                }
                let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                if stream.write_all(ok.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    })
    .await;
    let prober = Prober::new(&http(
        http_check(&format!("http://{addr}/")),
        Duration::from_secs(5),
    ))
    .unwrap();
    for _ in 0..3 {
        let sample = prober.check(Timestamp::now()).await;
        assert!(sample.ok, "{}", sample.reason);
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        3,
        "each check must use its own connection"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_bodies_leave_memory_flat() {
    // An endless body as fast as loopback carries it, checked ten times in a row.
    let addr = serve(|mut stream| async move {
        read_head(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await;
        let mut chunk = format!("{:x}\r\n", 256 * 1024).into_bytes();
        chunk.extend(std::iter::repeat_n(b'z', 256 * 1024));
        chunk.extend_from_slice(b"\r\n");
        while stream.write_all(&chunk).await.is_ok() {}
    })
    .await;
    let prober = Prober::new(&http(
        http_check(&format!("http://{addr}/")),
        Duration::from_secs(5),
    ))
    .unwrap();
    // Fifty checks: were each capped body kept (1 MiB apiece), the peak would grow by 50 MiB.
    const CHECKS: u64 = 50;
    let before = peak_rss_kib();
    for _ in 0..CHECKS {
        let sample = prober.check(Timestamp::now()).await;
        assert_eq!(sample.reason, "response body larger than 1 MiB");
    }
    let grew = peak_rss_kib().saturating_sub(before);
    // One body at a time plus buffers and allocator slack stays far below what keeping them
    // would take: a third of it fails the test.
    let kept = CHECKS * 1024;
    assert!(
        grew < kept / 3,
        "peak memory grew by {grew} KiB over {CHECKS} checks"
    );
}
