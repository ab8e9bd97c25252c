//! Klaxon's engine: everything that decides "is it down?" and remembers what happened, with no
//! window. The tray app and the `klaxon` CLI are thin shells over this crate.
//!
//! Where things live, and which way the dependencies point (each folder uses only those to
//! its left, and the shared edges at the bottom):
//!
//! ```text
//! domain ← config ← probe, channels ← sources, store ← aftermath ← protocol ← engine ← shells
//! ```
//!
//! - [`domain`]: value types with no I/O — monitors and samples, the judge, incidents and
//!   their book, the states and the status snapshot, durations in words.
//! - [`config`]: `klaxon.toml` read, checked and edited; every limit ([`config::bounds`]).
//! - [`probe`]: one check of one monitor (HTTP, TCP, TLS, DNS) against the network.
//! - [`channels`]: one message to one channel (ntfy, a webhook) and what its answer means.
//! - [`sources`]: monitoring that runs elsewhere (Alertmanager, ntfy, Healthchecks, Gatus,
//!   Uptime Kuma) read into alerts.
//! - [`store`]: the SQLite history, its writer thread and recovery of a damaged file.
//! - [`engine`]: the running engine — owner task, monitor schedule, witnesses, clock, siren,
//!   keep-awake, desktop notifications, the control socket's server, local faults.
//! - [`protocol`]: the control socket's wire format and the typed client both shells use.
//! - [`aftermath`]: after an outage — the look back, notes, drafts to customers.
//! - Edges shared by all: [`paths`] (which files, where), [`data_dir`] (kept private),
//!   [`text`] (outside text made safe), [`secrets`] (the keyring), [`logging`], [`error`].

pub mod aftermath;
pub mod channels;
pub mod config;
pub mod data_dir;
pub mod domain;
pub mod engine;
pub mod error;
pub mod logging;
pub mod paths;
pub mod probe;
pub mod protocol;
pub mod secrets;
pub mod sources;
pub mod store;
#[cfg(test)]
mod test_servers;
pub mod text;

pub use error::{Error, Result};

#[cfg(test)]
mod layering_tests;

/// This crate's directory, as `cargo test` names it when it runs the tests; the path compiled
/// in is the fallback (a test binary reused from another checkout sharing the target dir
/// carries that checkout's path, which may be gone).
#[cfg(test)]
fn crate_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}
