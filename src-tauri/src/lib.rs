//! Klaxon's window: a thin Tauri v2 shell over klaxon-core. It runs in a process of its own
//! (`klaxon-app --window`, see `window.rs`), started by the tray process (the `klaxon-tray`
//! crate, which runs the engine and links no WebKit) and ended when the window closes, so its
//! memory goes with it. Its commands speak to the engine over the control socket, through the
//! same typed client as the CLI. `klaxon-app` without `--window` hands over to `klaxon-tray`.

pub mod aftermath;
pub mod commands;
pub mod error;
mod events;
mod first_run;
mod import;
pub mod maintenance;
mod settings;
pub mod window;

use klaxon_core::paths::Paths;
use klaxon_core::protocol::{Client, Socket};
use tauri::{Manager, Runtime};

/// What every command can reach.
pub struct AppState {
    /// The engine's control socket (the engine runs in the tray process, or `klaxon run`).
    pub socket: Socket,
    /// The config file and data dir the engine runs on; Settings writes the same file.
    pub paths: Paths,
}

impl AppState {
    /// The typed client both shells stand on.
    pub fn client(&self) -> Client<&Socket> {
        Client::new(&self.socket, self.paths.clone())
    }
}

/// The window's commands.
fn handlers<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::status,
        commands::acknowledge,
        commands::snooze,
        commands::pause,
        commands::resume,
        commands::test_alarm,
        commands::check_source,
        commands::page,
        commands::page_answer,
        commands::day_bars,
        commands::history,
        commands::incident,
        commands::settings,
        commands::channels,
        commands::test_channel,
        commands::channel_settings,
        commands::validate_channel,
        commands::save_channel,
        commands::delete_channel,
        commands::validate_escalation,
        commands::save_escalation,
        commands::validate_monitor,
        commands::check_monitor,
        commands::save_monitor,
        commands::delete_monitor,
        commands::save_alarm,
        commands::save_witnesses,
        commands::set_secret,
        commands::delete_secret,
        commands::set_launch_at_login,
        maintenance::maintenance,
        maintenance::save_maintenance,
        maintenance::delete_maintenance,
        import::import_monitors,
        first_run::first_run_due,
        first_run::first_run_end,
        first_run::guess_monitor,
        first_run::put_phone_on_ladder,
        aftermath::uptime,
        aftermath::latency,
        aftermath::months,
        aftermath::notes,
        aftermath::save_notes,
        aftermath::draft,
        aftermath::save_draft,
        aftermath::drafts,
        aftermath::copy_text,
        aftermath::open_mail
    ]
}

/// The window's process: the window and its commands, speaking to the engine over the
/// control socket. It ends when the window closes. Generic over the runtime so the command
/// tests run it on the mock one.
pub fn build_window<R: Runtime>(builder: tauri::Builder<R>, paths: Paths) -> tauri::Builder<R> {
    builder
        .invoke_handler(handlers())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            app.manage(AppState {
                socket: Socket::new(paths.data_dir.clone()),
                paths: paths.clone(),
            });
            events::follow_over_socket(app.handle().clone(), paths.clone());
            window::build(app.handle())?;
            Ok(())
        })
}
