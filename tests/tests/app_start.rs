//! The tray app's start-up never ends in a panic: a damaged database is set aside and the app
//! runs; an engine that cannot start at all is said in a notification and the app exits with a
//! plain non-zero code (not Rust's 101). Started from the login item, either way the founder
//! learns what is wrong.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::app::{Display, Group, app_bin};
use support::fake_bus::{Notifications, PrivateBus, serve_notifications};
use support::*;

const LIMIT: Duration = Duration::from_secs(30);

fn app_command(home: &Home, display: &Display, bus: &PrivateBus) -> Command {
    let user_home = home.dir.path().join("home");
    std::fs::create_dir_all(&user_home).unwrap();
    let mut cmd = Command::new(app_bin());
    cmd.arg("--background")
        .env("DISPLAY", &display.name)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("XDG_RUNTIME_DIR", home.quiet_runtime())
        .env("HOME", &user_home)
        .env_remove("XDG_CONFIG_HOME")
        .env("KLAXON_CONFIG", home.config())
        .env("KLAXON_DATA_DIR", home.data())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(home.dir.path().join("app.log")).unwrap());
    cmd
}

fn app(home: &Home, display: &Display, bus: &PrivateBus) -> Group {
    Group::spawn(&mut app_command(home, display, bus))
}

fn notified(notifications: &Notifications, summary: &str) -> Option<String> {
    let shown = notifications.shown.lock().unwrap();
    shown
        .iter()
        .find(|(s, _)| s == summary)
        .map(|(_, body)| body.clone())
}

fn log(home: &Home) -> String {
    std::fs::read_to_string(home.dir.path().join("app.log")).unwrap_or_default()
}

#[test]
fn the_tray_app_sets_a_damaged_database_aside_and_keeps_watching() {
    let display = Display::start();
    let bus = PrivateBus::start();
    let (_conn, notifications) = serve_notifications(&bus);
    let server = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    std::fs::create_dir_all(home.data()).unwrap();
    std::fs::write(
        home.data().join("klaxon.db"),
        b"garbage, not SQLite".repeat(300),
    )
    .unwrap();

    let mut app = app(&home, &display, &bus);
    wait_for(LIMIT, || {
        assert!(!app.exited(), "the app ended: {}", log(&home));
        Path::new(&home.data().join("klaxon.sock"))
            .exists()
            .then_some(())
    });
    let status = home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let notice = status["store_notice"].as_str().unwrap();
    assert!(notice.contains("klaxon.db.damaged-"), "{notice}");
    let body = wait_for(LIMIT, || {
        notified(&notifications, "Klaxon started a fresh history")
    });
    assert!(body.contains("klaxon.db.damaged-"), "{body}");
    assert!(!app.exited());
}

#[test]
fn a_tray_app_that_cannot_start_says_why_and_exits_without_a_panic() {
    let display = Display::start();
    let bus = PrivateBus::start();
    let (_conn, notifications) = serve_notifications(&bus);
    let server = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    // A headless engine already holds the data dir.
    let _engine = home.run();

    let mut app = app(&home, &display, &bus);
    let ended = wait_for(LIMIT, || app.ended());
    assert_eq!(ended.code(), Some(2), "{}", log(&home));
    assert!(!log(&home).contains("panicked"), "{}", log(&home));
    let body = notified(&notifications, "Klaxon cannot start").expect("a notification");
    assert!(body.contains("already running"), "{body}");
}

#[test]
fn a_tray_app_whose_engine_dies_says_so_and_restarts_but_not_forever() {
    let display = Display::start();
    let bus = PrivateBus::start();
    let (_conn, notifications) = serve_notifications(&bus);
    let server = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    // Debug builds only: every start's engine task panics on its third tick, so each restarted
    // app fails again, as a deterministic bug would.
    let mut app =
        Group::spawn(app_command(&home, &display, &bus).env("KLAXON_INJECT_PANIC", "owner"));
    let ended = wait_for(LIMIT, || app.ended());
    assert_eq!(ended.code(), Some(70), "{}", log(&home));
    let body = wait_for(LIMIT, || notified(&notifications, "Klaxon had a fault"));
    assert!(
        body.contains("panicked") && body.contains("restarting"),
        "{body}"
    );
    // The restarted apps fail too; after three restarts the last one stops and says so.
    let body = wait_for(Duration::from_secs(90), || {
        notified(&notifications, "Klaxon keeps failing")
    });
    assert!(body.contains("after 3 restarts"), "{body}");
    let restarts = notifications
        .shown
        .lock()
        .unwrap()
        .iter()
        .filter(|(s, _)| s == "Klaxon had a fault")
        .count();
    assert_eq!(restarts, 3);
    // No app is left running on the data dir: a fresh engine can take it.
    wait_for(LIMIT, || {
        home.cmd()
            .args(["status", "--json"])
            .output()
            .ok()
            .filter(|o| {
                String::from_utf8_lossy(&o.stdout).contains("\"live\": false")
                    || String::from_utf8_lossy(&o.stdout).contains("\"live\":false")
            })
    });
}
