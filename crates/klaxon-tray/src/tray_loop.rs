//! The tray process's event loop: the desktop's main loop (GTK on Linux) with the tray icon on
//! it, fed by the engine's status and the menu's clicks. The engine runs on a tokio runtime
//! beside it and never waits on this loop: the loop only shows what the engine says and hands
//! clicks to it.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use klaxon_core::domain::states::AckVia;
use klaxon_core::domain::status::Status;
use klaxon_core::engine::Engine;
use klaxon_core::paths::Paths;
use klaxon_core::protocol::Client;
use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoop, EventLoopBuilder, EventLoopProxy};
use tao::platform::run_return::EventLoopExtRunReturn;
use tokio::runtime::Runtime;
use tray_icon::menu::{MenuEvent, MenuId};
use tray_icon::{TrayIcon, TrayIconBuilder};

use crate::menu::{self, TrayAction};
use crate::window::WindowProcess;
use crate::{icons, login, look};

/// What wakes the loop.
#[derive(Debug)]
pub enum Wake {
    /// A new status, or the same one again to let the tooltip's minutes tick over.
    Status(Box<Status>),
    Menu(MenuId),
    /// A second launch of Klaxon asked for the window.
    Open,
    /// Quit with this exit code (Quit in the menu, a signal, a fault).
    Quit(i32),
}

/// The desktop's event loop, or why there is none (no display, say). GTK panics when it
/// cannot start: that panic is caught here and said as a reason.
pub fn event_loop() -> Result<EventLoop<Wake>, String> {
    #[cfg(target_os = "linux")]
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err("there is no desktop to show the tray icon on (neither DISPLAY nor WAYLAND_DISPLAY is set); `klaxon run` watches without one".into());
    }
    std::panic::catch_unwind(|| EventLoopBuilder::<Wake>::with_user_event().build())
        .map_err(|_| "the desktop's toolkit (GTK) could not start".to_string())
}

/// How often the tray is looked at again with no news: the tooltip's "down for 4 min" keeps
/// counting and the login check mark follows a change made in the window.
const LOOK_AGAIN: Duration = Duration::from_secs(5);

/// What is on screen, so the tray is touched only when it changes.
#[derive(PartialEq)]
struct Shown {
    icon: &'static str,
    tooltip: String,
    menu: Vec<String>,
}

pub struct Tray {
    pub paths: Paths,
    pub engine: Arc<Engine>,
    pub runtime: Runtime,
    pub window: WindowProcess,
}

