//! `make bench`, third part: how fast Klaxon wakes (issue 14).
//!
//! 1. Outage → ringing. One HTTP monitor on a loopback target, the default judge (confirm = 2,
//!    re-check spacing following the interval) with a loopback witness that stays up, so this
//!    machine counts as online. Once the monitor is up, the target is killed (its listener
//!    closed: connection refused) at a random moment of the check cycle (stratified: one
//!    random moment in each of `trials` equal slices of the cycle, counted from one of the
//!    monitor's checks once it has settled into its slot), and the time from the
//!    kill to the engine's `IncidentChanged { Ringing }` event is measured, in process. Every
//!    trial has a fresh engine; trials run side by side, each engine with its own target and
//!    data dir. Reported per interval (1 s, 10 s, 20 s): median, p95 and max, the part after the
//!    first failed check (the incident's `first_failure_at`), and what the interval alone would
//!    give (a uniform wait for the next check plus two re-checks at the default spacing).
//! 2. Start → all 100 monitors have a state: 100 HTTP monitors at 20 s on a loopback server;
//!    the time from `Engine::start` until no monitor is `unknown`. Then the config gains 100
//!    more and is reloaded: the time until all 200 have a state.
//!
//! `KLAXON_BENCH_TRIALS` (default 40) sets the trials per interval, `KLAXON_BENCH_AT_ONCE`
//! (default 20) how many run side by side. Everything talks to 127.0.0.1 only.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;

use klaxon_core::config::recheck_spacing;
use klaxon_core::domain::states::{IncidentState, MonitorState};
use klaxon_core::domain::status::Event;
use klaxon_core::engine::clock::SystemClock;
use klaxon_core::engine::{Engine, EngineOptions};
use klaxon_core::protocol::Command as EngineCommand;

const INTERVALS: [u64; 3] = [1, 10, 20];
const CONFIRM: u32 = 2;

fn main() {
    let trials = env_number("KLAXON_BENCH_TRIALS", 40).max(1);
    let at_once = env_number("KLAXON_BENCH_AT_ONCE", 20).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // The witness: a loopback listener that accepts and closes, up for the whole bench.
        let (witness, witness_task) = serve(false).await;
        outage_to_ringing(witness, trials, at_once).await;
        println!();
        start_to_state(witness).await;
        witness_task.abort();
    });
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

struct Trial {
    /// Kill → the engine's ringing event.
    total: f64,
    /// The incident's first failed check → ringing (wall clock, millisecond precision).
    after_first_failure: f64,
}

async fn outage_to_ringing(witness: SocketAddr, trials: usize, at_once: usize) {
    println!(
        "Outage → ringing ({trials} trials per interval, kill moments stratified over the cycle, a fresh engine each, {at_once} side by side):"
    );
    println!();
    println!(
        "| interval | median | p95 | max | first failure → ringing (median / max) | interval alone (median / p95 / max) |"
    );
    println!("|---|---|---|---|---|---|");
    let mut seed = seed();
    for secs in INTERVALS {
        let every = Duration::from_secs(secs);
        // Stratified: trial k is killed at a random moment within the k-th of `trials` equal
        // slices of the cycle, so the figures do not hang on where 40 random draws happen to
        // fall (a plain draw moves the 10 s median by about ±0.8 s from run to run).
        let mut delays: Vec<Duration> = (0..trials)
            .map(|k| every.mul_f64((k as f64 + next_unit(&mut seed)) / trials as f64))
            .collect();
        for i in (1..delays.len()).rev() {
            let j = (next_unit(&mut seed) * (i + 1) as f64) as usize;
            delays.swap(i, j.min(i));
        }
        let mut results = Vec::with_capacity(trials);
        for wave in delays.chunks(at_once) {
            let wave_results = join_all(wave.iter().map(|d| trial(every, witness, *d))).await;
            results.extend(wave_results);
        }
        let mut totals: Vec<f64> = results.iter().map(|t| t.total).collect();
        let mut confirms: Vec<f64> = results.iter().map(|t| t.after_first_failure).collect();
        totals.sort_by(f64::total_cmp);
        confirms.sort_by(f64::total_cmp);
        let confirmation = recheck_spacing(every, None).as_secs_f64() * CONFIRM as f64;
        let s = secs as f64;
        println!(
            "| {secs} s | {:.2} s | {:.2} s | {:.2} s | {:.2} s / {:.2} s | {:.2} s / {:.2} s / {:.2} s |",
            median(&totals),
            p95(&totals),
            totals[totals.len() - 1],
            median(&confirms),
            confirms[confirms.len() - 1],
            s / 2.0 + confirmation,
            s * 0.95 + confirmation,
            s + confirmation,
        );
    }
    println!();
    println!(
        "Interval alone: the kill lands uniformly in the cycle, so the next check comes after a \
         uniform wait of 0 to one interval (mean interval/2), then {CONFIRM} re-checks at the \
         default spacing (half the interval, 250 ms to 600 ms)."
    );
}

