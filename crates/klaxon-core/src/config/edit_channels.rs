//! The Settings window's changes to `[[channel]]` and `[escalation]`, in the same document (and
//! under the same rules) as the monitors: comments kept, nothing written unless the whole file
//! parses. A channel the ladder names cannot be deleted, and a renamed one is renamed in the
//! ladder too, so an edit never leaves the ladder pointing at nothing.

use toml_edit::{Array, ArrayOfTables, InlineTable, Item, Table, TableLike, Value, value};

use super::{ConfigDocument, put, set_or_remove, table_mut};
use crate::config::channel_form::{
    CHANNEL_KEYS, ChannelForm, ChannelSettings, EscalationForm, StepForm, channel_fields,
    channel_problems, escalation_problems,
};
use crate::config::form::FieldProblem;
use crate::domain::states::ChannelKind;
use crate::error::{Error, Result};

impl ConfigDocument {
    /// The channels and the ladder as the forms show them.
    pub fn channel_settings(&self) -> ChannelSettings {
        ChannelSettings {
            channels: self.channel_forms(),
            escalation: self.escalation_form(),
        }
    }

    /// Every channel as the form shows it, in file order.
    pub fn channel_forms(&self) -> Vec<ChannelForm> {
        self.channels()
            .map(|t| t.iter().map(channel_form_of).collect())
            .unwrap_or_default()
    }

    /// Adds the form's channel, or changes the one named `previous` (renaming it in the ladder
    /// too). The problems come from parsing the changed file, named by the form's fields.
    pub fn put_channel(
        &mut self,
        previous: Option<&str>,
        form: &ChannelForm,
    ) -> std::result::Result<(), Vec<FieldProblem>> {
        let problems = form.early_problems();
        if !problems.is_empty() {
            return Err(problems);
        }
        let index = previous.and_then(|p| self.channel_position(p));
        let channels = self.channels_mut();
        let index = index.unwrap_or_else(|| {
            channels.push(Table::new());
            channels.len() - 1
        });
        let Some(table) = channels.get_mut(index) else {
            return Err(vec![FieldProblem::new(
                "",
                "the channel vanished while saving",
            )]);
        };
        fill_channel(table, form);
        if let Some(old) = previous.map(str::trim) {
            let new = form.name.trim();
            if old != new {
                self.rename_in_ladder(old, new);
                self.rename_in_notify_on_sleep(old, new);
            }
        }
        match self.parse() {
            Ok(_) => Ok(()),
            Err(errors) => Err(channel_problems(&errors, index + 1, form.kind)),
        }
    }

