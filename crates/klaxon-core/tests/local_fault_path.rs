//! The local-fault path with nothing to prevent it: this process's own file handles are used
//! up (the way a flood of connections did before the control socket was bounded), and checks of
//! a healthy service fail with "too many open files". They must come out as local faults: the
//! monitor stays up, no incident opens, and `status` says what is wrong.
//!
//! The open-files limit is process-wide, so this file holds one test and is its own test binary.

#![cfg(unix)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use klaxon_core::domain::local_fault::LocalFault;
use klaxon_core::domain::monitor::RecordKind;
use klaxon_core::domain::states::MonitorState;
use klaxon_core::engine::clock::SystemClock;
use klaxon_core::engine::{Engine, EngineOptions};
use klaxon_core::probe::Prober;
use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

async fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Opens /dev/null until the process has no file handle left; they are given back on drop.
fn use_up_file_handles() -> Vec<std::fs::File> {
    let mut held = Vec::new();
    loop {
        match std::fs::File::open("/dev/null") {
            Ok(file) => held.push(file),
            Err(e) => {
                assert_eq!(LocalFault::of(&e), Some(LocalFault::OpenFiles), "{e}");
                return held;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_that_fail_for_want_of_file_handles_are_local_faults_not_outages() {
    let server = support::serve_response(support::response("200 OK", &[], "ok")).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("klaxon.toml");
    std::fs::write(
        &config,
        format!(
            "[judge]\nconfirm = 1\nrecover = 1\nretry_every = \"300ms\"\nwitnesses = [\"127.0.0.1:9\"]\n\n\
             [[monitor]]\nname = \"API\"\nurl = \"http://{server}/\"\nevery = \"1s\"\ntimeout = \"1s\"\n"
        ),
    )
    .unwrap();
    let engine = Engine::start(EngineOptions {
        config_path: config,
        data_dir: dir.path().join("data"),
        clock: Arc::new(SystemClock),
    })
    .await
    .unwrap();
    let status = engine.status();
    wait_until("API up", Duration::from_secs(20), || {
        status.borrow().monitors[0].state == MonitorState::Up
    })
    .await;
    let resolver = support::dns_server().await;
    let timeout = Duration::from_secs(2);
    let url = format!("http://{server}/");
    let monitors = [
        support::http(support::http_check(&url), timeout),
        support::tcp("127.0.0.1", server.port(), timeout),
        support::dns("app.klaxon.test", RecordKind::A, &[], resolver),
    ];
    let probers: Vec<Prober> = monitors.iter().map(|m| Prober::new(m).unwrap()).collect();
    for prober in &probers {
        let sample = prober.check(jiff::Timestamp::now()).await;
        assert!(sample.ok, "{sample:?}");
    }

    // A low limit keeps the hog small; the checks already running keep what they hold.
    let before = getrlimit(Resource::Nofile);
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(256),
            maximum: before.maximum,
        },
    )
    .unwrap();
    let hog = use_up_file_handles();

    for prober in &probers {
        let sample = prober.check(jiff::Timestamp::now()).await;
        assert_eq!(
            sample.local_fault,
            Some(LocalFault::OpenFiles),
            "{sample:?}"
        );
        assert!(!sample.ok);
        assert!(
            sample
                .reason
                .contains("not checked: Klaxon has too many open files"),
            "{}",
            sample.reason
        );
    }

    wait_until("the local fault in status", Duration::from_secs(20), || {
        status.borrow().local_fault.is_some()
    })
    .await;
    // Several check cycles (every 1 s, re-checks every 300 ms, one confirmation): a failure
    // judged as the service's would have made it down by now.
    let watch_until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < watch_until {
        {
            let now = status.borrow();
            assert_eq!(
                now.monitors[0].state,
                MonitorState::Up,
                "{:?}",
                now.monitors[0]
            );
            assert!(now.incidents.is_empty(), "{:?}", now.incidents);
            let said = now.local_fault.as_deref().unwrap_or_default();
            assert!(said.contains("Klaxon has too many open files"), "{said}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    drop(hog);
    setrlimit(Resource::Nofile, before).unwrap();
    for prober in &probers {
        let sample = prober.check(jiff::Timestamp::now()).await;
        assert!(sample.ok, "{sample:?}");
    }
    engine.shutdown().await;
}
