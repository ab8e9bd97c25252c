//! Gatus's `config.yaml` (its README's "Endpoints", "Conditions" and "Client configuration"):
//! each of `endpoints` becomes a monitor. The URL's scheme says the kind (`http(s)://` a URL,
//! `tcp://` a TCP connect, `tls://` a certificate check, a `dns:` block a DNS query); the
//! conditions become `expect` keys where Klaxon has one, and each one that has none is listed
//! with its own text. `[CERTIFICATE_EXPIRATION] > 48h` on an `https://` endpoint adds a second
//! monitor, a `tls` check with `min_days`, because a Klaxon URL monitor does not look at the
//! certificate's dates.
//!
//! The file is read into a generic value, not into a struct, so that every key of an endpoint
//! is seen: the known ones are mapped and any other is listed by name.

use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value};

use super::spec::{Spec, fits, headers, hide_password, is_set, shown, text};
use super::{Candidate, Mapped, SkipReason, Unmapped, clean_name, origin};
use crate::config::bounds;
use crate::domain::states::MonitorKind;
use crate::error::{Error, Result};

mod conditions;
mod nesting;

/// Gatus's default interval, when an endpoint gives none (Klaxon's is 30s).
const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

pub(crate) fn map(text: &str, file: &Path) -> Result<Mapped> {
    let bad = |reason: String| Error::Import {
        file: file.to_path_buf(),
        reason,
    };
    if let Some(line) = nesting::too_deep(text) {
        return Err(bad(format!(
            "line {line}: it nests [ ] and {{ }} more than {} deep; a Gatus config never does",
            nesting::MAX_DEPTH
        )));
    }
    let mut yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| {
        bad(match e.location() {
            Some(at) => format!(
                "line {}, column {}: it is not valid YAML: {}",
                at.line(),
                at.column(),
                without_location(&e.to_string())
            ),
            None => format!("it is not valid YAML: {e}"),
        })
    })?;
    // `<<: *defaults`, as Gatus's own YAML reader applies it.
    yaml.apply_merge()
        .map_err(|e| bad(format!("its YAML merge keys cannot be applied: {e}")))?;
    let root: Value =
        serde_json::to_value(&yaml).map_err(|e| bad(format!("it is not a Gatus config: {e}")))?;
    let Some(root) = root.as_object() else {
        return Err(bad(
            "it is not a Gatus config: the top level is not a mapping".into(),
        ));
    };
    let Some(endpoints) = root.get("endpoints").and_then(Value::as_array) else {
        return Err(bad(
            "it is not a Gatus config: it has no `endpoints` list to import".into(),
        ));
    };
    super::check_count(file, endpoints.len())?;
    let mut mapped = Mapped::default();
    for (key, value) in root {
        if key != "endpoints" && is_set(value) {
            mapped
                .unmapped
                .push(Unmapped::new(key, "(the whole section)", top_level(key)));
        }
    }
    for (i, endpoint) in endpoints.iter().enumerate() {
        endpoint_of(i, endpoint, &mut mapped);
    }
    Ok(mapped)
}

/// serde_yaml's message ends with its own "at line 3 column 5"; the line is said first instead.
fn without_location(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

fn top_level(key: &str) -> &'static str {
    match key {
        "alerting" => {
            "is not imported: Klaxon rings on this machine and reaches further through [[channel]]s and [escalation]"
        }
        "maintenance" => "is not imported: write it as [[maintenance]] in klaxon.toml",
        "external-endpoints" => {
            "is not imported: pushed results have no Klaxon equivalent (a [[source]] receives alerts instead)"
        }
        "suites" => "is not imported: multi-step suites have no Klaxon equivalent",
        _ => "is Gatus's own setting and has no Klaxon equivalent",
    }
}

