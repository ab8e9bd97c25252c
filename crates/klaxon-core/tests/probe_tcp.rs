//! The TCP probe and the witnesses' reachability check, against listeners on 127.0.0.1.

mod support;

use std::time::Duration;

use jiff::Timestamp;
use klaxon_core::probe::{Prober, tcp_reachable};
use support::*;

const TIMEOUT: Duration = Duration::from_secs(2);

#[tokio::test]
async fn an_open_port_is_up_with_the_connect_time() {
    let addr = serve(|_stream| async {}).await;
    let prober = Prober::new(&tcp("127.0.0.1", addr.port(), TIMEOUT)).unwrap();
    let sample = prober.check(Timestamp::now()).await;
    assert!(sample.ok, "{sample:?}");
    assert!(
        sample.reason.starts_with("connected in "),
        "{}",
        sample.reason
    );
    assert_eq!(sample.evidence.remote, Some(addr.to_string()));
}

#[tokio::test]
async fn a_name_is_resolved_and_each_address_tried() {
    // `localhost` may resolve to ::1 first, where nothing listens: the probe moves on.
    let addr = serve(|_stream| async {}).await;
    let prober = Prober::new(&tcp("localhost", addr.port(), TIMEOUT)).unwrap();
    let sample = prober.check(Timestamp::now()).await;
    assert!(sample.ok, "{sample:?}");
}

#[tokio::test]
async fn a_closed_port_is_refused() {
    let port = closed_port().await;
    let prober = Prober::new(&tcp("127.0.0.1", port, TIMEOUT)).unwrap();
    let sample = prober.check(Timestamp::now()).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "connection refused");
}

#[tokio::test]
async fn reachability_is_true_for_a_listener_and_false_for_a_closed_port() {
    let addr = serve(|_stream| async {}).await;
    assert!(tcp_reachable(&addr.to_string(), TIMEOUT).await);
    let port = closed_port().await;
    assert!(!tcp_reachable(&format!("127.0.0.1:{port}"), TIMEOUT).await);
    assert!(!tcp_reachable("not an address", TIMEOUT).await);
}
