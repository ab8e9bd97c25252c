//! `[[channel]]` and `[escalation]` as the Settings window edits them: every field a string the
//! way a person types it, and the file's located errors turned into "this field: this problem".
//! A credential is never a field's value: the form holds a `{secret:NAME}` reference and the
//! value goes to the keyring (the `set_secret` command), so klaxon.toml never holds a token.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::ConfigErrors;
use super::form::FieldProblem;
use crate::domain::states::ChannelKind;
use crate::secrets;

/// A channel as the Settings form edits it. Only the fields of its `kind` are written; the
/// others are ignored (and removed from the file when the kind changes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct ChannelForm {
    /// What the escalation ladder calls it, like "phone".
    pub name: String,
    pub kind: ChannelKind,
    /// ntfy: the server's base URL; empty for ntfy.sh.
    pub server: String,
    /// ntfy: the topic the phone subscribes to.
    pub topic: String,
    /// ntfy: where the phone's Acknowledge button posts; empty for no button.
    pub ack_topic: String,
    /// ntfy (optional) and pushover: a `{secret:NAME}`.
    pub token: String,
    /// pushover: the user (or group) key.
    pub user: String,
    /// pushover: the API's base URL; empty for Pushover's own.
    pub api: String,
    /// webhook: an http(s) URL; slack and discord: a `{secret:NAME}` (the URL is the credential).
    pub url: String,
    /// webhook: a `{secret:NAME}` to sign each body with; empty for unsigned.
    pub secret: String,
    /// email: the SMTP server.
    pub host: String,
    /// email: empty for 587.
    pub port: String,
    pub starttls: bool,
    pub username: String,
    /// email: a `{secret:NAME}`.
    pub password: String,
    pub from: String,
    /// email: one or more addresses, separated by commas.
    pub to: String,
}

impl Default for ChannelForm {
    fn default() -> Self {
        ChannelForm {
            name: String::new(),
            kind: ChannelKind::Ntfy,
            server: String::new(),
            topic: String::new(),
            ack_topic: String::new(),
            token: String::new(),
            user: String::new(),
            api: String::new(),
            url: String::new(),
            secret: String::new(),
            host: String::new(),
            port: String::new(),
            starttls: true,
            username: String::new(),
            password: String::new(),
            from: String::new(),
            to: String::new(),
        }
    }
}

/// Every key a channel's table may have besides `name` and `kind`.
pub(super) const CHANNEL_KEYS: [&str; 15] = [
    "server",
    "topic",
    "ack_topic",
    "token",
    "user",
    "api",
    "url",
    "secret",
    "host",
    "port",
    "starttls",
    "username",
    "password",
    "from",
    "to",
];

/// The keys (and form fields) a kind of channel uses.
pub fn channel_fields(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Ntfy => &["server", "topic", "ack_topic", "token"],
        ChannelKind::Pushover => &["user", "token", "api"],
        ChannelKind::Webhook => &["url", "secret"],
        ChannelKind::Slack | ChannelKind::Discord => &["url"],
        ChannelKind::Email => &[
            "host", "port", "starttls", "username", "password", "from", "to",
        ],
    }
}

/// The fields of a kind that are credentials: each must be a `{secret:NAME}`.
fn secret_fields(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Ntfy | ChannelKind::Pushover => &["token"],
        ChannelKind::Webhook => &["secret"],
        ChannelKind::Slack | ChannelKind::Discord => &["url"],
        ChannelKind::Email => &["password"],
    }
}

impl ChannelForm {
    /// A field's text by its name ("" for one the form does not have, or a flag).
    pub fn field(&self, name: &str) -> &str {
        match name {
            "name" => &self.name,
            "server" => &self.server,
            "topic" => &self.topic,
            "ack_topic" => &self.ack_topic,
            "token" => &self.token,
            "user" => &self.user,
            "api" => &self.api,
            "url" => &self.url,
            "secret" => &self.secret,
            "host" => &self.host,
            "port" => &self.port,
            "username" => &self.username,
            "password" => &self.password,
            "from" => &self.from,
            "to" => &self.to,
            _ => "",
        }
    }

