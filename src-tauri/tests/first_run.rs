//! The guided first run's commands (mock runtime, real engine, real files): when the window
//! opens at the guide, how its end is remembered, the monitor guessed from one typed line, and
//! the phone put on the ladder in klaxon.toml beside the founder's comments.

#[allow(dead_code)]
mod support;

use klaxon_core::paths::Paths;
use serde_json::{Value, json};
use support::{invoke, start_app};

const HAND_WRITTEN: &str = "# Mine, by hand.\n[judge]\nconfirm = 0\nwitnesses = []\n";

fn home(config: &str) -> (tempfile::TempDir, Paths) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.toml");
    std::fs::write(&path, config).unwrap();
    let paths = Paths {
        config: path,
        data_dir: dir.path().join("data"),
    };
    (dir, paths)
}

#[test]
fn the_guide_is_due_until_it_is_skipped_and_never_after() {
    let (_dir, paths) = home(HAND_WRITTEN);
    let data = paths.data_dir.clone();
    let (_app, window) = start_app(paths);
    assert_eq!(
        invoke(&window, "first_run_due", Value::Null),
        Ok(json!(true))
    );
    invoke(&window, "first_run_end", json!({ "end": "skipped" })).unwrap();
    assert_eq!(
        invoke(&window, "first_run_due", Value::Null),
        Ok(json!(false))
    );
    let kept = std::fs::read_to_string(data.join("first-run")).unwrap();
    assert_eq!(kept.trim(), "skipped");
}

#[test]
fn a_config_that_already_watches_something_is_not_a_first_run() {
    let config = format!("{HAND_WRITTEN}\n[[monitor]]\nname = \"API\"\ntcp = \"127.0.0.1:9\"\n");
    let (_dir, paths) = home(&config);
    let (_app, window) = start_app(paths);
    assert_eq!(
        invoke(&window, "first_run_due", Value::Null),
        Ok(json!(false))
    );
}

#[test]
fn a_typed_line_comes_back_as_a_monitor_form_or_a_problem_with_the_target() {
    let (_dir, paths) = home(HAND_WRITTEN);
    let (_app, window) = start_app(paths);
    let form = invoke(
        &window,
        "guess_monitor",
        json!({ "typed": "db.acme.com:5432" }),
    )
    .unwrap();
    assert_eq!(form["name"], "db.acme.com");
    assert_eq!(form["kind"], "tcp");
    assert_eq!(form["original_name"], Value::Null);
    let refused = invoke(&window, "guess_monitor", json!({ "typed": "just words" })).unwrap_err();
    assert_eq!(refused["code"], "invalid");
    assert!(
        refused["message"].as_str().unwrap().starts_with("target: "),
        "{refused}"
    );
}

#[test]
fn the_phone_goes_on_the_ladder_once_after_the_siren_and_the_file_keeps_its_comments() {
    let config = format!(
        "{HAND_WRITTEN}\n[[channel]]\nname = \"phone\"\nkind = \"ntfy\"\nserver = \"http://127.0.0.1:9\"\ntopic = \"klaxon-sam\"\n"
    );
    let (_dir, paths) = home(&config);
    let path = paths.config.clone();
    let (_app, window) = start_app(paths);
    let said = invoke(
        &window,
        "put_phone_on_ladder",
        json!({ "channel": "phone" }),
    )
    .unwrap();
    assert!(
        said.as_str()
            .unwrap()
            .starts_with("phone is on the escalation ladder"),
        "{said}"
    );
    invoke(
        &window,
        "put_phone_on_ladder",
        json!({ "channel": "phone" }),
    )
    .unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with(HAND_WRITTEN), "{written}");
    assert!(
        written.contains(
            "steps = [\n  { after = \"0s\", notify = [\"siren\"] },\n  { after = \"3m\", notify = [\"phone\"] },\n]"
        ),
        "{written}"
    );
    let ladder = invoke(&window, "channel_settings", Value::Null).unwrap()["escalation"].clone();
    assert_eq!(ladder["steps"].as_array().unwrap().len(), 2, "{ladder}");
}
