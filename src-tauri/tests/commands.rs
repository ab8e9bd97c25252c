//! The window's commands through Tauri's mock runtime, against a real engine on a temp data dir
//! and a loopback server that goes down.

mod support;

use klaxon_core::paths::Paths;
use serde_json::Value;
use support::{app_with_an_outage, invoke, start_app, wait_until};

const QUIET: &str =
    "[alarm]\nraise_system_volume = false\n\n[judge]\nconfirm = 0\nwitnesses = []\n";

#[test]
fn the_window_acknowledges_an_outage_only_with_the_awake_code() {
    // A service that answers once and then is gone.
    let (running, status) = app_with_an_outage(QUIET);
    let window = running.window.clone();
    let code = status["ack_code"].as_str().unwrap().to_string();

    let refused = invoke(
        &window,
        "acknowledge",
        serde_json::json!({ "code": "nope" }),
    )
    .unwrap_err();
    assert_eq!(refused["code"], "refused", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("type the code")
    );

    let done = invoke(&window, "acknowledge", serde_json::json!({ "code": code })).unwrap();
    assert_eq!(done, "acknowledged");
    let status = invoke(&window, "status", Value::Null).unwrap();
    assert_eq!(status["incidents"][0]["state"], "acknowledged");
    assert_eq!(status["incidents"][0]["acknowledged_via"], "window");
}

#[test]
fn the_app_starts_despite_a_broken_config_and_picks_up_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("klaxon.toml");
    std::fs::write(
        &config,
        "[[monitor]]\nname = \"API\"\ntcp = \"127.0.0.1:9\"\nevery = \"often\"\n",
    )
    .unwrap();
    let paths = Paths {
        config: config.clone(),
        data_dir: dir.path().join("data"),
    };
    let (_app, window) = start_app(paths);

    let status = wait_until(&window, "the config error", |s| {
        s["config_error"].is_string()
    });
    let error = status["config_error"].as_str().unwrap();
    assert!(
        error.contains("klaxon.toml:4:9: monitor[1].every"),
        "{error}"
    );
    assert_eq!(status["monitors"].as_array().unwrap().len(), 0);

    let fixed = dir.path().join("klaxon.toml.new");
    std::fs::write(&fixed, "[judge]\nwitnesses = []\n\n[[monitor]]\nname = \"API\"\ntcp = \"127.0.0.1:9\"\nevery = \"30s\"\n").unwrap();
    std::fs::rename(&fixed, &config).unwrap();
    let status = wait_until(&window, "the fixed config", |s| {
        s["monitors"].as_array().is_some_and(|m| m.len() == 1)
    });
    assert!(status["config_error"].is_null(), "{status:#}");
}
