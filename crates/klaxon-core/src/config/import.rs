//! `klaxon import`: the monitors of another tool's file (a Gatus `config.yaml`, an Uptime Kuma
//! JSON backup) added to `klaxon.toml`. The CLI and the window both stand on [`import`].
//!
//! Each tool has a mapper ([`gatus`], [`uptime_kuma`]) that turns its file into candidate
//! monitors, written as the keys a person would write in klaxon.toml, and into a list of every
//! field or condition that has no Klaxon equivalent, by name and with where it came from:
//! nothing of the file is dropped without being said. The candidates are then appended to the
//! user's own file with toml_edit (its comments and order kept) and the result is parsed: the
//! config parser stays the only validator, and a candidate it refuses is left out and reported
//! with the parser's words, never written. A name that is already in klaxon.toml is not
//! touched. A dry run does all of this and writes nothing.
//!
//! Everything that came from the file (names, URLs, conditions) is outside text: the report
//! keeps it as it came, bounded, and whoever shows it escapes it (the CLI's terminal module, the
//! window's text rendering). A name is written to klaxon.toml with its control characters
//! spelled out, so no later `klaxon status` can be made to paint over the terminal.

mod gatus;
mod spec;
mod uptime_kuma;

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::bounds::{IMPORT_BYTES, IMPORT_MONITORS};
use super::edit::ConfigDocument;
use crate::domain::states::MonitorKind;
use crate::error::{Error, Result};
use crate::text::{bounded, printable};

pub(crate) use spec::Spec;

/// The tool whose file is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub enum ImportSource {
    /// A Gatus `config.yaml` (its `endpoints`).
    Gatus,
    /// An Uptime Kuma JSON backup (Settings → Backup → Export, Uptime Kuma 1.x).
    UptimeKuma,
}

impl ImportSource {
    /// The name the CLI takes: `gatus`, `uptime-kuma`.
    pub fn named(text: &str) -> std::result::Result<ImportSource, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "gatus" => Ok(ImportSource::Gatus),
            "uptime-kuma" | "uptimekuma" | "kuma" => Ok(ImportSource::UptimeKuma),
            _ => Err(format!(
                "{:?} is not a tool Klaxon imports from; use gatus or uptime-kuma",
                printable(&bounded(text, 40))
            )),
        }
    }
}

/// What an import added (or, in a dry run, would add), what it left out and why, and every
/// field that has no Klaxon equivalent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct ImportReport {
    pub source: ImportSource,
    /// True when nothing was written.
    pub dry_run: bool,
    pub added: Vec<ImportedMonitor>,
    pub skipped: Vec<SkippedMonitor>,
    pub unmapped: Vec<Unmapped>,
}

/// A monitor added to klaxon.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct ImportedMonitor {
    /// Where in the file it came from, like `endpoints[2] "api"`.
    pub from: String,
    pub name: String,
    pub kind: MonitorKind,
    /// The URL, `host:port` or name it checks.
    pub target: String,
}

/// A monitor of the file that was not added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct SkippedMonitor {
    pub from: String,
    pub name: String,
    pub reason: SkipReason,
    /// The particulars, in words.
    pub detail: String,
}

/// Why a monitor of the file was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub enum SkipReason {
    /// klaxon.toml already has a monitor of that name; it is left as it is.
    NameTaken,
    /// An earlier monitor of the same file has that name.
    DuplicateInFile,
    /// Its kind of check has no Klaxon equivalent (ping, push, a database…).
    Unsupported,
    /// Switched off or paused in the other tool.
    Disabled,
    /// Klaxon's config refused what it maps to (the detail gives the parser's words).
    Invalid,
}

/// A field or condition of the file that has no Klaxon equivalent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct Unmapped {
    /// Where: `endpoints[2] "api"`, or a top-level key like `alerting`.
    pub from: String,
    /// The field or condition, like `condition "[BODY].data.len == 3"`.
    pub field: String,
    /// Why, like "has no Klaxon equivalent".
    pub note: String,
}

impl Unmapped {
    pub(crate) fn new(from: &str, field: impl Into<String>, note: impl Into<String>) -> Unmapped {
        Unmapped {
            from: from.to_string(),
            field: field.into(),
            note: note.into(),
        }
    }

    /// The whole sentence: `endpoints[2] "api": condition "…" has no Klaxon equivalent`.
    pub fn sentence(&self) -> String {
        format!("{}: {} {}", self.from, self.field, self.note)
    }
}

/// What a mapper read from a file: its monitors and the fields that map to nothing.
#[derive(Debug, Default)]
pub(crate) struct Mapped {
    pub candidates: Vec<Candidate>,
    pub unmapped: Vec<Unmapped>,
}

/// One monitor the file describes, mapped or refused.
#[derive(Debug)]
pub(crate) struct Candidate {
    pub from: String,
    pub name: String,
    pub spec: std::result::Result<Spec, (SkipReason, String)>,
}

/// Refuses a list of more than [`IMPORT_MONITORS`] before any of it is mapped (a monitor may
/// map to two: its certificate's check is a monitor of its own).
pub(crate) fn check_count(file: &Path, count: usize) -> Result<()> {
    if count > IMPORT_MONITORS {
        return Err(Error::Import {
            file: file.to_path_buf(),
            reason: format!(
                "describes {count} monitors; an import reads at most {IMPORT_MONITORS}"
            ),
        });
    }
    Ok(())
}

/// The longest monitor name an import writes; a longer one is cut (and said so).
pub const NAME_BYTES: usize = 200;
/// The longest value (a URL, a header, a body, a condition) an import keeps.
pub const VALUE_BYTES: usize = 64 * 1024;

