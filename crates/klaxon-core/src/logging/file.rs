//! The log file in the data dir: `klaxon.log`, rotated by size so it never fills a disk
//! (at most [`Bound::DEFAULT`]: the current file and four older ones, `klaxon.log.1` newest,
//! of about 1 MiB each), readable only by its owner (0600).
//!
//! Rotation is the `file-rotate` crate's (tracing-appender rotates by time only, which bounds
//! nothing on a noisy night); what is added here is what a log for an alarm needs: the writer
//! never panics into the engine and never re-enters itself from the panic hook, and [`tail`]
//! reads the newest lines back across rotated files, escaped for a terminal.

use std::cell::Cell;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};
use tracing_subscriber::fmt::MakeWriter;

/// Where the log of the engine running on `data_dir` is.
pub fn path(data_dir: &Path) -> PathBuf {
    crate::paths::DataFiles::new(data_dir).log()
}

/// How much log is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// A file is rotated once it holds more than this (it ends on a whole line, so it may pass
    /// the bound by one line).
    pub bytes: usize,
    /// Files kept, the current one included.
    pub files: usize,
}

impl Bound {
    /// 5 files of 1 MiB: weeks of a quiet engine's log, hours of a noisy one.
    pub const DEFAULT: Bound = Bound {
        bytes: 1024 * 1024,
        files: 5,
    };
}

thread_local! {
    /// Set while this thread writes the log: a panic inside the write reaches the panic hook,
    /// which logs, which would wait forever on the lock this thread holds.
    static WRITING: Cell<bool> = const { Cell::new(false) };
}

/// The rotating file, shared by every thread that logs.
pub struct LogFile {
    file: Mutex<FileRotate<AppendCount>>,
}

impl LogFile {
    /// Opens (or creates) the log at `path` with the default bound.
    pub fn open(path: &Path) -> io::Result<LogFile> {
        LogFile::open_bounded(path, Bound::DEFAULT)
    }

    /// Opens (or creates) the log at `path`, keeping at most `bound`. Its directory is created
    /// if missing, private to the user (0700), as the data dir always is.
    pub fn open_bounded(path: &Path, bound: Bound) -> io::Result<LogFile> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut create = std::fs::DirBuilder::new();
        create.recursive(true);
        let mut options = OpenOptions::new();
        options.read(true).create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
            create.mode(0o700);
            options.mode(0o600);
        }
        create.create(dir)?;
        // Opened once here so that a file that cannot be written is reported now, not lost.
        options.open(path)?;
        let bytes = bound.bytes.max(1);
        let older = bound.files.max(1) - 1;
        // file-rotate panics when it cannot create the directory (which exists by now).
        let file = catch_unwind(|| {
            FileRotate::new(
                path,
                AppendCount::new(older),
                ContentLimit::BytesSurpassed(bytes),
                Compression::None,
                Some(options),
            )
        })
        .map_err(|_| io::Error::other("the log file could not be set up"))?;
        Ok(LogFile {
            file: Mutex::new(file),
        })
    }
}

impl<'a> MakeWriter<'a> for LogFile {
    type Writer = LogWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LogWriter(self)
    }
}

/// One event's line on its way into the file.
pub struct LogWriter<'a>(&'a LogFile);

impl Write for LogWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if WRITING.get() {
            return Ok(buf.len()); // re-entered from the panic hook: that line is dropped
        }
        WRITING.set(true);
        let written = catch_unwind(AssertUnwindSafe(|| {
            let mut file = self.0.file.lock().unwrap_or_else(PoisonError::into_inner);
            file.write_all(buf)
        }));
        WRITING.set(false);
        match written {
            Ok(result) => result.map(|()| buf.len()),
            Err(_) => Err(io::Error::other("the log file could not be rotated")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(()) // every write goes straight to the file
    }
}

