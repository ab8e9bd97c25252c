use super::*;
use crate::domain::states::MonitorKind;

const HAND_WRITTEN: &str = r#"# My services. Klaxon wakes me when one is down.

[judge]
witnesses = []   # loopback only

# The one that pays the bills.
[[monitor]]
name = "API"
url = "http://127.0.0.1:8080/health"
every = "30s"   # twice a minute is enough
expect = { status = 200, max_latency = "2s" }
headers = { Authorization = "Bearer {secret:api-token}" }

# Postgres behind it.
[[monitor]]
name = "DB"
tcp = "127.0.0.1:5432"
"#;

fn document(text: &str) -> (tempfile::TempDir, PathBuf, ConfigDocument) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.toml");
    std::fs::write(&path, text).unwrap();
    let doc = ConfigDocument::read(&path).unwrap();
    (dir, path, doc)
}

fn new_monitor(name: &str, kind: &str, target: &str) -> MonitorForm {
    MonitorForm {
        name: name.into(),
        kind: kind.parse().expect("a monitor kind"),
        target: target.into(),
        every: "10s".into(),
        ..MonitorForm::default()
    }
}

#[test]
fn the_form_shows_each_monitor_as_written_in_the_file() {
    let (_dir, _path, doc) = document(HAND_WRITTEN);
    let forms = doc.monitor_forms();
    assert_eq!(forms.len(), 2);
    assert_eq!(forms[0].original_name.as_deref(), Some("API"));
    assert_eq!(forms[0].kind, MonitorKind::Http);
    assert_eq!(forms[0].target, "http://127.0.0.1:8080/health");
    assert_eq!(forms[0].expect_status, "200");
    assert_eq!(forms[0].header_name, "Authorization");
    assert_eq!(forms[0].header_value, "Bearer {secret:api-token}");
    assert_eq!(forms[1].kind, MonitorKind::Tcp);
    assert_eq!(forms[1].every, "");
}

#[test]
fn adding_a_monitor_keeps_every_comment_and_the_order_of_the_file() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    doc.put_monitor(&new_monitor("Web", "http", "http://127.0.0.1:9000/"))
        .unwrap();
    let config = doc.save().unwrap();
    let names: Vec<_> = config.monitors.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["API", "DB", "Web"]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with(HAND_WRITTEN),
        "the old text changed:\n{text}"
    );
    assert!(text.contains("name = \"Web\"\nurl = \"http://127.0.0.1:9000/\"\nevery = \"10s\""));
}

#[test]
fn editing_a_monitor_changes_only_its_fields_and_keeps_its_comments_and_other_keys() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    let mut api = doc.monitor_forms().remove(0);
    api.name = "Public API".into();
    api.every = "15s".into();
    api.expect_status = "200-299".into();
    doc.put_monitor(&api).unwrap();
    doc.save().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# The one that pays the bills.\n[[monitor]]\nname = \"Public API\""));
    assert!(
        text.contains("every = \"15s\"   # twice a minute is enough"),
        "{text}"
    );
    // max_latency is not on the form, and stays.
    assert!(
        text.contains(r#"expect = { status = "200-299", max_latency = "2s" }"#),
        "{text}"
    );
    assert!(text.contains("# Postgres behind it."));
    assert_eq!(
        ConfigDocument::read(&path).unwrap().monitor_forms().len(),
        2
    );
}

#[test]
fn changing_the_kind_replaces_the_target_key() {
    let (_dir, _path, mut doc) = document(HAND_WRITTEN);
    let mut db = doc.monitor_forms().remove(1);
    db.kind = MonitorKind::Tls;
    db.target = "127.0.0.1:5433".into();
    doc.put_monitor(&db).unwrap();
    let text = doc.text();
    assert!(text.contains("tls = \"127.0.0.1:5433\""));
    assert!(!text.contains("tcp ="));
}

#[test]
fn problems_are_named_by_the_form_field_they_belong_to() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    let mut bad = new_monitor("DB", "tcp", "no-port-here");
    bad.every = "soon".into();
    let problems = doc.put_monitor(&bad).unwrap_err();
    let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
    assert!(
        fields.contains(&"name"),
        "duplicate name not reported: {problems:?}"
    );
    assert!(fields.contains(&"every"), "{problems:?}");
    assert!(fields.contains(&"target"), "{problems:?}");
    // Nothing was written.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), HAND_WRITTEN);
}

#[test]
fn an_empty_form_says_what_is_missing_before_parsing() {
    let (_dir, _path, mut doc) = document("");
    let problems = doc.put_monitor(&new_monitor(" ", "http", "")).unwrap_err();
    assert_eq!(
        problems,
        [
            FieldProblem::new("name", "give the monitor a name"),
            FieldProblem::new("target", "say what to check"),
        ]
    );
}

#[test]
fn the_first_monitor_goes_into_a_file_that_does_not_exist_yet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("conf/klaxon.toml");
    let mut doc = ConfigDocument::read(&path).unwrap();
    doc.put_monitor(&new_monitor("Cache", "tcp", "127.0.0.1:6379"))
        .unwrap();
    doc.save().unwrap();
    let config = Config::load(&path).unwrap();
    assert_eq!(config.monitors[0].name, "Cache");
}

