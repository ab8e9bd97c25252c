//! Healthchecks, Gatus and Uptime Kuma as sources, each read by the real `klaxon run` from
//! its loopback stand-in: a check that goes down rings under the source's name, one that comes
//! back is resolved once acknowledged; and an ntfy topic read while Klaxon was stopped still
//! rings when it starts again.

mod support;

use std::time::Duration;

use support::gatus::Gatus;
use support::healthchecks::{CheckState, Healthchecks, READ_ONLY_KEY};
use support::ntfy::Ntfy;
use support::uptime_kuma::{API_KEY, MonitorStatus, UptimeKuma};
use support::{Home, closed_port, fast_config};

fn config(table: &str) -> String {
    format!("{}{table}", fast_config(closed_port(), ""))
}

fn no_incidents(s: &serde_json::Value) -> bool {
    s["incidents"].as_array().is_some_and(|i| i.is_empty())
}

/// Down → ringing with `title`; acknowledged; `fix` → resolved.
fn rings_then_resolves(home: &Home, title: &str, source: &str, fix: impl FnOnce()) {
    let status = home.wait_status("ringing", |s| s["incidents"][0]["state"] == "ringing");
    assert_eq!(status["incidents"][0]["monitor"], title, "{status:#}");
    assert_eq!(status["incidents"][0]["source"], source);
    home.cmd().arg("ack").assert().success();
    fix();
    home.wait_status("resolved", no_incidents);
}

#[test]
fn a_healthchecks_check_that_goes_down_rings_and_resolves_when_it_is_up() {
    let hc = Healthchecks::start();
    hc.add_check("nightly-backup", "prod");
    hc.add_check("cron-cleanup", "");
    let home = Home::new(&config(&format!(
        "[[source]]\nname = \"cron\"\nhealthchecks = \"{}\"\napi_key = \"{READ_ONLY_KEY}\"\nevery = \"5s\"\n",
        hc.url()
    )));
    let _running = home.run();
    home.wait_status("read", |s| s["sources"][0]["state"] == "reachable");
    assert!(no_incidents(&home.status()));
    hc.set_state("nightly-backup", CheckState::Down);
    rings_then_resolves(&home, "nightly-backup", "cron", || {
        hc.set_state("nightly-backup", CheckState::Up)
    });
}

#[test]
fn a_wrong_healthchecks_key_is_unreachable_and_says_to_check_it() {
    let hc = Healthchecks::start();
    let home = Home::new(&config(&format!(
        "[[source]]\nname = \"cron\"\nhealthchecks = \"{}\"\napi_key = \"wrong\"\n",
        hc.url()
    )));
    let _running = home.run();
    let status = home.wait_status("unreachable", |s| s["sources"][0]["state"] == "unreachable");
    let reason = status["sources"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("HTTP 401") && reason.contains("check the API key"),
        "{reason}"
    );
    assert!(no_incidents(&status));
}

#[test]
fn a_failing_gatus_endpoint_rings_and_resolves_when_it_passes() {
    let gatus = Gatus::start();
    let key = gatus.add_endpoint("core", "checkout");
    gatus.pass(&key);
    let home = Home::new(&config(&format!(
        "[[source]]\nname = \"status-page\"\ngatus = \"{}\"\nevery = \"5s\"\n",
        gatus.url()
    )));
    let _running = home.run();
    home.wait_status("read", |s| s["sources"][0]["state"] == "reachable");
    gatus.fail(&key);
    rings_then_resolves(&home, "core/checkout", "status-page", || gatus.pass(&key));
}

#[test]
fn an_uptime_kuma_monitor_that_is_down_rings_and_resolves_when_it_is_up() {
    let kuma = UptimeKuma::start_with_api_key();
    kuma.add_http("Checkout API", "https://shop.example/api");
    let home = Home::new(&config(&format!(
        "[[source]]\nname = \"kuma\"\nuptime_kuma = \"{}\"\napi_key = \"{API_KEY}\"\nevery = \"5s\"\n",
        kuma.url()
    )));
    let _running = home.run();
    home.wait_status("read", |s| s["sources"][0]["state"] == "reachable");
    kuma.set_status("Checkout API", MonitorStatus::Down);
    rings_then_resolves(&home, "Checkout API", "kuma", || {
        kuma.set_status("Checkout API", MonitorStatus::Up)
    });
}

#[test]
fn an_ntfy_alert_published_while_klaxon_was_stopped_rings_when_it_starts() {
    let ntfy = Ntfy::start();
    let topic = ntfy.topic_url("ops-alerts");
    let home = Home::new(&config(&format!(
        "[[source]]\nname = \"ops\"\nntfy = \"{topic}\"\n"
    )));
    let first = home.run();
    home.wait_status("followed", |s| s["sources"][0]["state"] == "reachable");
    ntfy.wait_for_subscribers("ops-alerts", 1, Duration::from_secs(20));
    let publish = |title: &str, priority: &str, tags: &str| {
        let sent = support::ntfy::http::send(
            "POST",
            &topic,
            &[("Title", title), ("Priority", priority), ("Tags", tags)],
            "disk at 97%",
        );
        assert_eq!(sent.status, 200);
    };
    // Read, and below the priority: nothing rings.
    publish("fyi", "3", "");
    std::thread::sleep(Duration::from_secs(1));
    assert!(no_incidents(&home.status()));
    first.kill9();

    publish("db-1 disk full", "5", "warning");
    let _second = home.run();
    let status = home.wait_status("ringing after the restart", |s| {
        s["incidents"][0]["state"] == "ringing"
    });
    assert_eq!(status["incidents"][0]["monitor"], "db-1 disk full");
    assert_eq!(
        status["incidents"].as_array().unwrap().len(),
        1,
        "the old fyi is not re-read"
    );
    home.cmd().arg("ack").assert().success();
    publish("db-1 disk full", "3", "resolved");
    home.wait_status("resolved", no_incidents);
}
