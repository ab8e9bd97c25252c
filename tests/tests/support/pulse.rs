//! A private PulseAudio server with a null sink, recorded in real time from its monitor: the
//! real audio path (rodio → cpal → ALSA's pulse plugin → PulseAudio) with no sound card. See
//! tests/README.md. The server and the recorder are children of the test and are killed
//! when their handles drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::wait_for;

pub const SINK: &str = "klaxon_test";
pub const RATE: usize = 48_000;

pub struct Pulse {
    pub runtime: tempfile::TempDir,
    server: Option<Child>,
    /// Last, so it is let go once the server is gone.
    _turn: super::serial::Turn,
}

impl Pulse {
    pub fn start() -> Pulse {
        let turn = super::serial::desktop_turn();
        let runtime = tempfile::tempdir().unwrap();
        std::fs::set_permissions(
            runtime.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let mut pulse = Pulse {
            runtime,
            server: None,
            _turn: turn,
        };
        pulse.start_server();
        pulse
    }

    /// (Re)starts the server on the same runtime dir: clients find it where they left it.
    pub fn start_server(&mut self) {
        let log = self.runtime.path().join("pulse.log");
        let server = Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "--use-pid-file=no",
            ])
            .arg("--load=module-native-protocol-unix auth-anonymous=1")
            .arg(format!("--load=module-null-sink sink_name={SINK}"))
            .env("XDG_RUNTIME_DIR", self.runtime.path())
            .env("HOME", self.runtime.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .expect("pulseaudio must be installed (make test installs it)");
        self.server = Some(server);
        wait_for(Duration::from_secs(20), || self.pactl(&["info"]).ok());
        self.pactl(&["set-default-sink", SINK]).unwrap();
    }

    /// Kills the server outright, as a crashed sound server or a vanished device would.
    pub fn kill_server(&mut self) {
        if let Some(mut s) = self.server.take() {
            let _ = s.kill();
            let _ = s.wait();
        }
    }

    /// The environment a client needs to find this server.
    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        vec![("XDG_RUNTIME_DIR", self.runtime.path().to_path_buf())]
    }

    pub fn pactl(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("pactl")
            .args(args)
            .env("XDG_RUNTIME_DIR", self.runtime.path())
            .env("HOME", self.runtime.path())
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).to_string())
        }
    }

    /// Sets the sink as a user would have left it.
    pub fn set_level(&self, percent: u32, muted: bool) {
        self.pactl(&["set-sink-volume", SINK, &format!("{percent}%")])
            .unwrap();
        self.pactl(&["set-sink-mute", SINK, if muted { "1" } else { "0" }])
            .unwrap();
    }

    /// (volume percent of the first channel, muted)
    pub fn sink_level(&self) -> (u32, bool) {
        let volume = self.pactl(&["get-sink-volume", SINK]).unwrap();
        let percent = volume
            .split('/')
            .nth(1)
            .unwrap()
            .trim()
            .trim_end_matches('%')
            .parse()
            .unwrap();
        let muted = self
            .pactl(&["get-sink-mute", SINK])
            .unwrap()
            .contains("yes");
        (percent, muted)
    }

    pub fn record(&self, name: &str) -> Recording {
        let path = self.runtime.path().join(name);
        let child = Command::new("parec")
            .args([
                "-d",
                &format!("{SINK}.monitor"),
                "--latency-msec=20",
                "--format=s16le",
                "--rate=48000",
                "--channels=2",
                "--raw",
            ])
            .env("XDG_RUNTIME_DIR", self.runtime.path())
            .env("HOME", self.runtime.path())
            .stdout(std::fs::File::create(&path).unwrap())
            // Its complaints ("Connection terminated" when the server is killed) go to a log
            // beside the recording, not into the test's output.
            .stderr(std::fs::File::create(path.with_extension("log")).unwrap())
            .spawn()
            .unwrap();
        let rec = Recording {
            child: Some(child),
            path,
        };
        // parec takes a moment to start delivering; a test's timeline starts once it does.
        wait_for(Duration::from_secs(20), || (rec.now() > 0.1).then_some(()));
        rec
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        self.kill_server();
    }
}

/// Raw s16le stereo at 48 kHz, from `parec --raw` with a short latency, so the file grows with
/// the wall clock and its length is the recording's "now".
pub struct Recording {
    child: Option<Child>,
    pub path: PathBuf,
}

impl Recording {
    /// The loudness so far: RMS (0–1) of each `window` of the left channel.
    pub fn loudness(&self, window: Duration) -> Vec<f32> {
        loudness(&self.path, window)
    }

    /// The recording's current position in seconds: where what plays now will land.
    pub fn now(&self) -> f64 {
        let bytes = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        bytes as f64 / (RATE * 4) as f64
    }

    /// Where a moment on the wall clock (an engine's timestamp, say) lands in the recording:
    /// the recording's position now, less the time since that moment. It does not depend on
    /// when a test happened to look, so a busy machine cannot shift it.
    pub fn position_of(&self, moment: std::time::SystemTime) -> f64 {
        let (position, now) = (self.now(), std::time::SystemTime::now());
        let ago = match now.duration_since(moment) {
            Ok(ago) => ago.as_secs_f64(),
            Err(ahead) => -ahead.duration().as_secs_f64(),
        };
        position - ago
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn loudness(path: &Path, window: Duration) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap_or_default();
    let per = ((window.as_secs_f64() * RATE as f64) as usize).max(1);
    let left: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|f| i16::from_le_bytes([f[0], f[1]]) as f32 / 32768.0)
        .collect();
    left.chunks(per)
        .filter(|c| c.len() == per)
        .map(|c| (c.iter().map(|s| s * s).sum::<f32>() / c.len() as f32).sqrt())
        .collect()
}

/// A machine that cannot make a sound, even where the test runs on one that can: a runtime
/// dir where no sound server listens, PulseAudio's autospawn switched off (so the test starts
/// none and leaves none behind), and ALSA's default set to a card that does not exist (so real
/// speakers are not used either). Pass [`NoSound::env`] to the program under test.
pub struct NoSound {
    runtime: tempfile::TempDir,
}

impl NoSound {
    pub fn new() -> NoSound {
        let runtime = tempfile::tempdir().unwrap();
        std::fs::set_permissions(
            runtime.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        std::fs::write(runtime.path().join("client.conf"), "autospawn = no\n").unwrap();
        std::fs::write(
            runtime.path().join("asound.conf"),
            "pcm.!default {\n  type hw\n  card 99\n}\n",
        )
        .unwrap();
        NoSound { runtime }
    }

    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        let dir = self.runtime.path();
        vec![
            ("XDG_RUNTIME_DIR", dir.to_path_buf()),
            ("PULSE_CLIENTCONFIG", dir.join("client.conf")),
            ("ALSA_CONFIG_PATH", dir.join("asound.conf")),
        ]
    }
}
