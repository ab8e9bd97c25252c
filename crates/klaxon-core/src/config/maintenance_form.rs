//! What the Settings window shows and edits of `[[maintenance]]`: one form per window, as
//! written in the file, beside what the founder needs to trust it — the pattern in words, when
//! the next window starts, and whether one is on now. The file stays the only truth: a form is
//! checked by writing it into the document and parsing (see `edit_maintenance.rs`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::ConfigErrors;
use super::form::FieldProblem;
use crate::domain::maintenance::Window;

/// One `[[maintenance]]` as the form shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct MaintenanceForm {
    /// Five fields: when each window starts (`"0 2 * * sun"`).
    pub cron: String,
    /// How long each lasts (`"1h"`).
    pub duration: String,
    /// An IANA zone; empty: this machine's.
    pub timezone: String,
    /// The monitors it covers; empty: all of them.
    pub monitors: Vec<String>,
}

/// A window in Settings: its form, and what it means as of now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct MaintenanceEntry {
    pub form: MaintenanceForm,
    /// The pattern in words ("At 02:00 on Sunday"); empty when the file's pattern is invalid.
    pub when: String,
    /// When the next window starts; `null` when the pattern never matches again.
    #[ts(type = "string | null")]
    pub next_start: Option<Timestamp>,
    /// When the window going on now ends; `null` when none is.
    #[ts(type = "string | null")]
    pub on_until: Option<Timestamp>,
}

impl MaintenanceEntry {
    /// The form beside its parsed window (from the same file, same position), as of `now`.
    pub fn new(form: MaintenanceForm, window: Option<&Window>, now: Timestamp) -> Self {
        MaintenanceEntry {
            form,
            when: window.map(Window::describe).unwrap_or_default(),
            next_start: window.and_then(|w| w.next_start(now)),
            on_until: window.and_then(|w| w.active_until(now)),
        }
    }
}

impl MaintenanceForm {
    /// What is wrong before the file is even tried: the fields the parser would otherwise
    /// report as missing keys.
    pub fn early_problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        if self.cron.trim().is_empty() {
            problems.push(FieldProblem::new(
                "cron",
                "give when each window starts, e.g. \"0 2 * * sun\" (Sundays at 02:00)",
            ));
        }
        if self.duration.trim().is_empty() {
            problems.push(FieldProblem::new(
                "duration",
                "give how long it lasts, e.g. \"1h\"",
            ));
        }
        problems
    }
}

/// The file's errors about the window at `index` (1-based, as the errors count), named by the
/// form's fields; errors elsewhere are reported whole, with their line: they stop the save too.
pub fn maintenance_problems(errors: &ConfigErrors, index: usize) -> Vec<FieldProblem> {
    let prefix = format!("maintenance[{index}]");
    errors
        .errors
        .iter()
        .map(|e| match e.field.strip_prefix(&prefix) {
            Some(rest) => FieldProblem::new(rest.trim_start_matches('.'), &e.message),
            None if e.field.is_empty() => FieldProblem::new("", &e.message),
            None => FieldProblem::new("", format!("line {}: {}: {}", e.line, e.field, e.message)),
        })
        .collect()
}
