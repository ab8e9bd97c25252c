//! The ladder past the laptop, end to end: the real `klaxon run` against a loopback stand-in
//! for ntfy that follows ntfy's API. An outage rings, reaches the phone on its step, is
//! acknowledged by a tap on the phone, and the phone hears that it was; a `kill -9` between two
//! steps neither loses nor repeats one; a service that fails once gets the message once.

mod support;

use std::time::Duration;

use support::ntfy::{Ntfy, tap};
use support::pulse::Pulse;
use support::siren::{AUDIBLE, WINDOW, first_sound, mean};
use support::{Home, closed_port, fast_config, http_monitor, wait_for};

const LIMIT: Duration = Duration::from_secs(30);

/// A monitor that is down from the start, a phone on ntfy with an ack topic, a team topic, and
/// the ladder siren → phone after `phone` → team after `team`.
fn config(ntfy: &Ntfy, phone: &str, team: &str) -> String {
    let witness = closed_port();
    let down = format!("http://{}/health", closed_port());
    let mut text = fast_config(witness, &http_monitor("API", &down));
    text.push_str(&format!(
        r#"
[[channel]]
name = "phone"
kind = "ntfy"
server = "{url}"
topic = "sam-alerts"
ack_topic = "sam-ack"

[[channel]]
name = "team"
kind = "ntfy"
server = "{url}"
topic = "team-alerts"

[escalation]
steps = [
  {{ after = "0s", notify = ["siren"] }},
  {{ after = "{phone}", notify = ["phone"] }},
  {{ after = "{team}", notify = ["team"] }},
]
"#,
        url = ntfy.url()
    ));
    text
}

fn alerts(ntfy: &Ntfy, topic: &str) -> usize {
    ntfy.messages(topic)
        .iter()
        .filter(|m| m.title.ends_with("is down"))
        .count()
}

#[test]
fn an_outage_reaches_the_phone_on_its_step_and_a_tap_there_acknowledges_it() {
    let ntfy = Ntfy::start();
    let pulse = Pulse::start();
    let rec = pulse.record("phone-ack.raw");
    let home = Home::new(&config(&ntfy, "2s", "1h"));
    let running = home.run_with(pulse.env());
    let status = home.wait_status("API ringing", |s| s["incidents"][0]["state"] == "ringing");
    let id = status["incidents"][0]["id"].as_i64().unwrap();
    // The siren rings while the phone is being reached.
    let rang = wait_for(LIMIT, || first_sound(&rec, 0.0));

    // The phone hears it on its step: urgent, with what is down and an Acknowledge button.
    let alert = ntfy.wait_for_message("sam-alerts", LIMIT);
    assert_eq!(alert.title, "API is down");
    assert_eq!(alert.priority, 5);
    assert!(
        alert.message.contains("API has been down since"),
        "{}",
        alert.message
    );
    assert_eq!(alert.actions.len(), 1);
    let button = &alert.actions[0];
    assert_eq!(button.label, "Acknowledge");
    assert_eq!(button.action, "http");
    assert_eq!(button.url, ntfy.topic_url("sam-ack"));
    // `ack <id> <code>`: the code is the incident's own, which a stranger cannot make.
    let words: Vec<&str> = button.body.split(' ').collect();
    assert_eq!(words[..2], ["ack", id.to_string().as_str()]);
    assert_eq!(words.get(2).map(|c| c.len()), Some(16), "{}", button.body);
    // Not before its step: two seconds after the incident opened, at the earliest.
    let opened = status["incidents"][0]["opened_at"].as_str().unwrap();
    let opened: i64 = opened_unix(opened);
    assert!(
        alert.time > opened,
        "sent at {} for an incident opened at {opened}",
        alert.time
    );
    // The team's step is an hour away: nothing there yet.
    assert_eq!(alerts(&ntfy, "team-alerts"), 0);

    // Someone who guessed the ack topic cannot silence it: without the code, nothing happens.
    ntfy.wait_for_subscribers("sam-ack", 1, LIMIT);
    let forged = format!("ack {id}");
    let sent = support::ntfy::http::send("POST", &ntfy.topic_url("sam-ack"), &[], &forged);
    assert_eq!(sent.status, 200);
    wait_for(LIMIT, || {
        running
            .log()
            .contains("a tap without its incident's code was ignored")
            .then_some(())
    });
    assert_eq!(home.status()["incidents"][0]["state"], "ringing");

    // The tap: exactly the request the button describes.
    let tapped = rec.now();
    assert!(
        mean(&rec.loudness(WINDOW), tapped - 1.0, tapped) > AUDIBLE,
        "the siren was still ringing when the phone was tapped (sound from {rang:.2} s)"
    );
    assert_eq!(tap(button), 200);
    let status = home.wait_status("acknowledged from the phone", |s| {
        s["incidents"][0]["state"] == "acknowledged"
    });
    assert_eq!(status["incidents"][0]["acknowledged_via"], "phone");
    // And the laptop falls silent: within 3 s of the tap, and stays so.
    let acked = rec.now();
    assert!(
        acked < tapped + 3.0,
        "acknowledged {:.1} s after the tap",
        acked - tapped
    );
    wait_for(LIMIT, || (rec.now() > acked + 2.0).then_some(()));
    assert!(
        mean(&rec.loudness(WINDOW), acked + 0.5, acked + 2.0) < AUDIBLE / 2.0,
        "the siren still sounded after the phone's acknowledgement"
    );

    // The phone is told, and nothing rings on the team's step any more.
    let told = wait_for(LIMIT, || {
        ntfy.messages("sam-alerts")
            .into_iter()
            .find(|m| m.title == "API: acknowledged")
    });
    assert!(
        told.message.contains("Acknowledged by the phone"),
        "{}",
        told.message
    );
    assert!(told.actions.is_empty());
    drop(running);
}

