//! Gatus's conditions (`"[STATUS] == 200"`, `"[BODY].status == UP"`, …) as Klaxon `expect`
//! keys. A condition is `PLACEHOLDER OPERATOR VALUE`; what Klaxon can say the same way is
//! mapped, and every other condition is listed with its own text. Status conditions are
//! gathered first and become one range at the end (`[STATUS] >= 200` and `[STATUS] < 300` are
//! `"200-299"`), since Klaxon's `expect.status` is a single range.

use super::go_duration_text;
use crate::config::import::spec::Spec;
use crate::config::import::{Unmapped, VALUE_BYTES};
use crate::domain::states::MonitorKind;
use crate::text::bounded;

const OPERATORS: [&str; 6] = ["==", "!=", "<=", ">=", "<", ">"];

/// The conditions of one endpoint, as they are read.
pub(in crate::config::import) struct Conditions<'a> {
    from: &'a str,
    name: &'a str,
    low: u16,
    high: u16,
    /// The status conditions seen, to list them if together they make no range.
    status: Vec<String>,
}

impl<'a> Conditions<'a> {
    pub fn new(from: &'a str, name: &'a str) -> Self {
        Conditions {
            from,
            name,
            low: 100,
            high: 599,
            status: Vec::new(),
        }
    }

    /// Maps one condition into `spec` (or, for a certificate's expiry on a URL, into a second
    /// monitor in `extra`), or lists it.
    pub fn apply(
        &mut self,
        condition: &str,
        spec: &mut Spec,
        extra: &mut Vec<(String, Spec)>,
        unmapped: &mut Vec<Unmapped>,
    ) {
        let condition = bounded(condition.trim(), VALUE_BYTES);
        let mapped = match split(&condition) {
            Some((left, op, right)) => self.map(left, op, right, spec, extra),
            None => false,
        };
        if !mapped {
            unmapped.push(Unmapped::new(
                self.from,
                format!("condition {:?}", bounded(&condition, 200).as_ref()),
                "has no Klaxon equivalent",
            ));
        }
    }

