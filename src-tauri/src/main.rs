// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use tauri::RunEvent;

fn main() {
    // GTK initialises OpenGL at start-up even with no window, and on Linux that maps the
    // whole Mesa driver (with LLVM: ~50 MB resident) into a tray app that is idle nearly all
    // the time. The small window renders fine without it. A user who sets GDK_GL keeps theirs.
    #[cfg(target_os = "linux")]
    if std::env::var_os("GDK_GL").is_none() {
        // SAFETY: first thing in main, before any thread exists that could read the
        // environment concurrently.
        unsafe { std::env::set_var("GDK_GL", "disable") };
    }
    let paths = match klaxon_core::paths::Paths::resolve(None, None) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("klaxon-app: {e}");
            std::process::exit(2);
        }
    };
    // Started at login the app has no terminal: its log goes to the rotating file in the data
    // dir (Settings and `klaxon logs` show where), and to stderr for `make run`. Before any
    // thread starts: the native libraries' stderr is captured from here on.
    klaxon_core::logging::init(Some(paths.data_dir.as_path()));
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == klaxon_app::window::WINDOW_ARG) {
        std::process::exit(window_process(paths));
    }
    if let Ok(true) = paths.write_starter_if_missing() {
        tracing::info!("wrote a starter config to {}", paths.config.display());
    }
    // Started at login: straight to the tray, no window in the founder's face.
    let background = args.iter().any(|a| a == klaxon_app::BACKGROUND_ARG);
    klaxon_app::supervise::wait_for_previous(&args);
    let builder =
        tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, args, _| {
            // Opening Klaxon again (from a launcher) brings its window up.
            if !args.iter().any(|a| a == klaxon_app::BACKGROUND_ARG) {
                let _ = klaxon_app::window::open(app);
            }
        }));
    let app = match klaxon_app::build(
        builder,
        paths,
        klaxon_app::Shell {
            tray: true,
            open_window: !background,
        },
    )
    .build(tauri::generate_context!())
    {
        Ok(app) => app,
        Err(e) => {
            eprintln!("klaxon-app: {e}");
            std::process::exit(2);
        }
    };
    let code = app.run_return(|app, event| match event {
        // A tray app keeps running when its window closes; only Quit ends it.
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        // Quitting: the phone hears that this machine is no longer covered, if asked to.
        RunEvent::Exit => klaxon_app::farewell(app),
        _ => {}
    });
    // A fault or an engine that could not start ends the app with its own code (2, 70), so
    // whoever started it can tell.
    std::process::exit(klaxon_app::supervise::exit_code(code));
}

/// The window's own process (see `window.rs`): it ends when the window closes.
fn window_process(paths: klaxon_core::paths::Paths) -> i32 {
    let mut context = tauri::generate_context!();
    // Its own identity, so its single-instance guard (and WebKit's data) is not the tray's:
    // a second `--window` brings this one up and ends, on every platform.
    context.config_mut().identifier.push_str(".window");
    let builder =
        tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, _, _| {
            klaxon_app::window::focus(app);
        }));
    match klaxon_app::build_window(builder, paths).build(context) {
        Ok(app) => app.run_return(|_, _| {}),
        Err(e) => {
            eprintln!("klaxon-app: cannot open the window: {e}");
            2
        }
    }
}
