use serde_json::{Value, json};

use super::*;

/// A check as `Check.to_dict(readonly=False, v=3)` writes it (the docs' example, trimmed).
fn check(name: &str, status: &str) -> Value {
    json!({
        "name": name,
        "slug": name.to_lowercase().replace(' ', "-"),
        "tags": "production db",
        "desc": "Runs ~/db-backup.sh",
        "grace": 1200,
        "n_pings": 7,
        "status": status,
        "started": false,
        "last_ping": "2020-03-23T10:19:32+00:00",
        "next_ping": null,
        "manual_resume": false,
        "methods": "",
        "badge_url": "https://hc.example/b/2/7d3ab93d.svg",
        "uuid": format!("803f680d-e89b-492b-82ef-{:012x}", name.len()),
        "ping_url": "https://hc-ping.com/803f680d-e89b-492b-82ef-2be7b774a92d",
        "update_url": "https://hc.example/api/v3/checks/803f680d",
        "channels": "1bdea468-03bf-47b8-ab27-29a9dd0e4b94",
        "schedule": "15 5 * * *",
        "tz": "UTC"
    })
}

fn answer(checks: Vec<Value>) -> String {
    json!({ "checks": checks }).to_string()
}

#[test]
fn only_checks_that_are_down_are_alerts() {
    let body = answer(
        ["new", "up", "grace", "paused", "started", "down"]
            .iter()
            .map(|s| check(&format!("check {s}"), s))
            .collect(),
    );
    let alerts = read(&body).unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let a = &alerts[0];
    assert_eq!(a.title, "check down");
    assert_eq!(a.key, "803f680d-e89b-492b-82ef-00000000000a");
    assert_eq!(
        a.reason,
        "Healthchecks says down — last ping 2020-03-23 10:19 UTC; expected on \"15 5 * * *\" (UTC), 20 min grace"
    );
    assert_eq!(a.since, None, "a flipped check does not say when");
    let label = |k: &str| {
        a.labels
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(label("tags"), Some("production db"));
    assert_eq!(label("slug"), Some("check-down"));
    assert_eq!(label("service"), Some("Healthchecks"));
    assert!(
        a.labels.iter().all(|(_, v)| !v.contains("hc-ping.com")),
        "the ping URL is a credential of sorts and is never kept"
    );
}

#[test]
fn a_read_only_key_answer_is_keyed_by_unique_key_and_stable() {
    let mut c = check("Database Backup", "down");
    let o = c.as_object_mut().unwrap();
    for k in ["uuid", "ping_url", "update_url", "channels"] {
        o.remove(k);
    }
    o.insert(
        "unique_key".into(),
        json!("124f983e0e3dcaeba921cfcef46efd084576e783"),
    );
    let body = answer(vec![c]);
    let first = read(&body).unwrap();
    assert_eq!(first[0].key, "124f983e0e3dcaeba921cfcef46efd084576e783");
    assert_eq!(
        read(&body).unwrap(),
        first,
        "the same answer, the same alert"
    );
}

#[test]
fn a_check_not_yet_flipped_says_when_it_went_down() {
    // Healthchecks computes "down" before its alert loop flips the stored status; until then
    // next_ping still says when the grace began.
    let mut c = check("Simple", "down");
    let o = c.as_object_mut().unwrap();
    o.remove("schedule");
    o.remove("tz");
    o.insert("timeout".into(), json!(3600));
    o.insert("next_ping".into(), json!("2020-03-23T11:19:32+00:00"));
    let a = &read(&answer(vec![c])).unwrap()[0];
    assert_eq!(
        a.since,
        Some("2020-03-23T11:39:32Z".parse().unwrap()),
        "grace start + 20 min"
    );
    assert!(
        a.reason.ends_with("expected every 1 h, 20 min grace"),
        "{}",
        a.reason
    );
}

#[test]
fn a_check_never_pinged_or_without_a_name_still_reads() {
    let mut c = check("", "down");
    let o = c.as_object_mut().unwrap();
    o.insert("last_ping".into(), Value::Null);
    o.insert("slug".into(), json!(""));
    let a = &read(&answer(vec![c])).unwrap()[0];
    assert_eq!(a.title, "unnamed check");
    assert!(a.reason.contains("never pinged"), "{}", a.reason);
}

#[test]
fn an_answer_that_is_not_the_checks_list_is_a_clear_error() {
    for body in [
        "",
        "<html>login</html>",
        "{\"checks\": [",
        "[]",
        "{\"error\": \"wrong api key\"}",
        "{\"checks\": {}}",
        "{\"checks\": [{\"name\": 5, \"status\": \"down\"}]}",
        "{\"checks\": [{\"name\": \"x\", \"status\": \"down\", \"grace\": \"ten\"}]}",
    ] {
        let err = read(body).unwrap_err();
        assert!(
            err.starts_with("the Healthchecks server's answer was not understood"),
            "{body:?}: {err}"
        );
    }
}

#[test]
fn hostile_names_are_bounded_and_a_bad_time_is_not_a_failure() {
    let mut c = check("x", "down");
    let o = c.as_object_mut().unwrap();
    o.insert(
        "name".into(),
        json!(format!("\u{1b}[31m{}\u{202e}", "n".repeat(1 << 20))),
    );
    o.insert("tags".into(), json!("t ".repeat(100_000)));
    o.insert("uuid".into(), json!("u".repeat(100_000)));
    o.insert("last_ping".into(), json!("yesterday\n"));
    o.insert("next_ping".into(), json!("soon"));
    let a = &read(&answer(vec![c])).unwrap()[0];
    assert!(
        a.title.len() <= 200 && a.key.len() <= 256,
        "{}",
        a.title.len()
    );
    assert!(a.labels.iter().all(|(_, v)| v.len() <= 256));
    assert!(a.reason.contains("not understood"), "{}", a.reason);
    assert_eq!(a.since, None);
}

#[test]
fn many_checks_in_a_large_answer_are_read_without_trouble() {
    let checks: Vec<Value> = (0..3000).map(|i| check(&format!("c{i}"), "down")).collect();
    let body = answer(checks);
    assert!(body.len() > 1 << 20);
    assert_eq!(
        read(&body).unwrap().len(),
        3000,
        "sources::poll takes the first 500"
    );
}

#[tokio::test]
async fn the_key_goes_in_x_api_key_and_a_refusal_names_the_key() {
    let (url, request) = crate::test_servers::serve_once(
        "401 Unauthorized",
        "application/json",
        "{\"error\": \"wrong api key\"}",
    )
    .await;
    let err = poll(
        &reqwest::Client::new(),
        &format!("{url}/"),
        "k".repeat(32).as_str(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        "the Healthchecks server answered HTTP 401 — check the API key or token"
    );
    let request = request.await.unwrap();
    assert!(
        request.starts_with("GET /api/v3/checks/ HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(
        request
            .to_lowercase()
            .contains(&format!("x-api-key: {}\r\n", "k".repeat(32))),
        "{request}"
    );
}
