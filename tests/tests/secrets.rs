//! Secrets through the real OS keyring (gnome-keyring's Secret Service on a private bus): a
//! monitor whose header says `{secret:NAME}` checks with the value from the keyring, and the
//! value shows up nowhere Klaxon writes.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use support::keyring::Keyring;
use support::*;

const TOKEN: &str = "s3cret-7f1c9e";

/// A loopback API that answers 200 only to `Authorization: Bearer TOKEN`, 401 otherwise.
fn guarded_api() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            conn.set_read_timeout(Some(Duration::from_secs(2))).ok();
            let mut buf = [0u8; 8192];
            let n = conn.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
            let answer: &[u8] = if request.contains(&format!("authorization: bearer {TOKEN}")) {
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            } else {
                b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            };
            let _ = conn.write_all(answer);
        }
    });
    addr
}

#[test]
fn a_monitor_uses_the_keyring_secret_and_the_value_is_written_nowhere() {
    let keyring = Keyring::start();
    let api = guarded_api();
    let home = Home::new(&fast_config(
        closed_port(),
        &format!(
            "{}headers = {{ Authorization = \"Bearer {{secret:api-token}}\" }}\n",
            http_monitor("API", &format!("http://{api}/health"))
        ),
    ));
    let running = home.run_with(keyring.env());

    // Not set yet: the monitor says so instead of checking (and nothing rings).
    let status = home.wait_status("the missing secret", |s| {
        s["monitors"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("\"api-token\" is not set in the keyring"))
    });
    assert!(status["incidents"].as_array().unwrap().is_empty());
    let listed = || {
        let out = home
            .cmd()
            .args(["secret", "list"])
            .envs(keyring.env())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(listed(), "api-token: not set\n");

    // Set through the CLI (piped, as a script would): the running engine picks it up.
    home.cmd()
        .args(["secret", "set", "api-token"])
        .envs(keyring.env())
        .write_stdin(format!("{TOKEN}\n"))
        .assert()
        .success();
    home.wait_status("API up with the token", |s| {
        state_of(s, "API") == Some("up")
    });
    let stored = keyring.secret_tool(&["lookup", "service", "klaxon", "username", "api-token"]);
    assert_eq!(String::from_utf8_lossy(&stored.stdout), TOKEN);
    assert_eq!(listed(), "api-token: set\n");

    // The value is in the keyring only: not in the config, the database, the socket's answer
    // or the log.
    drop(running);
    for entry in walk(home.dir.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(TOKEN),
            "the secret leaked into {}",
            entry.display()
        );
    }

    // Deleted: the desktop's keyring no longer has it.
    home.cmd()
        .args(["secret", "delete", "api-token"])
        .envs(keyring.env())
        .assert()
        .success();
    let gone = keyring.secret_tool(&["lookup", "service", "klaxon", "username", "api-token"]);
    assert!(gone.stdout.is_empty());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
