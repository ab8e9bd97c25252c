//! `make bench`, second part: how fast the siren starts and what ringing costs.
//!
//! A private PulseAudio server with a null sink is started and recorded in real time (as in the
//! end-to-end tests). The engine checks one loopback service; the service goes away, and the
//! bench measures the time from the incident opening (the engine's event) to the first
//! non-silent frame in the recording, five times over. Then it measures the engine process's
//! CPU time while ringing against while idle, and the time from an acknowledgement to silence.
//! Everything talks to 127.0.0.1 only.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::{Kill, cpu_time};

mod support;

use klaxon_core::domain::states::{AckVia, IncidentState};
use klaxon_core::domain::status::Event;
use klaxon_core::engine::clock::SystemClock;
use klaxon_core::engine::{Engine, EngineOptions};
use klaxon_core::protocol::Command as EngineCommand;

const RATE_BYTES: f64 = 48_000.0 * 4.0;
const AUDIBLE: f32 = 0.01;

fn main() {
    let runtime_dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(
        runtime_dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .expect("chmod");
    // Before any thread exists: the engine's audio output and pactl find this server.
    unsafe { std::env::set_var("XDG_RUNTIME_DIR", runtime_dir.path()) };
    let _pulse = Kill(
        Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--use-pid-file=no",
            ])
            .arg("--load=module-native-protocol-unix auth-anonymous=1")
            .arg("--load=module-null-sink sink_name=bench")
            .stderr(Stdio::null())
            .spawn()
            .expect("pulseaudio (make bench installs it)"),
    );
    wait(|| pactl(&["info"]));
    pactl(&["set-default-sink", "bench"]);
    let recording = runtime_dir.path().join("bench.raw");
    let _parec = Kill(
        Command::new("parec")
            .args([
                "-d",
                "bench.monitor",
                "--latency-msec=10",
                "--format=s16le",
                "--rate=48000",
                "--channels=2",
                "--raw",
            ])
            .stdout(std::fs::File::create(&recording).expect("recording file"))
            .spawn()
            .expect("parec"),
    );
    wait(|| position(&recording) > 0.1);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        // The service: up while this listener lives, down (connection refused) when dropped.
        let mut service = Some(std::net::TcpListener::bind("127.0.0.1:0").expect("bind"));
        let addr = service.as_ref().and_then(|l| l.local_addr().ok()).expect("addr");
        let config = dir.path().join("klaxon.toml");
        std::fs::write(
            &config,
            format!("[judge]\nconfirm = 0\nrecover = 1\nwitnesses = []\n\n[[monitor]]\nname = \"API\"\ntcp = \"{addr}\"\nevery = \"1s\"\n"),
        )
        .expect("config");
        let engine = Engine::start(EngineOptions {
            config_path: config,
            data_dir: dir.path().join("data"),
            clock: Arc::new(SystemClock),
        })
        .await
        .expect("engine");
        let mut events = engine.events();
        let mut latencies = Vec::new();
        let mut silences = Vec::new();
        let mut cpu_ringing = Duration::ZERO;
        for round in 0..5 {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            drop(service.take());
            // Wait for the incident to open (ringing), noting the recording's position then.
            let opened_at = loop {
                match events.recv().await {
                    Ok(Event::IncidentChanged { incident }) if incident.state == IncidentState::Ringing => break position(&recording),
                    Ok(_) => {}
                    Err(e) => panic!("engine events ended: {e}"),
                }
            };
            let first = wait_async(|| first_sound(&recording, opened_at - 0.5)).await;
            latencies.push((first - opened_at) * 1000.0);
            if round == 0 {
                let before = cpu_time();
                tokio::time::sleep(Duration::from_secs(10)).await;
                cpu_ringing = cpu_time() - before;
            }
            engine.command(EngineCommand::Ack { incident: None, via: AckVia::Cli, code: None }).await;
            let acked_at = position(&recording);
            tokio::time::sleep(Duration::from_secs(1)).await;
            let quiet = last_sound(&recording, acked_at - 0.5).unwrap_or(acked_at);
            silences.push(((quiet - acked_at) * 1000.0).max(0.0));
            // The service comes back and the incident resolves; the next round breaks it again.
            service = Some(std::net::TcpListener::bind(addr).expect("rebind"));
            loop {
                match events.recv().await {
                    Ok(Event::IncidentChanged { incident }) if incident.state == IncidentState::Resolved => break,
                    Ok(_) => {}
                    Err(e) => panic!("engine events ended: {e}"),
                }
            }
        }
        // Idle: the service up and checked every second, nothing ringing.
        let before = cpu_time();
        tokio::time::sleep(Duration::from_secs(10)).await;
        let cpu_idle = cpu_time() - before;
        assert!(
            engine.status().borrow().incidents.is_empty(),
            "an incident opened while the idle engine was measured"
        );
        drop(service);
        engine.shutdown().await;
        latencies.sort_by(f64::total_cmp);
        silences.sort_by(f64::total_cmp);
        println!("| siren | median | worst |");
        println!("|---|---|---|");
        println!("| incident opened → first audible frame | {:.0} ms | {:.0} ms |", latencies[2], latencies[4]);
        println!("| acknowledged → silence | {:.0} ms | {:.0} ms |", silences[2], silences[4]);
        println!();
        println!(
            "CPU while ringing: {:.1}% of one core (idle with one monitor: {:.1}%).",
            cpu_ringing.as_secs_f64() * 10.0,
            cpu_idle.as_secs_f64() * 10.0
        );
    });
}

fn pactl(args: &[&str]) -> bool {
    Command::new("pactl")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn wait(mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn wait_async<T>(mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for sound");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Seconds recorded so far.
fn position(path: &Path) -> f64 {
    std::fs::metadata(path)
        .map(|m| m.len() as f64 / RATE_BYTES)
        .unwrap_or(0.0)
}

/// Left-channel samples from `from` seconds on, in 5 ms windows: (start time, RMS).
fn windows(path: &Path, from: f64) -> Vec<(f64, f32)> {
    let bytes = std::fs::read(path).unwrap_or_default();
    let start = ((from.max(0.0) * RATE_BYTES) as usize) & !3;
    let samples: Vec<f32> = bytes
        .get(start..)
        .unwrap_or_default()
        .chunks_exact(4)
        .map(|f| i16::from_le_bytes([f[0], f[1]]) as f32 / 32768.0)
        .collect();
    samples
        .chunks_exact(240)
        .enumerate()
        .map(|(i, c)| {
            (
                from.max(0.0) + i as f64 * 0.005,
                (c.iter().map(|s| s * s).sum::<f32>() / 240.0).sqrt(),
            )
        })
        .collect()
}

fn first_sound(path: &Path, from: f64) -> Option<f64> {
    windows(path, from)
        .into_iter()
        .find(|(_, r)| *r > AUDIBLE)
        .map(|(t, _)| t)
}

fn last_sound(path: &Path, from: f64) -> Option<f64> {
    windows(path, from)
        .into_iter()
        .rev()
        .find(|(_, r)| *r > AUDIBLE)
        .map(|(t, _)| t + 0.005)
}
