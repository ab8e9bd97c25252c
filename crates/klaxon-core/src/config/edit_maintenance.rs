//! The Settings window's changes to `[[maintenance]]`, in the same document and under the same
//! rules as monitors and channels: comments kept, nothing written unless the whole file parses.
//! Windows have no names, so they are addressed by their position in the file (1-based, as the
//! parser's errors count them); the window re-reads the list after each change.

use jiff::Timestamp;
use toml_edit::{Array, ArrayOfTables, Item, Table, value};

use super::{ConfigDocument, put, set_or_remove};
use crate::config::form::FieldProblem;
use crate::config::maintenance_form::{MaintenanceEntry, MaintenanceForm, maintenance_problems};
use crate::error::{Error, Result};

impl ConfigDocument {
    /// Every window as Settings shows it, in file order, as of `now`. A file that does not
    /// parse still lists its windows, without their times.
    pub fn maintenance_entries(&self, now: Timestamp) -> Vec<MaintenanceEntry> {
        let parsed = self.parse().ok();
        let forms: Vec<MaintenanceForm> = self
            .maintenance()
            .map(|t| t.iter().map(form_of).collect())
            .unwrap_or_default();
        forms
            .into_iter()
            .enumerate()
            .map(|(i, form)| {
                let window = parsed.as_ref().and_then(|c| c.maintenance.get(i));
                MaintenanceEntry::new(form, window, now)
            })
            .collect()
    }

    /// Adds a window (`position` `None`) or changes the one at `position` (1-based). The
    /// problems come from parsing the changed file, named by the form's fields.
    pub fn put_maintenance(
        &mut self,
        position: Option<usize>,
        form: &MaintenanceForm,
    ) -> std::result::Result<(), Vec<FieldProblem>> {
        let problems = form.early_problems();
        if !problems.is_empty() {
            return Err(problems);
        }
        let count = self.maintenance().map_or(0, ArrayOfTables::len);
        let index = match position {
            Some(p) if (1..=count).contains(&p) => p - 1,
            Some(p) => {
                let m = format!("there is no maintenance window number {p} (there are {count})");
                return Err(vec![FieldProblem::new("", m)]);
            }
            None => {
                self.maintenance_mut().push(Table::new());
                count
            }
        };
        let Some(table) = self.maintenance_mut().get_mut(index) else {
            return Err(vec![FieldProblem::new(
                "",
                "the window vanished while saving",
            )]);
        };
        fill(table, form);
        match self.parse() {
            Ok(_) => Ok(()),
            Err(errors) => Err(maintenance_problems(&errors, index + 1)),
        }
    }

    /// Removes the window at `position` (1-based).
    pub fn delete_maintenance(&mut self, position: usize) -> Result<()> {
        let count = self.maintenance().map_or(0, ArrayOfTables::len);
        if !(1..=count).contains(&position) {
            return Err(Error::Edit(format!(
                "there is no maintenance window number {position} (there are {count})"
            )));
        }
        let windows = self.maintenance_mut();
        windows.remove(position - 1);
        if windows.is_empty() {
            self.doc.remove("maintenance");
        }
        Ok(())
    }

    fn maintenance(&self) -> Option<&ArrayOfTables> {
        self.doc.get("maintenance")?.as_array_of_tables()
    }

    fn maintenance_mut(&mut self) -> &mut ArrayOfTables {
        if self
            .doc
            .get("maintenance")
            .and_then(Item::as_array_of_tables)
            .is_none()
        {
            self.doc["maintenance"] = Item::ArrayOfTables(ArrayOfTables::new());
        }
        self.doc["maintenance"]
            .as_array_of_tables_mut()
            .expect("just made an array of tables")
    }
}

fn form_of(t: &Table) -> MaintenanceForm {
    let text = |key: &str| {
        t.get(key)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    MaintenanceForm {
        cron: text("cron"),
        duration: text("duration"),
        timezone: text("timezone"),
        monitors: t
            .get("monitors")
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Writes the form's keys; an empty zone or monitor list is removed (the defaults: this
/// machine's zone, every monitor). Keys the form does not show are kept.
fn fill(t: &mut Table, form: &MaintenanceForm) {
    set_or_remove(t, "cron", &form.cron);
    set_or_remove(t, "duration", &form.duration);
    set_or_remove(t, "timezone", &form.timezone);
    let names: Vec<&str> = form
        .monitors
        .iter()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
        .collect();
    let list = (!names.is_empty()).then(|| value(names.into_iter().collect::<Array>()));
    put(t, "monitors", list);
}

#[cfg(test)]
#[path = "edit_maintenance_tests.rs"]
mod tests;
