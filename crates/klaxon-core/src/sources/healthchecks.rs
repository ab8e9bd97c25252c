//! Healthchecks (healthchecks.io or self-hosted): `GET /api/v3/checks/` with `X-Api-Key`; each
//! check whose `status` is `down` is an alert. `new`, `up`, `grace`, `paused` (and `started`,
//! which v3 never reports) are not.
//!
//! Read from healthchecks/healthchecks at 29b5ec2: `hc/api/views.py` (`get_checks` answers
//! `{"checks": [...]}`), `hc/api/models.py` (`Check.to_dict`, `get_status`, `get_grace_start`),
//! `hc/api/decorators.py` (`authorize_read`: a key that is not 32 characters is
//! `401 {"error": "missing api key"}`, an unknown one `401 {"error": "wrong api key"}`) and
//! `templates/docs/api.md`. A read-write key's checks carry `uuid` (and `ping_url`, which lets
//! anyone ping the check, so it is never kept); a read-only key's carry `unique_key` instead.
//! Either is the alert's key. Times are ISO 8601 with an offset and no fraction; `grace` and
//! `timeout` are seconds.

use std::time::Duration;

use jiff::Timestamp;
use serde::Deserialize;

use super::Alert;
use crate::domain::words::{self, Style};

const SERVICE: &str = "Healthchecks";

/// Every check of the API key's project that is down now.
pub async fn poll(http: &reqwest::Client, url: &str, api_key: &str) -> Result<Vec<Alert>, String> {
    let endpoint = format!("{}/api/v3/checks/", url.trim_end_matches('/'));
    let body = super::get(SERVICE, http.get(endpoint).header("X-Api-Key", api_key)).await?;
    read(&body)
}

/// The alerts in one answer of `/api/v3/checks/`.
pub(crate) fn read(body: &str) -> Result<Vec<Alert>, String> {
    let answer: Checks = super::json(SERVICE, body)?;
    Ok(answer
        .checks
        .iter()
        .filter(|c| c.status == "down")
        .map(Check::alert)
        .collect())
}

#[derive(Deserialize)]
struct Checks {
    checks: Vec<Check>,
}

/// The fields of `Check.to_dict` that Klaxon uses; the rest are ignored.
#[derive(Deserialize)]
struct Check {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    /// Space-separated.
    #[serde(default)]
    tags: String,
    #[serde(default)]
    desc: String,
    /// Seconds.
    grace: Option<u64>,
    status: String,
    last_ping: Option<String>,
    /// When the grace period starts; `null` once the check is down (or new, or paused).
    next_ping: Option<String>,
    /// With a read-write key.
    uuid: Option<String>,
    /// With a read-only key.
    unique_key: Option<String>,
    /// Seconds, for a "simple" check.
    timeout: Option<u64>,
    /// For a "cron" or "oncalendar" check.
    schedule: Option<String>,
    tz: Option<String>,
}

impl Check {
    fn alert(&self) -> Alert {
        let key = [&self.uuid, &self.unique_key]
            .into_iter()
            .flatten()
            .find(|k| !k.trim().is_empty())
            .map(|k| k.as_str())
            .unwrap_or(if self.slug.is_empty() {
                &self.name
            } else {
                &self.slug
            });
        let title = if self.name.trim().is_empty() {
            "unnamed check"
        } else {
            &self.name
        };
        let mut labels: Vec<(&str, String)> = vec![("service", SERVICE.into())];
        for (name, value) in [
            ("slug", &self.slug),
            ("tags", &self.tags),
            ("description", &self.desc),
        ] {
            if !value.trim().is_empty() {
                labels.push((name, value.clone()));
            }
        }
        if let Some(expected) = self.expected() {
            labels.push(("expected", expected));
        }
        if let Some(last) = &self.last_ping {
            labels.push(("last_ping", last.clone()));
        }
        Alert::new(key, title, &self.reason())
            .since(self.went_down())
            .labels(labels.iter().map(|(k, v)| (*k, v.as_str())))
    }

    /// "Healthchecks says down — last ping 2020-03-23 10:19 UTC; expected every 1 h, 20 min grace".
    /// "Last ping" rather than "no ping since": a check is also down after a failure signal,
    /// and then its last ping is that signal.
    fn reason(&self) -> String {
        let last = match self.last_ping.as_deref().map(parse_time) {
            Some(Some(t)) => format!("last ping {}", t.strftime("%Y-%m-%d %H:%M UTC")),
            Some(None) => "last ping at a time not understood".into(),
            None => "never pinged".into(),
        };
        match self.expected() {
            Some(expected) => format!("{SERVICE} says down — {last}; expected {expected}"),
            None => format!("{SERVICE} says down — {last}"),
        }
    }

    /// "every 1 h, 20 min grace" or "on \"15 5 * * *\" (UTC), 20 min grace".
    fn expected(&self) -> Option<String> {
        let period = match (&self.timeout, &self.schedule) {
            (Some(t), _) => format!("every {}", seconds(*t)),
            (None, Some(s)) => match &self.tz {
                Some(tz) => format!("on \"{s}\" ({tz})"),
                None => format!("on \"{s}\""),
            },
            (None, None) => return None,
        };
        Some(match self.grace {
            Some(g) => format!("{period}, {} grace", seconds(g)),
            None => period,
        })
    }

    /// When the check went down, where the answer says: a check Healthchecks has not yet
    /// flipped still reports when its grace began (`next_ping`), and it is down once `grace`
    /// has passed after that. A flipped check says neither (`next_ping` is `null`).
    fn went_down(&self) -> Option<Timestamp> {
        let grace_start = parse_time(self.next_ping.as_deref()?)?;
        let grace = jiff::SignedDuration::try_from(Duration::from_secs(self.grace?)).ok()?;
        grace_start.checked_add(grace).ok()
    }
}

fn seconds(s: u64) -> String {
    words::duration(Duration::from_secs(s), Style::Short)
}

/// `2020-03-24T14:02:03+00:00` (Python's `isoformat()`); anything else is not a time.
fn parse_time(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

#[cfg(test)]
#[path = "healthchecks_tests.rs"]
mod tests;
