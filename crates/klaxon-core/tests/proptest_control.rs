//! Property tests of the control socket's lines: any local process can write to the socket, and a
//! JSON line can carry any number. Whatever is written, reading it never panics, the engine's
//! bounds hold for every command it would act on, and a real engine answers every line and is
//! still answering `status` afterwards.
//!
//! 64 cases each in `cargo test`; `make fuzz` runs many more (`PROPTEST_CASES`).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use klaxon_core::engine::clock::SystemClock;
use klaxon_core::engine::{Engine, EngineOptions};
use klaxon_core::protocol::Command;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;
use proptest::test_runner::TestRunner;

/// 64 cases in `cargo test`; `PROPTEST_CASES` (as `make fuzz` sets it) for more.
fn cases() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        // A failure `make fuzz` finds is kept beside this file and tried first from then on.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// A JSON value of any kind a hostile line might put in a number's place.
fn json_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        (0u64..2000).prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        Just("18446744073709551616".to_string()),
        Just("1e400".to_string()),
        Just("null".to_string()),
        Just("[]".to_string()),
        any::<String>().prop_map(|s| serde_json::Value::String(s).to_string()),
    ]
}

/// Lines shaped like commands, with anything in their fields, and lines of anything at all.
fn line() -> impl Strategy<Value = String> {
    let cmd = select(vec![
        "status",
        "ack",
        "snooze",
        "pause",
        "resume",
        "reload",
        "test_alarm",
        "slips",
        "rm -rf",
    ]);
    let shaped = (
        cmd,
        json_value(),
        json_value(),
        json_value(),
        select(vec!["cli", "window", "tray", "\u{1b}[2J", ""]),
    )
        .prop_map(|(cmd, minutes, seconds, incident, via)| {
            format!(
                r#"{{"cmd":"{cmd}","minutes":{minutes},"seconds":{seconds},"incident":{incident},"via":"{via}"}}"#
            )
        });
    prop_oneof![shaped, any::<String>(), "[{}\\[\\]\":,0-9a-z_ ]{0,80}"]
        // One line is one command: a newline would make it two.
        .prop_map(|l| l.replace(['\n', '\r'], " "))
}

/// The command `line` would be, if the engine would act on it.
fn admitted(line: &str) -> Option<Command> {
    let command = serde_json::from_str::<Command>(line).ok()?;
    command.check().ok()?;
    Some(command)
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_line_is_read_without_panic_and_admitted_numbers_cannot_overflow_the_clock(
        line in line()
    ) {
        match admitted(&line) {
            Some(Command::Snooze { minutes }) => {
                let seconds = minutes.checked_mul(60).and_then(|s| i64::try_from(s).ok());
                prop_assert!(seconds.is_some());
                let length = SignedDuration::from_secs(seconds.unwrap_or(0));
                prop_assert!(Timestamp::now().checked_add(length).is_ok());
            }
            Some(Command::Pause { minutes: Some(m) }) => {
                prop_assert!(Timestamp::now().checked_add(SignedDuration::from_mins(m as i64)).is_ok());
            }
            Some(Command::TestAlarm { seconds }) => prop_assert!(seconds <= 120),
            _ => {}
        }
    }
}

/// A real engine with no monitors on a temp data dir, and its socket.
fn engine(dir: &Path, runtime: &tokio::runtime::Runtime) -> (Engine, PathBuf) {
    let config = dir.join("klaxon.toml");
    std::fs::write(
        &config,
        "[alarm]\nraise_system_volume = false\n\n[judge]\nwitnesses = []\n",
    )
    .unwrap();
    let data = dir.join("data");
    let engine = runtime
        .block_on(Engine::start(EngineOptions {
            config_path: config,
            data_dir: data.clone(),
            clock: Arc::new(SystemClock),
        }))
        .unwrap();
    (engine, data.join("klaxon.sock"))
}

/// Writes `line` to the socket and reads the one-line answer.
fn ask(socket: &Path, line: &str) -> Result<serde_json::Value, String> {
    let mut conn = UnixStream::connect(socket).map_err(|e| format!("connect: {e}"))?;
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .map_err(|e| e.to_string())?;
    conn.write_all(format!("{line}\n").as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    let mut answer = String::new();
    BufReader::new(conn)
        .read_line(&mut answer)
        .map_err(|e| format!("read: {e}"))?;
    serde_json::from_str(&answer).map_err(|e| format!("{answer:?}: {e}"))
}

#[test]
fn the_engine_answers_any_line_and_keeps_answering_status() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (engine, socket) = engine(dir.path(), &runtime);
    let started = Instant::now();
    let mut runner = TestRunner::new(ProptestConfig {
        source_file: Some(file!()),
        ..cases()
    });
    let outcome = runner.run(&line(), |line| {
        // A test alarm the engine accepts would sound on a developer's speakers.
        prop_assume!(!matches!(admitted(&line), Some(Command::TestAlarm { .. })));
        let answer = ask(&socket, &line).map_err(TestCaseError::fail)?;
        prop_assert!(answer["reply"].is_string(), "{line:?} got {answer}");
        let status = ask(&socket, r#"{"cmd":"status"}"#).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&status["reply"], "status", "after {:?}: {}", line, status);
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    // The absurd snooze of the issue, refused with its bounds, and the engine still there.
    let refused = ask(
        &socket,
        r#"{"cmd":"snooze","minutes":18446744073709551615}"#,
    )
    .unwrap();
    assert_eq!(refused["reply"], "refused", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("1 to 1440 minutes"),
        "{refused}"
    );
    let status = ask(&socket, r#"{"cmd":"status"}"#).unwrap();
    assert_eq!(status["reply"], "status", "{status}");
    eprintln!(
        "{} lines answered in {:.1?}",
        runner.config().cases,
        started.elapsed()
    );
    drop(engine);
}
