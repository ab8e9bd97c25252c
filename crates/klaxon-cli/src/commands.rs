//! The subcommands. Each reads its inputs, asks the core, and hands the answer to `output`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use klaxon_core::Error;
use klaxon_core::config::Config;
use klaxon_core::config::adhoc;
use klaxon_core::domain::states::AckVia;
use klaxon_core::engine::clock::SystemClock;
use klaxon_core::engine::siren::Siren;
use klaxon_core::engine::siren::plan::Plan;
use klaxon_core::engine::{Engine, EngineOptions};
use klaxon_core::paths::Paths;
use klaxon_core::probe::Prober;
use klaxon_core::protocol::{Answer, Client};
use klaxon_core::text::{printable, printable_lines};

use crate::output;
use crate::terminal::{self, errln, outln};

/// Exit code for "the engine refused" or "nothing to talk to", as opposed to "down" (1).
const TROUBLE: u8 = 2;

pub async fn run(paths: &Paths) -> Result<ExitCode> {
    klaxon_core::engine::open_files::raise_limit();
    if paths.write_starter_if_missing()? {
        errln!(
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
    errln!(
        "Klaxon is on call: {} monitor{} from {} (data in {}). Ctrl-C stops it.",
        status.monitors.len(),
        if status.monitors.len() == 1 { "" } else { "s" },
        paths.config.display(),
        paths.data_dir.display()
    );
    if status.monitors.is_empty() {
        errln!(
            "Nothing is checked until you add a [[monitor]] to {}.",
            paths.config.display()
        );
    }
    let mut failure = engine.failure();
    let mut events = engine.events();
    let stop = shutdown_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Ok(reason) = failure.wait_for(Option::is_some) => {
                // Exit non-zero so a service manager restarts us and the data dir is free.
                let reason = reason.clone().unwrap_or_default();
                eprintln!("Klaxon stopped because of a fault inside it: {reason}. Nothing is watched until it runs again.");
                return Ok(ExitCode::from(70));
            }
            event = events.recv() => match event {
                Ok(event) => output::event(&event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => break,
            },
        }
    }
    errln!("Klaxon is stopping; nothing is watched until it runs again.");
    engine.farewell().await;
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
    // A check this machine could not make says nothing about the target: not "down".
    let (word, code) = match (sample.ok, sample.local_fault) {
        (true, _) => ("up", ExitCode::SUCCESS),
        (false, Some(_)) => ("unknown", ExitCode::from(TROUBLE)),
        (false, None) => ("down", ExitCode::from(1)),
    };
    outln!(
        "{word}: {} ({})",
        printable(&sample.reason),
        printable(&monitor.target.describe())
    )?;
    Ok(code)
}

pub async fn status(paths: &Paths, json: bool) -> Result<ExitCode> {
    let client = Client::over_socket(paths.clone());
    let status = match client.status().await {
        Ok(status) => status,
        Err(Error::NotRunning(_)) => client.saved_status().await?,
        Err(e) => return Err(e.into()),
    };
    if json {
        terminal::json(&status)?;
    } else {
        let now = jiff::Timestamp::now();
        output::status(&status, now)?;
        let names = status.monitors.iter().map(|m| m.name.clone()).collect();
        output::uptime(
            &client
                .uptime(names, klaxon_core::aftermath::uptime::Ongoing::of(&status))
                .await?,
            now,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn ack(paths: &Paths, incident: Option<i64>) -> Result<ExitCode> {
    let client = Client::over_socket(paths.clone());
    answered(client.acknowledge(incident, AckVia::Cli, None).await)
}

pub async fn snooze(paths: &Paths, minutes: u64) -> Result<ExitCode> {
    answered(Client::over_socket(paths.clone()).snooze(minutes).await)
}

pub async fn pause(paths: &Paths, minutes: Option<u64>) -> Result<ExitCode> {
    answered(Client::over_socket(paths.clone()).pause(minutes).await)
}

pub async fn resume(paths: &Paths) -> Result<ExitCode> {
    answered(Client::over_socket(paths.clone()).resume().await)
}

pub async fn reload(paths: &Paths) -> Result<ExitCode> {
    answered(Client::over_socket(paths.clone()).reload().await)
}

/// Prints the engine's answer to an action, and the incidents it changed.
fn answered(answer: klaxon_core::Result<Answer>) -> Result<ExitCode> {
    match answer {
        Ok(answer) => {
            outln!("{}", engine_said(&answer.message))?;
            for i in &answer.incidents {
                outln!("  #{} {} — {}", i.id, printable(&i.monitor), i.state)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::NotRunning(dir)) => {
            errln!(
                "klaxon: no Klaxon is running on {}; start it with `klaxon run`",
                dir.display()
            );
            Ok(ExitCode::from(TROUBLE))
        }
        Err(Error::Refused(message)) => {
            errln!("klaxon: {}", engine_said(&message));
            Ok(ExitCode::from(TROUBLE))
        }
        Err(e) => Err(e.into()),
    }
}

/// What the engine answered, as lines: its messages are laid out by Klaxon (a config's errors
/// come one a line), so line breaks stay real while every other control character, which may
/// come from the file's content, is spelled out.
fn engine_said(message: &str) -> String {
    printable_lines(message).into_owned()
}

pub async fn history(paths: &Paths, json: bool) -> Result<ExitCode> {
    let incidents = Client::over_socket(paths.clone()).history().await?;
    if json {
        terminal::json(&incidents)?;
    } else {
        output::history(&incidents)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn config_check(paths: &Paths) -> Result<ExitCode> {
    match Config::load(&paths.config) {
        Ok(config) => {
            // A sound file that cannot play is not fatal (the klaxon plays instead), but it is
            // said here, where the user is looking.
            if let (_, Some(problem)) = klaxon_core::engine::siren::voice_for(&config.alarm.sound) {
                errln!("warning: {}", printable(&problem));
            }
            outln!(
                "{} is valid: {} monitor{}",
                paths.config.display(),
                config.monitors.len(),
                if config.monitors.len() == 1 { "" } else { "s" }
            )?;
            for m in &config.monitors {
                outln!(
                    "  {} — {} every {}",
                    printable(&m.name),
                    printable(&m.target.describe()),
                    output::duration(m.every)
                )?;
            }
            warn_of_passwords(&config);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            errln!("{}", printable_lines(&e.to_string()));
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
        errln!("warning: {}", printable(problem));
    }
    outln!(
        "Playing the alarm for {} s: the escalation of {} compressed, louder and then harsher.",
        length.as_secs(),
        output::duration(Plan::from_config(&alarm).length())
    )?;
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
                    errln!("{}", printable(&problem));
                    return Ok(ExitCode::from(TROUBLE));
                }
            }
        }
    }
    siren.stop();
    drop(siren); // restores the system volume
    outln!(
        "Done. If you did not hear it clearly, turn the volume up or pick another sound in [alarm]."
    )?;
    Ok(ExitCode::SUCCESS)
}

/// A password written into a monitor's URL is in the config file in the clear: it is hidden
/// everywhere Klaxon shows or keeps the URL, but the file itself is the user's to fix.
fn warn_of_passwords(config: &Config) {
    use klaxon_core::domain::monitor::{
        Target, has_clear_password, shown_url, with_written_password,
    };
    for m in &config.monitors {
        let Target::Http(http) = &m.target else {
            continue;
        };
        if !has_clear_password(&http.url) {
            continue;
        }
        let secret = suggested_secret_name(&m.name);
        errln!(
            "warning: monitor \"{}\": its URL holds a password in the clear ({}). Keep it in the keyring instead: run `klaxon secret set {secret}` and write the URL as {}",
            printable(&m.name),
            printable(&shown_url(&http.url)),
            printable(&with_written_password(
                &http.url,
                &format!("{{secret:{secret}}}")
            ))
        );
    }
}

/// A secret's name from a monitor's name: `API (eu)` → `api-eu-password`.
pub(crate) fn suggested_secret_name(monitor: &str) -> String {
    let mut name = String::new();
    for c in monitor.chars().filter(char::is_ascii) {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
        if name.len() >= 40 {
            break;
        }
    }
    match name.trim_end_matches('-') {
        "" => "monitor-password".into(),
        name => format!("{name}-password"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engine_refusal_keeps_its_line_breaks_and_escapes_the_rest() {
        let said = engine_said("/k.toml has 1 error:\n  /k.toml:3:1: name: \u{1b}[2J bad");
        assert_eq!(said.lines().count(), 2, "{said}");
        assert!(!said.contains("\\n"), "{said}");
        assert!(!said.contains('\u{1b}'), "{said}");
    }

    #[test]
    fn a_suggested_secret_name_is_one_the_keyring_accepts() {
        assert_eq!(suggested_secret_name("API (eu)"), "api-eu-password");
        assert_eq!(suggested_secret_name("東京"), "monitor-password");
        assert!(suggested_secret_name(&"x".repeat(500)).len() <= 64);
    }
}
