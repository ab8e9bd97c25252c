//! Alertmanager's API v2 (read from prometheus/alertmanager's `api/v2/openapi.yaml`):
//! `GET /api/v2/alerts?active=true&silenced=true&inhibited=false` with the source's `filter`
//! as `filter=` matchers gives what fires now, one alert per fingerprint. Acknowledging one in
//! Klaxon `POST`s a silence for its labels (`createdBy: "klaxon"`), so the rest of the team's
//! tooling sees that someone has it; and the other way round, an alert someone silenced in
//! Alertmanager counts as acknowledged there (it still fires, so it is not resolved).

use std::time::Duration;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;

use super::{Alert, get, json};

const SERVICE: &str = "Alertmanager";

#[derive(Debug, Deserialize)]
struct Gettable {
    fingerprint: String,
    #[serde(default)]
    labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
    #[serde(rename = "startsAt")]
    starts_at: Option<String>,
    #[serde(default)]
    status: AlertStatus,
}

#[derive(Debug, Default, Deserialize)]
struct AlertStatus {
    #[serde(default, rename = "silencedBy")]
    silenced_by: Vec<String>,
}

/// Every active, unsilenced, uninhibited alert that matches `filter`.
pub async fn poll(
    http: &reqwest::Client,
    url: &str,
    filter: &[String],
) -> Result<Vec<Alert>, String> {
    let mut query = vec![
        ("active", "true".to_string()),
        ("silenced", "true".to_string()),
        ("inhibited", "false".to_string()),
    ];
    query.extend(filter.iter().map(|f| ("filter", f.clone())));
    let request = http
        .get(format!("{}/api/v2/alerts", base(url)))
        .query(&query);
    let body = get(SERVICE, request).await?;
    let alerts: Vec<Gettable> = json(SERVICE, &body)?;
    Ok(alerts.iter().map(alert).collect())
}

/// "HighErrorRate on api-1", with the summary (or description) as the reason.
fn alert(a: &Gettable) -> Alert {
    let name = a.labels.get("alertname").map_or("an alert", String::as_str);
    let title = match a.labels.get("instance").or_else(|| a.labels.get("job")) {
        Some(on) => format!("{name} on {on}"),
        None => name.to_string(),
    };
    let reason = a
        .annotations
        .get("summary")
        .or_else(|| a.annotations.get("description"))
        .cloned()
        .unwrap_or_else(|| format!("Alertmanager says {name} is firing"));
    let since = a
        .starts_at
        .as_deref()
        .and_then(|t| t.parse::<Timestamp>().ok());
    let mut alert = Alert::new(&a.fingerprint, &title, &reason)
        .since(since)
        .labels(a.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    alert.acknowledged = !a.status.silenced_by.is_empty();
    alert
}

/// Creates a silence for exactly these labels, from now for `length`; returns its id.
pub async fn silence(
    http: &reqwest::Client,
    url: &str,
    labels: &[(String, String)],
    length: Duration,
    comment: &str,
    now: Timestamp,
) -> Result<String, String> {
    if labels.is_empty() {
        return Err("the alert has no labels to silence it by".into());
    }
    let ends = now
        .checked_add(
            jiff::SignedDuration::try_from(length).unwrap_or(jiff::SignedDuration::from_hours(1)),
        )
        .unwrap_or(now);
    let matchers = matchers(labels);
    if matchers.is_empty() {
        return Err("the alert's labels were too long to silence it by".into());
    }
    let body = json!({
        "matchers": matchers,
        "startsAt": now.to_string(),
        "endsAt": ends.to_string(),
        "createdBy": "klaxon",
        "comment": comment,
    });
    let response = http
        .post(format!("{}/api/v2/silences", base(url)))
        .timeout(super::READ_TIMEOUT)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| crate::channels::unanswered(SERVICE, &e))?;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    if !(200..300).contains(&status) {
        let said = crate::text::printable(&crate::text::bounded(text.trim(), 200)).into_owned();
        return Err(format!(
            "Alertmanager refused the silence: HTTP {status} {said}"
        ));
    }
    #[derive(Deserialize)]
    struct Created {
        #[serde(rename = "silenceID")]
        silence_id: String,
    }
    let created: Created = json(SERVICE, &text)?;
    Ok(crate::text::bounded(&created.silence_id, 64).into_owned())
}

/// An equality matcher per label, but none for a label whose value Klaxon cut short (it would
/// match nothing, and the silence would silence nothing).
fn matchers(labels: &[(String, String)]) -> Vec<serde_json::Value> {
    labels
        .iter()
        .filter(|(name, value)| {
            let cut = |t: &str| t.ends_with(crate::text::CUT_MARKER) && t.len() + 8 >= super::MAX_LABEL;
            !cut(name) && !cut(value)
        })
        .map(|(name, value)| json!({"name": name, "value": value, "isRegex": false, "isEqual": true}))
        .collect()
}

fn base(url: &str) -> &str {
    url.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_is_titled_by_its_name_and_instance_with_its_summary_as_the_reason() {
        let body = r#"[{"fingerprint":"3f9c","labels":{"alertname":"HighErrorRate","instance":"api-1","severity":"page"},
            "annotations":{"summary":"5xx above 5% for 5m"},"startsAt":"2026-12-01T02:05:00Z",
            "endsAt":"2026-12-01T03:05:00Z","status":{"state":"active","silencedBy":[],"inhibitedBy":[]},
            "receivers":[{"name":"null"}],"updatedAt":"2026-12-01T02:05:00Z"}]"#;
        let alerts: Vec<Gettable> = json(SERVICE, body).unwrap();
        let a = alert(&alerts[0]);
        assert_eq!(a.key, "3f9c");
        assert_eq!(a.title, "HighErrorRate on api-1");
        assert_eq!(a.reason, "5xx above 5% for 5m");
        assert_eq!(a.since, Some("2026-12-01T02:05:00Z".parse().unwrap()));
        assert!(a.labels.contains(&("severity".into(), "page".into())));
    }

    #[test]
    fn a_label_value_cut_short_is_not_a_matcher_of_the_silence() {
        let long = "v".repeat(1000);
        let body = format!(
            r#"[{{"fingerprint":"3f9c","labels":{{"alertname":"Big","query":"{long}"}}}}]"#
        );
        let alerts: Vec<Gettable> = json(SERVICE, &body).unwrap();
        let a = alert(&alerts[0]);
        let m = matchers(&a.labels);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0]["name"], "alertname");
        assert_eq!(m[0]["value"], "Big");
    }

    #[test]
    fn an_answer_of_the_wrong_shape_is_a_clear_reason_not_a_crash() {
        let e = json::<Vec<Gettable>>(SERVICE, r#"{"not":"a list"}"#).unwrap_err();
        assert!(
            e.starts_with("the Alertmanager server's answer was not understood"),
            "{e}"
        );
        let e = json::<Vec<Gettable>>(SERVICE, r#"[{"fingerprint": 7}]"#).unwrap_err();
        assert!(e.contains("not understood"), "{e}");
    }
}
