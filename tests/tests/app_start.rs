//! The tray app's start-up never ends in a panic: a damaged database is set aside and the app
//! runs; an engine that cannot start at all is said in a notification and the app exits with a
//! plain non-zero code (not Rust's 101). Started from the login item, either way the founder
//! learns what is wrong.

mod support;

use std::process::Command;
use std::time::Duration;

use support::app::{Display, Group, app_bin};
use support::fake_bus::{Notifications, PrivateBus, serve_notifications};
use support::*;

const LIMIT: Duration = Duration::from_secs(30);

/// A desktop for the app: a display, a session bus with a notification service, one healthy
/// monitored service and a Klaxon home.
struct Desk {
    display: Display,
    bus: PrivateBus,
    _notifier: zbus::blocking::Connection,
    notifications: Notifications,
    _server: HttpServer,
    home: Home,
}

impl Desk {
    fn new() -> Desk {
        let display = Display::start();
        let bus = PrivateBus::start();
        let (notifier, notifications) = serve_notifications(&bus);
        let server = HttpServer::start();
        let home = Home::new(&fast_config(
            closed_port(),
            &http_monitor("API", &server.url()),
        ));
        Desk {
            display,
            bus,
            _notifier: notifier,
            notifications,
            _server: server,
            home,
        }
    }

    /// `klaxon-app --background`, as the login item starts it.
    fn app_command(&self) -> Command {
        let user_home = self.home.dir.path().join("home");
        std::fs::create_dir_all(&user_home).unwrap();
        let mut cmd = Command::new(app_bin());
        cmd.arg("--background")
            .env("DISPLAY", &self.display.name)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus.address)
            .env("XDG_RUNTIME_DIR", self.home.quiet_runtime())
            .env("HOME", &user_home)
            .env_remove("XDG_CONFIG_HOME")
            .env("KLAXON_CONFIG", self.home.config())
            .env("KLAXON_DATA_DIR", self.home.data())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(self.home.dir.path().join("app.log")).unwrap());
        cmd
    }

    fn app(&self) -> Group {
        Group::spawn(&mut self.app_command())
    }

    /// The body of the first notification with this summary.
    fn notified(&self, summary: &str) -> Option<String> {
        let shown = self.notifications.shown.lock().unwrap();
        shown
            .iter()
            .find(|(s, _)| s == summary)
            .map(|(_, body)| body.clone())
    }

    fn count(&self, summary: &str) -> usize {
        let shown = self.notifications.shown.lock().unwrap();
        shown.iter().filter(|(s, _)| s == summary).count()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home.dir.path().join("app.log")).unwrap_or_default()
    }
}

#[test]
fn the_tray_app_sets_a_damaged_database_aside_and_keeps_watching() {
    let desk = Desk::new();
    let home = &desk.home;
    std::fs::create_dir_all(home.data()).unwrap();
    std::fs::write(
        home.data().join("klaxon.db"),
        b"garbage, not SQLite".repeat(300),
    )
    .unwrap();

    let mut app = desk.app();
    wait_for(LIMIT, || {
        assert!(!app.exited(), "the app ended: {}", desk.log());
        home.data().join("klaxon.sock").exists().then_some(())
    });
    let status = home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let notice = status["store_notice"].as_str().unwrap();
    assert!(notice.contains("klaxon.db.damaged-"), "{notice}");
    let body = wait_for(LIMIT, || desk.notified("Klaxon started a fresh history"));
    assert!(body.contains("klaxon.db.damaged-"), "{body}");
    assert!(!app.exited());
}

#[test]
fn a_tray_app_that_cannot_start_says_why_and_exits_without_a_panic() {
    let desk = Desk::new();
    // A headless engine already holds the data dir.
    let _engine = desk.home.run();

    let mut app = desk.app();
    let ended = wait_for(LIMIT, || app.ended());
    assert_eq!(ended.code(), Some(2), "{}", desk.log());
    assert!(!desk.log().contains("panicked"), "{}", desk.log());
    let body = desk
        .notified("Klaxon cannot start")
        .expect("a notification");
    assert!(body.contains("already running"), "{body}");
}

#[test]
fn a_tray_app_whose_engine_dies_says_so_and_restarts_but_not_forever() {
    let desk = Desk::new();
    // Debug builds only: every start's engine task panics on its third tick, so each restarted
    // app fails again, as a deterministic bug would.
    let mut app = Group::spawn(desk.app_command().env("KLAXON_INJECT_PANIC", "owner"));
    let ended = wait_for(LIMIT, || app.ended());
    assert_eq!(ended.code(), Some(70), "{}", desk.log());
    let body = wait_for(LIMIT, || desk.notified("Klaxon had a fault"));
    assert!(
        body.contains("panicked") && body.contains("restarting"),
        "{body}"
    );
    // The restarted apps fail too; after three restarts the last one stops and says so.
    let body = wait_for(Duration::from_secs(90), || {
        desk.notified("Klaxon keeps failing")
    });
    assert!(body.contains("after 3 restarts"), "{body}");
    assert_eq!(desk.count("Klaxon had a fault"), 3);
    // No app is left serving the data dir: `status` finds no engine (asked while the last
    // one is still exiting, it may fail once; it is asked again).
    wait_for(LIMIT, || {
        desk.home
            .try_status()
            .filter(|s| s["live"] == false)
            .map(|_| ())
    });
}

#[test]
fn a_tray_app_with_no_desktop_or_no_tray_program_says_why_and_exits_without_a_panic() {
    let desk = Desk::new();
    // No display (started over ssh, or before the session is up).
    let mut no_display = desk.app_command();
    no_display
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    let mut app = Group::spawn(&mut no_display);
    let ended = wait_for(LIMIT, || app.ended());
    assert_eq!(ended.code(), Some(2), "{}", desk.log());
    assert!(!desk.log().contains("panicked"), "{}", desk.log());
    let body = wait_for(LIMIT, || desk.notified("Klaxon cannot start"));
    assert!(body.contains("no desktop"), "{body}");
    assert!(body.contains("klaxon run"), "{body}");

    // A `klaxon-app` whose tray program is not beside it (a copied binary, a broken install).
    let alone = tempfile::tempdir().unwrap();
    let copy = alone.path().join("klaxon-app");
    std::fs::copy(app_bin(), &copy).unwrap();
    let command = desk.app_command();
    let mut lonely = Command::new(&copy);
    lonely.args(command.get_args()).envs(
        command
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
    );
    let out = lonely.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("klaxon-tray"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    assert_eq!(desk.count("Klaxon cannot start"), 2);
}
