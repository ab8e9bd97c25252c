//! Stretches of time and the little arithmetic the uptime and month figures need: merge
//! overlapping ones, clip them to a period, and measure what one set leaves of another. Kept
//! apart so that "an outage inside a sleep is counted once" is one subtraction, tested here.

use jiff::{SignedDuration, Timestamp};

/// `[from, to)`; empty when `to <= from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Stretch {
    pub fn new(from: Timestamp, to: Timestamp) -> Stretch {
        Stretch { from, to }
    }

    pub fn length(self) -> SignedDuration {
        if self.to > self.from {
            self.to.duration_since(self.from)
        } else {
            SignedDuration::ZERO
        }
    }

    /// The part inside `period`, if any.
    pub fn clip(self, period: Stretch) -> Option<Stretch> {
        let clipped = Stretch::new(self.from.max(period.from), self.to.min(period.to));
        (clipped.to > clipped.from).then_some(clipped)
    }
}

/// Sorted, non-overlapping stretches covering what `stretches` cover inside `period`.
pub fn merged(stretches: impl IntoIterator<Item = Stretch>, period: Stretch) -> Vec<Stretch> {
    let mut clipped: Vec<Stretch> = stretches
        .into_iter()
        .filter_map(|s| s.clip(period))
        .collect();
    clipped.sort_by_key(|s| s.from);
    let mut out: Vec<Stretch> = Vec::with_capacity(clipped.len());
    for s in clipped {
        match out.last_mut() {
            Some(last) if s.from <= last.to => last.to = last.to.max(s.to),
            _ => out.push(s),
        }
    }
    out
}

/// The total length of merged stretches.
pub fn total(merged: &[Stretch]) -> SignedDuration {
    merged
        .iter()
        .fold(SignedDuration::ZERO, |sum, s| sum + s.length())
}

/// How much of `kept` (merged) lies outside `taken` (merged).
pub fn outside(kept: &[Stretch], taken: &[Stretch]) -> SignedDuration {
    let overlap = kept.iter().fold(SignedDuration::ZERO, |sum, k| {
        sum + taken
            .iter()
            .filter_map(|t| t.clip(*k))
            .fold(SignedDuration::ZERO, |s, o| s + o.length())
    });
    total(kept) - overlap
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + SignedDuration::from_mins(minutes)
    }

    fn s(from: i64, to: i64) -> Stretch {
        Stretch::new(at(from), at(to))
    }

    #[test]
    fn overlapping_and_touching_stretches_merge_and_the_period_clips_them() {
        let got = merged(
            [s(50, 70), s(-10, 5), s(3, 8), s(8, 9), s(95, 120)],
            s(0, 100),
        );
        assert_eq!(got, [s(0, 9), s(50, 70), s(95, 100)]);
        assert_eq!(total(&got), SignedDuration::from_mins(34));
    }

    #[test]
    fn what_lies_outside_another_set_counts_each_minute_once() {
        let kept = merged([s(0, 60)], s(0, 100));
        let taken = merged([s(10, 20), s(15, 30), s(50, 90)], s(0, 100));
        assert_eq!(outside(&kept, &taken), SignedDuration::from_mins(30));
        assert_eq!(outside(&kept, &[]), SignedDuration::from_mins(60));
    }

    #[test]
    fn a_backwards_stretch_is_empty() {
        assert_eq!(s(10, 5).length(), SignedDuration::ZERO);
        assert_eq!(merged([s(10, 5)], s(0, 100)), []);
    }
}
