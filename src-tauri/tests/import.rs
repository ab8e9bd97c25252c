//! Settings → Import monitors through Tauri's mock runtime against a real engine: the dry run
//! changes nothing, the import writes klaxon.toml (its comments kept) and the running engine
//! starts checking the new monitors.

// Not every helper of the shared support is used here.
#[allow(dead_code)]
mod support;

use klaxon_core::paths::Paths;
use serde_json::json;
use support::{invoke, start_app, wait_until};

const MINE: &str = "# mine\n[judge]\nwitnesses = []   # loopback only\n";

/// Gatus's README example, with loopback URLs so that the engine's checks stay on this machine.
const GATUS: &str = "endpoints:\n  - name: website\n    url: \"http://127.0.0.1:9/health\"\n    interval: 5m\n    conditions:\n      - \"[STATUS] == 200\"\n      - \"[BODY].status == UP\"\n      - \"[RESPONSE_TIME] < 300\"\n  - name: ping\n    url: \"icmp://127.0.0.1\"\n";

#[test]
fn a_dry_run_changes_nothing_and_the_import_reaches_the_running_engine() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("klaxon.toml");
    std::fs::write(&config, MINE).unwrap();
    let paths = Paths {
        config: config.clone(),
        data_dir: dir.path().join("data"),
    };
    let (_app, window) = start_app(paths);
    wait_until(&window, "the engine", |s| s["monitors"].is_array());

    let args = |dry: bool| json!({ "tool": "gatus", "fileName": "config.yaml", "text": GATUS, "dryRun": dry });
    let preview = invoke(&window, "import_monitors", args(true)).unwrap();
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["added"][0]["name"], "website", "{preview:#}");
    assert_eq!(
        preview["skipped"][0]["reason"], "unsupported",
        "{preview:#}"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), MINE);

    let done = invoke(&window, "import_monitors", args(false)).unwrap();
    assert_eq!(done["added"].as_array().map(Vec::len), Some(1), "{done:#}");
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(written.starts_with(MINE), "{written}");
    wait_until(&window, "the imported monitor checked", |s| {
        s["monitors"][0]["name"] == "website"
    });

    let refused = invoke(
        &window,
        "import_monitors",
        json!({ "tool": "uptime-kuma", "fileName": "backup\u{1b}[2J.json", "text": "{\n  \"monitorList\": [,]\n}", "dryRun": true }),
    )
    .unwrap_err();
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("line 2, column "), "{message}");
    assert!(!message.contains('\u{1b}'), "escaped: {message:?}");
}
