//! The tray menu of the real app, driven over D-Bus as a panel drives it: each monitor with its
//! state, Pause / Resume, Acknowledge, Launch at login and Quit.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use support::app::{Display, Group, app_bin, window_processes};
use support::fake_bus::PrivateBus;
use support::tray::TrayMenu;
use support::*;

const LIMIT: Duration = Duration::from_secs(30);

fn labels(menu: &TrayMenu) -> Vec<String> {
    menu.items().into_iter().map(|(_, l)| l).collect()
}

#[test]
fn the_tray_menu_shows_each_monitor_and_pauses_acknowledges_and_quits() {
    let display = Display::start();
    let bus = PrivateBus::start();
    let server = HttpServer::start();
    // No awake check: Acknowledge in the tray acknowledges (with it, it opens the window).
    let home = Home::new(&format!(
        "[alarm]\nawake_check = false\nraise_system_volume = false\n\n{}",
        fast_config(closed_port(), &http_monitor("API", &server.url()))
    ));
    let user_home = home.dir.path().join("home");
    std::fs::create_dir_all(&user_home).unwrap();
    let mut app = Group::spawn(
        Command::new(app_bin())
            .arg("--background")
            .env("DISPLAY", &display.name)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("XDG_RUNTIME_DIR", home.quiet_runtime())
            .env("HOME", &user_home)
            .env_remove("XDG_CONFIG_HOME")
            .env("KLAXON_CONFIG", home.config())
            .env("KLAXON_DATA_DIR", home.data())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(home.dir.path().join("app.log")).unwrap()),
    );
    let menu = wait_for(LIMIT, || TrayMenu::find(&bus.address, app.id()));
    // Started at login: the tray only, no window, not even a little later.
    display.assert_no_window_for("Klaxon", Duration::from_secs(3));
    wait_for(LIMIT, || {
        labels(&menu)
            .contains(&"API — up".to_string())
            .then_some(())
    });
    let items = labels(&menu);
    for expected in [
        "Acknowledge…",
        "5 minutes",
        "For 1 hour",
        "Open Klaxon",
        "Test alarm",
        "Quit",
    ] {
        assert!(
            items.iter().any(|l| l == expected),
            "no {expected:?} in {items:?}"
        );
    }

    assert!(menu.click("Until resumed"));
    home.wait_status("paused", |s| s["paused_until"].is_string());
    wait_for(LIMIT, || {
        labels(&menu)
            .contains(&"Resume monitoring".to_string())
            .then_some(())
    });
    assert!(menu.click("Resume monitoring"));
    home.wait_status("resumed", |s| s["paused_until"].is_null());
    // The menu is rebuilt as the monitor's state changes: click once it has settled.
    wait_for(LIMIT, || {
        labels(&menu)
            .contains(&"API — up".to_string())
            .then_some(())
    });

    // Down: acknowledged from the tray.
    let addr = server.stop();
    home.wait_status("ringing", |s| s["incidents"][0]["state"] == "ringing");
    wait_for(LIMIT, || {
        labels(&menu)
            .contains(&"API — down".to_string())
            .then_some(())
    });
    assert!(menu.click("Acknowledge…"));
    let status = home.wait_status("acknowledged", |s| {
        s["incidents"][0]["state"] == "acknowledged"
    });
    assert_eq!(status["incidents"][0]["acknowledged_via"], "tray");
    let _server = HttpServer::start_on(addr);
    home.wait_status("recovered", |s| {
        s["incidents"].as_array().is_some_and(|i| i.is_empty())
    });
    wait_for(LIMIT, || {
        labels(&menu)
            .contains(&"API — up".to_string())
            .then_some(())
    });

    assert!(menu.click("Launch at login"));
    let entry: PathBuf = user_home.join(".config/autostart/Klaxon.desktop");
    // The file may be seen between its creation and its writing: wait for its Exec line.
    let exec = wait_for(LIMIT, || {
        std::fs::read_to_string(&entry)
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix("Exec=").map(str::to_string))
    });
    // At login the tray process starts straight to the tray: no window, no WebKit loaded.
    let tray_bin = app_bin().with_file_name("klaxon-tray");
    assert_eq!(exec, format!("\"{}\" --background", tray_bin.display()));
    // And the check mark follows: clicking again takes the login item away.
    wait_for(LIMIT, || {
        menu.checked("Launch at login").filter(|c| *c).map(|_| ())
    });
    assert!(menu.click("Launch at login"));
    wait_for(LIMIT, || (!entry.exists()).then_some(()));
    wait_for(LIMIT, || {
        menu.checked("Launch at login").filter(|c| !*c).map(|_| ())
    });

    assert!(menu.click("Open Klaxon"));
    wait_for(LIMIT, || {
        (!display.windows("Klaxon").is_empty()).then_some(())
    });
    // The window is a process of its own, started by the tray app.
    let first = window_processes(&home.data());
    assert_eq!(first.len(), 1);
    // Klaxon launched again from the desktop's menu: no second engine, the one window comes up
    // (its single-instance guard turns the second window process away).
    let again = Command::new(app_bin())
        .env("DISPLAY", &display.name)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("XDG_RUNTIME_DIR", home.quiet_runtime())
        .env("HOME", &user_home)
        .env("KLAXON_CONFIG", home.config())
        .env("KLAXON_DATA_DIR", home.data())
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    assert!(!app.exited());
    // The launch started a second window process before it ended (exec'd, so it is listed by
    // now); that one hands over to the first and ends.
    wait_for(LIMIT, || {
        (window_processes(&home.data()) == first).then_some(())
    });
    assert_eq!(display.windows("Klaxon").len(), 1);

    // The first try may meet the menu while it is rebuilt for the window: ask until it lands.
    wait_for(LIMIT, || menu.click("Quit").then_some(()));
    wait_for(LIMIT, || app.exited().then_some(()));
    // Quit takes the window with it: no window is left talking to an engine that is gone.
    wait_for(LIMIT, || {
        window_processes(&home.data()).is_empty().then_some(())
    });
    // The engine went with it: its control socket is gone, and `klaxon status` finds no engine.
    assert!(!home.data().join("klaxon.sock").exists());
    assert_eq!(home.status()["live"], false);
}
