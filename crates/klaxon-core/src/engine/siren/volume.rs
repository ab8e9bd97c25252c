//! The system's output volume: unmuted and at full while the siren rings, then put back as the
//! user had it. A muted laptop must not mean a silent alarm.
//!
//! Linux: PulseAudio or PipeWire through `pactl`, the ALSA mixer through `amixer` where no sound
//! server runs. macOS: `osascript`. The tools are the platforms' own, so nothing is linked;
//! where none works, the siren still plays at whatever level the system is at.

use std::path::PathBuf;
use std::process::Command;

/// The user's level, to put back afterwards.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Saved {
    /// The sink's name, its per-channel volumes (raw), and whether it was muted.
    Pulse {
        sink: String,
        volumes: Vec<String>,
        muted: bool,
    },
    Alsa {
        percent: String,
        muted: bool,
    },
    MacOs {
        volume: String,
        muted: bool,
    },
}

#[derive(Debug, Default)]
pub struct SystemVolume {
    saved: Option<Saved>,
    /// Where the saved level is also written, so that after a crash mid-ring the next run
    /// restores the user's level rather than the raised one it finds.
    memory: Option<PathBuf>,
}

impl SystemVolume {
    pub fn remembered_in(memory: Option<PathBuf>) -> SystemVolume {
        SystemVolume {
            saved: None,
            memory,
        }
    }

    /// Unmutes and raises the output to full. The first call of a ringing saves the level.
    pub fn raise(&mut self) -> Result<(), String> {
        if self.saved.is_none() {
            let remembered = self
                .memory
                .as_ref()
                .and_then(|p| std::fs::read(p).ok())
                .and_then(|b| serde_json::from_slice(&b).ok());
            let saved = match remembered {
                Some(saved) => saved,
                None => save()?,
            };
            if let Some(path) = &self.memory
                && let Ok(json) = serde_json::to_vec(&saved)
                && let Err(e) = crate::data_dir::write_private(path, &json)
            {
                tracing::warn!(
                    "cannot remember the system volume in {}: {e}",
                    path.display()
                );
            }
            self.saved = Some(saved);
        }
        match &self.saved {
            Some(Saved::Pulse { sink, .. }) => {
                run("pactl", &["set-sink-mute", sink, "0"])?;
                run("pactl", &["set-sink-volume", sink, "100%"]).map(drop)
            }
            Some(Saved::Alsa { .. }) => {
                run("amixer", &["-q", "set", "Master", "100%", "unmute"]).map(drop)
            }
            Some(Saved::MacOs { .. }) => {
                osascript("set volume output volume 100 without output muted").map(drop)
            }
            None => Ok(()),
        }
    }

    /// Puts back the level saved by the first [`SystemVolume::raise`]. Does nothing if nothing
    /// was raised.
    pub fn restore(&mut self) -> Result<(), String> {
        let Some(saved) = self.saved.take() else {
            return Ok(());
        };
        match saved {
            Saved::Pulse {
                sink,
                volumes,
                muted,
            } => {
                let mut args = vec!["set-sink-volume", sink.as_str()];
                args.extend(volumes.iter().map(String::as_str));
                run("pactl", &args)?;
                run(
                    "pactl",
                    &["set-sink-mute", &sink, if muted { "1" } else { "0" }],
                )
                .map(drop)
            }
            Saved::Alsa { percent, muted } => run(
                "amixer",
                &[
                    "-q",
                    "set",
                    "Master",
                    &percent,
                    if muted { "mute" } else { "unmute" },
                ],
            )
            .map(drop),
            Saved::MacOs { volume, muted } => osascript(&format!(
                "set volume output volume {volume} {} output muted",
                if muted { "with" } else { "without" }
            ))
            .map(drop),
        }
    }

    pub fn is_raised(&self) -> bool {
        self.saved.is_some()
    }
}

fn save() -> Result<Saved, String> {
    if cfg!(target_os = "macos") {
        let volume = osascript("output volume of (get volume settings)")?;
        let muted = osascript("output muted of (get volume settings)")? == "true";
        return Ok(Saved::MacOs { volume, muted });
    }
    if cfg!(not(unix)) {
        return Err("raising the system volume is not supported on this system yet".into());
    }
    match save_pulse() {
        Ok(saved) => Ok(saved),
        Err(pulse) => {
            save_alsa().map_err(|alsa| format!("cannot reach the system volume ({pulse}; {alsa})"))
        }
    }
}

fn save_pulse() -> Result<Saved, String> {
    let sink = run("pactl", &["get-default-sink"])?;
    let volume = run("pactl", &["get-sink-volume", &sink])?;
    let mute = run("pactl", &["get-sink-mute", &sink])?;
    let volumes = parse_pulse_volumes(&volume)
        .ok_or_else(|| format!("pactl gave an unreadable volume: {volume:?}"))?;
    Ok(Saved::Pulse {
        sink,
        volumes,
        muted: mute.contains("yes"),
    })
}

/// `Volume: front-left: 19661 /  30% / -31.37 dB,   front-right: 19661 /  30% / -31.37 dB`
/// gives `["19661", "19661"]`.
fn parse_pulse_volumes(text: &str) -> Option<Vec<String>> {
    let first_line = text.lines().next()?;
    let volumes: Vec<String> = first_line
        .split(',')
        .filter_map(|channel| channel.split('/').next()?.split_whitespace().last())
        .filter(|raw| raw.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect();
    (!volumes.is_empty()).then_some(volumes)
}

fn save_alsa() -> Result<Saved, String> {
    let text = run("amixer", &["get", "Master"])?;
    let percent = text
        .split('[')
        .find_map(|part| part.split(']').next().filter(|v| v.ends_with('%')))
        .ok_or("amixer shows no Master volume")?
        .to_string();
    Ok(Saved::Alsa {
        percent,
        muted: text.contains("[off]"),
    })
}

fn osascript(script: &str) -> Result<String, String> {
    run("osascript", &["-e", script])
}

/// Runs a tool and returns its trimmed output, or a sentence saying what failed.
fn run(tool: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(tool)
        .args(args)
        .output()
        .map_err(|e| format!("{tool}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("{tool} {}: {}", args.join(" "), err.trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulse_volumes_are_read_per_channel() {
        let text = "Volume: front-left: 19661 /  30% / -31.37 dB,   front-right: 19662 /  30% / -31.37 dB\n        balance 0.00";
        assert_eq!(
            parse_pulse_volumes(text),
            Some(vec!["19661".into(), "19662".into()])
        );
        assert_eq!(
            parse_pulse_volumes("Volume: mono: 65536 / 100% / 0.00 dB"),
            Some(vec!["65536".into()])
        );
        assert_eq!(parse_pulse_volumes("nonsense"), None);
    }
}
