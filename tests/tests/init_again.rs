//! `klaxon init` on a config that already has things in it, as a founder who runs it twice (or
//! a script run again) would: a service already watched is recognised and the guide goes on, a
//! taken name gets a number, a password typed in the URL goes to the keyring and never into the
//! file or the transcript, a bad flag is refused before anything is written, and a disk that is
//! full leaves the old file as it was with no temp file behind.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::keyring::Keyring;
use support::ntfy::Ntfy;
use support::*;

const HAND_WRITTEN: &str = "# Mine, by hand.\n[judge]\nwitnesses = []   # loopback only\n";

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn init(home: &Home, args: &[&str]) -> std::process::Output {
    home.cmd()
        .args(["init", "--yes", "--skip-alarm"])
        .args(args)
        .env("XDG_RUNTIME_DIR", home.quiet_runtime())
        .output()
        .unwrap()
}

#[test]
fn init_run_again_on_the_same_service_says_it_is_watched_and_goes_on_to_the_phone() {
    let ntfy = Ntfy::start();
    let server = HttpServer::start();
    let home = Home::new(HAND_WRITTEN);
    let first = init(&home, &["--url", &server.url()]);
    assert!(first.status.success(), "{}", said(&first));
    let once = std::fs::read_to_string(home.config()).unwrap();

    let again = init(
        &home,
        &["--url", &server.url(), "--ntfy", "klaxon-again"]
            .into_iter()
            .chain(["--ntfy-server", &ntfy.url()])
            .collect::<Vec<_>>(),
    );
    let text = said(&again);
    assert!(again.status.success(), "{text}");
    assert!(
        text.contains(&format!("Already watched as {}", server.addr)),
        "{text}"
    );
    // The later steps ran: the phone was added, the verdict given.
    assert!(text.contains("3. Your phone"), "{text}");
    assert!(text.contains("4. Am I covered?"), "{text}");
    let twice = std::fs::read_to_string(home.config()).unwrap();
    assert_eq!(twice.matches("[[monitor]]").count(), 1, "{twice}");
    assert!(twice.starts_with(&once), "{twice}");
    assert!(twice.contains("topic = \"klaxon-again\""), "{twice}");
}

#[test]
fn another_service_under_a_taken_name_is_saved_under_a_numbered_name() {
    let server = HttpServer::start();
    let home = Home::new(HAND_WRITTEN);
    assert!(
        init(&home, &["--url", &server.url(), "--name", "api"])
            .status
            .success()
    );
    let other = format!("http://{}/other", server.addr);
    let out = init(&home, &["--url", &other, "--name", "api"]);
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("this one is api (2)"), "{text}");
    let written = std::fs::read_to_string(home.config()).unwrap();
    assert!(
        written.contains(&format!("name = \"api (2)\"\nurl = \"{other}\"")),
        "{written}"
    );
}

#[test]
fn a_password_in_the_url_goes_to_the_keyring_and_never_into_the_file_or_the_transcript() {
    let keyring = Keyring::start();
    let server = HttpServer::start();
    let home = Home::new(HAND_WRITTEN);
    let url = format!("http://user:hunter2@{}/health", server.addr);
    let out = home
        .cmd()
        .args([
            "init",
            "--yes",
            "--skip-alarm",
            "--url",
            &url,
            "--name",
            "withpw",
        ])
        .env("XDG_RUNTIME_DIR", home.quiet_runtime())
        .envs(keyring.env())
        .output()
        .unwrap();
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("keyring as withpw-password"), "{text}");
    let written = std::fs::read_to_string(home.config()).unwrap();
    assert!(!written.contains("hunter2"), "{written}");
    assert!(
        written.contains(&format!(
            "url = \"http://user:{{secret:withpw-password}}@{}/health\"",
            server.addr
        )),
        "{written}"
    );
    let stored =
        keyring.secret_tool(&["lookup", "service", "klaxon", "username", "withpw-password"]);
    assert_eq!(String::from_utf8_lossy(&stored.stdout), "hunter2");
    // The monitor checks with it: `klaxon check` reads the keyring as the engine would.
    let check = home
        .cmd()
        .args(["check", "withpw"])
        .envs(keyring.env())
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", said(&check));
    assert!(!said(&check).contains("hunter2"), "{}", said(&check));
}

#[test]
fn a_bad_ntfy_flag_is_refused_before_anything_is_written_quoting_what_was_given() {
    let server = HttpServer::start();
    let home = Home::new(HAND_WRITTEN);
    let out = init(
        &home,
        &[
            "--url",
            &server.url(),
            "--ntfy",
            "t",
            "--ntfy-server",
            "ftp://x",
        ],
    );
    let text = said(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("\"ftp://x\""), "{text}");
    assert!(!text.contains("1. Your first service"), "{text}");
    assert_eq!(
        std::fs::read_to_string(home.config()).unwrap(),
        HAND_WRITTEN
    );
    // Also when no config exists yet: not even the starter is written.
    std::fs::remove_file(home.config()).unwrap();
    let out = init(
        &home,
        &["--url", &server.url(), "--ntfy", "no spaces please"],
    );
    assert!(!out.status.success(), "{}", said(&out));
    assert!(!home.config().exists());
}

/// A 64 KiB tmpfs, unmounted when dropped (even when the test fails).
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(at)
            .status()
            .unwrap();
        assert!(ok.success(), "mounting a tmpfs needs root");
        Tmpfs(at.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn on_a_full_disk_init_fails_saying_so_and_leaves_the_config_and_no_temp_file() {
    use std::io::Write;
    let server = HttpServer::start();
    let home = Home::new("");
    let disk = Tmpfs::mount(&home.dir.path().join("disk"));
    let config = disk.0.join("klaxon.toml");
    std::fs::write(&config, HAND_WRITTEN).unwrap();
    // Fill the rest of the disk.
    let mut filler = std::fs::File::create(disk.0.join("filler")).unwrap();
    while filler.write_all(&[0u8; 1024]).is_ok() {}
    drop(filler);

    let out = home
        .cmd()
        .args(["init", "--yes", "--skip-alarm", "--url", &server.url()])
        .env("KLAXON_CONFIG", &config)
        .env("XDG_RUNTIME_DIR", home.quiet_runtime())
        .output()
        .unwrap();
    let text = said(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("klaxon.toml"), "{text}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), HAND_WRITTEN);
    let mut left: Vec<String> = std::fs::read_dir(&disk.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["filler", "klaxon.toml"]);
}
