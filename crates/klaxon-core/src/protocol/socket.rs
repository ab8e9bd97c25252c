//! The client's end of the control socket: one command out, one reply back, and a refusal to
//! believe a socket or a server that is not this user's (see [`crate::engine::control`] for
//! the server's end and its limits).

use std::path::Path;
use std::time::Duration;

use interprocess::local_socket::GenericFilePath;
use interprocess::local_socket::tokio::{Stream, prelude::*};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use super::wire::{Command, Reply};
use crate::error::{Error, Result};

/// The longest answer a client reads (a status of thousands of monitors fits many times over).
const MAX_REPLY: u64 = 16 * 1024 * 1024;

/// Sends one command to the engine serving `socket` and returns its reply.
/// [`Error::NotRunning`] when nothing listens there.
pub async fn send(data_dir: &Path, command: &Command) -> Result<Reply> {
    let path = crate::paths::DataFiles::new(data_dir).socket();
    let control = |source| Error::Control {
        path: path.clone(),
        source,
    };
    let name = path
        .as_path()
        .to_fs_name::<GenericFilePath>()
        .map_err(control)?;
    // Said before anything else: no socket can ever exist at a path this long.
    if cfg!(unix) && path.as_os_str().len() > crate::error::SOCKET_PATH_MAX {
        return Err(control(std::io::ErrorKind::InvalidInput.into()));
    }
    socket_file_is_mine(data_dir, &path)?;
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
    server_is_me(&conn, &path)?;
    let mut write = &conn;
    let mut line = serde_json::to_string(command).unwrap_or_default();
    line.push('\n');
    write.write_all(line.as_bytes()).await.map_err(control)?;
    let mut answer = String::new();
    // Bounded: whatever is at the other end, it cannot make the CLI read without end.
    let mut reader = BufReader::new(&conn).take(MAX_REPLY);
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

/// [`send`] for a future that owns what it needs (a [`super::Transport`]'s).
pub async fn send_owned(data_dir: std::path::PathBuf, command: Command) -> Result<Reply> {
    send(&data_dir, &command).await
}

/// Before connecting: the socket file must be this user's. A missing one means no engine.
#[cfg(unix)]
fn socket_file_is_mine(data_dir: &Path, path: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let me = crate::data_dir::my_uid();
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.uid() == me => Ok(()),
        Ok(meta) => Err(Error::UntrustedSocket {
            path: path.to_path_buf(),
            reason: format!(
                "it belongs to user id {}, not to you (user id {me}), so its answers could be \
                 anyone's. Check who owns {} and use a data dir of your own.",
                meta.uid(),
                data_dir.display()
            ),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(Error::NotRunning(data_dir.to_path_buf()))
        }
        // Unreadable (another user's data dir, say): connecting will say why.
        Err(_) => Ok(()),
    }
}

#[cfg(not(unix))]
fn socket_file_is_mine(_data_dir: &Path, _path: &Path) -> Result<()> {
    Ok(())
}

/// After connecting: the process that serves the socket must run as this user (the kernel says
/// who called `listen`; a file owner can be changed, this cannot).
#[cfg(unix)]
fn server_is_me(conn: &Stream, path: &Path) -> Result<()> {
    let me = crate::data_dir::my_uid();
    let untrusted = |reason: String| Error::UntrustedSocket {
        path: path.to_path_buf(),
        reason,
    };
    match conn.peer_creds().map(|c| c.euid()) {
        Ok(Some(uid)) if uid == me => Ok(()),
        Ok(Some(uid)) => Err(untrusted(format!(
            "it is served by a process of user id {uid}, not by you (user id {me}), so its \
             answers could be lies. Stop that process and start Klaxon as yourself."
        ))),
        Ok(None) => Err(untrusted(
            "the serving process could not be identified".into(),
        )),
        Err(e) => Err(untrusted(format!(
            "the serving process could not be identified: {e}"
        ))),
    }
}

#[cfg(not(unix))]
fn server_is_me(_conn: &Stream, _path: &Path) -> Result<()> {
    Ok(())
}
