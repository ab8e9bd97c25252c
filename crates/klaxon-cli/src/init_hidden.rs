//! Reading a credential without echo, and giving the terminal back however the read ends.
//!
//! rpassword turns echo off for the read and back on after it, but on Ctrl-C it raises SIGINT
//! before it puts the terminal back, and SIGINT's default kills the process in between: the
//! shell is left typing blind. So while `klaxon init` runs, Ctrl-C is taken by a
//! task (tokio's signal stream, registered before the first hidden read and kept for the rest of
//! the run, since tokio never gives SIGINT back to the default) that restores the terminal
//! settings saved before the read, then exits with 130 as a process killed by SIGINT would.

use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result};
use rustix::termios::{OptionalActions, Termios, tcgetattr, tcsetattr};

/// The terminal as it was before the hidden read under way, if one is.
static SAVED: Mutex<Option<Termios>> = Mutex::new(None);
/// Whether the Ctrl-C task is listening.
static LISTENING: OnceLock<bool> = OnceLock::new();

/// The exit code of a command interrupted by Ctrl-C (128 + SIGINT).
const INTERRUPTED: i32 = 130;

/// Asks `prompt` on the terminal and reads one line without echo.
pub fn read(prompt: &str) -> Result<String> {
    listen_for_ctrl_c();
    let stdin = std::io::stdin();
    *saved() = tcgetattr(&stdin).ok();
    let value = rpassword::prompt_password(prompt);
    if let Err(e) = &value
        && e.kind() == std::io::ErrorKind::Interrupted
    {
        // rpassword read the Ctrl-C itself and raised SIGINT, which the task takes: end the
        // same way whichever of the two gets there first.
        interrupted();
    }
    *saved() = None;
    value.context("cannot read it from the terminal")
}

/// Puts the terminal back as it was before the hidden read, and ends init as Ctrl-C does.
fn interrupted() -> ! {
    if let Some(termios) = saved().as_ref() {
        let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, termios);
    }
    // The cursor is still after the prompt.
    crate::terminal::err("");
    std::process::exit(INTERRUPTED);
}

fn saved() -> std::sync::MutexGuard<'static, Option<Termios>> {
    SAVED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Starts the Ctrl-C task once. Without a runtime (never in `klaxon init`) the default stays:
/// the read is then as rpassword makes it.
fn listen_for_ctrl_c() {
    LISTENING.get_or_init(|| {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return false;
        };
        let _entered = handle.enter();
        // Registered here, before the read starts, so no Ctrl-C falls between the two.
        let Ok(mut interrupts) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        else {
            return false;
        };
        handle.spawn(async move {
            interrupts.recv().await;
            interrupted();
        });
        true
    });
}
