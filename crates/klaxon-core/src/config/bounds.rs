//! The limits of every duration, size and count that reaches Klaxon from outside — the config
//! file, the CLI, the control socket, the window — and the words that refuse a value outside
//! them (a command on the wire is checked by [`crate::protocol::Command::check`]).
//!
//! One place, because the same number arrives by several roads: `klaxon snooze 90000` is
//! refused by the CLI's parser, and the same snooze sent as a raw JSON line (which can carry any
//! `u64`) is refused by the engine with the same words. Every limit is far from what a person
//! means and far from what could overflow the clock: nothing lasts past a year unless it means
//! "until resumed", and time arithmetic downstream can then never panic. A value outside is
//! refused with its bounds, never clamped silently: a typo'd `every = "1000h"` should be seen.

use std::ops::RangeInclusive;
use std::time::Duration;

/// The longest span Klaxon accepts for anything that ends on its own.
pub const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);

/// An inclusive range a duration must fall in, and the words that name it in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Within {
    pub min: Duration,
    pub max: Duration,
    /// Completes "give …": "from 1s to a year".
    pub words: &'static str,
}

impl Within {
    pub fn contains(&self, value: Duration) -> bool {
        (self.min..=self.max).contains(&value)
    }
}

/// `[[channel]]`s: a phone, a team, a few webhooks; hundreds would be a mistake (and a flood).
pub const MAX_CHANNELS: usize = 100;

/// A monitor's `every`: more often than once a second is load, not monitoring.
pub const EVERY: Within = Within {
    min: Duration::from_secs(1),
    max: YEAR,
    words: "from 1s to a year",
};

/// A check's `timeout` (and `klaxon check --timeout`); a monitor's is also at most its `every`.
pub const TIMEOUT: Within = Within {
    min: Duration::from_millis(1),
    max: Duration::from_secs(10 * 60),
    words: "above zero and at most 10m",
};

/// `expect.max_latency`; also at most the monitor's timeout, or it could never be exceeded.
pub const MAX_LATENCY: Within = Within {
    min: Duration::from_millis(1),
    max: Duration::from_secs(10 * 60),
    words: "above zero and at most 10m",
};

/// `judge.retry_every`: the pause between the quick re-checks that confirm a failure.
pub const RETRY_EVERY: Within = Within {
    min: Duration::from_millis(100),
    max: Duration::from_secs(10 * 60),
    words: "from 100ms to 10m",
};

/// `judge.grace_after_resume`: longer and the laptop would wake into silence.
pub const GRACE_AFTER_RESUME: Within = Within {
    min: Duration::ZERO,
    max: Duration::from_secs(10 * 60),
    words: "from 0s to 10m",
};

/// `alarm.full_volume_after` and `alarm.harsh_after`: an alarm that takes longer than an hour
/// to reach its full voice is not waking anyone.
pub const ESCALATION: Within = Within {
    min: Duration::ZERO,
    max: Duration::from_secs(3600),
    words: "from 0s to 1h",
};

/// `max_body_bytes`: the body is kept in memory while it is judged.
pub const BODY_BYTES: RangeInclusive<i64> = 1..=32 * 1024 * 1024;
pub const BODY_BYTES_WORDS: &str = "from 1 byte to 33554432 (32 MiB)";

/// `max_redirects`: reqwest's own default stops at 10.
pub const REDIRECTS: RangeInclusive<i64> = 0..=20;
pub const REDIRECTS_WORDS: &str = "from 0 to 20";

/// `min_days` of a TLS monitor: no certificate is issued for longer than about a year, so a
/// larger number would fail every check.
pub const CERT_DAYS: RangeInclusive<i64> = 0..=365;
pub const CERT_DAYS_WORDS: &str = "from 0 to 365";

/// `judge.confirm`: re-checks before an incident opens. A huge number would mean "never ring".
pub const CONFIRM: RangeInclusive<i64> = 0..=20;
pub const CONFIRM_WORDS: &str = "from 0 to 20";

/// `judge.recover`: successes in a row before a down service counts as back.
pub const RECOVER: RangeInclusive<i64> = 1..=20;
pub const RECOVER_WORDS: &str = "from 1 to 20";

/// `klaxon import`: the file of another tool is read whole into memory; a Gatus config or an
/// Uptime Kuma backup of a few hundred monitors is well under a megabyte.
pub const IMPORT_BYTES: u64 = 8 * 1024 * 1024;
/// `klaxon import`: monitors in one file. A founder's stack is tens of services; thousands
/// would be a generated file or a mistake, and each is checked every few seconds.
pub const IMPORT_MONITORS: usize = 500;

/// `klaxon snooze MINUTES`: a snooze is for going back to the phone, not to bed; for longer,
/// acknowledge.
pub const SNOOZE_MINUTES: RangeInclusive<u64> = 1..=24 * 60;
/// `klaxon pause MINUTES`; without MINUTES a pause lasts until `klaxon resume`.
pub const PAUSE_MINUTES: RangeInclusive<u64> = 1..=365 * 24 * 60;
/// `klaxon alarm test --seconds`.
pub const ALARM_TEST_SECONDS: RangeInclusive<u64> = 1..=120;

/// The words that give each command's bounds when a value falls outside them.
pub mod refusal {
    use super::{ALARM_TEST_SECONDS, PAUSE_MINUTES, SNOOZE_MINUTES};

    pub fn snooze() -> String {
        format!(
            "a snooze lasts {} to {} minutes (a day); to silence it for longer, acknowledge",
            SNOOZE_MINUTES.start(),
            SNOOZE_MINUTES.end()
        )
    }

    pub fn pause() -> String {
        format!(
            "a pause lasts {} to {} minutes (a year), or until `klaxon resume` when no minutes are given",
            PAUSE_MINUTES.start(),
            PAUSE_MINUTES.end()
        )
    }

    pub fn alarm_test() -> String {
        format!(
            "an alarm test lasts {} to {} seconds",
            ALARM_TEST_SECONDS.start(),
            ALARM_TEST_SECONDS.end()
        )
    }
}

/// `klaxon snooze MINUTES`, for the CLI's argument parser.
pub fn snooze_minutes(text: &str) -> Result<u64, String> {
    whole_number(text, "minutes", &SNOOZE_MINUTES)
        .map_err(|e| format!("{e}: {}", refusal::snooze()))
}

/// `klaxon pause MINUTES`, for the CLI's argument parser.
pub fn pause_minutes(text: &str) -> Result<u64, String> {
    whole_number(text, "minutes", &PAUSE_MINUTES).map_err(|e| format!("{e}: {}", refusal::pause()))
}

/// `klaxon alarm test --seconds N`, for the CLI's argument parser.
pub fn alarm_test_seconds(text: &str) -> Result<u64, String> {
    whole_number(text, "seconds", &ALARM_TEST_SECONDS)
        .map_err(|e| format!("{e}: {}", refusal::alarm_test()))
}

/// `klaxon check --timeout 10s`, for the CLI's argument parser.
pub fn check_timeout(text: &str) -> Result<Duration, String> {
    let timeout = crate::config::parse_duration(text)?;
    if TIMEOUT.contains(timeout) {
        Ok(timeout)
    } else {
        Err(format!(
            "{text:?} is out of range; a timeout is {}",
            TIMEOUT.words
        ))
    }
}

fn whole_number(text: &str, unit: &str, range: &RangeInclusive<u64>) -> Result<u64, String> {
    let n: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number of {unit}"))?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} {unit} is out of range"))
    }
}

#[cfg(test)]
#[path = "bounds_tests.rs"]
mod tests;
