//! The data dir is this user's alone. It holds the incident history, monitor URLs (which may
//! carry credentials) and the control socket that acknowledges alarms, so another local user
//! must be able neither to read it nor to put anything in it.
//!
//! [`prepare`] runs before the engine touches anything in it: it creates the dir 0700 (whatever
//! the umask), refuses a dir that another user owns or can write to (they could have replaced
//! the database or the socket already, so tightening it quietly would be too late), tightens an
//! older dir of ours that is readable by others, and leaves every file in it 0600. Files the
//! engine creates later are made 0600 at creation: [`write_private`] for small files, and the
//! control socket is bound with mode 0600. SQLite gives the `-wal` and `-shm` files the mode of
//! the database file, which is why the database is created here, empty and 0600, before SQLite
//! opens it (an empty file is a valid empty database).
//!
//! Modes are set explicitly after creation rather than through the umask, which is process-wide
//! and would race with the tray app's other threads.

use std::path::Path;

use crate::error::Result;

/// The files the engine opens in the data dir at start, created 0600 before anyone else can.
#[cfg(unix)]
const KNOWN_FILES: [&str; 2] = ["klaxon.db", "klaxon.lock"];

/// Creates the data dir if needed and makes sure only this user can use it. Refuses, with what
/// to do, a dir owned by someone else or writable by others.
pub fn prepare(dir: &Path) -> Result<()> {
    imp::prepare(dir)
}

/// Creates (or truncates) `path` with mode 0600 and writes `contents`.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    imp::write_private(path, contents)
}

/// This process's effective user id (what the kernel checks files and sockets against).
#[cfg(unix)]
pub fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

#[cfg(unix)]
mod imp {
    use std::fs::{self, DirBuilder, Permissions};
    use std::io::{self, Write};
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt};
    use std::path::Path;

    use super::{KNOWN_FILES, my_uid};
    use crate::error::{Error, Result};

    const DIR_MODE: u32 = 0o700;
    const FILE_MODE: u32 = 0o600;

    pub(super) fn prepare(dir: &Path) -> Result<()> {
        let write = |source| Error::Write {
            path: dir.to_path_buf(),
            source,
        };
        create(dir).map_err(write)?;
        let meta = fs::metadata(dir).map_err(|source| Error::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let mode = meta.mode() & 0o7777;
        let me = my_uid();
        if meta.uid() != me {
            return Err(unsafe_dir(
                dir,
                "belongs to another user",
                meta.uid(),
                mode,
                format!(
                    "Klaxon keeps its history and its control socket only in a directory of your \
                     own. Use another data dir (--data-dir or KLAXON_DATA_DIR), or, if this one \
                     is meant to be yours, make it yours: chown -R {me} {}",
                    dir.display()
                ),
            ));
        }
        if mode & 0o022 != 0 {
            return Err(unsafe_dir(
                dir,
                "can be written by other users",
                meta.uid(),
                mode,
                format!(
                    "they could have replaced its database or its control socket. Check that \
                     nothing in it is someone else's, then run: chmod 700 {}",
                    dir.display()
                ),
            ));
        }
        if mode != DIR_MODE {
            // Ours and not writable by others, only too open (made by an older Klaxon, or under
            // a loose umask): close it.
            fs::set_permissions(dir, Permissions::from_mode(DIR_MODE)).map_err(write)?;
        }
        for name in KNOWN_FILES {
            create_private(&dir.join(name))?;
        }
        tighten_files(dir, me)
    }

    /// Creates `dir` 0700 (its parents as the system makes them). An existing dir is left as it
    /// is for [`prepare`] to judge.
    fn create(dir: &Path) -> io::Result<()> {
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)?;
        }
        match DirBuilder::new().mode(DIR_MODE).create(dir) {
            // The umask may have taken bits away from the owner too: set it exactly.
            Ok(()) => fs::set_permissions(dir, Permissions::from_mode(DIR_MODE)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Creates `path` 0600 if it is missing, and makes it 0600 if it is not.
    fn create_private(path: &Path) -> Result<()> {
        let file = fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(FILE_MODE)
            .open(path)
            .map_err(|source| Error::Write {
                path: path.to_path_buf(),
                source,
            })?;
        file.set_permissions(Permissions::from_mode(FILE_MODE))
            .map_err(|source| Error::Write {
                path: path.to_path_buf(),
                source,
            })
    }

    /// Every file and socket of ours in the dir (the database's `-wal` and `-shm`, the volume
    /// memory, logs) becomes 0600. Symlinks are not followed: they point elsewhere.
    fn tighten_files(dir: &Path, me: u32) -> Result<()> {
        let read = |source| Error::Read {
            path: dir.to_path_buf(),
            source,
        };
        for entry in fs::read_dir(dir).map_err(read)? {
            let entry = entry.map_err(read)?;
            let path = entry.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue; // gone since the listing
            };
            let kind = meta.file_type();
            let ours = meta.uid() == me;
            if ours && (kind.is_file() || kind.is_socket()) && meta.mode() & 0o077 != 0 {
                fs::set_permissions(&path, Permissions::from_mode(FILE_MODE))
                    .map_err(|source| Error::Write { path, source })?;
            }
        }
        Ok(())
    }

    pub(super) fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(FILE_MODE)
            .open(path)?;
        file.set_permissions(Permissions::from_mode(FILE_MODE))?;
        file.write_all(contents)
    }

    fn unsafe_dir(path: &Path, problem: &str, owner: u32, mode: u32, fix: String) -> Error {
        Error::UnsafeDataDir {
            path: path.to_path_buf(),
            problem: problem.to_string(),
            owner,
            mode,
            fix,
        }
    }
}

#[cfg(not(unix))]
mod imp {
    //! Elsewhere the data dir lives in the user's profile, which the system already keeps
    //! private; there is no mode to set.

    use std::path::Path;

    use crate::error::{Error, Result};

    pub(super) fn prepare(dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })
    }

    pub(super) fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
        std::fs::write(path, contents)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("metadata").mode() & 0o7777
    }

    #[test]
    fn a_new_data_dir_and_its_files_are_private() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("nested").join("data");
        prepare(&dir).expect("prepare");
        assert_eq!(mode(&dir), 0o700);
        for name in KNOWN_FILES {
            assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
        }
    }

    #[test]
    fn an_old_data_dir_readable_by_others_is_closed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("data");
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let wal = dir.join("klaxon.db-wal");
        std::fs::write(&wal, b"").expect("write");
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        prepare(&dir).expect("prepare");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&wal), 0o600);
    }

    #[test]
    fn a_data_dir_others_can_write_to_is_refused_with_what_to_do() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("data");
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        let err = prepare(&dir).expect_err("refused").to_string();
        assert!(err.contains(&dir.display().to_string()), "{err}");
        assert!(err.contains("can be written by other users"), "{err}");
        assert!(err.contains("0777"), "{err}");
        assert!(err.contains("chmod 700"), "{err}");
        assert_eq!(mode(&dir), 0o777, "a refused dir is left as it was");
    }

    #[test]
    fn private_files_are_0600_whatever_was_there() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("memory.json");
        std::fs::write(&path, b"old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        write_private(&path, b"new").expect("write_private");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        assert_eq!(std::fs::metadata(&path).expect("metadata").uid(), my_uid());
    }
}