/// One outage: a fresh engine watching a fresh target, killed `delay` after the monitor is up.
async fn trial(every: Duration, witness: SocketAddr, delay: Duration) -> Trial {
    let dir = tempfile::tempdir().expect("temp dir");
    let (target, server) = serve(true).await;
    let config = dir.path().join("klaxon.toml");
    std::fs::write(
        &config,
        format!(
            "[judge]\nwitnesses = [\"{witness}\"]\n\n[[monitor]]\nname = \"API\"\nurl = \"http://{target}/health\"\nevery = \"{}s\"\n",
            every.as_secs()
        ),
    )
    .expect("config");
    let engine = start_engine(dir.path(), &config).await;
    // The kill is placed at a known moment of the settled rhythm: the first check comes at
    // once and the second in the monitor's slot, from which the checks are one interval
    // apart. The status shows a check's time up to a second late (it is published once a
    // second), so the kill is `delay` after a later check of that rhythm still ahead.
    let checked = |s: &klaxon_core::domain::status::Status| {
        s.monitors
            .first()
            .filter(|m| m.state == MonitorState::Up)
            .and_then(|m| m.last_checked)
    };
    let mut status = engine.status();
    let first = checked(
        &tokio::time::timeout(
            every + Duration::from_secs(30),
            status.wait_for(|s| checked(s).is_some()),
        )
        .await
        .expect("the monitor came up")
        .expect("engine status"),
    )
    .expect("checked");
    let second = checked(
        &tokio::time::timeout(
            every * 2 + Duration::from_secs(30),
            status.wait_for(|s| checked(s).is_some_and(|at| at > first)),
        )
        .await
        .expect("the monitor was checked in its slot")
        .expect("engine status"),
    )
    .expect("checked");
    // The first check of the rhythm still ahead (with 50 ms to spare), then `delay` after it.
    let seen_after = second.duration_until(jiff::Timestamp::now()).as_secs_f64() + 0.05;
    let cycles = (seen_after / every.as_secs_f64()).ceil().max(1.0);
    let kill_at = second
        .checked_add(
            jiff::SignedDuration::try_from(every.mul_f64(cycles) + delay).expect("duration"),
        )
        .expect("time");
    let wait = jiff::Timestamp::now().duration_until(kill_at);
    tokio::time::sleep(Duration::try_from(wait).unwrap_or_default()).await;
    let mut events = engine.events();
    let killed = Instant::now();
    let killed_wall = jiff::Timestamp::now();
    server.abort();
    let _ = server.await; // the listener is closed once the task is gone
    let incident = tokio::time::timeout(every * 2 + Duration::from_secs(30), async {
        loop {
            match events.recv().await {
                Ok(Event::IncidentChanged { incident })
                    if incident.state == IncidentState::Ringing =>
                {
                    return incident;
                }
                Ok(_) => {}
                Err(e) => panic!("engine events: {e}"),
            }
        }
    })
    .await
    .expect("the incident opened");
    let total = killed.elapsed().as_secs_f64();
    let rang_wall = killed_wall
        .checked_add(jiff::SignedDuration::from_secs_f64(total))
        .expect("time");
    let after_first_failure = rang_wall
        .duration_since(incident.first_failure_at)
        .as_secs_f64();
    engine.shutdown().await;
    Trial {
        total,
        after_first_failure,
    }
}

