//! Maintenance windows in the owner: a monitor that fails inside a window covering it opens no
//! incident — its checks go on and its state shows — and the outage is held; if the service is
//! still down when the window ends, the incident opens at once (on the next tick). A window
//! over every monitor is written down as unwatched time with the cause `maintenance`.

use std::collections::HashMap;

use jiff::Timestamp;

use super::Owner;
use crate::domain::monitor::{Sample, Verdict};
use crate::domain::states::UnwatchedCause;
use crate::domain::status::MaintenanceView;
use crate::store::Write;

/// Outages held through a window, and the all-monitor windows going on (since when).
#[derive(Default)]
pub(super) struct Held {
    outages: HashMap<String, (Timestamp, Sample)>,
    windows_on: HashMap<usize, Timestamp>,
}

impl Owner {
    /// When the maintenance covering `monitor` ends, while one is on.
    pub(super) fn maintenance_until(&self, monitor: &str, now: Timestamp) -> Option<Timestamp> {
        self.config
            .maintenance
            .iter()
            .filter(|w| w.covers(monitor))
            .filter_map(|w| w.active_until(now))
            .max()
    }

    /// A down verdict inside a window: held instead of opening an incident. True when held.
    pub(super) fn hold_in_maintenance(
        &mut self,
        monitor: &str,
        failing_since: Timestamp,
        sample: &Sample,
        now: Timestamp,
    ) -> bool {
        if self.maintenance_until(monitor, now).is_none() {
            return false;
        }
        self.held
            .outages
            .entry(monitor.to_string())
            .or_insert_with(|| (failing_since, sample.clone()));
        true
    }

    /// The service answered: nothing to open when the window ends.
    pub(super) fn release_held(&mut self, monitor: &str) {
        self.held.outages.remove(monitor);
    }

    /// On each tick: outages still going on when their window ended open their incidents, and
    /// all-monitor windows that ended are written down as unwatched time.
    pub(super) fn end_maintenance(&mut self, now: Timestamp) {
        let ended: Vec<String> = self
            .held
            .outages
            .keys()
            .filter(|m| self.maintenance_until(m, now).is_none())
            .cloned()
            .collect();
        let mut changed = Vec::new();
        for monitor in ended {
            let Some((since, sample)) = self.held.outages.remove(&monitor) else {
                continue;
            };
            let still_down = self
                .watched
                .get(&monitor)
                .is_some_and(|w| w.verdict == Verdict::Down);
            if still_down {
                changed.extend(self.book.monitor_down(
                    &mut self.writer,
                    &monitor,
                    since,
                    &sample,
                    now,
                ));
            }
        }
        self.announce(changed);
        for (index, window) in self.config.maintenance.iter().enumerate() {
            let on = window.monitors.is_none() && window.active_until(now).is_some();
            match (on, self.held.windows_on.get(&index).copied()) {
                (true, None) => {
                    self.held.windows_on.insert(index, now);
                }
                (false, Some(from)) => {
                    self.held.windows_on.remove(&index);
                    let cause = UnwatchedCause::Maintenance;
                    self.writer.send(Write::Unmonitored {
                        from,
                        to: now,
                        cause,
                    });
                }
                _ => {}
            }
        }
    }

    /// The windows going on, for `status`.
    pub(super) fn maintenance_views(&self, now: Timestamp) -> Vec<MaintenanceView> {
        self.config
            .maintenance
            .iter()
            .filter_map(|w| {
                Some(MaintenanceView {
                    monitors: w.monitors.clone(),
                    until: w.active_until(now)?,
                })
            })
            .collect()
    }
}