#[test]
fn deleting_a_monitor_removes_its_table_only() {
    let (_dir, _path, mut doc) = document(HAND_WRITTEN);
    doc.delete_monitor("API").unwrap();
    let config = doc.save().unwrap();
    assert_eq!(config.monitors.len(), 1);
    assert!(doc.text().contains("# Postgres behind it."));
    let err = doc.delete_monitor("Nope").unwrap_err().to_string();
    assert_eq!(err, "there is no monitor named \"Nope\"");
}

#[test]
fn alarm_and_witnesses_are_written_where_the_engine_reads_them() {
    let (_dir, _path, mut doc) = document(HAND_WRITTEN);
    let mut alarm = AlarmForm::from(&doc.parse().unwrap().alarm);
    alarm.sound = "siren".into();
    alarm.start_volume = 0.3;
    alarm.full_volume_after = "20s".into();
    doc.set_alarm(&alarm);
    doc.set_witnesses(&["127.0.0.1:53".into(), " ".into()]);
    let config = doc.save().unwrap();
    assert_eq!(config.alarm.sound, crate::config::SoundChoice::Siren);
    assert_eq!(config.alarm.start_volume, 0.3);
    assert_eq!(config.alarm.full_volume_after.as_secs(), 20);
    assert_eq!(config.judge.witnesses, ["127.0.0.1:53"]);
    assert!(doc.text().contains("start_volume = 0.3\n"));
}

#[test]
fn a_refused_save_leaves_the_file_as_it_was_and_says_where() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    let mut alarm = AlarmForm::from(&doc.parse().unwrap().alarm);
    alarm.harsh_after = "later".into();
    doc.set_alarm(&alarm);
    let err = doc.save().unwrap_err().to_string();
    assert!(err.contains("alarm.harsh_after"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), HAND_WRITTEN);
}

#[test]
fn a_file_that_is_not_toml_is_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.toml");
    let broken = "[[monitor]\nname = ";
    std::fs::write(&path, broken).unwrap();
    let err = ConfigDocument::read(&path).unwrap_err().to_string();
    assert!(err.contains("cannot be read as TOML"), "{err}");
    // What the user wrote is still there, byte for byte: nothing "repaired" it.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["klaxon.toml"], "no other file was left beside it");
}

#[test]
fn a_first_monitor_goes_after_the_starters_comments_so_uncommenting_witnesses_still_works() {
    let (_dir, _path, mut doc) = document(crate::config::STARTER);
    let form = MonitorForm {
        name: "API".into(),
        kind: MonitorKind::Http,
        target: "http://127.0.0.1:8080/health".into(),
        ..MonitorForm::default()
    };
    doc.put_monitor(&form).unwrap();
    let written = doc.text();
    // The [judge] section keeps its comments, and the monitor starts after a blank line.
    assert!(
        written.starts_with(crate::config::STARTER.trim_end()),
        "{written}"
    );
    assert!(
        written.contains("# min_days = 14\n\n[[monitor]]\nname = \"API\""),
        "{written}"
    );
    // The user does what the file invites: uncomment the witnesses line.
    let edited = written.replace("# witnesses = [", "witnesses = [");
    let config = Config::parse(&edited, Path::new("klaxon.toml")).unwrap();
    assert_eq!(config.judge.witnesses.len(), 3);
    assert_eq!(config.monitors[0].name, "API");
}

#[test]
fn a_new_monitor_goes_after_the_last_one_and_before_the_next_tables_comments() {
    let text = format!(
        "{HAND_WRITTEN}\n# The phone.\n[[channel]]\nname = \"phone\"\nkind = \"ntfy\"\ntopic = \"t\"\n# trailing note\n"
    );
    let (_dir, _path, mut doc) = document(&text);
    let form = MonitorForm {
        name: "Web".into(),
        kind: MonitorKind::Tcp,
        target: "127.0.0.1:80".into(),
        ..MonitorForm::default()
    };
    doc.put_monitor(&form).unwrap();
    let written = doc.text();
    assert!(
        written.contains("tcp = \"127.0.0.1:5432\"\n\n[[monitor]]\nname = \"Web\"\ntcp = \"127.0.0.1:80\"\n\n# The phone.\n[[channel]]"),
        "{written}"
    );
    assert!(written.ends_with("# trailing note\n"), "{written}");
}

#[cfg(unix)]
#[test]
fn saving_through_a_linked_config_updates_the_dotfile_and_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let dotfiles = dir.path().join("dotfiles");
    std::fs::create_dir(&dotfiles).unwrap();
    let real = dotfiles.join("klaxon.toml");
    std::fs::write(&real, HAND_WRITTEN).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("klaxon.toml");
    std::os::unix::fs::symlink("dotfiles/klaxon.toml", &link).unwrap();

    let mut doc = ConfigDocument::read(&link).unwrap();
    doc.delete_monitor("DB").unwrap();
    doc.save().unwrap();

    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written = std::fs::read_to_string(&real).unwrap();
    assert!(!written.contains("name = \"DB\""), "{written}");
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(
        std::fs::read_dir(&dotfiles).unwrap().count(),
        1,
        "a temp file was left"
    );
}

#[test]
fn a_save_that_fails_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    // A directory in the config's place: the temp file is written, then cannot replace it.
    let path = dir.path().join("klaxon.toml");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("inside"), "").unwrap();
    let mut doc = ConfigDocument::empty(&path);
    doc.set_witnesses(&["127.0.0.1:53".into()]);
    let e = doc.save().unwrap_err();
    assert!(e.to_string().contains("klaxon.toml"), "{e}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("klaxon.toml")]);
}