    /// Removes a channel by name. Refused while a step of the ladder notifies it, or while
    /// `[heartbeat] notify_on_sleep` names it.
    pub fn delete_channel(&mut self, name: &str) -> Result<()> {
        let index = self
            .channel_position(name)
            .ok_or_else(|| Error::Edit(format!("there is no channel named {name:?}")))?;
        if self.notify_on_sleep_mut().is_some_and(|told| {
            told.iter()
                .any(|n| n.as_str().map(str::trim) == Some(name.trim()))
        }) {
            return Err(Error::Edit(format!(
                "{name} is told before the machine sleeps ([heartbeat] notify_on_sleep): take it \
                 out of that list first, then delete it"
            )));
        }
        if self.last_phone_told_on_sleep(index) {
            return Err(Error::Edit(format!(
                "{name} is the last ntfy or Pushover channel, which [heartbeat] notify_on_sleep = \
                 true tells before the machine sleeps: set notify_on_sleep to false or to a list \
                 first, then delete it"
            )));
        }
        let steps: Vec<String> = self
            .escalation_form()
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.notify.iter().any(|n| n.trim() == name.trim()))
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        if !steps.is_empty() {
            let which = if steps.len() == 1 {
                format!("step {}", steps[0])
            } else {
                format!("steps {}", steps.join(", "))
            };
            return Err(Error::Edit(format!(
                "{name} is notified by {which} of the escalation ladder: take it out of the \
                 ladder first, then delete it"
            )));
        }
        self.channels_mut().remove(index);
        Ok(())
    }

    /// The ladder as the form shows it (no steps when there is no `[escalation]` table).
    pub fn escalation_form(&self) -> EscalationForm {
        let Some(e) = self.doc.get("escalation").and_then(Item::as_table_like) else {
            return EscalationForm::default();
        };
        let text = |key: &str| e.get(key).and_then(Item::as_str).unwrap_or("").to_string();
        EscalationForm {
            steps: steps_of(e.get("steps"))
                .iter()
                .map(|s| step_form_of(*s))
                .collect(),
            repeat_every: text("repeat_every"),
            ack_timeout: text("ack_timeout"),
        }
    }

    /// Writes the ladder; with no steps the `[escalation]` table goes (the siren alone).
    pub fn set_escalation(
        &mut self,
        form: &EscalationForm,
    ) -> std::result::Result<(), Vec<FieldProblem>> {
        let problems = form.early_problems();
        if !problems.is_empty() {
            return Err(problems);
        }
        if form.steps.is_empty() {
            self.doc.remove("escalation");
            return Ok(());
        }
        let e = table_mut(&mut self.doc, "escalation");
        let mut steps: Array = form.steps.iter().map(step_value).collect();
        for step in steps.iter_mut() {
            step.decor_mut().set_prefix("\n  ");
        }
        steps.set_trailing_comma(true);
        steps.set_trailing("\n");
        put(e, "steps", Some(value(steps)));
        set_or_remove(e, "repeat_every", &form.repeat_every);
        set_or_remove(e, "ack_timeout", &form.ack_timeout);
        match self.parse() {
            Ok(_) => Ok(()),
            Err(errors) => Err(escalation_problems(&errors)),
        }
    }

    fn channels(&self) -> Option<&ArrayOfTables> {
        self.doc.get("channel")?.as_array_of_tables()
    }

    fn channels_mut(&mut self) -> &mut ArrayOfTables {
        if self
            .doc
            .get("channel")
            .and_then(Item::as_array_of_tables)
            .is_none()
        {
            self.doc["channel"] = Item::ArrayOfTables(ArrayOfTables::new());
        }
        self.doc["channel"]
            .as_array_of_tables_mut()
            .expect("just made an array of tables")
    }

    fn channel_position(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.channels()?
            .iter()
            .position(|t| t.get("name").and_then(Item::as_str).map(str::trim) == Some(name))
    }

    /// Whether the channel at `index` is the only phone channel (ntfy or Pushover) while
    /// `notify_on_sleep = true` tells every one: without it the file would not parse.
    fn last_phone_told_on_sleep(&self, index: usize) -> bool {
        let told_all = self
            .doc
            .get("heartbeat")
            .and_then(Item::as_table_like)
            .and_then(|h| h.get("notify_on_sleep"))
            .and_then(Item::as_bool)
            == Some(true);
        let phone = |t: &Table| {
            matches!(
                t.get("kind").and_then(Item::as_str).map(str::trim),
                Some("ntfy" | "pushover")
            )
        };
        let Some(channels) = self.channels() else {
            return false;
        };
        told_all
            && channels.get(index).is_some_and(phone)
            && channels.iter().filter(|t| phone(t)).count() == 1
    }

    /// The list `[heartbeat] notify_on_sleep` names, when it is one (not `true`).
    fn notify_on_sleep_mut(&mut self) -> Option<&mut Array> {
        self.doc
            .get_mut("heartbeat")
            .and_then(Item::as_table_like_mut)?
            .get_mut("notify_on_sleep")?
            .as_array_mut()
    }

    /// A `notify_on_sleep` entry naming `old` names `new` instead.
    fn rename_in_notify_on_sleep(&mut self, old: &str, new: &str) {
        let Some(told) = self.notify_on_sleep_mut() else {
            return;
        };
        for entry in told.iter_mut() {
            if entry.as_str().map(str::trim) == Some(old) {
                let decor = entry.decor().clone();
                *entry = Value::from(new);
                *entry.decor_mut() = decor;
            }
        }
    }

    /// Every `notify` entry naming `old` names `new` instead.
    fn rename_in_ladder(&mut self, old: &str, new: &str) {
        let Some(steps) = self
            .doc
            .get_mut("escalation")
            .and_then(Item::as_table_like_mut)
            .and_then(|e| e.get_mut("steps"))
        else {
            return;
        };
        let rename = |step: &mut dyn TableLike| {
            let Some(notify) = step.get_mut("notify").and_then(Item::as_array_mut) else {
                return;
            };
            for entry in notify.iter_mut() {
                if entry.as_str().map(str::trim) == Some(old) {
                    let decor = entry.decor().clone();
                    *entry = Value::from(new);
                    *entry.decor_mut() = decor;
                }
            }
        };
        match steps {
            Item::Value(Value::Array(a)) => a
                .iter_mut()
                .filter_map(Value::as_inline_table_mut)
                .for_each(|t| rename(t)),
            Item::ArrayOfTables(a) => a.iter_mut().for_each(|t| rename(t)),
            _ => {}
        }
    }
}

