//! The edges of an import: the user's file, names already taken, bad and hostile input.

use super::*;
use crate::config::bounds;

const MINE: &str = "# my monitors\n[alarm]\nsound = \"siren\"   # loud\n\n[[monitor]]\nname = \"website\"  # mine, keep it\nurl = \"https://mine.example.com\"\n";

#[test]
fn an_import_keeps_the_files_comments_and_never_overwrites_a_name() {
    let (report, written, config) = imported(ImportSource::Gatus, "gatus-readme.yaml", MINE);
    assert!(
        written.starts_with(MINE),
        "the user's part changed:\n{written}"
    );
    assert_eq!(names(&report), ["make-sure-header-is-rendered"]);
    assert_eq!(skipped(&report), [("website", SkipReason::NameTaken)]);
    assert_eq!(config.monitors.len(), 2);
}

#[test]
fn a_dry_run_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("klaxon.toml");
    std::fs::write(&config, MINE).expect("write");
    let (path, text) = fixture("gatus-config.yaml");
    let report = import(ImportSource::Gatus, &path, &text, &config, true).expect("import");
    assert!(report.dry_run);
    assert_eq!(report.added.len(), 7);
    assert_eq!(std::fs::read_to_string(&config).expect("read"), MINE);
}

#[test]
fn malformed_yaml_and_json_are_refused_with_their_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("klaxon.toml");
    let file = dir.path().join("config.yaml");
    let yaml = "endpoints:\n  - name: a\n    url: [unclosed\n  - name: b\n";
    let e = import(ImportSource::Gatus, &file, yaml, &config, false).unwrap_err();
    let said = e.to_string();
    assert!(
        said.starts_with(&format!("cannot import {}: line ", file.display())),
        "{said}"
    );
    assert!(said.contains("is not valid YAML"), "{said}");
    let json =
        "{\n  \"version\": \"1.23.0\",\n  \"monitorList\": [\n    {\"name\": \"a\",}\n  ]\n}";
    let e = import(ImportSource::UptimeKuma, &file, json, &config, false).unwrap_err();
    assert!(e.to_string().contains(": line 4, column "), "{e}");
    assert!(!config.exists(), "nothing may be written");
}

#[test]
fn a_file_of_the_wrong_tool_says_what_it_lacks() {
    let e = import(
        ImportSource::UptimeKuma,
        Path::new("config.yaml"),
        "[1, 2]",
        Path::new("/nonexistent/klaxon.toml"),
        true,
    )
    .unwrap_err();
    assert!(e.to_string().contains("not an Uptime Kuma backup"), "{e}");
    let e = import(
        ImportSource::Gatus,
        Path::new("backup.json"),
        "{\"version\": \"1.23\", \"monitorList\": []}",
        Path::new("/nonexistent/klaxon.toml"),
        true,
    )
    .unwrap_err();
    assert!(e.to_string().contains("no `endpoints` list"), "{e}");
}

#[test]
fn a_huge_file_or_too_many_monitors_is_refused() {
    let huge = "#".repeat(usize::try_from(bounds::IMPORT_BYTES).unwrap_or(usize::MAX) + 1);
    let e = import(
        ImportSource::Gatus,
        Path::new("big.yaml"),
        &huge,
        Path::new("k.toml"),
        true,
    )
    .unwrap_err();
    assert!(e.to_string().contains("larger than 8388608 bytes"), "{e}");
    let mut many = String::from("endpoints:\n");
    for i in 0..=bounds::IMPORT_MONITORS {
        many.push_str(&format!(
            "  - {{name: m{i}, url: 'https://e.example/{i}'}}\n"
        ));
    }
    let e = import(
        ImportSource::Gatus,
        Path::new("many.yaml"),
        &many,
        Path::new("k.toml"),
        true,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("501 monitors; an import reads at most 500"),
        "{e}"
    );
}

#[test]
fn control_characters_in_a_name_are_spelled_out_and_said() {
    let report = dry_text(
        ImportSource::Gatus,
        "endpoints:\n  - name: \"evil\\e[2J\\u202Eoops\"\n    url: https://e.example\n",
    );
    assert_eq!(names(&report), ["evil\\u{1b}[2J\\u{202e}oops"]);
    assert!(!report.added[0].from.contains('\u{1b}'));
    assert!(sentences(&report)[0].contains("has control characters"));
}