#[test]
fn a_kill_between_two_steps_neither_loses_nor_repeats_one() {
    let ntfy = Ntfy::start();
    let home = Home::new(&config(&ntfy, "0s", "6s"));
    let first = home.run();
    home.wait_status("API ringing", |s| s["incidents"][0]["state"] == "ringing");
    ntfy.wait_for_message("sam-alerts", LIMIT);
    assert_eq!(
        alerts(&ntfy, "team-alerts"),
        0,
        "the team's step came early"
    );
    first.kill9();

    let second = home.run();
    ntfy.wait_for_message("team-alerts", LIMIT);
    // Give a repeat every chance to show itself: the restarted engine ticks every second.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        alerts(&ntfy, "sam-alerts"),
        1,
        "the phone's step was sent again"
    );
    assert_eq!(alerts(&ntfy, "team-alerts"), 1);
    drop(second);
}

#[test]
fn a_phone_server_that_fails_once_gets_the_message_once() {
    let ntfy = Ntfy::start();
    ntfy.fail_next(1, 500);
    let home = Home::new(&config(&ntfy, "0s", "1h"));
    let running = home.run();
    ntfy.wait_for_message("sam-alerts", LIMIT);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(alerts(&ntfy, "sam-alerts"), 1);
    let statuses: Vec<u16> = ntfy
        .attempts()
        .iter()
        .filter(|a| a.method == "POST" && a.path == "/")
        .map(|a| a.status)
        .collect();
    assert_eq!(statuses, [500, 200]);
    let log = running.log();
    assert!(log.contains("phone (ntfy): HTTP 500"), "{log}");
    assert!(log.contains("phone (ntfy) notified"), "{log}");
}

