//! The first pass over `klaxon.toml`: serde's view of the file (wrong types are its errors;
//! unknown keys are collected by [`super::unknown_keys`]), then the second pass that interprets
//! each monitor's values, holds them to [`crate::config::bounds`], and collects every problem with its
//! location. An HTTP monitor's own keys are read in [`http`].

mod http;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::*;
use crate::config::bounds;
use crate::domain::monitor::{DnsCheck, Monitor, RecordKind, Target, TcpCheck, TlsCheck};
use crate::domain::states::MonitorKind;

#[cfg(test)]
pub(super) use http::parse_status;

#[derive(Deserialize)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub(super) alarm: super::alarm_table::RawAlarm,
    #[serde(default)]
    pub(super) judge: super::judge_table::RawJudge,
    #[serde(default)]
    pub(super) monitor: Vec<Spanned<RawMonitor>>,
    #[serde(default)]
    pub(super) product: super::ProductConfig,
    #[serde(default)]
    pub(super) channel: Vec<Spanned<super::channel_table::RawChannel>>,
    pub(super) escalation: Option<super::escalation_table::RawEscalation>,
    pub(super) heartbeat: Option<Spanned<super::heartbeat_table::RawHeartbeat>>,
    #[serde(default)]
    pub(super) source: Vec<Spanned<super::source_table::RawSource>>,
    pub(super) page: Option<super::source_table::RawPage>,
    #[serde(default)]
    pub(super) maintenance: Vec<Spanned<super::maintenance_table::RawMaintenance>>,
}

