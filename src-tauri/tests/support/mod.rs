//! What the command tests share: the window's app on Tauri's mock runtime with a real engine
//! behind its control socket, and a way to invoke commands as the window does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use klaxon_app::build_window;
use klaxon_core::engine::clock::SystemClock;
use klaxon_core::engine::{Engine, EngineOptions};
use klaxon_core::paths::Paths;
use serde_json::Value;
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

pub fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|r| r.deserialize::<Value>().unwrap())
}

/// The window's app on the mock runtime (no real webview), speaking over the control socket to
/// a real engine started here as the tray process starts it; both live as long as this.
pub struct WindowApp {
    _app: tauri::App<MockRuntime>,
    _engine: Engine,
}

/// The engine on `paths`, and the window's app on it with its window to invoke from.
pub fn start_app(paths: Paths) -> (WindowApp, WebviewWindow<MockRuntime>) {
    let options = EngineOptions {
        config_path: paths.config.clone(),
        data_dir: paths.data_dir.clone(),
        clock: Arc::new(SystemClock),
    };
    let engine = tauri::async_runtime::block_on(Engine::start_despite_config_errors(options))
        .expect("the engine starts");
    let mut app = build_window(mock_builder(), paths)
        .build(mock_context(noop_assets()))
        .unwrap();
    // The setup hook (which makes the window) runs on the event loop's first turn.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let window = app
        .get_webview_window(klaxon_app::window::LABEL)
        .expect("the window");
    (
        WindowApp {
            _app: app,
            _engine: engine,
        },
        window,
    )
}

pub fn wait_until(
    window: &WebviewWindow<MockRuntime>,
    what: &str,
    f: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = invoke(window, "status", Value::Null).unwrap();
        if f(&status) {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {status:#}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A loopback HTTP server answering `200 ok` to `count` requests, then gone (the port closes).
pub fn http_server(count: usize) -> (std::net::SocketAddr, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        for mut conn in listener.incoming().take(count).flatten() {
            let mut buf = [0u8; 2048];
            let _ = conn.read(&mut buf);
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (addr, thread)
}

/// The running app, and the temp dir it runs on (both kept alive as long as this is).
pub struct Running {
    _dir: tempfile::TempDir,
    _app: WindowApp,
    pub window: WebviewWindow<MockRuntime>,
}

/// The app on `head` (config text) plus one monitor whose service answers once and is then
/// gone, returned once its incident rings, with that status.
pub fn app_with_an_outage(head: &str) -> (Running, Value) {
    let (addr, server) = http_server(1);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("klaxon.toml");
    std::fs::write(
        &config,
        format!(
            "{head}\n[[monitor]]\nname = \"API\"\nurl = \"http://{addr}/\"\nevery = \"1s\"\ntimeout = \"1s\"\n"
        ),
    )
    .unwrap();
    let paths = Paths {
        config,
        data_dir: dir.path().join("data"),
    };
    let (app, window) = start_app(paths);
    let status = wait_until(&window, "a ringing incident", |s| {
        s["incidents"][0]["state"] == "ringing"
    });
    server.join().unwrap();
    (
        Running {
            _dir: dir,
            _app: app,
            window,
        },
        status,
    )
}
