//! The engine across a laptop sleep: the wall clock jumps while tokio's monotonic clock does
//! not, exactly as after a suspend. The jump is simulated with `TokioClock::jump`, since the test
//! machine cannot be put to sleep.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use klaxon_core::domain::states::{MonitorState, UnwatchedCause};
use klaxon_core::domain::status::Event;
use klaxon_core::engine::clock::{Clock, TokioClock};
use klaxon_core::engine::{Engine, EngineOptions};
use klaxon_core::store::Store;

async fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An engine on `config` in a temp dir, on a wall clock the test can jump, once its only
/// monitor is up.
async fn engine_up(config: String) -> (tempfile::TempDir, Engine, TokioClock) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.toml");
    std::fs::write(&path, config).unwrap();
    let clock = TokioClock::starting_at(Timestamp::now());
    let engine = Engine::start(EngineOptions {
        config_path: path,
        data_dir: dir.path().join("data"),
        clock: Arc::new(clock.clone()),
    })
    .await
    .unwrap();
    let status = engine.status();
    wait_until("the monitor up", Duration::from_secs(20), || {
        status.borrow().monitors[0].state == MonitorState::Up
    })
    .await;
    (dir, engine, clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sleep_is_recorded_as_unmonitored_and_checks_wait_for_the_grace_period() {
    let server = support::serve_response(support::response("200 OK", &[], "ok")).await;
    let (dir, engine, clock) = engine_up(format!(
        "[judge]\ngrace_after_resume = \"4s\"\nwitnesses = [\"127.0.0.1:9\"]\n\n[[monitor]]\nname = \"API\"\nurl = \"http://{server}/\"\nevery = \"1s\"\n"
    ))
    .await;
    let mut events = engine.events();
    let status = engine.status();

    clock.jump(Duration::from_secs(600));
    let (from, to) = loop {
        match tokio::time::timeout(Duration::from_secs(20), events.recv()).await {
            Ok(Ok(Event::Unmonitored { from, to, cause })) => {
                assert_eq!(cause, UnwatchedCause::Suspend);
                break (from, to);
            }
            Ok(Ok(_)) => continue,
            other => panic!("no unmonitored event after the jump: {other:?}"),
        }
    };
    let slept = to.duration_since(from).as_secs();
    assert!(
        (595..=620).contains(&slept),
        "the gap should be about 10 min, was {slept} s"
    );
    // The first check that started after the wake waited for the grace period (4 s; the
    // engine's watcher notices the jump up to 1 s after the tasks do). Sample
    // times come from the same clock as the gap, so this holds however late the snapshot is.
    let checked_after_wake = || status.borrow().monitors[0].last_checked.filter(|t| *t > to);
    wait_until("a check after the grace", Duration::from_secs(20), || {
        checked_after_wake().is_some()
    })
    .await;
    let first = checked_after_wake().unwrap();
    let waited = first.duration_since(to).as_secs_f64();
    assert!(
        waited >= 2.5,
        "checked {waited:.2} s after waking, before the grace period ended"
    );

    // ...and the gap is in the database as time nobody watched.
    let store = Store::open_read_only(&dir.path().join("data/klaxon.db")).unwrap();
    let gaps = store.unmonitored().unwrap();
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0].cause, UnwatchedCause::Suspend);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_right_after_waking_does_not_ring() {
    // The service is briefly unreachable as the laptop wakes (Wi-Fi still joining); with
    // `confirm = 0` any failure that were judged would open an incident at once.
    let mut service = Some(std::net::TcpListener::bind("127.0.0.1:0").unwrap());
    let addr = service.as_ref().unwrap().local_addr().unwrap();
    let (dir, engine, clock) = engine_up(format!(
        "[judge]\nconfirm = 0\nrecover = 1\ngrace_after_resume = \"4s\"\nwitnesses = []\n\n[[monitor]]\nname = \"DB\"\ntcp = \"{addr}\"\nevery = \"1s\"\n"
    ))
    .await;
    let status = engine.status();

    service.take();
    clock.jump(Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_secs(2)).await;
    service = Some(std::net::TcpListener::bind(addr).unwrap());
    // Past the grace period the service answers again: nothing may have rung.
    let woke = clock.now();
    wait_until("a check after the grace", Duration::from_secs(20), || {
        status.borrow().monitors[0]
            .last_checked
            .is_some_and(|t| t > woke)
    })
    .await;
    assert_eq!(status.borrow().monitors[0].state, MonitorState::Up);
    let store = Store::open_read_only(&dir.path().join("data/klaxon.db")).unwrap();
    assert!(
        store.incidents().unwrap().is_empty(),
        "an incident opened from a check made while waking"
    );
    drop(service);
    engine.shutdown().await;
}
