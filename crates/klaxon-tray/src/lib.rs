//! Klaxon's tray process: the engine (serving the same control socket as `klaxon run`, so the
//! CLI and the window reach it) and the tray icon that shows its state. It links neither Tauri
//! nor WebKit: a tray app lives for days, and the webview's libraries alone kept ~30 MB
//! resident in a process that never shows a page. The window is another program,
//! `klaxon-app --window` ([`window`]), started when the founder opens it and gone when it
//! closes. `klaxon-app` without `--window` hands over to this program at once, so the launcher
//! entry, the login item and a founder typing `klaxon-app` all end up here.

pub mod error;
pub mod icons;
pub mod knock;
pub mod login;
pub mod look;
pub mod menu;
pub mod supervise;
pub mod tray_loop;
pub mod window;

use std::path::PathBuf;
use std::sync::Arc;

use klaxon_core::engine::clock::SystemClock;
use klaxon_core::engine::{Engine, EngineOptions};
use klaxon_core::paths::Paths;

use error::{Error, Result};

/// The argument the login item starts Klaxon with: to the tray, without opening the window.
pub const BACKGROUND_ARG: &str = "--background";
/// This program's name.
pub const TRAY_BIN: &str = "klaxon-tray";
/// The window's program (the Tauri app).
pub const APP_BIN: &str = "klaxon-app";

/// GTK initialises OpenGL at start-up even with no window, and on Linux that maps the whole
/// Mesa driver (with LLVM: ~50 MB resident) into a process that never draws with it; the small
/// window renders fine without it too. A user who sets `GDK_GL` keeps theirs. Both programs
/// call this first thing in `main`.
///
/// # Safety
/// Sets an environment variable: call it before any thread exists that could read the
/// environment concurrently.
pub unsafe fn without_opengl() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("GDK_GL").is_none() {
        // SAFETY: the caller's promise (no other thread yet).
        unsafe { std::env::set_var("GDK_GL", "disable") };
    }
}

/// One of Klaxon's programs, in the directory this one runs from: they are installed side by
/// side (`/usr/bin`, the app bundle, the build's target dir).
pub fn beside_me(name: &'static str) -> Result<PathBuf> {
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let path = std::env::current_exe()
        .map(|exe| exe.with_file_name(&file))
        .unwrap_or_else(|_| PathBuf::from(&file));
    match std::fs::metadata(&path) {
        Ok(_) => Ok(path),
        Err(source) => Err(Error::Missing {
            name,
            path: path.display().to_string(),
            source,
        }),
    }
}

/// The tray process from start to quit; the exit code (0, or 2 when it cannot start, 70 after
/// a fault).
pub fn run(paths: Paths, args: &[String]) -> i32 {
    let background = args.iter().any(|a| a == BACKGROUND_ARG);
    supervise::wait_for_previous(args);
    if let Ok(true) = paths.write_starter_if_missing() {
        tracing::info!("wrote a starter config to {}", paths.config.display());
    }
    klaxon_core::engine::open_files::raise_limit();
    let event_loop = match tray_loop::event_loop() {
        Ok(event_loop) => event_loop,
        Err(reason) => return supervise::cannot_start(&reason),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return supervise::cannot_start(&format!("cannot start its threads: {e}")),
    };
    let options = EngineOptions {
        config_path: paths.config.clone(),
        data_dir: paths.data_dir.clone(),
        clock: Arc::new(SystemClock),
    };
    let engine = match runtime.block_on(Engine::start_despite_config_errors(options)) {
        Ok(engine) => Arc::new(engine),
        // Klaxon opened again from a launcher while it runs (or while `klaxon run` does): the
        // founder wants the window, on the engine that is running: the tray's own, if a tray
        // runs, else one of this launch's.
        Err(klaxon_core::Error::AlreadyRunning(_)) if !background => {
            if runtime.block_on(knock::knock(&paths.data_dir)) {
                return 0;
            }
            return match window::spawn(&paths) {
                Ok(_) => 0,
                Err(e) => supervise::cannot_start(&e.to_string()),
            };
        }
        Err(e) => return supervise::cannot_start(&e.to_string()),
    };
    let tray = tray_loop::Tray {
        paths,
        engine,
        runtime,
        window: window::WindowProcess::default(),
    };
    if !background {
        tray.window.open(&tray.paths).unwrap_or_else(|e| {
            tracing::error!("{e}");
            klaxon_core::engine::desktop::notify(
                "Klaxon cannot open its window",
                &format!("{e}. Klaxon keeps watching from the tray."),
            );
        });
    }
    tray.run(event_loop)
}
