//! The escalation plan: a pure function from "time since the alarm started" to which pattern
//! plays and how loud. Everything audible follows it, so it is where the promises live:
//! audible from the first second, full volume by `full_volume_after`, harsher after
//! `harsh_after`, and never silent for long.

use std::time::Duration;

use crate::config::AlarmConfig;

/// Loudness during a stream's first moments: quiet but not silent, so a Bluetooth or
/// power-saving output wakes up before the first loud burst instead of swallowing it.
pub const LEAD_IN_VOLUME: f32 = 0.15;
const _: () = assert!(LEAD_IN_VOLUME > 0.0, "the lead-in is quiet, not silent");
pub const LEAD_IN: Duration = Duration::from_millis(300);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    pub start_volume: f32,
    pub full_volume_after: Duration,
    pub harsh_after: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The chosen sound, getting louder.
    Rising,
    /// The harsher pattern, at full volume once reached.
    Harsh,
}

/// What should be heard at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cue {
    pub stage: Stage,
    /// Fraction of full loudness, 0–1.
    pub volume: f32,
}

impl Plan {
    pub fn from_config(alarm: &AlarmConfig) -> Plan {
        Plan {
            start_volume: alarm.start_volume.clamp(0.05, 1.0),
            full_volume_after: alarm.full_volume_after,
            harsh_after: alarm.harsh_after,
        }
    }

    /// The cue `elapsed` after the alarm started.
    pub fn at(&self, elapsed: Duration) -> Cue {
        let rise = if self.full_volume_after.is_zero() {
            1.0
        } else {
            (elapsed.as_secs_f32() / self.full_volume_after.as_secs_f32()).min(1.0)
        };
        let volume = self.start_volume + (1.0 - self.start_volume) * rise;
        let stage = if elapsed >= self.harsh_after {
            Stage::Harsh
        } else {
            Stage::Rising
        };
        Cue { stage, volume }
    }

    /// How long the whole escalation takes, with a little of the harsh stage after it.
    pub fn length(&self) -> Duration {
        (self.harsh_after.max(self.full_volume_after)).saturating_add(Duration::from_secs(15))
    }

    /// How much faster than real time the plan must run to fit into `into`
    /// (`klaxon alarm test --seconds N`).
    pub fn speed_to_fit(&self, into: Duration) -> f64 {
        if into.is_zero() {
            return 1.0;
        }
        (self.length().as_secs_f64() / into.as_secs_f64()).max(1.0)
    }
}

/// Loudness factor of a stream's own start (the lead-in), applied on top of the plan.
pub fn lead_in_factor(since_stream_start: Duration) -> f32 {
    if since_stream_start < LEAD_IN {
        LEAD_IN_VOLUME
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan::from_config(&AlarmConfig::default())
    }

    #[test]
    fn the_alarm_is_audible_from_the_first_second_and_rises_to_full() {
        let p = plan();
        assert!((p.at(Duration::ZERO).volume - 0.6).abs() < 1e-6);
        assert!(p.at(Duration::from_secs(1)).volume >= 0.6);
        let mut last = 0.0;
        for s in 0..=45 {
            let v = p.at(Duration::from_secs(s)).volume;
            assert!(v >= last, "volume must never fall: {v} < {last} at {s} s");
            last = v;
        }
        assert_eq!(p.at(Duration::from_secs(45)).volume, 1.0);
        assert_eq!(p.at(Duration::from_secs(3600)).volume, 1.0);
    }

    #[test]
    fn the_harsh_pattern_arrives_after_two_minutes() {
        let p = plan();
        assert_eq!(p.at(Duration::from_secs(119)).stage, Stage::Rising);
        assert_eq!(p.at(Duration::from_secs(120)).stage, Stage::Harsh);
        assert_eq!(p.at(Duration::from_secs(8 * 3600)).stage, Stage::Harsh);
    }

    #[test]
    fn a_test_alarm_fits_the_whole_plan_into_its_seconds() {
        let p = plan();
        let speed = p.speed_to_fit(Duration::from_secs(10));
        let at_end = Duration::from_secs_f64(10.0 * speed);
        assert_eq!(p.at(at_end).stage, Stage::Harsh);
        assert_eq!(p.at(at_end).volume, 1.0);
        assert_eq!(
            p.speed_to_fit(Duration::from_secs(3600)),
            1.0,
            "never slower than real time"
        );
    }

    #[test]
    fn each_stream_starts_with_a_quiet_lead_in() {
        assert_eq!(lead_in_factor(Duration::ZERO), LEAD_IN_VOLUME);
        assert_eq!(lead_in_factor(Duration::from_millis(300)), 1.0);
    }
}
