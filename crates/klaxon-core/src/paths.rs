//! Which config file and data dir Klaxon uses, the same for the CLI and the tray app: an
//! explicit path, then KLAXON_CONFIG / KLAXON_DATA_DIR, then the platform's directories.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct Paths {
    pub config: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// `config` and `data_dir` win when given; the environment comes next.
    pub fn resolve(config: Option<PathBuf>, data_dir: Option<PathBuf>) -> Result<Paths> {
        let env = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let dirs = directories::ProjectDirs::from("", "", "klaxon");
        let config = config
            .or_else(|| env("KLAXON_CONFIG"))
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().join("klaxon.toml")));
        let data_dir = data_dir
            .or_else(|| env("KLAXON_DATA_DIR"))
            .or_else(|| dirs.as_ref().map(|d| d.data_dir().to_path_buf()));
        match (config, data_dir) {
            (Some(config), Some(data_dir)) => Ok(Paths { config, data_dir }),
            _ => Err(Error::Refused("cannot find this user's config and data directories; set KLAXON_CONFIG and KLAXON_DATA_DIR".into())),
        }
    }

    /// Writes the commented starter config if there is none yet. Returns true if it did.
    pub fn write_starter_if_missing(&self) -> Result<bool> {
        // `exists()` would say "no" for a file it cannot look at, and the starter would then
        // fail to be written over it: a reading problem reported as a writing one.
        let exists = self.config.try_exists().map_err(|source| Error::Read {
            path: self.config.clone(),
            source,
        })?;
        if exists {
            return Ok(false);
        }
        if let Some(dir) = self.config.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Write {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&self.config, crate::config::STARTER).map_err(|source| Error::Write {
            path: self.config.clone(),
            source,
        })?;
        Ok(true)
    }
}

/// The one place that names the files in a data dir. Every part of Klaxon that opens one of
/// them asks here, so the CLI, the tray app and the engine can never look in different places.
#[derive(Debug, Clone, Copy)]
pub struct DataFiles<'a> {
    dir: &'a Path,
}

impl<'a> DataFiles<'a> {
    pub fn new(dir: &'a Path) -> Self {
        DataFiles { dir }
    }

    /// The SQLite history (with its `-wal` and `-shm` beside it).
    pub fn database(&self) -> PathBuf {
        self.dir.join("klaxon.db")
    }

    /// The control socket the engine serves and the shells talk to.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("klaxon.sock")
    }

    /// Held by the one engine running on this data dir.
    pub fn lock(&self) -> PathBuf {
        self.dir.join("klaxon.lock")
    }

    /// The user's volume while the siren raised it, restored after a crash mid-ring.
    pub fn volume_memory(&self) -> PathBuf {
        self.dir.join("volume-before-alarm.json")
    }

    /// The secret that signs the phone's Acknowledge buttons (made on first use, 0600).
    pub fn ack_key(&self) -> PathBuf {
        self.dir.join("ack-key")
    }

    /// The tray app's rotating log (older ones beside it as `klaxon.log.N`).
    pub fn log(&self) -> PathBuf {
        self.dir.join("klaxon.log")
    }
}
