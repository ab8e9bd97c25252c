//! `[[channel]]`: the ways an incident reaches past the laptop. Each has a `name` (what the
//! `[escalation]` ladder calls it) and a `kind`; every URL, token and key may be a
//! `{secret:NAME}` from the keyring, resolved only when a message is sent, so no secret is ever
//! held in the config Klaxon keeps or shows.

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::Collector;
use crate::domain::states::ChannelKind;
use crate::secrets;

/// ntfy's public server, the default for `kind = "ntfy"`.
pub const NTFY_SH: &str = "https://ntfy.sh";
/// Pushover's API, the default `api` for `kind = "pushover"`.
pub const PUSHOVER_API: &str = "https://api.pushover.net";

/// A channel as the config describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelConfig {
    pub name: String,
    pub target: ChannelTarget,
}

impl ChannelConfig {
    pub fn kind(&self) -> ChannelKind {
        match self.target {
            ChannelTarget::Ntfy { .. } => ChannelKind::Ntfy,
            ChannelTarget::Webhook { .. } => ChannelKind::Webhook,
            ChannelTarget::Slack { .. } => ChannelKind::Slack,
            ChannelTarget::Discord { .. } => ChannelKind::Discord,
            ChannelTarget::Pushover { .. } => ChannelKind::Pushover,
            ChannelTarget::Email { .. } => ChannelKind::Email,
        }
    }
}

/// Where and how a channel delivers. Text that may be a `{secret:NAME}` is kept as written.
#[derive(Debug, Clone, PartialEq)]
pub enum ChannelTarget {
    Ntfy {
        /// The server's base URL, without a trailing slash.
        server: String,
        topic: String,
        token: Option<String>,
        /// Where the phone's Acknowledge button posts, and Klaxon listens.
        ack_topic: Option<String>,
    },
    Webhook {
        url: String,
        /// Signs each body with HMAC-SHA256 when set.
        secret: Option<String>,
    },
    /// A Slack incoming webhook's URL (usually a `{secret:NAME}`: it is the credential).
    Slack { url: String },
    /// A Discord webhook's URL (likewise).
    Discord { url: String },
    Pushover {
        /// Pushover's API base URL (default [`PUSHOVER_API`]).
        api: String,
        /// The user (or group) key the alerts go to.
        user: String,
        /// The application's API token.
        token: String,
    },
    Email {
        host: String,
        port: u16,
        /// STARTTLS (the default); off only for a relay on this machine.
        starttls: bool,
        username: Option<String>,
        /// May be a `{secret:NAME}`.
        password: Option<String>,
        from: String,
        to: Vec<String>,
        /// A PEM file of extra roots for the server's certificate (a company's own CA).
        ca_file: Option<std::path::PathBuf>,
    },
}

/// The most addresses one email channel sends to: a team, not a mailing list.
pub const MAX_RECIPIENTS: usize = 50;

#[derive(Deserialize)]
pub(super) struct RawChannel {
    name: Spanned<String>,
    kind: Spanned<String>,
    server: Option<Spanned<String>>,
    topic: Option<Spanned<String>>,
    token: Option<Spanned<String>>,
    ack_topic: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    secret: Option<Spanned<String>>,
    user: Option<Spanned<String>>,
    api: Option<Spanned<String>>,
    host: Option<Spanned<String>>,
    port: Option<Spanned<i64>>,
    starttls: Option<bool>,
    username: Option<String>,
    password: Option<String>,
    from: Option<Spanned<String>>,
    #[serde(default)]
    to: Vec<Spanned<String>>,
    ca_file: Option<String>,
}

impl RawChannel {
    pub(super) fn name(&self) -> &Spanned<String> {
        &self.name
    }