fn endpoint_of(i: usize, endpoint: &Value, mapped: &mut Mapped) {
    let empty = Map::new();
    let o = endpoint.as_object().unwrap_or(&empty);
    let raw_name = text(o, "name").unwrap_or("");
    let from = origin("endpoints", i, raw_name);
    let name = clean_name(raw_name, &from, &mut mapped.unmapped);
    let refuse = |mapped: &mut Mapped, reason, detail: String| {
        mapped.candidates.push(Candidate {
            from: from.clone(),
            name: name.clone(),
            spec: Err((reason, detail)),
        });
    };
    if name.is_empty() {
        return refuse(mapped, SkipReason::Invalid, "it has no name".into());
    }
    if o.get("enabled") == Some(&Value::Bool(false)) {
        return refuse(
            mapped,
            SkipReason::Disabled,
            "enabled: false in Gatus".into(),
        );
    }
    let url = hide_password(
        text(o, "url").unwrap_or(""),
        &name,
        &from,
        &mut mapped.unmapped,
    );
    let url = url.as_str();
    let mut extra = Vec::new();
    let spec = match kind_of(o, url, &from, &mut mapped.unmapped) {
        Ok(spec) => spec,
        Err(detail) => return refuse(mapped, SkipReason::Unsupported, detail),
    };
    let Some(mut spec) = spec else {
        return refuse(mapped, SkipReason::Invalid, "it has no url".into());
    };
    let unmapped = &mut mapped.unmapped;
    let every = o.get("interval").map_or(Ok(DEFAULT_INTERVAL), go_duration);
    match every {
        Ok(every) if bounds::EVERY.contains(every) => spec.every = Some(every),
        _ => unmapped.push(Unmapped::new(
            &from,
            format!(
                "interval {}",
                shown(o.get("interval").unwrap_or(&Value::Null))
            ),
            format!(
                "is not a duration Klaxon takes ({}); Klaxon's default 30s is used",
                bounds::EVERY.words
            ),
        )),
    }
    for (key, value) in o {
        match key.as_str() {
            "name" | "url" | "enabled" | "interval" | "dns" | "conditions" => {}
            "method" if spec.kind == MonitorKind::Http => {
                spec.method = text(o, "method")
                    .map(str::to_ascii_uppercase)
                    .filter(|m| m != "GET");
            }
            "headers" if spec.kind == MonitorKind::Http => {
                let pairs = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), String::from)))
                    .collect();
                spec.headers = headers(pairs, &name, &from, "headers", unmapped);
            }
            "body" if spec.kind == MonitorKind::Http => {
                // Not trimmed: a body's whitespace can matter to the server.
                let body = value.as_str().filter(|b| !b.trim().is_empty());
                spec.body = body.and_then(|b| fits(b, &from, "body", unmapped));
            }
            "client" => client(value, &mut spec, &from, unmapped),
            "alerts" => alerts(value, &from, unmapped),
            _ if is_set(value) => unmapped.push(Unmapped::new(
                &from,
                format!("{key} {}", shown(value)),
                "has no Klaxon equivalent",
            )),
            _ => {}
        }
    }
    let mut judged = conditions::Conditions::new(&from, &name);
    let list = o.get("conditions").and_then(Value::as_array);
    for condition in list.into_iter().flatten() {
        match condition.as_str() {
            Some(c) => judged.apply(c, &mut spec, &mut extra, unmapped),
            None => unmapped.push(Unmapped::new(
                &from,
                format!("condition {}", shown(condition)),
                "is not text",
            )),
        }
    }
    judged.settle(&mut spec, unmapped);
    environment(&spec, &from, unmapped);
    mapped.candidates.push(Candidate {
        from: from.clone(),
        name,
        spec: Ok(spec),
    });
    mapped
        .candidates
        .extend(extra.into_iter().map(|(name, spec)| Candidate {
            from: from.clone(),
            name,
            spec: Ok(spec),
        }));
}

/// Gatus expands `$VAR` and `${VAR}` from its environment before it reads the file; Klaxon
/// does not, so a value that uses one is written as it is and said.
fn environment(spec: &Spec, from: &str, unmapped: &mut Vec<Unmapped>) {
    let uses = |v: &str| {
        let v = v.replace("$$", "");
        v.match_indices('$').any(|(i, _)| {
            v[i + 1..]
                .chars()
                .next()
                .is_some_and(|c| c == '{' || c == '_' || c.is_ascii_alphabetic())
        })
    };
    let mut values = vec![("url".to_string(), spec.target.as_str())];
    values.extend(spec.body.as_deref().map(|b| ("body".to_string(), b)));
    values.extend(
        spec.headers
            .iter()
            .map(|(k, v)| (format!("headers.{k}"), v.as_str())),
    );
    for (field, value) in values.into_iter().filter(|(_, v)| uses(v)) {
        unmapped.push(Unmapped::new(
            from,
            format!("{field} {:?}", crate::text::bounded(value, 200).as_ref()),
            "uses an environment variable, which Gatus expands and Klaxon does not: written as it is",
        ));
    }
}

