//! The siren when sound goes wrong, through the real audio path recorded from a PulseAudio null
//! sink: a sound server that dies mid-ring, no sound server at all, a sound file that cannot be
//! played; and `klaxon alarm test`, which must leave the system volume as it found it.

mod support;

use std::time::{Duration, Instant};

use support::pulse::{NoSound, Pulse};
use support::siren::*;
use support::*;

#[test]
fn the_siren_comes_back_when_the_sound_server_dies_and_returns() {
    let mut pulse = Pulse::start();
    let rec = pulse.record("before.raw");
    let server = HttpServer::start();
    let home = Home::new(&siren_config(&server));
    let running = home.run_with(pulse.env());
    let _logs = LogsOnFailure(vec![
        running.log.clone(),
        pulse.runtime.path().join("pulse.log"),
        pulse.runtime.path().join("before.log"),
        pulse.runtime.path().join("after.log"),
    ]);
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let _addr = server.stop();
    ringing(&home);
    wait_for(Duration::from_secs(10), || first_sound(&rec, 0.0));

    // The sound server crashes mid-ring (its recorder dies with it)...
    pulse.kill_server();
    drop(rec);
    // ...and stays away until the engine has noticed (it retries every half second).
    let during = home.wait_status("the lost sound server reported", |s| {
        s["sound"]["can_sound"] == false
    });
    eprintln!("while the sound server is gone: {}", during["sound"]);
    assert_eq!(during["incidents"][0]["state"], "ringing");
    assert_eq!(during["sound"]["can_sound"], false, "{}", during["sound"]);

    pulse.start_server();
    let back = Instant::now();
    let rec = pulse.record("after.raw");
    // Where the new recording's time 0 is on the wall clock: parec starts delivering only once
    // the fresh null sink renders, about 2 s after it was created. Sound right at the start of
    // the recording makes `recovery` an upper bound; no sound can play before that anyway.
    let rec_start = Instant::now() - Duration::from_secs_f64(rec.now());
    let heard = wait_for(Duration::from_secs(15), || first_sound(&rec, 0.0));
    let recording_began = rec_start.saturating_duration_since(back).as_secs_f64();
    let recovery = recording_began + heard;
    eprintln!(
        "sound again {recovery:.2} s after the sound server was back (the recording began {recording_began:.2} s after it, with sound {heard:.2} s into it)"
    );
    assert!(
        recovery < 3.0,
        "the siren came back {recovery:.2} s after the sound server did"
    );
    // And it keeps playing.
    let until = heard + 2.0;
    wait_for(Duration::from_secs(10), || {
        (rec.now() > until).then_some(())
    });
    let rms = rec.loudness(WINDOW);
    assert!(
        mean(&rms, heard, until) > AUDIBLE,
        "quiet again in the 2 s after coming back"
    );

    let status = home.status();
    assert_eq!(status["incidents"][0]["state"], "ringing");
    assert_eq!(status["sound"]["can_sound"], true, "{}", status["sound"]);
}

#[test]
fn no_output_device_is_reported_as_cannot_make_a_sound() {
    let no_sound = NoSound::new();
    let env = no_sound.env();

    let server = HttpServer::start();
    let home = Home::new(&siren_config(&server));
    let running = home.run_with(env);
    let _logs = LogsOnFailure(vec![running.log.clone()]);
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let _addr = server.stop();
    ringing(&home);

    let status = home.wait_status("the sound problem", |s| {
        s["sound"]["can_sound"] == false && s["incidents"][0]["state"] == "ringing"
    });
    let problem = status["sound"]["problem"].as_str().unwrap_or_default();
    eprintln!("reported: {problem}");
    assert!(
        problem.starts_with("Klaxon cannot make a sound"),
        "problem: {:?}",
        status["sound"]
    );
    home.cmd()
        .arg("status")
        .assert()
        .success()
        .stdout(predicates::str::contains(format!("! {problem}")));

    // The engine carries on: it still answers, and the incident can be acknowledged.
    // (The ringing siren keeps trying the device every half second, and keeps failing.)
    std::thread::sleep(Duration::from_secs(2));
    let status = home.status();
    assert_eq!(status["live"], true);
    assert_eq!(status["sound"]["can_sound"], false, "{}", status["sound"]);
    home.cmd().arg("ack").assert().success();
    assert_eq!(home.status()["incidents"][0]["state"], "acknowledged");
}

