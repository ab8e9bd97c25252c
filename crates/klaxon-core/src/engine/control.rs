//! The control socket: a local socket in the data dir speaking JSON lines. Each line a client
//! sends is a [`Command`]; each line the engine answers is a [`Reply`]. The tray app and
//! `klaxon run` both serve it, and the CLI's one-shot commands talk to whichever runs.
//!
//! Only this user may talk to it, checked three ways: the socket lives in the data dir, which
//! is this user's alone (see [`crate::data_dir`]), and is bound 0600; the server refuses a peer
//! whose user id is not its own; and the client ([`crate::protocol::socket::send`]) refuses a socket file owned by, or a
//! server running as, another user, so nobody can answer `klaxon status` with a fake "all good".
//! The engine holds the data dir's lock, so a socket file found at start-up is a leftover from
//! a crash and is replaced.
//!
//! Clients cannot starve the engine: at most [`MAX_CLIENTS`] are connected at once (a newcomer
//! takes the slot of the longest-idle one, see `clients`), each must send a complete line
//! within [`IDLE_TIMEOUT`], and a line is at most [`MAX_LINE`] bytes. Without these, a few
//! hundred idle connections use up the process's file handles and every check fails for want
//! of a socket.

mod clients;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use interprocess::local_socket::tokio::{Listener, Stream, prelude::*};
use interprocess::local_socket::{GenericFilePath, ListenerOptions};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::engine::Envelope;
use crate::error::{Error, Result};
use crate::protocol::{Command, Reply};
use clients::{Clients, Seat};

/// Clients served at once. The CLI and the app hold a connection for one command; 32 is far
/// more than a person makes, and far fewer file handles than the checks need.
pub const MAX_CLIENTS: usize = 32;
/// A client that has not sent a complete line for this long is disconnected.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// A request line longer than this (in bytes, without its newline) is not a command.
pub const MAX_LINE: usize = 64 * 1024;
/// How long a refusal line may take to write before the connection is simply closed.
const REFUSAL_WRITE: Duration = Duration::from_millis(200);

/// How the server bounds its clients; tests use smaller ones.
#[derive(Debug, Clone, Copy)]
struct Limits {
    clients: usize,
    idle: Duration,
    line: usize,
}

const LIMITS: Limits = Limits {
    clients: MAX_CLIENTS,
    idle: IDLE_TIMEOUT,
    line: MAX_LINE,
};

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
        ControlServer::start_with(path, commands, LIMITS)
    }

    fn start_with(
        path: &Path,
        commands: mpsc::Sender<Envelope>,
        limits: Limits,
    ) -> Result<ControlServer> {
        let control = |source| Error::Control {
            path: path.to_path_buf(),
            source,
        };
        // A leftover from a crashed engine: the data dir's lock says nobody else serves it.
        let _ = std::fs::remove_file(path);
        let name = path.to_fs_name::<GenericFilePath>().map_err(control)?;
        let options = ListenerOptions::new().name(name);
        // Bound 0600 whatever the umask (interprocess sets the mode before bind, so there is no
        // moment when the socket is open to others).
        #[cfg(unix)]
        let options = {
            use interprocess::os::unix::local_socket::ListenerOptionsExt;
            options.mode(0o600)
        };
        let listener = options.create_tokio().map_err(control)?;
        let task = tokio::spawn(serve(listener, commands, limits));
        Ok(ControlServer {
            task,
            path: path.to_path_buf(),
        })
    }
}

async fn serve(listener: Listener, commands: mpsc::Sender<Envelope>, limits: Limits) {
    let clients = Arc::new(Clients::new(limits.clients));
    for id in 0u64.. {
        match listener.accept().await {
            Ok(conn) => match clients.seat(id).await {
                Some(seat) => {
                    tokio::spawn(answer(conn, seat, commands.clone(), limits));
                }
                // Refused here, not queued: a queued connection still holds a file handle.
                None => {
                    let message = format!(
                        "too many clients are busy with this engine ({}); try again in a moment",
                        limits.clients
                    );
                    refuse(&conn, message).await;
                }
            },
            Err(e) => {
                // Out of file handles, most likely: wait for some to be given back.
                tracing::warn!("control socket: accepting a client failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Tells the client why it is being closed, if it can be said at once.
async fn refuse(conn: &Stream, message: String) {
    let mut write = conn;
    let line = reply_line(&Reply::Refused { message });
    let _ = tokio::time::timeout(REFUSAL_WRITE, write.write_all(line.as_bytes())).await;
}

fn reply_line(reply: &Reply) -> String {
    let mut out = serde_json::to_string(reply).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}

async fn answer(conn: Stream, seat: Seat, commands: mpsc::Sender<Envelope>, limits: Limits) {
    if let Err(message) = peer_is_me(&conn) {
        tracing::warn!("control socket: {message}");
        refuse(&conn, message).await;
        return;
    }
    let mut write = &conn;
    let mut reader = BufReader::new(&conn);
    let mut line = Vec::new();
    loop {
        line.clear();
        // One more byte than a line may hold, so an overlong line is seen as one.
        let mut limited = (&mut reader).take(limits.line as u64 + 1);
        let read = limited.read_until(b'\n', &mut line);
        seat.idle();
        let read = tokio::select! {
            read = tokio::time::timeout(limits.idle, read) => read,
            _ = seat.evicted.notified() => {
                refuse(&conn, "closed to make room for another client".into()).await;
                return;
            }
        };
        seat.busy();
        match read {
            Ok(Ok(0)) | Ok(Err(_)) => return,
            Ok(Ok(_)) => {}
            Err(_) => {
                let message = format!(
                    "no complete command within {} s; closing",
                    limits.idle.as_secs_f64()
                );
                refuse(&conn, message).await;
                return;
            }
        }
        if line.last() != Some(&b'\n') && line.len() > limits.line {
            let message = format!("a command is at most {} bytes long; closing", limits.line);
            refuse(&conn, message).await;
            return;
        }
        let reply = match std::str::from_utf8(&line)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Command>(text).map_err(|e| e.to_string()))
        {
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
        let out = reply_line(&reply);
        // A client that does not read its answers holds a slot no longer than an idle one.
        match tokio::time::timeout(limits.idle, write.write_all(out.as_bytes())).await {
            Ok(Ok(())) => {}
            _ => return,
        }
    }
}

/// The peer must run as this user: the socket's mode should already see to it, and this holds
/// even if the data dir's permissions were loosened after the engine started.
#[cfg(unix)]
fn peer_is_me(conn: &Stream) -> std::result::Result<(), String> {
    let me = crate::data_dir::my_uid();
    match conn.peer_creds().map(|c| c.euid()) {
        Ok(Some(uid)) if uid == me => Ok(()),
        Ok(Some(uid)) => Err(format!(
            "this engine belongs to user id {me}; a connection from user id {uid} is refused"
        )),
        Ok(None) | Err(_) => Err("the connecting user could not be identified; refused".into()),
    }
}

#[cfg(not(unix))]
fn peer_is_me(_conn: &Stream) -> std::result::Result<(), String> {
    Ok(())
}
