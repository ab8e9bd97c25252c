//! Uptime Kuma's JSON backup (Settings → Backup → Export in Uptime Kuma 1.x; the export was
//! dropped in 2.0): `{version, notificationList, monitorList}`, each monitor as its
//! `Monitor.toJSON()` gives it. The `http`, `keyword`, `json-query`, `port` and `dns` monitors
//! have Klaxon equivalents; every other type (ping, push, docker, databases…) is skipped by
//! name.
//!
//! A backup carries every field of every monitor type on every monitor (`packetSize` on an
//! HTTP monitor, `dns_resolve_server` on a keyword one): a field is listed as unmapped only when
//! its monitor's type uses it and it is set. Fields that are the running server's state (`id`,
//! `weight`, `maintenance`, `dns_last_result`…) say nothing about what to check. A credential
//! (`basic_auth_pass`, `oauth_client_secret`…) is named but its value is never repeated.

use std::path::Path;

use serde_json::{Map, Value};

use super::spec::{Spec, hide_password, is_set, text};
use super::{Candidate, Mapped, SkipReason, Unmapped, clean_name, origin};
use crate::domain::states::MonitorKind;
use crate::error::{Error, Result};

mod fields;
use fields::field;

/// The running server's state, not configuration.
const STATE: &[&str] = &[
    "id",
    "pathName",
    "childrenIDs",
    "forceInactive",
    "maintenance",
    "dns_last_result",
    "screenshot",
    "includeSensitiveData",
    "weight",
    "active",
    "type",
    "name",
];
/// The fields of HTTP-like monitors (`http`, `keyword`, `json-query`).
const HTTP: &[&str] = &[
    "url",
    "method",
    "headers",
    "body",
    "httpBodyEncoding",
    "authMethod",
    "basic_auth_user",
    "basic_auth_pass",
    "oauth_client_id",
    "oauth_client_secret",
    "oauth_token_url",
    "oauth_scopes",
    "oauth_auth_method",
    "authWorkstation",
    "authDomain",
    "tlsCa",
    "tlsCert",
    "tlsKey",
    "maxredirects",
    "accepted_statuscodes",
    "ignoreTls",
    "expiryNotification",
    "proxyId",
];
/// The credentials of `authMethod` (basic, ntlm, oauth2-cc).
const AUTH: &[&str] = &[
    "basic_auth_user",
    "basic_auth_pass",
    "oauth_client_id",
    "oauth_client_secret",
    "oauth_token_url",
    "oauth_scopes",
    "oauth_auth_method",
    "authWorkstation",
    "authDomain",
];
/// Fields of monitor types Klaxon skips whole (their skip says why).
const OTHER_TYPES: &[&str] = &[
    "packetSize",
    "docker_container",
    "docker_host",
    "databaseQuery",
    "databaseConnectionString",
    "game",
    "gamedigGivenPortOnly",
    "pushToken",
];
const OTHER_PREFIXES: &[&str] = &["mqtt", "grpc", "radius", "kafkaProducer"];

/// Whether a monitor of `kind` uses the field `key` (unknown fields count as used).
fn relevant(key: &str, kind: &str) -> bool {
    let http = matches!(kind, "http" | "keyword" | "json-query");
    if STATE.contains(&key) || OTHER_TYPES.contains(&key) {
        return false;
    }
    if OTHER_PREFIXES.iter().any(|p| key.starts_with(p)) {
        return false;
    }
    match key {
        k if HTTP.contains(&k) => http,
        "keyword" | "invertKeyword" => kind == "keyword",
        "jsonPath" | "expectedValue" | "jsonPathOperator" => kind == "json-query",
        "hostname" | "port" => matches!(kind, "port" | "dns"),
        "dns_resolve_type" | "dns_resolve_server" => kind == "dns",
        _ => true,
    }
}

/// A credential: named in a report, its value never shown.
fn secret_field(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["pass", "secret", "token", "key", "connectionstring"]
        .iter()
        .any(|w| k.contains(w))
}

pub(crate) fn map(text: &str, file: &Path) -> Result<Mapped> {
    let bad = |reason: String| Error::Import {
        file: file.to_path_buf(),
        reason,
    };
    let root: Value = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        bad(format!(
            "line {}, column {}: it is not valid JSON: {message}",
            e.line(),
            e.column()
        ))
    })?;
    let Some(root) = root.as_object() else {
        return Err(bad(
            "it is not an Uptime Kuma backup: the top level is not an object".into(),
        ));
    };
    let Some(monitors) = root.get("monitorList").and_then(Value::as_array) else {
        return Err(bad(
            "it is not an Uptime Kuma backup: it has no `monitorList` (export one from Settings → Backup)"
                .into(),
        ));
    };
    super::check_count(file, monitors.len())?;
    let mut mapped = Mapped::default();
    for (key, value) in root {
        let note = match key.as_str() {
            "version" | "monitorList" => continue,
            "notificationList" => {
                "is not imported: Klaxon rings on this machine and reaches further through [[channel]]s"
            }
            "proxyList" => "is not imported: Klaxon checks without a proxy",
            _ => "has no Klaxon equivalent",
        };
        if is_set(value) {
            let count = match value.as_array().map(Vec::len) {
                Some(1) => " (1 entry)".to_string(),
                Some(n) => format!(" ({n} entries)"),
                None => String::new(),
            };
            mapped
                .unmapped
                .push(Unmapped::new(key, format!("(the whole list){count}"), note));
        }
    }
    for (i, monitor) in monitors.iter().enumerate() {
        monitor_of(i, monitor, &mut mapped);
    }
    Ok(mapped)
}

