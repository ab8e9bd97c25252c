//! The `.deb` as a user gets it: installed on this machine with apt, used, and removed again.
//!
//! `make test` bundles the package from the debug binaries it has just built (`cargo tauri
//! bundle --debug`, see the Makefile), so this tests the same config `make package` ships from,
//! with the binaries the other tests test. The package is installed system-wide (the test runs as
//! root) and purged by a guard, also when an assertion fails. A missing `.deb` fails the test:
//! skipping would let a broken bundle step pass unnoticed.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use support::*;

/// Every hicolor size the package installs the app's icon at (`bundle.icon` in tauri.conf.json).
const ICON_SIZES: [&str; 7] = [
    "16x16", "32x32", "48x48", "64x64", "128x128", "256x256", "512x512",
];

#[test]
fn the_deb_installs_works_and_purges_to_nothing_but_the_users_files() {
    let deb = bundled_deb();
    let package = field(&deb, "Package");
    assert_eq!(package, "klaxon", "the package's name");
    let depends = field(&deb, "Depends");
    // The tray's library is loaded with dlopen, so no NEEDED entry below names it.
    assert!(
        depends.contains("libayatana-appindicator3-1"),
        "Depends: {depends}"
    );

    let installed = Installed::install(&deb, &package);
    let files = installed.files();
    for path in [
        "/usr/bin/klaxon",
        "/usr/bin/klaxon-app",
        "/usr/bin/klaxon-tray",
    ] {
        assert!(
            files.contains(&PathBuf::from(path)),
            "{path} not in {files:?}"
        );
    }

    // Both commands on the PATH, and they are the package's.
    let klaxon = on_path("klaxon");
    assert_eq!(klaxon, Path::new("/usr/bin/klaxon"));
    assert_eq!(on_path("klaxon-app"), Path::new("/usr/bin/klaxon-app"));

    // Every library the binaries load is there, and comes from a package Depends names.
    for binary in [
        "/usr/bin/klaxon",
        "/usr/bin/klaxon-app",
        "/usr/bin/klaxon-tray",
    ] {
        let ldd = run(Command::new("ldd").arg(binary));
        assert!(
            !ldd.contains("not found"),
            "{binary} misses a library:\n{ldd}"
        );
        for package in library_packages(binary) {
            assert!(
                depends
                    .split(',')
                    .any(|d| alternative_names(d).contains(&package)),
                "{binary} links a library of {package}, which Depends does not name: {depends}"
            );
        }
    }

    // The tray process, which runs for days, loads no webview: WebKit is the window's alone.
    let tray_libraries = run(Command::new("ldd").arg("/usr/bin/klaxon-tray"));
    assert!(
        !tray_libraries.contains("webkit") && !tray_libraries.contains("javascriptcore"),
        "klaxon-tray links WebKit:\n{tray_libraries}"
    );

    // The desktop entry is valid and names the icon installed at every size.
    let desktop = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "desktop"))
        .unwrap_or_else(|| panic!("no desktop entry in {files:?}"));
    let validate = Command::new("desktop-file-validate")
        .arg(desktop)
        .output()
        .expect("desktop-file-validate (desktop-file-utils) is missing: `make deps` installs it");
    assert!(
        validate.status.success() && validate.stdout.is_empty(),
        "desktop-file-validate {}:\n{}{}",
        desktop.display(),
        String::from_utf8_lossy(&validate.stdout),
        String::from_utf8_lossy(&validate.stderr)
    );
    let entry = std::fs::read_to_string(desktop).unwrap();
    assert!(entry.contains("\nExec=klaxon-app\n"), "{entry}");
    assert!(entry.contains("\nIcon=klaxon-app\n"), "{entry}");
    for size in ICON_SIZES {
        let icon = PathBuf::from(format!(
            "/usr/share/icons/hicolor/{size}/apps/klaxon-app.png"
        ));
        assert!(files.contains(&icon), "no {} in {files:?}", icon.display());
        let side: u32 = size.split('x').next().unwrap().parse().unwrap();
        assert_eq!(png_size(&icon), (side, side), "{}", icon.display());
    }
    assert!(files.contains(&PathBuf::from("/usr/share/doc/klaxon/copyright")));

    // The installed CLI, run as a user would, in a home of its own.
    let user = User::new();
    let version = user.klaxon(&["--version"]);
    assert!(version.status.success(), "{version:?}");
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("klaxon {}", env!("CARGO_PKG_VERSION"))
    );
    let server = HttpServer::start();
    let check = user.klaxon(&["check", &server.url()]);
    assert_eq!(check.status.code(), Some(0), "{check:?}");
    assert!(
        String::from_utf8_lossy(&check.stdout).starts_with("up: HTTP 200 OK"),
        "{check:?}"
    );
    let down = user.klaxon(&["check", &format!("http://{}/", closed_port())]);
    assert_eq!(down.status.code(), Some(1), "{down:?}");
    // A monitor of a config named by KLAXON_CONFIG, by its name.
    let home = Home::new(&http_monitor("API", &server.url()));
    let by_name = user.klaxon_with(&home, &["check", "API"]);
    assert_eq!(by_name.status.code(), Some(0), "{by_name:?}");
    assert!(
        String::from_utf8_lossy(&by_name.stdout).contains(&server.addr.to_string()),
        "{by_name:?}"
    );

    // The user's own config and data: written by the installed engine's first run.
    user.first_run();
    let before = user.files();
    assert!(
        before.keys().any(|p| p.ends_with("klaxon.toml")),
        "no config written: {:?}",
        before.keys()
    );
    assert!(
        before
            .keys()
            .any(|p| p.starts_with(user.home().join(".local/share/klaxon"))),
        "no data written: {:?}",
        before.keys()
    );

    installed.purge();
    for path in &files {
        assert!(!path.exists(), "{} is left after the purge", path.display());
    }
    assert!(
        !Command::new("dpkg-query")
            .args(["-W", "-f=${Status}", &package])
            .output()
            .unwrap()
            .stdout
            .starts_with(b"install ok"),
        "{package} still installed after the purge"
    );
    assert_eq!(user.files(), before, "the purge touched the user's files");
}

