//! A real SMTP server on loopback: Debian's aiosmtpd (`python3-aiosmtpd`, which `make deps`
//! installs), keeping every mail it accepts in a Maildir the test reads (its `Mailbox` handler
//! writes one file per mail under `new/`). Stopped on drop.

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{closed_port, wait_for};

pub struct Smtp {
    pub addr: SocketAddr,
    mbox: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Smtp {
    pub fn start() -> Smtp {
        let dir = tempfile::tempdir().unwrap();
        let mbox = dir.path().join("maildir");
        let addr = closed_port();
        // Debian's interpreter, where the package puts the module (not a pyenv one on PATH).
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(addr.to_string())
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&mbox)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd (make deps installs it)");
        wait_for(Duration::from_secs(20), || TcpStream::connect(addr).ok());
        Smtp {
            addr,
            mbox,
            child,
            _dir: dir,
        }
    }

    /// Every mail received so far (headers and body), one after the other.
    pub fn mail(&self) -> String {
        let mut all = String::new();
        for dir in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.mbox.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                all.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
                all.push('\n');
            }
        }
        all
    }

    /// Polls until a mail holding `needle` has come.
    pub fn wait_for_mail(&self, needle: &str, limit: Duration) -> String {
        wait_for(limit, || {
            let mail = self.mail();
            mail.contains(needle).then_some(mail)
        })
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
