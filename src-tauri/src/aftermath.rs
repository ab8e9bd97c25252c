//! After the outage, in the window: each monitor's uptime, response times and certificate, the
//! month's numbers, the founder's notes on an incident, the reply drafts written from them, and
//! getting a draft out of Klaxon (the clipboard, the mail app). Each command hands the work to
//! the typed client.

use klaxon_core::aftermath::draft::{Draft, DraftRequest};
use klaxon_core::aftermath::month::MonthReport;
use klaxon_core::aftermath::uptime::{LatencySeries, MonitorUptime, Period};
use klaxon_core::domain::notes::{IncidentNotes, SavedDraft};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_opener::OpenerExt;

use klaxon_core::aftermath::uptime::Ongoing;

use crate::AppState;
use crate::error::{Error, Result};

/// Each monitor's uptime over 24 h, 7 d and 30 d and its certificate, for the Now view.
#[tauri::command]
pub async fn uptime(state: State<'_, AppState>) -> Result<Vec<MonitorUptime>> {
    let status = state.client().status().await?;
    let ongoing = Ongoing::of(&status);
    let names = status.monitors.into_iter().map(|m| m.name).collect();
    Ok(state.client().uptime(names, ongoing).await?)
}

/// One monitor's response times over the chosen period.
#[tauri::command]
pub async fn latency(
    state: State<'_, AppState>,
    monitor: String,
    period: Period,
) -> Result<LatencySeries> {
    Ok(state.client().latency(monitor, period).await?)
}

/// This month's numbers and the five before it, for the Incidents view.
#[tauri::command]
pub async fn months(state: State<'_, AppState>) -> Result<MonthReport> {
    Ok(state.client().months(6).await?)
}

#[tauri::command]
pub async fn notes(state: State<'_, AppState>, id: i64) -> Result<IncidentNotes> {
    Ok(state.client().notes(id).await?)
}

#[tauri::command]
pub async fn save_notes(
    state: State<'_, AppState>,
    id: i64,
    notes: IncidentNotes,
) -> Result<IncidentNotes> {
    Ok(state.client().set_notes(id, notes).await?)
}

#[tauri::command]
pub async fn draft(state: State<'_, AppState>, id: i64, request: DraftRequest) -> Result<Draft> {
    Ok(state.client().draft(id, request).await?)
}

#[tauri::command]
pub async fn save_draft(
    state: State<'_, AppState>,
    id: i64,
    request: DraftRequest,
    subject: String,
    body: String,
) -> Result<SavedDraft> {
    Ok(state
        .client()
        .save_draft(id, request, subject, body)
        .await?)
}

#[tauri::command]
pub async fn drafts(state: State<'_, AppState>, id: i64) -> Result<Vec<SavedDraft>> {
    Ok(state.client().drafts(id).await?)
}

#[tauri::command]
pub async fn copy_text<R: Runtime>(app: AppHandle<R>, text: String) -> Result<String> {
    app.clipboard()
        .write_text(text)
        .map_err(|e| Error::Refused(format!("cannot use the clipboard: {e}")))?;
    Ok("Copied".into())
}

/// A new message in the user's mail app, with the draft's subject and body.
#[tauri::command]
pub async fn open_mail<R: Runtime>(
    app: AppHandle<R>,
    subject: String,
    body: String,
) -> Result<String> {
    app.opener()
        .open_url(mailto(&subject, &body), None::<&str>)
        .map_err(|e| Error::Refused(format!("cannot open the mail app: {e}")))?;
    Ok("Opened in your mail app".into())
}

/// RFC 6068: `mailto:?subject=…&body=…`, spaces as %20 and line breaks as %0D%0A.
pub fn mailto(subject: &str, body: &str) -> String {
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let body = body.replace("\r\n", "\n").replace('\n', "\r\n");
    format!(
        "mailto:?subject={}&body={}",
        utf8_percent_encode(subject, KEEP),
        utf8_percent_encode(&body, KEEP)
    )
}
#[cfg(test)]
mod tests {
    use super::mailto;

    #[test]
    fn a_mailto_link_keeps_the_subject_and_every_line_of_the_body() {
        assert_eq!(
            mailto("Sorry about Acme & co", "Hi Dana,\n\n100% down.\n"),
            "mailto:?subject=Sorry%20about%20Acme%20%26%20co&body=Hi%20Dana%2C%0D%0A%0D%0A100%25%20down.%0D%0A"
        );
    }
}
