//! How the app's commands reach the engine. The tray process runs the engine itself and speaks
//! to it in-process; the window, which lives in a process of its own (see `window.rs`), speaks
//! to it over the control socket like the CLI. Both go through the one typed `Client`, so a
//! command is written once and works in either.

use klaxon_core::engine::Engine;
use klaxon_core::protocol::{Command, Reply, Socket, Transport};

pub enum Link {
    /// The tray process: the engine runs here.
    InProcess(Engine),
    /// The window's process: the engine runs in the tray process (or `klaxon run`).
    Socket(Socket),
}

impl Link {
    /// The engine, where it runs in this process.
    pub fn engine(&self) -> Option<&Engine> {
        match self {
            Link::InProcess(engine) => Some(engine),
            Link::Socket(_) => None,
        }
    }
}

impl Transport for Link {
    async fn send(&self, command: Command) -> klaxon_core::Result<Reply> {
        match self {
            Link::InProcess(engine) => engine.send(command).await,
            Link::Socket(socket) => socket.send(command).await,
        }
    }
}
