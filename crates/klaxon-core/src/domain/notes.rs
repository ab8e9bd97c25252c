//! What the founder writes about an incident once it is over — the cause in plain words, the
//! fix, what will change, who was affected, whether data was lost, an offer — and the reply
//! drafts they keep. Small value types; the store keeps them beside the incident.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::states::{DraftKind, DraftTone};

/// An incident's notes. Empty text means "not written yet".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
#[serde(default)]
pub struct IncidentNotes {
    /// What caused it, in plain language.
    pub cause: String,
    /// What was done to fix it.
    pub fix: String,
    /// The few things that will change so it does not happen again.
    pub prevention: Vec<String>,
    /// Who and what was affected: what users saw.
    pub impact: String,
    /// Whether any data was lost ("none", "orders placed between 2 and 3 am").
    pub data_loss: String,
    /// Something offered to make up for it (a credit, a call); optional.
    pub offer: String,
}

impl IncidentNotes {
    /// `self` with every field `change` has filled in (the CLI sets a few at a time).
    pub fn merged(mut self, change: IncidentNotes) -> IncidentNotes {
        let keep = |old: &mut String, new: String| {
            if !new.trim().is_empty() {
                *old = new.trim().to_string();
            }
        };
        keep(&mut self.cause, change.cause);
        keep(&mut self.fix, change.fix);
        keep(&mut self.impact, change.impact);
        keep(&mut self.data_loss, change.data_loss);
        keep(&mut self.offer, change.offer);
        let prevention: Vec<String> = change
            .prevention
            .into_iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        if !prevention.is_empty() {
            self.prevention = prevention;
        }
        self
    }
}

/// A reply the founder kept, exactly as they left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct SavedDraft {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub incident_id: i64,
    pub kind: DraftKind,
    pub tone: DraftTone,
    pub customer: String,
    pub tz: String,
    pub subject: String,
    pub body: String,
    #[ts(type = "string")]
    pub saved_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_keeps_what_was_written_and_adds_what_is_new() {
        let before = IncidentNotes {
            cause: "a full disk".into(),
            prevention: vec!["alert at 80 %".into()],
            ..IncidentNotes::default()
        };
        let after = before.merged(IncidentNotes {
            fix: " freed space ".into(),
            ..IncidentNotes::default()
        });
        assert_eq!(after.cause, "a full disk");
        assert_eq!(after.fix, "freed space");
        assert_eq!(after.prevention, ["alert at 80 %"]);
    }
}
