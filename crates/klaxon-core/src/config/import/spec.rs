//! A monitor as an import maps it: the keys of a `[[monitor]]` table, each one optional, and
//! the table written from them. The mappers fill it; the config parser judges it.

use std::time::Duration;

use toml_edit::{InlineTable, Table, Value, value};

use crate::domain::states::MonitorKind;

/// The keys of one `[[monitor]]` table (see README's Configuration section).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Spec {
    pub kind: MonitorKind,
    /// `url`, `tcp`, `dns` or `tls`, by `kind`.
    pub target: String,
    pub every: Option<Duration>,
    pub timeout: Option<Duration>,
    pub method: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// `expect.status`: a code, a range (`200-299`) or a class (`2xx`).
    pub status: Option<String>,
    pub body_contains: Option<String>,
    pub body_not_contains: Option<String>,
    /// `expect.json`: a dotted path and the value it must equal.
    pub json: Option<(String, serde_json::Value)>,
    pub max_latency: Option<Duration>,
    /// `expect.records` of a DNS monitor.
    pub records: Vec<String>,
    pub record: Option<String>,
    pub resolver: Option<String>,
    pub max_redirects: Option<i64>,
    pub verify_tls: Option<bool>,
    pub min_days: Option<i64>,
}

impl Spec {
    pub fn new(kind: MonitorKind, target: impl Into<String>) -> Spec {
        Spec {
            kind,
            target: target.into(),
            ..Spec::default()
        }
    }

    /// The `[[monitor]]` table, keys in the order the README shows them.
    pub fn table(&self, name: &str) -> Table {
        let mut t = Table::new();
        t["name"] = value(name);
        let key = match self.kind {
            MonitorKind::Http => "url",
            MonitorKind::Tcp => "tcp",
            MonitorKind::Dns => "dns",
            MonitorKind::Tls => "tls",
        };
        t[key] = value(self.target.as_str());
        if let Some(every) = self.every {
            t["every"] = value(duration_text(every));
        }
        if let Some(timeout) = self.timeout {
            t["timeout"] = value(duration_text(timeout));
        }
        if let Some(method) = &self.method {
            t["method"] = value(method.as_str());
        }
        if !self.headers.is_empty() {
            let mut headers = InlineTable::new();
            for (k, v) in &self.headers {
                headers.insert(k, Value::from(v.as_str()));
            }
            t["headers"] = value(headers);
        }
        if let Some(body) = &self.body {
            t["body"] = value(body.as_str());
        }
        if let Some(record) = &self.record {
            t["record"] = value(record.as_str());
        }
        if let Some(resolver) = &self.resolver {
            t["resolver"] = value(resolver.as_str());
        }
        let expect = self.expect();
        if !expect.is_empty() {
            t["expect"] = value(expect);
        }
        if let Some(n) = self.max_redirects {
            t["max_redirects"] = value(n);
        }
        if let Some(verify) = self.verify_tls {
            t["verify_tls"] = value(verify);
        }
        if let Some(days) = self.min_days {
            t["min_days"] = value(days);
        }
        t
    }

    fn expect(&self) -> InlineTable {
        let mut e = InlineTable::new();
        if let Some(status) = &self.status {
            match status.parse::<i64>() {
                Ok(code) => e.insert("status", Value::from(code)),
                Err(_) => e.insert("status", Value::from(status.as_str())),
            };
        }
        if let Some(text) = &self.body_contains {
            e.insert("body_contains", Value::from(text.as_str()));
        }
        if let Some(text) = &self.body_not_contains {
            e.insert("body_not_contains", Value::from(text.as_str()));
        }
        if let Some((path, equals)) = &self.json {
            let mut json = InlineTable::new();
            json.insert("path", Value::from(path.as_str()));
            json.insert("equals", toml_value(equals));
            e.insert("json", Value::InlineTable(json));
        }
        if let Some(latency) = self.max_latency {
            e.insert("max_latency", Value::from(duration_text(latency)));
        }
        if !self.records.is_empty() {
            let list: toml_edit::Array = self.records.iter().map(String::as_str).collect();
            e.insert("records", Value::Array(list));
        }
        e
    }
}

/// A JSON scalar as TOML (the mappers only make strings, numbers and booleans).
fn toml_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(f)) => Value::from(f),
            _ => Value::from(n.to_string()),
        },
        serde_json::Value::String(s) => Value::from(s.as_str()),
        other => Value::from(other.to_string()),
    }
}

/// A duration the way klaxon.toml writes it: `"30s"`, `"5m"`, `"1h 30m"` (the Settings form's
/// words), or `"500ms"` when it is not whole seconds.
pub(crate) fn duration_text(d: Duration) -> String {
    let ms = d.as_millis();
    if !ms.is_multiple_of(1000) {
        return format!("{ms}ms");
    }
    crate::config::form::humantime(d)
}

