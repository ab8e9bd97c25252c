//! The sounds, synthesized in code (no sound files with unclear licences): a pulsing two-tone
//! horn ("klaxon"), a tone that sweeps up and down ("siren"), and the harsh pattern that takes
//! over after a while — a fast high–low square wave that is hard to sleep through. A user's own
//! file can replace the first two; it is decoded once, mixed to mono and resampled.

use std::f64::consts::TAU;
use std::path::Path;
use std::sync::Arc;

use super::plan::Stage;
use crate::config::SoundChoice;

pub const SAMPLE_RATE: u32 = 48_000;
/// Loudest sample at full volume: a little headroom below clipping.
const PEAK: f32 = 0.9;
/// A custom sound longer than this is cut: it loops anyway, and memory stays small.
const MAX_FILE_SECONDS: usize = 20;

/// What plays before the harsh stage.
#[derive(Clone)]
pub enum Voice {
    Klaxon,
    Siren,
    File(Arc<[f32]>),
}

impl Voice {
    /// The built-in sound for a choice; a file must be loaded with [`load_file`] first.
    pub fn builtin(choice: &SoundChoice) -> Voice {
        match choice {
            SoundChoice::Siren => Voice::Siren,
            _ => Voice::Klaxon,
        }
    }
}

/// Decodes a wav/mp3/ogg/flac file to mono samples at [`SAMPLE_RATE`].
pub fn load_file(path: &Path) -> Result<Arc<[f32]>, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read the sound file {}: {e}", path.display()))?;
    let decoder = rodio::Decoder::try_from(file)
        .map_err(|e| format!("cannot play the sound file {}: {e}", path.display()))?;
    let rate = rodio::SampleRate::new(SAMPLE_RATE).ok_or("bad sample rate")?;
    let mono = rodio::ChannelCount::new(1).ok_or("bad channel count")?;
    let uniform = rodio::source::UniformSourceIterator::new(decoder, mono, rate);
    let samples: Vec<f32> = uniform
        .take(SAMPLE_RATE as usize * MAX_FILE_SECONDS)
        .collect();
    let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    if samples.len() < SAMPLE_RATE as usize / 10 || peak < 0.01 {
        return Err(format!(
            "the sound file {} is silent or shorter than 0.1 s",
            path.display()
        ));
    }
    // Normalise so a quiet recording is as loud as the built-in sounds.
    Ok(samples.iter().map(|s| s / peak).collect())
}

/// Generates one sample at a time; keeps the oscillator phase so sweeps stay smooth.
pub struct Synth {
    voice: Voice,
    phase: f64,
    frame: u64,
}

impl Synth {
    pub fn new(voice: Voice) -> Synth {
        Synth {
            voice,
            phase: 0.0,
            frame: 0,
        }
    }

    /// The next sample (−1..1 before volume) for `stage`.
    pub fn next(&mut self, stage: Stage) -> f32 {
        let t = self.frame as f64 / SAMPLE_RATE as f64;
        self.frame += 1;
        let sample = match (stage, &self.voice) {
            (Stage::Harsh, _) => self.harsh(t),
            (Stage::Rising, Voice::Klaxon) => self.klaxon(t),
            (Stage::Rising, Voice::Siren) => self.siren(t),
            (Stage::Rising, Voice::File(samples)) => {
                samples[(self.frame as usize - 1) % samples.len()]
            }
        };
        sample * PEAK
    }

    fn advance(&mut self, frequency: f64) -> f64 {
        self.phase = (self.phase + frequency / SAMPLE_RATE as f64).fract();
        self.phase
    }

    /// Two detuned sawtooth tones, 0.65 s on and 0.25 s off: the horn.
    fn klaxon(&mut self, t: f64) -> f32 {
        let pos = t % 0.9;
        let gate = envelope(pos, 0.65, 0.01);
        let a = saw((t * 415.0).fract());
        let b = saw((t * 523.0).fract());
        ((a + b) * 0.5 * gate) as f32
    }

    /// A sine that rises from 600 to 1300 Hz over 1.2 s and falls back over 0.8 s.
    fn siren(&mut self, t: f64) -> f32 {
        let pos = t % 2.0;
        let frequency = if pos < 1.2 {
            600.0 + 700.0 * pos / 1.2
        } else {
            1300.0 - 700.0 * (pos - 1.2) / 0.8
        };
        let phase = self.advance(frequency);
        (phase * TAU).sin() as f32
    }

    /// High–low square wave, 950 and 700 Hz, a quarter second each, no gaps.
    fn harsh(&mut self, t: f64) -> f32 {
        let frequency = if ((t * 4.0) as u64).is_multiple_of(2) {
            950.0
        } else {
            700.0
        };
        let phase = self.advance(frequency);
        let square = if phase < 0.5 { 1.0 } else { -1.0 };
        // A little sine softens the square's edge without taking its bite.
        (0.8 * square + 0.2 * (phase * TAU).sin()) as f32
    }
}

fn saw(phase: f64) -> f64 {
    2.0 * phase - 1.0
}

/// 1 inside `[0, on)` with `ramp`-long fades at both ends, else 0.
fn envelope(pos: f64, on: f64, ramp: f64) -> f64 {
    if pos >= on {
        0.0
    } else {
        (pos / ramp).min(1.0).min((on - pos) / ramp)
    }
}

/// The stream format the siren produces.
pub(super) fn rate() -> rodio::SampleRate {
    rodio::SampleRate::new(SAMPLE_RATE).unwrap_or(rodio::SampleRate::MIN)
}

pub(super) fn stereo() -> rodio::ChannelCount {
    rodio::ChannelCount::new(2).unwrap_or(rodio::ChannelCount::MIN)
}
