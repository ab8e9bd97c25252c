//! A maintenance window in the running engine is written down as unwatched time, with the cause
//! `maintenance`, for the monitors it names only — so their uptime leaves it out and the other
//! monitors' does not. The engine runs on a wall clock set two seconds before a window ends.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use klaxon_core::domain::states::UnwatchedCause;
use klaxon_core::engine::clock::TokioClock;
use klaxon_core::engine::{Engine, EngineOptions};
use klaxon_core::store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_over_one_monitor_is_unwatched_time_for_that_monitor_only() {
    let server = support::serve_response(support::response("200 OK", &[], "ok")).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("klaxon.toml");
    std::fs::write(
        &config,
        format!(
            "[judge]\nwitnesses = []\n\n[[monitor]]\nname = \"API\"\nurl = \"http://{server}/a\"\nevery = \"1s\"\n\n[[monitor]]\nname = \"Web\"\nurl = \"http://{server}/w\"\nevery = \"1s\"\n\n[[maintenance]]\ncron = \"0 2 * * *\"\nduration = \"1m\"\ntimezone = \"UTC\"\nmonitors = [\"API\"]\n"
        ),
    )
    .unwrap();
    // The window runs 02:00–02:01 UTC; the engine starts at 02:00:57.
    let start: Timestamp = "2026-11-29T02:00:57Z".parse().unwrap();
    let end: Timestamp = "2026-11-29T02:01:00Z".parse().unwrap();
    let data = dir.path().join("data");
    let engine = Engine::start(EngineOptions {
        config_path: config,
        data_dir: data.clone(),
        clock: Arc::new(TokioClock::starting_at(start)),
    })
    .await
    .unwrap();
    let status = engine.status();
    assert_eq!(
        status.borrow().maintenance.first().map(|m| m.until),
        Some(end),
        "the window is on at start"
    );

    let deadline = Instant::now() + Duration::from_secs(30);
    let rows = loop {
        let store = Store::open_read_only(&data.join("klaxon.db")).unwrap();
        let rows = store
            .monitors_unmonitored_between(start - jiff::SignedDuration::from_hours(1), end)
            .unwrap();
        if !rows.is_empty() {
            break rows;
        }
        assert!(
            Instant::now() < deadline,
            "the window's time was never written down"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (monitor, stretch) = &rows[0];
    assert_eq!(monitor, "API");
    assert_eq!(stretch.cause, UnwatchedCause::Maintenance);
    assert!(stretch.from >= start && stretch.from < end, "{stretch:?}");
    // Written on the owner's first tick after the end (a tick is a second).
    let late = stretch.to.duration_since(end).as_secs_f64();
    assert!((0.0..5.0).contains(&late), "{stretch:?}");
    // Nothing for every monitor: Web was watched all along.
    let store = Store::open_read_only(&data.join("klaxon.db")).unwrap();
    assert!(store.unmonitored().unwrap().is_empty());
    assert!(status.borrow().maintenance.is_empty());
}
