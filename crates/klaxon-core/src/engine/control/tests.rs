//! The control server against real clients on a real socket, with a stand-in engine.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::sync::{Notify, mpsc};

use super::{ControlServer, Limits};
use crate::engine::{Envelope, Reply};

const SHORT: Limits = Limits {
    clients: 3,
    idle: Duration::from_millis(400),
    line: 64,
};

/// A stand-in engine that answers every command with "done".
fn engine() -> mpsc::Sender<Envelope> {
    let (tx, mut rx) = mpsc::channel::<Envelope>(16);
    tokio::spawn(async move {
        while let Some((_, reply)) = rx.recv().await {
            let _ = reply.send(Reply::Done {
                message: "done".into(),
            });
        }
    });
    tx
}

/// A stand-in engine that takes commands and never answers; `took` is rung for each.
fn stuck_engine() -> (mpsc::Sender<Envelope>, Arc<Notify>) {
    let (tx, mut rx) = mpsc::channel::<Envelope>(16);
    let took = Arc::new(Notify::new());
    let bell = took.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Some(envelope) = rx.recv().await {
            held.push(envelope);
            bell.notify_one();
        }
    });
    (tx, took)
}

fn serve(
    dir: &tempfile::TempDir,
    commands: mpsc::Sender<Envelope>,
    limits: Limits,
) -> (ControlServer, std::path::PathBuf) {
    let path = dir.path().join("klaxon.sock");
    let server = ControlServer::start_with(&path, commands, limits).expect("server starts");
    (server, path)
}

struct Client {
    lines: tokio::io::Lines<BufReader<tokio::net::unix::OwnedReadHalf>>,
    write: tokio::net::unix::OwnedWriteHalf,
}

impl Client {
    async fn connect(path: &std::path::Path) -> Client {
        let (read, write) = UnixStream::connect(path)
            .await
            .expect("connects")
            .into_split();
        Client {
            lines: BufReader::new(read).lines(),
            write,
        }
    }

    async fn send(&mut self, text: &str) {
        self.write.write_all(text.as_bytes()).await.expect("sends");
    }

    /// The next line, or `None` once the server has closed the connection.
    async fn next(&mut self) -> Option<String> {
        tokio::time::timeout(Duration::from_secs(10), self.lines.next_line())
            .await
            .expect("the server answers or closes within 10 s")
            .ok()
            .flatten()
    }
}

#[tokio::test]
async fn an_idle_client_is_told_and_closed_after_the_idle_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_server, path) = serve(&dir, engine(), SHORT);
    let mut idle = Client::connect(&path).await;
    let said = idle.next().await.expect("a refusal line");
    assert!(said.contains("no complete command within 0.4 s"), "{said}");
    assert_eq!(idle.next().await, None);
}

#[tokio::test]
async fn the_line_limit_applies_to_each_line_not_to_the_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_server, path) = serve(&dir, engine(), SHORT);
    let mut client = Client::connect(&path).await;
    // Ten commands of 17 bytes: 170 bytes in all, far over the 64-byte line limit.
    for _ in 0..10 {
        client.send("{\"cmd\":\"status\"}\n").await;
        let answer = client.next().await.expect("an answer");
        assert!(answer.contains("\"done\""), "{answer}");
    }
}

#[tokio::test]
async fn an_overlong_line_is_refused_and_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_server, path) = serve(&dir, engine(), SHORT);
    let mut client = Client::connect(&path).await;
    client.send(&"x".repeat(65)).await;
    let said = client.next().await.expect("a refusal line");
    assert!(
        said.contains("a command is at most 64 bytes long"),
        "{said}"
    );
    assert_eq!(client.next().await, None);
}

#[tokio::test]
async fn a_flood_of_idle_clients_cannot_lock_out_a_real_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Idle long enough that no flooder times out before the real client comes.
    let limits = Limits {
        idle: Duration::from_secs(5),
        ..SHORT
    };
    let (_server, path) = serve(&dir, engine(), limits);
    let mut flood = Vec::new();
    for _ in 0..50 {
        flood.push(Client::connect(&path).await);
    }
    let mut real = Client::connect(&path).await;
    real.send("{\"cmd\":\"status\"}\n").await;
    let answer = real.next().await.expect("an answer");
    assert!(answer.contains("\"done\""), "{answer}");
    // Every flooder but the newest two (the third slot is the real client's) was closed.
    let mut still_open = 0;
    for client in &mut flood {
        match client.next().await {
            Some(said) if said.contains("closed to make room") => {
                assert_eq!(client.next().await, None);
            }
            Some(said) if said.contains("no complete command") => still_open += 1,
            other => panic!("unexpected: {other:?}"),
        }
    }
    assert!(still_open <= 2, "{still_open} idle flooders kept a slot");
}

#[tokio::test]
async fn when_every_client_is_busy_a_newcomer_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let limits = Limits {
        clients: 1,
        ..SHORT
    };
    let (commands, took) = stuck_engine();
    let (_server, path) = serve(&dir, commands, limits);
    let mut busy = Client::connect(&path).await;
    busy.send("{\"cmd\":\"status\"}\n").await;
    // The busy client's command must be with the engine before the newcomer arrives.
    took.notified().await;
    let mut newcomer = Client::connect(&path).await;
    let said = newcomer.next().await.expect("a refusal line");
    assert!(said.contains("too many clients are busy"), "{said}");
    assert_eq!(newcomer.next().await, None);
}

#[cfg(unix)]
#[tokio::test]
async fn the_client_refuses_a_socket_file_of_another_user() {
    use std::os::unix::fs::MetadataExt;
    if crate::data_dir::my_uid() != 0 {
        return; // only root can give a file away; the end-to-end test covers the rest
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (_server, path) = serve(&dir, engine(), SHORT);
    std::os::unix::fs::lchown(&path, Some(65534), None).expect("chown");
    assert_eq!(std::fs::symlink_metadata(&path).expect("meta").uid(), 65534);
    let err = crate::protocol::socket::send(dir.path(), &crate::protocol::Command::Status)
        .await
        .expect_err("refused");
    let said = err.to_string();
    assert!(
        said.contains("refusing to trust the control socket"),
        "{said}"
    );
    assert!(said.contains("belongs to user id 65534"), "{said}");
}
