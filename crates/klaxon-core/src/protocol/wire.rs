//! The control socket's wire format: one JSON object per line each way, a [`Command`] from the
//! client and a [`Reply`] from the engine. These shapes are a public format (the README shows
//! them); the typed [`Client`](super::Client) is how Klaxon's own shells speak it.

use serde::{Deserialize, Deserializer, Serialize};

use crate::config::bounds::{ALARM_TEST_SECONDS, PAUSE_MINUTES, SNOOZE_MINUTES};
use crate::domain::states::AckVia;
use crate::domain::status::{IncidentView, Status};

/// What can be asked of a running engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Command {
    Status,
    /// Acknowledge one incident, or all ringing ones. `via` says where from; only a person's
    /// ways ([`AckVia::BY_COMMAND`]) come as a command. With the awake check on, anything but
    /// the CLI must give the code that `status` shows while ringing: the CLI is deliberate by
    /// nature, a half-asleep click is not.
    Ack {
        incident: Option<i64>,
        #[serde(deserialize_with = "by_command")]
        via: AckVia,
        #[serde(default)]
        code: Option<String>,
    },
    Snooze {
        minutes: u64,
    },
    /// Stop checking, for a while or until `resume`.
    Pause {
        minutes: Option<u64>,
    },
    Resume,
    /// Re-read the config file.
    Reload,
    /// Play the escalation compressed into `seconds` (refused while an incident rings).
    TestAlarm {
        seconds: u64,
    },
    /// Schedule slip figures, for the benchmark.
    Slips,
    /// Read a `[[source]]` now (Settings' "Check now"), rather than at its next turn.
    CheckSource {
        name: String,
    },
}

/// The engine's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    Status {
        status: Box<Status>,
    },
    Incidents {
        message: String,
        incidents: Vec<IncidentView>,
    },
    Done {
        message: String,
    },
    Slips {
        slips: SlipStats,
    },
    Refused {
        message: String,
    },
}

/// An acknowledgement's `via` on the wire: a person's way, or a refusal that lists them.
fn by_command<'de, D: Deserializer<'de>>(deserializer: D) -> Result<AckVia, D::Error> {
    let word = String::deserialize(deserializer)?;
    word.parse()
        .ok()
        .filter(|via| AckVia::BY_COMMAND.contains(via))
        .ok_or_else(|| {
            let ways: Vec<&str> = AckVia::BY_COMMAND.iter().map(|v| v.as_str()).collect();
            serde::de::Error::custom(format!(
                "an acknowledgement comes via {}, not {:?}",
                ways.join(", "),
                word.chars().take(40).collect::<String>()
            ))
        })
}

impl Command {
    /// Refuses a command whose numbers are out of bounds, with the bounds; the engine checks
    /// everything it is sent, whoever sent it.
    pub fn check(&self) -> Result<(), String> {
        use crate::config::bounds::refusal;
        match self {
            Command::Snooze { minutes } if !SNOOZE_MINUTES.contains(minutes) => Err(format!(
                "cannot snooze for {minutes} minutes: {}",
                refusal::snooze()
            )),
            Command::Pause { minutes: Some(m) } if !PAUSE_MINUTES.contains(m) => Err(format!(
                "cannot pause for {m} minutes: {}",
                refusal::pause()
            )),
            Command::TestAlarm { seconds } if !ALARM_TEST_SECONDS.contains(seconds) => {
                Err(format!(
                    "cannot test the alarm for {seconds} seconds: {}",
                    refusal::alarm_test()
                ))
            }
            Command::CheckSource { name } if name.len() > 256 => {
                Err("a source's name is at most 256 bytes".into())
            }
            Command::Ack { via, .. } if !AckVia::BY_COMMAND.contains(via) => Err(format!(
                "an acknowledgement comes via cli, window, tray, not {via}"
            )),
            _ => Ok(()),
        }
    }
}

/// How late checks started, in milliseconds (for the benchmark).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SlipStats {
    pub checks: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
