//! `klaxon import` end to end: the real binary on the tools' own documented files (the
//! fixtures beside klaxon-core's mappers, whose README says where each came from), against a
//! klaxon.toml with the user's comments in it.

mod support;

use std::path::PathBuf;

use predicates::prelude::*;
use support::*;

const MINE: &str = "# My services — written by hand.\n\n[alarm]\nsound = \"siren\"    # the loud one\n\n[[monitor]]\nname = \"website\"    # already watched: the import must leave it alone\nurl = \"http://127.0.0.1:9/\"\n";

fn fixture(name: &str) -> PathBuf {
    crate_dir()
        .join("../crates/klaxon-core/src/config/import/fixtures")
        .join(name)
}

#[test]
fn an_import_adds_the_monitors_keeps_the_comments_and_the_result_is_valid() {
    let home = Home::new(MINE);
    home.cmd()
        .args(["import", "gatus"])
        .arg(fixture("gatus-readme.yaml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Added 1 monitor to"))
        .stdout(predicate::str::contains("+ make-sure-header-is-rendered"))
        .stdout(predicate::str::contains(
            r#"endpoints[1] "website": klaxon.toml already has a monitor of this name; it is left as it is"#,
        ));
    home.cmd()
        .args(["import", "uptime-kuma"])
        .arg(fixture("uptime-kuma-backup.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Added 8 monitors to"))
        .stdout(predicate::str::contains(
            r#"monitorList[7] "Router": a monitor of type "ping" has no Klaxon equivalent"#,
        ))
        .stdout(predicate::str::contains(
            r#"! monitorList[2] "API health": maxretries 3 (retryInterval 20) has no per-monitor equivalent in Klaxon"#,
        ))
        .stdout(predicate::str::contains("hunter2").not());
    let written = std::fs::read_to_string(home.config()).unwrap();
    assert!(
        written.starts_with(MINE),
        "the user's part changed:\n{written}"
    );
    assert!(
        !written.contains("abc123"),
        "a credential reached klaxon.toml"
    );
    home.cmd()
        .args(["config", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("is valid: 10 monitors"));
}

#[test]
fn a_dry_run_shows_what_would_be_added_and_changes_nothing() {
    let home = Home::new(MINE);
    home.cmd()
        .args(["import", "gatus", "--dry-run"])
        .arg(fixture("gatus-config.yaml"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Would add 7 monitors to",
        ))
        .stdout(predicate::str::contains("dry run: nothing was written"))
        .stdout(predicate::str::contains(
            r#"! endpoints[7] "check-domain-expiration": condition "[DOMAIN_EXPIRATION] > 720h" has no Klaxon equivalent"#,
        ));
    assert_eq!(std::fs::read_to_string(home.config()).unwrap(), MINE);
}

#[test]
fn a_malformed_file_is_refused_with_its_file_and_line_and_changes_nothing() {
    let home = Home::new(MINE);
    let bad = home.dir.path().join("config.yaml");
    std::fs::write(
        &bad,
        "endpoints:\n  - name: api\n    url: \"https://e.example\n",
    )
    .unwrap();
    home.cmd()
        .args(["import", "gatus"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "cannot import {}: line ",
            bad.display()
        )))
        .stderr(predicate::str::contains("it is not valid YAML"));
    let bad = home.dir.path().join("backup.json");
    std::fs::write(
        &bad,
        "{\n  \"monitorList\": [\n    {\"name\": \"a\" \"type\": \"http\"}\n  ]\n}\n",
    )
    .unwrap();
    home.cmd()
        .args(["import", "uptime-kuma"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("backup.json: line 3, column "));
    assert_eq!(std::fs::read_to_string(home.config()).unwrap(), MINE);
}

#[test]
fn hostile_names_are_escaped_and_a_huge_file_is_refused() {
    let home = Home::new(MINE);
    let hostile = home.dir.path().join("config.yaml");
    std::fs::write(
        &hostile,
        "endpoints:\n  - name: \"api\\e[2J\\e[HALL GOOD\\u202E\"\n    url: \"https://e.example/\\e]0;x\"\n    group: \"\\e[31mred\"\n",
    )
    .unwrap();
    let out = home
        .cmd()
        .args(["import", "gatus"])
        .arg(&hostile)
        .assert()
        .success()
        .get_output()
        .clone();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !said.contains('\u{1b}'),
        "a raw escape reached the terminal: {said:?}"
    );
    assert!(
        !said.contains('\u{202e}'),
        "a bidi override reached the terminal: {said:?}"
    );
    assert!(said.contains(r"api\u{1b}[2J"), "{said}");
    let written = std::fs::read_to_string(home.config()).unwrap();
    assert!(!written.contains('\u{1b}'));
    home.cmd().args(["config", "check"]).assert().success();

    let huge = home.dir.path().join("huge.json");
    let mut text = String::from("{\"monitorList\": [");
    text.push_str(&" ".repeat(9 * 1024 * 1024));
    text.push_str("]}");
    std::fs::write(&huge, text).unwrap();
    home.cmd()
        .args(["import", "uptime-kuma"])
        .arg(&huge)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is larger than 8388608 bytes"));
}
