//! `klaxon init`: the guided first run in a terminal, for the headless engine. The same four
//! steps as the window's guide, deciding nothing the core does not already decide: a service
//! from one typed line (`config::first_run` guesses its name and kind), checked for real and
//! written into klaxon.toml keeping its comments (`config::edit`); the test alarm and "Did you
//! hear it?"; the phone (ntfy or Pushover, a token to the keyring, never to the file) put on the
//! escalation ladder and sent a test message; and the "Am I covered?" verdict.
//!
//! Every question can be skipped with an empty answer, and `--yes` answers each with its
//! default without asking, so scripts run it with `--url`/`--ntfy`. The test alarm plays in the
//! running engine when there is one (its siren, at the volume it would ring at night); with none
//! it plays here, as `klaxon alarm test` does, and the verdict says how to start the engine.

use std::time::Duration;

use anyhow::Result;
use klaxon_core::Error;
use klaxon_core::config::channel_form::ChannelForm;
use klaxon_core::config::edit::ConfigDocument;
use klaxon_core::config::first_run::{
    free_monitor_name, guess_monitor, split_url_password, watched_as, with_phone_step,
    without_password,
};
use klaxon_core::config::form::MonitorForm;
use klaxon_core::domain::delivery::Outcome;
use klaxon_core::domain::states::{ChannelKind, MonitorKind};
use klaxon_core::paths::Paths;
use klaxon_core::probe::Prober;
use klaxon_core::protocol::{Client, Socket};
use klaxon_core::secrets;
use klaxon_core::text::printable;

use crate::terminal::outln;

/// How long the test alarm plays: the whole escalation, compressed.
const ALARM_SECONDS: u64 = 10;
/// How many times "No, I did not hear it" offers another try.
const ALARM_TRIES: usize = 3;

/// What a script gives instead of answering.
#[derive(Debug, Default, Clone)]
pub struct Given {
    pub url: Option<String>,
    pub name: Option<String>,
    pub ntfy: Option<String>,
    pub ntfy_server: Option<String>,
    pub yes: bool,
    pub skip_alarm: bool,
}

pub async fn init(paths: &Paths, given: Given) -> Result<std::process::ExitCode> {
    check_flags(paths, &given)?;
    let mut ask = Asker::new(given.yes);
    if paths.write_starter_if_missing()? {
        outln!("Wrote a starter config to {}.", paths.config.display())?;
    }
    outln!(
        "Setting up Klaxon in {} — press Enter to skip any question.\n",
        paths.config.display()
    )?;
    let client = Client::over_socket(paths.clone());

    outln!("1. Your first service")?;
    service(paths, &client, &given, &mut ask).await?;
    outln!("\n2. Hear the alarm")?;
    if given.skip_alarm {
        outln!("Skipped (--skip-alarm): `klaxon alarm test` plays it later.")?;
    } else {
        alarm(paths, &client, &mut ask).await?;
    }
    outln!("\n3. Your phone")?;
    phone(paths, &client, &given, &mut ask).await?;
    outln!("\n4. Am I covered?")?;
    verdict(paths, &client).await
}

