//! Am I covered? The one verdict on whether tonight's alarm would reach the founder: something
//! is checked, the siren can be heard, idle sleep is held off, the machine is on mains power,
//! each channel of the ladder delivered its last message, and the watchdog accepts the
//! heartbeat. Each gap says what to do. Shown by `status` (`coverage`), the tray and the window.

use std::collections::HashMap;
use std::time::Duration;

use super::Owner;
use crate::domain::delivery::Outcome;
use crate::domain::states::{CoverageItem, KeepAwakeState};
use crate::domain::status::{Coverage, Gap};

/// How often the power supply is looked at again.
const POWER_EVERY: Duration = Duration::from_secs(30);

/// What coverage needs to remember between snapshots.
#[derive(Default)]
pub(super) struct Watchfulness {
    /// `Some(false)` on battery; `None` when it cannot be told.
    on_mains: Option<bool>,
    power_checked: Option<tokio::time::Instant>,
    /// Each channel's last outcome: from this run's deliveries, or the database at start.
    pub(super) channels: HashMap<String, Outcome>,
}

impl Watchfulness {
    pub(super) fn look_at_power(&mut self, now: tokio::time::Instant) {
        if self
            .power_checked
            .is_some_and(|at| now.duration_since(at) < POWER_EVERY)
        {
            return;
        }
        self.power_checked = Some(now);
        self.on_mains = crate::engine::power::on_mains_now();
    }
}

impl Owner {
    pub(super) fn coverage(&self) -> Coverage {
        let mut gaps = Vec::new();
        let mut gap = |item, problem: String| gaps.push(Gap { item, problem });
        if self.watched.is_empty() && self.sources.watched.is_empty() {
            gap(
                CoverageItem::Monitors,
                "nothing is checked: add a monitor".into(),
            );
        }
        // Read, then released: see `Owner::snapshot` on holding two borrows.
        let sound_problem = self.sound.borrow().problem.clone();
        if let Some(problem) = sound_problem {
            gap(CoverageItem::Sound, problem);
        }
        if let KeepAwakeState::Failed(why) = self.keep_awake.state() {
            gap(
                CoverageItem::KeepAwake,
                format!("idle sleep cannot be held off ({why}): keep this machine awake yourself"),
            );
        }
        if self.watchfulness.on_mains == Some(false) {
            gap(
                CoverageItem::Power,
                "on battery: plug in, or the laptop may sleep or die before morning".into(),
            );
        }
        for channel in &self.config.channels {
            if let Some(Outcome::Failed { error, .. }) =
                self.watchfulness.channels.get(&channel.name)
            {
                gap(
                    CoverageItem::Channel,
                    format!(
                        "{} ({}): the last delivery failed: {error}",
                        channel.name,
                        channel.kind()
                    ),
                );
            }
        }
        if let Some(problem) = self.heartbeat.problem() {
            gap(CoverageItem::Heartbeat, problem);
        }
        Coverage::of(gaps)
    }
}