/// The `.deb` `make test` bundled beside the debug binaries (`<target>/debug/bundle/deb`).
fn bundled_deb() -> PathBuf {
    let dir = klaxon_bin()
        .parent()
        .expect("the binary's directory")
        .join("bundle/deb");
    let mut debs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    debs.retain(|p| p.extension().is_some_and(|e| e == "deb"));
    debs.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    debs.pop().unwrap_or_else(|| {
        panic!(
            "no .deb in {}: `make test` bundles it after building the binaries \
             (cargo tauri bundle --debug --bundles deb, run from src-tauri)",
            dir.display()
        )
    })
}

/// One field of the package's control file.
fn field(deb: &Path, name: &str) -> String {
    run(Command::new("dpkg-deb").arg("--field").arg(deb).arg(name))
        .trim()
        .to_string()
}

/// The package names one Depends entry accepts ("a (>= 1) | b" accepts a and b).
fn alternative_names(depend: &str) -> Vec<String> {
    depend
        .split('|')
        .filter_map(|alt| alt.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// The packages that own the shared libraries `binary` links (its ELF NEEDED entries).
fn library_packages(binary: &str) -> Vec<String> {
    let dynamic = run(Command::new("readelf").args(["-d", binary]));
    let cache = run(Command::new("ldconfig").arg("-p"));
    let mut packages = Vec::new();
    for line in dynamic.lines().filter(|l| l.contains("(NEEDED)")) {
        let soname = line.rsplit('[').next().unwrap().trim_end_matches(']');
        let path = cache
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{soname} ")))
            .and_then(|l| l.rsplit("=> ").next())
            .unwrap_or_else(|| panic!("{soname} (needed by {binary}) is not in ldconfig's cache"));
        let real = std::fs::canonicalize(path).unwrap();
        // Merged /usr: dpkg knows some libraries by their /lib path, others by /usr/lib.
        let owner = [
            PathBuf::from(path),
            real.clone(),
            Path::new("/usr").join(real.strip_prefix("/").unwrap()),
        ]
        .iter()
        .find_map(|p| {
            let out = Command::new("dpkg").arg("-S").arg(p).output().ok()?;
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            out.status
                .success()
                .then(|| text.split(':').next().unwrap().to_string())
        })
        .unwrap_or_else(|| panic!("no package owns {soname} ({path})"));
        packages.push(owner);
    }
    packages
}

/// The installed package; purged when dropped, so a failed assertion leaves nothing installed.
struct Installed {
    package: String,
    purged: bool,
}

impl Installed {
    fn install(deb: &Path, package: &str) -> Installed {
        // A package left by an interrupted run would make apt skip this one as installed.
        apt(&["purge", "-y", package]);
        let installed = Installed {
            package: package.to_string(),
            purged: false,
        };
        // apt needs a path with a slash to read a file rather than look up a name.
        let out = apt(&["install", "-y", &deb.display().to_string()]);
        assert!(
            out.status.success(),
            "apt-get install failed: {}",
            text(&out)
        );
        installed
    }

    /// Every file (not directory) the package installed, as `dpkg -L` lists them.
    fn files(&self) -> Vec<PathBuf> {
        run(Command::new("dpkg").args(["-L", &self.package]))
            .lines()
            .map(PathBuf::from)
            .filter(|p| p.is_file() || p.is_symlink())
            .collect()
    }

    fn purge(mut self) {
        let out = apt(&["purge", "-y", &self.package]);
        assert!(out.status.success(), "apt-get purge failed: {}", text(&out));
        self.purged = true;
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        if !self.purged {
            apt(&["purge", "-y", &self.package]);
        }
    }
}

/// apt-get, non-interactive, waiting for a lock another apt or dpkg holds instead of failing.
fn apt(args: &[&str]) -> Output {
    Command::new("apt-get")
        .args(["-o", "DPkg::Lock::Timeout=300", "-q"])
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .output()
        .expect("apt-get is missing: this test needs Debian or Ubuntu, as root")
}

/// A user of the installed package: a home of their own, the standard places in it.
struct User {
    dir: tempfile::TempDir,
}

impl User {
    fn new() -> User {
        User {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The installed `klaxon` found on the PATH, with HOME in the temp dir and nothing else of
    /// the test's own environment that would point it elsewhere.
    fn command(&self, args: &[&str]) -> Command {
        let runtime = self.dir.path().join("runtime");
        std::fs::create_dir_all(self.home()).unwrap();
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let mut cmd = Command::new("klaxon");
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            // No sound server here: the siren cannot reach the developer's speakers.
            .env("XDG_RUNTIME_DIR", runtime)
            .stdin(Stdio::null());
        cmd
    }

    /// The installed `klaxon ARGS`, to its end (30 s at most).
    fn klaxon(&self, args: &[&str]) -> Output {
        assert_cmd::Command::from_std(self.command(args))
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap()
    }

    /// The installed `klaxon ARGS` on the config and data dir of `home`, via the environment.
    fn klaxon_with(&self, home: &Home, args: &[&str]) -> Output {
        let mut cmd = self.command(args);
        cmd.env("KLAXON_CONFIG", home.config())
            .env("KLAXON_DATA_DIR", home.data());
        assert_cmd::Command::from_std(cmd)
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap()
    }

    /// `klaxon run` until it answers on its socket, then stopped with SIGTERM: the starter
    /// config, the database and the log are written where a user's go.
    fn first_run(&self) {
        let log = std::fs::File::create(self.dir.path().join("run.log")).unwrap();
        let child = Child(
            self.command(&["run"])
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        let socket = self.home().join(".local/share/klaxon/klaxon.sock");
        wait_for(Duration::from_secs(30), || socket.exists().then_some(()));
        let status = self.klaxon(&["status", "--json"]);
        assert!(status.status.success(), "{status:?}");
        child.terminate(Duration::from_secs(20));
    }

    /// Every file under the home, with its contents.
    fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(dir: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, into);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    into.insert(path, bytes);
                }
            }
        }
        let mut files = BTreeMap::new();
        walk(&self.home(), &mut files);
        files
    }
}

/// A child process that is killed when dropped.
struct Child(std::process::Child);

impl Child {
    /// SIGTERM, as a service manager stops it, and the wait for it to exit.
    fn terminate(mut self, limit: Duration) {
        let pid = libc::pid_t::try_from(self.0.id()).unwrap();
        // SAFETY: kill(2) on our own child's pid, which we have not reaped yet.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        wait_for(limit, || self.0.try_wait().unwrap().map(|_| ()));
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where the PATH finds `name`.
fn on_path(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is not on the PATH ({})", path.to_string_lossy()))
}

/// A PNG's width and height, from its IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

/// A command's stdout, after asserting it succeeded.
fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