async fn service(
    paths: &Paths,
    client: &Client<Socket>,
    given: &Given,
    ask: &mut Asker,
) -> Result<()> {
    let typed = match &given.url {
        Some(url) => url.clone(),
        None => ask.line("Address to watch (a URL or host:port)", "")?,
    };
    if typed.trim().is_empty() {
        return outln!("Skipped: add one later in Settings or as a [[monitor]] in the config.");
    }
    let mut form = guess_monitor(&typed).map_err(anyhow::Error::msg)?;
    let doc = ConfigDocument::read(&paths.config)?;
    let existing = doc.monitor_forms();
    if let Some(name) = watched_as(&existing, &form) {
        return already_watched(&name);
    }
    let taken = doc.monitor_names();
    form.name = free_monitor_name(&form.name, &taken);
    let name = match &given.name {
        Some(name) => name.clone(),
        None => ask.line("Name", &form.name)?,
    };
    if !name.trim().is_empty() {
        form.name = free_monitor_name(&name, &taken);
        if form.name != name.trim() {
            outln!(
                "A monitor is already named {}: this one is {}.",
                printable(name.trim()),
                printable(&form.name)
            )?;
        }
    }
    let kind = ask.line("Check (http, tcp, tls, dns)", form.kind.as_str())?;
    if let Ok(kind) = kind.trim().parse::<MonitorKind>() {
        form.kind = kind;
        if let Some(name) = watched_as(&existing, &form) {
            return already_watched(&name);
        }
    }
    // The check sends the password as typed (the probe never quotes it); the file only names it.
    let (up, said) = check(paths, &form).await?;
    outln!("{}: {}", if up { "up" } else { "down" }, printable(&said))?;
    if !up && !ask.yes_no("It is down now: save it anyway (it will ring)?", false)? {
        return outln!("Not saved.");
    }
    let secret = crate::commands::suggested_secret_name(&form.name);
    if let Some((url, password)) = split_url_password(&form.target, &secret) {
        form.target = url;
        keep_url_password(&secret, &password)?;
    }
    let mut doc = ConfigDocument::read(&paths.config)?;
    doc.put_monitor(&form).map_err(problems)?;
    doc.save()?;
    reload(client).await;
    outln!(
        "Saved {} to {}.",
        printable(&form.name),
        paths.config.display()
    )
}

fn already_watched(name: &str) -> Result<()> {
    outln!("Already watched as {}: nothing to add.", printable(name))
}

/// Stores a URL's password in the keyring under `secret`, as the phone's token is; when no
/// keyring can take it, says which command stores it (the file names it either way).
fn keep_url_password(secret: &str, password: &str) -> Result<()> {
    match secrets::set(secret, password) {
        Ok(()) => outln!(
            "Stored the URL's password in the keyring as {secret}; the config only names it."
        ),
        // The keyring's errors name the secret, never its value.
        Err(e) => outln!(
            "The URL's password is written as {{secret:{secret}}}, but the keyring could not keep it ({}): store it with `klaxon secret set {secret}`.",
            printable(&e.to_string())
        ),
    }
}

/// Probes the form's monitor once, as the window's "Check" does.
async fn check(paths: &Paths, form: &MonitorForm) -> Result<(bool, String)> {
    let mut doc = ConfigDocument::empty(&paths.config);
    doc.put_monitor(form).map_err(problems)?;
    let monitor = doc.parse().map_err(Error::from)?.monitors.remove(0);
    let prober = tokio::task::spawn_blocking(move || Prober::new(&monitor)).await??;
    let sample = prober.check(jiff::Timestamp::now()).await;
    Ok((sample.ok, sample.reason))
}

async fn alarm(paths: &Paths, client: &Client<Socket>, ask: &mut Asker) -> Result<()> {
    // Enter skips, as everywhere: a script or a late-night run makes no noise unasked.
    if !ask.yes_no("Play the test alarm now (10 s, at the real volume)?", false)? {
        return outln!("Skipped: `klaxon alarm test` plays it later.");
    }
    for _ in 0..ALARM_TRIES {
        let problem = play(paths, client).await?;
        if let Some(problem) = &problem {
            outln!("{}", printable(problem))?;
        }
        if problem.is_none() && ask.yes_no("Did you hear it?", true)? {
            return outln!("Good: that is what wakes you.");
        }
        outln!("What to check:")?;
        outln!("  - the sound is not muted and the volume is up;")?;
        outln!(
            "  - the output is the speakers you will hear at night (not unplugged headphones);"
        )?;
        outln!(
            "  - `raise_system_volume = true` in [alarm] lets Klaxon turn it up while it rings."
        )?;
        if !ask.yes_no("Try again?", false)? {
            break;
        }
    }
    Ok(())
}