async fn start_to_state(witness: SocketAddr) {
    const RUNS: usize = 5;
    const COUNT: usize = 100;
    let (target, server) = serve(true).await;
    let mut started = Vec::new();
    let mut reloaded = Vec::new();
    for _ in 0..RUNS {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("klaxon.toml");
        std::fs::write(&config, monitors_config(witness, target, COUNT)).expect("config");
        let t0 = Instant::now();
        let engine = start_engine(dir.path(), &config).await;
        started.push(all_have_a_state(&engine, COUNT, t0).await);
        // Let the first set settle, then add 100 more and reload.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let t1 = Instant::now();
        std::fs::write(&config, monitors_config(witness, target, COUNT * 2)).expect("config");
        engine.command(EngineCommand::Reload).await;
        reloaded.push(all_have_a_state(&engine, COUNT * 2, t1).await);
        engine.shutdown().await;
    }
    server.abort();
    println!("Start → every monitor has a state (100 HTTP monitors at 20 s, {RUNS} runs):");
    println!();
    println!("| event | first monitor | half | all (median) | all (worst) |");
    println!("|---|---|---|---|---|");
    print_row("engine started, 100 monitors", &started);
    print_row("config reloaded, 100 added (200 in all)", &reloaded);
}

/// Times (first, half, all) of `count` monitors leaving `unknown`, from `t0`, over runs.
fn print_row(what: &str, runs: &[(f64, f64, f64)]) {
    let mut first: Vec<f64> = runs.iter().map(|r| r.0).collect();
    let mut half: Vec<f64> = runs.iter().map(|r| r.1).collect();
    let mut all: Vec<f64> = runs.iter().map(|r| r.2).collect();
    for v in [&mut first, &mut half, &mut all] {
        v.sort_by(f64::total_cmp);
    }
    println!(
        "| {what} | {:.2} s | {:.2} s | {:.2} s | {:.2} s |",
        median(&first),
        median(&half),
        median(&all),
        all[all.len() - 1]
    );
}

/// Waits until `count` monitors are listed and none is `unknown`; the new ones (not up before)
/// are counted as they get a state: (first, half, all), in seconds from `t0`.
async fn all_have_a_state(engine: &Engine, count: usize, t0: Instant) -> (f64, f64, f64) {
    let mut status = engine.status();
    let known_before = status
        .borrow()
        .monitors
        .iter()
        .filter(|m| m.state != MonitorState::Unknown)
        .count();
    let new = count - known_before;
    let (mut first, mut half) = (None, None);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (listed, known) = {
            let s = status.borrow_and_update();
            let known = s
                .monitors
                .iter()
                .filter(|m| m.state != MonitorState::Unknown)
                .count();
            (s.monitors.len(), known)
        };
        let got = known.saturating_sub(known_before);
        let at = t0.elapsed().as_secs_f64();
        if got >= 1 && first.is_none() {
            first = Some(at);
        }
        if got >= new / 2 && half.is_none() && got > 0 {
            half = Some(at);
        }
        if listed == count && known == count {
            return (first.unwrap_or(at), half.unwrap_or(at), at);
        }
        tokio::time::timeout_at(deadline, status.changed())
            .await
            .expect("every monitor got a state within 60 s")
            .expect("engine status");
    }
}

fn monitors_config(witness: SocketAddr, target: SocketAddr, count: usize) -> String {
    let mut text = format!("[judge]\nwitnesses = [\"{witness}\"]\n\n");
    for i in 0..count {
        text.push_str(&format!(
            "[[monitor]]\nname = \"service {i}\"\nurl = \"http://{target}/health/{i}\"\nevery = \"20s\"\n\n"
        ));
    }
    text
}

async fn start_engine(dir: &Path, config: &Path) -> Engine {
    Engine::start(EngineOptions {
        config_path: config.to_path_buf(),
        data_dir: dir.join("data"),
        clock: Arc::new(SystemClock),
    })
    .await
    .expect("engine starts")
}

/// A loopback listener: with `http`, answers `200 ok` to every request (one per connection);
/// without, accepts and closes (a witness). Aborting the task closes the listener.
async fn serve(http: bool) -> (SocketAddr, JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                continue;
            };
            if !http {
                continue;
            }
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = conn
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
            });
        }
    });
    (addr, task)
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Nearest-rank 95th percentile.
fn p95(sorted: &[f64]) -> f64 {
    let rank = (0.95 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn seed() -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("random seed");
    u64::from_le_bytes(bytes) | 1
}

/// A uniform number in [0, 1) (xorshift64*).
fn next_unit(state: &mut u64) -> f64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    let x = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
    (x >> 11) as f64 / (1u64 << 53) as f64
}