/// The kind of check, by the `dns` block or the URL's scheme. `Ok(None)`: no URL at all;
/// `Err`: a kind Klaxon has no equivalent of.
fn kind_of(
    o: &Map<String, Value>,
    url: &str,
    from: &str,
    unmapped: &mut Vec<Unmapped>,
) -> std::result::Result<Option<Spec>, String> {
    if let Some(dns) = o.get("dns").and_then(Value::as_object) {
        let query = text(dns, "query-name").unwrap_or("");
        let record = text(dns, "query-type").unwrap_or("A").to_ascii_uppercase();
        if !["A", "AAAA", "CNAME", "MX", "TXT", "NS"].contains(&record.as_str()) {
            return Err(format!(
                "a DNS query of type {:?} has no Klaxon equivalent (A, AAAA, CNAME, MX, TXT, NS)",
                crate::text::bounded(&record, 20)
            ));
        }
        let mut spec = Spec::new(MonitorKind::Dns, query);
        spec.record = (record != "A").then_some(record);
        let server = url
            .trim_start_matches("udp://")
            .trim_start_matches("tcp://");
        let resolver = server
            .parse::<std::net::IpAddr>()
            .map(|ip| std::net::SocketAddr::new(ip, 53))
            .or_else(|_| server.parse::<std::net::SocketAddr>());
        match resolver {
            Ok(addr) => spec.resolver = Some(addr.to_string()),
            Err(_) if !url.is_empty() => unmapped.push(Unmapped::new(
                from,
                format!("url {url:?} (the DNS server)"),
                "is not an IP address; Klaxon's resolver is one, so the system's resolver is used",
            )),
            Err(_) => {}
        }
        return Ok(Some(spec));
    }
    if url.is_empty() {
        return Ok(None);
    }
    let scheme = url
        .split_once("://")
        .map_or("", |(s, _)| s)
        .to_ascii_lowercase();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match scheme.as_str() {
        "http" | "https" => Ok(Some(Spec::new(MonitorKind::Http, url))),
        "tcp" => Ok(Some(Spec::new(
            MonitorKind::Tcp,
            rest.trim_end_matches('/'),
        ))),
        "tls" => Ok(Some(Spec::new(
            MonitorKind::Tls,
            rest.trim_end_matches('/'),
        ))),
        "" => Err(format!(
            "url {:?} has no scheme Klaxon knows (http, https, tcp, tls, or a dns block)",
            crate::text::bounded(url, 200)
        )),
        other => Err(format!(
            "{other}:// checks have no Klaxon equivalent (Klaxon checks http(s), tcp, tls and dns)"
        )),
    }
}

/// `client:`: what Klaxon has (`insecure`, `ignore-redirect`, `timeout`) is mapped, the rest
/// listed.
fn client(value: &Value, spec: &mut Spec, from: &str, unmapped: &mut Vec<Unmapped>) {
    let Some(o) = value.as_object() else { return };
    for (key, v) in o {
        match key.as_str() {
            "insecure" if spec.kind == MonitorKind::Http => {
                spec.verify_tls = (v.as_bool() == Some(true)).then_some(false);
            }
            "ignore-redirect" if spec.kind == MonitorKind::Http => {
                spec.max_redirects = (v.as_bool() == Some(true)).then_some(0);
            }
            "timeout" => match go_duration(v) {
                Ok(t) if bounds::TIMEOUT.contains(t) => spec.timeout = Some(t),
                _ => unmapped.push(Unmapped::new(
                    from,
                    format!("client.timeout {}", shown(v)),
                    format!("is not a timeout Klaxon takes ({})", bounds::TIMEOUT.words),
                )),
            },
            _ if is_set(v) => unmapped.push(Unmapped::new(
                from,
                format!("client.{key} {}", shown(v)),
                "has no Klaxon equivalent",
            )),
            _ => {}
        }
    }
}

/// `alerts:`: Klaxon's alarm and channels are global; each alert and its thresholds are listed.
fn alerts(value: &Value, from: &str, unmapped: &mut Vec<Unmapped>) {
    for (i, alert) in value.as_array().into_iter().flatten().enumerate() {
        let empty = Map::new();
        let o = alert.as_object().unwrap_or(&empty);
        let kind = text(o, "type").unwrap_or("?");
        unmapped.push(Unmapped::new(
            from,
            format!("alerts[{}] (type {kind:?})", i + 1),
            "is not imported: Klaxon rings on this machine and reaches further through [[channel]]s",
        ));
        for key in ["failure-threshold", "success-threshold"] {
            if let Some(v) = o.get(key) {
                let judge = if key == "failure-threshold" {
                    "confirm"
                } else {
                    "recover"
                };
                unmapped.push(Unmapped::new(
                    from,
                    format!("alerts[{}].{key} {}", i + 1, shown(v)),
                    format!(
                        "has no per-monitor equivalent in Klaxon ([judge] {judge} applies to every monitor)"
                    ),
                ));
            }
        }
    }
}

/// A Go duration (`"5m"`, `"1h30m"`, `"500ms"`), as Gatus writes intervals and timeouts; a bare
/// number is nanoseconds, as Go reads one.
pub(super) fn go_duration(v: &Value) -> std::result::Result<Duration, ()> {
    if let Some(n) = v.as_u64() {
        return Ok(Duration::from_nanos(n));
    }
    let text = v.as_str().ok_or(())?.trim();
    go_duration_text(text)
}

pub(super) fn go_duration_text(text: &str) -> std::result::Result<Duration, ()> {
    let mut total = 0f64;
    let mut rest = text;
    if rest.is_empty() {
        return Err(());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or(())?;
        let number: f64 = rest[..digits].parse().map_err(|_| ())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(()),
        };
        total += number * seconds;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).map_err(|_| ())
}