/// Plays the test alarm in the running engine, or here when none runs; the sound problem, if
/// the engine knows of one.
async fn play(paths: &Paths, client: &Client<Socket>) -> Result<Option<String>> {
    match client.test_alarm(ALARM_SECONDS).await {
        Ok(answer) => {
            outln!("{}", printable(&answer.message))?;
            tokio::time::sleep(Duration::from_secs(ALARM_SECONDS)).await;
            let status = client.status().await?;
            Ok(status.sound.and_then(|s| s.problem))
        }
        Err(Error::NotRunning(_)) => {
            outln!("No Klaxon is running, so the alarm plays here.")?;
            let code = crate::commands::alarm_test(paths, ALARM_SECONDS).await?;
            Ok((code != std::process::ExitCode::SUCCESS)
                .then(|| "Klaxon could not make a sound on this machine.".to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

async fn phone(
    paths: &Paths,
    client: &Client<Socket>,
    given: &Given,
    ask: &mut Asker,
) -> Result<()> {
    let kind = match given.ntfy {
        Some(_) => "ntfy".to_string(),
        None => ask.line("Which app is on your phone (ntfy or pushover)?", "")?,
    };
    let mut doc = ConfigDocument::read(&paths.config)?;
    let taken: Vec<String> = doc.channel_forms().into_iter().map(|c| c.name).collect();
    let name = free_name(&taken);
    let mut form = ChannelForm {
        name: name.clone(),
        ..ChannelForm::default()
    };
    match kind.trim().to_ascii_lowercase().as_str() {
        "" => return outln!("Skipped: add a channel later in Settings or as a [[channel]]."),
        "ntfy" => {
            form.kind = ChannelKind::Ntfy;
            form.server = match &given.ntfy_server {
                Some(s) => s.clone(),
                None if given.ntfy.is_some() => String::new(),
                None => ask.line("ntfy server (empty for ntfy.sh)", "")?,
            };
            form.topic = match &given.ntfy {
                Some(t) => t.clone(),
                None => ask.line("Topic your phone subscribes to", "")?,
            };
            if form.topic.trim().is_empty() {
                return outln!("Skipped: no topic.");
            }
            if given.ntfy.is_none() {
                form.token = keep_secret(ask, "Access token (only for a protected topic)", &name)?;
            }
        }
        "pushover" => {
            form.kind = ChannelKind::Pushover;
            form.user = ask.line("Pushover user key", "")?;
            form.token = keep_secret(ask, "Pushover API token", &name)?;
            if form.user.trim().is_empty() || form.token.is_empty() {
                return outln!("Skipped: Pushover needs a user key and an API token.");
            }
        }
        other => {
            return outln!("Skipped: {} is not ntfy or pushover.", printable(other));
        }
    }
    doc.put_channel(None, &form)
        .map_err(|p| channel_problems(p, &form))?;
    let ladder = with_phone_step(&doc.escalation_form(), &name);
    doc.set_escalation(&ladder).map_err(problems)?;
    doc.save()?;
    reload(client).await;
    outln!("Saved the channel {name}; while nobody acknowledges, it is paged after 3 minutes.")?;
    match client.test_channel(&name).await? {
        Outcome::Delivered => outln!("Sent a test message: check that it reached your phone."),
        Outcome::Failed { error, .. } => outln!(
            "The test message did not get through: {}. Fix it in the config, then `klaxon channel test {name}`.",
            printable(&error)
        ),
    }
}

/// Refuses a script's bad flag before anything is written (the starter, the service), so a
/// typo in `--ntfy-server` does not leave the first steps done and the phone undone.
fn check_flags(paths: &Paths, given: &Given) -> Result<()> {
    if let Some(url) = &given.url
        && !url.trim().is_empty()
    {
        guess_monitor(url).map_err(anyhow::Error::msg)?;
    }
    if given.ntfy.is_none() && given.ntfy_server.is_none() {
        return Ok(());
    }
    let mut doc = ConfigDocument::read(&paths.config)?;
    let taken: Vec<String> = doc.channel_forms().into_iter().map(|c| c.name).collect();
    let form = ChannelForm {
        name: free_name(&taken),
        kind: ChannelKind::Ntfy,
        server: given.ntfy_server.clone().unwrap_or_default(),
        // Without --ntfy the topic is asked later; any valid one checks the server.
        topic: given.ntfy.clone().unwrap_or_else(|| "klaxon".into()),
        ..ChannelForm::default()
    };
    doc.put_channel(None, &form)
        .map_err(|p| channel_problems(p, &form))
}

/// A channel's problems, each quoting what was given for its field (a server URL without
/// its password) rather than only the part the config's check names.
fn channel_problems(
    p: Vec<klaxon_core::config::form::FieldProblem>,
    form: &ChannelForm,
) -> anyhow::Error {
    let lines: Vec<String> = p
        .iter()
        .map(|p| match p.field.as_str() {
            "server" => format!(
                "ntfy server {:?}: {}",
                printable(&without_password(form.server.trim())),
                p.message
            ),
            "topic" => format!("topic {:?}: {}", printable(form.topic.trim()), p.message),
            "" => p.message.clone(),
            f => format!("{f}: {}", p.message),
        })
        .collect();
    anyhow::anyhow!("cannot save: {}", lines.join("; "))
}

/// Reads a credential (without echo on a terminal) into the keyring as `<channel>-token`, and
/// answers its `{secret:NAME}` reference; empty when skipped.
fn keep_secret(ask: &mut Asker, question: &str, channel: &str) -> Result<String> {
    let value = ask.secret(question)?;
    if value.is_empty() {
        return Ok(String::new());
    }
    let secret = format!("{channel}-token");
    secrets::set(&secret, &value)?;
    outln!("Stored it in the keyring as {secret}; the config only names it.")?;
    Ok(format!("{{secret:{secret}}}"))
}

async fn verdict(paths: &Paths, client: &Client<Socket>) -> Result<std::process::ExitCode> {
    let status = match client.status().await {
        Ok(status) => status,
        Err(Error::NotRunning(_)) => {
            outln!(
                "Not covered yet: no Klaxon is running on {}. Start the tray app, or `klaxon run` (as a service that starts at login).",
                paths.data_dir.display()
            )?;
            return Ok(std::process::ExitCode::SUCCESS);
        }
        Err(e) => return Err(e.into()),
    };
    match status.coverage {
        Some(c) if c.covered => outln!("Covered tonight: Klaxon will reach you.")?,
        Some(c) => {
            outln!("Not covered yet:")?;
            for gap in c.gaps {
                outln!("  - {}", printable(&gap.problem))?;
            }
        }
        None => outln!("The engine did not say whether you are covered.")?,
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// "phone", or "phone-2"… when the config has one by that name.
fn free_name(taken: &[String]) -> String {
    std::iter::once("phone".to_string())
        .chain((2..).map(|n| format!("phone-{n}")))
        .find(|n| !taken.contains(n))
        .unwrap_or_else(|| "phone".into())
}

/// The engine takes the new file at once (its watcher would a moment later); none running is fine.
async fn reload(client: &Client<Socket>) {
    let _ = client.reload().await;
}

fn problems(p: Vec<klaxon_core::config::form::FieldProblem>) -> anyhow::Error {
    let lines: Vec<String> = p
        .iter()
        .map(|p| match p.field.as_str() {
            "" => p.message.clone(),
            f => format!("{f}: {}", p.message),
        })
        .collect();
    anyhow::anyhow!("cannot save: {}", lines.join("; "))
}

/// The questions and how they are answered.
#[path = "init_ask.rs"]
mod ask;
use ask::Asker;

/// The hidden read and Ctrl-C during it.
#[path = "init_hidden.rs"]
mod hidden;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phone_channel_takes_a_name_the_config_does_not_use() {
        assert_eq!(free_name(&[]), "phone");
        assert_eq!(free_name(&["phone".into(), "phone-2".into()]), "phone-3");
    }
}
