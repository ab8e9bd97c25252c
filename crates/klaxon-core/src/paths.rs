//! Which config file and data dir Klaxon uses, the same for the CLI and the tray app: an
//! explicit path, then KLAXON_CONFIG / KLAXON_DATA_DIR, then the platform's directories.

use std::path::PathBuf;

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
