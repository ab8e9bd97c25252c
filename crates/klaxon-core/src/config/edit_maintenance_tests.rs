use std::path::PathBuf;

use super::*;

const HAND_WRITTEN: &str = r#"# Sam's services.
[[monitor]]
name = "API"
url = "http://127.0.0.1:9/health"

[[monitor]]
name = "Database"
tcp = "127.0.0.1:5432"

# Deploys happen Sunday night; the database is backed up at 04:00.
[[maintenance]]
cron = "0 2 * * sun"   # Sunday 02:00
duration = "1h"
timezone = "Europe/Berlin"
"#;

fn document(text: &str) -> (tempfile::TempDir, PathBuf, ConfigDocument) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.toml");
    std::fs::write(&path, text).unwrap();
    let doc = ConfigDocument::read(&path).unwrap();
    (dir, path, doc)
}

/// Saturday 2026-11-28, noon in Berlin.
fn saturday_noon() -> Timestamp {
    "2026-11-28T11:00:00Z".parse().unwrap()
}

fn backup() -> MaintenanceForm {
    MaintenanceForm {
        cron: "0 4 * * *".into(),
        duration: "30m".into(),
        timezone: "Europe/Berlin".into(),
        monitors: vec!["Database".into()],
    }
}

#[test]
fn settings_lists_each_window_with_its_next_start_in_words() {
    let (_dir, _path, doc) = document(HAND_WRITTEN);
    let entries = doc.maintenance_entries(saturday_noon());
    assert_eq!(entries.len(), 1);
    let sunday = &entries[0];
    assert_eq!(sunday.form.cron, "0 2 * * sun");
    assert_eq!(sunday.form.timezone, "Europe/Berlin");
    assert!(
        sunday.form.monitors.is_empty(),
        "absent means every monitor"
    );
    // Sunday 2026-11-29 02:00 in Berlin is 01:00 UTC.
    assert_eq!(
        sunday.next_start,
        Some("2026-11-29T01:00:00Z".parse().unwrap())
    );
    assert_eq!(sunday.on_until, None);
    assert!(sunday.when.contains("02:00"), "{}", sunday.when);
    let during: Timestamp = "2026-11-29T01:30:00Z".parse().unwrap();
    assert_eq!(
        doc.maintenance_entries(during)[0].on_until,
        Some("2026-11-29T02:00:00Z".parse().unwrap())
    );
}

#[test]
fn a_window_added_in_settings_keeps_the_files_comments_and_reads_back() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    doc.put_maintenance(None, &backup()).unwrap();
    doc.save().unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with(HAND_WRITTEN), "{written}");
    assert!(
        written.contains("cron = \"0 4 * * *\"\nduration = \"30m\"\ntimezone = \"Europe/Berlin\"\nmonitors = [\"Database\"]"),
        "{written}"
    );
    let again = ConfigDocument::read(&path).unwrap();
    let entries = again.maintenance_entries(saturday_noon());
    assert_eq!(entries[1].form, backup());
    // 04:00 Berlin on Sunday 2026-11-29 is 03:00 UTC.
    assert_eq!(
        entries[1].next_start,
        Some("2026-11-29T03:00:00Z".parse().unwrap())
    );
}

#[test]
fn a_changed_window_keeps_its_comments_and_an_emptied_zone_becomes_the_machines() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    let form = MaintenanceForm {
        cron: "0 3 * * sun".into(),
        duration: "2h".into(),
        timezone: "".into(),
        monitors: vec!["API".into(), " ".into()],
    };
    doc.put_maintenance(Some(1), &form).unwrap();
    doc.save().unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(
        written.contains("# Deploys happen Sunday night"),
        "{written}"
    );
    assert!(
        written.contains("cron = \"0 3 * * sun\"   # Sunday 02:00"),
        "{written}"
    );
    assert!(!written.contains("timezone"), "{written}");
    assert!(written.contains("monitors = [\"API\"]"), "{written}");
}

#[test]
fn a_wrong_pattern_zone_or_monitor_is_named_by_its_field_and_nothing_is_written() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    let cases = [
        (
            "cron",
            MaintenanceForm {
                cron: "every sunday".into(),
                ..backup()
            },
        ),
        (
            "duration",
            MaintenanceForm {
                duration: "forever".into(),
                ..backup()
            },
        ),
        (
            "timezone",
            MaintenanceForm {
                timezone: "Mars/Olympus".into(),
                ..backup()
            },
        ),
        (
            "monitors",
            MaintenanceForm {
                monitors: vec!["Nope".into()],
                ..backup()
            },
        ),
        (
            "cron",
            MaintenanceForm {
                cron: " ".into(),
                ..backup()
            },
        ),
    ];
    for (field, form) in cases {
        let mut attempt = doc.clone();
        let problems = attempt.put_maintenance(None, &form).unwrap_err();
        assert!(
            problems.iter().any(|p| p.field == field),
            "{field}: {problems:?}"
        );
    }
    let problems = doc.put_maintenance(Some(7), &backup()).unwrap_err();
    assert!(problems[0].message.contains("number 7"), "{problems:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), HAND_WRITTEN);
}

#[test]
fn deleting_the_last_window_leaves_no_empty_maintenance_behind() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    assert!(doc.delete_maintenance(2).is_err());
    doc.delete_maintenance(1).unwrap();
    doc.save().unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(!written.contains("maintenance"), "{written}");
    assert!(written.contains("name = \"Database\""), "{written}");
}
