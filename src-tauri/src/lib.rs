//! Klaxon's tray app: a thin Tauri v2 shell over klaxon-core, in two processes. The tray
//! process runs the engine (serving the same control socket as `klaxon run`, so the CLI works
//! against it) and shows its state in the tray; it never makes a webview. The window runs in a
//! process of its own (`klaxon-app --window`, see `window.rs`) that speaks to the engine over
//! the socket and ends when the window closes, so its memory goes with it.

pub mod aftermath;
pub mod commands;
pub mod error;
mod events;
mod first_run;
mod import;
pub mod link;
mod login;
pub mod maintenance;
mod settings;
pub mod supervise;
pub mod tray;
pub mod window;

use std::sync::Arc;

use klaxon_core::engine::clock::SystemClock;
use klaxon_core::engine::{Engine, EngineOptions};
use klaxon_core::paths::Paths;
use klaxon_core::protocol::{Client, Socket};
use link::Link;
use tauri::{Manager, Runtime};

/// The argument the login item starts Klaxon with: to the tray, without opening the window.
pub const BACKGROUND_ARG: &str = "--background";

/// What every command can reach.
pub struct AppState {
    /// The engine: here in the tray process, over the socket in the window's.
    pub link: Link,
    /// The config file and data dir the engine runs on; Settings writes the same file.
    pub paths: Paths,
}

impl AppState {
    /// The typed client both shells stand on, speaking to the engine wherever it runs.
    pub fn client(&self) -> Client<&Link> {
        Client::new(&self.link, self.paths.clone())
    }

    /// The engine, in the tray process that runs it.
    pub fn engine(&self) -> Option<&Engine> {
        self.link.engine()
    }
}

/// What of the desktop to use: the real app wants both; command tests on the mock runtime
/// have no tray host.
#[derive(Debug, Clone, Copy)]
pub struct Shell {
    pub tray: bool,
    pub open_window: bool,
}

/// The window's commands, the same in both processes (the tray process keeps them for the
/// command tests on the mock runtime, which run the engine in-process).
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

/// Adds Klaxon to a builder: generic over the runtime so tests use the mock one.
pub fn build<R: Runtime>(
    builder: tauri::Builder<R>,
    paths: Paths,
    shell: Shell,
) -> tauri::Builder<R> {
    builder
        .manage(window::WindowProcess::default())
        .invoke_handler(handlers())
        .plugin(login::plugin())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            klaxon_core::engine::open_files::raise_limit();
            // Nothing in here may return an error: Tauri panics on a failed set-up, and a tray
            // app started at login that dies with no icon leaves a founder believing he is
            // covered. What cannot start is said in a notification, and the app exits non-zero.
            let handle = app.handle().clone();
            let options = EngineOptions {
                config_path: paths.config.clone(),
                data_dir: paths.data_dir.clone(),
                clock: Arc::new(SystemClock),
            };
            let engine = match tauri::async_runtime::block_on(Engine::start_despite_config_errors(
                options,
            )) {
                Ok(engine) => engine,
                Err(e) => {
                    supervise::cannot_start(&handle, &e.to_string());
                    return Ok(());
                }
            };
            let status = engine.status();
            let failure = engine.failure();
            let first = status.borrow().clone();
            app.manage(AppState {
                link: Link::InProcess(engine),
                paths: paths.clone(),
            });
            if shell.tray
                && let Err(e) = tray::create(&handle, &first)
            {
                tracing::warn!("no tray icon: {e}");
            }
            events::forward(handle.clone(), status);
            supervise::restart_on_failure(handle.clone(), failure);
            supervise::quit_on_signal(handle.clone());
            if shell.open_window
                && let Err(e) = window::open(&handle)
            {
                tracing::error!("cannot open the window: {e}");
                klaxon_core::engine::desktop::notify(
                    "Klaxon cannot open its window",
                    &format!("{e}. Klaxon keeps watching from the tray."),
                );
            }
            Ok(())
        })
}

/// On quit: the engine tells the channels of `[heartbeat] notify_on_sleep` that this machine is
/// no longer covered (bounded by the engine's own limit), before the app lets it go.
pub fn farewell<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(engine) = app.try_state::<AppState>().and_then(|s| s.inner().engine()) {
        tauri::async_runtime::block_on(engine.farewell());
    }
    window::close(app);
}

/// The window's own process: the window and its commands, speaking to the engine over the
/// control socket. It ends when the window closes.
pub fn build_window<R: Runtime>(builder: tauri::Builder<R>, paths: Paths) -> tauri::Builder<R> {
    builder
        .invoke_handler(handlers())
        .plugin(login::plugin())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            app.manage(AppState {
                link: Link::Socket(Socket::new(paths.data_dir.clone())),
                paths: paths.clone(),
            });
            events::follow_over_socket(app.handle().clone(), paths.clone());
            window::build(app.handle())?;
            Ok(())
        })
}
