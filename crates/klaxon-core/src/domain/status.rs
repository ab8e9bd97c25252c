//! What the outside sees: the `status --json` and `history --json` shapes, shared by the engine's
//! snapshot, the control socket and the CLI. Field names here are a public, documented format.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::incident::Incident;
use crate::domain::states::{
    AckVia, CoverageItem, IncidentState, KeepAwakeState, MonitorState, Overall, SourceKind,
    SourceState, UnwatchedCause,
};
use crate::domain::words;

/// `klaxon status --json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct Status {
    /// The whole app's state in one word, as [`Status::overall`] decides it (set by whoever
    /// makes the snapshot, for the window, which must not decide it again).
    #[serde(default)]
    pub overall: Overall,
    pub monitors: Vec<MonitorView>,
    /// Open incidents only.
    pub incidents: Vec<IncidentView>,
    /// True when the witnesses say this machine is offline: Klaxon cannot see anything.
    #[serde(default)]
    pub blind: bool,
    /// Since when (while `blind`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "string | null")]
    pub blind_since: Option<Timestamp>,
    /// Whether an engine answered (false: read from the database of a stopped engine).
    #[serde(default)]
    pub live: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<PausedUntil>,
    /// The newest config was refused and the last good one keeps running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_error: Option<String>,
    /// Klaxon itself is short of something (open files, memory, local ports), so some checks
    /// cannot be made and an outage could go unnoticed. Set while such faults happen; the
    /// monitors' verdicts are left as they were, never turned "down" by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_fault: Option<String>,
    /// Whether the siren can be heard (live engines only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sound: Option<SoundStatus>,
    /// While something rings: the code to type in the window to acknowledge (awake check).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_code: Option<String>,
    /// Whether idle sleep is held off while on call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_awake: Option<KeepAwakeState>,
    /// Why history is not being saved right now ("the disk is full"); the alarm works anyway
    /// and what happened is written once the store works again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_problem: Option<String>,
    /// Something about the database the user must know (a damaged file moved aside).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_notice: Option<String>,
    /// Klaxon's own faults since it started (a check task that crashed and was restarted).
    #[serde(default)]
    pub faults: Vec<String>,
    /// Am I covered? Whether tonight's alarm would reach the founder (live engines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Monitoring that runs elsewhere, and whether it can be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceView>,
    /// Maintenance windows going on now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintenance: Vec<MaintenanceView>,
}

/// A maintenance window going on: nothing it covers rings until `until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct MaintenanceView {
    /// The monitors it covers; `null`: all.
    pub monitors: Option<Vec<String>>,
    /// Since when it counts as unwatched time (the uptime leaves it out while it goes on).
    #[ts(type = "string")]
    pub since: Timestamp,
    #[ts(type = "string")]
    pub until: Timestamp,
}

/// One `[[source]]`, as `status` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct SourceView {
    pub name: String,
    pub kind: SourceKind,
    pub state: SourceState,
    /// Why it cannot be read, while unreachable.
    pub reason: Option<String>,
    #[ts(type = "string | null")]
    pub last_read: Option<Timestamp>,
    /// Its alerts open as incidents now.
    pub firing: usize,
}

/// Whether tonight's alarm would reach the founder, and what to fix if not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct Coverage {
    pub covered: bool,
    /// Each thing missing, with what to do about it; empty when covered.
    pub gaps: Vec<Gap>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct Gap {
    pub item: CoverageItem,
    /// What is wrong and what to do ("phone (ntfy): HTTP 401 — check the token").
    pub problem: String,
}

impl Coverage {
    pub fn of(gaps: Vec<Gap>) -> Coverage {
        Coverage {
            covered: gaps.is_empty(),
            gaps,
        }
    }
}

impl Status {
    /// When the maintenance covering `monitor` ends, while one is on (the tray's and the
    /// CLI's "in maintenance until 03:00" beside the monitor).
    pub fn maintenance_until(&self, monitor: &str) -> Option<Timestamp> {
        self.maintenance
            .iter()
            .filter(|m| {
                m.monitors
                    .as_ref()
                    .is_none_or(|names| names.iter().any(|n| n == monitor))
            })
            .map(|m| m.until)
            .max()
    }

    /// The one headline state: ringing > acknowledged > offline > paused > failing > all up >
    /// nothing configured. The tray, the CLI and the window all stand on this.
    pub fn overall(&self) -> Overall {
        let ringing = |i: &IncidentView| i.state == IncidentState::Ringing;
        if self.incidents.iter().any(ringing) {
            Overall::Ringing
        } else if !self.incidents.is_empty() {
            Overall::Acknowledged
        } else if self.blind {
            Overall::Offline
        } else if self.paused_until.is_some() {
            Overall::Paused
        } else if self.monitors.is_empty() && self.sources.is_empty() {
            Overall::NothingConfigured
        } else if self.monitors.iter().any(|m| m.state == MonitorState::Down) {
            Overall::Failing
        } else {
            Overall::AllUp
        }
    }