    fn map(
        &mut self,
        left: &str,
        op: &str,
        right: &str,
        spec: &mut Spec,
        extra: &mut Vec<(String, Spec)>,
    ) -> bool {
        let http = spec.kind == MonitorKind::Http;
        match left {
            "[STATUS]" if http => self.status(op, right),
            // Every Klaxon check fails when it cannot connect.
            "[CONNECTED]" => op == "==" && right == "true",
            "[RESPONSE_TIME]" if http && matches!(op, "<" | "<=") => match right.parse::<u64>() {
                Ok(ms) if ms > 0 => {
                    let limit = std::time::Duration::from_millis(ms);
                    spec.max_latency = Some(spec.max_latency.map_or(limit, |l| l.min(limit)));
                    true
                }
                _ => false,
            },
            "[CERTIFICATE_EXPIRATION]" if matches!(op, ">" | ">=") => {
                self.certificate(right, spec, extra)
            }
            // A Klaxon DNS check fails on any answer but NOERROR.
            "[DNS_RCODE]" => spec.kind == MonitorKind::Dns && op == "==" && right == "NOERROR",
            "[BODY]" if spec.kind == MonitorKind::Dns && op == "==" && plain(right) => {
                spec.records.push(right.to_string());
                true
            }
            "[BODY]" if http => match (op, contained(right)) {
                ("==", Some(text)) if spec.body_contains.is_none() => {
                    spec.body_contains = Some(text.to_string());
                    true
                }
                ("!=", Some(text)) if spec.body_not_contains.is_none() => {
                    spec.body_not_contains = Some(text.to_string());
                    true
                }
                _ => false,
            },
            _ if http && op == "==" && plain(right) && spec.json.is_none() => {
                match json_path(left) {
                    Some(path) => {
                        spec.json = Some((path, typed(right)));
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        }
    }

    fn status(&mut self, op: &str, right: &str) -> bool {
        let code = right.parse::<u16>().ok();
        let (low, high) = match (op, code) {
            ("==", Some(n)) => (n, n),
            ("<", Some(n)) => (100, n.saturating_sub(1)),
            ("<=", Some(n)) => (100, n),
            (">", Some(n)) => (n.saturating_add(1), 599),
            (">=", Some(n)) => (n, 599),
            // `pat(2*)`: any status starting with 2.
            ("==", None) => match right
                .strip_prefix("pat(")
                .and_then(|r| r.strip_suffix("*)"))
            {
                Some(d) if d.len() == 1 && ("1"..="5").contains(&d) => {
                    let class = d.parse::<u16>().unwrap_or(2) * 100;
                    (class, class + 99)
                }
                _ => return false,
            },
            _ => return false,
        };
        self.low = self.low.max(low);
        self.high = self.high.min(high);
        self.status.push(format!("[STATUS] {op} {right}"));
        true
    }

    fn certificate(&self, right: &str, spec: &mut Spec, extra: &mut Vec<(String, Spec)>) -> bool {
        let left = match right.parse::<u64>() {
            // A bare number is milliseconds, as Gatus compares the placeholder.
            Ok(ms) => std::time::Duration::from_millis(ms),
            Err(_) => match go_duration_text(right) {
                Ok(d) => d,
                Err(()) => return false,
            },
        };
        let days = i64::try_from(left.as_secs().div_ceil(86_400)).unwrap_or(i64::MAX);
        if !crate::config::bounds::CERT_DAYS.contains(&days) {
            return false;
        }
        match spec.kind {
            MonitorKind::Tls => {
                spec.min_days = Some(spec.min_days.map_or(days, |d| d.max(days)));
                true
            }
            MonitorKind::Http => {
                let Ok(url) = url::Url::parse(&spec.target) else {
                    return false;
                };
                let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
                    return false;
                };
                if url.scheme() != "https" {
                    return false;
                }
                let mut tls = Spec::new(MonitorKind::Tls, format!("{host}:{port}"));
                tls.every = spec.every;
                tls.timeout = spec.timeout;
                tls.min_days = Some(days);
                extra.push((format!("{} certificate", self.name), tls));
                true
            }
            _ => false,
        }
    }

    /// The status conditions as one range, or each listed when together they make none.
    pub fn settle(&self, spec: &mut Spec, unmapped: &mut Vec<Unmapped>) {
        if self.status.is_empty() {
            return;
        }
        if self.low > self.high {
            for c in &self.status {
                unmapped.push(Unmapped::new(
                    self.from,
                    format!("condition {c:?}"),
                    "together with the other status conditions accepts no status",
                ));
            }
            return;
        }
        spec.status = Some(if self.low == self.high {
            self.low.to_string()
        } else if self.low.is_multiple_of(100) && self.high == self.low + 99 {
            format!("{}xx", self.low / 100)
        } else {
            format!("{}-{}", self.low, self.high)
        });
    }
}

/// `LEFT OP RIGHT`, split at the first operator (two-character ones first).
fn split(condition: &str) -> Option<(&str, &str, &str)> {
    OPERATORS.iter().find_map(|op| {
        let at = condition.find(&format!(" {op} "))?;
        let right = &condition[at + op.len() + 2..];
        Some((condition[..at].trim(), *op, right.trim()))
    })
}

/// A value to compare with, not a function or another placeholder.
fn plain(right: &str) -> bool {
    !right.is_empty()
        && !right.starts_with('[')
        && !["pat(", "any(", "len(", "has("]
            .iter()
            .any(|f| right.starts_with(f))
}

/// `pat(*text*)`: the body contains `text`.
fn contained(right: &str) -> Option<&str> {
    let inner = right.strip_prefix("pat(*")?.strip_suffix("*)")?;
    (!inner.is_empty() && !inner.contains('*')).then_some(inner)
}

/// `[BODY].data[0].id` → `data.0.id`, Klaxon's dotted path; `None` for anything else.
fn json_path(left: &str) -> Option<String> {
    let rest = left.strip_prefix("[BODY]")?;
    let path = rest.replace('[', ".").replace(']', "");
    let path = path.trim_start_matches('.');
    let fine = !path.is_empty()
        && path.split('.').all(|key| {
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        });
    fine.then(|| path.to_string())
}

/// Gatus compares as text; Klaxon compares JSON values, so a number or `true`/`false` is
/// written as one.
fn typed(right: &str) -> serde_json::Value {
    match right {
        "true" => true.into(),
        "false" => false.into(),
        _ => right
            .parse::<i64>()
            .map(serde_json::Value::from)
            .ok()
            .or_else(|| {
                let f = right.parse::<f64>().ok().filter(|f| f.is_finite())?;
                Some(serde_json::Value::from(f))
            })
            .unwrap_or_else(|| right.into()),
    }
}