#[test]
fn alarm_test_plays_the_escalation_and_puts_the_volume_back() {
    let pulse = Pulse::start();
    pulse.set_level(30, true);
    let mut rec = pulse.record("test.raw");
    let home = Home::new(fast_alarm());
    let _logs = LogsOnFailure(vec![pulse.runtime.path().join("pulse.log")]);

    let out = home
        .cmd()
        .args(["alarm", "test", "--seconds", "4"])
        .envs(pulse.env())
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "alarm test failed: {said}");
    // Half a second more of the recording, for a tail that should not be there.
    let ended = rec.now();
    wait_for(Duration::from_secs(10), || {
        (rec.now() > ended + 0.5).then_some(())
    });
    rec.stop();

    let rms = rec.loudness(WINDOW);
    let audible: Vec<usize> = (0..rms.len()).filter(|i| rms[*i] > AUDIBLE).collect();
    let heard = audible.len() as f64 * WINDOW.as_secs_f64();
    assert!(
        heard >= 2.5,
        "sound in only {heard:.2} s of a 4 s test: {said}"
    );
    let first = audible[0] as f64 * WINDOW.as_secs_f64();
    let last = (audible[audible.len() - 1] + 1) as f64 * WINDOW.as_secs_f64();
    let (early, late) = (mean(&rms, first, first + 1.0), mean(&rms, last - 1.0, last));
    eprintln!("sound from {first:.2} s to {last:.2} s; loudness {early:.3} -> {late:.3}");
    assert!(late > early, "louder at the end: {early:.3} then {late:.3}");
    assert_eq!(pulse.sink_level(), (30, true));
}

#[test]
fn a_broken_sound_file_falls_back_to_the_klaxon() {
    let pulse = Pulse::start();
    let rec = pulse.record("fallback.raw");
    let server = HttpServer::start();
    let config = siren_config(&server).replace("[alarm]\n", "[alarm]\nsound = \"broken.mp3\"\n");
    let home = Home::new(&config);
    std::fs::write(
        home.dir.path().join("broken.mp3"),
        "this is not an mp3 file\n".repeat(500),
    )
    .unwrap();

    let check = home.cmd().args(["config", "check"]).output().unwrap();
    let said = String::from_utf8_lossy(&check.stderr);
    assert!(check.status.success(), "config check failed: {said}");
    assert!(
        said.contains("warning") && said.contains("broken.mp3"),
        "no warning about the file: {said}"
    );
    assert!(
        said.contains("the built-in klaxon plays instead"),
        "the warning does not say what plays: {said}"
    );

    let running = home.run_with(pulse.env());
    let _logs = LogsOnFailure(vec![
        running.log.clone(),
        pulse.runtime.path().join("pulse.log"),
    ]);
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let _addr = server.stop();
    let status = ringing(&home);
    // The engine's own timestamp, not the moment this test's polling noticed.
    let opened = opened_in(&rec, &status);
    let start = wait_for(Duration::from_secs(10), || first_sound(&rec, 0.0));
    assert!(
        start < opened + 2.0,
        "sound at {start:.2} s, more than 2 s after the incident opened at {opened:.2} s"
    );
    // Never silence: sound in every second from then on.
    let until = start + 3.0;
    wait_for(Duration::from_secs(10), || {
        (rec.now() > until).then_some(())
    });
    let rms = rec.loudness(WINDOW);
    for second in 0..3 {
        let from = start + second as f64;
        assert!(
            mean(&rms, from, from + 1.0) > AUDIBLE,
            "quiet {second} s into the alarm"
        );
    }
    let status = home.status();
    let problem = status["sound"]["file_problem"].as_str().unwrap_or_default();
    assert!(
        problem.contains("broken.mp3"),
        "file_problem: {:?}",
        status["sound"]
    );
    assert_eq!(status["incidents"][0]["state"], "ringing");
}

/// The audio libraries a process has loaded, from its memory map: ALSA's plugins and
/// PulseAudio's client, which only opening an output brings in.
fn audio_plugins(pid: u32) -> Vec<String> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let mut found: Vec<String> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|path| path.contains("libasound_module_") || path.contains("libpulse"))
        .map(str::to_string)
        .collect();
    found.dedup();
    found
}

#[test]
fn with_nothing_to_watch_the_audio_stack_stays_unloaded_until_the_first_monitor() {
    let pulse = Pulse::start();
    let home = Home::new(&fast_config(closed_port(), ""));
    let running = home.run_with(pulse.env());
    let _logs = LogsOnFailure(vec![running.log.clone()]);
    home.wait_status("running", |s| s["live"] == true);
    // Nothing to ring for: no look at the output, no audio plugin in memory, for a while.
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        let status = home.status();
        assert!(
            status["sound"]["can_sound"].is_null(),
            "{}",
            status["sound"]
        );
        let loaded = audio_plugins(running.child.id());
        assert!(
            loaded.is_empty(),
            "loaded with nothing to watch: {loaded:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }

    // The first monitor: the siren looks at the output at once, through the sound server.
    let server = HttpServer::start();
    home.write_config(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    home.wait_status("the output looked at", |s| s["sound"]["can_sound"] == true);
    // ALSA unloads its plugin once the output is closed again; PulseAudio's client stays.
    let loaded = audio_plugins(running.child.id());
    assert!(
        loaded.iter().any(|p| p.contains("libpulse")),
        "PulseAudio's client is not loaded: {loaded:?}"
    );
}
