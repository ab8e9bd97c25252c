//! Reloads the config when its file changes. Editors save in several steps (truncate, write,
//! rename), so changes are debounced: the engine is asked to reload once things are quiet.

use std::path::Path;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use tokio::sync::{mpsc, oneshot};

use super::{Command, Envelope};

const QUIET: Duration = Duration::from_millis(400);

/// Watches `path`'s directory (a rename replaces the file itself) for changes to `path`.
/// Returns `None`, with a warning, where the platform cannot watch; `reload` still works.
pub(super) fn watch(
    path: &Path,
    commands: mpsc::Sender<Envelope>,
) -> Option<notify::RecommendedWatcher> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name()?.to_os_string();
    let (tx, rx) = std_mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && event
                .paths
                .iter()
                .any(|p| p.file_name() == Some(name.as_os_str()))
            && !event.kind.is_access()
        {
            let _ = tx.send(());
        }
    })
    .map_err(|e| tracing::warn!("cannot watch the config file for changes: {e}"))
    .ok()?;
    if let Err(e) = watcher.watch(dir, RecursiveMode::NonRecursive) {
        tracing::warn!("cannot watch {} for changes: {e}", dir.display());
        return None;
    }
    std::thread::Builder::new()
        .name("klaxon-config-watch".into())
        .spawn(move || {
            // Ends when the watcher (and so `tx`) is dropped with the engine.
            while rx.recv().is_ok() {
                while rx.recv_timeout(QUIET).is_ok() {}
                let (reply, _) = oneshot::channel();
                if commands.blocking_send((Command::Reload, reply)).is_err() {
                    return;
                }
            }
        })
        .ok()?;
    Some(watcher)
}
