use serde_json::{Value, json};

use super::*;

/// A result as Gatus marshals `endpoint.Result`.
fn result(success: bool, at: &str) -> Value {
    let mut r = json!({
        "status": if success { 200 } else { 502 },
        "hostname": "api.example.org",
        "duration": 123_456_789,
        "conditionResults": [
            {"condition": if success { "[STATUS] == 200" } else { "[STATUS] (502) == 200" }, "success": success},
            {"condition": "[RESPONSE_TIME] (123) < 500", "success": true}
        ],
        "success": success,
        "timestamp": at
    });
    if !success {
        r["errors"] = json!(["read tcp 10.0.0.2:443: connection reset by peer"]);
    }
    r
}

fn endpoint(group: &str, name: &str, results: Vec<Value>) -> Value {
    json!({
        "name": name,
        "group": group,
        "key": format!("{group}_{name}"),
        "results": results
    })
}

#[test]
fn an_endpoint_whose_latest_result_failed_is_an_alert_since_its_streak_began() {
    let body = json!([
        endpoint("core", "api", vec![
            result(false, "2026-12-01T02:00:00Z"),
            result(true, "2026-12-01T02:01:00.5Z"),
            result(false, "2026-12-01T02:02:00.123456789Z"),
            result(false, "2026-12-01T02:03:00+01:00"),
        ]),
        endpoint("core", "blog", vec![result(false, "2026-12-01T02:00:00Z"), result(true, "2026-12-01T02:01:00Z")]),
        endpoint("", "docs", vec![]),
        {"name": "new", "key": "_new", "results": null},
    ])
    .to_string();
    let alerts = read(&body).unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let a = &alerts[0];
    assert_eq!(a.key, "core_api");
    assert_eq!(a.title, "core/api");
    assert_eq!(
        a.reason,
        "Gatus says: read tcp 10.0.0.2:443: connection reset by peer; [STATUS] (502) == 200"
    );
    assert_eq!(
        a.since,
        Some("2026-12-01T02:02:00.123456789Z".parse().unwrap())
    );
    let label = |k: &str| {
        a.labels
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(label("failing_results"), Some("2"));
    assert_eq!(label("http_status"), Some("502"));
    assert_eq!(label("hostname"), Some("api.example.org"));
    assert_eq!(
        read(&body).unwrap(),
        alerts,
        "the same answer, the same alert"
    );
}

#[test]
fn an_ungrouped_endpoint_is_titled_by_its_name_and_a_bare_failure_still_says_so() {
    let body = json!([{
        "name": "ping", "key": "_ping",
        "results": [{"success": false, "duration": 0, "timestamp": "2026-12-01T02:00:00Z"}]
    }])
    .to_string();
    let a = &read(&body).unwrap()[0];
    assert_eq!((a.title.as_str(), a.key.as_str()), ("ping", "_ping"));
    assert_eq!(a.reason, "Gatus says the latest check failed");
    assert_eq!(a.since, Some("2026-12-01T02:00:00Z".parse().unwrap()));
}

#[test]
fn an_unhealthy_event_says_when_a_streak_longer_than_the_page_began() {
    let mut e = endpoint("core", "api", vec![result(false, "2026-12-01T02:00:00Z")]);
    e["events"] = json!([
        {"type": "START", "timestamp": "2026-11-30T00:00:00Z"},
        {"type": "UNHEALTHY", "timestamp": "2026-12-01T01:00:00Z"}
    ]);
    let a = &read(&json!([e]).to_string()).unwrap()[0];
    assert_eq!(a.since, Some("2026-12-01T01:00:00Z".parse().unwrap()));
}

#[test]
fn an_answer_gatus_would_not_give_is_a_clear_error() {
    for body in [
        "",
        "{}",
        "<!doctype html>",
        "[{\"key\": \"a\", \"results\": [{\"success\": \"no\"}]}]",
        "[{\"key\": \"a\", \"results\": [{}]}]",
        "[{\"key\": 7}]",
        "[1, 2]",
    ] {
        let err = read(body).unwrap_err();
        assert!(
            err.starts_with("the Gatus server's answer was not understood"),
            "{body:?}: {err}"
        );
    }
}

#[test]
fn hostile_texts_are_bounded() {
    let huge = format!("\u{7}\u{1b}]0;owned\u{7}{}", "x".repeat(1 << 20));
    let body = json!([{
        "name": huge, "group": huge, "key": huge,
        "results": [{
            "success": false, "timestamp": "not a time",
            "errors": vec![huge.clone(); 3],
            "conditionResults": vec![json!({"condition": huge, "success": false}); 1000]
        }]
    }])
    .to_string();
    let a = &read(&body).unwrap()[0];
    assert!(a.key.len() <= 256 && a.title.len() <= 200 && a.reason.len() <= 1000);
    assert!(
        a.labels
            .iter()
            .all(|(k, v)| k.len() <= 256 && v.len() <= 256)
    );
    assert_eq!(a.since, None);
}

#[test]
fn a_thousand_endpoints_read_in_one_answer() {
    let endpoints: Vec<Value> = (0..1000)
        .map(|i| {
            endpoint(
                "g",
                &format!("e{i}"),
                vec![result(i % 2 == 0, "2026-12-01T02:00:00Z")],
            )
        })
        .collect();
    let alerts = read(&Value::Array(endpoints).to_string()).unwrap();
    assert_eq!(alerts.len(), 500, "every other endpoint fails");
    assert_eq!(alerts[0].key, "g_e1");
}