fn monitor_of(i: usize, monitor: &Value, mapped: &mut Mapped) {
    let empty = Map::new();
    let o = monitor.as_object().unwrap_or(&empty);
    let raw_name = text(o, "name").unwrap_or("");
    let from = origin("monitorList", i, raw_name);
    let name = clean_name(raw_name, &from, &mut mapped.unmapped);
    let kind = text(o, "type").unwrap_or("");
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
    if matches!(o.get("active"), Some(Value::Bool(false))) || o.get("active") == Some(&0.into()) {
        return refuse(mapped, SkipReason::Disabled, "paused in Uptime Kuma".into());
    }
    if o.get("upsideDown").is_some_and(is_set) {
        let m = "upside down mode (up when the service is down) has no Klaxon equivalent";
        return refuse(mapped, SkipReason::Unsupported, m.into());
    }
    let unmapped = &mut mapped.unmapped;
    let spec = match kind {
        "http" | "keyword" | "json-query" => match text(o, "url") {
            Some(url) => Spec::new(
                MonitorKind::Http,
                hide_password(url, &name, &from, unmapped),
            ),
            None => return refuse(mapped, SkipReason::Invalid, "it has no url".into()),
        },
        "port" => match (text(o, "hostname"), o.get("port").and_then(Value::as_u64)) {
            (Some(host), Some(port)) if host.contains(':') => {
                Spec::new(MonitorKind::Tcp, format!("[{host}]:{port}"))
            }
            (Some(host), Some(port)) => Spec::new(MonitorKind::Tcp, format!("{host}:{port}")),
            _ => {
                return refuse(
                    mapped,
                    SkipReason::Invalid,
                    "it has no hostname and port".into(),
                );
            }
        },
        "dns" => match dns(o, &from, unmapped) {
            Ok(spec) => spec,
            Err(detail) => return refuse(mapped, SkipReason::Unsupported, detail),
        },
        other => {
            let detail = format!(
                "a monitor of type {:?} has no Klaxon equivalent (Klaxon checks http, keyword, json-query, port and dns monitors)",
                crate::text::bounded(other, 40)
            );
            return refuse(mapped, SkipReason::Unsupported, detail);
        }
    };
    let mut spec = spec;
    let mut extra = Vec::new();
    // The interval first: the timeout is held to it and a certificate monitor copies it.
    let first = ["interval", "timeout"];
    let keys = first
        .iter()
        .filter_map(|k| o.get_key_value(*k))
        .chain(o.iter().filter(|(k, _)| !first.contains(&k.as_str())));
    for (key, value) in keys {
        if relevant(key, kind) {
            let m = fields::Monitor {
                o,
                kind,
                name: &name,
                from: &from,
            };
            field(m, key, value, &mut spec, &mut extra, unmapped);
        }
    }
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

fn dns(
    o: &Map<String, Value>,
    from: &str,
    unmapped: &mut Vec<Unmapped>,
) -> std::result::Result<Spec, String> {
    let host = text(o, "hostname").ok_or("it has no hostname")?;
    let record = text(o, "dns_resolve_type")
        .unwrap_or("A")
        .to_ascii_uppercase();
    if !["A", "AAAA", "CNAME", "MX", "TXT", "NS"].contains(&record.as_str()) {
        return Err(format!(
            "a DNS query of type {:?} has no Klaxon equivalent (A, AAAA, CNAME, MX, TXT, NS)",
            crate::text::bounded(&record, 20)
        ));
    }
    let mut spec = Spec::new(MonitorKind::Dns, host);
    spec.record = (record != "A").then_some(record);
    if let Some(server) = text(o, "dns_resolve_server") {
        let port = o
            .get("port")
            .and_then(Value::as_u64)
            .and_then(|p| u16::try_from(p).ok());
        match server.parse::<std::net::IpAddr>() {
            Ok(ip) => {
                spec.resolver = Some(std::net::SocketAddr::new(ip, port.unwrap_or(53)).to_string());
            }
            Err(_) => unmapped.push(Unmapped::new(
                from,
                format!("dns_resolve_server {server:?}"),
                "is not an IP address; Klaxon's resolver is one, so the system's resolver is used",
            )),
        }
    }
    Ok(spec)
}
