//! The window's commands: each a few lines that hand the request to the typed client (the
//! engine, and the history read in a connection of its own) or to `settings` (the config
//! file and the keyring).

use std::time::Duration;

use klaxon_core::aftermath::look_back::{DayBar, IncidentDetail};
use klaxon_core::config::Config;
use klaxon_core::config::channel_form::{ChannelForm, ChannelSettings, EscalationForm};
use klaxon_core::config::edit::ConfigDocument;
use klaxon_core::config::form::{AlarmForm, CheckOutcome, FieldProblem, MonitorForm, Settings};
use klaxon_core::domain::delivery::Outcome;
use klaxon_core::domain::states::AckVia;
use klaxon_core::domain::status::{IncidentView, Status};
use klaxon_core::protocol::{Answer, ChannelSummary, Paged};
use klaxon_core::secrets;
use klaxon_tray::login;
use tauri::State;

use crate::error::{Error, Result};
use crate::{AppState, settings};

#[tauri::command]
pub async fn status(state: State<'_, AppState>) -> Result<Status> {
    Ok(state.client().status().await?)
}

/// Acknowledges every ringing incident; `code` is the awake check's.
#[tauri::command]
pub async fn acknowledge(state: State<'_, AppState>, code: Option<String>) -> Result<String> {
    said(state.client().acknowledge(None, AckVia::Window, code).await)
}

#[tauri::command]
pub async fn snooze(state: State<'_, AppState>, minutes: u64) -> Result<String> {
    said(state.client().snooze(minutes).await)
}

#[tauri::command]
pub async fn pause(state: State<'_, AppState>, minutes: Option<u64>) -> Result<String> {
    said(state.client().pause(minutes).await)
}

#[tauri::command]
pub async fn resume(state: State<'_, AppState>) -> Result<String> {
    said(state.client().resume().await)
}

/// Plays the whole escalation in ten seconds, to check the volume before bed.
#[tauri::command]
pub async fn test_alarm(state: State<'_, AppState>) -> Result<String> {
    said(state.client().test_alarm(10).await)
}

/// Reads a `[[source]]` now rather than at its next turn.
#[tauri::command]
pub async fn check_source(state: State<'_, AppState>, name: String) -> Result<String> {
    said(state.client().check_source(&name).await)
}

/// Publishes an urgent page to `[page]`; `from` empty is this machine's user. Answers the
/// page's id, for [`page_answer`].
#[tauri::command]
pub async fn page(state: State<'_, AppState>, from: String, text: String) -> Result<String> {
    let from = match from.trim() {
        "" => default_from(),
        given => given.to_string(),
    };
    Ok(state.client().page(&from, &text).await?.id)
}

/// The longest the window waits for a page's answer in one call.
const PAGE_WAIT_LIMIT: Duration = Duration::from_secs(600);

/// Waits at most `seconds` (ten minutes at most) for the answer to the page `id`; `null` if
/// none came. The topic is the config's own, so the window never names where to listen.
#[tauri::command]
pub async fn page_answer(
    state: State<'_, AppState>,
    id: String,
    seconds: u64,
) -> Result<Option<String>> {
    let path = state.paths.config.clone();
    let config = blocking(move || Ok(Config::load(&path)?)).await?;
    let Some(page) = config.page else {
        return Err(Error::Refused(
            "there is no [page] in the config any more".into(),
        ));
    };
    let paged = Paged {
        topic: page.ntfy,
        id,
    };
    let limit = Duration::from_secs(seconds).min(PAGE_WAIT_LIMIT);
    Ok(state.client().page_answer(&paged, limit).await?)
}

/// Who is paging when the form leaves it empty: the logged-in user (`klaxon page` adds the
/// host's name, which this crate has no way to read).
fn default_from() -> String {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))
        .unwrap_or_else(|| "someone".into())
}

/// The engine's sentence, for the window to show.
fn said(answer: klaxon_core::Result<Answer>) -> Result<String> {
    Ok(answer?.message)
}

/// Each monitor's last 24 hours, for the bars under the monitors.
#[tauri::command]
pub async fn day_bars(state: State<'_, AppState>) -> Result<Vec<DayBar>> {
    let status = state.client().status().await?;
    let names = status.monitors.into_iter().map(|m| m.name).collect();
    Ok(state.client().day_bars(names, status.blind_since).await?)
}

/// Every incident, newest first.
#[tauri::command]
pub async fn history(state: State<'_, AppState>) -> Result<Vec<IncidentView>> {
    Ok(state.client().history().await?)
}

#[tauri::command]
pub async fn incident(state: State<'_, AppState>, id: i64) -> Result<IncidentDetail> {
    Ok(state.client().incident(id).await?)
}

/// Each channel with how its newest delivery went.
#[tauri::command]
pub async fn channels(state: State<'_, AppState>) -> Result<Vec<ChannelSummary>> {
    Ok(state.client().channels().await?)
}

/// Sends a test message to a channel; a refusal comes back as the service's words.
#[tauri::command]
pub async fn test_channel(state: State<'_, AppState>, name: String) -> Result<String> {
    match state.client().test_channel(&name).await? {
        Outcome::Delivered => {
            Ok("The test message was delivered. Check that it reached you.".into())
        }
        Outcome::Failed { error, .. } => Err(Error::Refused(error)),
    }
}

