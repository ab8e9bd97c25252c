//! Notes and saved drafts, beside their incident.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::{Store, db, from_ms, ms};
use crate::domain::notes::{IncidentNotes, SavedDraft};
use crate::error::{Error, Result};

impl Store {
    /// The incident's notes (empty ones if none were written).
    pub fn notes(&self, incident: i64) -> Result<IncidentNotes> {
        let row = self
            .conn
            .query_row(
                "SELECT cause, fix, prevention, impact, data_loss, offer FROM incident_notes WHERE incident_id = ?1",
                [incident],
                |r| {
                    let prevention: String = r.get(2)?;
                    Ok(IncidentNotes {
                        cause: r.get(0)?,
                        fix: r.get(1)?,
                        prevention: serde_json::from_str(&prevention).unwrap_or_default(),
                        impact: r.get(3)?,
                        data_loss: r.get(4)?,
                        offer: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| db(&self.path, e))?;
        Ok(row.unwrap_or_default())
    }

    /// Replaces the incident's notes.
    pub fn set_notes(
        &mut self,
        incident: i64,
        notes: &IncidentNotes,
        now: Timestamp,
    ) -> Result<()> {
        self.require_incident(incident)?;
        let prevention = serde_json::to_string(&notes.prevention).unwrap_or_else(|_| "[]".into());
        self.conn
            .execute(
                "INSERT INTO incident_notes (incident_id, cause, fix, prevention, impact, data_loss, offer, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (incident_id) DO UPDATE SET cause = ?2, fix = ?3, prevention = ?4,
                   impact = ?5, data_loss = ?6, offer = ?7, updated_at = ?8",
                params![
                    incident,
                    notes.cause,
                    notes.fix,
                    prevention,
                    notes.impact,
                    notes.data_loss,
                    notes.offer,
                    ms(now)
                ],
            )
            .map_err(|e| db(&self.path, e))?;
        Ok(())
    }

    /// Keeps a version of a draft; returns it with its id.
    pub fn save_draft(&mut self, draft: &SavedDraft) -> Result<SavedDraft> {
        self.require_incident(draft.incident_id)?;
        self.conn
            .execute(
                "INSERT INTO drafts (incident_id, kind, tone, customer, tz, subject, body, saved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    draft.incident_id,
                    draft.kind,
                    draft.tone,
                    draft.customer,
                    draft.tz,
                    draft.subject,
                    draft.body,
                    ms(draft.saved_at)
                ],
            )
            .map_err(|e| db(&self.path, e))?;
        Ok(SavedDraft {
            id: self.conn.last_insert_rowid(),
            ..draft.clone()
        })
    }

    /// The incident's saved drafts, newest first.
    pub fn drafts(&self, incident: i64) -> Result<Vec<SavedDraft>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, incident_id, kind, tone, customer, tz, subject, body, saved_at
                 FROM drafts WHERE incident_id = ?1 ORDER BY saved_at DESC, id DESC",
            )
            .map_err(|e| db(&self.path, e))?;
        let rows = stmt
            .query_map([incident], |r| {
                Ok(SavedDraft {
                    id: r.get(0)?,
                    incident_id: r.get(1)?,
                    kind: r.get(2)?,
                    tone: r.get(3)?,
                    customer: r.get(4)?,
                    tz: r.get(5)?,
                    subject: r.get(6)?,
                    body: r.get(7)?,
                    saved_at: from_ms(r.get(8)?),
                })
            })
            .map_err(|e| db(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| db(&self.path, e))
    }

    fn require_incident(&self, id: i64) -> Result<()> {
        match self.incident(id)? {
            Some(_) => Ok(()),
            None => Err(Error::NoSuchIncident(id)),
        }
    }
}
