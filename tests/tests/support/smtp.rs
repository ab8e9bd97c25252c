//! A real SMTP server on loopback: Debian's aiosmtpd (`python3-aiosmtpd`, which `make deps`
//! installs), keeping every mail it accepts in a Maildir the test reads (its `Mailbox` handler
//! writes one file per mail under `new/`). Stopped on drop. [`Smtp::start_tls`] makes it demand
//! STARTTLS (aiosmtpd's `--tlscert`/`--tlskey`, `require_starttls` on), with a certificate for
//! 127.0.0.1 from a throwaway authority whose PEM a channel's `ca_file` can name.

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{closed_port, wait_for};

pub struct Smtp {
    pub addr: SocketAddr,
    /// With [`Smtp::start_tls`]: the authority that signed the server's certificate.
    pub ca_file: Option<PathBuf>,
    mbox: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Smtp {
    pub fn start() -> Smtp {
        Smtp::start_with(false)
    }

    /// A server that accepts mail only after STARTTLS.
    pub fn start_tls() -> Smtp {
        Smtp::start_with(true)
    }

    fn start_with(tls: bool) -> Smtp {
        let dir = tempfile::tempdir().unwrap();
        let mbox = dir.path().join("maildir");
        let addr = closed_port();
        let mut tls_args = Vec::new();
        let mut ca_file = None;
        if tls {
            let (ca, cert, key) = certificates();
            for (name, pem) in [("ca.pem", ca), ("cert.pem", cert), ("key.pem", key)] {
                std::fs::write(dir.path().join(name), pem).unwrap();
            }
            tls_args = vec![
                "--tlscert".into(),
                dir.path().join("cert.pem"),
                "--tlskey".into(),
                dir.path().join("key.pem"),
            ];
            ca_file = Some(dir.path().join("ca.pem"));
        }
        // Debian's interpreter, where the package puts the module (not a pyenv one on PATH).
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n"])
            .args(&tls_args)
            .arg("-l")
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
            ca_file,
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

/// An authority and a leaf for 127.0.0.1 it signed: (authority PEM, leaf PEM, leaf key PEM).
fn certificates() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    (ca.pem(), leaf.pem(), key.serialize_pem())
}