#[derive(Deserialize)]
pub(super) struct RawMonitor {
    pub(super) name: Spanned<String>,
    url: Option<Spanned<String>>,
    tcp: Option<Spanned<String>>,
    dns: Option<Spanned<String>>,
    tls: Option<Spanned<String>>,
    every: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    method: Option<Spanned<String>>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<String>,
    expect: Option<RawExpect>,
    max_redirects: Option<Spanned<i64>>,
    max_body_bytes: Option<Spanned<i64>>,
    verify_tls: Option<bool>,
    ca_file: Option<String>,
    record: Option<Spanned<String>>,
    resolver: Option<Spanned<String>>,
    min_days: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
pub(super) struct RawExpect {
    status: Option<Spanned<toml::Value>>,
    body_contains: Option<String>,
    body_not_contains: Option<String>,
    json: Option<RawJsonExpect>,
    max_latency: Option<Spanned<String>>,
    records: Option<Vec<String>>,
}

#[derive(Deserialize)]
pub(super) struct RawJsonExpect {
    path: String,
    equals: toml::Value,
}

impl RawMonitor {
    pub(super) fn validate(
        &self,
        span: Range<usize>,
        field: &str,
        errs: &mut Collector,
    ) -> Option<Monitor> {
        let before = errs.errors.len();
        let name = self.name.get_ref().trim().to_string();
        if name.is_empty() {
            errs.push(
                self.name.span(),
                &format!("{field}.name"),
                "must not be empty".into(),
            );
        }
        let every = errs
            .bounded(&self.every, &format!("{field}.every"), bounds::EVERY)
            .unwrap_or(DEFAULT_EVERY);
        let timeout = self.timeout_within(every, field, errs);
        let kinds: Vec<&str> = [
            ("url", self.url.is_some()),
            ("tcp", self.tcp.is_some()),
            ("dns", self.dns.is_some()),
            ("tls", self.tls.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect();
        if kinds.len() != 1 {
            let message = if kinds.is_empty() {
                "says nothing to check: give exactly one of url, tcp, dns or tls".to_string()
            } else {
                format!(
                    "gives {}: give exactly one of url, tcp, dns or tls",
                    kinds.join(" and ")
                )
            };
            errs.push(span, field, message);
            return None;
        }
        let target = self.target(field, timeout, errs)?;
        (errs.errors.len() == before).then_some(Monitor {
            name,
            target,
            every,
            timeout,
        })
    }

    /// Above zero and not past the interval: a check still running when the next is due would
    /// skip slots. Unset, it is the default or the interval, whichever is shorter.
    fn timeout_within(&self, every: Duration, field: &str, errs: &mut Collector) -> Duration {
        let key = format!("{field}.timeout");
        let Some(timeout) = errs.bounded(&self.timeout, &key, bounds::TIMEOUT) else {
            return DEFAULT_TIMEOUT.min(every);
        };
        if let Some(given) = self.timeout.as_ref().filter(|_| timeout > every) {
            let every = self.every.as_ref().map_or("30s", |e| e.get_ref().as_str());
            let m = format!(
                "{:?} is longer than every = {every:?}; a check must end before the next is due",
                given.get_ref()
            );
            errs.push(given.span(), &key, m);
        }
        timeout
    }

    fn target(&self, field: &str, timeout: Duration, errs: &mut Collector) -> Option<Target> {
        let expect = self.expect.as_ref();
        if let Some(url) = &self.url {
            return self.http_target(url, field, timeout, errs);
        }
        self.not_for("a url monitor", field, errs);
        let (value, kind) = [
            (&self.tcp, MonitorKind::Tcp),
            (&self.dns, MonitorKind::Dns),
            (&self.tls, MonitorKind::Tls),
        ]
        .into_iter()
        .find_map(|(v, k)| v.as_ref().map(|v| (v, k)))?;
        let key = format!("{field}.{kind}");
        match kind {
            MonitorKind::Dns => {
                let record = match &self.record {
                    None => RecordKind::A,
                    Some(r) => match parse_record(r.get_ref()) {
                        Some(k) => k,
                        None => {
                            let m = format!(
                                "{:?} is not a record type; use A, AAAA, CNAME, MX, TXT or NS",
                                r.get_ref()
                            );
                            errs.push(r.span(), &format!("{field}.record"), m);
                            return None;
                        }
                    },
                };
                let resolver = match &self.resolver {
                    None => None,
                    Some(r) => match r.get_ref().parse::<SocketAddr>() {
                        Ok(a) => Some(a),
                        Err(_) => {
                            let m = format!(
                                "{:?} is not an IP address and port like \"127.0.0.1:53\"",
                                r.get_ref()
                            );
                            errs.push(r.span(), &format!("{field}.resolver"), m);
                            return None;
                        }
                    },
                };
                Some(Target::Dns(DnsCheck {
                    name: value.get_ref().trim().to_string(),
                    record,
                    expect: expect.and_then(|e| e.records.clone()).unwrap_or_default(),
                    resolver,
                }))
            }
            MonitorKind::Tcp | MonitorKind::Tls | MonitorKind::Http => {
                let (host, port) = match split_host_port(value.get_ref()) {
                    Ok(hp) => hp,
                    Err(m) => {
                        errs.push(value.span(), &key, m);
                        return None;
                    }
                };
                if kind == MonitorKind::Tcp {
                    Some(Target::Tcp(TcpCheck { host, port }))
                } else {
                    let (days, words) = (bounds::CERT_DAYS, bounds::CERT_DAYS_WORDS);
                    let min_days =
                        errs.count(&self.min_days, &format!("{field}.min_days"), days, words);
                    Some(Target::Tls(TlsCheck {
                        host,
                        port,
                        min_days: min_days.unwrap_or(DEFAULT_MIN_CERT_DAYS),
                        ca_file: self.ca_file.as_ref().map(PathBuf::from),
                    }))
                }
            }
        }
    }

    /// Rejects HTTP-only keys on other kinds of monitor, so a typo'd intent is not ignored.
    fn not_for(&self, what: &str, field: &str, errs: &mut Collector) {
        let http_only = [
            ("method", self.method.as_ref().map(|m| m.span())),
            (
                "expect.status",
                self.expect
                    .as_ref()
                    .and_then(|e| e.status.as_ref().map(|s| s.span())),
            ),
        ];
        for (key, span) in http_only {
            if let Some(span) = span {
                errs.push(
                    span,
                    &format!("{field}.{key}"),
                    format!("only applies to {what}"),
                );
            }
        }
    }
}

fn parse_record(text: &str) -> Option<RecordKind> {
    Some(match text.trim().to_ascii_uppercase().as_str() {
        "A" => RecordKind::A,
        "AAAA" => RecordKind::Aaaa,
        "CNAME" => RecordKind::Cname,
        "MX" => RecordKind::Mx,
        "TXT" => RecordKind::Txt,
        "NS" => RecordKind::Ns,
        _ => return None,
    })
}
