//! The Healthchecks, Gatus and Uptime Kuma stand-ins checked on their own, over real HTTP on
//! loopback, before any Klaxon test leans on them: if these pass, a failing source test is about
//! Klaxon. Each expectation is what the service's source says it answers (see the stand-ins'
//! module docs), not what a client would like to hear.

mod support;

use std::time::{Duration, UNIX_EPOCH};

use support::gatus::{Gatus, base64};
use support::healthchecks::{API_KEY, CheckState, Healthchecks, READ_ONLY_KEY, isostring};
use support::ntfy::http::send;
use support::uptime_kuma::{self, Monitor, MonitorStatus, UptimeKuma};

// ---- Healthchecks --------------------------------------------------------------------------

#[test]
fn healthchecks_lists_checks_with_their_state_for_a_read_write_key() {
    let hc = Healthchecks::start();
    let backup = hc.add_check("Nightly Backup", "prod db");
    hc.add_check("Cron", "");
    hc.set_state("Nightly Backup", CheckState::Down);

    let url = format!("{}/api/v3/checks/", hc.url());
    let reply = send("GET", &url, &[("X-Api-Key", API_KEY)], "");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let checks = reply.json()["checks"].as_array().unwrap().clone();
    assert_eq!(checks.len(), 2);
    let down = &checks[0];
    assert_eq!(down["name"], "Nightly Backup");
    assert_eq!(down["slug"], "nightly-backup");
    assert_eq!(down["tags"], "prod db");
    assert_eq!(down["status"], "down");
    assert_eq!(down["uuid"], backup.as_str());
    assert!(down["next_ping"].is_null(), "a down check has no next ping");
    assert!(down.get("unique_key").is_none());
    assert_eq!(down["grace"], 300);
    assert_eq!(down["timeout"], 3600);
    let up = &checks[1];
    assert_eq!(up["status"], "up");
    assert!(up["next_ping"].as_str().unwrap().ends_with("+00:00"));

    hc.ping("Nightly Backup");
    let reply = send("GET", &url, &[("X-Api-Key", API_KEY)], "");
    assert_eq!(reply.json()["checks"][0]["status"], "up");
}

#[test]
fn healthchecks_hides_secrets_from_a_read_only_key() {
    let hc = Healthchecks::start();
    hc.add_check("Backup", "");
    let url = format!("{}/api/v3/checks/", hc.url());
    let check = send("GET", &url, &[("X-Api-Key", READ_ONLY_KEY)], "").json()["checks"][0].clone();
    for secret in [
        "uuid",
        "ping_url",
        "update_url",
        "pause_url",
        "resume_url",
        "channels",
    ] {
        assert!(
            check.get(secret).is_none(),
            "{secret} shown to a read-only key"
        );
    }
    let unique = check["unique_key"].as_str().unwrap();
    assert_eq!(unique.len(), 40);
    let again = send("GET", &url, &[("X-Api-Key", READ_ONLY_KEY)], "").json();
    assert_eq!(
        again["checks"][0]["unique_key"], unique,
        "stable across calls"
    );
}

#[test]
fn healthchecks_refuses_a_missing_or_wrong_key_with_401() {
    let hc = Healthchecks::start();
    let url = format!("{}/api/v3/checks/", hc.url());
    let unknown = "x".repeat(32);
    for (headers, error) in [
        (vec![], "missing api key"),
        (vec![("X-Api-Key", "short")], "missing api key"),
        (vec![("X-Api-Key", unknown.as_str())], "wrong api key"),
    ] {
        let reply = send("GET", &url, &headers, "");
        assert_eq!(reply.status, 401);
        assert_eq!(reply.json()["error"], error);
    }
    let attempts = hc.attempts();
    assert_eq!(attempts.len(), 3);
    assert_eq!(attempts[1].api_key.as_deref(), Some("short"));
}

