//! What Klaxon asks of the desktop: holding off idle sleep while on call, and a notification
//! when it cannot make a sound. The desktop services are stand-ins on a private D-Bus (see
//! support/fake_bus.rs); Klaxon itself is the real binary.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::fake_bus::{Logind, PrivateBus, serve_logind, serve_notifications};
use support::pulse::NoSound;
use support::*;

#[test]
fn keep_awake_is_held_while_on_call_and_released_when_paused_or_stopped() {
    let system_bus = PrivateBus::start();
    let (_conn, logind) = serve_logind(&system_bus);
    let server = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    let running = home.run_with(vec![(
        "DBUS_SYSTEM_BUS_ADDRESS",
        PathBuf::from(&system_bus.address),
    )]);

    let status = home.wait_status("keep-awake held", |s| {
        s["keep_awake"] == "holding off idle sleep"
    });
    assert!(state_of(&status, "API").is_some());
    {
        let locks = logind.locks.lock().unwrap();
        let what: Vec<&str> = locks.iter().map(|l| l.what.as_str()).collect();
        assert!(what.contains(&"idle"), "{what:?}");
        assert!(locks.iter().all(|l| l.who == "Klaxon" && !l.released()));
    }

    home.cmd().arg("pause").assert().success();
    wait_until_all_released(&logind);
    assert_eq!(home.status()["keep_awake"], "not on call");

    home.cmd().arg("resume").assert().success();
    wait_for(Duration::from_secs(10), || logind.held().then_some(()));

    // Quitting lets go as well.
    terminate(&running);
    wait_until_all_released(&logind);
}

#[test]
fn a_machine_that_cannot_make_a_sound_says_so_in_a_notification() {
    let session_bus = PrivateBus::start();
    let (_conn, notifications) = serve_notifications(&session_bus);
    // Something to watch: with nothing, Klaxon leaves the audio stack alone.
    let server = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    // No sound server, no autospawned one, no sound card: the output cannot open.
    let no_sound = NoSound::new();
    let mut env = no_sound.env();
    env.push((
        "DBUS_SESSION_BUS_ADDRESS",
        PathBuf::from(&session_bus.address),
    ));
    let _running = home.run_with(env);
    let said = wait_for(Duration::from_secs(20), || {
        let shown = notifications.shown.lock().unwrap().clone();
        shown
            .into_iter()
            .find(|(title, _)| title == "Klaxon cannot make a sound")
    });
    assert!(!said.1.is_empty(), "{said:?}");
    let status = home.status();
    assert_eq!(status["sound"]["can_sound"], false, "{status:#}");
}

fn wait_until_all_released(logind: &Logind) {
    wait_for(Duration::from_secs(10), || (!logind.held()).then_some(()));
}

/// SIGTERM, the polite stop: `klaxon run` shuts down and releases what it holds.
fn terminate(running: &Running) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &running.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn an_outage_and_its_end_are_announced_on_the_desktop() {
    let session_bus = PrivateBus::start();
    let (_conn, notifications) = serve_notifications(&session_bus);
    let server = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    let _running = home.run_with(vec![(
        "DBUS_SESSION_BUS_ADDRESS",
        PathBuf::from(&session_bus.address),
    )]);
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let addr = server.stop();
    let shown = |summary: &str| {
        let summary = summary.to_string();
        let notifications = notifications.clone();
        move || {
            let shown = notifications.shown.lock().unwrap().clone();
            shown.into_iter().find(|(s, _)| *s == summary)
        }
    };
    let (_, body) = wait_for(Duration::from_secs(20), shown("API is down"));
    assert!(body.contains("connection refused"), "{body}");
    home.cmd().arg("ack").assert().success();
    let _server = HttpServer::start_on(addr);
    wait_for(Duration::from_secs(20), shown("API is back"));
}
