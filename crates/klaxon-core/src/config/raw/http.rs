//! The keys of an HTTP monitor: its request, what the answer must look like, and the limits on
//! reading it.

use std::path::PathBuf;
use std::time::Duration;

use toml::Spanned;

use super::{Collector, RawExpect, RawMonitor};
use crate::config::bounds;
use crate::config::{DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_REDIRECTS};
use crate::domain::monitor::{HttpCheck, HttpExpect, StatusRange, Target};

impl RawMonitor {
    pub(super) fn http_target(
        &self,
        url: &Spanned<String>,
        field: &str,
        timeout: Duration,
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
        let max_latency = self.max_latency(raw, field, timeout, errs);
        let (bytes, words) = (bounds::BODY_BYTES, bounds::BODY_BYTES_WORDS);
        let max_body_bytes = errs.count(
            &self.max_body_bytes,
            &format!("{field}.max_body_bytes"),
            bytes,
            words,
        );
        let (redirects, words) = (bounds::REDIRECTS, bounds::REDIRECTS_WORDS);
        let max_redirects = errs.count(
            &self.max_redirects,
            &format!("{field}.max_redirects"),
            redirects,
            words,
        );
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
                max_latency,
            },
            max_redirects: max_redirects.unwrap_or(DEFAULT_MAX_REDIRECTS),
            max_body_bytes: max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES),
            verify_tls: self.verify_tls.unwrap_or(true),
            ca_file: self.ca_file.as_ref().map(PathBuf::from),
        }))
    }

    /// Above zero and within the timeout: a limit past the timeout could never be exceeded.
    fn max_latency(
        &self,
        raw: &RawExpect,
        field: &str,
        timeout: Duration,
        errs: &mut Collector,
    ) -> Option<Duration> {
        let key = format!("{field}.expect.max_latency");
        let latency = errs.bounded(&raw.max_latency, &key, bounds::MAX_LATENCY)?;
        if latency > timeout
            && let Some(given) = &raw.max_latency
        {
            let m = format!(
                "{:?} is longer than the timeout; a check is stopped before it could be that slow",
                given.get_ref()
            );
            errs.push(given.span(), &key, m);
        }
        Some(latency)
    }
}

/// `200`, `"200"`, `"200-299"` or `"2xx"`.
pub(in crate::config) fn parse_status(value: &toml::Value) -> Result<StatusRange, String> {
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