/// The steps of `steps = [{ … }]` or of `[[escalation.steps]]`.
fn steps_of(item: Option<&Item>) -> Vec<&dyn TableLike> {
    match item {
        Some(Item::Value(Value::Array(a))) => a
            .iter()
            .filter_map(|v| v.as_inline_table().map(|t| t as &dyn TableLike))
            .collect(),
        Some(Item::ArrayOfTables(a)) => a.iter().map(|t| t as &dyn TableLike).collect(),
        _ => Vec::new(),
    }
}

fn step_form_of(t: &dyn TableLike) -> StepForm {
    StepForm {
        after: t
            .get("after")
            .and_then(Item::as_str)
            .unwrap_or("")
            .to_string(),
        notify: t
            .get("notify")
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

fn step_value(step: &StepForm) -> Value {
    let mut t = InlineTable::new();
    t.insert("after", Value::from(step.after.trim()));
    let notify: Array = step
        .notify
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    t.insert("notify", Value::Array(notify));
    Value::InlineTable(t)
}

fn channel_form_of(t: &Table) -> ChannelForm {
    let text = |key: &str| t.get(key).and_then(Item::as_str).unwrap_or("").to_string();
    let kind = text("kind").trim().parse().unwrap_or(ChannelKind::Ntfy);
    ChannelForm {
        name: text("name"),
        kind,
        server: text("server"),
        topic: text("topic"),
        ack_topic: text("ack_topic"),
        token: text("token"),
        user: text("user"),
        api: text("api"),
        url: text("url"),
        secret: text("secret"),
        host: text("host"),
        port: t
            .get("port")
            .and_then(Item::as_integer)
            .map(|p| p.to_string())
            .unwrap_or_default(),
        starttls: t.get("starttls").and_then(Item::as_bool).unwrap_or(true),
        username: text("username"),
        password: text("password"),
        from: text("from"),
        to: match t.get("to") {
            Some(Item::Value(Value::Array(a))) => a
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            _ => text("to"),
        },
    }
}

/// Writes the form's fields into a channel's table: those of its kind set (or removed when
/// empty), those of other kinds removed, keys the form does not know left alone.
fn fill_channel(t: &mut Table, form: &ChannelForm) {
    put(t, "name", Some(value(form.name.trim())));
    put(t, "kind", Some(value(form.kind.as_str())));
    let fields = channel_fields(form.kind);
    for key in CHANNEL_KEYS {
        if !fields.contains(&key) {
            t.remove(key);
            continue;
        }
        match key {
            "port" => {
                let port = form.port.trim().parse::<i64>().ok();
                put(t, key, port.map(value));
            }
            // On by default: written only when off, or when the file already says it.
            "starttls" => {
                let keep = !form.starttls || t.contains_key(key);
                put(t, key, keep.then(|| value(form.starttls)));
            }
            "to" => {
                let to: Array = form.to_addresses().into_iter().collect();
                put(t, key, (!to.is_empty()).then(|| value(to)));
            }
            _ => set_or_remove(t, key, form.field(key)),
        }
    }
}

#[cfg(test)]
#[path = "edit_channels_tests.rs"]
mod tests;
