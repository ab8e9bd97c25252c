//! The DNS probe against an in-memory authoritative server on 127.0.0.1 (hickory-server).

mod support;

use std::time::Duration;

use jiff::Timestamp;
use klaxon_core::domain::monitor::{RecordKind, Sample};
use klaxon_core::probe::Prober;
use support::*;

async fn probe(monitor: klaxon_core::domain::monitor::Monitor) -> (Sample, Duration) {
    let prober = Prober::new(&monitor).unwrap();
    timed(prober.check(Timestamp::now())).await
}

#[tokio::test]
async fn an_expected_address_in_the_answer_is_up_and_every_answer_is_kept() {
    let server = dns_server().await;
    let monitor = dns("app.klaxon.test", RecordKind::A, &["127.0.0.2"], server);
    let (sample, _) = probe(monitor).await;
    assert!(sample.ok, "{sample:?}");
    assert!(
        sample
            .reason
            .starts_with("resolved to 127.0.0.2, 127.0.0.3 in "),
        "{}",
        sample.reason
    );
    let mut records = sample.evidence.records.clone();
    records.sort();
    assert_eq!(records, ["127.0.0.2", "127.0.0.3"]);
    assert_eq!(sample.evidence.remote, Some(server.to_string()));
}

#[tokio::test]
async fn a_missing_expected_address_says_what_came_back() {
    let server = dns_server().await;
    let monitor = dns("app.klaxon.test", RecordKind::A, &["10.231.0.91"], server);
    let (sample, _) = probe(monitor).await;
    assert!(!sample.ok);
    assert!(
        sample
            .reason
            .starts_with("app.klaxon.test did not resolve to 10.231.0.91 (got 127.0.0."),
        "{}",
        sample.reason
    );
}

#[tokio::test]
async fn a_name_without_that_record_type_has_no_records() {
    let server = dns_server().await;
    let (sample, _) = probe(dns("app.klaxon.test", RecordKind::Aaaa, &[], server)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "no AAAA records for app.klaxon.test");
}

#[tokio::test]
async fn a_name_that_does_not_exist_says_so() {
    let server = dns_server().await;
    let (sample, _) = probe(dns("nope.klaxon.test", RecordKind::A, &[], server)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "nope.klaxon.test does not exist (NXDOMAIN)");
}

#[tokio::test]
async fn expected_values_ignore_case_trailing_dots_and_address_spelling() {
    let server = dns_server().await;
    let cases = [
        ("www.klaxon.test", RecordKind::Cname, "APP.klaxon.test"),
        ("klaxon.test", RecordKind::Mx, "mail.klaxon.test."),
        ("klaxon.test", RecordKind::Mx, "10 mail.klaxon.test"),
        ("klaxon.test", RecordKind::Txt, "v=spf1 -all"),
        ("klaxon.test", RecordKind::Ns, "ns1.klaxon.test"),
        ("v6.klaxon.test", RecordKind::Aaaa, "0:0:0:0:0:0:0:1"),
    ];
    for (name, kind, expected) in cases {
        let (sample, _) = probe(dns(name, kind, &[expected], server)).await;
        assert!(sample.ok, "{name} {kind:?} {expected}: {sample:?}");
        assert!(!sample.evidence.records.is_empty());
    }
}

#[tokio::test]
async fn a_dns_server_that_never_answers_fails_within_the_timeout() {
    let (server, _socket) = silent_dns_server().await;
    let (sample, took) = probe(dns("app.klaxon.test", RecordKind::A, &[], server)).await;
    assert!(!sample.ok);
    assert!(
        sample.reason.starts_with("the DNS server did not answer"),
        "{}",
        sample.reason
    );
    // The monitor's timeout is 2 s.
    assert!(took < Duration::from_secs(4), "took {took:?}");
}
