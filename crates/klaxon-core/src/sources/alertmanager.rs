//! Alertmanager's API v2.

use super::Alert;

pub async fn poll(
    _http: &reqwest::Client,
    _url: &str,
    _filter: &[String],
) -> Result<Vec<Alert>, String> {
    Err("Alertmanager is not read yet".into())
}
