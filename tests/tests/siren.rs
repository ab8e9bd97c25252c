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
    ringing(&home);
    let opened = rec.now();

    let start = wait_for(Duration::from_secs(10), || first_sound(&rec, 0.0));
    assert!(
        start > opened - 1.0,
        "sound at {start:.2} s before the incident opened at {opened:.2} s"
    );
    assert!(
        start < opened + 2.0,
        "sound at {start:.2} s, more than 2 s after the incident opened at {opened:.2} s"
    );
    // While ringing the system output is unmuted and at full volume, re-asserted every second.
    wait_for(Duration::from_secs(10), || {
        (pulse.sink_level() == (100, false)).then_some(())
    });
    pulse.pactl(&["set-sink-mute", pulse::SINK, "1"]).unwrap();
    wait_for(Duration::from_secs(5), || {
        (!pulse.sink_level().1).then_some(())
    });

    std::thread::sleep(Duration::from_secs(8));
    home.cmd().arg("ack").assert().success();
    let acked = rec.now();
    std::thread::sleep(Duration::from_secs(3));
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
fn an_open_incident_rings_again_within_two_seconds_of_a_restart_after_kill_9() {
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
    running.kill9();
    let killed = rec.now();
    // The dead process makes no sound...
    std::thread::sleep(Duration::from_secs(2));
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
