//! Where Klaxon's own words go, the same for `klaxon run` and the tray app: the terminal
//! (stderr), and for the processes that run the engine also a size-bounded, rotating file in the
//! data dir (`klaxon.log`, see [`file`]), which `klaxon logs` and Settings point to.
//!
//! Two decisions live here. Native libraries (ALSA, JACK, PulseAudio's ALSA plugin, GTK) print
//! their own complaints straight to the C `stderr` stream: [`native`] routes those lines into
//! this log at debug level, so a user sees only Klaxon's words and a developer still finds them
//! with `KLAXON_LOG=debug`. And a panic anywhere is written to the log file too (a tray app
//! started at login has no terminal), besides Rust's usual message on stderr.
//!
//! `KLAXON_LOG` (an `EnvFilter` directive, default `info`) filters both the terminal and the file.

pub mod file;
pub mod native;

use std::io::IsTerminal;
use std::path::Path;

use tracing_subscriber::Layer;
use tracing_subscriber::filter::{EnvFilter, FilterExt, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub use file::{LogFile, escape, path};

/// The target of a panic's log line: written to the file only, since Rust's own panic message
/// already reaches stderr.
const PANIC_TARGET: &str = "klaxon::panic";

/// Sets up the process's log: stderr always, the rotating file in `data_dir` when given (the
/// processes that run an engine). Native libraries' stderr lines are captured from here on.
/// Call once, first thing in `main`, before any thread starts: the capture swaps the C library's
/// `stderr` stream, which no other thread may be using yet.
pub fn init(data_dir: Option<&Path>) {
    let capture = native::capture();
    let filter =
        || EnvFilter::try_from_env("KLAXON_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // Every field through `printable`: a server's words cannot forge or paint the log.
    let terminal = tracing_subscriber::fmt::layer()
        .fmt_fields(crate::text::log_fields())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .with_filter(filter().and(filter_fn(|m| m.target() != PANIC_TARGET)));
    let (file, file_problem) = match data_dir.map(|dir| (dir, LogFile::open(&path(dir)))) {
        None => (None, None),
        Some((_, Ok(log))) => (Some(log), None),
        Some((dir, Err(e))) => (None, Some(format!("{}: {e}", path(dir).display()))),
    };
    let file = file.map(|log| {
        tracing_subscriber::fmt::layer()
            .fmt_fields(crate::text::log_fields())
            .with_writer(log)
            .with_ansi(false)
            .with_target(false)
            .with_filter(filter())
    });
    // A second init (tests that start several apps in one process) keeps the first.
    if tracing_subscriber::registry()
        .with(terminal)
        .with(file)
        .try_init()
        .is_err()
    {
        return;
    }
    log_panics();
    if let Some(problem) = file_problem {
        tracing::warn!("cannot write the log file, so the log goes to stderr only: {problem}");
    }
    if let Err(e) = capture {
        tracing::debug!("native libraries' messages stay on stderr: {e}");
    }
}

/// Adds the panic to the log (the file, for a tray app nobody watches on a terminal), then
/// lets Rust's own hook print it as usual.
fn log_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("unnamed");
        tracing::error!(target: PANIC_TARGET, "thread '{name}' {info}");
        previous(info);
    }));
}
