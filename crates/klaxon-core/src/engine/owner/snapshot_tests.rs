//! The owner reads channels that other threads write (the siren player's sound, the store
//! writer's health). A `watch` borrow is a read lock: holding one while taking another read of
//! the same channel deadlocks as soon as the writer queues up in between, and then the engine
//! answers nothing and the siren's thread hangs with it. These tests hammer the writers while
//! the owner publishes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, watch};

use super::Owner;
use crate::config::Config;
use crate::domain::incident::IncidentBook;
use crate::domain::status::SoundStatus;
use crate::engine::EngineOptions;
use crate::engine::clock::SystemClock;
use crate::store::{StoreHealth, StoreWriter};

fn owner(dir: &std::path::Path) -> Owner {
    let options = EngineOptions {
        config_path: dir.join("klaxon.toml"),
        data_dir: dir.to_path_buf(),
        clock: Arc::new(SystemClock),
    };
    let (commands, _) = mpsc::channel(1);
    let (events, _) = broadcast::channel(1);
    let (status, _) = watch::channel(Default::default());
    let writer = StoreWriter::start(None, &dir.join("klaxon.db"));
    Owner::new(
        options,
        Config::default(),
        writer,
        IncidentBook::default(),
        status,
        events,
        commands,
    )
    .expect("an owner over an empty config")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_never_deadlocks_against_the_siren_or_the_store_reporting() {
    let dir = tempfile::tempdir().unwrap();
    let mut owner = owner(dir.path());
    let (sound_tx, sound) = watch::channel(SoundStatus::default());
    let (health_tx, health) = watch::channel(StoreHealth::default());
    (owner.sound, owner.store_health) = (sound, health);
    let stop = Arc::new(AtomicBool::new(false));
    // The player reports after every attempt to open a device, the store writer after every
    // write: a write lock each time.
    let writers = [
        hammer(stop.clone(), move || {
            sound_tx.send_if_modified(|_| false);
        }),
        hammer(stop.clone(), move || {
            health_tx.send_if_modified(|_| false);
        }),
    ];
    let (done_tx, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for _ in 0..20_000 {
            let _ = owner.snapshot();
        }
        let _ = done_tx.send(());
    });
    let finished = done.recv_timeout(Duration::from_secs(60));
    stop.store(true, Ordering::Relaxed);
    assert!(
        finished.is_ok(),
        "the owner hung building a status while the siren and the store reported"
    );
    for writer in writers {
        writer.join().unwrap();
    }
}

fn hammer(stop: Arc<AtomicBool>, write: impl Fn() + Send + 'static) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            write();
        }
    })
}