/// `endpoints[2] "api"`: an item of the file's list (counted from 1, as Klaxon's own
/// `monitor[2]` is) and its name, escaped and short.
pub(crate) fn origin(list: &str, index: usize, name: &str) -> String {
    format!("{list}[{}] {:?}", index + 1, bounded(name, 80).as_ref())
}

/// The name a monitor gets: trimmed, cut to [`NAME_BYTES`], control characters spelled out.
/// Anything changed is said in `unmapped`.
pub(crate) fn clean_name(name: &str, from: &str, unmapped: &mut Vec<Unmapped>) -> String {
    let trimmed = name.trim();
    let cut = bounded(trimmed, NAME_BYTES);
    let shown = printable(&cut).into_owned();
    if shown != trimmed {
        unmapped.push(Unmapped::new(
            from,
            "name",
            format!(
                "has control characters or is longer than {NAME_BYTES} bytes; written as {shown:?}"
            ),
        ));
    }
    shown
}

/// Reads an import file, refusing one over [`IMPORT_BYTES`] before reading it whole.
pub fn read_file(path: &Path) -> Result<String> {
    let read_err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(IMPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    check_size(path, bytes.len())?;
    String::from_utf8(bytes).map_err(|e| Error::Import {
        file: path.to_path_buf(),
        reason: format!("is not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
    })
}

fn check_size(file: &Path, len: usize) -> Result<()> {
    if len as u64 > IMPORT_BYTES {
        return Err(Error::Import {
            file: file.to_path_buf(),
            reason: format!(
                "is larger than {IMPORT_BYTES} bytes (8 MiB), the most an import reads"
            ),
        });
    }
    Ok(())
}

/// Maps `text` (the contents of `file`, of the tool `source`) and adds its monitors to the
/// config at `config`, unless `dry_run`. A file that cannot be read as the tool's format is an
/// error with its line; so is a klaxon.toml that is already invalid (fix it first: nothing is
/// added to a file the engine refuses).
pub fn import(
    source: ImportSource,
    file: &Path,
    text: &str,
    config: &Path,
    dry_run: bool,
) -> Result<ImportReport> {
    check_size(file, text.len())?;
    let mapped = match source {
        ImportSource::Gatus => gatus::map(text, file)?,
        ImportSource::UptimeKuma => uptime_kuma::map(text, file)?,
    };
    let mut doc = ConfigDocument::read(config)?;
    if let Err(errors) = doc.parse() {
        return Err(Error::Edit(format!(
            "{} must be valid before monitors are imported into it; fix it first:\n{errors}",
            config.display()
        )));
    }
    let taken: HashSet<String> = doc.monitor_names().into_iter().collect();
    let mut report = ImportReport {
        source,
        dry_run,
        added: Vec::new(),
        skipped: Vec::new(),
        unmapped: mapped.unmapped,
    };
    let mut seen = HashSet::new();
    for c in mapped.candidates {
        let skip = |reason, detail: String| SkippedMonitor {
            from: c.from.clone(),
            name: c.name.clone(),
            reason,
            detail,
        };
        match c.spec {
            Err((reason, detail)) => report.skipped.push(skip(reason, detail)),
            Ok(_) if taken.contains(&c.name) => report.skipped.push(skip(
                SkipReason::NameTaken,
                "klaxon.toml already has a monitor of this name; it is left as it is".into(),
            )),
            Ok(_) if !seen.insert(c.name.clone()) => report.skipped.push(skip(
                SkipReason::DuplicateInFile,
                "an earlier monitor of the file has this name".into(),
            )),
            Ok(spec) => {
                doc.push_monitor_table(spec.table(&c.name));
                report.added.push(ImportedMonitor {
                    from: c.from,
                    name: c.name,
                    kind: spec.kind,
                    target: spec.target.clone(),
                });
            }
        }
    }
    leave_out_refused(&mut doc, taken.len(), &mut report)?;
    if !dry_run && !report.added.is_empty() {
        doc.save()?;
    }
    Ok(report)
}

/// Parses the document with the new monitors and leaves out each one the parser refuses, with
/// its words, until the document parses. `before` is how many monitors the file already had.
fn leave_out_refused(
    doc: &mut ConfigDocument,
    before: usize,
    report: &mut ImportReport,
) -> Result<()> {
    loop {
        let Err(errors) = doc.parse() else {
            return Ok(());
        };
        let mut refused: Vec<(usize, Vec<String>)> = Vec::new();
        for e in &errors.errors {
            let index = e
                .field
                .strip_prefix("monitor[")
                .and_then(|rest| rest.split(']').next())
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(before + 1));
            let Some(index) = index.filter(|i| *i < report.added.len()) else {
                continue;
            };
            let key = e.field.split_once('.').map_or("", |(_, k)| k);
            let words = if key.is_empty() {
                e.message.clone()
            } else {
                format!("{key}: {}", e.message)
            };
            match refused.iter_mut().find(|(i, _)| *i == index) {
                Some((_, all)) => all.push(words),
                None => refused.push((index, vec![words])),
            }
        }
        if refused.is_empty() {
            return Err(Error::Config(errors));
        }
        // From the last, so the earlier indexes stay right.
        refused.sort_by_key(|(i, _)| std::cmp::Reverse(*i));
        for (index, words) in refused {
            let monitor = report.added.remove(index);
            doc.delete_monitor(&monitor.name)?;
            report.skipped.push(SkippedMonitor {
                from: monitor.from,
                name: monitor.name,
                reason: SkipReason::Invalid,
                detail: format!("Klaxon's config refuses it: {}", words.join("; ")),
            });
        }
    }
}

#[cfg(test)]
#[path = "import/tests.rs"]
mod tests;
