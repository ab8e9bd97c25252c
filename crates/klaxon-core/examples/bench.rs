//! `make bench`: how the engine behaves under load, and how big a year of history gets.
//!
//! 1. The engine (on a one-worker runtime, the whole process pinned to CPU 0) checks 100 and
//!    then 1,000 HTTP monitors at 10 s against a loopback server that runs in a separate
//!    process pinned to CPU 1, so the server's work is not counted as the engine's. Reports
//!    checks per second, schedule slip (p50/p99/max), CPU time per check in the steady state
//!    (after a 5 s warm-up) and peak RSS; then what a check cannot go below on this machine.
//! 2. A simulated year of samples for 50 monitors at 30 s goes through the real store (raw
//!    samples, hourly roll-ups after 48 h) and the database file's size is reported.
//!
//! Everything talks to 127.0.0.1 only.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::{Kill, cpu_time, peak_rss_kb};

mod support;

use klaxon_core::domain::monitor::{Evidence, HttpCheck, Monitor, Sample, Target};
use klaxon_core::domain::states::MonitorState;
use klaxon_core::engine::clock::SystemClock;
use klaxon_core::engine::{Engine, EngineOptions};
use klaxon_core::probe::Prober;
use klaxon_core::protocol::{Command as EngineCommand, Reply};
use klaxon_core::store::Store;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--serve") {
        serve();
        return;
    }
    let run_for: u64 = std::env::var("KLAXON_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let (server, port) = start_server();
    println!(
        "| monitors | interval | checks/s | slip p50 | slip p99 | slip max | CPU per check | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for count in [100, 1000] {
        let r = engine_run(count, port, Duration::from_secs(run_for));
        println!(
            "| {count} | 10 s | {:.1} | {:.1} ms | {:.1} ms | {:.1} ms | {:.0} µs | {:.1} MB |",
            r.checks_per_second,
            r.slip_p50_ms,
            r.slip_p99_ms,
            r.slip_max_ms,
            r.cpu_per_check_us,
            r.peak_rss_mb
        );
    }
    println!();
    let floor = floors(port);
    println!(
        "What one check cannot go below, on this machine (2,000 in a row, CPU per request): a bare \
         TCP connect + request + read + close {:.0} µs; Klaxon's HTTP probe alone (no engine) {:.0} µs.",
        floor.bare_us, floor.probe_us
    );
    drop(server);
    println!();
    year_of_history();
}

struct EngineFigures {
    checks_per_second: f64,
    slip_p50_ms: f64,
    slip_p99_ms: f64,
    slip_max_ms: f64,
    cpu_per_check_us: f64,
    peak_rss_mb: f64,
}

fn engine_run(count: usize, port: u16, run_for: Duration) -> EngineFigures {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("klaxon.toml");
    let mut text = String::from("[judge]\nwitnesses = [\"127.0.0.1:9\"]\n\n");
    for i in 0..count {
        text.push_str(&format!(
            "[[monitor]]\nname = \"service {i}\"\nurl = \"http://127.0.0.1:{port}/health/{i}\"\nevery = \"10s\"\n\n"
        ));
    }
    std::fs::write(&config, text).expect("write config");
    let runtime = one_worker_runtime();
    runtime.block_on(async {
        let engine = Engine::start(EngineOptions {
            config_path: config.clone(),
            data_dir: dir.path().join("data"),
            clock: Arc::new(SystemClock),
        })
        .await
        .expect("engine starts");
        // The steady state is measured: the start (every monitor's first check within 2 s,
        // the siren's first look at the output) is a one-off, left out by a warm-up.
        tokio::time::sleep(WARM_UP).await;
        let checks_before = checks_made(&engine).await;
        let cpu_before = cpu_time();
        let started = Instant::now();
        tokio::time::sleep(run_for).await;
        let cpu = cpu_time() - cpu_before;
        let elapsed = started.elapsed();
        let Reply::Slips { slips } = engine.command(EngineCommand::Slips).await else {
            panic!("the engine did not report slips");
        };
        let checks = slips.checks - checks_before;
        let status = engine.status().borrow().clone();
        let down = status
            .monitors
            .iter()
            .filter(|m| m.state != MonitorState::Up)
            .count();
        assert!(
            down == 0,
            "{down} monitors not up: the bench server did not keep up"
        );
        engine.shutdown().await;
        EngineFigures {
            checks_per_second: checks as f64 / elapsed.as_secs_f64(),
            slip_p50_ms: slips.p50_ms,
            slip_p99_ms: slips.p99_ms,
            slip_max_ms: slips.max_ms,
            cpu_per_check_us: cpu.as_secs_f64() * 1e6 / checks.max(1) as f64,
            peak_rss_mb: peak_rss_kb() as f64 / 1024.0,
        }
    })
}

struct Floors {
    bare_us: f64,
    probe_us: f64,
}