#[test]
fn what_klaxons_config_refuses_is_left_out_with_its_words() {
    let report = dry_text(
        ImportSource::Gatus,
        "endpoints:\n  - name: good\n    url: https://e.example\n  - name: bad\n    url: 'https://'\n",
    );
    assert_eq!(names(&report), ["good"]);
    assert_eq!(report.skipped[0].reason, SkipReason::Invalid);
    assert!(
        report.skipped[0].detail.contains("url: "),
        "{:?}",
        report.skipped
    );
}

#[test]
fn an_invalid_klaxon_toml_is_not_imported_into() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("klaxon.toml");
    std::fs::write(&config, "[[monitor]]\nname = \"x\"\n").expect("write");
    let (path, text) = fixture("gatus-readme.yaml");
    let e = import(ImportSource::Gatus, &path, &text, &config, false).unwrap_err();
    assert!(e.to_string().contains("fix it first"), "{e}");
}

#[test]
fn gatus_durations_are_read_as_go_writes_them() {
    use std::time::Duration;
    let d = |t: &str| gatus::go_duration_text(t);
    assert_eq!(d("5m"), Ok(Duration::from_secs(300)));
    assert_eq!(d("1h30m"), Ok(Duration::from_secs(5400)));
    assert_eq!(d("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(d("1.5s"), Ok(Duration::from_millis(1500)));
    assert_eq!(d("5 minutes"), Err(()));
    assert_eq!(spec::duration_text(Duration::from_secs(5400)), "1h 30m");
    assert_eq!(spec::duration_text(Duration::from_millis(1500)), "1500ms");
}

#[test]
fn the_tool_is_named_as_on_the_command_line() {
    assert_eq!(ImportSource::named("gatus"), Ok(ImportSource::Gatus));
    assert_eq!(
        ImportSource::named("uptime-kuma"),
        Ok(ImportSource::UptimeKuma)
    );
    assert!(ImportSource::named("nagios").is_err());
}

#[test]
fn a_gatus_environment_variable_is_said_not_silently_kept() {
    let report = dry_text(
        ImportSource::Gatus,
        "endpoints:\n  - name: api\n    url: \"https://api.example.com/health\"\n    headers:\n      X-Env: \"${STAGE}\"\n    body: \"costs $$5\"\n",
    );
    assert_eq!(
        sentences(&report),
        [
            r#"endpoints[1] "api": headers.X-Env "${STAGE}" uses an environment variable, which Gatus expands and Klaxon does not: written as it is"#
        ]
    );
}

#[test]
fn a_password_in_a_url_becomes_a_secret_and_is_never_written_or_repeated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("klaxon.toml");
    let gatus = "endpoints:\n  - name: Admin API\n    url: https://admin:hunter2@api.example.com/health\n  - name: db\n    url: tcp://bob:hunter2@db.example.com:5432\n  - name: resolver\n    url: udp://eve:hunter2@dns-server/\n    dns:\n      query-name: example.com\n";
    let report = import(
        ImportSource::Gatus,
        Path::new("g.yaml"),
        gatus,
        &config,
        false,
    )
    .expect("import");
    let kuma = r#"{"monitorList": [{"name": "Shop", "type": "http", "url": "http://shop:hunter2@shop.example.com/"}]}"#;
    let kuma = import(
        ImportSource::UptimeKuma,
        Path::new("k.json"),
        kuma,
        &config,
        false,
    )
    .expect("import");
    let written = std::fs::read_to_string(&config).expect("read");
    let said = format!("{report:?}\n{kuma:?}");
    assert!(!written.contains("hunter2"), "written:\n{written}");
    assert!(!said.contains("hunter2"), "said:\n{said}");
    assert!(
        written
            .contains("url = \"https://admin:{secret:admin-api-password}@api.example.com/health\""),
        "{written}"
    );
    assert!(
        written.contains("tcp = \"db.example.com:5432\""),
        "{written}"
    );
    assert!(
        written.contains("url = \"http://shop:{secret:shop-password}@shop.example.com/\""),
        "{written}"
    );
    assert!(
        sentences(&report)
            .iter()
            .any(|s| s.contains("klaxon secret set admin-api-password")),
        "{:?}",
        sentences(&report)
    );
    assert!(
        sentences(&kuma)
            .iter()
            .any(|s| s.contains("klaxon secret set shop-password")),
        "{:?}",
        sentences(&kuma)
    );
}

#[test]
fn yaml_nested_thousands_deep_is_refused_with_its_line_before_it_is_read() {
    let text = format!("endpoints:\n  - name: a\n    url: {}\n", "[".repeat(20_000));
    let e = import(
        ImportSource::Gatus,
        Path::new("deep.yaml"),
        &text,
        Path::new("k.toml"),
        true,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("line 3: it nests [ ] and { } more than 128 deep"),
        "{e}"
    );
}
