//! Changes the Settings window makes to `klaxon.toml`, written into the file the user also edits
//! by hand. toml_edit keeps every comment, blank line and key order that the change does not
//! touch. Nothing is written unless the whole changed file parses: the running engine only ever
//! sees a valid file, and a refused change leaves the file exactly as it was.

use std::path::{Path, PathBuf};

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, value};

use super::form::{AlarmForm, FieldProblem, MonitorForm, monitor_problems};
use super::{Config, ConfigErrors};
use crate::domain::states::MonitorKind;
use crate::error::{Error, Result};
use strum::VariantArray;

/// The key of a monitor's table that says its kind and holds its target.
fn key_of(kind: MonitorKind) -> &'static str {
    match kind {
        MonitorKind::Http => "url",
        MonitorKind::Tcp => "tcp",
        MonitorKind::Dns => "dns",
        MonitorKind::Tls => "tls",
    }
}

/// The kind a monitor's table is of, by the target key it has (`url` when none: the config's
/// own check then says what is missing).
fn kind_of(t: &Table) -> MonitorKind {
    MonitorKind::VARIANTS
        .iter()
        .copied()
        .find(|kind| t.contains_key(key_of(*kind)))
        .unwrap_or(MonitorKind::Http)
}

/// `klaxon.toml`, open for editing.
#[derive(Debug, Clone)]
pub struct ConfigDocument {
    path: PathBuf,
    doc: DocumentMut,
}

impl ConfigDocument {
    /// Reads the file (a missing one reads as empty). A file toml cannot read is refused: the
    /// window must not overwrite what the user is in the middle of writing.
    pub fn read(path: &Path) -> Result<ConfigDocument> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(Error::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let doc = text.parse::<DocumentMut>().map_err(|e| {
            Error::Edit(format!(
                "{} cannot be read as TOML, so Klaxon will not change it: {}",
                path.display(),
                e.message()
            ))
        })?;
        Ok(ConfigDocument {
            path: path.to_path_buf(),
            doc,
        })
    }

    /// A document with nothing in it yet, as if at `path` (relative file names in it are
    /// relative to `path`'s directory).
    pub fn empty(path: &Path) -> ConfigDocument {
        ConfigDocument {
            path: path.to_path_buf(),
            doc: DocumentMut::new(),
        }
    }

    pub fn text(&self) -> String {
        self.doc.to_string()
    }

    /// Parses the document as it stands.
    pub fn parse(&self) -> std::result::Result<Config, ConfigErrors> {
        Config::parse(&self.text(), &self.path)
    }

    /// Every monitor as the form shows it, in file order.
    pub fn monitor_forms(&self) -> Vec<MonitorForm> {
        self.monitors()
            .map(|t| t.iter().map(form_of).collect())
            .unwrap_or_default()
    }

    /// Adds the form's monitor, or changes the one it was opened on (by `original_name`). The
    /// problems come from parsing the changed file, named by the form's fields.
    pub fn put_monitor(
        &mut self,
        form: &MonitorForm,
    ) -> std::result::Result<(), Vec<FieldProblem>> {
        let mut problems = Vec::new();
        if form.name.trim().is_empty() {
            problems.push(FieldProblem::new("name", "give the monitor a name"));
        }
        if form.target.trim().is_empty() {
            problems.push(FieldProblem::new("target", "say what to check"));
        }
        let key = key_of(form.kind);
        if !problems.is_empty() {
            return Err(problems);
        }
        let index = self.position(form.original_name.as_deref());
        let index = match index {
            Some(i) => i,
            None => self.push_new_monitor(Table::new()),
        };
        let Some(table) = self.monitors_mut().get_mut(index) else {
            return Err(vec![FieldProblem::new(
                "",
                "the monitor vanished while saving",
            )]);
        };
        fill(table, form, key);
        match self.parse() {
            Ok(_) => Ok(()),
            Err(errors) => Err(monitor_problems(&errors, index + 1)),
        }
    }

