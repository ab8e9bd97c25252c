//! The judge turns samples into verdicts, one [`Judgement`] per monitor.
//!
//! Its job is to never cry wolf: a failure only counts after quick re-checks also fail, a
//! failure of a target outside this machine is only "down" if the witnesses say the network
//! works, and recovery needs several successes in a row. The state is explicit counters and
//! thresholds, with no I/O: the scheduler runs the checks and asks the witnesses when told to.

use crate::domain::monitor::Verdict;

/// How many observations make a change of verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Quick re-checks that must also fail before a failure is confirmed.
    pub confirm: u32,
    /// Successes in a row before a down monitor is up again.
    pub recover: u32,
}

/// What the scheduler should do after an observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The verdict is settled for now; check again at the regular interval.
    Settled(Verdict),
    /// A change is not confirmed yet; re-check soon. The verdict so far is unchanged.
    Recheck(Verdict),
    /// A remote target's failure is confirmed: ask the witnesses whether the network works,
    /// then call [`Judgement::witnesses_answered`].
    AskWitnesses,
}

/// One monitor's running judgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    verdict: Verdict,
    failures_in_a_row: u32,
    successes_in_a_row: u32,
}

impl Default for Judgement {
    fn default() -> Self {
        Judgement {
            verdict: Verdict::Unknown,
            failures_in_a_row: 0,
            successes_in_a_row: 0,
        }
    }
}

impl Judgement {
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Takes one sample's outcome. `local` targets are never blamed on the network.
    pub fn observe(&mut self, ok: bool, local: bool, t: Thresholds) -> Step {
        if ok {
            self.failures_in_a_row = 0;
            self.successes_in_a_row = self.successes_in_a_row.saturating_add(1);
            // Only a real outage needs proof of recovery; unknown or offline was never "down".
            if self.verdict == Verdict::Down && self.successes_in_a_row < t.recover {
                return Step::Recheck(self.verdict);
            }
            self.verdict = Verdict::Up;
            return Step::Settled(Verdict::Up);
        }
        self.successes_in_a_row = 0;
        self.failures_in_a_row = self.failures_in_a_row.saturating_add(1);
        match self.verdict {
            Verdict::Down => Step::Settled(Verdict::Down),
            // While offline, every failure asks again: the network may be back and the target
            // really down.
            Verdict::Offline => Step::AskWitnesses,
            Verdict::Up | Verdict::Unknown if self.failures_in_a_row <= t.confirm => {
                Step::Recheck(self.verdict)
            }
            Verdict::Up | Verdict::Unknown if local => {
                self.verdict = Verdict::Down;
                Step::Settled(Verdict::Down)
            }
            Verdict::Up | Verdict::Unknown => Step::AskWitnesses,
        }
    }

    /// A check that could not be made (a fault on this machine: no file handle, no memory, no
    /// local port). It proves nothing either way, so it moves no streak and changes no verdict;
    /// re-check soon, when the machine may have recovered.
    pub fn inconclusive(&self) -> Step {
        Step::Recheck(self.verdict)
    }

    /// The witnesses' answer to a confirmed failure: if any answered, the target is down;
    /// if none did, this machine is offline and nothing can be judged.
    pub fn witnesses_answered(&mut self, any_reachable: bool) -> Verdict {
        self.verdict = if any_reachable {
            Verdict::Down
        } else {
            Verdict::Offline
        };
        self.verdict
    }

    /// After a suspend, failures seen so far prove nothing (the network may still be waking
    /// up): start counting again.
    pub fn forget_streaks(&mut self) {
        self.failures_in_a_row = 0;
        self.successes_in_a_row = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Thresholds = Thresholds {
        confirm: 2,
        recover: 2,
    };

    #[test]
    fn a_failure_counts_only_after_the_confirming_rechecks_fail_too() {
        let mut j = Judgement::default();
        assert_eq!(j.observe(true, true, T), Step::Settled(Verdict::Up));
        assert_eq!(j.observe(false, true, T), Step::Recheck(Verdict::Up));
        assert_eq!(j.observe(false, true, T), Step::Recheck(Verdict::Up));
        assert_eq!(j.observe(false, true, T), Step::Settled(Verdict::Down));
    }

    #[test]
    fn one_good_recheck_cancels_a_suspected_failure() {
        let mut j = Judgement::default();
        j.observe(true, true, T);
        j.observe(false, true, T);
        j.observe(false, true, T);
        assert_eq!(j.observe(true, true, T), Step::Settled(Verdict::Up));
        assert_eq!(j.observe(false, true, T), Step::Recheck(Verdict::Up));
    }

    #[test]
    fn recovery_needs_consecutive_successes() {
        let mut j = Judgement::default();
        for _ in 0..3 {
            j.observe(false, true, T);
        }
        assert_eq!(j.verdict(), Verdict::Down);
        assert_eq!(j.observe(true, true, T), Step::Recheck(Verdict::Down));
        assert_eq!(j.observe(false, true, T), Step::Settled(Verdict::Down));
        assert_eq!(j.observe(true, true, T), Step::Recheck(Verdict::Down));
        assert_eq!(j.observe(true, true, T), Step::Settled(Verdict::Up));
    }

    #[test]
    fn a_remote_failure_asks_the_witnesses_before_calling_it_down() {
        let mut j = Judgement::default();
        j.observe(false, false, T);
        j.observe(false, false, T);
        assert_eq!(j.observe(false, false, T), Step::AskWitnesses);
        assert_eq!(j.witnesses_answered(false), Verdict::Offline);
        // Still failing while offline: ask again every time.
        assert_eq!(j.observe(false, false, T), Step::AskWitnesses);
        assert_eq!(j.witnesses_answered(true), Verdict::Down);
    }

    #[test]
    fn an_offline_monitor_that_answers_is_up_at_once() {
        let mut j = Judgement::default();
        for _ in 0..3 {
            j.observe(false, false, T);
        }
        j.witnesses_answered(false);
        assert_eq!(j.observe(true, false, T), Step::Settled(Verdict::Up));
    }

    #[test]
    fn checks_that_could_not_be_made_never_make_a_monitor_down() {
        let mut j = Judgement::default();
        j.observe(true, true, T);
        j.observe(false, true, T);
        for _ in 0..10 {
            assert_eq!(j.inconclusive(), Step::Recheck(Verdict::Up));
        }
        // The streak is where it was: two more real failures confirm, not one.
        assert_eq!(j.observe(false, true, T), Step::Recheck(Verdict::Up));
        assert_eq!(j.observe(false, true, T), Step::Settled(Verdict::Down));
    }

    #[test]
    fn zero_confirmations_make_the_first_failure_count() {
        let t = Thresholds {
            confirm: 0,
            recover: 1,
        };
        let mut j = Judgement::default();
        assert_eq!(j.observe(false, true, t), Step::Settled(Verdict::Down));
        assert_eq!(j.observe(true, true, t), Step::Settled(Verdict::Up));
    }

    #[test]
    fn a_suspend_forgets_the_failures_seen_so_far() {
        let mut j = Judgement::default();
        j.observe(true, true, T);
        j.observe(false, true, T);
        j.observe(false, true, T);
        j.forget_streaks();
        assert_eq!(j.observe(false, true, T), Step::Recheck(Verdict::Up));
    }
}
