//! The real Secret Service: gnome-keyring-daemon on a private session bus, with a fresh keyring
//! unlocked in a temp home. Klaxon reaches it through DBUS_SESSION_BUS_ADDRESS, as on a desktop.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::fake_bus::PrivateBus;
use super::wait_for;

pub struct Keyring {
    daemon: Child,
    pub bus: PrivateBus,
    pub home: tempfile::TempDir,
}

impl Keyring {
    pub fn start() -> Keyring {
        let bus = PrivateBus::start();
        let home = tempfile::tempdir().unwrap();
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(Self::env_of(&bus, &home))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon must be installed (make test installs it)");
        // The password of the new login keyring; end of input unlocks it.
        let mut stdin = daemon.stdin.take().unwrap();
        stdin.write_all(b"test-password").unwrap();
        drop(stdin);
        let keyring = Keyring { daemon, bus, home };
        // Ready once the login keyring is there and unlocked.
        wait_for(Duration::from_secs(15), || {
            keyring.is_unlocked().then_some(())
        });
        keyring
    }

    fn env_of(bus: &PrivateBus, home: &tempfile::TempDir) -> Vec<(&'static str, PathBuf)> {
        let runtime = home.path().join("runtime");
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        vec![
            ("DBUS_SESSION_BUS_ADDRESS", PathBuf::from(&bus.address)),
            ("HOME", home.path().to_path_buf()),
            ("XDG_DATA_HOME", home.path().join("data")),
            ("XDG_RUNTIME_DIR", runtime),
        ]
    }

    /// What a process needs in its environment to use this keyring.
    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        Self::env_of(&self.bus, &self.home)
    }

    /// `secret-tool ARGS` against this keyring: the desktop's own view of what is stored.
    pub fn secret_tool(&self, args: &[&str]) -> std::process::Output {
        Command::new("secret-tool")
            .args(args)
            .envs(self.env())
            .output()
            .expect("secret-tool must be installed (make test installs it)")
    }

    /// The default collection (the login keyring) exists and is unlocked: the daemon answers
    /// on the bus a moment before it has made and unlocked it.
    fn is_unlocked(&self) -> bool {
        // Asking org.freedesktop.secrets before our daemon owns the name would make the bus
        // start another gnome-keyring-daemon (D-Bus activation) whose keyring stays locked.
        let owned = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .envs(self.env())
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"));
        owned
            && Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.secrets",
                    "/org/freedesktop/secrets/aliases/default",
                    "org.freedesktop.DBus.Properties.Get",
                    "string:org.freedesktop.Secret.Collection",
                    "string:Locked",
                ])
                .envs(self.env())
                .output()
                .is_ok_and(|o| {
                    o.status.success()
                        && String::from_utf8_lossy(&o.stdout).contains("boolean false")
                })
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