    /// The names of the monitors in the file, in file order.
    pub fn monitor_names(&self) -> Vec<String> {
        self.monitors()
            .map(|t| {
                t.iter()
                    .filter_map(|m| m.get("name").and_then(|n| n.as_str()))
                    .map(|n| n.trim().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Appends a monitor's whole table (an import); the caller parses the result.
    pub(crate) fn push_monitor_table(&mut self, table: Table) {
        self.push_new_monitor(table);
    }

    /// Adds a monitor table where a reader looks for it, and answers its index. After the last
    /// monitor when another table follows it (whose comments, above its header, stay with it).
    /// Otherwise at the very end of the file after a blank line: comments after the last table's
    /// keys are the document's trailing text to toml_edit, which it writes after every table,
    /// so without this the new table would cut them off from the table they belong to (the
    /// starter's commented `# witnesses = […]` would then land in the monitor).
    fn push_new_monitor(&mut self, mut table: Table) -> usize {
        let last = self
            .monitors()
            .and_then(|m| m.iter().last())
            .map(last_position);
        let end = last_position(self.doc.as_table());
        let at_end = match last {
            None => true,
            Some(last) => last >= end,
        };
        if at_end {
            table.set_position(Some(end.map_or(0, |p| p + 1)));
            let trailing = self.doc.trailing().as_str().unwrap_or("").trim_end();
            if !trailing.is_empty() {
                table.decor_mut().set_prefix(format!("{trailing}\n\n"));
                self.doc.set_trailing("");
            }
        }
        let monitors = self.monitors_mut();
        monitors.push(table);
        monitors.len() - 1
    }

    /// Removes a monitor by name; says so when there is none.
    pub fn delete_monitor(&mut self, name: &str) -> Result<()> {
        let index = self
            .position(Some(name))
            .ok_or_else(|| Error::Edit(format!("there is no monitor named {name:?}")))?;
        self.monitors_mut().remove(index);
        Ok(())
    }

    pub fn set_alarm(&mut self, form: &AlarmForm) {
        let alarm = table_mut(&mut self.doc, "alarm");
        put(alarm, "sound", Some(value(form.sound.trim())));
        // Two decimals: 0.6 rather than 0.6000000238418579.
        put(
            alarm,
            "start_volume",
            Some(value(
                (f64::from(form.start_volume) * 100.0).round() / 100.0,
            )),
        );
        put(
            alarm,
            "full_volume_after",
            Some(value(form.full_volume_after.trim())),
        );
        put(alarm, "harsh_after", Some(value(form.harsh_after.trim())));
        put(alarm, "awake_check", Some(value(form.awake_check)));
        put(
            alarm,
            "stop_on_recovery",
            Some(value(form.stop_on_recovery)),
        );
        put(
            alarm,
            "raise_system_volume",
            Some(value(form.raise_system_volume)),
        );
    }

    pub fn set_witnesses(&mut self, witnesses: &[String]) {
        let list: Array = witnesses
            .iter()
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .collect();
        table_mut(&mut self.doc, "judge")["witnesses"] = value(list);
    }

    /// Writes the document if it parses, replacing the file in one step (a crash mid-write
    /// leaves the old file, never half of the new one).
    ///
    /// A klaxon.toml that is a link to a dotfile repository is written through: the new text
    /// replaces the file the link points at (the temp file beside it, so the rename stays on
    /// one filesystem), and the link stays a link. The new file keeps the old one's permissions
    /// (a 600 config holding a webhook path stays 600), and a write that fails (a full disk)
    /// leaves no temp file behind.
    pub fn save(&self) -> Result<Config> {
        let config = self.parse().map_err(Error::Config)?;
        let io = |source| Error::Write {
            path: self.path.clone(),
            source,
        };
        let target = written_path(&self.path).map_err(io)?;
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut name = target.file_name().unwrap_or_default().to_os_string();
        name.push(".saving");
        let tmp = target.with_file_name(name);
        let permissions = std::fs::metadata(&target).ok().map(|m| m.permissions());
        let written = write_new(&tmp, &self.text(), permissions)
            .and_then(|()| std::fs::rename(&tmp, &target));
        if let Err(source) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(source));
        }
        Ok(config)
    }

    fn monitors(&self) -> Option<&ArrayOfTables> {
        self.doc.get("monitor")?.as_array_of_tables()
    }

    fn monitors_mut(&mut self) -> &mut ArrayOfTables {
        if !self.doc.contains_key("monitor") || self.doc["monitor"].as_array_of_tables().is_none() {
            self.doc["monitor"] = Item::ArrayOfTables(ArrayOfTables::new());
        }
        self.doc["monitor"]
            .as_array_of_tables_mut()
            .expect("just made an array of tables")
    }

    fn position(&self, name: Option<&str>) -> Option<usize> {
        let name = name?.trim();
        self.monitors()?
            .iter()
            .position(|t| t.get("name").and_then(|n| n.as_str()).map(str::trim) == Some(name))
    }
}

/// The largest position in the file of `t` and the tables inside it (`None`: all made here).
fn last_position(t: &Table) -> Option<isize> {
    t.iter()
        .flat_map(|(_, item)| match item {
            Item::Table(inner) => vec![last_position(inner)],
            Item::ArrayOfTables(array) => array.iter().map(last_position).collect(),
            _ => Vec::new(),
        })
        .chain([t.position()])
        .max()
        .flatten()
}

/// A top-level table, made (as a `[name]` section) when missing.
fn table_mut<'d>(doc: &'d mut DocumentMut, name: &str) -> &'d mut Table {
    if doc.get(name).and_then(Item::as_table).is_none() {
        doc[name] = Item::Table(Table::new());
    }
    doc[name].as_table_mut().expect("just made a table")
}

