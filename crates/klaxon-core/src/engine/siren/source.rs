//! [`SirenSource`]: the plan turned into samples, as a rodio `Source`. The escalation lives in
//! the samples themselves (not in a timer that changes a player's volume), so what a device
//! plays — or what a test renders to a file with no device at all — is exactly the plan.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rodio::Source;

use super::plan::{Plan, lead_in_factor};
use super::sounds::{SAMPLE_RATE, Synth, Voice, rate, stereo};

/// An endless stereo stream that follows `plan`, starting `offset` into it.
pub struct SirenSource {
    plan: Plan,
    synth: Synth,
    offset: Duration,
    /// Plan seconds per real second (above 1 for `alarm test`).
    speed: f64,
    frame: u64,
    right_channel: Option<f32>,
    /// Frames played so far, for the player's watchdog: a stream that stops pulling samples
    /// is a stream that stopped playing.
    progress: Arc<AtomicU64>,
}

impl SirenSource {
    pub fn new(plan: Plan, voice: Voice, offset: Duration, speed: f64) -> SirenSource {
        SirenSource {
            plan,
            synth: Synth::new(voice),
            offset,
            speed,
            frame: 0,
            right_channel: None,
            progress: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn progress(&self) -> Arc<AtomicU64> {
        self.progress.clone()
    }

    fn next_frame(&mut self) -> f32 {
        let since_start = Duration::from_secs_f64(self.frame as f64 / SAMPLE_RATE as f64);
        let in_plan = self.offset + since_start.mul_f64(self.speed);
        let cue = self.plan.at(in_plan);
        self.frame += 1;
        if self.frame.is_multiple_of(4800) {
            self.progress.store(self.frame, Ordering::Relaxed);
        }
        self.synth.next(cue.stage) * cue.volume * lead_in_factor(since_start)
    }
}

impl Iterator for SirenSource {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if let Some(right) = self.right_channel.take() {
            return Some(right);
        }
        let sample = self.next_frame();
        self.right_channel = Some(sample);
        Some(sample)
    }
}

impl Source for SirenSource {
    fn current_span_len(&self) -> Option<usize> {
        None
    }

    fn channels(&self) -> rodio::ChannelCount {
        stereo()
    }

    fn sample_rate(&self) -> rodio::SampleRate {
        rate()
    }

    fn total_duration(&self) -> Option<Duration> {
        None
    }
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod tests;
