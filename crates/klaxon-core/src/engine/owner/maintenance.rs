//! Maintenance windows in the owner: a monitor that fails inside a window covering it opens no
//! incident — its checks go on and its state shows — and the outage is held; if the service is
//! still down when the window ends, the incident opens at once (on the next tick). Each window
//! is written down as unwatched time with the cause `maintenance`, for every monitor or for the
//! monitors it names.

use std::collections::HashMap;

use jiff::Timestamp;

use super::Owner;
use crate::domain::monitor::{Sample, Verdict};
use crate::domain::states::UnwatchedCause;
use crate::domain::status::MaintenanceView;
use crate::store::Write;

/// Outages held through a window, and the windows going on (since when, over which monitors).
#[derive(Default)]
pub(super) struct Held {
    outages: HashMap<String, (Timestamp, Sample)>,
    windows_on: HashMap<usize, (Timestamp, Option<Vec<String>>)>,
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
        self.record_ended_windows(now);
    }

    /// Windows that ended (or were edited away) since the last tick are written down as
    /// unwatched time with the cause `maintenance`: for every monitor, or for the monitors the
    /// window named.
    fn record_ended_windows(&mut self, now: Timestamp) {
        let active: HashMap<usize, Option<Vec<String>>> = self
            .config
            .maintenance
            .iter()
            .enumerate()
            .filter(|(_, w)| w.active_until(now).is_some())
            .map(|(i, w)| (i, w.monitors.clone()))
            .collect();
        let ended: Vec<usize> = self
            .held
            .windows_on
            .iter()
            .filter(|(i, (_, monitors))| active.get(i) != Some(monitors))
            .map(|(i, _)| *i)
            .collect();
        for index in ended {
            let Some((from, monitors)) = self.held.windows_on.remove(&index) else {
                continue;
            };
            let cause = UnwatchedCause::Maintenance;
            self.writer.send(match monitors {
                None => Write::Unmonitored {
                    from,
                    to: now,
                    cause,
                },
                Some(monitors) => Write::MonitorsUnmonitored {
                    monitors,
                    from,
                    to: now,
                    cause,
                },
            });
        }
        for (index, monitors) in active {
            self.held.windows_on.entry(index).or_insert((now, monitors));
        }
    }

    /// The windows going on, for `status`: since when they count as unwatched (what will be
    /// written down when they end) and until when.
    pub(super) fn maintenance_views(&self, now: Timestamp) -> Vec<MaintenanceView> {
        self.config
            .maintenance
            .iter()
            .enumerate()
            .filter_map(|(index, w)| {
                Some(MaintenanceView {
                    monitors: w.monitors.clone(),
                    since: self
                        .held
                        .windows_on
                        .get(&index)
                        .map_or(now, |(from, _)| *from),
                    until: w.active_until(now)?,
                })
            })
            .collect()
    }
}
