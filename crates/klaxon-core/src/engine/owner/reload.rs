//! Making a config the running one: only the monitors that changed are stopped, started or
//! restarted, so a reload never disturbs the others.

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc, watch};

use super::{Owner, Watched};
use crate::config::Config;
use crate::domain::judge::Thresholds;
use crate::domain::monitor::{Monitor, Verdict};
use crate::domain::states::MonitorState;
use crate::domain::status::{Event, MonitorView};
use crate::engine::schedule::{
    self, Context, Crash, Directions, MAX_CHECKS_IN_FLIGHT, MonitorTask, Observation,
};
use crate::engine::witness::Witnesses;
use crate::engine::{EngineOptions, Reply};
use crate::probe::Prober;

impl Owner {
    pub(super) fn apply(&mut self, config: Config) {
        let now = self.now();
        let judge_changed = config.judge != self.config.judge;
        if judge_changed {
            self.ctx = Arc::new(context(
                &config,
                self.observations_tx.clone(),
                self.directions.subscribe(),
                self.crashes_tx.clone(),
                &self.options,
                self.ctx.epoch,
            ));
        }
        let names: Vec<String> = config.monitors.iter().map(|m| m.name.clone()).collect();
        let removed: Vec<String> = self
            .order
            .iter()
            .filter(|n| !names.contains(n))
            .cloned()
            .collect();
        for name in removed {
            self.watched.remove(&name);
            let changed = self.book.monitor_removed(&mut self.writer, &name, now);
            self.announce(changed.into_iter().collect());
        }
        // Those (re)started now share the first-check window, in the config's order.
        let starting: Vec<&Monitor> = config
            .monitors
            .iter()
            .filter(|monitor| {
                judge_changed
                    || !self
                        .watched
                        .get(&monitor.name)
                        .and_then(|w| w.task.as_ref())
                        .is_some_and(|t| t.monitor == **monitor)
            })
            .collect();
        let count = starting.len();
        for (index, monitor) in starting.into_iter().enumerate() {
            let unchanged = self
                .watched
                .get(&monitor.name)
                .and_then(|w| w.task.as_ref())
                .is_some_and(|t| t.monitor == *monitor);
            if unchanged && !judge_changed {
                continue;
            }
            let phase = schedule::phase(index, count, monitor.every);
            self.generation += 1;
            let watched = self.start_monitor(monitor, phase);
            self.watched.insert(monitor.name.clone(), watched);
        }
        self.writer
            .send(crate::store::Write::RetainMonitors(names.clone()));
        self.order = names;
        self.heartbeat.configure(config.heartbeat.clone());
        self.apply_sources(&config.sources, now);
        let told = told_when_leaving(&config);
        self.leaving.configure(told.clone());
        self.farewell.send_replace(told);
        if config.channels != self.config.channels {
            self.outreach.configure(&config.channels);
        }
        if config.alarm != self.config.alarm {
            self.siren.configure(&config.alarm);
        }
        self.book
            .set_stop_on_recovery(config.alarm.stop_on_recovery);
        // Anything that can ring (a monitor, an outside source) needs the
        // audio stack ready; with none of them it stays unloaded.
        self.siren
            .watching(!config.monitors.is_empty() || !config.sources.is_empty());
        self.config = config;
        self.config_error = None;
        tracing::info!("watching {count} monitors");
        let _ = self.events.send(Event::ConfigReloaded { monitors: count });
        self.update_blind();
        self.publish();
    }

    pub(super) fn start_monitor(&self, monitor: &Monitor, phase: schedule::Phase) -> Watched {
        let mut view = MonitorView {
            name: monitor.name.clone(),
            state: if self.paused.is_some() {
                MonitorState::Paused
            } else {
                MonitorState::Unknown
            },
            last_checked: None,
            latency_ms: None,
            reason: None,
            target: monitor.target.describe(),
            tls_verification_off: monitor.target.tls_verification_off(),
        };
        let task = match Prober::new(monitor) {
            Ok(prober) => Some(MonitorTask::start(
                monitor.clone(),
                prober,
                self.generation,
                phase,
                self.ctx.clone(),
            )),
            Err(e) => {
                view.reason = Some(e.to_string());
                None
            }
        };
        Watched {
            task,
            view,
            verdict: Verdict::Unknown,
            failing_since: None,
            dirty: true,
        }
    }

    pub(in crate::engine) fn reject(&mut self, message: String) -> Reply {
        tracing::warn!("{message}; the last good config keeps running");
        self.config_error = Some(message.clone());
        let _ = self.events.send(Event::ConfigRejected {
            message: message.clone(),
        });
        Reply::Refused { message }
    }
}

pub(super) fn context(
    config: &Config,
    observations: mpsc::Sender<Observation>,
    directions: watch::Receiver<Directions>,
    crashes: mpsc::UnboundedSender<Crash>,
    options: &EngineOptions,
    epoch: tokio::time::Instant,
) -> Context {
    Context {
        observations,
        directions,
        crashes,
        in_flight: Arc::new(Semaphore::new(MAX_CHECKS_IN_FLIGHT)),
        witnesses: Arc::new(Witnesses::new(config.judge.witnesses.clone())),
        thresholds: Thresholds {
            confirm: config.judge.confirm,
            recover: config.judge.recover,
        },
        retry_every: config.judge.retry_every,
        grace_after_resume: config.judge.grace_after_resume,
        clock: options.clock.clone(),
        epoch,
    }
}

/// The channels `[heartbeat] notify_on_sleep` names.
fn told_when_leaving(config: &Config) -> Vec<crate::config::ChannelConfig> {
    let names = config
        .heartbeat
        .as_ref()
        .map(|h| h.notify_on_sleep.as_slice())
        .unwrap_or_default();
    config
        .channels
        .iter()
        .filter(|c| names.contains(&c.name))
        .cloned()
        .collect()
}