    pub(super) fn validate(&self, field: &str, errs: &mut Collector) -> Option<ChannelConfig> {
        let name = self.name.get_ref().trim().to_string();
        if name.is_empty()
            || name.len() > 64
            || name == "siren"
            || name.chars().any(crate::text::is_hostile)
        {
            let m = "give the channel a name of 1 to 64 characters other than \"siren\" (the \
                     built-in alarm), without control characters"
                .to_string();
            errs.push(self.name.span(), &format!("{field}.name"), m);
            return None;
        }
        let kind = match self.kind.get_ref().trim().parse::<ChannelKind>() {
            Ok(kind) => kind,
            Err(_) => {
                let m = format!(
                    "{:?} is not a channel kind; use ntfy, pushover, webhook, slack, discord or email",
                    crate::text::bounded(self.kind.get_ref(), 40)
                );
                errs.push(self.kind.span(), &format!("{field}.kind"), m);
                return None;
            }
        };
        if !self.keys_of(kind, field, errs) {
            return None;
        }
        let target = match kind {
            ChannelKind::Ntfy => self.ntfy(field, errs)?,
            ChannelKind::Webhook => self.webhook(field, errs)?,
            ChannelKind::Slack => ChannelTarget::Slack {
                url: self.url_of("a slack", field, errs)?,
            },
            ChannelKind::Discord => ChannelTarget::Discord {
                url: self.url_of("a discord", field, errs)?,
            },
            ChannelKind::Pushover => self.pushover(field, errs)?,
            ChannelKind::Email => self.email(field, errs)?,
        };
        Some(ChannelConfig { name, target })
    }

    /// Whether every key given belongs to `kind`: a `topic` on a webhook, or a password on an
    /// ntfy channel, would be silently ignored (and a credential left lying in the file).
    fn keys_of(&self, kind: ChannelKind, field: &str, errs: &mut Collector) -> bool {
        let at = |s: &Option<Spanned<String>>| s.as_ref().map(Spanned::span);
        let other = self.kind.span();
        let given = [
            ("server", at(&self.server)),
            ("topic", at(&self.topic)),
            ("token", at(&self.token)),
            ("ack_topic", at(&self.ack_topic)),
            ("url", at(&self.url)),
            ("secret", at(&self.secret)),
            ("user", at(&self.user)),
            ("api", at(&self.api)),
            ("host", at(&self.host)),
            ("port", self.port.as_ref().map(Spanned::span)),
            ("starttls", self.starttls.map(|_| other.clone())),
            ("username", self.username.as_ref().map(|_| other.clone())),
            ("password", self.password.as_ref().map(|_| other.clone())),
            ("from", at(&self.from)),
            ("to", self.to.first().map(Spanned::span)),
            ("ca_file", self.ca_file.as_ref().map(|_| other.clone())),
        ];
        let own = super::channel_form::channel_fields(kind);
        let mut fine = true;
        for (key, span) in given {
            let Some(span) = span else { continue };
            if own.contains(&key) || (kind == ChannelKind::Email && key == "ca_file") {
                continue;
            }
            let a = if kind == ChannelKind::Ntfy { "an" } else { "a" };
            let m = format!(
                "{a} {} channel has no {key} (its keys: {})",
                kind.as_str(),
                own.join(", ")
            );
            errs.push(span, &format!("{field}.{key}"), m);
            fine = false;
        }
        fine
    }

    fn ntfy(&self, field: &str, errs: &mut Collector) -> Option<ChannelTarget> {
        let server = match &self.server {
            None => NTFY_SH.to_string(),
            Some(s) => http_url(s, &format!("{field}.server"), errs)?
                .trim_end_matches('/')
                .to_string(),
        };
        let Some(topic) = &self.topic else {
            let m = "an ntfy channel needs a topic".to_string();
            errs.push(self.name.span(), &format!("{field}.topic"), m);
            return None;
        };
        let topic = ntfy_topic(topic, &format!("{field}.topic"), errs)?;
        let ack_topic = match &self.ack_topic {
            None => None,
            Some(t) => Some(ntfy_topic(t, &format!("{field}.ack_topic"), errs)?),
        };
        if ack_topic.as_deref() == Some(topic.as_str()) {
            let m =
                "the ack topic must differ from the topic (each alert would acknowledge itself)";
            let span = self
                .ack_topic
                .as_ref()
                .map_or(self.name.span(), |t| t.span());
            errs.push(span, &format!("{field}.ack_topic"), m.to_string());
            return None;
        }
        Some(ChannelTarget::Ntfy {
            server,
            topic,
            token: self.token.as_ref().map(|t| t.get_ref().trim().to_string()),
            ack_topic,
        })
    }

    fn webhook(&self, field: &str, errs: &mut Collector) -> Option<ChannelTarget> {
        Some(ChannelTarget::Webhook {
            url: self.url_of("a webhook", field, errs)?,
            secret: self.secret.as_ref().map(|s| s.get_ref().to_string()),
        })
    }

