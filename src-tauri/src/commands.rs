//! The window's commands: each a few lines that hand the request to the engine.

use klaxon_core::engine::{Command, Reply};
use klaxon_core::status::Status;
use tauri::State;

use crate::AppState;
use crate::error::{Error, Result};

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
        Reply::Status { status } => Ok(status),
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
