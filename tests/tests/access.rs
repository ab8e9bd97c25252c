//! Nobody else gets in: the data dir and its files are this user's alone whatever the umask, a
//! data dir others control is refused, another local user can neither reach the engine nor
//! read the database, and a socket served by another user is not believed.
//!
//! Needs root (tests create and remove a system user, `klaxon-test-…`, with useradd/userdel).

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use predicates::prelude::*;
use support::*;

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// useradd and userdel lock /etc/passwd; tests in this binary run in parallel.
static ACCOUNTS: Mutex<()> = Mutex::new(());

/// A local system user made for one test, removed (with userdel) when dropped.
struct OtherUser {
    name: String,
    uid: u32,
    gid: u32,
}

impl OtherUser {
    fn create() -> OtherUser {
        let _lock = ACCOUNTS.lock().unwrap_or_else(|e| e.into_inner());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("klaxon-test-{:x}{:x}", std::process::id(), nanos);
        let name: String = name.chars().take(31).collect();
        let out = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
            ])
            .arg(&name)
            .output()
            .expect("useradd runs (these tests need root)");
        assert!(
            out.status.success(),
            "useradd {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let id = |flag: &str| -> u32 {
            let out = Command::new("id").args([flag, &name]).output().unwrap();
            String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
        };
        let (uid, gid) = (id("-u"), id("-g"));
        OtherUser { name, uid, gid }
    }

    /// `program` run as this user, with no supplementary groups and a clean environment.
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.uid(self.uid)
            .gid(self.gid)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .stdin(Stdio::null());
        cmd
    }
}

impl Drop for OtherUser {
    fn drop(&mut self) {
        let _lock = ACCOUNTS.lock().unwrap_or_else(|e| e.into_inner());
        let _ = Command::new("userdel").arg(&self.name).output();
    }
}

/// The home's temp dir made traversable by everyone, and a copy of `klaxon` others can run
/// (the build lives under /root, which other users cannot enter). Only the data dir's own
/// mode then stands between another user and the engine.
fn open_home_with_public_binary(home: &Home) -> PathBuf {
    chmod(home.dir.path(), 0o755);
    let bin = home.dir.path().join("klaxon");
    std::fs::copy(klaxon_bin(), &bin).unwrap();
    chmod(&bin, 0o755);
    bin
}

