//! A private D-Bus daemon and stand-ins for the two desktop services Klaxon talks to that cannot
//! run on a headless test machine: systemd-logind's inhibitor (keep-awake) and the notification
//! service. Each stand-in implements the real interface and records what it was asked; Klaxon
//! reaches them through the standard DBUS_SYSTEM_BUS_ADDRESS / DBUS_SESSION_BUS_ADDRESS.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::wait_for;

/// A `dbus-daemon` on a socket in a temp dir; killed on drop.
pub struct PrivateBus {
    daemon: Child,
    pub address: String,
    _dir: tempfile::TempDir,
}

impl PrivateBus {
    pub fn start() -> PrivateBus {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("bus");
        let address = format!("unix:path={}", socket.display());
        let daemon = Command::new("dbus-daemon")
            .args([
                "--session",
                "--nofork",
                "--nopidfile",
                &format!("--address={address}"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon must be installed (make test installs it)");
        wait_for(Duration::from_secs(10), || socket.exists().then_some(()));
        PrivateBus {
            daemon,
            address,
            _dir: dir,
        }
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// One inhibitor lock handed out: what was inhibited, and our end of the lock's pipe, which
/// reads end-of-file once the holder lets go (the lock is the file descriptor).
pub struct Lock {
    pub what: String,
    pub who: String,
    /// `block` or `delay`.
    pub mode: String,
    ours: UnixStream,
}

impl Lock {
    /// True once every copy of the descriptor given to the holder is closed.
    pub fn released(&self) -> bool {
        self.ours
            .set_read_timeout(Some(Duration::from_millis(10)))
            .unwrap();
        let mut byte = [0u8; 1];
        matches!((&self.ours).read(&mut byte), Ok(0))
    }
}

#[derive(Clone, Default)]
pub struct Logind {
    pub locks: Arc<Mutex<Vec<Lock>>>,
}

impl Logind {
    /// True while any lock handed out is still held.
    pub fn held(&self) -> bool {
        self.locks.lock().unwrap().iter().any(|l| !l.released())
    }
}

#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl Logind {
    fn inhibit(
        &self,
        what: &str,
        who: &str,
        _why: &str,
        mode: &str,
    ) -> zbus::fdo::Result<zbus::zvariant::OwnedFd> {
        let (ours, theirs) =
            UnixStream::pair().map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
        self.locks.lock().unwrap().push(Lock {
            what: what.into(),
            who: who.into(),
            mode: mode.into(),
            ours,
        });
        Ok(std::os::fd::OwnedFd::from(theirs).into())
    }
}

impl Logind {
    /// True while a `delay` lock on sleep is held: someone wants a word before the machine sleeps.
    pub fn delaying_sleep(&self) -> bool {
        let locks = self.locks.lock().unwrap();
        locks
            .iter()
            .any(|l| l.mode == "delay" && l.what.contains("sleep") && !l.released())
    }
}

/// Announces on logind's connection that the machine is about to sleep (`true`) or has woken
/// (`false`), as logind's `PrepareForSleep` signal does.
pub fn announce_sleep(logind: &zbus::blocking::Connection, going: bool) {
    logind
        .emit_signal(
            None::<()>,
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            &(going,),
        )
        .unwrap();
}

/// Serves a fake logind on `bus` until the returned connection drops.
pub fn serve_logind(bus: &PrivateBus) -> (zbus::blocking::Connection, Logind) {
    let logind = Logind::default();
    let conn = zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.freedesktop.login1")
        .unwrap()
        .serve_at("/org/freedesktop/login1", logind.clone())
        .unwrap()
        .build()
        .unwrap();
    (conn, logind)
}

/// Notifications shown: (summary, body).
#[derive(Clone, Default)]
pub struct Notifications {
    pub shown: Arc<Mutex<Vec<(String, String)>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: &str,
        _replaces_id: u32,
        _app_icon: &str,
        summary: &str,
        body: &str,
        _actions: Vec<&str>,
        _hints: HashMap<&str, zbus::zvariant::Value<'_>>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap();
        shown.push((summary.into(), body.into()));
        shown.len() as u32
    }

    fn get_capabilities(&self) -> Vec<&str> {
        vec!["body"]
    }

    fn get_server_information(&self) -> (&str, &str, &str, &str) {
        ("klaxon-test", "klaxon", "1", "1.2")
    }
}

pub fn serve_notifications(bus: &PrivateBus) -> (zbus::blocking::Connection, Notifications) {
    let notifications = Notifications::default();
    let conn = zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at("/org/freedesktop/Notifications", notifications.clone())
        .unwrap()
        .build()
        .unwrap();
    (conn, notifications)
}
