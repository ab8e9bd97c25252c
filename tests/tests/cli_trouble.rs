//! The `klaxon` binary when something around it is wrong: its reader went away, the database is
//! garbage, there is no history yet, a path cannot be read or is too long for a socket. Each
//! ends with one clear sentence (or quietly, for a closed pipe), never a panic.

mod support;

use std::process::Stdio;

use support::*;

/// Runs `klaxon ARGS` with standard output into a pipe whose reader is already gone, as
/// `klaxon status | head -1` becomes once `head` has its line.
fn into_closed_pipe(home: &Home, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    std::process::Command::new(klaxon_bin())
        .args(args)
        .env("KLAXON_CONFIG", home.config())
        .env("KLAXON_DATA_DIR", home.data())
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn status_and_history_into_a_closed_pipe_end_quietly() {
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", "http://127.0.0.1:1/"),
    ));
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["history"],
        &["config", "check"],
    ] {
        let out = into_closed_pipe(&home, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "klaxon {args:?} into a closed pipe: {:?} {stderr}",
            out.status
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn status_piped_into_head_prints_its_first_line() {
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", "http://127.0.0.1:1/"),
    ));
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' status | head -1; '{}' history --json | head -1",
            klaxon_bin().display(),
            klaxon_bin().display()
        ))
        .env("KLAXON_CONFIG", home.config())
        .env("KLAXON_DATA_DIR", home.data())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "No Klaxon is running: nothing is being watched. Last known state:\n[]\n"
    );
}

#[test]
fn a_garbage_database_is_named_with_its_cause_said_once() {
    let home = Home::new("");
    std::fs::create_dir_all(home.data()).unwrap();
    let db = home.data().join("klaxon.db");
    std::fs::write(
        &db,
        "this is not a database, it is a shopping list\n".repeat(200),
    )
    .unwrap();
    let out = home.cmd().arg("history").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&path_str(&db)), "{stderr}");
    assert_eq!(
        stderr.matches("file is not a database").count(),
        1,
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn note_and_draft_on_an_empty_data_dir_say_there_is_no_history_and_create_nothing() {
    let home = Home::new("");
    for args in [
        &["note", "1", "--cause", "a bad deploy"][..],
        &["draft", "1"],
    ] {
        let out = home.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("there is no history yet in"), "{stderr}");
        assert!(stderr.contains("no incident #1"), "{stderr}");
    }
    assert!(!home.data().join("klaxon.db").exists());
}

#[test]
fn a_data_dir_that_cannot_be_looked_into_is_an_error_not_an_empty_history() {
    // A plain file where a directory should be: the data dir below it cannot be read (the same
    // as a directory without permission, which root — as the tests may run — would ignore).
    let home = Home::new("");
    let file = home.dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let out = home
        .cmd()
        .env("KLAXON_DATA_DIR", file.join("data"))
        .arg("history")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("klaxon: cannot read "), "{stderr}");
    assert!(stderr.contains("klaxon.db"), "{stderr}");
    // The same for a config file that cannot be looked at: read, not written.
    let out = home
        .cmd()
        .env("KLAXON_CONFIG", file.join("klaxon.toml"))
        .arg("run")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot read "), "{stderr}");
    assert!(!stderr.contains("cannot write"), "{stderr}");
}

#[test]
fn a_data_dir_too_long_for_a_socket_is_named_with_the_limit() {
    let home = Home::new("");
    // 130 bytes and more of data dir: past the 107 a Linux socket path may have.
    let mut deep = home.dir.path().to_path_buf();
    while deep.as_os_str().len() < 130 {
        deep.push("a-rather-long-directory-name");
    }
    let out = home
        .cmd()
        .env("KLAXON_DATA_DIR", &deep)
        .env("XDG_RUNTIME_DIR", home.quiet_runtime())
        .arg("run")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let socket = deep.join("klaxon.sock");
    assert!(stderr.contains(&path_str(&socket)), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "its path is {} bytes long, and a socket's path can be at most 107 bytes",
            socket.as_os_str().len()
        )),
        "{stderr}"
    );
    // The one-shot commands say the same instead of an obscure error.
    let out = home
        .cmd()
        .env("KLAXON_DATA_DIR", &deep)
        .arg("ack")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a socket's path can be at most 107 bytes"),
        "{stderr}"
    );
}
