//! Absurd numbers, from every road into Klaxon: the CLI's arguments, raw lines on the control
//! socket, and the config file. Each is refused with a message naming its bounds (and, in the
//! config, its line and field), and a running engine goes on ringing and answering.

mod support;

use predicates::prelude::*;
use support::*;

/// `klaxon ARGS` is refused before anything is sent, naming the bounds (clap's usage error).
fn refused(home: &Home, args: &[&str], bounds: &str) {
    home.cmd()
        .args(args)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(bounds));
}

#[test]
fn absurd_numbers_on_the_command_line_are_refused_with_their_bounds_and_the_engine_answers_on() {
    let home = Home::new("[judge]\nwitnesses = []\n");
    let _running = home.run();

    let snooze = "a snooze lasts 1 to 1440 minutes (a day)";
    refused(&home, &["snooze", "0"], snooze);
    refused(&home, &["snooze", "1441"], snooze);
    refused(&home, &["snooze", "18446744073709551615"], snooze);
    refused(&home, &["snooze", "99999999999999999999999"], snooze);
    let pause = "a pause lasts 1 to 525600 minutes (a year), or until `klaxon resume`";
    refused(&home, &["pause", "0"], pause);
    refused(&home, &["pause", "525601"], pause);
    refused(&home, &["pause", "18446744073709551615"], pause);
    let test = "an alarm test lasts 1 to 120 seconds";
    refused(&home, &["alarm", "test", "--seconds", "0"], test);
    refused(&home, &["alarm", "test", "--seconds", "86400"], test);
    let timeout = "a timeout is above zero and at most 10m";
    let target = closed_port().to_string();
    refused(&home, &["check", &target, "--timeout", "0s"], timeout);
    refused(
        &home,
        &["check", &target, "--timeout", "100 years"],
        timeout,
    );

    // The engine is untouched and a sensible command works.
    assert_eq!(home.status()["live"], true);
    home.cmd()
        .args(["pause", "60"])
        .assert()
        .success()
        .stdout(predicate::str::contains("monitoring paused until"));
    home.cmd().arg("resume").assert().success();
}

