//! The first pass over `klaxon.toml`: serde's view of the file (unknown keys and wrong types
//! are its errors), then the second pass that interprets each value and collects every problem
//! with its location.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::*;
use crate::monitor::{
    DnsCheck, HttpCheck, HttpExpect, Monitor, RecordKind, StatusRange, Target, TcpCheck, TlsCheck,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub(super) alarm: super::alarm::RawAlarm,
    #[serde(default)]
    pub(super) judge: RawJudge,
    #[serde(default)]
    pub(super) monitor: Vec<Spanned<RawMonitor>>,
    #[serde(default)]
    pub(super) product: super::ProductConfig,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawJudge {
    confirm: Option<u32>,
    recover: Option<Spanned<u32>>,
    retry_every: Option<Spanned<String>>,
    grace_after_resume: Option<Spanned<String>>,
    witnesses: Option<Vec<Spanned<String>>>,
}

impl RawJudge {
    pub(super) fn validate(&self, errs: &mut Collector) -> JudgeConfig {
        let mut judge = JudgeConfig::default();
        if let Some(confirm) = self.confirm {
            judge.confirm = confirm;
        }
        if let Some(recover) = &self.recover {
            if *recover.get_ref() == 0 {
                errs.push(recover.span(), "judge.recover", "must be at least 1".into());
            }
            judge.recover = (*recover.get_ref()).max(1);
        }
        if let Some(d) = errs.duration(&self.retry_every, "judge.retry_every") {
            judge.retry_every = d;
        }
        if let Some(d) = errs.duration(&self.grace_after_resume, "judge.grace_after_resume") {
            judge.grace_after_resume = d;
        }
        if let Some(witnesses) = &self.witnesses {
            judge.witnesses.clear();
            for (i, w) in witnesses.iter().enumerate() {
                match split_host_port(w.get_ref()) {
                    Ok(_) => judge.witnesses.push(w.get_ref().clone()),
                    Err(m) => errs.push(w.span(), &format!("judge.witnesses[{}]", i + 1), m),
                }
            }
        }
        judge
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
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
    max_redirects: Option<usize>,
    max_body_bytes: Option<usize>,
    verify_tls: Option<bool>,
    ca_file: Option<String>,
    record: Option<Spanned<String>>,
    resolver: Option<Spanned<String>>,
    min_days: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExpect {
    status: Option<Spanned<toml::Value>>,
    body_contains: Option<String>,
    body_not_contains: Option<String>,
    json: Option<RawJsonExpect>,
    max_latency: Option<Spanned<String>>,
    records: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
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
            .duration(&self.every, &format!("{field}.every"))
            .unwrap_or(DEFAULT_EVERY);
        if every < MIN_EVERY {
            let at = self.every.as_ref().map_or(span.clone(), |e| e.span());
            errs.push(at, &format!("{field}.every"), "must be at least 1s".into());
        }
        let timeout = errs
            .duration(&self.timeout, &format!("{field}.timeout"))
            .unwrap_or(DEFAULT_TIMEOUT);
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
        let target = self.target(field, errs)?;
        (errs.errors.len() == before).then_some(Monitor {
            name,
            target,
            every,
            timeout,
        })
    }

    fn target(&self, field: &str, errs: &mut Collector) -> Option<Target> {
        let expect = self.expect.as_ref();
        if let Some(url) = &self.url {
            return self.http_target(url, field, errs);
        }
        self.not_for("a url monitor", field, errs);
        let (value, kind) = [(&self.tcp, "tcp"), (&self.dns, "dns"), (&self.tls, "tls")]
            .into_iter()
            .find_map(|(v, k)| v.as_ref().map(|v| (v, k)))?;
        let key = format!("{field}.{kind}");
        match kind {
            "dns" => {
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
            _ => {
                let (host, port) = match split_host_port(value.get_ref()) {
                    Ok(hp) => hp,
                    Err(m) => {
                        errs.push(value.span(), &key, m);
                        return None;
                    }
                };
                if kind == "tcp" {
                    Some(Target::Tcp(TcpCheck { host, port }))
                } else {
                    Some(Target::Tls(TlsCheck {
                        host,
                        port,
                        min_days: self.min_days.unwrap_or(DEFAULT_MIN_CERT_DAYS),
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

    fn http_target(
        &self,
        url: &Spanned<String>,
        field: &str,
        errs: &mut Collector,
    ) -> Option<Target> {
        let parsed = match url::Url::parse(url.get_ref().trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
            Ok(_) => {
                errs.push(
                    url.span(),
                    &format!("{field}.url"),
                    format!("{:?} is not an http:// or https:// URL", url.get_ref()),
                );
                return None;
            }
            Err(e) => {
                errs.push(
                    url.span(),
                    &format!("{field}.url"),
                    format!("{:?} is not a valid URL: {e}", url.get_ref()),
                );
                return None;
            }
        };
        let raw = self.expect.as_ref();
        let default_expect = RawExpect::default();
        let raw = raw.unwrap_or(&default_expect);
        let status = match &raw.status {
            None => StatusRange::SUCCESS,
            Some(s) => match parse_status(s.get_ref()) {
                Ok(r) => r,
                Err(m) => {
                    errs.push(s.span(), &format!("{field}.expect.status"), m);
                    StatusRange::SUCCESS
                }
            },
        };
        let method = self.method.as_ref().map_or("GET".to_string(), |m| {
            m.get_ref().trim().to_ascii_uppercase()
        });
        if let Some(m) = &self.method
            && (method.is_empty() || !method.chars().all(|c| c.is_ascii_alphabetic()))
        {
            errs.push(
                m.span(),
                &format!("{field}.method"),
                format!("{:?} is not an HTTP method", m.get_ref()),
            );
        }
        let json = raw
            .json
            .as_ref()
            .map(|j| (j.path.clone(), toml_to_json(&j.equals)));
        Some(Target::Http(HttpCheck {
            url: parsed,
            method,
            headers: self
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            body: self.body.clone(),
            expect: HttpExpect {
                status,
                body_contains: raw.body_contains.clone(),
                body_not_contains: raw.body_not_contains.clone(),
                json,
                max_latency: errs
                    .duration(&raw.max_latency, &format!("{field}.expect.max_latency")),
            },
            max_redirects: self.max_redirects.unwrap_or(DEFAULT_MAX_REDIRECTS),
            max_body_bytes: self.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES),
            verify_tls: self.verify_tls.unwrap_or(true),
            ca_file: self.ca_file.as_ref().map(PathBuf::from),
        }))
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

/// `200`, `"200"`, `"200-299"` or `"2xx"`.
pub(super) fn parse_status(value: &toml::Value) -> Result<StatusRange, String> {
    let bad = || format!("{value} is not a status; write 200, \"200-299\" or \"2xx\"");
    let range = match value {
        toml::Value::Integer(code) => {
            let code = u16::try_from(*code).map_err(|_| bad())?;
            StatusRange {
                low: code,
                high: code,
            }
        }
        toml::Value::String(s) => {
            let s = s.trim().to_ascii_lowercase();
            if let Some(class) = s.strip_suffix("xx") {
                let c: u16 = class.parse().map_err(|_| bad())?;
                StatusRange {
                    low: c * 100,
                    high: c * 100 + 99,
                }
            } else if let Some((low, high)) = s.split_once('-') {
                let low = low.trim().parse().map_err(|_| bad())?;
                let high = high.trim().parse().map_err(|_| bad())?;
                StatusRange { low, high }
            } else {
                let code = s.parse().map_err(|_| bad())?;
                StatusRange {
                    low: code,
                    high: code,
                }
            }
        }
        _ => return Err(bad()),
    };
    if !(100..=599).contains(&range.low)
        || !(100..=599).contains(&range.high)
        || range.low > range.high
    {
        return Err(bad());
    }
    Ok(range)
}

fn toml_to_json(value: &toml::Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