/// The last `lines` lines of the log at `path` (oldest first), read across the rotated files,
/// each escaped with [`escape`]. An error if the log does not exist.
pub fn tail(path: &Path, lines: usize) -> io::Result<Vec<String>> {
    let mut newest_first: Vec<String> = Vec::new();
    let mut rotated = 0;
    loop {
        let file = match rotated {
            0 => path.to_path_buf(),
            n => PathBuf::from(format!("{}.{n}", path.display())),
        };
        let text = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(e) if rotated > 0 && e.kind() == io::ErrorKind::NotFound => break,
            Err(e) => return Err(e),
        };
        let text = String::from_utf8_lossy(&text);
        for line in text.lines().rev() {
            if newest_first.len() == lines {
                break;
            }
            newest_first.push(escape(line));
        }
        if newest_first.len() == lines || rotated >= 64 {
            break;
        }
        rotated += 1;
    }
    newest_first.reverse();
    Ok(newest_first)
}

/// `text` made safe for a terminal and a log line: control characters (escape sequences,
/// carriage returns, newlines) and the Unicode marks that reorder text are written as
/// `\u{1b}`-style escapes; tabs and everything else are kept.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let reorders = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\t') || reorders {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_lines(log: &LogFile, count: usize) {
        for i in 0..count {
            let mut w = log.make_writer();
            w.write_all(format!("line {i:03} of the log\n").as_bytes())
                .unwrap();
        }
    }

    #[test]
    fn the_log_rotates_at_its_bound_and_keeps_only_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("klaxon.log");
        let bound = Bound {
            bytes: 200,
            files: 3,
        };
        let log = LogFile::open_bounded(&path, bound).unwrap();
        write_lines(&log, 100); // 22 bytes a line: 2200 bytes, about 11 files' worth

        let line = "line 000 of the log\n".len();
        let sizes: Vec<u64> = ["", ".1", ".2"]
            .iter()
            .map(|s| {
                std::fs::metadata(format!("{}{s}", path.display()))
                    .unwrap()
                    .len()
            })
            .collect();
        for size in &sizes[1..] {
            assert!(
                *size as usize <= bound.bytes + line,
                "a rotated file holds {size} bytes: {sizes:?}"
            );
        }
        assert!(
            !dir.path().join("data/klaxon.log.3").exists(),
            "more than {} files kept",
            bound.files
        );
        // The newest lines are in the current file, whole.
        let current = std::fs::read_to_string(&path).unwrap();
        assert!(current.ends_with("line 099 of the log\n"), "{current}");
        assert!(current.lines().all(|l| l.starts_with("line ")), "{current}");
    }

    #[test]
    fn tail_reads_the_newest_lines_across_rotated_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("klaxon.log");
        let log = LogFile::open_bounded(
            &path,
            Bound {
                bytes: 100,
                files: 5,
            },
        )
        .unwrap();
        write_lines(&log, 60); // 1200 bytes: more than five files of 100 keep
        let last = tail(&path, 12).unwrap();
        let expected: Vec<String> = (48..60)
            .map(|i| format!("line {i:03} of the log"))
            .collect();
        assert_eq!(last, expected);
        // Asking for more than is kept gives what is kept, oldest first.
        let all = tail(&path, 1000).unwrap();
        assert!(all.len() < 60 && all.last() == expected.last(), "{all:?}");
        assert!(all.windows(2).all(|w| w[0] < w[1]), "out of order: {all:?}");
    }

    #[test]
    fn a_missing_log_is_an_error_naming_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let e = tail(&dir.path().join("klaxon.log"), 10).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn the_log_file_and_its_new_directory_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fresh").join("klaxon.log");
        LogFile::open(&path).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("fresh")), 0o700);
    }

    #[test]
    fn escape_shows_control_characters_instead_of_obeying_them() {
        assert_eq!(escape("\x1b[2J ok\r\n"), "\\u{1b}[2J ok\\u{d}\\u{a}");
        assert_eq!(escape("tab\tkept, ünïcode kept"), "tab\tkept, ünïcode kept");
        assert_eq!(escape("a\u{202e}b"), "a\\u{202e}b");
    }
}
