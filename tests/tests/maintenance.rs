//! Maintenance windows, with the real `klaxon run`: a service down inside a window opens no
//! incident while `status` says so; once the window is gone, the outage rings at once.

mod support;

use support::*;

#[test]
fn an_outage_inside_a_window_is_held_and_rings_once_the_window_is_over() {
    let (api, web, witness) = (
        HttpServer::start(),
        HttpServer::start(),
        HttpServer::start(),
    );
    let monitors = format!(
        "{}{}",
        http_monitor("API", &api.url()),
        http_monitor("Web", &web.url())
    );
    // A window that started this minute and lasts an hour, over API only.
    let window = "[[maintenance]]\ncron = \"* * * * *\"\nduration = \"1h\"\ntimezone = \"UTC\"\nmonitors = [\"API\"]\n\n";
    let home = Home::new(&format!("{}{window}", fast_config(witness.addr, &monitors)));
    let _running = home.run();
    let status = home.wait_status("API up, in maintenance", |s| {
        state_of(s, "API") == Some("up") && s["maintenance"][0]["monitors"][0] == "API"
    });
    assert!(status["maintenance"][0]["until"].is_string(), "{status:#}");
    let out = home.cmd().arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("In maintenance until "), "{text}");
    assert!(text.contains("(API): nothing it covers rings."), "{text}");

    let _gone = api.stop();
    home.wait_status("API down", |s| state_of(s, "API") == Some("down"));
    // API's own line says why its being down rings nothing; Web's does not.
    let out = home.cmd().arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("API").contains("down"), "{text}");
    assert!(line("API").contains("[in maintenance until "), "{text}");
    assert!(!line("Web").contains("maintenance"), "{text}");
    // Several checks later: the state shows, nothing rings.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let status = home.status();
    assert_eq!(state_of(&status, "API"), Some("down"));
    assert!(
        status["incidents"].as_array().unwrap().is_empty(),
        "{status:#}"
    );

    // The window taken out: the outage still going on rings.
    home.write_config(&fast_config(witness.addr, &monitors));
    let status = home.wait_status("API ringing", |s| s["incidents"][0]["state"] == "ringing");
    assert_eq!(status["incidents"][0]["monitor"], "API");
    assert!(status["maintenance"].is_null(), "{status:#}");
}

#[test]
fn a_window_with_a_bad_pattern_zone_or_monitor_is_refused_where_it_is_written() {
    let home = Home::new(
        "[[monitor]]\nname = \"API\"\nurl = \"http://127.0.0.1:9/\"\n\n\
         [[maintenance]]\ncron = \"0 2 * * funday\"\nduration = \"1h\"\ntimezone = \"Mars/Olympus\"\nmonitors = [\"DB\"]\n",
    );
    let out = home.cmd().args(["config", "check"]).output().unwrap();
    let said =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("maintenance[1].timezone: \"Mars/Olympus\" is not a time zone"),
        "{said}"
    );
    assert!(
        said.contains("maintenance[1].monitors: no [[monitor]] is named \"DB\""),
        "{said}"
    );
}