    fn pushover(&self, field: &str, errs: &mut Collector) -> Option<ChannelTarget> {
        let api = match &self.api {
            None => PUSHOVER_API.to_string(),
            Some(a) => http_url(a, &format!("{field}.api"), errs)?,
        };
        let mut key = |value: &Option<Spanned<String>>, name: &str| match value {
            Some(v) if !v.get_ref().trim().is_empty() => Some(v.get_ref().trim().to_string()),
            _ => {
                let m = format!("a pushover channel needs a {name}");
                errs.push(self.name.span(), &format!("{field}.{name}"), m);
                None
            }
        };
        let (user, token) = (key(&self.user, "user"), key(&self.token, "token"));
        Some(ChannelTarget::Pushover {
            api,
            user: user?,
            token: token?,
        })
    }

    fn email(&self, field: &str, errs: &mut Collector) -> Option<ChannelTarget> {
        let mut missing = |what: &str| {
            let m = format!("an email channel needs {what}");
            let key = what.split_whitespace().last().unwrap_or(what);
            errs.push(self.name.span(), &format!("{field}.{key}"), m);
        };
        let host = self.host.as_ref().map(|h| h.get_ref().trim().to_string());
        let from = self.from.as_ref().map(|f| f.get_ref().trim().to_string());
        if host.as_deref().is_none_or(str::is_empty) {
            missing("a host");
        }
        if from.as_deref().is_none_or(str::is_empty) {
            missing("a from");
        }
        if self.to.is_empty() {
            missing("at least one address in to");
        }
        if let Some(extra) = self.to.get(MAX_RECIPIENTS) {
            let m = format!(
                "{} addresses; give at most {MAX_RECIPIENTS} (a list address reaches more)",
                self.to.len()
            );
            errs.push(extra.span(), &format!("{field}.to"), m);
            return None;
        }
        let port = match &self.port {
            None => Some(587),
            Some(p) => errs.count(
                &Some(p.clone()),
                &format!("{field}.port"),
                1..=65535,
                "from 1 to 65535",
            ),
        };
        Some(ChannelTarget::Email {
            host: host.filter(|h| !h.is_empty())?,
            port: port?,
            starttls: self.starttls.unwrap_or(true),
            username: self.username.clone(),
            password: self.password.clone(),
            from: from.filter(|f| !f.is_empty())?,
            to: (!self.to.is_empty()).then(|| {
                self.to
                    .iter()
                    .map(|t| t.get_ref().trim().to_string())
                    .collect()
            })?,
            ca_file: self.ca_file.as_ref().map(std::path::PathBuf::from),
        })
    }

    /// The channel's `url`, which `what` ("a webhook") needs.
    fn url_of(&self, what: &str, field: &str, errs: &mut Collector) -> Option<String> {
        let Some(url) = &self.url else {
            let m = format!("{what} channel needs a url");
            errs.push(self.name.span(), &format!("{field}.url"), m);
            return None;
        };
        http_url(url, &format!("{field}.url"), errs)
    }
}

/// An http(s) URL, or a `{secret:NAME}` standing for one (checked when it is sent).
pub(super) fn http_url(
    value: &Spanned<String>,
    field: &str,
    errs: &mut Collector,
) -> Option<String> {
    let text = value.get_ref().trim();
    if secrets::is_reference(text) || !secrets::references(text).is_empty() {
        return Some(text.to_string());
    }
    match Url::parse(text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Some(text.to_string())
        }
        // Never the URL itself: it may hold a credential (a user and password, a token in
        // its path or query). Its scheme alone says what is wrong.
        Ok(u) if !matches!(u.scheme(), "http" | "https") => {
            let scheme = crate::text::bounded(u.scheme(), 16);
            let m = format!("\"{scheme}:\" is not http(s); write it like \"https://host/path\"");
            errs.push(value.span(), field, m);
            None
        }
        _ => {
            let m = "not an http(s) URL; write it like \"https://host/path\"".to_string();
            errs.push(value.span(), field, m);
            None
        }
    }
}

/// ntfy's topic names: 1 to 64 of letters, digits, `-` and `_`.
fn ntfy_topic(value: &Spanned<String>, field: &str, errs: &mut Collector) -> Option<String> {
    let topic = value.get_ref().trim();
    let valid = (1..=64).contains(&topic.len())
        && topic
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        return Some(topic.to_string());
    }
    let m = format!(
        "{:?} is not an ntfy topic; use 1 to 64 letters, digits, - or _",
        crate::text::bounded(topic, 80)
    );
    errs.push(value.span(), field, m);
    None
}
