//! The one error type of klaxon-core. Every message is a sentence that says what went wrong and
//! where (file, line, field, URL), and never contains a secret value.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(#[from] crate::config::ConfigErrors),

    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("monitor {monitor:?}: cannot use the certificate file {path}: {reason}")]
    CaFile {
        monitor: String,
        path: PathBuf,
        reason: String,
    },

    #[error("monitor {monitor:?}: cannot prepare the check: {reason}")]
    ProbeSetup { monitor: String, reason: String },

    #[error("the database at {path} failed: {source}")]
    Database {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error("database migration {name} failed: {source}")]
    Migration {
        name: String,
        source: rusqlite::Error,
    },

    #[error(
        "another Klaxon engine is already running on the data dir {0} (its lock file is held); stop it first or pass a different --data-dir"
    )]
    AlreadyRunning(PathBuf),

    #[error("no Klaxon engine is running on the data dir {0}")]
    NotRunning(PathBuf),

    #[error("the control socket {path} failed: {}", socket_problem(path, source))]
    Control {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("the engine answered: {0}")]
    Refused(String),

    /// Nothing has been recorded in the data dir yet, so no incident can be found there.
    #[error(
        "there is no history yet in {} (Klaxon has not recorded anything there), so there is no incident #{incident}",
        data_dir.display()
    )]
    NoHistory { data_dir: PathBuf, incident: i64 },

    /// The engine answered with something this Klaxon does not expect (another version?).
    #[error("the engine gave an answer this Klaxon does not understand: {0}")]
    UnexpectedReply(String),

    #[error("no [[channel]] is named {0:?} in the config")]
    NoSuchChannel(String),

    #[error("no incident {0}")]
    NoSuchIncident(i64),

    /// A change to the config that cannot be made (the message says why).
    #[error("{0}")]
    Edit(String),

    /// A file of another monitoring tool that `klaxon import` cannot read (the reason says
    /// where: line and column, or which limit).
    #[error("cannot import {}: {reason}", file.display())]
    Import { file: PathBuf, reason: String },

    /// A draft that cannot be written (an unknown kind, tone or time zone).
    #[error("{0}")]
    Draft(String),

    /// The data dir is not this user's alone; `fix` says what to do.
    #[error(
        "the data dir {path} {problem} (owner: user id {owner}, mode {mode:04o}), so Klaxon will not use it: {fix}"
    )]
    UnsafeDataDir {
        path: PathBuf,
        problem: String,
        owner: u32,
        mode: u32,
        fix: String,
    },

    /// The control socket belongs to, or is served by, another user: its answers could be lies.
    #[error("refusing to trust the control socket {path}: {reason}")]
    UntrustedSocket { path: PathBuf, reason: String },

    /// The keyring refused or lacks a secret. Only the secret's name is ever shown.
    #[error("the secret {name:?} {reason}")]
    Secret { name: String, reason: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The longest path a Unix socket can have, in bytes: `sun_path` holds 108 bytes on Linux
/// (104 on macOS and the BSDs), the last one for the terminating NUL.
#[cfg(target_os = "linux")]
pub const SOCKET_PATH_MAX: usize = 107;
#[cfg(not(target_os = "linux"))]
pub const SOCKET_PATH_MAX: usize = 103;

/// What went wrong with the control socket, in words. A path too long for a socket gets its own
/// sentence: the system's "invalid argument" would send the user looking everywhere else.
fn socket_problem(path: &std::path::Path, source: &std::io::Error) -> String {
    let length = path.as_os_str().len();
    if cfg!(unix) && length > SOCKET_PATH_MAX {
        format!(
            "its path is {length} bytes long, and a socket's path can be at most {SOCKET_PATH_MAX} bytes on this system; choose a data dir with a shorter path (--data-dir or KLAXON_DATA_DIR)"
        )
    } else {
        source.to_string()
    }
}
