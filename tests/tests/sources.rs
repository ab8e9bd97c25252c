//! Monitoring that runs elsewhere, rung by the bed: the real `klaxon run` reading a real
//! Alertmanager (Debian's) and an ntfy topic (the loopback stand-in), and `klaxon page` from
//! a teammate's machine making the founder's Klaxon ring.

mod support;

use std::time::Duration;

use support::alertmanager::Alertmanager;
use support::ntfy::Ntfy;
use support::{Home, closed_port, fast_config, wait_for};

const LIMIT: Duration = Duration::from_secs(30);

const ALERT: &[(&str, &str)] = &[
    ("alertname", "HighErrorRate"),
    ("instance", "api-1"),
    ("severity", "page"),
];
const SUMMARY: &[(&str, &str)] = &[("summary", "5xx above 5% for 5 minutes")];

fn source(table: &str) -> String {
    with_witness(closed_port(), table)
}

fn with_witness(witness: std::net::SocketAddr, table: &str) -> String {
    format!("{}{table}", fast_config(witness, ""))
}

#[test]
fn an_alertmanager_alert_rings_is_silenced_on_ack_and_resolves_when_it_ends() {
    let am = Alertmanager::start();
    let home = Home::new(&source(&format!(
        "[[source]]\nname = \"prod\"\nalertmanager = \"{}\"\nevery = \"5s\"\nfilter = ['severity=\"page\"']\n",
        am.url()
    )));
    let _running = home.run();
    home.wait_status("prod read", |s| s["sources"][0]["state"] == "reachable");
    // Not a page: the filter keeps it out.
    am.post_alert(&[("alertname", "DiskFilling"), ("severity", "ticket")], &[]);
    am.post_alert(ALERT, SUMMARY);
    am.post_alert(ALERT, SUMMARY); // delivery is at least once: the same fingerprint twice
    let status = home.wait_status("the alert ringing", |s| {
        s["incidents"][0]["state"] == "ringing"
    });
    let incident = &status["incidents"][0];
    assert_eq!(incident["monitor"], "HighErrorRate on api-1", "{status:#}");
    assert_eq!(incident["source"], "prod");
    assert_eq!(incident["reason"], "5xx above 5% for 5 minutes");
    // Read again, still one incident: the same alert, and the ticket filtered out.
    let before = status["sources"][0]["last_read"].clone();
    home.wait_status("prod read again", |s| {
        s["sources"][0]["last_read"] != before
    });
    let status = home.status();
    assert_eq!(
        status["incidents"].as_array().unwrap().len(),
        1,
        "{status:#}"
    );
    assert_eq!(status["sources"][0]["firing"], 1);

    home.cmd().arg("ack").assert().success();
    let silence = am.wait_for_silence(LIMIT);
    assert_eq!(silence["createdBy"], "klaxon", "{silence:#}");
    let matchers = silence["matchers"].as_array().unwrap();
    for (name, value) in ALERT {
        assert!(
            matchers
                .iter()
                .any(|m| m["name"] == *name && m["value"] == *value && m["isEqual"] == true),
            "{name}={value} in {matchers:?}"
        );
    }
    let id = status["incidents"][0]["id"].as_i64().unwrap();
    // The postmortem's timeline is where a founder reads it.
    let timeline = wait_for(LIMIT, || {
        let out = home
            .cmd()
            .args(["draft", &id.to_string(), "--kind", "postmortem"])
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        text.contains("silenced in Alertmanager").then_some(text)
    });
    assert!(timeline.contains("HighErrorRate on api-1"), "{timeline}");
    assert!(
        timeline.contains(silence["id"].as_str().unwrap()),
        "the silence's id is on the timeline: {timeline}"
    );

    am.end_alert(ALERT, SUMMARY);
    home.wait_status("resolved", |s| {
        s["incidents"].as_array().is_some_and(|i| i.is_empty())
    });
}

#[test]
fn an_unreachable_source_rings_only_after_its_alarm_delay() {
    let dead = closed_port();
    // A witness that answers: this laptop is online, so the source's silence means something.
    let witness = support::HttpServer::start();
    let home = Home::new(&with_witness(
        witness.addr,
        &format!(
            "[[source]]\nname = \"prod\"\nalertmanager = \"http://{dead}\"\nevery = \"5s\"\n\
         unreachable_alarm_after = \"30s\"\n"
        ),
    ));
    let _running = home.run();
    let status = home.wait_status("prod unreachable", |s| {
        s["sources"][0]["state"] == "unreachable"
    });
    assert!(
        status["sources"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("Alertmanager"),
        "{status:#}"
    );
    assert_eq!(status["incidents"].as_array().unwrap().len(), 0, "not yet");
    let out = home.cmd().arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("prod (alertmanager)  unreachable"), "{text}");

    let status = wait_for(Duration::from_secs(60), || {
        let s = home.status();
        (s["incidents"][0]["state"] == "ringing").then_some(s)
    });
    assert_eq!(
        status["incidents"][0]["monitor"],
        "prod (alertmanager) cannot be read"
    );
}

