//! Am I covered? The verdict `status` gives before bed, and Klaxon watched from outside: the
//! real `klaxon run` against loopback receivers. A channel whose token is wrong and a heartbeat
//! the watchdog refuses each show as a gap that says what to do, and go once fixed; the
//! heartbeat reaches its receiver at its interval and stops when the engine is killed; a sound
//! server that stops is a gap within the player's device check (15 s).

mod support;

use std::time::{Duration, Instant};

use support::fake_bus::{PrivateBus, serve_logind};
use support::ntfy::{Ntfy, NtfyOptions};
use support::pulse::Pulse;
use support::webhook::Receiver;
use support::{Home, HttpServer, closed_port, fast_config, http_monitor};

const LIMIT: Duration = Duration::from_secs(40);

fn gaps(status: &serde_json::Value, item: &str) -> Vec<String> {
    status["coverage"]["gaps"]
        .as_array()
        .map(|g| {
            g.iter()
                .filter(|g| g["item"] == item)
                .map(|g| g["problem"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_channel_with_a_wrong_token_is_a_gap_until_its_test_gets_through() {
    let ntfy = Ntfy::start_with(NtfyOptions::default().token("tk_right", &["sam-alerts"]));
    let service = HttpServer::start();
    let config = |token: &str| {
        let mut text = fast_config(closed_port(), &http_monitor("API", &service.url()));
        text.push_str(&format!(
            "[[channel]]\nname = \"phone\"\nkind = \"ntfy\"\nserver = \"{}\"\ntopic = \"sam-alerts\"\ntoken = \"{token}\"\n",
            ntfy.url()
        ));
        text
    };
    let home = Home::new(&config("tk_wrong"));
    let _running = home.run();
    let status = home.wait_status("API up", |s| s["monitors"][0]["state"] == "up");
    assert!(
        gaps(&status, "channel").is_empty(),
        "no delivery yet: {status:#}"
    );

    home.cmd()
        .args(["channel", "test", "phone"])
        .assert()
        .code(2);
    let status = home.wait_status("the failed test as a gap", |s| {
        !gaps(s, "channel").is_empty()
    });
    assert_eq!(status["coverage"]["covered"], false);
    let gap = &gaps(&status, "channel")[0];
    assert!(
        gap.starts_with("phone (ntfy): the last delivery failed: HTTP 401"),
        "{gap}"
    );
    assert!(gap.ends_with("check the token"), "{gap}");
    let out = home.cmd().arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Not covered:") && text.contains("check the token"),
        "{text}"
    );

    home.write_config(&config("tk_right"));
    home.cmd()
        .args(["channel", "test", "phone"])
        .assert()
        .success();
    home.wait_status("the gap gone once the test got through", |s| {
        gaps(s, "channel").is_empty()
    });
}

#[test]
fn the_heartbeat_reaches_its_watchdog_at_its_interval_and_stops_with_the_engine() {
    let watchdog = Receiver::start();
    watchdog.answer_next(&[404]);
    let service = HttpServer::start();
    let mut text = fast_config(closed_port(), &http_monitor("API", &service.url()));
    text.push_str(&format!(
        "[heartbeat]\nurl = \"{}\"\nevery = \"5s\"\n",
        watchdog.url()
    ));
    let home = Home::new(&text);
    let running = home.run();

    // The first ping is refused: a gap that says nobody would be told.
    let status = home.wait_status("the refused heartbeat as a gap", |s| {
        !gaps(s, "heartbeat").is_empty()
    });
    let gap = &gaps(&status, "heartbeat")[0];
    assert!(
        gap.contains("HTTP 404") && gap.contains("nobody is told"),
        "{gap}"
    );
    // The next is accepted, five seconds on, and the gap goes.
    let pings = watchdog.wait_for(2, LIMIT);
    home.wait_status("the heartbeat accepted", |s| {
        gaps(s, "heartbeat").is_empty()
    });
    let started = Instant::now();
    let pings = {
        let _ = pings;
        watchdog.wait_for(3, LIMIT)
    };
    assert!(pings.iter().all(|p| p.path == "/klaxon"));
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "pinged faster than every 5 s"
    );

    // Killed: the pings stop, which is what makes the watchdog ring the phone.
    running.kill9();
    let after_kill = watchdog.received().len();
    std::thread::sleep(Duration::from_secs(8));
    assert_eq!(
        watchdog.received().len(),
        after_kill,
        "pinged after the kill"
    );
}

#[test]
fn a_sound_server_that_stops_is_a_gap_until_it_is_back() {
    // Keep-awake needs logind: without it, that gap would hide the one under test.
    let system_bus = PrivateBus::start();
    let (_logind_conn, _logind) = serve_logind(&system_bus);
    let mut pulse = Pulse::start();
    let service = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &service.url()),
    ));
    let mut env = pulse.env();
    env.push((
        "DBUS_SYSTEM_BUS_ADDRESS",
        std::path::PathBuf::from(&system_bus.address),
    ));
    let running = home.run_with(env);
    let _logs = support::siren::LogsOnFailure(vec![running.log.clone()]);
    // Heard to work first: a status from before the player's first look proves nothing.
    home.wait_status("covered, with a sound", |s| {
        s["sound"]["can_sound"] == true && s["coverage"]["covered"] == true
    });

    let began = Instant::now();
    pulse.kill_server();
    let status = home.wait_status("a sound gap", |s| !gaps(s, "sound").is_empty());
    eprintln!(
        "the gap showed {:.1} s after the sound server stopped",
        began.elapsed().as_secs_f64()
    );
    assert_eq!(status["coverage"]["covered"], false);
    let problem = &gaps(&status, "sound")[0];
    assert!(
        problem.starts_with("Klaxon cannot make a sound"),
        "{problem}"
    );
    let line = home.cmd().arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&line.stdout);
    assert!(text.contains("Klaxon cannot make a sound"), "{text}");

    let began = Instant::now();
    pulse.start_server();
    home.wait_status("covered again", |s| s["coverage"]["covered"] == true);
    eprintln!(
        "covered again {:.1} s after it came back",
        began.elapsed().as_secs_f64()
    );
}