fn form_of(t: &Table) -> MonitorForm {
    let text = |key: &str| {
        t.get(key)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let kind = kind_of(t);
    let key = key_of(kind);
    let expect = t.get("expect").and_then(Item::as_table_like);
    let status = expect
        .and_then(|e| e.get("status"))
        .map(|s| match s.as_str() {
            Some(text) => text.to_string(),
            None => s
                .as_value()
                .map(|v| v.to_string().trim().to_string())
                .unwrap_or_default(),
        });
    let header = t
        .get("headers")
        .and_then(Item::as_table_like)
        .and_then(|h| {
            h.iter()
                .next()
                .map(|(k, v)| (k.to_string(), v.as_str().unwrap_or("").to_string()))
        });
    MonitorForm {
        original_name: Some(text("name")),
        name: text("name"),
        kind,
        target: text(key),
        every: text("every"),
        timeout: text("timeout"),
        expect_status: status.unwrap_or_default(),
        body_contains: expect
            .and_then(|e| e.get("body_contains"))
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string(),
        header_name: header.as_ref().map(|h| h.0.clone()).unwrap_or_default(),
        header_value: header.map(|h| h.1).unwrap_or_default(),
    }
}

/// Writes the form's fields into a monitor's table, leaving its other keys alone.
fn fill(t: &mut Table, form: &MonitorForm, key: &str) {
    put(t, "name", Some(value(form.name.trim())));
    for other in MonitorKind::VARIANTS.iter().map(|k| key_of(*k)) {
        if other != key {
            t.remove(other);
        }
    }
    put(t, key, Some(value(form.target.trim())));
    set_or_remove(t, "every", &form.every);
    set_or_remove(t, "timeout", &form.timeout);
    if form.kind != MonitorKind::Http {
        return;
    }
    let status = form.expect_status.trim();
    let status = match status.parse::<i64>() {
        Ok(code) => Some(value(code)),
        Err(_) => (!status.is_empty()).then(|| value(status)),
    };
    let body = form.body_contains.trim();
    let expect = sub_table(t, "expect");
    put(expect, "status", status);
    put(
        expect,
        "body_contains",
        (!body.is_empty()).then(|| value(body)),
    );
    if expect.is_empty() {
        t.remove("expect");
    }
    let name = form.header_name.trim();
    let headers = sub_table(t, "headers");
    // The form shows one header; with only that one in the file it replaces it, with several
    // it sets the named one and leaves the others.
    if headers.len() <= 1 {
        headers.clear();
    }
    put(
        headers,
        name,
        (!name.is_empty()).then(|| value(form.header_value.trim())),
    );
    if headers.is_empty() {
        t.remove("headers");
    }
}

fn set_or_remove(t: &mut Table, key: &str, text: &str) {
    let text = text.trim();
    put(t, key, (!text.is_empty()).then(|| value(text)));
}

/// Sets or removes one key. A changed value keeps the comment that followed the old one.
fn put(t: &mut dyn TableLike, key: &str, item: Option<Item>) {
    match item {
        Some(mut item) if !key.is_empty() => {
            if let (Some(new), Some(old)) =
                (item.as_value_mut(), t.get(key).and_then(Item::as_value))
            {
                *new.decor_mut() = old.decor().clone();
            }
            t.insert(key, item);
        }
        _ => {
            t.remove(key);
        }
    }
}

/// `expect` / `headers`: an inline table (`expect = { status = 200 }`) or a sub-table, made
/// inline when missing.
fn sub_table<'t>(t: &'t mut Table, key: &str) -> &'t mut dyn TableLike {
    if t.get(key).and_then(Item::as_table_like).is_none() {
        t[key] = value(InlineTable::new());
    }
    t[key].as_table_like_mut().expect("just made a table")
}

/// Channels and the escalation ladder.
#[path = "edit_channels.rs"]
mod channels;

/// Writing the file: through links, keeping its mode.
#[path = "edit_save.rs"]
mod save;
use save::{write_new, written_path};

/// Maintenance windows.
#[path = "edit_maintenance.rs"]
mod maintenance;

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;
