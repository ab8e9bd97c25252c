//! Nothing may silence Klaxon quietly: a full disk, a damaged database, a crashed task. Each test
//! runs the real `klaxon` binary and checks what a founder would notice — the incident still
//! opens and can be acknowledged, `status` names the problem, and nothing recorded is lost.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::fake_bus::{PrivateBus, serve_notifications};
use support::{Home, HttpServer, closed_port, fast_config, http_monitor, state_of, wait_for};

/// A small tmpfs mounted on the data dir; unmounted when dropped.
struct SmallDisk {
    path: PathBuf,
}

impl SmallDisk {
    fn mount(path: &Path, size: &str) -> SmallDisk {
        std::fs::create_dir_all(path).unwrap();
        let status = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(path)
            .status()
            .expect("mount (the test runs as root)");
        assert!(status.success(), "mounting a tmpfs on {}", path.display());
        SmallDisk {
            path: path.to_path_buf(),
        }
    }

    /// Writes a file until the disk has no room left.
    fn fill(&self) -> PathBuf {
        let fill = self.path.join("fill");
        let _ = Command::new("dd")
            .args(["if=/dev/zero", "bs=64k"])
            .arg(format!("of={}", fill.display()))
            .stderr(std::process::Stdio::null())
            .status();
        fill
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

fn incidents(status: &serde_json::Value) -> Vec<serde_json::Value> {
    status["incidents"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_full_disk_does_not_stop_an_outage_from_ringing_or_being_acknowledged() {
    let api = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &api.url()),
    ));
    let disk = SmallDisk::mount(&home.data(), "8m");
    let bus = PrivateBus::start();
    let (_conn, notifications) = serve_notifications(&bus);
    let _engine = home.run_with(vec![(
        "DBUS_SESSION_BUS_ADDRESS",
        PathBuf::from(&bus.address),
    )]);
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));

    let fill = disk.fill();
    let full = home.wait_status("the store problem", |s| {
        s["store_problem"]
            .as_str()
            .is_some_and(|p| p.contains("the disk is full"))
    });
    assert!(
        full["store_problem"]
            .as_str()
            .unwrap()
            .starts_with("history is not being saved: the disk is full")
    );

    drop(api);
    let ringing = home.wait_status("a ringing incident", |s| {
        incidents(s).iter().any(|i| i["state"] == "ringing")
    });
    let id = incidents(&ringing)[0]["id"].as_i64().unwrap();
    assert!(ringing["store_problem"].is_string(), "still not saved");
    let shown = notifications.shown.lock().unwrap().clone();
    let told: Vec<&(String, String)> = shown
        .iter()
        .filter(|(summary, _)| summary == "Klaxon is not saving history")
        .collect();
    assert_eq!(told.len(), 1, "one notification for the problem: {shown:?}");
    assert!(told[0].1.starts_with("the disk is full"), "{shown:?}");

    home.cmd().arg("ack").assert().success();
    home.wait_status("the acknowledgement", |s| {
        incidents(s).iter().any(|i| i["state"] == "acknowledged")
    });

    // Room again: what happened is written down, and the problem goes away.
    std::fs::remove_file(fill).unwrap();
    home.wait_status("the store working again", |s| s["store_problem"].is_null());
    let history = wait_for(Duration::from_secs(30), || {
        let h = home.history();
        let found = h
            .as_array()?
            .iter()
            .find(|i| i["id"].as_i64() == Some(id))?
            .clone();
        (found["state"] == "acknowledged").then_some(found)
    });
    assert_eq!(history["acknowledged_via"], "cli");
    assert_eq!(history["monitor"], "API");
}

#[test]
fn a_damaged_database_at_start_is_kept_aside_and_monitoring_runs() {
    let api = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &api.url()),
    ));
    std::fs::create_dir_all(home.data()).unwrap();
    let garbage = b"not a database: a cat walked over the keyboard\n".repeat(100);
    std::fs::write(home.data().join("klaxon.db"), &garbage).unwrap();

    let engine = home.run();
    let status = home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let notice = status["store_notice"]
        .as_str()
        .expect("a notice")
        .to_string();
    let aside: Vec<PathBuf> = std::fs::read_dir(home.data())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("klaxon.db.damaged-"))
        .collect();
    assert_eq!(aside.len(), 1, "the damaged file is kept: {aside:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), garbage);
    assert!(
        notice.contains(&aside[0].display().to_string()),
        "the user is told where: {notice}"
    );
    let log = engine.log();
    assert_eq!(
        log.matches("was damaged").count(),
        1,
        "said once, not three times: {log}"
    );

    // The fresh database records the next outage.
    drop(api);
    home.wait_status("a ringing incident", |s| !incidents(s).is_empty());
    home.cmd().arg("ack").assert().success();
    wait_for(Duration::from_secs(30), || {
        home.history()
            .as_array()
            .is_some_and(|h| h.len() == 1)
            .then_some(())
    });
}

#[test]
fn a_check_that_panics_is_restarted_and_reported() {
    let api = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &api.url()),
    ));
    let _engine = home.run_with(vec![("KLAXON_INJECT_PANIC", "monitor:API".into())]);
    let status = home.wait_status("the fault and API up", |s| {
        state_of(s, "API") == Some("up") && s["faults"].as_array().is_some_and(|f| !f.is_empty())
    });
    let fault = status["faults"][0].as_str().unwrap();
    assert!(
        fault.contains("\"API\"") && fault.contains("restarted"),
        "{fault}"
    );
    // The restarted task keeps watching: an outage still rings.
    drop(api);
    home.wait_status("a ringing incident", |s| {
        incidents(s).iter().any(|i| i["state"] == "ringing")
    });
}

#[test]
fn an_engine_whose_own_task_dies_exits_non_zero_and_frees_the_data_dir() {
    let api = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &api.url()),
    ));
    let mut engine = home.run_with(vec![("KLAXON_INJECT_PANIC", "owner".into())]);
    let code = wait_for(Duration::from_secs(30), || {
        engine.child.try_wait().ok().flatten()
    });
    assert_eq!(code.code(), Some(70), "{}", engine.log());
    let log = engine.log();
    assert!(log.contains("panicked"), "the reason is given: {log}");
    // The lock is released: a new engine starts on the same data dir.
    let _again = home.run();
    home.wait_status("API up again", |s| state_of(s, "API") == Some("up"));
}
