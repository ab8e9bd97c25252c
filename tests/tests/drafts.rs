//! After the outage, from the terminal: an incident recorded by a real run against a loopback
//! server, the founder's notes on it, and the drafts written from both.

mod support;

use predicates::prelude::*;
use support::*;

/// A real outage: up, down, acknowledged, back. Returns the incident's id.
fn recorded_outage(home: &Home) -> i64 {
    let server = HttpServer::start();
    home.write_config(&format!(
        "[product]\nname = \"Acme Invoices\"\ncompany = \"Acme Ltd\"\nsignature = \"Sam Carter, founder\"\n\n{}",
        fast_config(closed_port(), &http_monitor("API", &server.url()))
    ));
    let running = home.run();
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let addr = server.stop();
    home.wait_status("an incident", |s| s["incidents"][0]["state"] == "ringing");
    home.cmd().arg("ack").assert().success();
    let _server = HttpServer::start_on(addr);
    home.wait_status("recovery", |s| {
        s["incidents"].as_array().is_some_and(|i| i.is_empty())
    });
    drop(running);
    home.history()[0]["id"].as_i64().unwrap()
}

#[test]
fn a_draft_shows_what_is_missing_until_the_notes_are_written() {
    let home = Home::new("");
    let id = recorded_outage(&home);
    let incident = id.to_string();

    // Before any notes: the facts Klaxon knows, and visible markers for the rest.
    let before = home
        .cmd()
        .args([
            "draft",
            &incident,
            "--kind",
            "apology",
            "--customer",
            "Dana",
        ])
        .args(["--tz", "Europe/Berlin"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Still missing"))
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&before.stdout);
    assert!(
        text.starts_with("Subject: I'm sorry about Acme Invoices"),
        "{text}"
    );
    assert!(text.contains("Hi Dana,"), "{text}");
    assert!(
        text.contains("[add: what caused it, in plain words]"),
        "{text}"
    );
    assert!(text.contains("Sam Carter, founder"), "{text}");
    // A few seconds of outage, in Berlin's time (CET or CEST, never UTC).
    assert!(
        text.contains("minute") || text.contains("less than a minute"),
        "{text}"
    );
    assert!(text.contains(" CET") || text.contains(" CEST"), "{text}");
    assert!(!text.contains("{{"), "{text}");

    home.cmd()
        .args(["note", &incident])
        .args(["--cause", "a deploy pointed the API at the old database"])
        .args(["--fix", "we rolled the deploy back"])
        .args(["--prevent", "deploys wait for a health check"])
        .args(["--prevent", "a second person is paged after 10 minutes"])
        .args(["--impact", "the invoice page did not load"])
        .args(["--data-loss", "none"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "cause       a deploy pointed the API",
        ));
    // A later note adds without erasing what is there.
    home.cmd()
        .args(["note", &incident, "--offer", "I've added a month's credit"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "fix         we rolled the deploy back",
        ));

    let after = home
        .cmd()
        .args([
            "draft",
            &incident,
            "--kind",
            "postmortem",
            "--tone",
            "formal",
            "--save",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("Still missing").not())
        .stderr(predicate::str::contains("Saved as draft #1"))
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&after.stdout);
    assert!(
        text.contains("Root cause: A deploy pointed the API at the old database."),
        "{text}"
    );
    assert!(
        text.contains("- [ ] deploys wait for a health check"),
        "{text}"
    );
    assert!(text.contains("Alarm acknowledged (via cli)"), "{text}");
    assert!(!text.contains("[add:"), "{text}");
}

#[test]
fn bad_draft_requests_say_what_is_wrong() {
    let home = Home::new("");
    let id = recorded_outage(&home).to_string();
    home.cmd()
        .args(["draft", &id, "--tz", "Mars/Olympus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "\"Mars/Olympus\" is not a time zone",
        ));
    home.cmd()
        .args(["draft", &id, "--kind", "poem"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"poem\" is not a draft kind"));
    home.cmd()
        .args(["note", "99", "--cause", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no incident 99"));
}