/// Whether a field of the other tool's file says anything: null, `""`, `false`, `0`, `[]` and
/// `{}` are how both tools write "not used", and are not listed as unmapped.
pub(crate) fn is_set(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
        serde_json::Value::String(s) => !s.trim().is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
    }
}

/// A value of the file as a report quotes it: short, and a string in quotes.
pub(crate) fn shown(v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    crate::text::bound(text, 200)
}

/// A string field of an object (`None` when absent, empty or not a string).
pub(crate) fn text<'v>(
    o: &'v serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Option<&'v str> {
    o.get(key)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A value kept only when it fits [`super::VALUE_BYTES`]; a longer one is listed instead.
pub(crate) fn fits(
    value: &str,
    from: &str,
    field: &str,
    unmapped: &mut Vec<super::Unmapped>,
) -> Option<String> {
    if value.len() <= super::VALUE_BYTES {
        return Some(value.to_string());
    }
    unmapped.push(super::Unmapped::new(
        from,
        field.to_string(),
        format!(
            "is {} bytes, longer than the {} an import keeps; not imported",
            value.len(),
            super::VALUE_BYTES
        ),
    ));
    None
}

/// A header whose value is a credential: its value must go to the keyring, not klaxon.toml.
pub(crate) fn is_credential(header: &str) -> bool {
    let h = header.to_ascii_lowercase();
    [
        "authorization",
        "cookie",
        "token",
        "secret",
        "password",
        "api-key",
        "apikey",
        "x-api-key",
        "auth",
    ]
    .iter()
    .any(|word| h.contains(word))
}

/// The headers of an HTTP monitor, with every credential's value replaced by a
/// `{secret:NAME}` reference (and the command that stores it listed).
pub(crate) fn headers(
    pairs: Vec<(String, String)>,
    monitor: &str,
    from: &str,
    field: &str,
    unmapped: &mut Vec<super::Unmapped>,
) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .filter_map(|(k, v)| {
            let shown_key = crate::text::bound(k.clone(), 80);
            if !is_credential(&k) {
                return fits(&v, from, &format!("{field}.{shown_key}"), unmapped).map(|v| (k, v));
            }
            let name = secret_name(monitor, &k);
            unmapped.push(super::Unmapped::new(
                from,
                format!("{field}.{shown_key}"),
                format!(
                    "holds a credential, which Klaxon keeps in the keyring, never in klaxon.toml: \
                     written as {{secret:{name}}}; store its value with `klaxon secret set {name}`"
                ),
            ));
            Some((k, format!("{{secret:{name}}}")))
        })
        .collect()
}

/// A URL as an import writes it, its password never in the clear. On an `http(s)://` URL the
/// password becomes a `{secret:NAME}` reference (README: "A URL's password can be one too")
/// and the report says which `klaxon secret set NAME` to run; any other scheme's checks send
/// no credentials, so its user and password are left out (and said). Everything later — the
/// target in the report, an error quoting the URL — sees only what this returns.
pub(crate) fn hide_password(
    url: &str,
    monitor: &str,
    from: &str,
    unmapped: &mut Vec<super::Unmapped>,
) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let (userinfo, host_and_path) = (&rest[..at], &rest[at + 1..]);
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        unmapped.push(super::Unmapped::new(
            from,
            "url's user and password",
            format!("are left out: a {scheme}:// check sends no credentials"),
        ));
        return format!("{scheme}://{host_and_path}");
    }
    let Some((user, password)) = userinfo.split_once(':') else {
        return url.to_string();
    };
    let is_reference = password.starts_with("{secret:")
        && password.ends_with('}')
        && password.matches('{').count() == 1;
    if password.is_empty() || is_reference {
        return url.to_string();
    }
    let name = secret_name(monitor, "password");
    unmapped.push(super::Unmapped::new(
        from,
        "url's password",
        format!(
            "is a credential, which Klaxon keeps in the keyring, never in klaxon.toml: written \
             as {{secret:{name}}}; store its value with `klaxon secret set {name}`"
        ),
    ));
    format!("{scheme}://{user}:{{secret:{name}}}@{host_and_path}")
}

/// `api-authorization`: a keyring name (letters, digits, `-`, `_`, `.`; at most 64) made from
/// the monitor's and the header's names.
fn secret_name(monitor: &str, header: &str) -> String {
    let raw = format!("{monitor}-{header}").to_ascii_lowercase();
    let mut name = String::new();
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '_' | '.') {
            c
        } else {
            '-'
        };
        if !(c == '-' && (name.is_empty() || name.ends_with('-'))) {
            name.push(c);
        }
    }
    let name: String = name.trim_end_matches('-').chars().take(64).collect();
    if name.is_empty() {
        "imported-header".into()
    } else {
        name
    }
}
