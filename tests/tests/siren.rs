//! The siren through the real audio path, recorded in real time from a PulseAudio null sink:
//! it starts when the incident opens, gets louder, keeps going until `klaxon ack`, and leaves
//! the system volume as it found it.

mod support;

use std::time::Duration;

use support::pulse::Pulse;
use support::siren::*;
use support::*;

#[test]
fn siren_rings_louder_until_acknowledged_and_restores_the_volume() {
    let pulse = Pulse::start();
    pulse.set_level(30, true);
    let mut rec = pulse.record("alarm.raw");
    let server = HttpServer::start();
    let home = Home::new(&siren_config(&server));
    let _running = home.run_with(pulse.env());
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let _addr = server.stop();
    let status = ringing(&home);
    // The engine's own timestamp, not the moment this test's polling noticed.
    let opened = opened_in(&rec, &status);

    let start = wait_for(Duration::from_secs(10), || first_sound(&rec, 0.0));
    // A window of the recording is 250 ms and the timestamp is the engine's wall clock read
    // next to the order to ring: half a second either side covers both.
    assert!(
        start > opened - 0.5,
        "sound at {start:.2} s before the incident opened at {opened:.2} s"
    );
    assert!(
        start < opened + 1.0,
        "sound at {start:.2} s, more than 1 s after the incident opened at {opened:.2} s"
    );
    // While ringing the system output is unmuted and at full volume, re-asserted every second.
    wait_for(Duration::from_secs(10), || {
        (pulse.sink_level() == (100, false)).then_some(())
    });
    pulse.pactl(&["set-sink-mute", pulse::SINK, "1"]).unwrap();
    wait_for(Duration::from_secs(5), || {
        (!pulse.sink_level().1).then_some(())
    });

    // Eight seconds of the recording (not of the test's clock) let the escalation show.
    wait_for(Duration::from_secs(30), || {
        (rec.now() > start + 8.0).then_some(())
    });
    home.cmd().arg("ack").assert().success();
    let acked = rec.now();
    wait_for(Duration::from_secs(30), || {
        (rec.now() > acked + 3.0).then_some(())
    });
    rec.stop();

    let rms = rec.loudness(WINDOW);
    assert!(
        mean(&rms, 0.0, opened - 0.5) < AUDIBLE / 2.0,
        "silent before the incident"
    );
    let early = mean(&rms, start + 0.5, start + 1.5);
    let late = mean(&rms, start + 6.5, start + 7.5);
    eprintln!(
        "incident at {opened:.2} s, sound from {start:.2} s, ack at {acked:.2} s; loudness {early:.3} -> {late:.3}"
    );
    assert!(
        late > early * 1.5,
        "louder over time: {early:.3} then {late:.3}"
    );
    // No gap longer than 2 s between the first sound and the acknowledgement.
    let windows_in_2s = (2.0 / WINDOW.as_secs_f64()) as usize;
    let (a, b) = (
        (start / WINDOW.as_secs_f64()) as usize,
        ((acked - 0.3) / WINDOW.as_secs_f64()) as usize,
    );
    let longest_quiet = rms[a..b]
        .split(|r| *r > AUDIBLE)
        .map(<[f32]>::len)
        .max()
        .unwrap_or(0);
    assert!(
        longest_quiet < windows_in_2s,
        "quiet for {longest_quiet} windows of 250 ms while ringing"
    );
    assert!(
        mean(&rms, acked + 0.5, acked + 2.5) < AUDIBLE / 2.0,
        "silent after the acknowledgement"
    );
    // The user's level is back.
    assert_eq!(pulse.sink_level(), (30, true));
}

#[test]
fn an_open_incident_rings_again_after_kill_9_and_the_users_level_comes_back_on_ack() {
    let pulse = Pulse::start();
    pulse.set_level(30, true);
    let rec = pulse.record("restart.raw");
    let server = HttpServer::start();
    let home = Home::new(&siren_config(&server));
    let running = home.run_with(pulse.env());
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let _addr = server.stop();
    ringing(&home);
    wait_for(Duration::from_secs(10), || first_sound(&rec, 0.0));
    // Ringing raised the output: the user's 30 % muted is now only in Klaxon's memory file.
    wait_for(Duration::from_secs(10), || {
        (pulse.sink_level() == (100, false)).then_some(())
    });
    running.kill9();
    let killed = rec.now();
    // The dead process makes no sound...
    wait_for(Duration::from_secs(10), || {
        (rec.now() > killed + 2.0).then_some(())
    });
    assert!(
        first_sound(&rec, killed + 0.75).is_none(),
        "sound after kill -9"
    );
    // ...and the restarted one rings again at once.
    let restarted = rec.now();
    let _running = home.run_with(pulse.env());
    let again = wait_for(Duration::from_secs(10), || first_sound(&rec, restarted));
    assert!(
        again - restarted < 2.0,
        "rang again {:.2} s after the restart",
        again - restarted
    );
    assert_eq!(home.status()["incidents"][0]["state"], "ringing");
    assert_eq!(
        pulse.sink_level(),
        (100, false),
        "raised while it rings again"
    );

    // The crash did not make the raised level the user's: acknowledging gives back the 30 %
    // muted the user had before the first ring.
    home.cmd().arg("ack").assert().success();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut level = pulse.sink_level();
    while level != (30, true) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        level = pulse.sink_level();
    }
    assert_eq!(level, (30, true), "the user's level after kill -9 and ack");
}

#[test]
fn a_test_alarm_from_the_running_engine_plays_and_stops_by_itself() {
    let pulse = Pulse::start();
    pulse.set_level(30, false);
    let mut rec = pulse.record("test-alarm.raw");
    let home = Home::new(&fast_config(closed_port(), ""));
    let _running = home.run_with(pulse.env());
    // The tray's and the window's "Test alarm" send this over the control socket.
    let reply = home.control(r#"{"cmd":"test_alarm","seconds":3}"#);
    assert_eq!(reply["reply"], "done", "{reply}");
    let start = wait_for(Duration::from_secs(10), || first_sound(&rec, 0.0));
    wait_for(Duration::from_secs(15), || {
        (rec.now() > start + 6.0).then_some(())
    });
    rec.stop();
    let rms = rec.loudness(WINDOW);
    let heard = rms.iter().filter(|r| **r > AUDIBLE).count() as f64 * WINDOW.as_secs_f64();
    assert!(
        (2.0..=4.5).contains(&heard),
        "heard {heard:.2} s of a 3 s test"
    );
    assert!(
        mean(&rms, start + 4.5, start + 6.0) < AUDIBLE / 2.0,
        "silent once the test is over"
    );
    assert_eq!(
        pulse.sink_level(),
        (30, false),
        "the volume is put back after a test too"
    );
}
