//! The `[alarm]` table: how the siren sounds and escalates.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::Collector;
use crate::config::bounds;

/// How the siren rings.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmConfig {
    pub sound: SoundChoice,
    /// Loudness of the first second, as a fraction of full (0.05–1).
    pub start_volume: f32,
    /// When the siren reaches full loudness.
    pub full_volume_after: Duration,
    /// When it switches to the harsher pattern.
    pub harsh_after: Duration,
    /// Acknowledging in the window asks for a short code shown on screen.
    pub awake_check: bool,
    /// A service coming back silences an unacknowledged alarm (off: a person must answer).
    pub stop_on_recovery: bool,
    /// Unmute and raise the system output while ringing, and restore it afterwards.
    pub raise_system_volume: bool,
}

impl Default for AlarmConfig {
    fn default() -> Self {
        AlarmConfig {
            sound: SoundChoice::Klaxon,
            start_volume: 0.6,
            full_volume_after: Duration::from_secs(45),
            harsh_after: Duration::from_secs(120),
            awake_check: true,
            stop_on_recovery: false,
            raise_system_volume: true,
        }
    }
}

/// A built-in sound, or a file of the user's.
#[derive(Debug, Clone, PartialEq)]
pub enum SoundChoice {
    /// A pulsing horn.
    Klaxon,
    /// A tone that rises and falls.
    Siren,
    /// A wav, mp3, ogg or flac file; if it cannot be played the built-in klaxon plays instead.
    File(PathBuf),
}

#[derive(Deserialize, Default)]
pub(super) struct RawAlarm {
    sound: Option<String>,
    start_volume: Option<Spanned<f64>>,
    full_volume_after: Option<Spanned<String>>,
    harsh_after: Option<Spanned<String>>,
    awake_check: Option<bool>,
    stop_on_recovery: Option<bool>,
    raise_system_volume: Option<bool>,
}

impl RawAlarm {
    /// `config_dir` anchors a relative sound path.
    pub(super) fn validate(&self, config_dir: &Path, errs: &mut Collector) -> AlarmConfig {
        let mut alarm = AlarmConfig::default();
        if let Some(sound) = &self.sound {
            alarm.sound = match sound.trim() {
                "klaxon" => SoundChoice::Klaxon,
                "siren" => SoundChoice::Siren,
                path => SoundChoice::File(config_dir.join(path)),
            };
        }
        if let Some(v) = &self.start_volume {
            let value = *v.get_ref();
            if (0.05..=1.0).contains(&value) {
                alarm.start_volume = value as f32;
            } else {
                let m = format!("{value} is out of range; give a fraction from 0.05 to 1");
                errs.push(v.span(), "alarm.start_volume", m);
            }
        }
        let within = bounds::ESCALATION;
        if let Some(d) = errs.bounded(&self.full_volume_after, "alarm.full_volume_after", within) {
            alarm.full_volume_after = d;
        }
        if let Some(d) = errs.bounded(&self.harsh_after, "alarm.harsh_after", within) {
            alarm.harsh_after = d;
        }
        alarm.awake_check = self.awake_check.unwrap_or(alarm.awake_check);
        alarm.stop_on_recovery = self.stop_on_recovery.unwrap_or(alarm.stop_on_recovery);
        alarm.raise_system_volume = self
            .raise_system_volume
            .unwrap_or(alarm.raise_system_volume);
        alarm
    }
}