fn klaxon_as(user: &OtherUser, bin: &Path, home: &Home, args: &[&str]) -> Output {
    user.command(bin)
        .args(args)
        .env("KLAXON_CONFIG", home.config())
        .env("KLAXON_DATA_DIR", home.data())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn under_a_permissive_umask_the_data_dir_is_0700_and_every_file_in_it_0600() {
    let server = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    let mut run = Command::new(klaxon_bin());
    run.arg("run")
        .env("KLAXON_CONFIG", home.config())
        .env("KLAXON_DATA_DIR", home.data())
        .env("XDG_RUNTIME_DIR", home.quiet_runtime())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: umask is async-signal-safe and touches only the child.
    unsafe {
        run.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    let _running = Running {
        child: run.spawn().unwrap(),
        log: home.dir.path().join("unused.log"),
    };
    let data = home.data();
    wait_for(Duration::from_secs(20), || {
        data.join("klaxon.sock").exists().then_some(())
    });
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let expected = [
        "klaxon.db",
        "klaxon.db-wal",
        "klaxon.db-shm",
        "klaxon.lock",
        "klaxon.sock",
    ];
    wait_for(Duration::from_secs(30), || {
        expected.iter().all(|f| data.join(f).exists()).then_some(())
    });
    assert_eq!(mode(&data), 0o700, "the data dir");
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
}

#[test]
fn a_data_dir_others_can_write_to_is_refused_with_what_to_do() {
    let home = Home::new("");
    std::fs::create_dir(home.data()).unwrap();
    chmod(&home.data(), 0o777);
    home.cmd()
        .arg("run")
        .assert()
        .failure()
        .stderr(predicate::str::contains(path_str(&home.data())))
        .stderr(predicate::str::contains("can be written by other users"))
        .stderr(predicate::str::contains("owner: user id 0, mode 0777"))
        .stderr(predicate::str::contains("chmod 700"));
    assert_eq!(mode(&home.data()), 0o777, "a refused dir is left as it was");
    assert!(
        !home.data().join("klaxon.db").exists(),
        "nothing was written"
    );
}

#[test]
fn a_data_dir_owned_by_another_user_is_refused_with_what_to_do() {
    let user = OtherUser::create();
    let home = Home::new("");
    std::fs::create_dir(home.data()).unwrap();
    chmod(&home.data(), 0o700);
    std::os::unix::fs::chown(home.data(), Some(user.uid), Some(user.gid)).unwrap();
    home.cmd()
        .arg("run")
        .assert()
        .failure()
        .stderr(predicate::str::contains(path_str(&home.data())))
        .stderr(predicate::str::contains("belongs to another user"))
        .stderr(predicate::str::contains(format!(
            "owner: user id {}, mode 0700",
            user.uid
        )))
        .stderr(predicate::str::contains("chown -R 0"));
}

#[test]
fn another_user_can_neither_acknowledge_nor_read_the_history() {
    let server = HttpServer::start();
    let home = Home::new(&fast_config(
        closed_port(),
        &http_monitor("API", &server.url()),
    ));
    let bin = open_home_with_public_binary(&home);
    let _running = home.run();
    home.wait_status("API up", |s| state_of(s, "API") == Some("up"));
    let _addr = server.stop();
    home.wait_status("a ringing incident", |s| {
        s["incidents"][0]["state"] == "ringing"
    });
    let user = OtherUser::create();

    let ack = klaxon_as(&user, &bin, &home, &["ack"]);
    assert!(!ack.status.success(), "ack as another user succeeded");
    assert!(
        stderr(&ack).contains("Permission denied"),
        "{}",
        stderr(&ack)
    );
    let status = klaxon_as(&user, &bin, &home, &["status", "--json"]);
    assert!(!status.status.success(), "status as another user succeeded");
    assert!(
        stderr(&status).contains("Permission denied"),
        "{}",
        stderr(&status)
    );
    let db = home.data().join("klaxon.db");
    let read = user.command("cat").arg(&db).output().unwrap();
    assert!(!read.status.success(), "another user read the database");
    assert!(
        stderr(&read).contains("Permission denied"),
        "{}",
        stderr(&read)
    );

    // Even with the way opened after the engine started (a careless chmod), the engine itself
    // turns the other user away: it checks who is connecting.
    chmod(&home.data(), 0o711);
    chmod(&home.data().join("klaxon.sock"), 0o666);
    let ack_line = r#"{"cmd":"ack","incident":null,"via":"cli"}"#;
    // The engine may answer and close before the line is even sent: a failed send is fine,
    // its answer is still there to read.
    let script = format!(
        "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\n\
         try:\n  s.sendall(b'{ack_line}\\n')\nexcept OSError:\n  pass\n\
         print(s.makefile().readline())"
    );
    let raw = user
        .command("/usr/bin/python3")
        .args(["-c", &script])
        .arg(home.data().join("klaxon.sock"))
        .output()
        .unwrap();
    let answer = String::from_utf8_lossy(&raw.stdout);
    assert!(answer.contains("\"refused\""), "{answer} {}", stderr(&raw));
    assert!(
        answer.contains(&format!(
            "a connection from user id {} is refused",
            user.uid
        )),
        "{answer}"
    );

    let status = home.status();
    assert_eq!(status["incidents"][0]["state"], "ringing", "{status:#}");
}

#[test]
fn a_socket_served_by_another_user_is_not_believed() {
    let home = Home::new("");
    let bin = open_home_with_public_binary(&home);
    let user = OtherUser::create();
    // The other user's own Klaxon, in a directory of theirs, answering on its socket.
    let theirs = home.dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("klaxon.toml"), "").unwrap();
    std::fs::create_dir(theirs.join("runtime")).unwrap();
    for dir in [&theirs, &theirs.join("runtime")] {
        chmod(dir, 0o700);
        std::os::unix::fs::chown(dir, Some(user.uid), Some(user.gid)).unwrap();
    }
    std::os::unix::fs::chown(theirs.join("klaxon.toml"), Some(user.uid), None).unwrap();
    let data = theirs.join("data");
    let child = user
        .command(&bin)
        .arg("run")
        .env("KLAXON_CONFIG", theirs.join("klaxon.toml"))
        .env("KLAXON_DATA_DIR", &data)
        .env("XDG_RUNTIME_DIR", theirs.join("runtime"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _theirs = Running {
        child,
        log: theirs.join("unused.log"),
    };
    let socket = data.join("klaxon.sock");
    wait_for(Duration::from_secs(20), || socket.exists().then_some(()));

    // Pointed at their data dir (as a shared KLAXON_DATA_DIR would), `status` refuses.
    let mine = |args: &[&str]| {
        home.cmd()
            .env("KLAXON_DATA_DIR", &data)
            .args(args)
            .assert()
            .failure()
    };
    mine(&["status"])
        .stderr(predicate::str::contains(
            "refusing to trust the control socket",
        ))
        .stderr(predicate::str::contains(format!(
            "it belongs to user id {}",
            user.uid
        )));
    // A socket file made to look like ours is still served by them: the kernel says so.
    std::os::unix::fs::lchown(&socket, Some(0), Some(0)).unwrap();
    mine(&["status", "--json"])
        .stderr(predicate::str::contains(
            "refusing to trust the control socket",
        ))
        .stderr(predicate::str::contains(format!(
            "served by a process of user id {}",
            user.uid
        )))
        .stdout(predicate::str::is_empty());
}
