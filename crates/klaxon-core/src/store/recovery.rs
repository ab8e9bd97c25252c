//! Opening the database when the engine starts, without letting the file stop the alarm. A
//! damaged file is moved aside (kept, named with the time, for the user or a recovery tool) and
//! a fresh database starts; a file that cannot be opened for another reason (a full or read-only
//! disk, a lock) leaves the engine running without one, its store writer retrying, and the
//! problem shown in `status`.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::ErrorCode;

use super::Store;
use crate::error::Error;

/// What opening found.
pub struct Opened {
    /// `None` when the database cannot be opened for writing right now.
    pub store: Option<Store>,
    /// Something the user must be told once: where the damaged file went.
    pub notice: Option<String>,
}

/// Opens the engine's database at `path`, setting a damaged one aside.
pub fn open_for_engine(path: &Path, now: Timestamp) -> Opened {
    let damage = match Store::open(path) {
        Ok(store) => match store.damage() {
            None => {
                return Opened {
                    store: Some(store),
                    notice: None,
                };
            }
            Some(damage) => damage,
        },
        Err(e) if is_damage(&e) => e.to_string(),
        Err(e) => {
            tracing::error!("cannot open the database: {e}");
            return Opened {
                store: None,
                notice: None,
            };
        }
    };
    set_aside(path, now, &damage)
}

/// Moves a damaged database aside and starts a fresh one in its place.
pub(super) fn set_aside(path: &Path, now: Timestamp, damage: &str) -> Opened {
    let aside = set_aside_path(path, now);
    if let Err(e) = move_aside(path, &aside) {
        tracing::error!("the database is damaged ({damage}) and cannot be moved aside: {e}");
        return Opened {
            store: None,
            notice: Some(format!(
                "the database {} is damaged ({damage}) and could not be moved aside ({e}); move or delete it so history can be saved",
                path.display()
            )),
        };
    }
    let notice = format!(
        "the database was damaged ({damage}); it was kept as {} and a fresh one was started",
        aside.display()
    );
    tracing::error!("{notice}");
    match Store::open(path) {
        Ok(store) => Opened {
            store: Some(store),
            notice: Some(notice),
        },
        Err(e) => {
            tracing::error!("cannot start a fresh database: {e}");
            Opened {
                store: None,
                notice: Some(notice),
            }
        }
    }
}

impl Store {
    /// What SQLite's quick integrity check finds wrong, if anything.
    fn damage(&self) -> Option<String> {
        let result: rusqlite::Result<Vec<String>> = self
            .conn
            .prepare("PRAGMA quick_check(5)")
            .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect());
        match result {
            Ok(lines) if lines.len() == 1 && lines[0] == "ok" => None,
            Ok(lines) => Some(lines.join("; ")),
            Err(e) => Some(e.to_string()),
        }
    }
}

pub(super) fn is_damage(error: &Error) -> bool {
    let (Error::Database { source, .. } | Error::Migration { source, .. }) = error else {
        return false;
    };
    matches!(
        source.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// `klaxon.db` → `klaxon.db.damaged-20261201T020304Z`.
fn set_aside_path(path: &Path, now: Timestamp) -> PathBuf {
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".damaged-{stamp}"));
    path.with_file_name(name)
}

/// Moves the database and its WAL and shared-memory files, which belong to it.
fn move_aside(path: &Path, aside: &Path) -> std::io::Result<()> {
    std::fs::rename(path, aside)?;
    for suffix in ["-wal", "-shm"] {
        let mut from = path.as_os_str().to_os_string();
        from.push(suffix);
        let mut to = aside.as_os_str().to_os_string();
        to.push(suffix);
        match std::fs::rename(&from, &to) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-12-01T02:03:04Z".parse().unwrap()
    }

    #[test]
    fn a_file_that_is_not_a_database_is_kept_aside_and_a_fresh_one_started() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("klaxon.db");
        std::fs::write(
            &path,
            b"this is not a database, it is a shopping list\n".repeat(200),
        )
        .unwrap();
        let opened = open_for_engine(&path, now());
        let store = opened.store.expect("a fresh database");
        assert!(store.open_incidents().unwrap().is_empty());
        let aside = dir.path().join("klaxon.db.damaged-20261201T020304Z");
        let notice = opened.notice.unwrap();
        assert!(notice.contains(&aside.display().to_string()), "{notice}");
        assert!(
            std::fs::read(&aside)
                .unwrap()
                .starts_with(b"this is not a database")
        );
    }

    #[test]
    fn a_database_damaged_inside_is_kept_aside_with_its_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("klaxon.db");
        {
            let mut store = Store::open(&path).unwrap();
            let samples: Vec<_> = (0..5_000)
                .map(|i| {
                    let sample = crate::domain::monitor::Sample {
                        ok: false,
                        at: Timestamp::from_second(1_790_000_000 + i).unwrap(),
                        latency: std::time::Duration::from_millis(3),
                        reason: "connection refused".into(),
                        evidence: Default::default(),
                        local_fault: None,
                    };
                    ("API".to_string(), sample)
                })
                .collect();
            store.record_samples(&samples, &[]).unwrap();
            store
                .conn
                .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .unwrap();
        }
        // Scribble over the pages after the first (the schema stays readable).
        let mut bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 16_384);
        for b in &mut bytes[4096..16_384] {
            *b = 0xA5;
        }
        std::fs::write(&path, &bytes).unwrap();
        let opened = open_for_engine(&path, now());
        assert!(opened.store.is_some());
        assert!(opened.notice.unwrap().contains("damaged"));
        assert!(
            dir.path()
                .join("klaxon.db.damaged-20261201T020304Z")
                .exists()
        );
    }

    #[test]
    fn a_healthy_database_is_opened_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("klaxon.db");
        drop(Store::open(&path).unwrap());
        let opened = open_for_engine(&path, now());
        assert!(opened.store.is_some());
        assert!(opened.notice.is_none());
        let set_aside = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().contains("damaged"));
        assert!(!set_aside, "nothing was moved aside");
    }
}