#[test]
fn an_absurd_snooze_sent_raw_to_the_socket_is_refused_and_the_alarm_rings_on() {
    let down = closed_port();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &format!("http://{down}/")),
    ));
    let _running = home.run();
    home.wait_status("API ringing", |s| s["incidents"][0]["state"] == "ringing");

    let lines = [
        (
            r#"{"cmd":"snooze","minutes":18446744073709551615}"#,
            "1 to 1440 minutes",
        ),
        (r#"{"cmd":"snooze","minutes":0}"#, "1 to 1440 minutes"),
        (
            r#"{"cmd":"pause","minutes":18446744073709551615}"#,
            "1 to 525600 minutes",
        ),
        (
            r#"{"cmd":"test_alarm","seconds":18446744073709551615}"#,
            "1 to 120 seconds",
        ),
        (
            r#"{"cmd":"ack","incident":null,"via":"\u001b[2J"}"#,
            "via cli, window, tray",
        ),
    ];
    for (line, bounds) in lines {
        let answer = home.control(line);
        assert_eq!(answer["reply"], "refused", "{line}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(bounds), "{line}: {message}");
        // Still alive, still ringing, still checking.
        let status = home.status();
        assert_eq!(status["live"], true, "after {line}");
        assert_eq!(status["incidents"][0]["state"], "ringing", "after {line}");
    }
    let checked = home.status()["monitors"][0]["last_checked"].clone();
    home.wait_status("another check", |s| {
        s["monitors"][0]["last_checked"] != checked
    });

    // A sensible snooze still works.
    home.cmd()
        .args(["snooze", "5"])
        .assert()
        .success()
        .stdout(predicate::str::contains("snoozed for 5 min"));
    assert_eq!(home.status()["incidents"][0]["state"], "snoozed");
}

/// A config of one TCP monitor with `extra` lines, checked by `klaxon config check`.
fn config_check(extra: &str) -> assert_cmd::assert::Assert {
    let home = Home::new(&format!(
        "[[monitor]]\nname = \"DB\"\ntcp = \"127.0.0.1:5432\"\n{extra}\n"
    ));
    home.cmd().args(["config", "check"]).assert().code(1)
}

#[test]
fn config_check_refuses_out_of_range_durations_naming_line_and_field() {
    config_check("every = \"0s\"").stderr(predicate::str::contains(
        "klaxon.toml:4:9: monitor[1].every: \"0s\" is out of range; give from 1s to a year",
    ));
    config_check("every = \"100 years\"").stderr(predicate::str::contains(
        "klaxon.toml:4:9: monitor[1].every: \"100 years\" is out of range; give from 1s to a year",
    ));
    config_check("timeout = \"0s\"").stderr(predicate::str::contains(
        "klaxon.toml:4:11: monitor[1].timeout: \"0s\" is out of range; give above zero and at most 10m",
    ));
    config_check("every = \"10s\"\ntimeout = \"30s\"").stderr(predicate::str::contains(
        "klaxon.toml:5:11: monitor[1].timeout: \"30s\" is longer than every = \"10s\"",
    ));
    let judge = Home::new(
        "[judge]\nretry_every = \"0s\"\ngrace_after_resume = \"100 years\"\n\n[alarm]\nharsh_after = \"100 years\"\n",
    );
    judge
        .cmd()
        .args(["config", "check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has 3 errors"))
        .stderr(predicate::str::contains(
            "klaxon.toml:2:15: judge.retry_every: \"0s\" is out of range; give from 100ms to 10m",
        ))
        .stderr(predicate::str::contains(
            "klaxon.toml:3:22: judge.grace_after_resume: \"100 years\" is out of range",
        ))
        .stderr(predicate::str::contains(
            "klaxon.toml:6:15: alarm.harsh_after: \"100 years\" is out of range; give from 0s to 1h",
        ));
}

#[test]
fn config_check_refuses_a_huge_body_limit_naming_line_and_field() {
    let home = Home::new(
        "[[monitor]]\nname = \"API\"\nurl = \"http://127.0.0.1:1/\"\nmax_body_bytes = 10737418240\n",
    );
    home.cmd()
        .args(["config", "check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "klaxon.toml:4:18: monitor[1].max_body_bytes: 10737418240 is out of range; give from 1 byte to 33554432 (32 MiB)",
        ));
}

#[test]
fn config_check_reports_every_unknown_key_at_once() {
    let home = Home::new(
        "[alarm]\nsond = \"siren\"\n\n[[monitor]]\nname = \"API\"\nurl = \"http://127.0.0.1:1/\"\nevrey = \"30s\"\ntimout = \"5s\"\n",
    );
    home.cmd()
        .args(["config", "check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has 3 errors"))
        .stderr(predicate::str::contains(
            "klaxon.toml:2:1: alarm.sond: unknown field `sond`",
        ))
        .stderr(predicate::str::contains(
            "klaxon.toml:7:1: monitor[1].evrey: unknown field `evrey`",
        ))
        .stderr(predicate::str::contains(
            "klaxon.toml:8:1: monitor[1].timout: unknown field `timout`",
        ));
}

#[test]
fn an_engine_refuses_to_start_on_an_absurd_interval_and_says_where() {
    let home =
        Home::new("[[monitor]]\nname = \"DB\"\ntcp = \"127.0.0.1:5432\"\nevery = \"100 years\"\n");
    home.cmd()
        .arg("run")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "klaxon.toml:4:9: monitor[1].every: \"100 years\" is out of range",
        ))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn a_reload_with_an_absurd_timeout_keeps_the_last_good_config_running() {
    let api = HttpServer::start();
    let witness = closed_port();
    let good = fast_config(witness, &http_monitor("API", &api.url()));
    let home = Home::new(&good);
    let _running = home.run();
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));

    home.write_config(&good.replace("timeout = \"1s\"", "timeout = \"1000000h\""));
    let status = home.wait_status("the error reported", |s| s["config_error"].is_string());
    let error = status["config_error"].as_str().unwrap();
    assert!(error.contains("monitor[1].timeout"), "{error}");
    assert!(error.contains("at most 10m"), "{error}");
    let checked = status["monitors"][0]["last_checked"].clone();
    let status = home.wait_status("API checked again", |s| {
        s["monitors"][0]["last_checked"] != checked
    });
    assert_eq!(state_of(&status, "API"), Some("up"));
}
