//! Settings and history through the window's commands (mock runtime, real engine, real files):
//! what a founder does in the window lands in klaxon.toml, keeps their comments, and the engine
//! acts on it at once.

mod support;

use klaxon_core::paths::Paths;
use serde_json::{Value, json};
use support::{app_with_an_outage, http_server, invoke, start_app, wait_until};

const HAND_WRITTEN: &str = "# My services.\n[alarm]\nraise_system_volume = false  # my speakers\n\n[judge]\nconfirm = 0\nwitnesses = []\n";

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

fn form(name: &str, target: &str) -> Value {
    json!({
        "original_name": null, "name": name, "kind": "http", "target": target,
        "every": "1s", "timeout": "1s", "expect_status": "", "body_contains": "",
        "header_name": "", "header_value": ""
    })
}

fn names(status: &Value) -> Vec<String> {
    status["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_monitor_added_in_settings_is_checked_at_once_and_the_file_keeps_its_comments() {
    let (addr, _server) = http_server(usize::MAX);
    let (_dir, paths) = home(HAND_WRITTEN);
    let config = paths.config.clone();
    let (_app, window) = start_app(paths);
    let settings = invoke(&window, "settings", Value::Null).unwrap();
    assert_eq!(settings["monitors"], json!([]));
    assert_eq!(settings["alarm"]["raise_system_volume"], false);

    // As the user types: problems named by field.
    let mut typing = form("API", "http://");
    typing["every"] = json!("soon");
    let problems = invoke(&window, "validate_monitor", json!({ "form": typing })).unwrap();
    let fields: Vec<&str> = problems
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"every") && fields.contains(&"target"),
        "{problems}"
    );

    // Check now: the real outcome, up and down.
    let url = format!("http://{addr}/health");
    let up = invoke(
        &window,
        "check_monitor",
        json!({ "form": form("API", &url) }),
    )
    .unwrap();
    assert_eq!(up["ok"], true, "{up}");
    assert!(
        up["reason"].as_str().unwrap().starts_with("HTTP 200 OK"),
        "{up}"
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = invoke(
        &window,
        "check_monitor",
        json!({ "form": form("API", &format!("http://{closed}/")) }),
    )
    .unwrap();
    assert_eq!(down["ok"], false);
    assert!(
        down["reason"].as_str().unwrap().contains("refused"),
        "{down}"
    );

    // Save: written to the same file, comments kept, and the engine checks it.
    let saved = invoke(
        &window,
        "save_monitor",
        json!({ "form": form("API", &url) }),
    )
    .unwrap();
    assert!(saved.as_str().unwrap().starts_with("API saved"), "{saved}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.starts_with(HAND_WRITTEN), "{text}");
    wait_until(&window, "API up", |s| s["monitors"][0]["state"] == "up");

    // Rename it; the old name goes, the new one is checked.
    let mut renamed = form("Public API", &url);
    renamed["original_name"] = json!("API");
    invoke(&window, "save_monitor", json!({ "form": renamed })).unwrap();
    wait_until(&window, "the new name", |s| names(s) == ["Public API"]);

    // A refused save says why and leaves the file alone.
    let before = std::fs::read_to_string(&config).unwrap();
    let refused = invoke(&window, "save_monitor", json!({ "form": form("", &url) })).unwrap_err();
    assert_eq!(refused["code"], "invalid");
    assert_eq!(refused["message"], "name: give the monitor a name");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);

    invoke(&window, "delete_monitor", json!({ "name": "Public API" })).unwrap();
    wait_until(&window, "no monitors", |s| names(s).is_empty());
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("# my speakers")
    );
}

#[test]
fn alarm_and_witness_settings_are_saved_and_read_back() {
    let (_dir, paths) = home(HAND_WRITTEN);
    let config = paths.config.clone();
    let (_app, window) = start_app(paths);
    let mut alarm = invoke(&window, "settings", Value::Null).unwrap()["alarm"].clone();
    alarm["sound"] = json!("siren");
    alarm["full_volume_after"] = json!("20s");
    invoke(&window, "save_alarm", json!({ "form": alarm })).unwrap();
    invoke(
        &window,
        "save_witnesses",
        json!({ "witnesses": ["127.0.0.1:53", ""] }),
    )
    .unwrap();
    let settings = invoke(&window, "settings", Value::Null).unwrap();
    assert_eq!(settings["alarm"]["sound"], "siren");
    assert_eq!(settings["alarm"]["full_volume_after"], "20s");
    assert_eq!(settings["witnesses"], json!(["127.0.0.1:53"]));
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("raise_system_volume = false  # my speakers"),
        "{text}"
    );

    let mut bad = settings["alarm"].clone();
    bad["harsh_after"] = json!("later");
    let refused = invoke(&window, "save_alarm", json!({ "form": bad })).unwrap_err();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("alarm.harsh_after"),
        "{refused}"
    );
}

#[test]
fn an_outage_shows_in_the_history_with_its_timeline_and_on_the_day_bar() {
    // One answer, then the port is closed: an outage.
    let (running, _) = app_with_an_outage(HAND_WRITTEN);
    let window = running.window.clone();

    let history = invoke(&window, "history", Value::Null).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["monitor"], "API");
    let id = history[0]["id"].clone();
    let detail = invoke(&window, "incident", json!({ "id": id })).unwrap();
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[0], "first_failure", "{detail:#}");
    assert!(
        detail["incident"]["reason"]
            .as_str()
            .unwrap()
            .contains("refused")
    );

    let bars = invoke(&window, "day_bars", Value::Null).unwrap();
    assert_eq!(bars[0]["monitor"], "API");
    let slots = bars[0]["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 96);
    assert_eq!(slots[95], "down");
    assert_eq!(slots[0], "none");

    let missing = invoke(&window, "incident", json!({ "id": 999 })).unwrap_err();
    assert_eq!(missing["message"], "no incident 999");
}

#[test]
fn settings_say_where_the_log_file_is() {
    let (_dir, paths) = home(HAND_WRITTEN);
    let expected = paths.data_dir.join("klaxon.log");
    let (_app, window) = start_app(paths);
    let settings = invoke(&window, "settings", Value::Null).unwrap();
    assert_eq!(settings["log_path"], expected.display().to_string());
}
