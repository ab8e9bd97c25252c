//! The window runs in a process of its own: `klaxon-app --window`, started by the tray process
//! when the founder opens Klaxon and ended when the window closes. WebKit keeps its network
//! process and caches for the life of the process that made a webview (~150 MB after the first
//! opening), and a tray app lives for days; a process that ends gives all of it back. The
//! window's process speaks to the engine over the control socket, as the CLI does.
//!
//! A second `--window` (the founder clicks Open again) finds the first through its own
//! single-instance guard, brings that window up and ends.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

use crate::AppState;

pub const LABEL: &str = "main";
/// The argument that makes `klaxon-app` the window's process.
pub const WINDOW_ARG: &str = "--window";

/// In the tray process: the window's process, while it runs.
#[derive(Default)]
pub struct WindowProcess(Mutex<Option<Child>>);

/// In the window's process: makes the window.
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html".into()))
        .title("Klaxon")
        .inner_size(440.0, 640.0)
        .build()?;
    Ok(())
}

/// In the window's process, when Klaxon is opened again: brings the window up.
pub fn focus<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// In the tray process: opens the window, starting its process or bringing up the one that
/// already runs.
pub fn open<R: Runtime>(app: &AppHandle<R>) -> std::io::Result<()> {
    let (Some(state), Some(process)) = (
        app.try_state::<AppState>(),
        app.try_state::<WindowProcess>(),
    ) else {
        return Err(std::io::Error::other("Klaxon is still starting"));
    };
    let (config, data_dir) = (state.paths.config.clone(), state.paths.data_dir.clone());
    let mut running = process.0.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(child) = running.as_mut()
        && matches!(child.try_wait(), Ok(None))
    {
        // It hands over to the running window and ends at once; waited for so it leaves no
        // zombie behind.
        let mut knock = spawn(&config, &data_dir)?;
        std::thread::spawn(move || knock.wait());
        return Ok(());
    }
    *running = Some(spawn(&config, &data_dir)?);
    drop(running);
    reap_when_gone(app.clone());
    Ok(())
}

/// In the tray process, on quit: the window goes too (it would only say the engine is gone).
pub fn close<R: Runtime>(app: &AppHandle<R>) {
    if let Some(process) = app.try_state::<WindowProcess>()
        && let Some(mut child) = process
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    {
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn spawn(config: &PathBuf, data_dir: &PathBuf) -> std::io::Result<Child> {
    Command::new(std::env::current_exe()?)
        .arg(WINDOW_ARG)
        // The window must find the same engine and file as the tray, whatever the environment
        // of whoever started the tray.
        .env("KLAXON_CONFIG", config)
        .env("KLAXON_DATA_DIR", data_dir)
        .stdin(Stdio::null())
        .spawn()
}

/// Collects the window's process once it ends, so no zombie is left for the tray's lifetime.
fn reap_when_gone<R: Runtime>(app: AppHandle<R>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let Some(process) = app.try_state::<WindowProcess>() else {
                return;
            };
            let mut running = process.0.lock().unwrap_or_else(PoisonError::into_inner);
            match running.as_mut().map(Child::try_wait) {
                Some(Ok(None)) => continue,
                Some(Ok(Some(status))) => {
                    if !status.success() {
                        tracing::warn!("the window's process ended with {status}");
                    }
                    *running = None;
                    return;
                }
                Some(Err(e)) => {
                    tracing::warn!("cannot follow the window's process: {e}");
                    *running = None;
                    return;
                }
                None => return,
            }
        }
    });
}
