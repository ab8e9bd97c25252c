//! Listening to the siren in a [`Recording`]: loudness per window, when sound is first heard, a
//! config that escalates quickly, and the logs to read when a siren test fails.

use std::path::PathBuf;
use std::time::Duration;

use super::pulse::Recording;
use super::*;

pub const WINDOW: Duration = Duration::from_millis(250);
/// Quieter than any sound the siren makes, louder than digital silence.
pub const AUDIBLE: f32 = 0.01;

/// An `[alarm]` that escalates within seconds, over a fast config watching `server`.
pub fn siren_config(server: &HttpServer) -> String {
    format!(
        "{}{}",
        fast_alarm(),
        fast_config(closed_port(), &http_monitor("API", &server.url()))
    )
}

/// Starts at 30 %, full after 6 s, harsh after 30 s.
pub fn fast_alarm() -> &'static str {
    "[alarm]\nstart_volume = 0.3\nfull_volume_after = \"6s\"\nharsh_after = \"30s\"\n\n"
}

/// Mean loudness between two recording times (seconds).
pub fn mean(rms: &[f32], from: f64, to: f64) -> f32 {
    let per_second = 1.0 / WINDOW.as_secs_f64();
    let (a, b) = (
        (from * per_second) as usize,
        ((to * per_second) as usize).min(rms.len()),
    );
    assert!(
        a < b,
        "no recording between {from:.2} s and {to:.2} s ({} windows)",
        rms.len()
    );
    rms[a..b].iter().sum::<f32>() / (b - a) as f32
}

/// The first recording time at or after `from` where sound is heard.
pub fn first_sound(rec: &Recording, from: f64) -> Option<f64> {
    let rms = rec.loudness(WINDOW);
    let start = (from / WINDOW.as_secs_f64()) as usize;
    rms.iter()
        .enumerate()
        .skip(start)
        .find(|(_, r)| **r > AUDIBLE)
        .map(|(i, _)| i as f64 * WINDOW.as_secs_f64())
}

/// When the engine opened the first incident, by its own clock (`opened_at`), as a position in
/// `rec`: the moment the siren was told to ring, however late the test's polling noticed.
pub fn opened_in(rec: &Recording, status: &serde_json::Value) -> f64 {
    let text = status["incidents"][0]["opened_at"]
        .as_str()
        .unwrap_or_else(|| panic!("no opened_at in {status}"));
    let at: jiff::Timestamp = text
        .parse()
        .unwrap_or_else(|e| panic!("opened_at {text:?}: {e}"));
    rec.position_of(std::time::SystemTime::from(at))
}

pub fn ringing(home: &Home) -> serde_json::Value {
    home.wait_status("a ringing incident", |s| {
        s["incidents"][0]["state"] == "ringing"
    })
}

/// Prints the given logs if the test fails while this guard is alive: what the engine and the
/// sound server said is usually the explanation.
pub struct LogsOnFailure(pub Vec<PathBuf>);

impl Drop for LogsOnFailure {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        for path in &self.0 {
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| format!("({e})"));
            eprintln!("----- {} -----\n{text}", path.display());
        }
    }
}
