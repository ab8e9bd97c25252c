//! The config as the Settings window edits it: a monitor's common fields and the `[alarm]`
//! table as plain strings and flags, the way a person types them, and the file's located errors
//! turned into "this field: this problem". Parsing stays in one place (`Config::parse`): a form
//! is checked by writing it into the document and parsing the result.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::states::MonitorKind;

use super::{AlarmConfig, ConfigErrors, SoundChoice};

/// A monitor as the Settings form edits it: the common fields, as the user types them. Other
/// keys of the monitor's table in klaxon.toml are kept as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct MonitorForm {
    /// The name it had when the form opened (`null` for a new monitor).
    pub original_name: Option<String>,
    pub name: String,
    pub kind: MonitorKind,
    /// A URL for http, `host:port` for tcp and tls, a host name for dns.
    pub target: String,
    /// How often, like "30s".
    pub every: String,
    pub timeout: String,
    /// http only: like "200" or "200-299"; empty for any 2xx.
    pub expect_status: String,
    /// http only: text the body must contain; empty for none.
    pub body_contains: String,
    /// http only: one extra header, like `Authorization`; empty for none.
    pub header_name: String,
    /// Its value; `{secret:NAME}` is replaced by the keyring secret NAME when checking.
    pub header_value: String,
}

/// The `[alarm]` table as the Settings form edits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct AlarmForm {
    /// `klaxon`, `siren`, or a path to a sound file.
    pub sound: String,
    pub start_volume: f32,
    pub full_volume_after: String,
    pub harsh_after: String,
    pub awake_check: bool,
    pub stop_on_recovery: bool,
    pub raise_system_volume: bool,
}

impl From<&AlarmConfig> for AlarmForm {
    fn from(a: &AlarmConfig) -> Self {
        AlarmForm {
            sound: match &a.sound {
                SoundChoice::Klaxon => "klaxon".into(),
                SoundChoice::Siren => "siren".into(),
                SoundChoice::File(path) => path.display().to_string(),
            },
            start_volume: a.start_volume,
            full_volume_after: humantime(a.full_volume_after),
            harsh_after: humantime(a.harsh_after),
            awake_check: a.awake_check,
            stop_on_recovery: a.stop_on_recovery,
            raise_system_volume: a.raise_system_volume,
        }
    }
}

/// "45s", "2m", "1h 30m": the way the config file writes durations.
pub fn humantime(d: std::time::Duration) -> String {
    let s = d.as_secs();
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    let parts: Vec<String> = [(h, "h"), (m, "m"), (s, "s")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if parts.is_empty() {
        "0s".into()
    } else {
        parts.join(" ")
    }
}

/// One problem with one field of a form (`field` is the form's field name, or "" for the whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldProblem {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The file's errors that concern the monitor at `index` (1-based, as the errors count), named
/// by the form's fields. Errors elsewhere in the file are reported whole: they would stop the
/// save just the same.
pub fn monitor_problems(errors: &ConfigErrors, index: usize) -> Vec<FieldProblem> {
    let prefix = format!("monitor[{index}]");
    errors
        .errors
        .iter()
        .map(|e| match e.field.strip_prefix(&prefix) {
            Some(rest) => FieldProblem::new(form_field(rest.trim_start_matches('.')), &e.message),
            None if e.field.is_empty() => FieldProblem::new("", &e.message),
            None => FieldProblem::new("", format!("line {}: {}: {}", e.line, e.field, e.message)),
        })
        .collect()
}

/// A file key (`url`, `expect.status`, `headers.Authorization`) as the form calls it.
fn form_field(key: &str) -> &'static str {
    match key.split('.').next().unwrap_or("") {
        "name" => "name",
        "url" | "tcp" | "dns" | "tls" | "" => "target",
        "every" => "every",
        "timeout" => "timeout",
        "headers" => "header_value",
        "expect" if key.ends_with("status") => "expect_status",
        "expect" if key.ends_with("body_contains") => "body_contains",
        _ => "",
    }
}

/// A secret the config refers to, and whether the keyring has it. Never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct SecretView {
    pub name: String,
    pub set: bool,
}

/// Everything the Settings view shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct Settings {
    pub config_path: String,
    /// The engine's log file (see `logging`), shown so a user can find it.
    pub log_path: String,
    pub monitors: Vec<MonitorForm>,
    pub alarm: AlarmForm,
    pub witnesses: Vec<String>,
    pub secrets: Vec<SecretView>,
    /// Filled in by the app (the OS's login items).
    pub launch_at_login: bool,
}

/// What "Check now" saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct CheckOutcome {
    pub ok: bool,
    pub reason: String,
    #[ts(type = "number")]
    pub latency_ms: u64,
}