    /// This snapshot with its [`Status::overall`] filled in, ready to be shown.
    pub fn with_overall(mut self) -> Status {
        self.overall = self.overall();
        self
    }

    /// The headline in words: "API down for 4 min — ringing", "3 monitors up".
    pub fn headline(&self, now: Timestamp) -> String {
        let overall = self.overall();
        let top = self
            .incidents
            .iter()
            .find(|i| i.state == IncidentState::Ringing)
            .or(self.incidents.first());
        let up = self
            .monitors
            .iter()
            .filter(|m| m.state == MonitorState::Up)
            .count();
        match (overall, top) {
            (Overall::Ringing | Overall::Acknowledged, Some(i)) => {
                let down_for =
                    std::time::Duration::try_from(now.duration_since(i.first_failure_at))
                        .unwrap_or_default();
                format!(
                    "{} down for {} — {}",
                    i.monitor,
                    words::elapsed(down_for),
                    i.state
                )
            }
            (Overall::Offline, _) => "Klaxon cannot see: this machine seems offline".into(),
            (Overall::Paused, _) => "Klaxon is paused".into(),
            (Overall::NothingConfigured, _) => "Klaxon: no monitors yet".into(),
            _ => match self.monitors.len() {
                n if up == n => format!("{n} monitor{} up", if n == 1 { "" } else { "s" }),
                n => format!("{up} of {n} monitors up"),
            },
        }
    }
}

/// Whether Klaxon can make a sound, as `status` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct SoundStatus {
    /// `None` until the output was first tried.
    pub can_sound: Option<bool>,
    /// "Klaxon cannot make a sound: …" while there is no working output.
    pub problem: Option<String>,
    /// The configured sound file could not be used; the built-in klaxon plays instead.
    pub file_problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
#[serde(rename_all = "snake_case")]
pub enum PausedUntil {
    Resumed,
    Time(#[ts(type = "string")] Timestamp),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct MonitorView {
    pub name: String,
    pub state: MonitorState,
    #[ts(type = "string | null")]
    pub last_checked: Option<Timestamp>,
    #[ts(type = "number | null")]
    pub latency_ms: Option<u64>,
    /// Why the last check failed, or what it saw when it passed.
    pub reason: Option<String>,
    pub target: String,
    /// True when the user turned certificate verification off for this monitor.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tls_verification_off: bool,
}

/// One incident, as `status` and `history` print it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct IncidentView {
    #[ts(type = "number")]
    pub id: i64,
    /// What is down: a monitor's name, or an outside alert's title.
    pub monitor: String,
    /// The `[[source]]` an outside alert came from; `null` for a monitor of this config.
    #[serde(default)]
    pub source: Option<String>,
    pub state: IncidentState,
    #[ts(type = "string")]
    pub opened_at: Timestamp,
    #[ts(type = "string | null")]
    pub acknowledged_at: Option<Timestamp>,
    #[ts(type = "string | null")]
    pub resolved_at: Option<Timestamp>,
    #[ts(type = "string")]
    pub first_failure_at: Timestamp,
    #[ts(type = "string | null")]
    pub recovered_at: Option<Timestamp>,
    pub acknowledged_via: Option<AckVia>,
    #[ts(type = "string | null")]
    pub snoozed_until: Option<Timestamp>,
    #[ts(type = "number | null")]
    pub time_to_acknowledge_s: Option<u64>,
    #[ts(type = "number | null")]
    pub time_to_recover_s: Option<u64>,
    pub reason: String,
}

impl From<&Incident> for IncidentView {
    fn from(i: &Incident) -> Self {
        IncidentView {
            id: i.id,
            monitor: i.monitor.clone(),
            source: i.source().map(str::to_string),
            state: i.state,
            opened_at: i.opened_at,
            acknowledged_at: i.acknowledged_at,
            resolved_at: i.resolved_at,
            first_failure_at: i.first_failure_at,
            recovered_at: i.recovered_at,
            acknowledged_via: i.acknowledged_via,
            snoozed_until: i.snoozed_until,
            time_to_acknowledge_s: i.time_to_acknowledge().map(|d| d.as_secs()),
            time_to_recover_s: i.time_to_recover().map(|d| d.as_secs()),
            reason: i.reason.clone(),
        }
    }
}

/// What the engine announces as it happens (tray, window, `klaxon run`'s log).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    MonitorChanged {
        monitor: MonitorView,
    },
    IncidentChanged {
        incident: IncidentView,
    },
    Blind {
        blind: bool,
    },
    Unmonitored {
        from: Timestamp,
        to: Timestamp,
        cause: UnwatchedCause,
    },
    ConfigReloaded {
        monitors: usize,
    },
    ConfigRejected {
        message: String,
    },
    Sound {
        sound: SoundStatus,
    },
    /// The store's health changed (`problem` is `None` when it works again).
    Store {
        problem: Option<String>,
    },
    /// Something inside Klaxon failed and was dealt with (a check task restarted).
    Fault {
        message: String,
    },
}