impl Tray {
    /// Runs the loop until Quit; the exit code asked for.
    pub fn run(self, mut event_loop: EventLoop<Wake>) -> i32 {
        let proxy = event_loop.create_proxy();
        self.follow_status(proxy.clone());
        let to_loop = proxy.clone();
        MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
            let _ = to_loop.send_event(Wake::Menu(event.id));
        }));
        let quit = |proxy: EventLoopProxy<Wake>| {
            move |code| {
                let _ = proxy.send_event(Wake::Quit(code));
            }
        };
        let handle = self.runtime.handle().clone();
        let knocked = proxy.clone();
        let open = move || {
            let _ = knocked.send_event(Wake::Open);
        };
        if let Err(e) = crate::knock::listen(&handle, &self.paths.data_dir, open) {
            tracing::warn!("a second launch of Klaxon cannot reach this tray: {e}");
        }
        crate::supervise::restart_on_failure(&handle, self.engine.failure(), quit(proxy.clone()));
        crate::supervise::quit_on_signal(&handle, quit(proxy));

        let mut tray: Option<TrayIcon> = None;
        let mut shown: Option<Shown> = None;
        let code = event_loop.run_return(|event, _, control_flow| {
            if !matches!(control_flow, ControlFlow::ExitWithCode(_)) {
                *control_flow = ControlFlow::Wait;
            }
            match event {
                Event::NewEvents(StartCause::Init) => {
                    let status = self.engine.status().borrow().clone();
                    match create(&status) {
                        Ok(icon) => tray = Some(icon),
                        // No icon means a founder who cannot see Klaxon is running: said
                        // out loud. The engine keeps watching and ringing regardless.
                        Err(e) => {
                            tracing::error!("{e}");
                            klaxon_core::engine::desktop::notify(
                                "Klaxon has no tray icon",
                                &format!("{e}. Klaxon keeps watching and will ring; `klaxon status` shows its state."),
                            );
                        }
                    }
                }
                Event::UserEvent(Wake::Status(status)) => {
                    if let Some(tray) = &tray {
                        refresh(tray, &status, &mut shown);
                    }
                }
                Event::UserEvent(Wake::Menu(id)) => {
                    if let Some(action) = TrayAction::from_id(id.as_ref())
                        && let Some(code) = self.clicked(action)
                    {
                        self.leave();
                        *control_flow = ControlFlow::ExitWithCode(code);
                    }
                }
                Event::UserEvent(Wake::Open) => self.open_window(),
                Event::UserEvent(Wake::Quit(code)) => {
                    self.leave();
                    *control_flow = ControlFlow::ExitWithCode(code);
                }
                _ => {}
            }
        });
        drop(tray);
        let _ = std::fs::remove_file(
            klaxon_core::paths::DataFiles::new(&self.paths.data_dir).tray_socket(),
        );
        // Whatever the engine has not yet written is written before the process ends. An
        // action still being answered holds it a moment longer; then dropping it is the stop.
        match Arc::try_unwrap(self.engine) {
            Ok(engine) => self.runtime.block_on(engine.shutdown()),
            Err(_) => tracing::warn!("the engine was still busy at quit; stopped without a flush"),
        }
        code
    }

    /// Before the loop ends: the phone hears that this machine is no longer covered, if asked
    /// to (bounded by the engine's own limit), and the window goes.
    fn leave(&self) {
        self.runtime.block_on(self.engine.farewell());
        self.window.close();
    }

    /// Follows the engine's status until it stops, waking the loop with each new snapshot
    /// and every [`LOOK_AGAIN`].
    fn follow_status(&self, proxy: EventLoopProxy<Wake>) {
        let mut status = self.engine.status();
        self.runtime.spawn(async move {
            let mut tick = tokio::time::interval(LOOK_AGAIN);
            loop {
                tokio::select! {
                    changed = status.changed() => if changed.is_err() { return },
                    _ = tick.tick() => {}
                }
                let now = Box::new(status.borrow_and_update().clone());
                if proxy.send_event(Wake::Status(now)).is_err() {
                    return;
                }
            }
        });
    }

    /// Does what a clicked item asks; `Some(code)` when it asks to quit.
    fn clicked(&self, action: TrayAction) -> Option<i32> {
        match action {
            TrayAction::Quit => return Some(0),
            TrayAction::Open => self.open_window(),
            TrayAction::LaunchAtLogin => {
                if let Err(e) = login::set(!login::is_enabled()) {
                    tracing::warn!("tray: {e}");
                }
            }
            // With the awake check on, the code to type is in the window: open it at the
            // prompt. Without it, the click is the acknowledgement.
            TrayAction::Acknowledge if self.engine.status().borrow().ack_code.is_some() => {
                self.open_window()
            }
            engine_action => self.ask_engine(engine_action),
        }
        None
    }

    fn open_window(&self) {
        if let Err(e) = self.window.open(&self.paths) {
            tracing::error!("{e}");
            klaxon_core::engine::desktop::notify(
                "Klaxon cannot open its window",
                &format!("{e}. Klaxon keeps watching from the tray."),
            );
        }
    }

    /// Hands an action to the engine through the same typed client the window and CLI use.
    fn ask_engine(&self, action: TrayAction) {
        let (engine, paths) = (self.engine.clone(), self.paths.clone());
        self.runtime.spawn(async move {
            let client = Client::new(&*engine, paths);
            let answer = match action {
                TrayAction::Acknowledge => client.acknowledge(None, AckVia::Tray, None).await,
                TrayAction::Snooze { minutes } => client.snooze(minutes).await,
                TrayAction::PauseFor { minutes } => client.pause(Some(minutes)).await,
                TrayAction::PauseUntilResumed => client.pause(None).await,
                TrayAction::Resume => client.resume().await,
                TrayAction::TestAlarm => client.test_alarm(10).await,
                TrayAction::Open | TrayAction::LaunchAtLogin | TrayAction::Quit => return,
            };
            if let Err(e) = answer {
                tracing::warn!("tray: {e}");
            }
        });
    }
}

fn create(status: &Status) -> crate::error::Result<TrayIcon> {
    let menu = menu::build(status, login::is_enabled())
        .map_err(|e| crate::error::Error::Tray(e.to_string()))?;
    let mut builder = TrayIconBuilder::new()
        .with_id("klaxon")
        .with_menu(Box::new(menu))
        .with_tooltip(look::tooltip(status, Timestamp::now()));
    if let Some(icon) = icons::icon(look::icon_name(status)) {
        builder = builder.with_icon(icon);
    }
    builder
        .build()
        .map_err(|e| crate::error::Error::Tray(e.to_string()))
}

/// Brings the tray in line with a status: the icon and tooltip when they change, the menu only
/// when what it shows changes (rebuilding it closes one the user has open).
fn refresh(tray: &TrayIcon, status: &Status, shown: &mut Option<Shown>) {
    let now = Shown {
        icon: look::icon_name(status),
        tooltip: look::tooltip(status, Timestamp::now()),
        menu: menu::key(status, login::is_enabled()),
    };
    if shown.as_ref() == Some(&now) {
        return;
    }
    if shown.as_ref().is_none_or(|s| s.icon != now.icon) {
        let _ = tray.set_icon(icons::icon(now.icon));
    }
    let _ = tray.set_tooltip(Some(&now.tooltip));
    if shown.as_ref().is_none_or(|s| s.menu != now.menu) {
        match menu::build(status, login::is_enabled()) {
            Ok(menu) => tray.set_menu(Some(Box::new(menu))),
            Err(e) => tracing::warn!("tray menu: {e}"),
        }
    }
    *shown = Some(now);
}
