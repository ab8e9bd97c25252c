//! The HTTP(S) probe against hand-written servers on 127.0.0.1, well-behaved and hostile. Each
//! failure must come back as a sample whose reason a person understands, within the timeout
//! (plus a generous margin for a busy CI machine).

mod support;

use std::time::Duration;

use jiff::Timestamp;
use klaxon_core::Error;
use klaxon_core::domain::monitor::{Sample, StatusRange};
use klaxon_core::probe::Prober;
use serde_json::json;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TIMEOUT: Duration = Duration::from_secs(2);
/// The timeout, one second of grace, and room for a slow CI machine.
const BOUND: Duration = Duration::from_secs(4);

async fn probe(monitor: klaxon_core::domain::monitor::Monitor) -> (Sample, Duration) {
    let prober = Prober::new(&monitor).unwrap();
    timed(prober.check(Timestamp::now())).await
}

fn url(addr: std::net::SocketAddr, path: &str) -> String {
    format!("http://{addr}{path}")
}

#[tokio::test]
async fn a_healthy_endpoint_is_up_with_status_and_latency_in_the_reason() {
    let addr = serve_response(response("200 OK", &[], "ok")).await;
    let (sample, _) = probe(http(http_check(&url(addr, "/health")), TIMEOUT)).await;
    assert!(sample.ok, "{sample:?}");
    assert!(
        sample.reason.starts_with("HTTP 200 OK in "),
        "{}",
        sample.reason
    );
    assert_eq!(sample.evidence.status, Some(200));
    assert_eq!(sample.evidence.body_excerpt.as_deref(), Some("ok"));
    assert_eq!(sample.evidence.remote, Some(addr.to_string()));
    assert!(sample.latency < TIMEOUT);
}

