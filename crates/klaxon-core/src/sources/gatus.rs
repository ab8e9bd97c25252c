//! Gatus: `GET /api/v1/endpoints/statuses`, a JSON array with one status per endpoint. An
//! endpoint whose latest result failed is an alert, keyed by Gatus's own endpoint `key`.
//!
//! Read from TwiN/gatus at 08c4635: `api/endpoint_status.go` (`EndpointStatuses`, the first page
//! of 50 results per endpoint by default), `config/endpoint/status.go` (`name`, `group`, `key`,
//! `results`, `events`), `config/endpoint/result.go` (`status` is the HTTP status, `duration` is
//! nanoseconds, `timestamp` is RFC 3339, `errors` and `conditionResults` are left out when
//! empty), `config/endpoint/condition_result.go` and `config/endpoint/event.go`. Both stores
//! answer results oldest first (`storage/store/memory/util.go`, and `sql.go` reverses its
//! `ORDER BY endpoint_result_id DESC`), so the latest is the last; the SQL store answers `null`
//! for an endpoint with no results yet. The list's events are empty (only results are paged
//! in), but an answer that carries them is used for when the failing began.

use jiff::Timestamp;
use serde::Deserialize;

use super::Alert;

const SERVICE: &str = "Gatus";

/// Every endpoint whose latest result failed.
pub async fn poll(http: &reqwest::Client, url: &str) -> Result<Vec<Alert>, String> {
    let endpoint = format!("{}/api/v1/endpoints/statuses", url.trim_end_matches('/'));
    let body = super::get(SERVICE, http.get(endpoint)).await?;
    read(&body)
}

/// The alerts in one answer of `/api/v1/endpoints/statuses`.
pub(crate) fn read(body: &str) -> Result<Vec<Alert>, String> {
    let statuses: Vec<EndpointStatus> = super::json(SERVICE, body)?;
    Ok(statuses.iter().filter_map(EndpointStatus::alert).collect())
}

#[derive(Deserialize)]
struct EndpointStatus {
    #[serde(default)]
    name: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    key: String,
    /// Oldest first; `null` when there are none.
    #[serde(default)]
    results: Option<Vec<CheckResult>>,
    #[serde(default)]
    events: Option<Vec<Event>>,
}

/// One evaluation (Gatus's `endpoint.Result`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckResult {
    /// The HTTP status, left out when there was none.
    #[serde(default)]
    status: Option<i64>,
    #[serde(default)]
    hostname: Option<String>,
    #[serde(default)]
    errors: Option<Vec<String>>,
    #[serde(default)]
    condition_results: Option<Vec<ConditionResult>>,
    success: bool,
    #[serde(default)]
    timestamp: Option<String>,
}

#[derive(Deserialize)]
struct ConditionResult {
    condition: String,
    success: bool,
}

#[derive(Deserialize)]
struct Event {
    /// `START`, `HEALTHY` or `UNHEALTHY`.
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    timestamp: Option<String>,
}

impl EndpointStatus {
    fn alert(&self) -> Option<Alert> {
        let results = self.results.as_deref().unwrap_or_default();
        let latest = results.last()?;
        if latest.success {
            return None;
        }
        let title = match (self.group.trim(), self.name.trim()) {
            ("", "") => self.key.clone(),
            ("", name) => name.to_string(),
            (group, name) => format!("{group}/{name}"),
        };
        let key = if self.key.is_empty() {
            // Gatus always sends one; should it not, the same name is the same endpoint.
            format!("{}_{}", self.group, self.name)
        } else {
            self.key.clone()
        };
        let streak = results.iter().rev().take_while(|r| !r.success).count();
        let mut labels: Vec<(&str, String)> = vec![("service", SERVICE.into())];
        if !self.group.is_empty() {
            labels.push(("group", self.group.clone()));
        }
        if let Some(host) = latest.hostname.as_ref().filter(|h| !h.is_empty()) {
            labels.push(("hostname", host.clone()));
        }
        if let Some(status) = latest.status {
            labels.push(("http_status", status.to_string()));
        }
        if let Some(at) = &latest.timestamp {
            labels.push(("last_checked", at.clone()));
        }
        labels.push(("failing_results", streak.to_string()));
        Some(
            Alert::new(&key, &title, &latest.reason())
                .since(self.failing_since(results, streak))
                .labels(labels.iter().map(|(k, v)| (*k, v.as_str()))),
        )
    }

    /// The latest `UNHEALTHY` event when the answer has events; otherwise the first failing
    /// result of the current streak. When every result on the page failed, the streak may have
    /// begun earlier: then this is the earliest failure Gatus still shows.
    fn failing_since(&self, results: &[CheckResult], streak: usize) -> Option<Timestamp> {
        if let Some(last) = self.events.as_deref().and_then(<[Event]>::last)
            && last.kind == "UNHEALTHY"
            && let Some(at) = last.timestamp.as_deref().and_then(parse_time)
        {
            return Some(at);
        }
        let first = &results[results.len() - streak];
        first.timestamp.as_deref().and_then(parse_time)
    }
}

impl CheckResult {
    /// The errors, then the conditions that failed, as Gatus words them
    /// (`[STATUS] (502) == 200`).
    fn reason(&self) -> String {
        let errors = self.errors.iter().flatten().map(String::as_str);
        let failed = self
            .condition_results
            .iter()
            .flatten()
            .filter(|c| !c.success)
            .map(|c| c.condition.as_str());
        let said: Vec<&str> = errors
            .chain(failed)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            // Enough to fill a reason; a hostile answer's thousandth condition is not read.
            .take(50)
            .collect();
        if said.is_empty() {
            format!("{SERVICE} says the latest check failed")
        } else {
            format!("{SERVICE} says: {}", said.join("; "))
        }
    }
}

/// Go's `time.Time` in JSON: RFC 3339 with nanoseconds and an offset.
fn parse_time(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

#[cfg(test)]
#[path = "gatus_tests.rs"]
mod tests;
