//! Hosts made of network namespaces, for what loopback cannot show: a remote target, witnesses,
//! and this laptop losing its network.
//!
//! [`Network::new`] makes two namespaces joined by a veth pair and nothing else:
//!
//! ```text
//!   "laptop" ns                      "net" ns
//!   Klaxon                           target  10.231.0.2 (HTTP)
//!   laptop0 10.231.0.1/24 <--veth--> net0    witness 10.231.0.3 (TCP)
//! ```
//!
//! A fresh namespace has no default route, so nothing these tests do can leave the machine; and
//! no 10.231.0.x address is ever used from the root namespace. Bringing `laptop0` down inside
//! "laptop" takes the laptop offline. The `klaxon` CLI one-shots (`status`, `history`) still work
//! from the root namespace: they talk to the engine over a unix socket, which is a file.
//!
//! Needs root and iproute2's `ip`; without them the tests fail with a message saying so.
//! Every namespace is deleted (and every process in it killed) when its guard drops, also when
//! the test panics.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{Home, Running, klaxon_bin};

/// The laptop's side of the veth pair.
pub const LAPTOP_DEV: &str = "laptop0";
/// The network's side of the veth pair.
pub const NET_DEV: &str = "net0";
pub const LAPTOP_IP: &str = "10.231.0.1";
pub const TARGET_IP: &str = "10.231.0.2";
pub const WITNESS_IP: &str = "10.231.0.3";

/// The `ip` binary, or a failure saying what is missing. Also insists on root.
fn ip_bin() -> PathBuf {
    let uid = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(u32::MAX);
    assert_eq!(
        uid, 0,
        "the offline tests make network namespaces and must run as root (effective uid is {uid})"
    );
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("ip"));
    let fallbacks = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].map(PathBuf::from);
    on_path.chain(fallbacks).find(|p| p.is_file()).expect(
        "the offline tests need iproute2's `ip` to make network namespaces, and it is not \
             installed (apt-get install iproute2; `make deps` does it)",
    )
}

/// Runs `ip ARGS` and panics with its stderr if it fails.
fn ip(args: &[&str]) {
    let out = Command::new(ip_bin())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running `ip {}` failed: {e}", args.join(" ")));
    assert!(
        out.status.success(),
        "`ip {}` failed ({}): {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
}

/// One network namespace, deleted with everything running in it when dropped.
pub struct Netns {
    name: String,
}

impl Netns {
    /// A new, empty namespace named after `role`, unique to this process and call.
    pub fn new(role: &str) -> Netns {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::SeqCst);
        let name = format!("klx-{role}-{}-{n}", std::process::id());
        // A leftover of a killed run whose pid came round again; ours are always unique.
        let _ = Command::new(ip_bin())
            .args(["netns", "del", &name])
            .stderr(Stdio::null())
            .status();
        ip(&["netns", "add", &name]);
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"]);
        ns
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `ip -n NAME ARGS`, panicking on failure.
    pub fn ip(&self, args: &[&str]) {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        ip(&all);
    }

    /// `program` run inside this namespace (`ip netns exec NAME program`). `ip netns exec` execs
    /// the program in place, so the child's pid is the program's.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(ip_bin());
        cmd.args(["netns", "exec", &self.name]).arg(program);
        cmd
    }

    fn kill_everything_inside(&self) {
        let Ok(out) = Command::new(ip_bin())
            .args(["netns", "pids", &self.name])
            .stderr(Stdio::null())
            .output()
        else {
            return;
        };
        for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
            let _ = Command::new("kill")
                .args(["-9", pid])
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        self.kill_everything_inside();
        let deleted = Command::new(ip_bin())
            .args(["netns", "del", &self.name])
            .stderr(Stdio::null())
            .status();
        if !deleted.is_ok_and(|s| s.success()) && !std::thread::panicking() {
            panic!("could not delete network namespace {}", self.name);
        }
    }
}

/// The two hosts: "laptop", where Klaxon runs, and "net", which holds the servers.
pub struct Network {
    pub laptop: Netns,
    pub net: Netns,
}

