//! Uptime Kuma: its Prometheus `/metrics`, where `monitor_status` is 0 for a monitor that is
//! DOWN (1 UP, 2 PENDING, 3 MAINTENANCE). DOWN is an alert; nothing else is.
//!
//! Read from louislam/uptime-kuma at 6398a95: `server/prometheus.js` (the gauge, its labels
//! `monitor_id` (2.x), `monitor_name`, `monitor_type`, `monitor_url`, `monitor_hostname`,
//! `monitor_port`, and one label per tag), `server/server.js` (`/metrics` behind `apiAuth`) and
//! `server/auth.js` (`apiAuth`: with API keys enabled, HTTP basic auth whose password is the key
//! and whose user is not read; otherwise a user's name and password; `401` without). prom-client
//! writes a missing hostname or port as the text `null`, and a monitor that is not HTTP keeps
//! the URL `https://`.
//!
//! The text format is parsed here rather than by a crate: only one metric is read, and its label
//! values need only the format's three escapes (`\\`, `\"`, `\n`). An answer without
//! `monitor_status` at all is not Uptime Kuma's (a login page behind a proxy, say) and is said
//! so, rather than read as "nothing is down".

use super::Alert;

const SERVICE: &str = "Uptime Kuma";
const METRIC: &str = "monitor_status";
/// `monitor_status`'s value for DOWN.
const DOWN: f64 = 0.0;

/// Every monitor that is DOWN now.
pub async fn poll(
    http: &reqwest::Client,
    url: &str,
    api_key: Option<&str>,
) -> Result<Vec<Alert>, String> {
    let endpoint = format!("{}/metrics", url.trim_end_matches('/'));
    let mut request = http.get(endpoint);
    if let Some(key) = api_key {
        request = request.basic_auth("", Some(key));
    }
    read(&super::get(SERVICE, request).await?)
}

/// The alerts in one answer of `/metrics`.
pub(crate) fn read(body: &str) -> Result<Vec<Alert>, String> {
    let mut seen_metric = false;
    let mut alerts: Vec<Alert> = Vec::new();
    for (n, line) in body.lines().enumerate() {
        let line = line.trim();
        if let Some(comment) = line.strip_prefix('#') {
            // `# TYPE monitor_status gauge` is there even before any monitor has a sample.
            let words: Vec<&str> = comment.split_whitespace().take(2).collect();
            seen_metric |= words == ["TYPE", METRIC];
            continue;
        }
        let Some(rest) = line.strip_prefix(METRIC) else {
            continue;
        };
        if !(rest.starts_with('{') || rest.starts_with([' ', '\t'])) {
            continue; // another metric whose name begins the same way
        }
        seen_metric = true;
        let sample = parse_sample(rest).map_err(|why| {
            format!(
                "the {SERVICE} server's answer was not understood: line {}: {why}",
                n + 1
            )
        })?;
        if sample.value == DOWN {
            let alert = sample.alert();
            if !alerts.iter().any(|a| a.key == alert.key) {
                alerts.push(alert);
            }
        }
    }
    if !seen_metric {
        return Err(format!(
            "the {SERVICE} server's answer has no {METRIC}: is the URL Uptime Kuma's, and /metrics not behind another login?"
        ));
    }
    Ok(alerts)
}

/// One `monitor_status` line.
struct Sample {
    labels: Vec<(String, String)>,
    value: f64,
}

impl Sample {
    fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty() && *v != "null" && *v != "undefined")
    }

    fn alert(&self) -> Alert {
        let name = self.label("monitor_name");
        // The id (Uptime Kuma 2) survives a rename and tells apart two monitors of one name.
        let key = match (self.label("monitor_id"), name) {
            (Some(id), _) => format!("id:{id}"),
            (None, Some(name)) => name.to_string(),
            (None, None) => "unnamed".to_string(),
        };
        let kind = self.label("monitor_type");
        let url = self.label("monitor_url").filter(|u| *u != "https://");
        let host = match (self.label("monitor_hostname"), self.label("monitor_port")) {
            (Some(h), Some(p)) => Some(format!("{h}:{p}")),
            (Some(h), None) => Some(h.to_string()),
            _ => None,
        };
        let target = url.map(str::to_string).or(host);
        let detail: Vec<&str> = kind.into_iter().chain(target.as_deref()).collect();
        let reason = if detail.is_empty() {
            format!("{SERVICE} says DOWN")
        } else {
            format!("{SERVICE} says DOWN ({})", detail.join(", "))
        };
        let labels = std::iter::once(("service", SERVICE)).chain(
            self.labels
                .iter()
                .filter(|(_, v)| !v.is_empty() && v != "null")
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        Alert::new(&key, name.unwrap_or("unnamed monitor"), &reason).labels(labels)
    }
}

/// What follows the metric's name: `{name="value",…} VALUE [TIMESTAMP]`.
fn parse_sample(text: &str) -> Result<Sample, String> {
    let mut labels = Vec::new();
    let mut rest = text;
    if let Some(inner) = rest.strip_prefix('{') {
        rest = inner;
        loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix('}') {
                rest = after;
                break;
            }
            let name_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .ok_or("a label is not closed")?;
            let name = &rest[..name_len];
            if name.is_empty() {
                return Err("a label has no name".into());
            }
            rest = rest[name_len..].trim_start();
            rest = rest.strip_prefix('=').ok_or("a label has no '='")?;
            rest = rest.trim_start();
            rest = rest
                .strip_prefix('"')
                .ok_or("a label value is not quoted")?;
            let (value, after) = label_value(rest)?;
            labels.push((name.to_string(), value));
            rest = after.trim_start();
            if let Some(after) = rest.strip_prefix(',') {
                rest = after;
            } else if !rest.starts_with('}') {
                return Err("labels are not separated by ','".into());
            }
        }
    }
    let value = rest
        .split_whitespace()
        .next()
        .ok_or("the sample has no value")?;
    let value = value
        .parse::<f64>()
        .map_err(|_| "the sample's value is not a number".to_string())?;
    Ok(Sample { labels, value })
}

/// A quoted label value after its opening quote: the value unescaped, and the text after the
/// closing quote. `\\`, `\"` and `\n` are the format's escapes; any other backslash is kept as
/// it came, as Prometheus itself reads it.
fn label_value(text: &str) -> Result<(String, &str), String> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &text[i + 1..])),
            '\\' => match chars.next() {
                Some((_, '\\')) => value.push('\\'),
                Some((_, '"')) => value.push('"'),
                Some((_, 'n')) => value.push('\n'),
                Some((_, other)) => {
                    value.push('\\');
                    value.push(other);
                }
                None => break,
            },
            c => value.push(c),
        }
    }
    Err("a label value is not closed".into())
}

#[cfg(test)]
#[path = "uptime_kuma_tests.rs"]
mod tests;
