//! `klaxon logs`: where the engine's log file is and its newest lines, for a founder asking
//! "what did Klaxon see last night?" — the same file whichever of `klaxon run` and the tray app
//! ran the engine on this data dir. Lines are escaped (see `logging::escape`): the log holds
//! text from outside, and printing it must not let it drive the terminal.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use klaxon_core::logging::{self, file::tail};
use klaxon_core::paths::Paths;

pub fn show(paths: &Paths, lines: usize, path_only: bool) -> Result<ExitCode> {
    let path = logging::path(&paths.data_dir);
    if path_only {
        println!("{}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let newest = match tail(&path, lines) {
        Ok(newest) => newest,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!(
                "No log yet at {}: it is written once `klaxon run` or the tray app runs on {}.",
                logging::escape(&path.display().to_string()),
                logging::escape(&paths.data_dir.display().to_string())
            );
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut out = std::io::stdout().lock();
    // A closed pipe (`klaxon logs | head`) ends the listing quietly.
    let _ = writeln!(
        out,
        "Klaxon's log: {} (its last {} line{})",
        logging::escape(&path.display().to_string()),
        newest.len(),
        if newest.len() == 1 { "" } else { "s" },
    );
    for line in &newest {
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}