impl Network {
    pub fn new() -> Network {
        let laptop = Netns::new("laptop");
        let net = Netns::new("net");
        laptop.ip(&[
            "link",
            "add",
            LAPTOP_DEV,
            "type",
            "veth",
            "peer",
            "name",
            NET_DEV,
            "netns",
            net.name(),
        ]);
        laptop.ip(&["addr", "add", &format!("{LAPTOP_IP}/24"), "dev", LAPTOP_DEV]);
        for addr in [TARGET_IP, WITNESS_IP] {
            net.ip(&["addr", "add", &format!("{addr}/24"), "dev", NET_DEV]);
        }
        laptop.ip(&["link", "set", LAPTOP_DEV, "up"]);
        net.ip(&["link", "set", NET_DEV, "up"]);
        Network { laptop, net }
    }

    /// The laptop loses its only link: every address outside it becomes unreachable.
    pub fn laptop_offline(&self) {
        self.laptop.ip(&["link", "set", LAPTOP_DEV, "down"]);
    }

    pub fn laptop_online(&self) {
        self.laptop.ip(&["link", "set", LAPTOP_DEV, "up"]);
    }

    /// An HTTP server in "net" at `addr`, answering `200 ok` to every request.
    pub fn serve_http(&self, addr: SocketAddr) -> Server {
        Server::start(&self.net, addr, "http")
    }

    /// A TCP listener in "net" at `addr` that accepts and closes: what a witness needs.
    pub fn serve_tcp(&self, addr: SocketAddr) -> Server {
        Server::start(&self.net, addr, "tcp")
    }

    /// `klaxon run` inside "laptop" against `home`; killed when the returned guard drops.
    pub fn run_klaxon(&self, home: &Home) -> Running {
        let log = home
            .dir
            .path()
            .join(format!("run-{}.log", std::process::id()));
        let child = self
            .laptop
            .command(klaxon_bin())
            .arg("run")
            .env("KLAXON_CONFIG", home.config())
            .env("KLAXON_DATA_DIR", home.data())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("starting `ip netns exec ... klaxon run`");
        let mut running = Running { child, log };
        let socket = home.data().join("klaxon.sock");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !socket.exists() {
            if let Ok(Some(exit)) = running.child.try_wait() {
                panic!(
                    "klaxon run in {} exited ({exit}) before opening its socket:\n{}",
                    self.laptop.name(),
                    running.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "klaxon run in {} did not open {} within 30 s:\n{}",
                self.laptop.name(),
                socket.display(),
                running.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        running
    }
}

/// Accepts connections on argv[1]:argv[2]; in "http" mode reads the request head and answers
/// `200 ok`, in "tcp" mode just closes. Prints "listening" once bound.
const SERVER_PY: &str = r#"
import socket, sys
host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, port))
s.listen(128)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    try:
        if mode == "http":
            c.settimeout(2)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = c.recv(4096)
                if not chunk:
                    break
                head += chunk
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    except OSError:
        pass
    finally:
        c.close()
"#;

/// A python3 server process inside a namespace; killed when dropped.
pub struct Server {
    pub addr: SocketAddr,
    child: Child,
}

impl Server {
    fn start(ns: &Netns, addr: SocketAddr, mode: &str) -> Server {
        let mut child = ns
            .command("python3")
            .args(["-u", "-c", SERVER_PY])
            .args([addr.ip().to_string(), addr.port().to_string(), mode.into()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting python3 in a namespace (is python3 installed?)");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut server = Server { addr, child };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if line.trim() == "listening" => server,
            other => {
                let _ = server.child.kill();
                let stderr = server
                    .child
                    .stderr
                    .take()
                    .map(|mut e| {
                        let mut s = String::new();
                        let _ = std::io::Read::read_to_string(&mut e, &mut s);
                        s
                    })
                    .unwrap_or_default();
                panic!(
                    "the {mode} server at {addr} in {} did not start ({other:?}): {stderr}",
                    ns.name()
                );
            }
        }
    }

    /// Kills the server: later connections to its address are refused.
    pub fn kill(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}
