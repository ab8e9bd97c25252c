//! The fields of one Uptime Kuma monitor whose type Klaxon checks: each into the monitor's
//! keys, or listed with its name (a credential's value never repeated).

use std::time::Duration;

use serde_json::{Map, Value};

use super::{AUTH, secret_field};
use crate::config::bounds;
use crate::config::import::Unmapped;
use crate::config::import::spec::{Spec, fits, headers, is_set, shown, text};
use crate::domain::states::MonitorKind;

/// What a field is read against: its monitor's other fields, type, name and place.
#[derive(Clone, Copy)]
pub(super) struct Monitor<'a> {
    pub o: &'a Map<String, Value>,
    pub kind: &'a str,
    pub name: &'a str,
    pub from: &'a str,
}

/// One field of a mapped monitor: into `spec` (or a certificate check into `extra`), or listed.
pub(super) fn field(
    m: Monitor<'_>,
    key: &str,
    value: &Value,
    spec: &mut Spec,
    extra: &mut Vec<(String, Spec)>,
    unmapped: &mut Vec<Unmapped>,
) {
    let Monitor {
        o,
        kind,
        name,
        from,
    } = m;
    let seconds = |v: &Value| {
        v.as_f64()
            .filter(|s| *s > 0.0)
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
    };
    let mut none = |note: &str| {
        let field = if secret_field(key) {
            format!("{key} (value not shown)")
        } else {
            format!("{key} {}", shown(value))
        };
        unmapped.push(Unmapped::new(from, field, note));
    };
    match key {
        "url" | "hostname" | "port" | "dns_resolve_type" | "dns_resolve_server"
        | "retryInterval" | "invertKeyword" | "expectedValue" | "httpBodyEncoding" => {}
        "interval" => match seconds(value) {
            Some(every) if bounds::EVERY.contains(every) => spec.every = Some(every),
            _ => none(&format!(
                "is not an interval Klaxon takes ({}); the default 30s is used",
                bounds::EVERY.words
            )),
        },
        "timeout" => match (seconds(value), spec.every) {
            (None, _) => {}
            (Some(t), every) if bounds::TIMEOUT.contains(t) && every.is_none_or(|e| t <= e) => {
                spec.timeout = Some(t);
            }
            _ => none(
                "is not a timeout Klaxon takes (at most 10m and at most the interval); the default is used",
            ),
        },
        "maxretries" if is_set(value) => {
            let retry = o.get("retryInterval").map(shown).unwrap_or_default();
            let note = format!(
                "(retryInterval {retry}) has no per-monitor equivalent in Klaxon ([judge] confirm and retry_every apply to every monitor)"
            );
            none(&note);
        }
        "method" => {
            spec.method = text(o, key)
                .map(str::to_ascii_uppercase)
                .filter(|m| m != "GET");
        }
        "headers" => match header_pairs(value) {
            Some(pairs) => {
                spec.headers
                    .extend(headers(pairs, name, from, "headers", unmapped));
            }
            None if is_set(value) => none("is not a JSON object of header names and values"),
            None => {}
        },
        "body" => {
            let Some(body) = value.as_str().filter(|b| !b.trim().is_empty()) else {
                return;
            };
            spec.body = fits(body, from, "body", unmapped);
            let content_type = match text(o, "httpBodyEncoding").unwrap_or("json") {
                "json" => Some("application/json"),
                "xml" => Some("text/xml; charset=utf-8"),
                "form" => Some("application/x-www-form-urlencoded"),
                _ => None,
            };
            let has = spec
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                || header_pairs(o.get("headers").unwrap_or(&Value::Null)).is_some_and(|p| {
                    p.iter()
                        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                });
            if let (Some(ct), false) = (content_type, has) {
                spec.headers.push(("Content-Type".into(), ct.into()));
            }
        }
        "accepted_statuscodes" => match status_range(value) {
            Some(range) if range != "200-299" => spec.status = Some(range),
            Some(_) => spec.status = Some("2xx".into()),
            None if is_set(value) => none(
                "is not one range of statuses, which is all Klaxon's expect.status holds; Klaxon's default (200-399) is used",
            ),
            None => {}
        },
        "maxredirects" => match value.as_i64() {
            Some(n) if bounds::REDIRECTS.contains(&n) => spec.max_redirects = Some(n),
            _ => none(&format!(
                "is not a redirect limit Klaxon takes ({})",
                bounds::REDIRECTS_WORDS
            )),
        },
        "ignoreTls" => spec.verify_tls = (value.as_bool() == Some(true)).then_some(false),
        "expiryNotification" if is_set(value) => {
            let url = url::Url::parse(&spec.target).ok();
            match url
                .as_ref()
                .filter(|u| u.scheme() == "https")
                .and_then(|u| Some((u.host_str()?.to_string(), u.port_or_known_default()?)))
            {
                Some((host, port)) => {
                    let mut tls = Spec::new(MonitorKind::Tls, format!("{host}:{port}"));
                    tls.every = spec.every;
                    extra.push((format!("{name} certificate"), tls));
                }
                None => none("has no Klaxon equivalent for a URL that is not https"),
            }
        }
        "keyword" if kind == "keyword" => {
            let Some(word) = text(o, key) else { return };
            let inverted = o.get("invertKeyword").is_some_and(is_set);
            let word = word.to_string();
            if inverted {
                spec.body_not_contains = Some(word);
            } else {
                spec.body_contains = Some(word);
            }
        }
        "jsonPath" => {
            let op = text(o, "jsonPathOperator").unwrap_or("==");
            let path = text(o, key).unwrap_or("");
            let simple = !path.is_empty()
                && path.trim_start_matches("$.").split('.').all(|k| {
                    !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
                });
            let expected = o.get("expectedValue").and_then(Value::as_str);
            match (simple, op, expected) {
                (true, "==", Some(expected)) => {
                    spec.json = Some((path.trim_start_matches("$.").to_string(), typed(expected)));
                }
                _ => {
                    let field = format!(
                        "jsonPath {} {op} expectedValue {}",
                        shown(value),
                        shown(o.get("expectedValue").unwrap_or(&Value::Null))
                    );
                    unmapped.push(Unmapped::new(
                        from,
                        field,
                        "has no Klaxon equivalent (Klaxon compares one dotted path for equality)",
                    ));
                }
            }
        }
        "jsonPathOperator" => {}
        "resendInterval" if is_set(value) => {
            none("has no Klaxon equivalent (Klaxon rings until someone acknowledges)")
        }
        "notificationIDList" if is_set(value) => none(
            "is not imported: Klaxon rings on this machine and reaches further through [[channel]]s",
        ),
        // The credentials of an authentication method, listed (values hidden) only when a
        // method is chosen: a backup carries them, with defaults, on every monitor.
        k if AUTH.contains(&k) => {
            let method = text(o, "authMethod").filter(|m| *m != "none");
            let oauth = method == Some("oauth2-cc");
            if method.is_some() && is_set(value) && (oauth || !k.starts_with("oauth_")) {
                none("has no Klaxon equivalent");
            }
        }
        "tags" if is_set(value) => {
            let names: Vec<&str> = value
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.get("name").and_then(Value::as_str))
                .collect();
            let field = format!("tags {}", shown(&Value::from(names)));
            unmapped.push(Unmapped::new(from, field, "have no Klaxon equivalent"));
        }
        "authMethod" if is_set(value) && value.as_str() != Some("none") => none(
            "has no Klaxon equivalent: put the credential in the keyring (`klaxon secret set NAME`) and send it as headers.Authorization = \"… {secret:NAME}\"",
        ),
        _ if is_set(value) => none("has no Klaxon equivalent"),
        _ => {}
    }
}

