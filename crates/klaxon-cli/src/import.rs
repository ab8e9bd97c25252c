//! `klaxon import gatus config.yaml` / `klaxon import uptime-kuma backup.json`: the monitors of
//! another tool added to klaxon.toml, and a report of what was added, what was not and every
//! field that has no Klaxon equivalent. The work is klaxon-core's
//! [`import`](klaxon_core::config::import::import), the same the window's Settings call; this
//! file only reads the file and says the outcome. Every name and value in the report came from
//! the file, so each one-line field goes through `printable` (and every line through the
//! terminal module).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use klaxon_core::config::import::{self, ImportReport, ImportSource};
use klaxon_core::paths::Paths;
use klaxon_core::text::printable;

use crate::terminal::{self, outln};

pub fn run(
    paths: &Paths,
    tool: ImportSource,
    file: &Path,
    dry_run: bool,
    json: bool,
) -> Result<ExitCode> {
    let text = import::read_file(file)?;
    let report = import::import(tool, file, &text, &paths.config, dry_run)?;
    if json {
        terminal::json(&report)?;
    } else {
        show(&report, &paths.config)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn show(report: &ImportReport, config: &Path) -> Result<()> {
    let count = report.added.len();
    let monitors = if count == 1 { "monitor" } else { "monitors" };
    if report.dry_run {
        outln!(
            "Would add {count} {monitors} to {} (dry run: nothing was written).",
            config.display()
        )?;
    } else if count == 0 {
        outln!("Added nothing to {}.", config.display())?;
    } else {
        outln!(
            "Added {count} {monitors} to {}; a running engine picks them up.",
            config.display()
        )?;
    }
    for m in &report.added {
        outln!(
            "  + {}  ({} {})  from {}",
            printable(&m.name),
            m.kind,
            printable(&m.target),
            printable(&m.from)
        )?;
    }
    if !report.skipped.is_empty() {
        outln!("\nNot added ({}):", report.skipped.len())?;
        for s in &report.skipped {
            outln!("  - {}: {}", printable(&s.from), printable(&s.detail))?;
        }
    }
    if !report.unmapped.is_empty() {
        outln!(
            "\nNo Klaxon equivalent, so not imported ({}):",
            report.unmapped.len()
        )?;
        for u in &report.unmapped {
            outln!("  ! {}", printable(&u.sentence()))?;
        }
    }
    Ok(())
}
