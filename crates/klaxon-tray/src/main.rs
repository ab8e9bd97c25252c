//! `klaxon-tray`: the tray process (see the library). Installed beside `klaxon-app`, which
//! hands over to it; started by the login item directly.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // SAFETY: first thing in main, before any thread exists.
    unsafe { klaxon_tray::without_opengl() };
    let paths = match klaxon_core::paths::Paths::resolve(None, None) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("klaxon-app: {e}");
            std::process::exit(2);
        }
    };
    // Started at login the tray has no terminal: its log goes to the rotating file in the data
    // dir (Settings and `klaxon logs` show where), and to stderr for `make run`. Before any
    // thread starts: the native libraries' stderr is captured from here on.
    klaxon_core::logging::init(Some(paths.data_dir.as_path()));
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(klaxon_tray::run(paths, &args));
}
