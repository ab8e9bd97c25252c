//! The window's commands for outside monitoring, through Tauri's mock runtime against a real
//! engine: "Check now" on a source, and the Page form's refusals a teammate sees.

// Not every helper of the shared support is used here.
#[allow(dead_code)]
mod support;

use klaxon_core::paths::Paths;
use serde_json::json;
use support::{invoke, start_app, wait_until};

fn app(
    config: &str,
) -> (
    tempfile::TempDir,
    support::WindowApp,
    tauri::WebviewWindow<tauri::test::MockRuntime>,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.toml");
    std::fs::write(&path, config).unwrap();
    let paths = Paths {
        config: path,
        data_dir: dir.path().join("data"),
    };
    let (app, window) = start_app(paths);
    (dir, app, window)
}

#[test]
fn check_now_reads_a_source_and_an_unknown_one_is_refused_by_name() {
    // Nothing listens on port 9 of loopback: the source is unreachable, and says so.
    let (_dir, _app, window) = app(
        "[judge]\nwitnesses = []\n\n[[source]]\nname = \"prod\"\nalertmanager = \"http://127.0.0.1:9\"\nevery = \"1h\"\n",
    );
    let status = wait_until(&window, "prod read", |s| {
        s["sources"][0]["state"] == "unreachable"
    });
    let first = status["sources"][0]["reason"].clone();
    assert!(
        first.as_str().unwrap().contains("Alertmanager"),
        "{status:#}"
    );

    let said = invoke(&window, "check_source", json!({ "name": "prod" })).unwrap();
    assert_eq!(said, "reading prod now");
    let refused = invoke(&window, "check_source", json!({ "name": "nope\u{1b}[2J" })).unwrap_err();
    assert_eq!(refused["code"], "refused", "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("no [[source]] is named"), "{message}");
    assert!(!message.contains('\u{1b}'), "escaped: {message:?}");
}

#[test]
fn the_page_form_says_what_is_missing_without_a_page_topic_or_a_message() {
    let (_dir, _app, window) = app("[judge]\nwitnesses = []\n");
    let refused = invoke(
        &window,
        "page",
        json!({ "from": "Alex", "text": "checkout is down" }),
    )
    .unwrap_err();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("there is no [page]"),
        "{refused}"
    );

    let (_dir, _app, window) = app("[page]\nntfy = \"http://127.0.0.1:9/team-page\"\n");
    let refused = invoke(&window, "page", json!({ "from": "", "text": "   " })).unwrap_err();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("the page's message is empty"),
        "{refused}"
    );
}