#[test]
fn a_teammate_pages_and_hears_the_founder_acknowledge() {
    let ntfy = Ntfy::start();
    let topic = ntfy.topic_url("team-page");
    let founder = Home::new(&source(&format!(
        "[[source]]\nname = \"team\"\nntfy = \"{topic}\"\n"
    )));
    let _running = founder.run();
    founder.wait_status("the topic followed", |s| {
        s["sources"][0]["state"] == "reachable"
    });
    ntfy.wait_for_subscribers("team-page", 1, LIMIT);

    let teammate = Home::new(&format!("[page]\nntfy = \"{topic}\"\n"));
    let mut page = teammate.cmd();
    page.args([
        "page",
        "checkout is down, call me",
        "--from",
        "Alex",
        "--wait",
        "60s",
    ])
    .timeout(Duration::from_secs(90));
    let pager = std::thread::spawn(move || page.output().unwrap());
    let status = founder.wait_status("the page ringing", |s| {
        s["incidents"][0]["state"] == "ringing"
    });
    assert_eq!(status["incidents"][0]["monitor"], "Page from Alex");
    assert_eq!(
        status["incidents"][0]["reason"],
        "checkout is down, call me"
    );
    assert_eq!(status["incidents"][0]["source"], "team");

    founder.cmd().arg("ack").assert().success();
    let out = pager.join().unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Acknowledged on "), "{said}");
    assert!(said.contains("checkout is down, call me"), "{said}");
    // Answered, the page is over: nothing else would ever say so.
    let status = founder.wait_status("the page resolved", |s| {
        s["incidents"].as_array().is_some_and(|i| i.is_empty())
    });
    assert_eq!(status["overall"], "all_up", "{status:#}");
    let history = founder.history();
    assert_eq!(history[0]["monitor"], "Page from Alex");
    assert_eq!(history[0]["acknowledged_via"], "cli");
    // The answer is not itself a page: nothing rings again.
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        founder.status()["incidents"]
            .as_array()
            .is_some_and(|i| i.is_empty())
    );
}

#[test]
fn an_alert_silenced_in_alertmanager_counts_as_acknowledged_there() {
    let am = Alertmanager::start();
    let home = Home::new(&source(&format!(
        "[[source]]\nname = \"prod\"\nalertmanager = \"{}\"\nevery = \"5s\"\n",
        am.url()
    )));
    let _running = home.run();
    am.post_alert(ALERT, SUMMARY);
    home.wait_status("ringing", |s| s["incidents"][0]["state"] == "ringing");

    // A teammate silences it in Alertmanager's own UI (the same API call).
    let silence = format!(
        r#"{{"matchers":[{{"name":"alertname","value":"HighErrorRate","isRegex":false,"isEqual":true}}],
            "startsAt":"{now}","endsAt":"2099-01-01T00:00:00Z","createdBy":"alex","comment":"on it"}}"#,
        now = support::alertmanager::rfc3339_now()
    );
    let made = am.send("POST", "/api/v2/silences", &silence);
    assert_eq!(made.status, 200, "{made:?}");
    let status = home.wait_status("acknowledged at the source", |s| {
        s["incidents"][0]["state"] == "acknowledged"
    });
    assert_eq!(status["incidents"][0]["acknowledged_via"], "source");
    // Klaxon adds no silence of its own on top of the teammate's.
    std::thread::sleep(Duration::from_secs(2));
    let silences = am.silences();
    assert_eq!(silences.as_array().unwrap().len(), 1, "{silences:#}");
}

