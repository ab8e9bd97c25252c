//! What a user reads: Klaxon's own words on the terminal, the audio libraries' complaints only
//! in the debug log, and the log file in the data dir that `klaxon logs` shows — the real
//! `klaxon run` on a machine whose sound server cannot be reached.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::siren::*;
use support::*;

/// What ALSA, JACK and PulseAudio's plugin print when there is no sound server.
const NATIVE_NOISE: [&str; 3] = ["ALSA lib", "jack", "Cannot connect to server"];

fn is_noise(line: &str) -> bool {
    NATIVE_NOISE
        .iter()
        .any(|n| line.to_lowercase().contains(&n.to_lowercase()))
}

/// No sound server: PULSE_SERVER names a socket nobody listens on (on top of the empty runtime
/// dir `run_with` gives every engine), so ALSA's pulse plugin and JACK both complain.
fn no_sound_server(home: &Home, more: &[(&'static str, &str)]) -> Vec<(&'static str, PathBuf)> {
    let mut env = vec![(
        "PULSE_SERVER",
        PathBuf::from(format!(
            "unix:{}",
            home.dir.path().join("no-such-pulse-socket").display()
        )),
    )];
    env.extend(more.iter().map(|(k, v)| (*k, PathBuf::from(v))));
    env
}

/// Starts `klaxon run`, takes the service down and waits until the siren has tried the
/// missing output (which is when the audio libraries speak).
fn ring_without_sound(
    home: &Home,
    server: HttpServer,
    env: Vec<(&'static str, PathBuf)>,
) -> Running {
    let running = home.run_with(env);
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let _addr = server.stop();
    ringing(home);
    home.wait_status("the sound problem", |s| s["sound"]["can_sound"] == false);
    running
}

#[test]
fn the_audio_libraries_complaints_stay_off_the_terminal_and_go_to_the_debug_log() {
    let server = HttpServer::start();
    let home = Home::new(&siren_config(&server));
    let running = ring_without_sound(&home, server, no_sound_server(&home, &[]));
    let _logs = LogsOnFailure(vec![running.log.clone()]);
    // Long enough for the siren to retry the device a few times.
    std::thread::sleep(Duration::from_secs(2));
    let said = running.log();
    assert!(said.contains("Klaxon is on call"), "{said}");
    let noise: Vec<&str> = said.lines().filter(|l| is_noise(l)).collect();
    assert!(
        noise.is_empty(),
        "the audio libraries reached the terminal: {noise:#?}"
    );
    running.kill9();

    // With the debug log on, the same complaints are there, each marked as a native library's.
    let server = HttpServer::start();
    let home = Home::new(&siren_config(&server));
    let running = ring_without_sound(
        &home,
        server,
        no_sound_server(&home, &[("KLAXON_LOG", "debug")]),
    );
    let _logs = LogsOnFailure(vec![running.log.clone()]);
    let said = wait_for(Duration::from_secs(20), || {
        let said = running.log();
        said.lines().any(is_noise).then_some(said)
    });
    let unmarked: Vec<&str> = said
        .lines()
        .filter(|l| is_noise(l) && !l.contains("native library: "))
        .collect();
    assert!(unmarked.is_empty(), "not marked as native: {unmarked:#?}");
    assert!(
        said.lines()
            .any(|l| l.contains("DEBUG") && l.contains("native library: ")),
        "{said}"
    );
}

#[test]
fn klaxon_logs_shows_the_lines_klaxon_run_wrote_even_after_a_kill() {
    let server = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    let running = home.run();
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    running.kill9();

    let log = home.data().join("klaxon.log");
    let out = home.cmd().args(["logs", "--lines", "5"]).output().unwrap();
    assert!(out.status.success());
    let shown = String::from_utf8_lossy(&out.stdout);
    let mut lines = shown.lines();
    let header = lines.next().unwrap_or_default();
    assert!(
        header.starts_with(&format!("Klaxon's log: {}", log.display())),
        "{shown}"
    );
    let rest: Vec<&str> = lines.collect();
    assert!(rest.len() <= 5, "{shown}");
    assert!(
        rest.iter()
            .any(|l| l.contains("monitor changed") && l.contains("API")),
        "{shown}"
    );

    home.cmd()
        .args(["logs", "--path"])
        .assert()
        .success()
        .stdout(format!("{}\n", log.display()));
}

#[test]
fn klaxon_logs_shows_control_characters_instead_of_obeying_them() {
    let home = Home::new("");
    std::fs::create_dir_all(home.data()).unwrap();
    std::fs::write(
        home.data().join("klaxon.log"),
        "2026-12-01T03:00:00Z  WARN API down: \x1b[2J\x1b]0;owned\x07 cleared\n",
    )
    .unwrap();
    let out = home.cmd().arg("logs").output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        !shown.contains('\x1b') && !shown.contains('\x07'),
        "{shown:?}"
    );
    assert!(
        shown.contains("API down: \\u{1b}[2J\\u{1b}]0;owned\\u{7} cleared"),
        "{shown}"
    );
}

#[test]
fn one_shot_commands_write_no_log_and_klaxon_logs_says_there_is_none_yet() {
    let home = Home::new("");
    home.cmd().args(["status", "--json"]).assert().success();
    home.cmd()
        .arg("logs")
        .assert()
        .success()
        .stdout(predicates::str::starts_with(format!(
            "No log yet at {}",
            home.data().join("klaxon.log").display()
        )));
    assert!(!home.data().join("klaxon.log").exists());
}