#[tauri::command]
pub async fn settings(state: State<'_, AppState>) -> Result<Settings> {
    let paths = state.paths.clone();
    let launch = login::is_enabled();
    blocking(move || settings::read(&paths, launch)).await
}

#[tauri::command]
pub async fn validate_monitor(
    state: State<'_, AppState>,
    form: MonitorForm,
) -> Result<Vec<FieldProblem>> {
    settings::validate(&state.paths.config, &form)
}

#[tauri::command]
pub async fn check_monitor(state: State<'_, AppState>, form: MonitorForm) -> Result<CheckOutcome> {
    settings::check(&state.paths.config, &form).await
}

#[tauri::command]
pub async fn save_monitor(state: State<'_, AppState>, form: MonitorForm) -> Result<String> {
    let what = format!("{} saved", form.name.trim());
    settings::change(&state, &state.paths.config, &what, |doc| {
        settings::put_monitor(doc, &form)
    })
    .await
}

#[tauri::command]
pub async fn delete_monitor(state: State<'_, AppState>, name: String) -> Result<String> {
    let what = format!("{name} deleted");
    settings::change(&state, &state.paths.config, &what, |doc| {
        Ok(doc.delete_monitor(&name)?)
    })
    .await
}

#[tauri::command]
pub async fn save_alarm(state: State<'_, AppState>, form: AlarmForm) -> Result<String> {
    settings::change(&state, &state.paths.config, "Alarm settings saved", |doc| {
        settings::put_alarm(doc, &form)
    })
    .await
}

#[tauri::command]
pub async fn save_witnesses(state: State<'_, AppState>, witnesses: Vec<String>) -> Result<String> {
    settings::change(&state, &state.paths.config, "Witnesses saved", |doc| {
        doc.set_witnesses(&witnesses);
        Ok(())
    })
    .await
}

/// The channels and the escalation ladder as klaxon.toml has them.
#[tauri::command]
pub async fn channel_settings(state: State<'_, AppState>) -> Result<ChannelSettings> {
    let path = state.paths.config.clone();
    blocking(move || Ok(ConfigDocument::read(&path)?.channel_settings())).await
}

/// The problems saving the channel would meet (empty: it would save). `previous` is the name
/// it had when the form opened (`null` for a new channel).
#[tauri::command]
pub async fn validate_channel(
    state: State<'_, AppState>,
    previous: Option<String>,
    form: ChannelForm,
) -> Result<Vec<FieldProblem>> {
    let mut doc = ConfigDocument::read(&state.paths.config)?;
    Ok(doc
        .put_channel(previous.as_deref(), &form)
        .err()
        .unwrap_or_default())
}

#[tauri::command]
pub async fn save_channel(
    state: State<'_, AppState>,
    previous: Option<String>,
    form: ChannelForm,
) -> Result<String> {
    let what = format!("{} saved", form.name.trim());
    settings::change(&state, &state.paths.config, &what, |doc| {
        doc.put_channel(previous.as_deref(), &form)
            .map_err(Error::Form)
    })
    .await
}

/// Refused while a step of the escalation ladder notifies the channel.
#[tauri::command]
pub async fn delete_channel(state: State<'_, AppState>, name: String) -> Result<String> {
    let what = format!("{name} deleted");
    settings::change(&state, &state.paths.config, &what, |doc| {
        Ok(doc.delete_channel(&name)?)
    })
    .await
}

/// The problems saving the ladder would meet, by field (`steps[2].after`); empty: it would save.
#[tauri::command]
pub async fn validate_escalation(
    state: State<'_, AppState>,
    form: EscalationForm,
) -> Result<Vec<FieldProblem>> {
    let mut doc = ConfigDocument::read(&state.paths.config)?;
    Ok(doc.set_escalation(&form).err().unwrap_or_default())
}

/// An empty ladder removes `[escalation]`: the siren alone, as without channels.
#[tauri::command]
pub async fn save_escalation(state: State<'_, AppState>, form: EscalationForm) -> Result<String> {
    settings::change(&state, &state.paths.config, "Escalation saved", |doc| {
        doc.set_escalation(&form).map_err(Error::Form)
    })
    .await
}

/// Stores a secret in the OS keyring; monitors waiting for it are prepared again.
#[tauri::command]
pub async fn set_secret(state: State<'_, AppState>, name: String, value: String) -> Result<String> {
    let stored = name.clone();
    blocking(move || Ok(secrets::set(&stored, &value)?)).await?;
    state.client().reload().await?;
    Ok(format!("{name} is stored in the keyring"))
}

#[tauri::command]
pub async fn delete_secret(state: State<'_, AppState>, name: String) -> Result<String> {
    let stored = name.clone();
    blocking(move || Ok(secrets::delete(&stored)?)).await?;
    state.client().reload().await?;
    Ok(format!("{name} is removed from the keyring"))
}

/// Turns launch at login on or off; answers what the OS now has.
#[tauri::command]
pub async fn set_launch_at_login(enabled: bool) -> Result<bool> {
    blocking(move || login::set(enabled).map_err(|e| Error::Refused(e.to_string()))).await
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Refused(format!("the request stopped: {e}")))?
}
