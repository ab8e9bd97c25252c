//! `klaxon secret`: puts secrets into the OS keyring for `{secret:NAME}` references, and lists
//! which referenced secrets are set. Values are read from the terminal without echo (or from a
//! pipe) and are never printed.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::{Context, Result};
use klaxon_core::config::edit::ConfigDocument;
use klaxon_core::paths::Paths;
use klaxon_core::protocol::Client;
use klaxon_core::secrets;

use klaxon_core::text::printable;

use crate::terminal::outln;

pub async fn set(paths: &Paths, name: &str) -> Result<ExitCode> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Value for {name} (not shown): "))
            .context("cannot read the value from the terminal")?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the value from standard input")?;
        text.trim_end_matches(['\r', '\n']).to_string()
    };
    secrets::set(name, &value)?;
    outln!("Stored the secret {name} in the keyring.")?;
    restart_checks(paths).await;
    Ok(ExitCode::SUCCESS)
}

pub async fn delete(paths: &Paths, name: &str) -> Result<ExitCode> {
    secrets::delete(name)?;
    outln!("Removed the secret {name} from the keyring.")?;
    restart_checks(paths).await;
    Ok(ExitCode::SUCCESS)
}

/// The secrets the config refers to, and whether each is set.
pub fn list(paths: &Paths) -> Result<ExitCode> {
    let text = ConfigDocument::read(&paths.config)?.text();
    let names = secrets::references(&text);
    if names.is_empty() {
        outln!("{} refers to no secrets.", paths.config.display())?;
    }
    for name in names {
        let state = match secrets::is_set(&name) {
            Ok(true) => "set".to_string(),
            Ok(false) => "not set".to_string(),
            Err(e) => e.to_string(),
        };
        outln!("{}: {}", printable(&name), printable(&state))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A running engine prepares checks when it loads the config; a reload makes the monitors that
/// could not be prepared (a missing secret) try again. No engine running is fine.
async fn restart_checks(paths: &Paths) {
    let _ = Client::over_socket(paths.clone()).reload().await;
}
