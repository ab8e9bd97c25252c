//! `klaxon-app`: the window's process with `--window`; otherwise it hands over to `klaxon-tray`
//! at once, so whatever starts Klaxon by this name (the launcher entry, a founder's terminal,
//! a login item from an older version) gets the tray process, which links no WebKit.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// The argument that makes `klaxon-app` the window's process.
const WINDOW_ARG: &str = "--window";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == WINDOW_ARG) {
        std::process::exit(hand_over_to_tray(&args));
    }
    // SAFETY: first thing the window's process does, before any thread exists.
    unsafe { klaxon_tray::without_opengl() };
    let paths = match klaxon_core::paths::Paths::resolve(None, None) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("klaxon-app: {e}");
            std::process::exit(2);
        }
    };
    klaxon_core::logging::init(Some(paths.data_dir.as_path()));
    std::process::exit(window_process(paths));
}

/// Becomes `klaxon-tray` with the same arguments (on Unix the same process, so whoever started
/// `klaxon-app` follows the tray's pid and exit code); the exit code when it cannot.
fn hand_over_to_tray(args: &[String]) -> i32 {
    let tray = match klaxon_tray::beside_me(klaxon_tray::TRAY_BIN) {
        Ok(tray) => tray,
        Err(e) => {
            let message = format!("{e}. Nothing is being watched; reinstall Klaxon.");
            eprintln!("klaxon-app: {message}");
            klaxon_core::engine::desktop::notify_and_wait(
                "Klaxon cannot start",
                &message,
                std::time::Duration::from_secs(3),
            );
            return 2;
        }
    };
    let mut command = std::process::Command::new(&tray);
    command.args(args.iter().skip(1));
    #[cfg(unix)]
    let error = std::os::unix::process::CommandExt::exec(&mut command);
    #[cfg(not(unix))]
    let error = match command.status() {
        Ok(status) => return status.code().unwrap_or(2),
        Err(e) => e,
    };
    eprintln!("klaxon-app: cannot start {}: {error}", tray.display());
    2
}

/// The window's own process: it ends when the window closes.
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
