//! Config changes reach a running engine without a restart, and a broken config never stops it.

mod support;

use support::*;

/// A monitor checked once a minute: its next check is far away, so a restart (which checks at
/// once) would show as a new `last_checked` within seconds.
fn slow_monitor(name: &str, url: &str) -> String {
    http_monitor(name, url).replace("every = \"1s\"", "every = \"60s\"")
}

fn monitor<'a>(status: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    status["monitors"]
        .as_array()
        .and_then(|all| all.iter().find(|m| m["name"] == name))
        .unwrap_or_else(|| panic!("no monitor {name} in {status}"))
}

#[test]
fn a_reload_that_adds_changes_and_removes_others_leaves_an_untouched_monitor_on_its_schedule() {
    let (api, old, changed, moved, web) = (
        HttpServer::start(),
        HttpServer::start(),
        HttpServer::start(),
        HttpServer::start(),
        HttpServer::start(),
    );
    let witness = closed_port();
    let home = Home::new(&fast_config(
        witness,
        &[
            slow_monitor("API", &api.url()),
            http_monitor("Old", &old.url()),
            http_monitor("Changed", &changed.url()),
        ]
        .concat(),
    ));
    let _running = home.run();
    let first = home.wait_status("all checked", |s| {
        ["API", "Old", "Changed"]
            .iter()
            .all(|m| state_of(s, m) == Some("up"))
    });
    let api_checked = monitor(&first, "API")["last_checked"].clone();
    assert!(api_checked.is_string(), "{first}");

    // Add Web, point Changed elsewhere, remove Old; API's lines stay as they were.
    home.write_config(&fast_config(
        witness,
        &[
            slow_monitor("API", &api.url()),
            http_monitor("Changed", &moved.url()),
            http_monitor("Web", &web.url()),
        ]
        .concat(),
    ));
    let status = home.wait_status("the reload applied", |s| {
        state_of(s, "Web") == Some("up")
            && state_of(s, "Old").is_none()
            && monitor(s, "Changed")["target"] == moved.url().as_str()
            && state_of(s, "Changed") == Some("up")
    });
    let reloaded_at = std::time::Instant::now();
    // A restarted monitor is checked again within 2 s of the reload; API's next check is a
    // minute after its first. Watch it for longer than that window.
    while reloaded_at.elapsed() < std::time::Duration::from_secs(4) {
        let now = home.status();
        assert_eq!(
            monitor(&now, "API")["last_checked"],
            api_checked,
            "API was checked again after the reload: it was restarted, not left alone"
        );
        assert_eq!(state_of(&now, "API"), Some("up"));
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(state_of(&status, "API"), Some("up"));
}

#[test]
fn an_invalid_config_is_refused_and_the_last_good_one_keeps_running() {
    let api = HttpServer::start();
    let witness = closed_port();
    let good = fast_config(witness, &http_monitor("API", &api.url()));
    let home = Home::new(&good);
    let _running = home.run();
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));

    home.write_config(&format!(
        "{good}[[monitor]]\nname = \"Broken\"\nurl = \"http://127.0.0.1:1/\"\nevery = \"often\"\n"
    ));
    let status = home.wait_status("the error reported", |s| s["config_error"].is_string());
    let error = status["config_error"].as_str().unwrap();
    assert!(error.contains("monitor[2].every"), "{error}");
    assert!(error.contains("klaxon.toml:16:9:"), "{error}");
    assert_eq!(state_of(&status, "API"), Some("up"));
    assert!(state_of(&status, "Broken").is_none());

    // `klaxon reload` says the same, and fixing the file clears it.
    home.cmd().arg("reload").assert().code(2);
    home.write_config(&good);
    home.wait_status("the error cleared", |s| s["config_error"].is_null());
}

#[test]
fn a_changed_monitor_is_restarted_with_its_new_target() {
    let api = HttpServer::start();
    let web = HttpServer::start();
    let witness = closed_port();
    let both = |api_url: &str| {
        fast_config(
            witness,
            &format!(
                "{}{}",
                http_monitor("API", api_url),
                http_monitor("Web", &web.url())
            ),
        )
    };
    let home = Home::new(&both(&api.url()));
    let _running = home.run();
    home.wait_status("both up", |s| {
        state_of(s, "API") == Some("up") && state_of(s, "Web") == Some("up")
    });

    home.write_config(&both(&format!("http://{}/moved", closed_port())));
    let status = home.wait_status("API judged on its new target", |s| {
        state_of(s, "API") == Some("down")
    });
    assert!(
        status["monitors"][0]["target"]
            .as_str()
            .unwrap()
            .ends_with("/moved"),
        "{status:#}"
    );
    assert_eq!(state_of(&status, "Web"), Some("up"));
}
