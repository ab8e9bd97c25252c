//! What loopback cannot show: a remote target, witnesses, and the laptop losing its network.
//! Klaxon runs in a "laptop" network namespace whose only link leads to a "net" namespace
//! holding the target and the witness (see `support::netns`). Needs root and iproute2.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use support::netns::{Network, TARGET_IP, WITNESS_IP};
use support::*;

fn target_addr() -> SocketAddr {
    format!("{TARGET_IP}:8080").parse().unwrap()
}

fn witness_addr() -> SocketAddr {
    format!("{WITNESS_IP}:53").parse().unwrap()
}

fn incidents(status: &serde_json::Value) -> &Vec<serde_json::Value> {
    status["incidents"].as_array().expect("incidents is a list")
}

#[test]
fn a_laptop_that_goes_offline_is_blind_instead_of_ringing() {
    let network = Network::new();
    let _target = network.serve_http(target_addr());
    let _witness = network.serve_tcp(witness_addr());
    let home = Home::new(&fast_config(
        witness_addr(),
        &http_monitor("API", &format!("http://{}/", target_addr())),
    ));
    let running = network.run_klaxon(&home);
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));

    network.laptop_offline();
    let status = home.wait_status("API offline and Klaxon blind", |s| {
        state_of(s, "API") == Some("offline") && s["blind"] == true
    });
    assert!(incidents(&status).is_empty(), "{status:#}");

    // Offline for a while (several checks, past the witnesses' 5 s cache): still blind, and
    // nothing rings.
    let until = Instant::now() + Duration::from_secs(6);
    while Instant::now() < until {
        let status = home.status();
        assert!(
            incidents(&status).is_empty(),
            "an offline laptop opened an incident: {status:#}\nlog:\n{}",
            running.log()
        );
        assert_eq!(state_of(&status, "API"), Some("offline"), "{status:#}");
        assert_eq!(status["blind"], true, "{status:#}");
        std::thread::sleep(Duration::from_millis(200));
    }

    network.laptop_online();
    let status = home.wait_status("API up and Klaxon seeing again", |s| {
        state_of(s, "API") == Some("up") && s["blind"] == false
    });
    assert!(incidents(&status).is_empty(), "{status:#}");
    let history = home.history();
    assert_eq!(
        history.as_array().map(Vec::len),
        Some(0),
        "going offline left an incident in the history: {history:#}"
    );
}

#[test]
fn a_remote_service_down_while_witnesses_answer_opens_an_incident() {
    let network = Network::new();
    let target = network.serve_http(target_addr());
    let _witness = network.serve_tcp(witness_addr());
    let home = Home::new(&fast_config(
        witness_addr(),
        &http_monitor("API", &format!("http://{}/", target_addr())),
    ));
    let _running = network.run_klaxon(&home);
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));

    target.kill();
    let status = home.wait_status("an incident", |s| !incidents(s).is_empty());
    let incident = &status["incidents"][0];
    assert_eq!(incident["state"], "ringing", "{status:#}");
    assert_eq!(incident["monitor"], "API", "{status:#}");
    assert_eq!(incident["reason"], "connection refused", "{status:#}");
    assert_eq!(state_of(&status, "API"), Some("down"), "{status:#}");
    assert_eq!(status["blind"], false, "{status:#}");
}

#[test]
fn a_source_out_of_reach_of_an_offline_laptop_never_rings() {
    let network = Network::new();
    let _witness = network.serve_tcp(witness_addr());
    // An Alertmanager that will not answer, with its alarm after the shortest delay allowed.
    let source = format!(
        "[[source]]\nname = \"prod\"\nalertmanager = \"http://{TARGET_IP}:9093\"\nevery = \"5s\"\n\
         unreachable_alarm_after = \"30s\"\n"
    );
    let home = Home::new(&fast_config(witness_addr(), &source));
    let running = network.run_klaxon(&home);
    network.laptop_offline();
    home.wait_status("prod unreachable", |s| {
        s["sources"][0]["state"] == "unreachable"
    });
    // Past the alarm delay, with margin: the witnesses say the laptop is offline, so the
    // source's silence says nothing about the servers behind it.
    let until = Instant::now() + Duration::from_secs(40);
    while Instant::now() < until {
        let status = home.status();
        assert!(
            incidents(&status).is_empty(),
            "an offline laptop rang for a source: {status:#}\nlog:\n{}",
            running.log()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}