#[test]
fn healthchecks_filters_by_slug_and_every_tag_and_can_fail() {
    let hc = Healthchecks::start();
    hc.add_check("A", "prod db");
    hc.add_check("B", "prod");
    let url = |q: &str| format!("{}/api/v3/checks/{q}", hc.url());
    let names = |q: &str| -> Vec<String> {
        send("GET", &url(q), &[("X-Api-Key", API_KEY)], "").json()["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("?tag=prod"), ["A", "B"]);
    assert_eq!(names("?tag=prod&tag=db"), ["A"]);
    assert_eq!(names("?slug=b"), ["B"]);

    hc.fail_next(&[502]);
    assert_eq!(
        send("GET", &url(""), &[("X-Api-Key", API_KEY)], "").status,
        502
    );
    assert_eq!(
        send("GET", &url(""), &[("X-Api-Key", API_KEY)], "").status,
        200
    );
    assert_eq!(
        send("POST", &url(""), &[("X-Api-Key", API_KEY)], "{}").status,
        501
    );
}

#[test]
fn healthchecks_times_read_as_python_writes_them() {
    assert_eq!(isostring(UNIX_EPOCH), "1970-01-01T00:00:00+00:00");
    let t = UNIX_EPOCH + Duration::from_secs(1_585_058_523); // the docs' example
    assert_eq!(isostring(t), "2020-03-24T14:02:03+00:00");
    let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
    assert_eq!(isostring(leap), "2000-02-29T00:00:00+00:00");
}

// ---- Gatus ---------------------------------------------------------------------------------

#[test]
fn gatus_answers_each_endpoint_by_key_with_results_oldest_first() {
    let gatus = Gatus::start();
    let api = gatus.add_endpoint("Core", "API Health");
    let blog = gatus.add_endpoint("", "blog.example");
    assert_eq!(
        (api.as_str(), blog.as_str()),
        ("core_api-health", "_blog-example")
    );
    gatus.pass(&api);
    gatus.fail(&api);
    gatus.pass(&blog);

    let reply = send(
        "GET",
        &format!("{}/api/v1/endpoints/statuses", gatus.url()),
        &[],
        "",
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let statuses = reply.json();
    let statuses = statuses.as_array().unwrap();
    assert_eq!(statuses[0]["key"], "_blog-example", "sorted by key");
    assert!(
        statuses[0].get("group").is_none(),
        "an empty group is left out"
    );
    let api = &statuses[1];
    assert_eq!(
        (api["group"].as_str(), api["name"].as_str()),
        (Some("Core"), Some("API Health"))
    );
    let results = api["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[1]["success"], false, "the latest is last");
    assert_eq!(
        results[1]["conditionResults"][0]["condition"],
        "[STATUS] (503) == 200"
    );
    assert_eq!(results[1]["status"], 503);
    assert!(results[1]["timestamp"].as_str().unwrap().ends_with('Z'));
    assert!(results[1]["duration"].is_u64());
}

#[test]
fn gatus_pages_results_back_from_the_newest() {
    let gatus = Gatus::start();
    let key = gatus.add_endpoint("g", "e");
    for _ in 0..120 {
        gatus.pass(&key);
    }
    gatus.fail(&key);
    let count = |q: &str| {
        let url = format!("{}/api/v1/endpoints/statuses{q}", gatus.url());
        let body = send("GET", &url, &[], "").json();
        let results = body[0]["results"].as_array().unwrap().clone();
        (results.len(), results.last().map(|r| r["success"].clone()))
    };
    assert_eq!(
        count(""),
        (50, Some(false.into())),
        "page 1 of 50 holds the newest"
    );
    assert_eq!(
        count("?pageSize=1000"),
        (100, Some(false.into())),
        "at most 100 kept"
    );
    assert_eq!(count("?page=2&pageSize=50").0, 50);
    assert_eq!(
        count("?page=3&pageSize=50").0,
        0,
        "100 kept, so page 3 is empty"
    );
}

#[test]
fn gatus_behind_basic_auth_answers_401_without_it() {
    let gatus = Gatus::start();
    gatus.require_basic_auth("admin", "s3cret");
    let url = format!("{}/api/v1/endpoints/statuses", gatus.url());
    let reply = send("GET", &url, &[], "");
    assert_eq!((reply.status, reply.body.as_str()), (401, "Unauthorized"));
    assert_eq!(reply.header("www-authenticate"), Some("Basic"));
    let auth = format!("Basic {}", base64("admin:s3cret"));
    assert_eq!(
        send("GET", &url, &[("Authorization", &auth)], "").status,
        200
    );

    gatus.fail_next(&[500]);
    assert_eq!(
        send("GET", &url, &[("Authorization", &auth)], "").status,
        500
    );
    assert_eq!(gatus.requests(), 3);
}

// ---- Uptime Kuma ---------------------------------------------------------------------------

#[test]
fn uptime_kuma_writes_monitor_status_as_prom_client_does() {
    let kuma = UptimeKuma::start_without_auth();
    kuma.add_http("Checkout", "https://shop.example/checkout");
    kuma.add(Monitor {
        id: 0,
        name: "Say \"hi\"\\now".into(),
        kind: "port".into(),
        url: "https://".into(),
        hostname: Some("db.internal".into()),
        port: Some(5432),
        tags: vec![("env!".into(), "prod".into())],
        status: None,
    });
    let url = format!("{}/metrics", kuma.url());
    let reply = send("GET", &url, &[], "");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert!(reply.body.contains("# TYPE monitor_status gauge\n"));
    assert!(
        reply.body.contains(
            "monitor_status{monitor_id=\"1\",monitor_name=\"Checkout\",monitor_type=\"http\",monitor_url=\"https://shop.example/checkout\",monitor_hostname=\"null\",monitor_port=\"null\"} 1\n"
        ),
        "{}",
        reply.body
    );
    assert!(
        !reply.body.contains("db.internal"),
        "no heartbeat, no sample"
    );

    kuma.set_status("Say \"hi\"\\now", MonitorStatus::Down);
    kuma.set_status("Checkout", MonitorStatus::Maintenance);
    let body = send("GET", &url, &[], "").body;
    assert!(
        body.contains(
            "monitor_status{env=\"prod\",monitor_id=\"2\",monitor_name=\"Say \\\"hi\\\"\\\\now\",monitor_type=\"port\",monitor_url=\"https://\",monitor_hostname=\"db.internal\",monitor_port=\"5432\"} 0\n"
        ),
        "{body}"
    );
    assert!(body.contains("monitor_name=\"Checkout\",monitor_type=\"http\",monitor_url=\"https://shop.example/checkout\",monitor_hostname=\"null\",monitor_port=\"null\"} 3\n"));

    kuma.remove("Checkout");
    assert!(!send("GET", &url, &[], "").body.contains("Checkout"));
}

#[test]
fn uptime_kuma_wants_the_api_key_as_the_basic_auth_password() {
    let kuma = UptimeKuma::start_with_api_key();
    kuma.add_http("API", "https://api.example");
    let url = format!("{}/metrics", kuma.url());

    let reply = send("GET", &url, &[], "");
    assert_eq!((reply.status, reply.body.as_str()), (401, ""));
    assert_eq!(reply.header("www-authenticate"), Some("Basic"));

    let wrong = format!("Basic {}", base64(":uk1_wrong"));
    assert_eq!(
        send("GET", &url, &[("Authorization", &wrong)], "").status,
        401
    );

    for user in ["", "anyone"] {
        let auth = format!(
            "Basic {}",
            base64(&format!("{user}:{}", uptime_kuma::API_KEY))
        );
        let reply = send("GET", &url, &[("Authorization", &auth)], "");
        assert_eq!(reply.status, 200, "the user ({user:?}) is not read");
        assert!(reply.body.contains("monitor_name=\"API\""));
    }
    assert_eq!(
        send(
            "GET",
            &format!("{}/api/badge/1/status", kuma.url()),
            &[],
            ""
        )
        .status,
        501
    );
    assert_eq!(kuma.requests(), 5);
}
