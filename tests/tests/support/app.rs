//! The real tray app under a virtual display, driven over WebDriver: Xvfb on a free display
//! number, tauri-driver in front of WebKitWebDriver (see tests/README.md), and the
//! `klaxon-app` binary they launch. Every process is a child of the test, in its own process
//! group, and is killed with its group when its guard drops.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::wait_for;

/// The `klaxon-app` binary, built by `cargo build -p klaxon-app` (the Makefile does it first).
pub fn app_bin() -> PathBuf {
    let path = super::klaxon_bin().with_file_name("klaxon-app");
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p klaxon-app` first (make test does)",
        path.display()
    );
    path
}

/// A child in its own process group: dropping it kills the whole group (tauri-driver's
/// WebKitWebDriver and the app it launched included).
pub struct Group(Child);

impl Group {
    pub fn spawn(cmd: &mut Command) -> Group {
        use std::os::unix::process::CommandExt;
        Group(
            cmd.process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program())),
        )
    }
}

impl Group {
    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// Whether the process has ended (and is reaped).
    pub fn exited(&mut self) -> bool {
        matches!(self.0.try_wait(), Ok(Some(_)))
    }

    /// The exit status once the process has ended.
    pub fn ended(&mut self) -> Option<std::process::ExitStatus> {
        self.0.try_wait().ok().flatten()
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let Ok(group) = libc::pid_t::try_from(self.0.id()) else {
            return;
        };
        // Never 0 or 1: those would mean "my own group" and "every process".
        if group > 1 {
            // SAFETY: killpg has no memory effects; the group is the child's own.
            unsafe { libc::killpg(group, libc::SIGKILL) };
        }
        let _ = self.0.wait();
    }
}

/// Xvfb on the first free display from :90.
pub struct Display {
    pub name: String,
    server: Group,
    /// Last, so it is let go once Xvfb is gone.
    _turn: super::serial::Turn,
}

impl Drop for Display {
    /// SIGTERM first, so Xvfb removes its lock and socket (a SIGKILL leaves them, and after a
    /// hundred runs no display number is free); the group's own drop then kills what is left.
    fn drop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.server.id()) {
            // SAFETY: kill has no memory effects; the pid is our own child's.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let deadline = std::time::Instant::now() + Duration::from_secs(3);
            while !self.server.exited() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// A display whose lock names a process that no longer exists: left by a killed Xvfb, and
/// Xvfb itself takes such a display over.
fn stale_lock(number: u32) -> bool {
    let Ok(text) = std::fs::read_to_string(format!("/tmp/.X{number}-lock")) else {
        return false;
    };
    text.trim()
        .parse::<u32>()
        .is_ok_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
}

impl Display {
    pub fn start() -> Display {
        let turn = super::serial::desktop_turn();
        // Tests of one binary run in parallel: a number handed out here is never handed out
        // again in this process, so two tests cannot both think an Xvfb is theirs.
        static TAKEN: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());
        let mut taken = TAKEN.lock().unwrap_or_else(|e| e.into_inner());
        let number = (90..200)
            .find(|n| {
                if taken.contains(n) {
                    return false;
                }
                let (socket, lock) = (format!("/tmp/.X11-unix/X{n}"), format!("/tmp/.X{n}-lock"));
                if stale_lock(*n) {
                    let _ = std::fs::remove_file(&socket);
                    let _ = std::fs::remove_file(&lock);
                }
                !Path::new(&socket).exists() && !Path::new(&lock).exists()
            })
            .expect("no free X display number");
        taken.push(number);
        drop(taken);
        let name = format!(":{number}");
        let server = Group::spawn(
            Command::new("Xvfb")
                .args([&name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        wait_for(Duration::from_secs(20), || {
            Path::new(&format!("/tmp/.X11-unix/X{number}"))
                .exists()
                .then_some(())
        });
        Display {
            name,
            server,
            _turn: turn,
        }
    }

    /// X window ids whose title is exactly `title`.
    pub fn windows(&self, title: &str) -> Vec<String> {
        let out = Command::new("xdotool")
            .args(["search", "--name", &format!("^{title}$")])
            .env("DISPLAY", &self.name)
            .output()
            .expect("xdotool must be installed (make test installs it)");
        // No match is exit 1 and nothing said; a display it cannot reach is exit 1 with a
        // complaint, which must not read as "no windows".
        let complaint = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() || complaint.trim().is_empty(),
            "xdotool could not look for windows on {}: {complaint}",
            self.name
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Looks for a window titled `title` again and again for `long`: one that opens a little
    /// late is caught too.
    pub fn assert_no_window_for(&self, title: &str, long: Duration) {
        let until = std::time::Instant::now() + long;
        loop {
            let found = self.windows(title);
            assert!(found.is_empty(), "a {title:?} window is open: {found:?}");
            if std::time::Instant::now() >= until {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Asks a window to close as a window manager's close button does (WM_DELETE_WINDOW).
    pub fn close(&self, window: &str) {
        let script = super::crate_dir().join("tests/support/close_window.py");
        let status = Command::new("python3")
            .arg(script)
            .arg(window)
            .env("DISPLAY", &self.name)
            .status()
            .unwrap();
        assert!(status.success(), "could not ask window {window} to close");
    }
}

impl Display {
    /// What the clipboard holds now, as another app would paste it.
    pub fn clipboard(&self) -> String {
        let out = Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .env("DISPLAY", &self.name)
            .output()
            .expect("xclip must be installed (make test installs it)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Saves a window's picture as PNG (ImageMagick's `import`).
    pub fn screenshot(&self, window: &str, path: &Path) {
        let status = Command::new("/usr/bin/import")
            .args(["-window", window, &path.display().to_string()])
            .env("DISPLAY", &self.name)
            .status()
            .expect("ImageMagick's import must be installed (make test installs it)");
        assert!(status.success(), "no screenshot of window {window}");
        let png = std::fs::read(path).unwrap();
        assert!(
            png.starts_with(b"\x89PNG"),
            "{} is not a PNG",
            path.display()
        );
    }
}

/// tauri-driver on free loopback ports, with the environment the app it launches will have.
pub struct Driver {
    pub url: String,
    /// The data dir of the app it launches (`KLAXON_DATA_DIR` in its environment).
    data_dir: Option<PathBuf>,
    _driver: Group,
}

impl Driver {
    pub fn start(env: &[(&'static str, PathBuf)]) -> Driver {
        let port = free_port();
        let native_port = free_port();
        let driver = Group::spawn(
            Command::new(tauri_driver())
                .args(["--port", &port.to_string()])
                .args(["--native-port", &native_port.to_string()])
                .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
                .env_remove("XDG_CONFIG_HOME")
                .envs(env.iter().map(|(k, v)| (k, v)))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        wait_for(Duration::from_secs(20), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        });
        Driver {
            url: format!("http://127.0.0.1:{port}"),
            data_dir: env
                .iter()
                .find(|(k, _)| *k == "KLAXON_DATA_DIR")
                .map(|(_, v)| v.clone()),
            _driver: driver,
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `tauri-driver` from PATH or cargo's bin dir (`make test` installs it there).
fn tauri_driver() -> PathBuf {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|d| d.join("bin/tauri-driver"));
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join("tauri-driver"))
        .chain(cargo_bin)
        .find(|p| p.exists())
        .expect("tauri-driver is missing: `cargo install tauri-driver --locked` (make test does)")
}

/// Where the screenshots of each view go: `target/e2e/` in the repository.
pub fn screenshot_dir() -> PathBuf {
    let dir = super::crate_dir().join("../target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The tray app as a founder's login starts it (`--background`: the engine and the tray, no
/// window), in its own group with `env`; returns once its engine answers on the control socket.
/// The window is a process of its own (`klaxon-app --window`), which [`open_window`] starts
/// under WebDriver.
pub fn start_tray(env: &[(&'static str, PathBuf)]) -> Group {
    let mut tray = Group::spawn(
        Command::new(app_bin())
            .arg("--background")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null()),
    );
    wait_for(Duration::from_secs(30), || {
        assert!(!tray.exited(), "the tray app ended while starting");
        Command::new(super::klaxon_bin())
            .args(["status", "--json"])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .ok()
            .filter(|o| o.status.success())
    });
    tray
}

/// A WebDriver session on a new window process (`klaxon-app --window`), which speaks to the
/// engine of the tray app already running with the driver's environment.
pub async fn open_window(driver: &Driver) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app_bin(), "args": ["--window"] }),
    );
    // On a busy 2-core machine WebKitWebDriver sometimes gives up on a session while the
    // window's process is still starting. That is the driver's limit, not the app's: the
    // half-started window is ended (its single-instance guard would turn the next one away)
    // and the session asked for again, at most three times.
    let mut attempt = 1;
    loop {
        match fantoccini::ClientBuilder::new(
            hyper_util::client::legacy::connect::HttpConnector::new(),
        )
        .capabilities(caps.clone())
        .connect(&driver.url)
        .await
        {
            Ok(client) => return client,
            Err(e) if attempt < 3 => {
                eprintln!("WebDriver session {attempt} on the window failed ({e}); again");
                if let Some(data) = &driver.data_dir {
                    for pid in window_processes(data) {
                        if let Ok(pid) = libc::pid_t::try_from(pid) {
                            // SAFETY: kill(2) on a pid this test's own app started.
                            unsafe { libc::kill(pid, libc::SIGKILL) };
                        }
                    }
                    wait_for(Duration::from_secs(20), || {
                        window_processes(data).is_empty().then_some(())
                    });
                }
                attempt += 1;
            }
            Err(e) => panic!("no WebDriver session on the window after {attempt} tries: {e}"),
        }
    }
}

/// The pids of the window processes (`klaxon-app --window`) running with this data dir.
pub fn window_processes(data_dir: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let zombie = stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
            let mine = format!("KLAXON_DATA_DIR={}", data_dir.display());
            !zombie
                && cmdline.split(|b| *b == 0).any(|a| a == b"--window")
                && environ.split(|b| *b == 0).any(|v| v == mine.as_bytes())
        })
        .collect()
}
