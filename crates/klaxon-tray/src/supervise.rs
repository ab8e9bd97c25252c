//! The tray process's answer to its own faults. An engine that cannot start is said in a
//! desktop notification (and on stderr) before the process exits non-zero — never a panic,
//! never a silent exit. An engine whose task dies while running is said the same way, and the
//! tray starts itself again: the new process waits for this one to be gone, so the data dir's
//! lock is free when it starts. SIGTERM and SIGINT quit as Quit in the menu does.

use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::watch;

/// The argument a restarted tray gets: the pid to wait for.
pub const AFTER_FAULT_ARG: &str = "--after-fault";

/// How many times in a row the tray restarts itself after a fault.
const MAX_RESTARTS: u32 = 3;
/// A run at least this long counts as steady: the restart count starts again from zero.
const STEADY_RUN: Duration = Duration::from_secs(600);
/// Carries the count of restarts in a row to the restarted tray.
const RESTARTS_ENV: &str = "KLAXON_FAULT_RESTARTS";

/// Exit code for a fault inside Klaxon (sysexits' EX_SOFTWARE).
pub const FAULT_EXIT: i32 = 70;
/// Exit code for an engine that could not start.
pub const CANNOT_START_EXIT: i32 = 2;

fn previous_restarts() -> u32 {
    std::env::var(RESTARTS_ENV)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Says why Klaxon cannot start; the exit code to end with.
pub fn cannot_start(reason: &str) -> i32 {
    let message = format!("{reason}. Nothing is being watched.");
    eprintln!("klaxon-app: Klaxon cannot start: {message}");
    tracing::error!("Klaxon cannot start: {message}");
    klaxon_core::engine::desktop::notify_and_wait(
        "Klaxon cannot start",
        &message,
        Duration::from_secs(3),
    );
    CANNOT_START_EXIT
}

/// Waits for the engine to fail; then says so, starts a fresh tray and asks this one to quit
/// with [`FAULT_EXIT`].
pub fn restart_on_failure(
    runtime: &Handle,
    mut failure: watch::Receiver<Option<String>>,
    quit: impl FnOnce(i32) + Send + 'static,
) {
    let started = std::time::Instant::now();
    runtime.spawn(async move {
        let Ok(reason) = failure.wait_for(Option::is_some).await else {
            return;
        };
        let reason = reason.clone().unwrap_or_default();
        // A fault that comes back at every start must not become a loop of restarts and
        // notifications: after a few, the tray stops and says so. A run of ten minutes or
        // more is not part of a loop.
        let restarts = if started.elapsed() >= STEADY_RUN {
            0
        } else {
            previous_restarts()
        };
        if restarts >= MAX_RESTARTS {
            let message = format!(
                "{reason}. Klaxon failed again after {restarts} restarts and has stopped: nothing is being watched. Start it again, and if this repeats, report it with `klaxon logs`."
            );
            tracing::error!("{message}");
            klaxon_core::engine::desktop::notify_and_wait(
                "Klaxon keeps failing",
                &message,
                Duration::from_secs(3),
            );
            return quit(FAULT_EXIT);
        }
        let message = format!("{reason}. Klaxon is restarting.");
        tracing::error!("{message}");
        klaxon_core::engine::desktop::notify_and_wait(
            "Klaxon had a fault",
            &message,
            Duration::from_secs(3),
        );
        match std::env::current_exe().and_then(|exe| {
            std::process::Command::new(exe)
                .arg(crate::BACKGROUND_ARG)
                .arg(AFTER_FAULT_ARG)
                .arg(std::process::id().to_string())
                .env(RESTARTS_ENV, (restarts + 1).to_string())
                .spawn()
        }) {
            Ok(_) => {}
            Err(e) => tracing::error!("cannot start Klaxon again: {e}"),
        }
        quit(FAULT_EXIT);
    });
}

/// SIGTERM (a logout, `kill`, a service manager) or SIGINT (Ctrl-C in `make run`) quits as Quit
/// in the tray does: the phone hears this machine is no longer covered, if asked to, and the
/// window's process goes too. Without this the signal's default would end the process on the
/// spot and leave the window showing a state nobody keeps up to date.
pub fn quit_on_signal(runtime: &Handle, quit: impl FnOnce(i32) + Send + 'static) {
    #[cfg(unix)]
    runtime.spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            tracing::warn!("cannot listen for SIGTERM: a kill ends Klaxon without its farewell");
            return;
        };
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: quitting"),
            _ = int.recv() => tracing::info!("SIGINT: quitting"),
        }
        quit(0);
    });
    #[cfg(not(unix))]
    let _ = (runtime, quit);
}

/// In a restarted tray: waits (up to 30 s) for the faulty process to be gone.
pub fn wait_for_previous(args: &[String]) {
    let Some(pid) = args
        .iter()
        .position(|a| a == AFTER_FAULT_ARG)
        .and_then(|i| args.get(i + 1))
        .and_then(|p| p.parse::<u32>().ok())
    else {
        return;
    };
    let gone = || !std::path::Path::new(&format!("/proc/{pid}")).exists();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    if cfg!(target_os = "linux") {
        while !gone() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    } else {
        std::thread::sleep(Duration::from_secs(2));
    }
}
