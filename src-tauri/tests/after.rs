//! Notes and drafts through the window's commands (mock runtime, real engine and database).

mod support;

use serde_json::{Value, json};
use support::{app_with_an_outage, invoke};

#[test]
fn notes_written_in_the_window_fill_the_apology_and_versions_are_kept() {
    let (running, status) = app_with_an_outage(
        "[product]\nname = \"Acme Invoices\"\nsignature = \"Sam\"\n\n[alarm]\nraise_system_volume = false\n\n[judge]\nconfirm = 0\nwitnesses = []\n",
    );
    let window = running.window.clone();
    let id = status["incidents"][0]["id"].clone();

    let empty = invoke(&window, "notes", json!({ "id": id })).unwrap();
    assert_eq!(empty["cause"], "");
    let request =
        json!({ "kind": "apology", "tone": "personal", "customer": "Dana", "tz": "Europe/Berlin" });
    let before = invoke(&window, "draft", json!({ "id": id, "request": request })).unwrap();
    assert!(
        before["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "what caused it, in plain words"),
        "{before:#}"
    );

    let notes = json!({
        "cause": "the certificate expired", "fix": "we renewed it",
        "prevention": ["renewal is automated", " "], "impact": "nobody could log in",
        "data_loss": "none", "offer": ""
    });
    let saved = invoke(&window, "save_notes", json!({ "id": id, "notes": notes })).unwrap();
    assert_eq!(saved["prevention"], json!(["renewal is automated"]));

    let after = invoke(&window, "draft", json!({ "id": id, "request": request })).unwrap();
    let body = after["body"].as_str().unwrap();
    assert!(body.starts_with("Hi Dana,"), "{body}");
    assert!(
        body.contains("What happened: The certificate expired."),
        "{body}"
    );
    assert_eq!(after["missing"], json!([]), "{after:#}");
    assert_eq!(
        after["subject"].as_str().unwrap().split(" on ").next(),
        Some("I'm sorry about Acme Invoices today")
    );

    let edited = format!("{body}\nP.S. I'm sorry again.\n");
    invoke(
        &window,
        "save_draft",
        json!({ "id": id, "request": request, "subject": after["subject"], "body": edited }),
    )
    .unwrap();
    let kept = invoke(&window, "drafts", json!({ "id": id })).unwrap();
    assert_eq!(kept.as_array().unwrap().len(), 1);
    assert_eq!(kept[0]["body"], Value::String(edited));
    assert_eq!(kept[0]["customer"], "Dana");

    let refused = invoke(&window, "draft", json!({ "id": id, "request": { "kind": "apology", "tone": "personal", "customer": "", "tz": "Nowhere/City" } })).unwrap_err();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("is not a time zone"),
        "{refused}"
    );
    let missing = invoke(&window, "save_notes", json!({ "id": 999, "notes": notes })).unwrap_err();
    assert_eq!(missing["message"], "no incident 999");
}
