//! The window's look back: each monitor's last 24 hours as a bar of 15-minute slots, and one
//! incident opened up to its timeline and evidence. Read from the store only, so the window can
//! ask as often as it likes without disturbing the engine.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::incident::TimelineEvent;
use crate::domain::monitor::Evidence;
use crate::domain::states::UnwatchedCause;
use crate::domain::status::IncidentView;
use crate::error::Result;
use crate::store::{Store, Unwatched};

/// How many slots a bar has, and how long each one is.
pub const SLOTS: usize = 96;
pub const SLOT: SignedDuration = SignedDuration::from_mins(15);

/// What one slot of the 24-hour bar showed; the worst thing in it wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
#[serde(rename_all = "lowercase")]
pub enum Slot {
    /// Nothing known: the monitor did not exist yet, or Klaxon was not running.
    None,
    Up,
    /// The laptop slept or monitoring was paused: nobody was watching.
    Unmonitored,
    /// The laptop was offline: Klaxon could not see.
    Offline,
    /// Inside an outage, from its first failed check to its recovery.
    Down,
}

/// One monitor's last 24 hours in 96 slots of 15 minutes, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct DayBar {
    pub monitor: String,
    pub slots: Vec<Slot>,
}

/// One incident opened up: its timeline and what the failing check saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
pub struct IncidentDetail {
    pub incident: IncidentView,
    pub timeline: Vec<TimelineEvent>,
    pub evidence: Evidence,
}

/// The bars of `monitors` for the 24 hours before `now`. `offline_since` is an offline stretch
/// still going on (the store learns of it only when it ends).
pub fn day_bars(
    store: &Store,
    monitors: &[String],
    now: Timestamp,
    offline_since: Option<Timestamp>,
) -> Result<Vec<DayBar>> {
    let start = now - SLOT * SLOTS as i32;
    let mut bars: HashMap<&str, Vec<Slot>> = monitors
        .iter()
        .map(|m| (m.as_str(), vec![Slot::None; SLOTS]))
        .collect();
    let mark = |slots: &mut Vec<Slot>, from: Timestamp, to: Timestamp, slot: Slot| {
        for i in slot_range(start, from, to) {
            slots[i] = slots[i].max(slot);
        }
    };
    // A failed check outside an outage is a blip being confirmed or an offline moment: it
    // does not make the slot up, and it is not an outage either.
    for (monitor, slot) in store.passing_slots(start, now, SLOT)? {
        if let Some(up) = bars.get_mut(monitor.as_str()).and_then(|s| s.get_mut(slot)) {
            *up = (*up).max(Slot::Up);
        }
    }
    let mut unwatched = store.unmonitored_between(start, now)?;
    unwatched.extend(offline_since.map(|since| Unwatched {
        from: since,
        to: now,
        cause: UnwatchedCause::Offline,
    }));
    for stretch in unwatched {
        let slot = match stretch.cause {
            UnwatchedCause::Offline => Slot::Offline,
            UnwatchedCause::Suspend | UnwatchedCause::Paused | UnwatchedCause::Maintenance => {
                Slot::Unmonitored
            }
        };
        for slots in bars.values_mut() {
            mark(slots, stretch.from, stretch.to, slot);
        }
    }
    // A maintenance window that names monitors leaves only theirs unwatched.
    for (monitor, stretch) in store.monitors_unmonitored_between(start, now)? {
        if let Some(slots) = bars.get_mut(monitor.as_str()) {
            mark(slots, stretch.from, stretch.to, Slot::Unmonitored);
        }
    }
    for (monitor, from, to) in store.outages_between(start, now)? {
        if let Some(slots) = bars.get_mut(monitor.as_str()) {
            mark(slots, from, to, Slot::Down);
        }
    }
    Ok(monitors
        .iter()
        .map(|m| DayBar {
            monitor: m.clone(),
            slots: bars.remove(m.as_str()).unwrap_or_default(),
        })
        .collect())
}

/// The slots `[from, to]` touches (a single instant touches one).
fn slot_range(start: Timestamp, from: Timestamp, to: Timestamp) -> std::ops::Range<usize> {
    let index = |t: Timestamp| -> i64 {
        let since = t.duration_since(start).as_millis();
        let slot = SLOT.as_millis();
        i64::try_from(since.div_euclid(slot)).unwrap_or(i64::MAX)
    };
    // A stretch ending exactly on a slot's border does not touch that slot.
    let to = if to > from {
        to - SignedDuration::from_millis(1)
    } else {
        to
    };
    let first = index(from).clamp(0, SLOTS as i64) as usize;
    let last = (index(to) + 1).clamp(0, SLOTS as i64) as usize;
    first..last.max(first)
}

/// An incident with its timeline, or `None` when there is no such incident.
pub fn incident_detail(store: &Store, id: i64) -> Result<Option<IncidentDetail>> {
    let Some(incident) = store.incident(id)? else {
        return Ok(None);
    };
    Ok(Some(IncidentDetail {
        timeline: store.timeline(id)?,
        evidence: incident.evidence.clone(),
        incident: IncidentView::from(&incident),
    }))
}

#[cfg(test)]
#[path = "look_back_tests.rs"]
mod tests;
