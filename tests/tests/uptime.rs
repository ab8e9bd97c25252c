//! `klaxon status` with the real `klaxon run`: under the monitors, each one's uptime over 24 h,
//! 7 d and 30 d, as the window says it. A monitor just added is up all the time it was watched
//! (not "nothing watched", not the clock's 30 days). The arithmetic of unwatched time and
//! outages is unit-tested in `klaxon-core` (`aftermath/uptime_tests.rs`).

mod support;

use std::time::Duration;

use support::*;

/// `klaxon status` as printed, once it says `needle`.
fn status_saying(home: &Home, needle: &str) -> String {
    let mut seen = String::new();
    wait_for(Duration::from_secs(30), || {
        let out = home.cmd().arg("status").output().unwrap();
        seen = String::from_utf8_lossy(&out.stdout).into_owned();
        seen.contains(needle).then_some(())
    });
    seen
}

#[test]
fn status_shows_each_monitors_uptime_over_the_time_it_was_watched() {
    let (api, witness) = (HttpServer::start(), HttpServer::start());
    let home = Home::new(&fast_config(witness.addr, &http_monitor("API", &api.url())));
    let _running = home.run();
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let text = status_saying(&home, "API  24 h 100 %  7 d 100 %  30 d 100 %");
    assert!(
        text.contains("Uptime (time nobody watched is left out):"),
        "{text}"
    );
}