/// The same loopback request as the engine's checks, made one after another on the same kind
/// of runtime: once over a bare `TcpStream` (the kernel's share and the least any check can
/// cost), once through the probe the engine uses (the HTTP client's share). The engine's figure
/// less the probe's is what scheduling, judging and recording add. Both run on the worker
/// thread, as the engine's checks do (from `block_on`'s thread every wake-up would cross
/// threads, which the engine's checks never pay).
fn floors(port: u16) -> Floors {
    const ROUNDS: u32 = 2_000;
    let runtime = one_worker_runtime();
    let on_the_worker = runtime.spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let request = format!(
            "GET /health/0 HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nuser-agent: Klaxon\r\naccept: */*\r\n\r\n"
        );
        let before = cpu_time();
        for _ in 0..ROUNDS {
            let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
            conn.write_all(request.as_bytes()).await.expect("write");
            let mut answer = Vec::with_capacity(128);
            conn.read_to_end(&mut answer).await.expect("read");
            assert!(answer.starts_with(b"HTTP/1.1 200"), "bench server answered");
        }
        let bare = cpu_time() - before;

        let url = format!("http://127.0.0.1:{port}/health/0");
        let monitor = Monitor {
            name: "floor".into(),
            target: Target::Http(HttpCheck::with_defaults(url.parse().expect("url"))),
            every: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
        };
        let prober = Prober::new(&monitor).expect("probe");
        let before = cpu_time();
        for _ in 0..ROUNDS {
            let sample = prober.check(jiff::Timestamp::now()).await;
            assert!(sample.ok, "{}", sample.reason);
        }
        let probe = cpu_time() - before;
        let per = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(ROUNDS);
        Floors {
            bare_us: per(bare),
            probe_us: per(probe),
        }
    });
    runtime.block_on(on_the_worker).expect("the floors' task")
}

/// The engine's kind of runtime: every measurement here runs on one worker.
fn one_worker_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Left out of the CPU figure: the start and every monitor's first check.
const WARM_UP: Duration = Duration::from_secs(5);

async fn checks_made(engine: &Engine) -> u64 {
    let Reply::Slips { slips } = engine.command(EngineCommand::Slips).await else {
        panic!("the engine did not report slips");
    };
    slips.checks
}

fn year_of_history() {
    const MONITORS: usize = 50;
    const EVERY_MS: i64 = 30_000;
    const DAY_MS: i64 = 86_400_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("klaxon.db");
    let mut store = Store::open(&path).expect("store");
    let start_ms: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    let started = Instant::now();
    let mut samples = Vec::with_capacity(MONITORS * (3_600_000 / EVERY_MS) as usize);
    let mut total = 0u64;
    for hour in 0..(365 * 24) {
        let hour_start = start_ms + hour * 3_600_000;
        samples.clear();
        let mut at = hour_start;
        while at < hour_start + 3_600_000 {
            for m in 0..MONITORS {
                // About one failure in 200 checks, with its reason kept.
                let ok = (at / EVERY_MS + m as i64) % 200 != 0;
                samples.push((
                    format!("service {m}"),
                    sample(at, ok, 20 + (at / EVERY_MS % 50) as u64),
                ));
            }
            at += EVERY_MS;
        }
        total += samples.len() as u64;
        store.record_samples(&samples, &[]).expect("record");
        if hour % 24 == 23 {
            let now = hour_start + 3_600_000;
            store
                .roll_up(jiff::Timestamp::from_millisecond(now - 2 * DAY_MS).expect("time"))
                .expect("roll up");
        }
    }
    store.vacuum().expect("vacuum");
    let size = file_size(&path);
    println!(
        "A year of history for {MONITORS} monitors at 30 s: {total} samples written in {:.0} s;",
        started.elapsed().as_secs_f64()
    );
    println!(
        "database size after the year: {:.1} MB (48 h of raw samples + hourly roll-ups).",
        size as f64 / 1e6
    );
}

fn sample(at_ms: i64, ok: bool, latency_ms: u64) -> Sample {
    Sample {
        ok,
        at: jiff::Timestamp::from_millisecond(at_ms).expect("time"),
        latency: Duration::from_millis(latency_ms),
        reason: if ok {
            "HTTP 200 OK".into()
        } else {
            "HTTP 502 Bad Gateway".into()
        },
        evidence: Evidence::default(),
        local_fault: None,
    }
}

fn file_size(path: &Path) -> u64 {
    let wal = path.with_extension("db-wal");
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
}

/// The loopback server, in a child process on the other CPU. Killed on drop.
fn start_server() -> (Kill, u16) {
    let exe = std::env::current_exe().expect("own path");
    let mut child = Command::new("taskset")
        .args(["-c", "1"])
        .arg(exe)
        .arg("--serve")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the bench server (taskset from util-linux is needed)");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("server stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
        .expect("server port");
    let port = line.trim().parse().expect("server prints its port");
    (Kill(child), port)
}

/// Answers `200 ok` to every request, one connection per request.
fn serve() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("{}", listener.local_addr().expect("addr").port());
        std::io::stdout().flush().ok();
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                continue;
            };
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
}
