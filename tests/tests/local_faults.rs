//! Local faults are not outages: `klaxon run` under a low open-files limit (hard = soft, so its
//! own raise at start cannot lift it), healthy loopback services, and a flood of idle
//! connections to the control socket. Before the socket was bounded, the flood used up the
//! engine's file handles and every check failed with "Too many open files": healthy services
//! rang. Now the flood holds at most the socket's client limit, nothing rings, and `status`
//! still answers.
//!
//! The other half, a check that does fail for want of a file handle, is shown without the
//! bound in `crates/klaxon-core/tests/local_fault_path.rs`.

mod support;

use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::*;

/// Hard and soft: `klaxon run` raises its soft limit to the hard one at start.
const OPEN_FILES: u64 = 64;
const FLOOD: usize = 500;

fn open_files_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

fn run_with_open_files_limit(home: &Home, limit: u64) -> Running {
    let log = home.dir.path().join("run.log");
    let mut cmd = Command::new(klaxon_bin());
    cmd.arg("run")
        .env("KLAXON_CONFIG", home.config())
        .env("KLAXON_DATA_DIR", home.data())
        .env("XDG_RUNTIME_DIR", home.quiet_runtime())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let running = Running {
        child: cmd.spawn().unwrap(),
        log,
    };
    let socket = home.data().join("klaxon.sock");
    wait_for(Duration::from_secs(20), || socket.exists().then_some(()));
    running
}

#[test]
fn a_flood_of_idle_control_connections_under_a_low_open_files_limit_rings_nothing() {
    let api = HttpServer::start();
    let web = HttpServer::start();
    let monitors = http_monitor("API", &api.url()) + &http_monitor("Web", &web.url());
    let home = Home::new(&fast_config(closed_port(), &monitors));
    let running = run_with_open_files_limit(&home, OPEN_FILES);
    let pid = running.child.id();
    home.wait_status("both up", |s| {
        state_of(s, "API") == Some("up") && state_of(s, "Web") == Some("up")
    });
    let before = open_files_of(pid);

    let socket = home.data().join("klaxon.sock");
    let flood: Vec<UnixStream> = (0..FLOOD)
        .map(|i| {
            UnixStream::connect(&socket)
                .unwrap_or_else(|e| panic!("flood connection {i} could not connect: {e}"))
        })
        .collect();

    // Watch through several check cycles (every 1 s, re-checks every 300 ms, one
    // confirmation): a healthy service judged down would have rung by the end.
    let mut most = 0;
    let mut statuses = 0;
    let watch_until = Instant::now() + Duration::from_secs(8);
    while Instant::now() < watch_until {
        most = most.max(open_files_of(pid));
        let status = home.status();
        statuses += 1;
        assert_eq!(status["live"], true, "{status:#}");
        assert_eq!(state_of(&status, "API"), Some("up"), "{status:#}");
        assert_eq!(state_of(&status, "Web"), Some("up"), "{status:#}");
        assert!(
            status["incidents"].as_array().unwrap().is_empty(),
            "{status:#}"
        );
        assert!(status.get("local_fault").is_none(), "{status:#}");
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(flood);
    eprintln!(
        "klaxon run under a limit of {OPEN_FILES} open files: {before} open before the flood, \
         at most {most} during a flood of {FLOOD} idle connections; {statuses} statuses answered"
    );
    assert!(most < OPEN_FILES as usize, "{most} open files");
    assert!(
        !running.log().contains("Too many open files"),
        "{}",
        running.log()
    );
}
