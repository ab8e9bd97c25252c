//! Which config file and data dir to use: the flags, then KLAXON_CONFIG / KLAXON_DATA_DIR
//! (clap reads both), then the platform's directories.

use std::path::PathBuf;

use anyhow::{Context, Result};

pub struct Paths {
    pub config: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    pub fn resolve(config: Option<PathBuf>, data_dir: Option<PathBuf>) -> Result<Paths> {
        let dirs = directories::ProjectDirs::from("", "", "klaxon");
        let config = match config {
            Some(c) => c,
            None => dirs
                .as_ref()
                .map(|d| d.config_dir().join("klaxon.toml"))
                .context("cannot find a config directory for this user; pass --config FILE")?,
        };
        let data_dir = match data_dir {
            Some(d) => d,
            None => dirs
                .as_ref()
                .map(|d| d.data_dir().to_path_buf())
                .context("cannot find a data directory for this user; pass --data-dir DIR")?,
        };
        Ok(Paths { config, data_dir })
    }
}
