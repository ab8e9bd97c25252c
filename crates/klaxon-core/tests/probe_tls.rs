//! The TLS probe against rustls servers on 127.0.0.1 with certificates from a throwaway CA:
//! days left are counted from the `now` given to the check, and every way a certificate can be
//! wrong comes back as a sentence.

mod support;

use std::time::Duration;

use jiff::Timestamp;
use klaxon_core::Error;
use klaxon_core::domain::monitor::{Sample, Target};
use klaxon_core::probe::Prober;
use support::*;
use tokio::io::AsyncWriteExt;

/// The probes' timeout in these tests is 5 s (see `support::tls`); this leaves a margin.
const BOUND: Duration = Duration::from_secs(7);

async fn probe(monitor: klaxon_core::domain::monitor::Monitor) -> (Sample, Duration) {
    let prober = Prober::new(&monitor).unwrap();
    timed(prober.check(Timestamp::now())).await
}

#[tokio::test]
async fn a_certificate_valid_for_months_is_up_with_the_days_left() {
    let pki = Pki::new();
    let addr = serve_tls(pki.server(&["127.0.0.1"], -1, 90), None).await;
    let (sample, _) = probe(tls(addr, 14, Some(pki.ca_path()))).await;
    assert!(sample.ok, "{sample:?}");
    assert_eq!(sample.reason, "certificate valid for 89 more days");
    assert!(sample.evidence.cert_expires.is_some());
    assert_eq!(sample.evidence.remote, Some(addr.to_string()));
}

#[tokio::test]
async fn a_certificate_expiring_within_min_days_fails_with_the_days_left() {
    let pki = Pki::new();
    let addr = serve_tls(pki.server(&["127.0.0.1"], -60, 4), None).await;
    let (sample, _) = probe(tls(addr, 14, Some(pki.ca_path()))).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "certificate expires in 3 days");
    assert!(sample.evidence.cert_expires.is_some());
}

#[tokio::test]
async fn days_are_counted_from_the_time_given_to_the_check() {
    let pki = Pki::new();
    let addr = serve_tls(pki.server(&["127.0.0.1"], -1, 90), None).await;
    let prober = Prober::new(&tls(addr, 14, Some(pki.ca_path()))).unwrap();
    let in_80_days = Timestamp::now() + jiff::SignedDuration::from_hours(80 * 24);
    let sample = prober.check(in_80_days).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "certificate expires in 9 days");
    assert_eq!(sample.at, in_80_days);
}

#[tokio::test]
async fn an_expired_certificate_fails_saying_how_long_ago() {
    let pki = Pki::new();
    let addr = serve_tls(pki.server(&["127.0.0.1"], -30, -3), None).await;
    let (sample, took) = probe(tls(addr, 14, Some(pki.ca_path()))).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "certificate expired 3 days ago");
    assert!(sample.evidence.cert_expires.is_some());
    assert!(took < BOUND, "took {took:?}");
}

#[tokio::test]
async fn a_self_signed_certificate_is_not_valid() {
    let pki = Pki::new();
    let addr = serve_tls(pki.self_signed_server(&["127.0.0.1"]), None).await;
    let (sample, _) = probe(tls(addr, 14, Some(pki.ca_path()))).await;
    assert!(!sample.ok);
    assert!(
        sample
            .reason
            .starts_with("certificate is not valid: it is not signed by a trusted authority"),
        "{}",
        sample.reason
    );
}

#[tokio::test]
async fn a_certificate_for_another_host_is_not_valid() {
    let pki = Pki::new();
    let addr = serve_tls(pki.server(&["other.example", "10.231.0.92"], -1, 90), None).await;
    let (sample, _) = probe(tls(addr, 14, Some(pki.ca_path()))).await;
    assert!(!sample.ok);
    assert_eq!(
        sample.reason,
        "certificate is not valid: it is for other.example, 10.231.0.92, not 127.0.0.1"
    );
}

#[tokio::test]
async fn without_the_private_ca_a_certificate_is_not_trusted() {
    let pki = Pki::new();
    let addr = serve_tls(pki.server(&["127.0.0.1"], -1, 90), None).await;
    let (sample, _) = probe(tls(addr, 14, None)).await;
    assert!(!sample.ok);
    assert!(
        sample.reason.starts_with("certificate is not valid"),
        "{}",
        sample.reason
    );
}

#[tokio::test]
async fn a_server_that_never_finishes_the_handshake_times_out() {
    let addr = serve(|mut stream| async move { hold(&mut stream).await }).await;
    let mut monitor = tls(addr, 14, None);
    monitor.timeout = Duration::from_secs(2);
    let (sample, took) = probe(monitor).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "timed out after 2 s");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(4),
        "took {took:?}"
    );
}

#[tokio::test]
async fn a_plain_http_server_is_reported_as_not_speaking_tls() {
    let addr = serve(|mut stream| async move {
        let _ = stream
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await;
        hold(&mut stream).await;
    })
    .await;
    let (sample, _) = probe(tls(addr, 14, None)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "the server did not speak TLS");
}

#[tokio::test]
async fn connection_refused_is_said_in_words() {
    let port = closed_port().await;
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    let (sample, _) = probe(tls(addr, 14, None)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "connection refused");
}

#[tokio::test]
async fn a_ca_file_without_certificates_is_a_setup_error() {
    let empty = tempfile::NamedTempFile::new().unwrap();
    let monitor = tls("127.0.0.1:1".parse().unwrap(), 14, Some(empty.path()));
    assert!(matches!(monitor.target, Target::Tls(_)));
    let err = Prober::new(&monitor).err().unwrap();
    assert!(matches!(err, Error::CaFile { .. }), "{err}");
}