/// `headers`: a JSON object, written by Uptime Kuma as a string holding one.
fn header_pairs(value: &Value) -> Option<Vec<(String, String)>> {
    let parsed;
    let object = match value {
        Value::String(s) if !s.trim().is_empty() => {
            parsed = serde_json::from_str::<Value>(s).ok()?;
            parsed.as_object()?
        }
        Value::Object(o) => o,
        _ => return None,
    };
    Some(
        object
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), String::from)))
            .collect(),
    )
}

/// `["200-299"]`, or ranges that meet (`["200-299", "300-399"]`), as one range.
fn status_range(value: &Value) -> Option<String> {
    let mut ranges: Vec<(u16, u16)> = Vec::new();
    for code in value.as_array()? {
        let text = code.as_str().map_or(code.to_string(), String::from);
        let (low, high) = match text.split_once('-') {
            Some((l, h)) => (l.trim().parse().ok()?, h.trim().parse().ok()?),
            None => {
                let n = text.trim().parse().ok()?;
                (n, n)
            }
        };
        ranges.push((low, high));
    }
    ranges.sort_unstable();
    let (mut low, mut high) = *ranges.first()?;
    for (l, h) in ranges.into_iter().skip(1) {
        if l > high.saturating_add(1) {
            return None;
        }
        high = high.max(h);
    }
    low = low.max(100);
    Some(if low == high {
        low.to_string()
    } else {
        format!("{low}-{high}")
    })
}

/// Uptime Kuma compares the value as text; Klaxon compares JSON values, so a number or
/// `true`/`false` is written as one.
fn typed(expected: &str) -> Value {
    match expected.trim() {
        "true" => true.into(),
        "false" => false.into(),
        t => t
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| expected.into()),
    }
}
