//! Healthchecks (healthchecks.io or self-hosted): `GET /api/v3/checks/` with `X-Api-Key`.

use super::Alert;

pub async fn poll(
    _http: &reqwest::Client,
    _url: &str,
    _api_key: &str,
) -> Result<Vec<Alert>, String> {
    Err("Healthchecks is not read yet".into())
}
