//! The control socket: a local socket in the data dir speaking JSON lines. Each line a client
//! sends is a [`Command`]; each line the engine answers is a [`Reply`]. The tray app and
//! `klaxon run` both serve it, and the CLI's one-shot commands talk to whichever runs.
//!
//! Only the data dir's owner can reach the socket (it lives in a directory created for this
//! user), and the engine holds the data dir's lock, so a socket file found at start-up is a
//! leftover from a crash and is replaced.

use std::path::{Path, PathBuf};
use std::time::Duration;

use interprocess::local_socket::tokio::{Listener, Stream, prelude::*};
use interprocess::local_socket::{GenericFilePath, ListenerOptions};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::engine::{Command, Envelope, Reply};
use crate::error::{Error, Result};

/// A request line longer than this is not a command.
const MAX_LINE: u64 = 64 * 1024;

/// Serves the socket until dropped.
pub struct ControlServer {
    task: JoinHandle<()>,
    path: PathBuf,
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

impl ControlServer {
    pub(crate) fn start(path: &Path, commands: mpsc::Sender<Envelope>) -> Result<ControlServer> {
        let control = |source| Error::Control {
            path: path.to_path_buf(),
            source,
        };
        // A leftover from a crashed engine: the data dir's lock says nobody else serves it.
        let _ = std::fs::remove_file(path);
        let name = path.to_fs_name::<GenericFilePath>().map_err(control)?;
        let listener = ListenerOptions::new()
            .name(name)
            .create_tokio()
            .map_err(control)?;
        let task = tokio::spawn(serve(listener, commands));
        Ok(ControlServer {
            task,
            path: path.to_path_buf(),
        })
    }
}

async fn serve(listener: Listener, commands: mpsc::Sender<Envelope>) {
    loop {
        match listener.accept().await {
            Ok(conn) => {
                tokio::spawn(answer(conn, commands.clone()));
            }
            Err(e) => {
                tracing::warn!("control socket: accepting a client failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn answer(conn: Stream, commands: mpsc::Sender<Envelope>) {
    let mut write = &conn;
    let mut lines = BufReader::new((&conn).take(MAX_LINE)).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let reply = match serde_json::from_str::<Command>(&line) {
            Ok(command) => {
                let (tx, rx) = oneshot::channel();
                if commands.send((command, tx)).await.is_err() {
                    return;
                }
                rx.await.unwrap_or(Reply::Refused {
                    message: "the engine has stopped".into(),
                })
            }
            Err(e) => Reply::Refused {
                message: format!("not a command: {e}"),
            },
        };
        let mut out = serde_json::to_string(&reply).unwrap_or_else(|_| "{}".into());
        out.push('\n');
        if write.write_all(out.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Sends one command to the engine serving `socket` and returns its reply.
/// [`Error::NotRunning`] when nothing listens there.
pub async fn send(data_dir: &Path, command: &Command) -> Result<Reply> {
    let path = crate::engine::socket_path(data_dir);
    let control = |source| Error::Control {
        path: path.clone(),
        source,
    };
    let name = path
        .as_path()
        .to_fs_name::<GenericFilePath>()
        .map_err(control)?;
    let conn = match Stream::connect(name).await {
        Ok(conn) => conn,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Err(Error::NotRunning(data_dir.to_path_buf()));
        }
        Err(e) => return Err(control(e)),
    };
    let mut write = &conn;
    let mut line = serde_json::to_string(command).unwrap_or_default();
    line.push('\n');
    write.write_all(line.as_bytes()).await.map_err(control)?;
    let mut answer = String::new();
    let mut reader = BufReader::new(&conn);
    match tokio::time::timeout(Duration::from_secs(10), reader.read_line(&mut answer)).await {
        Ok(Ok(n)) if n > 0 => serde_json::from_str(&answer)
            .map_err(|e| Error::Refused(format!("the engine's answer was not understood: {e}"))),
        Ok(Ok(_)) => Err(Error::Refused(
            "the engine closed the connection without answering".into(),
        )),
        Ok(Err(e)) => Err(control(e)),
        Err(_) => Err(Error::Refused(
            "the engine did not answer within 10 s".into(),
        )),
    }
}