#[tokio::test]
async fn a_bad_gateway_is_down_with_the_status_in_words_and_the_body_as_evidence() {
    let addr = serve_response(response("502 Bad Gateway", &[], "upstream is down")).await;
    let (sample, _) = probe(http(http_check(&url(addr, "/")), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "HTTP 502 Bad Gateway");
    assert_eq!(sample.evidence.status, Some(502));
    assert_eq!(
        sample.evidence.body_excerpt.as_deref(),
        Some("upstream is down")
    );
}

#[tokio::test]
async fn a_custom_status_range_accepts_its_codes_and_says_what_it_expected() {
    let addr = serve_with(|head| {
        if head.starts_with("GET /gone ") {
            response("404 Not Found", &[], "")
        } else {
            response("200 OK", &[], "")
        }
    })
    .await;
    let mut check = http_check(&url(addr, "/gone"));
    check.expect.status = StatusRange {
        low: 404,
        high: 404,
    };
    let (sample, _) = probe(http(check.clone(), TIMEOUT)).await;
    assert!(sample.ok, "{sample:?}");

    check.url = url(addr, "/here").parse().unwrap();
    let (sample, _) = probe(http(check, TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "HTTP 200 OK, expected 404");
}

#[tokio::test]
async fn method_headers_body_and_user_agent_reach_the_server() {
    let addr = serve(|mut stream| async move {
        let head = read_head(&mut stream).await.to_ascii_lowercase();
        let mut body = [0u8; 4];
        let _ = stream.read_exact(&mut body).await;
        let good = head.starts_with("post /hook ")
            && head.contains("x-token: abc")
            && head.contains("user-agent: klaxon/")
            && &body == b"ping";
        let answer = if good {
            response("200 OK", &[], "")
        } else {
            response("400 Bad Request", &[], "")
        };
        let _ = stream.write_all(answer.as_bytes()).await;
    })
    .await;
    let mut check = http_check(&url(addr, "/hook"));
    check.method = "post".into();
    check.headers = vec![("X-Token".into(), "abc".into())];
    check.body = Some("ping".into());
    let (sample, _) = probe(http(check, TIMEOUT)).await;
    assert!(sample.ok, "{sample:?}");
}

#[tokio::test]
async fn missing_and_forbidden_body_text_are_reported_in_quotes() {
    let addr = serve_response(response("200 OK", &[], "status: error")).await;
    let mut check = http_check(&url(addr, "/"));
    check.expect.body_contains = Some("ok".into());
    let (sample, _) = probe(http(check.clone(), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "body did not contain \"ok\"");

    check.expect.body_contains = None;
    check.expect.body_not_contains = Some("error".into());
    let (sample, _) = probe(http(check, TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "body contained \"error\"");
}

#[tokio::test]
async fn a_json_field_is_checked_by_dotted_path_or_pointer() {
    let body = r#"{"status":"degraded","checks":{"db":true}}"#;
    let addr = serve_response(response("200 OK", &[], body)).await;
    let mut check = http_check(&url(addr, "/"));
    check.expect.json = Some(("status".into(), json!("ok")));
    let (sample, _) = probe(http(check.clone(), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(
        sample.reason,
        "JSON field status was \"degraded\", expected \"ok\""
    );

    check.expect.json = Some(("/checks/db".into(), json!(true)));
    let (sample, _) = probe(http(check.clone(), TIMEOUT)).await;
    assert!(sample.ok, "{sample:?}");

    check.expect.json = Some(("checks.cache".into(), json!(true)));
    let (sample, _) = probe(http(check, TIMEOUT)).await;
    assert_eq!(sample.reason, "JSON field checks.cache is missing");
}

#[tokio::test]
async fn a_slow_answer_fails_the_latency_limit_with_both_durations() {
    let addr = serve(|mut stream| async move {
        read_head(&mut stream).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let _ = stream
            .write_all(response("200 OK", &[], "ok").as_bytes())
            .await;
    })
    .await;
    let mut check = http_check(&url(addr, "/"));
    check.expect.max_latency = Some(Duration::from_millis(100));
    let (sample, _) = probe(http(check, TIMEOUT)).await;
    assert!(!sample.ok);
    assert!(sample.reason.starts_with("took "), "{}", sample.reason);
    assert!(
        sample.reason.ends_with(" ms, more than the 100 ms allowed"),
        "{}",
        sample.reason
    );
}

#[tokio::test]
async fn connection_refused_is_said_in_words() {
    let port = closed_port().await;
    let (sample, _) = probe(http(
        http_check(&format!("http://127.0.0.1:{port}/")),
        TIMEOUT,
    ))
    .await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "connection refused");
}

#[tokio::test]
async fn redirects_are_followed_to_the_final_answer() {
    let addr = serve_with(|head| {
        if head.starts_with("GET /old ") {
            response("301 Moved Permanently", &[("Location", "/new")], "")
        } else {
            response("200 OK", &[], "new home")
        }
    })
    .await;
    let (sample, _) = probe(http(http_check(&url(addr, "/old")), TIMEOUT)).await;
    assert!(sample.ok, "{sample:?}");
    assert_eq!(sample.evidence.body_excerpt.as_deref(), Some("new home"));
}

// ---------------------------------------------------------------------------------------------
// Hostile endpoints

#[tokio::test]
async fn gigabyte_body_fails_with_a_clear_reason_and_bounded_time() {
    // Declares a gigabyte and starts sending it.
    let addr = serve(|mut stream| async move {
        read_head(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n";
        let _ = stream.write_all(head.as_bytes()).await;
        let chunk = vec![b'x'; 64 * 1024];
        while stream.write_all(&chunk).await.is_ok() {}
    })
    .await;
    let (sample, took) = probe(http(http_check(&url(addr, "/")), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "response body larger than 1 MiB");
    assert!(took < BOUND, "took {took:?}");
}

#[tokio::test]
async fn endless_chunked_body_is_cut_at_the_cap_without_being_kept() {
    // No declared length: the probe must stream and stop at the cap.
    let addr = serve(|mut stream| async move {
        read_head(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        let _ = stream.write_all(head.as_bytes()).await;
        let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
        chunk.extend(std::iter::repeat_n(b'y', 64 * 1024));
        chunk.extend_from_slice(b"\r\n");
        while stream.write_all(&chunk).await.is_ok() {}
    })
    .await;
    let (sample, took) = probe(http(http_check(&url(addr, "/")), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "response body larger than 1 MiB");
    assert!(took < BOUND, "took {took:?}");
    // Only an excerpt is kept as evidence.
    let excerpt = sample.evidence.body_excerpt.unwrap();
    assert!(excerpt.chars().count() <= 301, "{}", excerpt.len());
}

#[tokio::test]
async fn a_body_that_drips_a_byte_a_second_times_out_within_the_limit() {
    let addr = serve(|mut stream| async move {
        read_head(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
        let _ = stream.write_all(head.as_bytes()).await;
        loop {
            if stream.write_all(b".").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let (sample, took) = probe(http(http_check(&url(addr, "/")), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "timed out after 2 s while reading the body");
    assert_eq!(sample.evidence.status, Some(200));
    assert!(took >= TIMEOUT && took < BOUND, "took {took:?}");
}

#[tokio::test]
async fn a_server_that_accepts_and_never_answers_times_out() {
    let addr = serve(|mut stream| async move { hold(&mut stream).await }).await;
    let (sample, took) = probe(http(http_check(&url(addr, "/")), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "timed out after 2 s");
    assert!(took >= TIMEOUT && took < BOUND, "took {took:?}");
}

#[tokio::test]
async fn a_redirect_loop_fails_with_too_many_redirects() {
    let addr = serve_response(response("302 Found", &[("Location", "/loop")], "")).await;
    let mut check = http_check(&url(addr, "/loop"));
    check.max_redirects = 3;
    let (sample, took) = probe(http(check, TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "too many redirects (more than 3)");
    assert!(took < BOUND, "took {took:?}");
}

#[tokio::test]
async fn garbage_instead_of_http_is_reported_as_not_http() {
    // What you get when a monitor points at the SSH port.
    let addr = serve(|mut stream| async move {
        let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.6\r\n").await;
        hold(&mut stream).await;
    })
    .await;
    let (sample, took) = probe(http(http_check(&url(addr, "/")), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "the server did not speak HTTP");
    assert!(took < BOUND, "took {took:?}");
}

#[tokio::test]
async fn garbage_in_answer_to_the_request_is_reported_as_not_http() {
    let addr = serve(|mut stream| async move {
        read_head(&mut stream).await;
        let _ = stream.write_all(b"\x00\x01 hello? \r\n\r\n").await;
        hold(&mut stream).await;
    })
    .await;
    let (sample, took) = probe(http(http_check(&url(addr, "/")), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "the server did not speak HTTP");
    assert!(took < BOUND, "took {took:?}");
}

#[tokio::test]
async fn a_reset_connection_is_reported_as_reset() {
    let addr = serve(|mut stream| async move {
        read_head(&mut stream).await;
        // SO_LINGER 0: closing sends RST instead of FIN.
        stream.set_zero_linger().unwrap();
        drop(stream);
    })
    .await;
    let (sample, took) = probe(http(http_check(&url(addr, "/")), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "connection reset");
    assert!(took < BOUND, "took {took:?}");
}

#[tokio::test]
async fn a_server_that_hangs_up_without_answering_is_reported() {
    let addr = serve(|mut stream| async move {
        read_head(&mut stream).await;
        let _ = stream.shutdown().await;
    })
    .await;
    let (sample, _) = probe(http(http_check(&url(addr, "/")), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(
        sample.reason,
        "the server closed the connection without a complete answer"
    );
}

// ---------------------------------------------------------------------------------------------
// HTTPS

fn https(addr: std::net::SocketAddr, pki: Option<&Pki>) -> klaxon_core::domain::monitor::HttpCheck {
    let mut check = http_check(&format!("https://{addr}/"));
    check.ca_file = pki.map(|p| p.ca_path().to_path_buf());
    check
}

#[tokio::test]
async fn https_through_a_private_ca_is_up_and_records_the_certificate_expiry() {
    let pki = Pki::new();
    let server = pki.server(&["localhost", "127.0.0.1"], -1, 90);
    let addr = serve_tls(server, Some(response("200 OK", &[], "ok"))).await;
    let (sample, _) = probe(http(https(addr, Some(&pki)), TIMEOUT)).await;
    assert!(sample.ok, "{sample:?}");
    let expires = sample.evidence.cert_expires.expect("certificate expiry");
    let days = (expires.as_second() - Timestamp::now().as_second()) / 86_400;
    assert_eq!(days, 89);
}

#[tokio::test]
async fn https_with_an_expired_certificate_says_how_long_ago() {
    let pki = Pki::new();
    let addr = serve_tls(pki.server(&["127.0.0.1"], -30, -3), None).await;
    let (sample, took) = probe(http(https(addr, Some(&pki)), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "certificate expired 3 days ago");
    assert!(sample.evidence.cert_expires.is_some());
    assert!(took < BOUND, "took {took:?}");
}

#[tokio::test]
async fn https_with_a_self_signed_certificate_is_not_valid() {
    let pki = Pki::new();
    let addr = serve_tls(pki.self_signed_server(&["127.0.0.1"]), None).await;
    let (sample, _) = probe(http(https(addr, Some(&pki)), TIMEOUT)).await;
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
async fn https_with_a_certificate_for_another_host_is_not_valid() {
    let pki = Pki::new();
    let addr = serve_tls(pki.server(&["other.example"], -1, 90), None).await;
    let (sample, _) = probe(http(https(addr, Some(&pki)), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(
        sample.reason,
        "certificate is not valid: it is for other.example, not 127.0.0.1"
    );
}

#[tokio::test]
async fn verify_tls_off_accepts_a_self_signed_certificate() {
    let pki = Pki::new();
    let server = pki.self_signed_server(&["127.0.0.1"]);
    let addr = serve_tls(server, Some(response("200 OK", &[], "ok"))).await;
    let mut check = https(addr, None);
    check.verify_tls = false;
    let (sample, _) = probe(http(check, TIMEOUT)).await;
    assert!(sample.ok, "{sample:?}");
}

#[tokio::test]
async fn https_to_a_plain_http_server_says_it_is_not_tls() {
    // A plain server answers the ClientHello with an HTTP error page.
    let addr = serve(|mut stream| async move {
        let answer = response("400 Bad Request", &[], "plain http");
        let _ = stream.write_all(answer.as_bytes()).await;
        hold(&mut stream).await;
    })
    .await;
    let (sample, _) = probe(http(https(addr, None), TIMEOUT)).await;
    assert!(!sample.ok);
    assert_eq!(sample.reason, "the server did not speak TLS");
}

#[tokio::test]
async fn an_unusable_ca_file_is_a_setup_error_naming_the_file() {
    let mut check = https("127.0.0.1:1".parse().unwrap(), None);
    check.ca_file = Some("/nonexistent/klaxon-ca.pem".into());
    let err = Prober::new(&http(check.clone(), TIMEOUT)).err().unwrap();
    assert!(matches!(err, Error::CaFile { .. }), "{err}");
    assert!(
        err.to_string().contains("/nonexistent/klaxon-ca.pem"),
        "{err}"
    );

    let not_pem = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(not_pem.path(), "hello").unwrap();
    check.ca_file = Some(not_pem.path().into());
    let err = Prober::new(&http(check, TIMEOUT)).err().unwrap();
    assert!(err.to_string().contains("no PEM certificate"), "{err}");
}