/// An RFC 3339 time in whole Unix seconds.
fn opened_unix(text: &str) -> i64 {
    let out = std::process::Command::new("date")
        .args(["-u", "-d", text, "+%s"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn a_channel_test_reports_the_services_real_answer_and_is_listed() {
    use support::ntfy::NtfyOptions;
    let ntfy = Ntfy::start_with(NtfyOptions::default().token("tk_right", &["sam-alerts"]));
    let channel = |token: &str| {
        format!(
            "[[channel]]\nname = \"phone\"\nkind = \"ntfy\"\nserver = \"{}\"\ntopic = \"sam-alerts\"\ntoken = \"{token}\"\n",
            ntfy.url()
        )
    };
    let home = Home::new(&channel("tk_wrong"));
    let out = home
        .cmd()
        .args(["channel", "test", "phone"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("phone: HTTP 401"), "{said}");
    assert!(said.contains("check the token"), "{said}");
    assert!(!said.contains("tk_wrong"), "a token in an error: {said}");
    assert!(ntfy.messages("sam-alerts").is_empty());

    home.write_config(&channel("tk_right"));
    let out = home
        .cmd()
        .args(["channel", "test", "phone"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let message = ntfy.wait_for_message("sam-alerts", LIMIT);
    assert_eq!(message.title, "Klaxon test message");
    assert_eq!(message.authorization.as_deref(), Some("Bearer tk_right"));

    let out = home
        .cmd()
        .args(["channel", "test", "pager"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no [[channel]] is named \"pager\""));
    let out = home.cmd().args(["channel", "list"]).output().unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.starts_with("phone  ntfy  never used"),
        "no history yet: {listed}"
    );
}

/// HMAC-SHA256 of `body` under `key`, worked out by Python's standard library: a check of
/// Klaxon's signature that shares no code with it.
fn python_hmac(key: &str, body: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())",
            key,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_webhook_gets_the_documented_signed_body_and_every_attempt_carries_the_same_delivery() {
    let receiver = support::webhook::Receiver::start();
    receiver.answer_next(&[503]);
    let witness = closed_port();
    let down = format!("http://{}/health", closed_port());
    let mut text = fast_config(witness, &http_monitor("API", &down));
    text.push_str(&format!(
        "[[channel]]\nname = \"team-hook\"\nkind = \"webhook\"\nurl = \"{}\"\nsecret = \"s3cret\"\n\n\
         [escalation]\nsteps = [ {{ after = \"0s\", notify = [\"siren\", \"team-hook\"] }} ]\n",
        receiver.url()
    ));
    let home = Home::new(&text);
    let running = home.run();
    // The first attempt is answered 503; the next, two seconds on, gets through.
    let got = receiver.wait_for(2, LIMIT);
    let (first, second) = (&got[0], &got[1]);
    for r in [first, second] {
        assert_eq!(r.path, "/klaxon");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let expected = format!("sha256={}", python_hmac("s3cret", &r.body));
        assert_eq!(r.header("x-klaxon-signature"), Some(expected.as_str()));
        assert!(!String::from_utf8_lossy(&r.body).contains("s3cret"));
    }
    let body = second.json();
    assert_eq!(body["event"], "opened");
    assert_eq!(body["title"], "API is down");
    assert_eq!(body["step"], "step 1");
    assert_eq!(body["incident"]["monitor"], "API");
    assert_eq!(body["incident"]["state"], "ringing");
    assert_eq!(body["incident"]["source"], serde_json::Value::Null);
    assert!(body["delivery"].as_i64().is_some());
    assert_eq!(
        body["delivery"],
        first.json()["delivery"],
        "a retry is the same delivery"
    );

    // Acknowledged: the hook hears that too, once.
    home.cmd().arg("ack").assert().success();
    let got = receiver.wait_for(3, LIMIT);
    assert_eq!(got[2].json()["event"], "acknowledged");
    assert_eq!(got[2].json()["incident"]["acknowledged_via"], "cli");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(receiver.received().len(), 3);
    drop(running);
}

/// A monitor named with Slack and Discord markup in it, down from the start, and one chat
/// channel of `kind` on the ladder at once.
fn chat_config(kind: &str, url: &str) -> String {
    let down = format!("http://{}/health", closed_port());
    let mut text = fast_config(
        closed_port(),
        &http_monitor("<!channel> @everyone API & co", &down),
    );
    text.push_str(&format!(
        "[[channel]]\nname = \"team\"\nkind = \"{kind}\"\nurl = \"{url}\"\n\n\
         [escalation]\nsteps = [ {{ after = \"0s\", notify = [\"siren\", \"team\"] }} ]\n"
    ));
    text
}

#[test]
fn slack_hears_of_the_outage_after_its_rate_limit_with_the_outside_text_made_inert() {
    let slack = support::slack::Slack::start();
    slack.rate_limit_next(1, 2);
    let home = Home::new(&chat_config("slack", &slack.webhook_url()));
    let _running = home.run();
    let got = slack.wait_for_messages(1, LIMIT);
    let text = got[0].text.clone().unwrap_or_default();
    assert!(
        text.starts_with("*&lt;!channel&gt; @everyone API &amp; co is down*"),
        "{text}"
    );
    assert!(!text.contains("<!channel>"), "{text}");
    let attempts = slack.attempts();
    assert_eq!(attempts[0].status, 429);
    let waited = attempts[1].at.duration_since(attempts[0].at);
    assert!(
        waited >= Duration::from_millis(1900),
        "retried after {waited:?}, not Retry-After"
    );
}

#[test]
fn discord_hears_of_the_outage_and_is_told_to_ping_nobody() {
    let discord = support::discord::Discord::start();
    discord.rate_limit_next(1, 1.5);
    let home = Home::new(&chat_config("discord", &discord.webhook_url()));
    let _running = home.run();
    let got = discord.wait_for_messages(1, LIMIT);
    assert!(
        got[0]
            .content
            .starts_with("**<!channel> @everyone API & co is down**")
    );
    assert_eq!(
        got[0].allowed_mentions,
        Some(serde_json::json!({ "parse": [] }))
    );
    let attempts = discord.attempts();
    assert_eq!(attempts[0].status, 429);
    let waited = attempts[1].at.duration_since(attempts[0].at);
    assert!(
        waited >= Duration::from_millis(1400),
        "retried after {waited:?}"
    );
}

/// A monitor down from the start and a Pushover pager on the ladder at once.
fn pushover_config(pushover: &support::pushover::Pushover) -> String {
    let down = format!("http://{}/health", closed_port());
    let mut text = fast_config(closed_port(), &http_monitor("API", &down));
    text.push_str(&format!(
        "[[channel]]\nname = \"pager\"\nkind = \"pushover\"\napi = \"{}\"\nuser = \"{}\"\ntoken = \"{}\"\n\n\
         [escalation]\nsteps = [ {{ after = \"0s\", notify = [\"siren\", \"pager\"] }} ]\n",
        pushover.url(),
        pushover.user_key(),
        pushover.app_token()
    ));
    text
}

#[test]
fn a_pushover_emergency_acknowledged_on_the_phone_acknowledges_the_incident_and_is_cancelled() {
    use support::pushover::Pushover;
    let pushover = Pushover::start();
    let home = Home::new(&pushover_config(&pushover));
    let _running = home.run();
    let status = home.wait_status("API ringing", |s| s["incidents"][0]["state"] == "ringing");
    let id = status["incidents"][0]["id"].as_i64().unwrap();

    // An emergency: it repeats on the phone until acknowledged there, tagged with its incident.
    let alert = pushover.wait_for_messages(1, LIMIT).remove(0);
    assert_eq!(alert.priority, 2);
    assert_eq!(alert.title.as_deref(), Some("API is down"));
    assert_eq!(alert.retry, Some(60));
    assert_eq!(alert.expire, Some(10800));
    assert_eq!(alert.tags, [format!("klaxon-incident-{id}")]);
    let receipt = alert.receipt.expect("an emergency has a receipt");

    // The founder acknowledges in the Pushover app; Klaxon reads it off the receipt.
    pushover.acknowledge(&receipt, "sams-phone");
    let status = home.wait_status("acknowledged from Pushover", |s| {
        s["incidents"][0]["state"] == "acknowledged"
    });
    assert_eq!(status["incidents"][0]["acknowledged_via"], "phone");
    let intervals = pushover.poll_intervals(&receipt);
    assert!(
        intervals.iter().all(|i| *i >= Duration::from_secs(5)),
        "polled faster than Pushover allows: {intervals:?}"
    );

    // The phone stops repeating (cancelled by tag) and hears it was acknowledged, quietly.
    let notice = pushover.wait_for_messages(2, LIMIT).remove(1);
    assert_eq!(notice.title.as_deref(), Some("API: acknowledged"));
    assert_eq!(notice.priority, 0);
    let cancelled = pushover.cancellations();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(
        cancelled[0].tag.as_deref(),
        Some(format!("klaxon-incident-{id}").as_str())
    );
}

#[test]
fn a_pushover_acknowledgement_made_while_klaxon_was_down_still_counts() {
    use support::pushover::Pushover;
    let pushover = Pushover::start();
    let home = Home::new(&pushover_config(&pushover));
    let first = home.run();
    let receipt = pushover
        .wait_for_messages(1, LIMIT)
        .remove(0)
        .receipt
        .unwrap();
    // Once the delivery is written down as delivered (its receipt with it), kill.
    wait_for(LIMIT, || {
        let out = home.cmd().args(["channel", "list"]).output().ok()?;
        String::from_utf8_lossy(&out.stdout)
            .contains("pager  pushover  delivered")
            .then_some(())
    });
    first.kill9();

    // Acknowledged on the phone while no Klaxon runs; the next one reads it off the receipt.
    pushover.acknowledge(&receipt, "sams-phone");
    let _second = home.run();
    let status = home.wait_status("acknowledged from Pushover after the restart", |s| {
        s["incidents"][0]["state"] == "acknowledged"
    });
    assert_eq!(status["incidents"][0]["acknowledged_via"], "phone");
    assert_eq!(
        pushover.messages().len(),
        2,
        "the alert again, or no notice"
    );
}

/// Another program holding the database (a backup, a `sqlite3` left open) delays no channel more
/// than the others: each delivery waits for the outbox on its own, not one after another.
#[test]
fn a_locked_database_delays_no_channel_behind_the_others() {
    let hooks: Vec<_> = (0..3)
        .map(|_| support::webhook::Receiver::start())
        .collect();
    let down = format!("http://{}/health", closed_port());
    let mut text = fast_config(closed_port(), &http_monitor("API", &down));
    for (i, hook) in hooks.iter().enumerate() {
        text.push_str(&format!(
            "[[channel]]\nname = \"hook{i}\"\nkind = \"webhook\"\nurl = \"{}\"\n\n",
            hook.url()
        ));
    }
    text.push_str(
        "[escalation]\nsteps = [ { after = \"0s\", notify = [\"siren\"] },\n  \
         { after = \"3s\", notify = [\"hook0\", \"hook1\", \"hook2\"] } ]\n",
    );
    let home = Home::new(&text);
    let running = home.run();
    let db = home.data().join("klaxon.db");
    wait_for(LIMIT, || db.exists().then_some(()));
    // Held for 40 s: longer than the test needs.
    let mut locker = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import sqlite3, sys, time\n\
             c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)\n\
             c.execute('BEGIN EXCLUSIVE')\nprint('locked', flush=True)\ntime.sleep(40)\n",
        )
        .arg(&db)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(locker.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "locked");
    let arrived: Vec<std::time::Instant> = hooks
        .iter()
        .map(|hook| {
            hook.wait_for(1, LIMIT);
            std::time::Instant::now()
        })
        .collect();
    let first = arrived.iter().min().unwrap();
    let last = arrived.iter().max().unwrap();
    assert!(
        *last - *first < Duration::from_secs(3),
        "the channels were told {:?} apart",
        *last - *first
    );
    let _ = locker.kill();
    let _ = locker.wait();
    drop(running);
}

/// A server that takes connections and never answers.
fn silent_server() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for socket in listener.incoming() {
            held.push(socket);
        }
    });
    addr
}

