//! The subcommands. Each reads its inputs, asks the core, and hands the answer to `output`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, bail};
use klaxon_core::config::Config;
use klaxon_core::engine::{self, Command, Engine, EngineOptions, Reply};
use klaxon_core::paths::Paths;
use klaxon_core::probe::Prober;
use klaxon_core::siren::Siren;
use klaxon_core::siren::plan::Plan;
use klaxon_core::status::{IncidentView, Status};
use klaxon_core::store::Store;
use klaxon_core::{Error, adhoc, clock::SystemClock, control};

use crate::output;

/// Exit code for "the engine refused" or "nothing to talk to", as opposed to "down" (1).
const TROUBLE: u8 = 2;

pub async fn run(paths: &Paths) -> Result<ExitCode> {
    if paths.write_starter_if_missing()? {
        eprintln!(
            "Wrote a starter config to {}. Add your monitors there.",
            paths.config.display()
        );
    }
    let engine = Engine::start(EngineOptions {
        config_path: paths.config.clone(),
        data_dir: paths.data_dir.clone(),
        clock: Arc::new(SystemClock),
    })
    .await?;
    let status = engine.status().borrow().clone();
    eprintln!(
        "Klaxon is on call: {} monitor{} from {} (data in {}). Ctrl-C stops it.",
        status.monitors.len(),
        if status.monitors.len() == 1 { "" } else { "s" },
        paths.config.display(),
        paths.data_dir.display()
    );
    if status.monitors.is_empty() {
        eprintln!(
            "Nothing is checked until you add a [[monitor]] to {}.",
            paths.config.display()
        );
    }
    let mut events = engine.events();
    let stop = shutdown_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            event = events.recv() => match event {
                Ok(event) => output::event(&event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => break,
            },
        }
    }
    eprintln!("Klaxon is stopping; nothing is watched until it runs again.");
    engine.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

pub async fn check(paths: &Paths, target: &str, timeout: Duration) -> Result<ExitCode> {
    // A monitor's name from the config wins over reading the word as a target.
    let from_config = Config::load(&paths.config)
        .ok()
        .and_then(|c| c.monitors.into_iter().find(|m| m.name == target));
    let monitor = match from_config {
        Some(m) => m,
        None => adhoc::monitor_for(target, timeout).map_err(anyhow::Error::msg)?,
    };
    let prober = Prober::new(&monitor)?;
    let sample = prober.check(jiff::Timestamp::now()).await;
    println!(
        "{}: {} ({})",
        if sample.ok { "up" } else { "down" },
        sample.reason,
        monitor.target.describe()
    );
    Ok(if sample.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub async fn status(paths: &Paths, json: bool) -> Result<ExitCode> {
    let status = match control::send(&paths.data_dir, &Command::Status).await {
        Ok(Reply::Status { status }) => status,
        Ok(other) => bail!("the engine gave an unexpected answer: {other:?}"),
        Err(Error::NotRunning(_)) => saved_status(paths)?,
        Err(e) => return Err(e.into()),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        output::status(&status, jiff::Timestamp::now());
    }
    Ok(ExitCode::SUCCESS)
}

/// What the database remembers when no engine runs.
fn saved_status(paths: &Paths) -> Result<Status> {
    let db = engine::database_path(&paths.data_dir);
    if !db.exists() {
        return Ok(Status::default());
    }
    let store = Store::open_read_only(&db)?;
    let monitors = store.monitor_states()?;
    let incidents = store
        .open_incidents()?
        .iter()
        .map(IncidentView::from)
        .collect();
    Ok(Status {
        monitors,
        incidents,
        ..Status::default()
    })
}

pub async fn ack(paths: &Paths, incident: Option<i64>) -> Result<ExitCode> {
    simple(
        paths,
        Command::Ack {
            incident,
            via: "cli".into(),
            code: None,
        },
    )
    .await
}

pub async fn snooze(paths: &Paths, minutes: u64) -> Result<ExitCode> {
    simple(paths, Command::Snooze { minutes }).await
}

pub async fn pause(paths: &Paths, minutes: Option<u64>) -> Result<ExitCode> {
    simple(paths, Command::Pause { minutes }).await
}

/// Sends a command to the running engine and prints its answer.
pub async fn simple(paths: &Paths, command: Command) -> Result<ExitCode> {
    let reply = match control::send(&paths.data_dir, &command).await {
        Ok(reply) => reply,
        Err(Error::NotRunning(dir)) => {
            eprintln!(
                "klaxon: no Klaxon is running on {}; start it with `klaxon run`",
                dir.display()
            );
            return Ok(ExitCode::from(TROUBLE));
        }
        Err(e) => return Err(e.into()),
    };
    match reply {
        Reply::Done { message } => println!("{message}"),
        Reply::Incidents { message, incidents } => {
            println!("{message}");
            for i in &incidents {
                println!("  #{} {} — {}", i.id, i.monitor, i.state);
            }
        }
        Reply::Refused { message } => {
            eprintln!("klaxon: {message}");
            return Ok(ExitCode::from(TROUBLE));
        }
        other => println!("{}", serde_json::to_string(&other)?),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn history(paths: &Paths, json: bool) -> Result<ExitCode> {
    let db = engine::database_path(&paths.data_dir);
    let incidents: Vec<IncidentView> = if db.exists() {
        Store::open_read_only(&db)?
            .incidents()?
            .iter()
            .map(IncidentView::from)
            .collect()
    } else {
        Vec::new()
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&incidents)?);
    } else {
        output::history(&incidents);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn config_check(paths: &Paths) -> Result<ExitCode> {
    match Config::load(&paths.config) {
        Ok(config) => {
            // A sound file that cannot play is not fatal (the klaxon plays instead), but it is
            // said here, where the user is looking.
            if let (_, Some(problem)) = klaxon_core::siren::voice_for(&config.alarm.sound) {
                eprintln!("warning: {problem}");
            }
            println!(
                "{} is valid: {} monitor{}",
                paths.config.display(),
                config.monitors.len(),
                if config.monitors.len() == 1 { "" } else { "s" }
            );
            for m in &config.monitors {
                println!(
                    "  {} — {} every {}",
                    m.name,
                    m.target.describe(),
                    output::duration(m.every)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::from(1))
        }
    }
}

pub async fn alarm_test(paths: &Paths, seconds: u64) -> Result<ExitCode> {
    let alarm = match Config::load(&paths.config) {
        Ok(config) => config.alarm,
        Err(Error::Read { .. }) => Default::default(),
        Err(e) => return Err(e.into()),
    };
    let length = std::time::Duration::from_secs(seconds.max(1));
    let mut siren = Siren::start(&alarm, None);
    let mut status = siren.status();
    if let Some(problem) = &status.borrow().file_problem {
        eprintln!("warning: {problem}");
    }
    println!(
        "Playing the alarm for {} s: the escalation of {} compressed, louder and then harsher.",
        length.as_secs(),
        output::duration(Plan::from_config(&alarm).length())
    );
    siren.test(length, &alarm);
    let finished = tokio::time::sleep(length);
    tokio::pin!(finished);
    loop {
        tokio::select! {
            _ = &mut finished => break,
            changed = status.changed() => {
                if changed.is_err() {
                    break;
                }
                if let Some(problem) = status.borrow_and_update().problem.clone() {
                    eprintln!("{problem}");
                    return Ok(ExitCode::from(TROUBLE));
                }
            }
        }
    }
    siren.stop();
    drop(siren); // restores the system volume
    println!(
        "Done. If you did not hear it clearly, turn the volume up or pick another sound in [alarm]."
    );
    Ok(ExitCode::SUCCESS)
}
