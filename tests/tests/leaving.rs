//! `[heartbeat] notify_on_sleep`: the phone hears that this machine stops watching, just before
//! it sleeps (logind's `PrepareForSleep`, held up by a delay lock, from a stand-in logind on a
//! private system bus) and when Klaxon quits. The phone is the ntfy stand-in; Klaxon is the real
//! binary.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::fake_bus::{PrivateBus, announce_sleep, serve_logind};
use support::ntfy::Ntfy;
use support::*;

const TOPIC: &str = "sam-alerts";

fn config(ntfy: &Ntfy, server: &HttpServer, notify_on_sleep: &str) -> String {
    format!(
        "{}[[channel]]\nname = \"phone\"\nkind = \"ntfy\"\nserver = \"{}\"\ntopic = \"{TOPIC}\"\n\n{notify_on_sleep}",
        fast_config(closed_port(), &http_monitor("API", &server.url())),
        ntfy.url(),
    )
}

#[test]
fn the_phone_is_told_before_the_machine_sleeps_and_when_klaxon_quits() {
    let system_bus = PrivateBus::start();
    let (logind_conn, logind) = serve_logind(&system_bus);
    let (ntfy, server) = (Ntfy::start(), HttpServer::start());
    let home = Home::new(&config(
        &ntfy,
        &server,
        "[heartbeat]\nnotify_on_sleep = true\n",
    ));
    let running = home.run_with(vec![(
        "DBUS_SYSTEM_BUS_ADDRESS",
        PathBuf::from(&system_bus.address),
    )]);
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    wait_for(Duration::from_secs(20), || {
        logind.delaying_sleep().then_some(())
    });
    assert!(
        ntfy.messages(TOPIC).is_empty(),
        "nothing said before anything happened"
    );

    announce_sleep(&logind_conn, true);
    let told = ntfy.wait_for_message(TOPIC, Duration::from_secs(15));
    assert!(told.title.starts_with("Klaxon on "), "{told:?}");
    assert!(told.title.ends_with(" is going to sleep"), "{told:?}");
    assert!(told.message.contains("You are not covered"), "{told:?}");
    assert!(told.actions.is_empty(), "nothing to acknowledge: {told:?}");
    assert!(told.priority < 5, "a notice, not an alarm: {told:?}");
    // Said, the lock is let go so the machine may sleep; on waking it is taken again.
    wait_for(Duration::from_secs(10), || {
        (!logind.delaying_sleep()).then_some(())
    });
    announce_sleep(&logind_conn, false);
    wait_for(Duration::from_secs(10), || {
        logind.delaying_sleep().then_some(())
    });
    assert_eq!(ntfy.messages(TOPIC).len(), 1, "waking is not announced");

    terminate_and_wait(running);
    let said = ntfy.wait_for_messages(TOPIC, 2, Duration::from_secs(10));
    assert!(said[1].title.ends_with(" is stopping"), "{:?}", said[1]);
    assert!(
        said[1].message.contains("You are not covered"),
        "{:?}",
        said[1]
    );
}

#[test]
fn without_notify_on_sleep_quitting_tells_nobody() {
    let (ntfy, server) = (Ntfy::start(), HttpServer::start());
    let home = Home::new(&config(&ntfy, &server, ""));
    let running = home.run();
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    terminate_and_wait(running);
    assert!(
        ntfy.messages(TOPIC).is_empty(),
        "{:?}",
        ntfy.messages(TOPIC)
    );
}

/// SIGTERM, then waits for `klaxon run` to finish saying goodbye and exit.
fn terminate_and_wait(mut running: Running) {
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &running.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let exited = wait_for(Duration::from_secs(20), || {
        running.child.try_wait().unwrap()
    });
    assert!(exited.success(), "klaxon run exited with {exited}");
}
