//! Config changes reach a running engine without a restart, and a broken config never stops it.

mod support;

use support::*;

#[test]
fn monitors_are_added_and_removed_without_disturbing_the_others() {
    let api = HttpServer::start();
    let web = HttpServer::start();
    let witness = closed_port();
    let home = Home::new(&fast_config(witness, &http_monitor("API", &api.url())));
    let _running = home.run();
    let first = home.wait_status("API checked", |s| state_of(s, "API") == Some("up"));
    let first_check = first["monitors"][0]["last_checked"].clone();

    home.write_config(&fast_config(
        witness,
        &format!(
            "{}{}",
            http_monitor("API", &api.url()),
            http_monitor("Web", &web.url())
        ),
    ));
    let status = home.wait_status("Web added", |s| state_of(s, "Web") == Some("up"));
    // API kept its state through the reload: it was not restarted as "unknown".
    assert_eq!(state_of(&status, "API"), Some("up"));
    assert_ne!(
        status["monitors"][0]["last_checked"],
        serde_json::Value::Null
    );
    let _ = first_check;

    home.write_config(&fast_config(witness, &http_monitor("Web", &web.url())));
    let status = home.wait_status("API removed", |s| state_of(s, "API").is_none());
    assert_eq!(state_of(&status, "Web"), Some("up"));
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
