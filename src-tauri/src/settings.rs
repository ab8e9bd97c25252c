//! The Settings view's work, kept out of the command functions so each command stays a line or
//! two: read the settings, check a form, probe it once, and write changes to the same
//! `klaxon.toml` the CLI reads. After a write the engine is told to reload at once (its file
//! watcher would also see it, a moment later).

use std::path::Path;

use klaxon_core::config::Config;
use klaxon_core::config::edit::ConfigDocument;
use klaxon_core::config::form::{
    AlarmForm, CheckOutcome, FieldProblem, MonitorForm, SecretView, Settings,
};
use klaxon_core::paths::Paths;
use klaxon_core::probe::Prober;
use klaxon_core::secrets;

use crate::AppState;
use crate::error::{Error, Result};

/// The settings as the file and the keyring have them now.
pub fn read(paths: &Paths, launch_at_login: bool) -> Result<Settings> {
    let config_path = paths.config.as_path();
    let doc = ConfigDocument::read(config_path)?;
    // A file with errors still shows its monitors; the alarm and witnesses show the defaults
    // until it is fixed (the Now view shows the errors).
    let config = doc.parse().unwrap_or_else(|_| Config::default());
    let secrets = secrets::references(&doc.text())
        .into_iter()
        .map(|name| SecretView {
            set: secrets::is_set(&name).unwrap_or(false),
            name,
        })
        .collect();
    Ok(Settings {
        config_path: config_path.display().to_string(),
        log_path: klaxon_core::logging::path(&paths.data_dir)
            .display()
            .to_string(),
        monitors: doc.monitor_forms(),
        alarm: AlarmForm::from(&config.alarm),
        witnesses: config.judge.witnesses,
        secrets,
        launch_at_login,
    })
}

/// The problems saving `form` would meet (empty: it would save).
pub fn validate(config: &Path, form: &MonitorForm) -> Result<Vec<FieldProblem>> {
    let mut doc = ConfigDocument::read(config)?;
    Ok(doc.put_monitor(form).err().unwrap_or_default())
}

/// Probes the monitor the form describes, once, without saving it.
pub async fn check(config: &Path, form: &MonitorForm) -> Result<CheckOutcome> {
    let mut doc = ConfigDocument::empty(config);
    let probe = MonitorForm {
        original_name: None,
        ..form.clone()
    };
    if let Err(problems) = doc.put_monitor(&probe) {
        return Err(Error::Form(problems));
    }
    let monitor = doc
        .parse()
        .map_err(klaxon_core::Error::from)?
        .monitors
        .remove(0);
    // Preparing may read a secret from the keyring: off the async threads.
    let prober = tokio::task::spawn_blocking(move || Prober::new(&monitor))
        .await
        .map_err(|e| Error::Refused(format!("the check stopped: {e}")))??;
    let sample = prober.check(jiff::Timestamp::now()).await;
    Ok(CheckOutcome {
        ok: sample.ok,
        reason: sample.reason,
        latency_ms: u64::try_from(sample.latency.as_millis()).unwrap_or(u64::MAX),
    })
}

/// Applies `change` to the file, writes it if the result is valid, and has the engine reload.
pub async fn change(
    state: &AppState,
    config: &Path,
    what: &str,
    change: impl FnOnce(&mut ConfigDocument) -> Result<()>,
) -> Result<String> {
    let mut doc = ConfigDocument::read(config)?;
    change(&mut doc)?;
    doc.save()?;
    state.client().reload().await?;
    Ok(format!("{what}; saved to {}", config.display()))
}

pub fn put_monitor(doc: &mut ConfigDocument, form: &MonitorForm) -> Result<()> {
    doc.put_monitor(form).map_err(Error::Form)
}

pub fn put_alarm(doc: &mut ConfigDocument, form: &AlarmForm) -> Result<()> {
    doc.set_alarm(form);
    Ok(())
}
