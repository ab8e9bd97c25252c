//! Maintenance windows through Settings' commands (mock runtime, real engine, real file): a
//! window added in the window lands in klaxon.toml under the founder's comments, the engine
//! takes it up at once, and a wrong field is named.

#[allow(dead_code)]
mod support;

use klaxon_core::paths::Paths;
use serde_json::{Value, json};
use support::{invoke, start_app, wait_until};

const HAND_WRITTEN: &str = "# Sam's.\n[alarm]\nraise_system_volume = false  # my speakers\n\n[judge]\nwitnesses = []\n\n[[monitor]]\nname = \"API\"\nurl = \"http://127.0.0.1:9/\"\nevery = \"1h\"\n";

fn home() -> (tempfile::TempDir, Paths) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.toml");
    std::fs::write(&path, HAND_WRITTEN).unwrap();
    let paths = Paths {
        config: path,
        data_dir: dir.path().join("data"),
    };
    (dir, paths)
}

#[test]
fn a_window_saved_in_settings_is_in_the_file_and_on_in_the_engine_at_once() {
    let (_dir, paths) = home();
    let config = paths.config.clone();
    let (_app, window) = start_app(paths);
    assert_eq!(
        invoke(&window, "maintenance", Value::Null).unwrap(),
        json!([])
    );

    // Every minute, for a day: a window is on whenever this test runs.
    let always =
        json!({ "cron": "* * * * *", "duration": "1d", "timezone": "UTC", "monitors": ["API"] });
    let said = invoke(
        &window,
        "save_maintenance",
        json!({ "position": null, "form": always }),
    )
    .unwrap();
    assert!(
        said.as_str().unwrap().contains("Maintenance window saved"),
        "{said}"
    );
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.starts_with(HAND_WRITTEN), "{text}");
    assert!(
        text.contains("[[maintenance]]\ncron = \"* * * * *\""),
        "{text}"
    );

    let listed = invoke(&window, "maintenance", Value::Null).unwrap();
    assert_eq!(listed[0]["form"]["monitors"], json!(["API"]));
    assert!(listed[0]["next_start"].is_string(), "{listed}");
    assert!(listed[0]["on_until"].is_string(), "{listed}");
    let status = wait_until(&window, "the window in the status", |s| {
        s["maintenance"].as_array().is_some_and(|m| m.len() == 1)
    });
    assert_eq!(status["maintenance"][0]["monitors"], json!(["API"]));
    // The API (a closed port) is down, and in maintenance nothing rings.
    let held = wait_until(&window, "the API seen down", |s| {
        s["monitors"][0]["state"] == "down"
    });
    assert_eq!(held["incidents"], json!([]), "{held:#}");

    // A wrong zone is named by its field, and the file is left as it was.
    let before = std::fs::read_to_string(&config).unwrap();
    let wrong = json!({ "cron": "0 2 * * sun", "duration": "1h", "timezone": "Mars/Olympus", "monitors": [] });
    let refused = invoke(
        &window,
        "save_maintenance",
        json!({ "position": 1, "form": wrong }),
    )
    .unwrap_err();
    assert_eq!(refused["code"], "invalid", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .starts_with("timezone:"),
        "{refused}"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);

    invoke(&window, "delete_maintenance", json!({ "position": 1 })).unwrap();
    // The outage held through the window opens its incident as soon as the window is gone.
    let after = wait_until(&window, "the held outage to ring", |s| {
        s["incidents"][0]["state"] == "ringing"
    });
    assert!(after.get("maintenance").is_none(), "{after:#}");
    let gone = invoke(&window, "delete_maintenance", json!({ "position": 1 })).unwrap_err();
    assert!(
        gone["message"]
            .as_str()
            .unwrap()
            .contains("no maintenance window number 1"),
        "{gone}"
    );
}
