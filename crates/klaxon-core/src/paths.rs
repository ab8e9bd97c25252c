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

    /// The tray process listens here for "open the window" from a second launch of Klaxon, so
    /// the window it opens is its own (and goes when it quits).
    pub fn tray_socket(&self) -> PathBuf {
        self.dir.join("tray.sock")
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

    /// Says the guided first run was finished or skipped (one word, [`GuideEnd`]), so a founder
    /// is never walked through it twice. Kept in the data dir rather than in klaxon.toml: it is
    /// this machine's memory of a conversation, not something the engine runs on.
    pub fn first_run(&self) -> PathBuf {
        self.dir.join("first-run")
    }

    /// How the guided first run ended, or `None` while it never has (or the file cannot be read:
    /// showing the guide once too often is the safer mistake).
    pub fn first_run_end(&self) -> Option<GuideEnd> {
        let text = std::fs::read_to_string(self.first_run()).ok()?;
        match text.trim() {
            "finished" => Some(GuideEnd::Finished),
            "skipped" => Some(GuideEnd::Skipped),
            _ => None,
        }
    }

    /// Remembers how the guided first run ended (creating the data dir if needed, 0700).
    pub fn remember_first_run(&self, end: GuideEnd) -> Result<()> {
        crate::data_dir::prepare(self.dir)?;
        let word = match end {
            GuideEnd::Finished => "finished",
            GuideEnd::Skipped => "skipped",
        };
        crate::data_dir::write_private(&self.first_run(), format!("{word}\n").as_bytes()).map_err(
            |source| Error::Write {
                path: self.first_run(),
                source,
            },
        )
    }
}

/// How the guided first run ended: walked to the end, or skipped (the steps are then in
/// Settings, and the guide can be opened again by hand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub enum GuideEnd {
    Finished,
    Skipped,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_run_is_remembered_as_finished_or_skipped_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let files = DataFiles::new(&data);
        assert_eq!(files.first_run_end(), None);
        files.remember_first_run(GuideEnd::Skipped).unwrap();
        assert_eq!(files.first_run_end(), Some(GuideEnd::Skipped));
        files.remember_first_run(GuideEnd::Finished).unwrap();
        assert_eq!(files.first_run_end(), Some(GuideEnd::Finished));
        std::fs::write(files.first_run(), "maybe").unwrap();
        assert_eq!(files.first_run_end(), None);
    }
}