    /// The addresses of `to`, trimmed, blanks dropped.
    pub fn to_addresses(&self) -> Vec<String> {
        self.to
            .split([',', '\n'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(String::from)
            .collect()
    }

    /// What is wrong before the file is even parsed: a missing name, a credential typed as
    /// itself rather than as a secret's name, a port that is not a number.
    pub fn early_problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(FieldProblem::new("name", "give the channel a name"));
        }
        for field in secret_fields(self.kind) {
            let text = self.field(field).trim();
            if !text.is_empty() && !secrets::is_reference(text) {
                let m = format!(
                    "write {{secret:NAME}} here and set its value under Secrets: a {} is kept in \
                     the keyring, never in klaxon.toml",
                    if *field == "url" {
                        "webhook URL"
                    } else {
                        field
                    }
                );
                problems.push(FieldProblem::new(field, m));
            }
        }
        if self.kind == ChannelKind::Email {
            let port = self.port.trim();
            if !port.is_empty() && port.parse::<i64>().is_err() {
                problems.push(FieldProblem::new(
                    "port",
                    "a port is a number from 1 to 65535",
                ));
            }
        }
        problems
    }
}

/// One rung of the ladder as the form edits it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct StepForm {
    /// From the incident opening, like "3m".
    pub after: String,
    /// "siren" or channel names.
    pub notify: Vec<String>,
}

/// The `[escalation]` table as the form edits it; no steps means no table (the siren alone).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct EscalationForm {
    pub steps: Vec<StepForm>,
    /// Like "15m"; empty for never.
    pub repeat_every: String,
    /// Like "30m"; empty for never.
    pub ack_timeout: String,
}

impl EscalationForm {
    /// A step without a time or without anyone to notify, named by its field (`steps[2].after`).
    pub fn early_problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            if step.after.trim().is_empty() {
                let field = format!("steps[{}].after", i + 1);
                problems.push(FieldProblem::new(&field, "say when, like 3m"));
            }
            if step.notify.iter().all(|n| n.trim().is_empty()) {
                let field = format!("steps[{}].notify", i + 1);
                problems.push(FieldProblem::new(&field, "choose whom to notify"));
            }
        }
        problems
    }
}

/// The channels and the ladder, for the Settings view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct ChannelSettings {
    pub channels: Vec<ChannelForm>,
    pub escalation: EscalationForm,
}

/// The file's errors about the channel at `index` (1-based), named by the form's fields; the
/// rest reported whole (they would stop the save just the same).
pub fn channel_problems(
    errors: &ConfigErrors,
    index: usize,
    kind: ChannelKind,
) -> Vec<FieldProblem> {
    let prefix = format!("channel[{index}].");
    problems_under(errors, &prefix, |key| {
        let key = key.split('.').next().unwrap_or("");
        (key == "name" || key == "kind" || channel_fields(kind).contains(&key)).then_some(key)
    })
}

/// The file's errors about `[escalation]`, named like the form's fields (`steps[2].notify`,
/// `repeat_every`).
pub fn escalation_problems(errors: &ConfigErrors) -> Vec<FieldProblem> {
    problems_under(errors, "escalation.", Some)
}

fn problems_under<'k>(
    errors: &'k ConfigErrors,
    prefix: &str,
    field: impl Fn(&'k str) -> Option<&'k str>,
) -> Vec<FieldProblem> {
    errors
        .errors
        .iter()
        .map(|e| match e.field.strip_prefix(prefix).and_then(&field) {
            Some(name) => FieldProblem::new(name, &e.message),
            None if e.field.is_empty() => FieldProblem::new("", &e.message),
            None => FieldProblem::new("", format!("line {}: {}: {}", e.line, e.field, e.message)),
        })
        .collect()
}
