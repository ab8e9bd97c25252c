//! The window's commands: each a few lines that hand the request to the engine, the store
//! (history, read in its own connection) or `settings` (the config file and the keyring).

use jiff::Timestamp;
use klaxon_core::config::form::{AlarmForm, CheckOutcome, FieldProblem, MonitorForm, Settings};
use klaxon_core::engine::{self, Command, Reply};
use klaxon_core::history::{self, DayBar, IncidentDetail};
use klaxon_core::secrets;
use klaxon_core::status::{IncidentView, Status};
use klaxon_core::store::Store;
use tauri::{AppHandle, Runtime, State};

use crate::error::{Error, Result};
use crate::{AppState, login, settings};

/// Sends a command and turns a refusal into an error the window can show.
pub async fn send(state: &AppState, command: Command) -> Result<Reply> {
    match state.engine.command(command).await {
        Reply::Refused { message } => Err(Error::Refused(message)),
        reply => Ok(reply),
    }
}

#[tauri::command]
pub async fn status(state: State<'_, AppState>) -> Result<Status> {
    match send(&state, Command::Status).await? {
        Reply::Status { status } => Ok(*status),
        other => Err(Error::Refused(format!("unexpected answer: {other:?}"))),
    }
}

/// Acknowledges every ringing incident; `code` is the awake check's.
#[tauri::command]
pub async fn acknowledge(state: State<'_, AppState>, code: Option<String>) -> Result<String> {
    message(
        send(
            &state,
            Command::Ack {
                incident: None,
                via: "window".into(),
                code,
            },
        )
        .await?,
    )
}

#[tauri::command]
pub async fn snooze(state: State<'_, AppState>, minutes: u64) -> Result<String> {
    message(send(&state, Command::Snooze { minutes }).await?)
}

#[tauri::command]
pub async fn pause(state: State<'_, AppState>, minutes: Option<u64>) -> Result<String> {
    message(send(&state, Command::Pause { minutes }).await?)
}

#[tauri::command]
pub async fn resume(state: State<'_, AppState>) -> Result<String> {
    message(send(&state, Command::Resume).await?)
}

/// Plays the whole escalation in ten seconds, to check the volume before bed.
#[tauri::command]
pub async fn test_alarm(state: State<'_, AppState>) -> Result<String> {
    message(send(&state, Command::TestAlarm { seconds: 10 }).await?)
}

fn message(reply: Reply) -> Result<String> {
    Ok(match reply {
        Reply::Done { message } | Reply::Incidents { message, .. } => message,
        other => format!("{other:?}"),
    })
}

/// Each monitor's last 24 hours, for the bars under the monitors.
#[tauri::command]
pub async fn day_bars(state: State<'_, AppState>) -> Result<Vec<DayBar>> {
    let status = state.engine.status().borrow().clone();
    let names = status
        .monitors
        .iter()
        .map(|m| m.name.clone())
        .collect::<Vec<_>>();
    read_store(&state, move |store| {
        history::day_bars(store, &names, Timestamp::now(), status.blind_since)
    })
    .await
}

/// Every incident, newest first.
#[tauri::command]
pub async fn history(state: State<'_, AppState>) -> Result<Vec<IncidentView>> {
    read_store(&state, |store| {
        Ok(store.incidents()?.iter().map(IncidentView::from).collect())
    })
    .await
}

#[tauri::command]
pub async fn incident(state: State<'_, AppState>, id: i64) -> Result<IncidentDetail> {
    read_store(&state, move |store| {
        history::incident_detail(store, id)?.ok_or(klaxon_core::Error::NoSuchIncident(id))
    })
    .await
}

#[tauri::command]
pub async fn settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Settings> {
    let paths = state.paths.clone();
    let launch = login::is_enabled(&app);
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

/// Stores a secret in the OS keyring; monitors waiting for it are prepared again.
#[tauri::command]
pub async fn set_secret(state: State<'_, AppState>, name: String, value: String) -> Result<String> {
    let stored = name.clone();
    blocking(move || Ok(secrets::set(&stored, &value)?)).await?;
    send(&state, Command::Reload).await?;
    Ok(format!("{name} is stored in the keyring"))
}

#[tauri::command]
pub async fn delete_secret(state: State<'_, AppState>, name: String) -> Result<String> {
    let stored = name.clone();
    blocking(move || Ok(secrets::delete(&stored)?)).await?;
    send(&state, Command::Reload).await?;
    Ok(format!("{name} is removed from the keyring"))
}

/// Turns launch at login on or off; answers what the OS now has.
#[tauri::command]
pub async fn set_launch_at_login<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Result<bool> {
    login::set(&app, enabled)
}

/// Runs a read on the database in its own connection, off the async threads: the window can
/// look back as often as it likes without waiting on the engine.
pub(crate) async fn read_store<T: Send + 'static>(
    state: &AppState,
    read: impl FnOnce(&Store) -> klaxon_core::Result<T> + Send + 'static,
) -> Result<T> {
    let path = engine::database_path(&state.paths.data_dir);
    blocking(move || Ok(read(&Store::open_read_only(&path)?)?)).await
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Refused(format!("the request stopped: {e}")))?
}
