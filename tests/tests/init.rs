//! `klaxon init` end to end: the real binary fed its answers on standard input, a loopback
//! server to watch, the ntfy stand-in as the phone, and (with an engine running) the siren
//! recorded from a PulseAudio null sink. What a founder would notice: the service is in
//! klaxon.toml next to their own comments, the alarm was heard, the phone got its test
//! message and is on the ladder, and the verdict says whether they are covered.

mod support;

use std::time::Duration;

use support::ntfy::Ntfy;
use support::pulse::Pulse;
use support::siren::{LogsOnFailure, fast_alarm, first_sound};
use support::*;

const HAND_WRITTEN: &str = "# Mine, by hand.\n[judge]\nwitnesses = []   # loopback only\n";

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_founder_answers_init_in_the_terminal_hears_the_alarm_and_pages_the_phone() {
    let pulse = Pulse::start();
    pulse.set_level(30, false);
    let ntfy = Ntfy::start();
    let server = HttpServer::start();
    let home = Home::new(&format!("{HAND_WRITTEN}\n{}", fast_alarm()));
    let running = home.run_with(pulse.env());
    let _logs = LogsOnFailure(vec![running.log.clone()]);
    let mut rec = pulse.record("init.raw");

    // The address, a name of their own, the guessed kind kept; play the alarm and say it was
    // heard; ntfy on the stand-in, no token.
    let answers = format!(
        "{}\nAPI\n\ny\ny\nntfy\n{}\nklaxon-sam\n\n",
        server.url(),
        ntfy.url()
    );
    let started = std::time::Instant::now();
    let out = home
        .cmd()
        .arg("init")
        .write_stdin(answers)
        .timeout(Duration::from_secs(90))
        .output()
        .unwrap();
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    println!(
        "klaxon init took {:.1} s (10 s of it the test alarm)",
        started.elapsed().as_secs_f64()
    );

    // 1. The service: checked for real, saved under the founder's name beside their comments.
    assert!(text.contains("Name [127.0.0.1:"), "{text}");
    assert!(text.contains("up: HTTP 200"), "{text}");
    let written = std::fs::read_to_string(home.config()).unwrap();
    assert!(written.starts_with(HAND_WRITTEN), "{written}");
    assert!(
        written.contains(&format!(
            "[[monitor]]\nname = \"API\"\nurl = \"{}\"\n",
            server.url()
        )),
        "{written}"
    );
    // 2. The alarm played in the running engine and was heard on the sink.
    assert!(text.contains("Did you hear it?"), "{text}");
    assert!(
        first_sound(&rec, 0.0).is_some(),
        "no siren in the recording: {text}"
    );
    rec.stop();
    // 3. The phone: a channel on the ladder, and its test message on the topic.
    assert!(
        written.contains("name = \"phone\"\nkind = \"ntfy\""),
        "{written}"
    );
    assert!(
        written.contains("{ after = \"3m\", notify = [\"phone\"] }"),
        "{written}"
    );
    let test = ntfy.wait_for_message("klaxon-sam", Duration::from_secs(10));
    assert!(
        test.message.to_lowercase().contains("test"),
        "{:?}",
        test.message
    );
    assert!(text.contains("Sent a test message"), "{text}");
    // 4. The verdict, as the engine sees it: nothing the guide set up is missing.
    let verdict = text.split("4. Am I covered?").nth(1).unwrap_or_default();
    assert!(
        verdict.contains("Covered tonight") || verdict.contains("Not covered yet"),
        "{text}"
    );
    for set_up in ["add a monitor", "cannot make a sound", "phone (ntfy)"] {
        assert!(!verdict.contains(set_up), "{verdict}");
    }
    // The engine watches the new service.
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
}

#[test]
fn a_script_runs_init_with_flags_and_no_questions() {
    let ntfy = Ntfy::start();
    let server = HttpServer::start();
    let home = Home::new(HAND_WRITTEN);
    let out = home
        .cmd()
        .args(["init", "--yes", "--skip-alarm", "--url", &server.url()])
        .args(["--ntfy", "klaxon-ops", "--ntfy-server", &ntfy.url()])
        .output()
        .unwrap();
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    let written = std::fs::read_to_string(home.config()).unwrap();
    assert!(written.starts_with(HAND_WRITTEN), "{written}");
    // The guessed name, unasked.
    assert!(
        written.contains(&format!("name = \"{}\"", server.addr)),
        "{written}"
    );
    assert!(written.contains("topic = \"klaxon-ops\""), "{written}");
    ntfy.wait_for_message("klaxon-ops", Duration::from_secs(10));
    // No engine runs: the verdict says how to start one.
    assert!(text.contains("no Klaxon is running"), "{text}");
    assert!(text.contains("klaxon run"), "{text}");
}

#[test]
fn every_question_skipped_leaves_the_config_as_it_was() {
    let home = Home::new(HAND_WRITTEN);
    let out = home
        .cmd()
        .arg("init")
        .env("XDG_RUNTIME_DIR", home.quiet_runtime())
        .write_stdin("\n\n\n\n\n\n")
        .output()
        .unwrap();
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    assert_eq!(
        std::fs::read_to_string(home.config()).unwrap(),
        HAND_WRITTEN
    );
    assert_eq!(text.matches("Skipped").count(), 3, "{text}");
}

#[test]
fn an_address_that_is_down_is_saved_only_when_the_founder_says_so() {
    let home = Home::new(HAND_WRITTEN);
    let closed = closed_port();
    let url = format!("http://{closed}/health");
    // Declined: nothing written. Then accepted: saved, knowing it will ring.
    let out = home
        .cmd()
        .args(["init", "--skip-alarm"])
        .write_stdin(format!("{url}\n\n\nn\n\n"))
        .output()
        .unwrap();
    let text = said(&out);
    assert!(text.contains("down:"), "{text}");
    assert!(text.contains("Not saved."), "{text}");
    assert!(
        !std::fs::read_to_string(home.config())
            .unwrap()
            .contains("[[monitor]]")
    );

    let out = home
        .cmd()
        .args(["init", "--skip-alarm"])
        .write_stdin(format!("{url}\n\n\ny\n\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    let written = std::fs::read_to_string(home.config()).unwrap();
    assert!(written.contains(&format!("url = \"{url}\"")), "{written}");
}

#[test]
fn what_cannot_be_an_address_is_refused_saying_what_to_type() {
    let home = Home::new(HAND_WRITTEN);
    let out = home
        .cmd()
        .args(["init", "--yes", "--url", "just words"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = said(&out);
    assert!(text.contains("type a URL"), "{text}");
    assert_eq!(
        std::fs::read_to_string(home.config()).unwrap(),
        HAND_WRITTEN
    );
}

#[test]
fn when_no_sound_can_be_made_init_says_what_to_check_and_offers_another_try() {
    let home = Home::new(HAND_WRITTEN);
    // No engine and no sound server: the alarm is tried here and cannot play.
    let out = home
        .cmd()
        .arg("init")
        .env("XDG_RUNTIME_DIR", home.quiet_runtime())
        .write_stdin("\ny\nn\n\n")
        .output()
        .unwrap();
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("No Klaxon is running, so the alarm plays here"),
        "{text}"
    );
    assert!(text.contains("make a sound"), "{text}");
    assert!(!text.contains("Did you hear it?"), "{text}");
    assert!(text.contains("What to check:"), "{text}");
    assert!(text.contains("Try again?"), "{text}");
}
