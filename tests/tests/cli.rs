//! The `klaxon` binary end to end, against real servers on 127.0.0.1.

mod support;

use predicates::prelude::*;
use support::*;

#[test]
fn config_check_reports_every_error_with_its_line_and_field() {
    let home = Home::new(
        "[[monitor]]\nname = \"API\"\nurl = \"htp:/nope\"\n\n[[monitor]]\nname = \"API\"\ntcp = \"127.0.0.1:5432\"\nevery = \"soon\"\n",
    );
    home.cmd()
        .args(["config", "check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("klaxon.toml:3:7: monitor[1].url"))
        .stderr(predicate::str::contains(
            "klaxon.toml:6:8: monitor[2].name: a monitor named \"API\" is already defined",
        ))
        .stderr(predicate::str::contains(
            "klaxon.toml:8:9: monitor[2].every: \"soon\" is not a duration",
        ));
}

#[test]
fn config_check_names_an_unknown_key() {
    let home =
        Home::new("[[monitor]]\nname = \"API\"\nurl = \"http://127.0.0.1:1/\"\nevrey = \"30s\"\n");
    home.cmd()
        .args(["config", "check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("klaxon.toml:4:1"))
        .stderr(predicate::str::contains("unknown field `evrey`"));
}

#[test]
fn check_exits_zero_when_up_and_one_when_down() {
    let home = Home::new("");
    let server = HttpServer::start();
    home.cmd()
        .args(["check", &server.url()])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("up: HTTP 200 OK"));
    let addr = server.stop();
    home.cmd()
        .args(["check", &format!("http://{addr}/health"), "--timeout", "2s"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("down: connection refused"));
    home.cmd()
        .args(["check", &addr.to_string()])
        .assert()
        .code(1);
}

#[test]
fn first_run_writes_a_commented_starter_config_that_checks_nothing() {
    let home = Home::new("");
    std::fs::remove_file(home.config()).unwrap();
    let running = home.run();
    let starter = std::fs::read_to_string(home.config()).unwrap();
    assert!(starter.contains("# [[monitor]]"), "{starter}");
    let status = home.status();
    assert_eq!(status["monitors"].as_array().unwrap().len(), 0);
    assert!(
        running.log().contains("Wrote a starter config to"),
        "{}",
        running.log()
    );
}

#[test]
fn an_outage_rings_until_acknowledged_and_the_history_keeps_its_timings() {
    let server = HttpServer::start();
    // The witness is a closed port: a loopback target's failure must never be blamed on it.
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    let _running = home.run();
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));

    let addr = server.stop();
    let status = home.wait_status("an incident", |s| {
        s["incidents"].as_array().is_some_and(|i| !i.is_empty())
    });
    assert_eq!(status["incidents"][0]["state"], "ringing");
    assert_eq!(status["incidents"][0]["monitor"], "API");
    assert_eq!(state_of(&status, "API"), Some("down"));
    assert_eq!(status["blind"], false);
    // Still ringing a while later: nothing silences it but a person.
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(home.status()["incidents"][0]["state"], "ringing");

    home.cmd()
        .arg("ack")
        .assert()
        .success()
        .stdout(predicate::str::contains("acknowledged"));
    assert_eq!(home.status()["incidents"][0]["state"], "acknowledged");
    let _server = HttpServer::start_on(addr);
    home.wait_status("recovery", |s| {
        s["incidents"].as_array().is_some_and(|i| i.is_empty())
    });

    let history = home.history();
    let incident = &history[0];
    assert_eq!(incident["state"], "resolved");
    assert_eq!(incident["reason"], "connection refused");
    assert!(
        incident["time_to_acknowledge_s"].as_u64().unwrap() >= 2,
        "{incident:#}"
    );
    assert!(
        incident["time_to_recover_s"].as_u64().unwrap() >= 2,
        "{incident:#}"
    );
    assert!(incident["resolved_at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn an_incident_survives_kill_9_and_rings_again_after_restart() {
    let server = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    let running = home.run();
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let _addr = server.stop();
    let status = home.wait_status("an incident", |s| {
        s["incidents"].as_array().is_some_and(|i| !i.is_empty())
    });
    let id = status["incidents"][0]["id"].clone();
    running.kill9();

    // No engine: the database still shows the open incident.
    let saved = home.status();
    assert_eq!(saved["live"], false);
    assert_eq!(saved["incidents"][0]["id"], id);

    let _running = home.run();
    let status = home.wait_status("the engine back", |s| s["live"] == true);
    assert_eq!(status["incidents"][0]["id"], id);
    assert_eq!(status["incidents"][0]["state"], "ringing");
    home.cmd().args(["ack", &id.to_string()]).assert().success();
    assert_eq!(home.status()["incidents"][0]["state"], "acknowledged");
}

#[test]
fn a_second_engine_on_the_same_data_dir_is_refused_with_a_clear_message() {
    let home = Home::new("");
    let _running = home.run();
    home.cmd()
        .arg("run")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "another Klaxon engine is already running on the data dir",
        ));
}

#[test]
fn commands_that_need_an_engine_say_so_when_none_runs() {
    let home = Home::new("");
    home.cmd()
        .arg("ack")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no Klaxon is running"));
    home.cmd()
        .arg("history")
        .assert()
        .success()
        .stdout(predicate::str::contains("No incidents yet."));
}

#[test]
fn snooze_pause_and_resume_change_what_status_reports() {
    let server = HttpServer::start();
    let down = closed_port();
    let monitors = format!(
        "{}{}",
        http_monitor("API", &server.url()),
        http_monitor("Old", &format!("http://{down}/"))
    );
    let home = Home::new(&fast_config(closed_port(), &monitors));
    let _running = home.run();
    home.wait_status("Old ringing", |s| s["incidents"][0]["state"] == "ringing");

    home.cmd()
        .args(["snooze", "10"])
        .assert()
        .success()
        .stdout(predicate::str::contains("snoozed for 10 min"));
    let status = home.status();
    assert_eq!(status["incidents"][0]["state"], "snoozed");
    assert!(status["incidents"][0]["snoozed_until"].is_string());

    home.cmd()
        .args(["pause", "60"])
        .assert()
        .success()
        .stdout(predicate::str::contains("paused until"));
    let status = home.status();
    assert_eq!(state_of(&status, "API"), Some("paused"));
    assert!(status["paused_until"]["time"].is_string(), "{status:#}");

    home.cmd()
        .arg("resume")
        .assert()
        .success()
        .stdout(predicate::str::contains("monitoring resumed"));
    home.wait_status("API checked again", |s| state_of(s, "API") == Some("up"));
}

#[test]
fn flags_choose_the_config_and_data_dir_over_the_environment() {
    let home = Home::new("");
    let other = tempfile::tempdir().unwrap();
    let config = other.path().join("elsewhere.toml");
    std::fs::write(
        &config,
        "[[monitor]]\nname = \"Flagged\"\ntcp = \"127.0.0.1:9\"\n",
    )
    .unwrap();
    home.cmd()
        .args(["--config", &path_str(&config), "config", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "elsewhere.toml is valid: 1 monitor",
        ));
    home.cmd()
        .args(["--data-dir", &path_str(other.path()), "history", "--json"])
        .assert()
        .success()
        .stdout("[]\n");
    assert!(
        !home.data().exists(),
        "the environment's data dir must not be touched"
    );
}