#[test]
fn after_a_kill_the_open_alert_is_the_same_incident_and_a_window_ack_makes_one_silence() {
    let am = Alertmanager::start();
    let home = Home::new(&source(&format!(
        "[[source]]\nname = \"prod\"\nalertmanager = \"{}\"\nevery = \"5s\"\n",
        am.url()
    )));
    let running = home.run();
    am.post_alert(ALERT, SUMMARY);
    let status = home.wait_status("the alert ringing", |s| {
        s["incidents"][0]["state"] == "ringing"
    });
    let id = status["incidents"][0]["id"].clone();
    running.kill9();

    let _running = home.run();
    let status = home.wait_status("prod read after the restart", |s| {
        s["sources"][0]["state"] == "reachable"
    });
    let before = status["sources"][0]["last_read"].clone();
    let status = home.wait_status("prod read again", |s| {
        s["sources"][0]["last_read"] != before
    });
    let incidents = status["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{status:#}");
    assert_eq!(incidents[0]["id"], id, "the same incident resumes");
    assert_eq!(incidents[0]["state"], "ringing");

    let code = status["ack_code"].as_str().expect("a code while ringing");
    let done = home.control(&format!(
        r#"{{"cmd":"ack","incident":null,"via":"window","code":"{code}"}}"#
    ));
    assert_eq!(done["reply"], "incidents", "{done}");
    am.wait_for_silence(LIMIT);
    // Read twice more (the alert now silenced there): still exactly one silence.
    for _ in 0..2 {
        let before = home.status()["sources"][0]["last_read"].clone();
        home.wait_status("prod read again", |s| {
            s["sources"][0]["last_read"] != before
        });
    }
    std::thread::sleep(Duration::from_secs(1));
    let silences = am.silences();
    let active: Vec<_> = silences
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"]["state"] == "active")
        .collect();
    assert_eq!(active.len(), 1, "{silences:#}");
    assert_eq!(home.status()["incidents"][0]["state"], "acknowledged");
}

/// Publishes `body` to the stand-in's topic as ntfy's JSON publish, over a raw loopback socket.
fn publish_json(ntfy: &Ntfy, body: &str) {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(ntfy.addr()).unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn a_resolved_message_about_something_else_does_not_end_a_ringing_page() {
    let ntfy = Ntfy::start();
    let topic = ntfy.topic_url("team-page");
    let founder = Home::new(&source(&format!(
        "[alarm]\nstop_on_recovery = true\n\n[[source]]\nname = \"team\"\nntfy = \"{topic}\"\n"
    )));
    let _running = founder.run();
    founder.wait_status("the topic followed", |s| {
        s["sources"][0]["state"] == "reachable"
    });
    ntfy.wait_for_subscribers("team-page", 1, LIMIT);
    let teammate = Home::new(&format!("[page]\nntfy = \"{topic}\"\n"));
    teammate
        .cmd()
        .args(["page", "checkout is down", "--from", "Alex", "--wait", "0s"])
        .assert()
        .success();
    founder.wait_status("the page ringing", |s| {
        s["incidents"][0]["state"] == "ringing"
    });
    // Another tool on the same topic says its own thing is fine again.
    publish_json(
        &ntfy,
        r#"{"topic":"team-page","title":"Backups OK","message":"done","tags":["resolved"]}"#,
    );
    ntfy.wait_for_messages("team-page", 2, LIMIT);
    std::thread::sleep(Duration::from_secs(2));
    let status = founder.status();
    assert_eq!(
        status["incidents"][0]["monitor"], "Page from Alex",
        "{status:#}"
    );
    assert_eq!(status["incidents"][0]["state"], "ringing", "{status:#}");
}

#[test]
fn a_second_page_from_the_same_teammate_rings_after_the_first_was_acknowledged() {
    let ntfy = Ntfy::start();
    let topic = ntfy.topic_url("team-page");
    let founder = Home::new(&source(&format!(
        "[[source]]\nname = \"team\"\nntfy = \"{topic}\"\n"
    )));
    let _running = founder.run();
    founder.wait_status("the topic followed", |s| {
        s["sources"][0]["state"] == "reachable"
    });
    ntfy.wait_for_subscribers("team-page", 1, LIMIT);
    let teammate = Home::new(&format!("[page]\nntfy = \"{topic}\"\n"));
    let page = |text: &str| {
        teammate
            .cmd()
            .args(["page", text, "--from", "Alex", "--wait", "0s"])
            .assert()
            .success();
    };
    page("checkout is down");
    founder.wait_status("the page ringing", |s| {
        s["incidents"][0]["state"] == "ringing"
    });
    founder.cmd().arg("ack").assert().success();
    // Acknowledged (and, once the pager is told, resolved): nothing rings.
    founder.wait_status("answered", |s| {
        s["incidents"]
            .as_array()
            .is_some_and(|all| all.iter().all(|i| i["state"] != "ringing"))
    });
    page("now the database is down too");
    let status = founder.wait_status("the second page ringing", |s| {
        s["incidents"]
            .as_array()
            .is_some_and(|all| all.iter().any(|i| i["state"] == "ringing"))
    });
    let ringing = status["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["state"] == "ringing")
        .unwrap();
    assert_eq!(
        ringing["reason"], "now the database is down too",
        "{status:#}"
    );
}
