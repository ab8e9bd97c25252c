//! Uptime Kuma: its Prometheus `/metrics` (`monitor_status`).

use super::Alert;

pub async fn poll(
    _http: &reqwest::Client,
    _url: &str,
    _api_key: Option<&str>,
) -> Result<Vec<Alert>, String> {
    Err("Uptime Kuma is not read yet".into())
}
