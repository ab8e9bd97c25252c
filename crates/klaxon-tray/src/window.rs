//! The window runs in a process of its own: `klaxon-app --window`, started from here when the
//! founder opens Klaxon and ended when the window closes. WebKit keeps its network process and
//! caches for the life of the process that made a webview (~150 MB after the first opening),
//! and a tray app lives for days; a process that ends gives all of it back. The window's
//! process speaks to the engine over the control socket, as the CLI does.
//!
//! A second `--window` (the founder clicks Open again) finds the first through its own
//! single-instance guard, brings that window up and ends.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use klaxon_core::paths::Paths;

use crate::error::{Error, Result};

/// The argument that makes `klaxon-app` the window's process.
pub const WINDOW_ARG: &str = "--window";

/// The window's process, while it runs.
#[derive(Clone, Default)]
pub struct WindowProcess(Arc<Mutex<Option<Child>>>);

impl WindowProcess {
    /// Opens the window: starts its process, or brings up the one that already runs.
    pub fn open(&self, paths: &Paths) -> Result<()> {
        let mut running = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(child) = running.as_mut()
            && matches!(child.try_wait(), Ok(None))
        {
            // It hands over to the running window and ends at once; waited for so it leaves
            // no zombie behind.
            let mut knock = spawn(paths)?;
            std::thread::spawn(move || knock.wait());
            return Ok(());
        }
        *running = Some(spawn(paths)?);
        drop(running);
        self.reap_when_gone();
        Ok(())
    }

    /// On quit: the window goes too (it would only say the engine is gone).
    pub fn close(&self) {
        let child = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(mut child) = child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Collects the window's process once it ends, so no zombie is left for the tray's life.
    fn reap_when_gone(&self) {
        let process = self.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let mut running = process.0.lock().unwrap_or_else(PoisonError::into_inner);
                match running.as_mut().map(Child::try_wait) {
                    Some(Ok(None)) => continue,
                    Some(Ok(Some(status))) => {
                        if !status.success() {
                            tracing::warn!("the window's process ended with {status}");
                        }
                        *running = None;
                    }
                    Some(Err(e)) => {
                        tracing::warn!("cannot follow the window's process: {e}");
                        *running = None;
                    }
                    None => {}
                }
                return;
            }
        });
    }
}

/// Starts `klaxon-app --window` for this engine. Also used when a second launch finds the
/// engine already running: the window opens on it.
pub fn spawn(paths: &Paths) -> Result<Child> {
    Command::new(crate::beside_me(crate::APP_BIN)?)
        .arg(WINDOW_ARG)
        // The window must find the same engine and file as the tray, whatever the environment
        // of whoever started the tray.
        .env("KLAXON_CONFIG", &paths.config)
        .env("KLAXON_DATA_DIR", &paths.data_dir)
        .stdin(Stdio::null())
        .spawn()
        .map_err(Error::Window)
}