/// Killed while two phones' servers hung: after the restart, asking those servers whether they
/// got the message holds up no other step of the ladder.
#[test]
fn after_a_kill_a_hung_phone_server_holds_up_no_other_step() {
    let silent = silent_server();
    let hook = support::webhook::Receiver::start();
    let down = format!("http://{}/health", closed_port());
    let mut text = fast_config(closed_port(), &http_monitor("API", &down));
    for name in ["p1", "p2"] {
        text.push_str(&format!(
            "[[channel]]\nname = \"{name}\"\nkind = \"ntfy\"\nserver = \"http://{silent}\"\n\
             topic = \"{name}\"\n\n"
        ));
    }
    text.push_str(&format!(
        "[[channel]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\n\n\
         [escalation]\nsteps = [ {{ after = \"0s\", notify = [\"siren\", \"p1\", \"p2\"] }},\n  \
         {{ after = \"12s\", notify = [\"hook\"] }} ]\n",
        hook.url()
    ));
    let home = Home::new(&text);
    let first = home.run();
    home.wait_status("API ringing", |s| s["incidents"][0]["state"] == "ringing");
    let opened = std::time::Instant::now();
    // Both phones' messages are in flight, their servers silent.
    std::thread::sleep(Duration::from_secs(3));
    first.kill9();
    let second = home.run();
    hook.wait_for(1, LIMIT);
    let late = opened.elapsed();
    assert!(
        late < Duration::from_secs(20),
        "the 12 s step came {late:?} after the alarm"
    );
    drop(second);
}
