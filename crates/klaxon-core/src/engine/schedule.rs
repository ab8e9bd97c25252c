//! The schedule: one tokio task per monitor, each checking its target on its own interval and
//! judging the result, plus a watcher that notices the laptop sleeping.
//!
//! A task owns its monitor's [`Prober`] and [`Judgement`]; it sends every sample and the verdict
//! that followed to the engine, which owns everything else. Tasks are stopped by dropping their
//! [`MonitorTask`] handle. Start times are spread over the interval so hundreds of monitors do
//! not fire together, and a global semaphore bounds the checks in flight.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;

use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};

use crate::domain::judge::{Judgement, Step, Thresholds};
use crate::domain::monitor::{Monitor, Sample, Verdict};
use crate::engine::clock::SharedClock;
use crate::engine::witness::Witnesses;
use crate::probe::Prober;

/// At most this many checks run at once, whatever the number of monitors.
pub const MAX_CHECKS_IN_FLIGHT: usize = 256;

/// One check's outcome, as sent to the engine.
#[derive(Debug, Clone)]
pub struct Observation {
    pub monitor: String,
    /// The task's generation: observations of a replaced task are ignored.
    pub generation: u64,
    pub sample: Sample,
    pub verdict: Verdict,
    /// How late the check started compared with its slot.
    pub slip: Duration,
}

/// A monitor task that panicked: the engine restarts it and says so.
#[derive(Debug, Clone)]
pub struct Crash {
    pub monitor: String,
    pub generation: u64,
    /// The panic's message.
    pub message: String,
}

/// What the engine tells every task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Directions {
    pub paused: bool,
}

/// Shared by all tasks of one config.
pub struct Context {
    pub observations: mpsc::Sender<Observation>,
    pub directions: watch::Receiver<Directions>,
    pub crashes: mpsc::UnboundedSender<Crash>,
    pub in_flight: Arc<Semaphore>,
    pub witnesses: Arc<Witnesses>,
    pub thresholds: Thresholds,
    /// `judge.retry_every`; `None` follows each monitor's interval.
    pub retry_every: Option<Duration>,
    pub grace_after_resume: Duration,
    pub clock: SharedClock,
    /// Where the beats of [`super::beat::on_the_beat`] are counted from; kept across reloads so old and new
    /// monitors share them.
    pub epoch: Instant,
}

/// A running monitor; dropping it stops the task.
pub struct MonitorTask {
    pub monitor: Monitor,
    pub generation: u64,
    handle: JoinHandle<()>,
}

impl Drop for MonitorTask {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

impl MonitorTask {
    /// Starts checking `monitor`, the first time after `phase`.
    pub fn start(
        monitor: Monitor,
        prober: Prober,
        generation: u64,
        phase: Phase,
        ctx: Arc<Context>,
    ) -> MonitorTask {
        let crashes = ctx.crashes.clone();
        let task = Runner {
            local: monitor.target.is_local(),
            monitor: monitor.clone(),
            prober,
            generation,
            ctx,
            judgement: Judgement::default(),
        };
        let name = monitor.name.clone();
        let now = Instant::now();
        // The first check early; after it, the regular slot where the spread puts it.
        let rhythm = Rhythm {
            slot: later(now, phase.spread),
            next: later(now, phase.first),
        };
        // A panic in a check must not end this monitor's watch quietly: it is caught here and
        // the engine restarts the task.
        let handle = tokio::spawn(async move {
            if let Err(panic) = AssertUnwindSafe(task.run(rhythm)).catch_unwind().await {
                let _ = crashes.send(Crash {
                    monitor: name,
                    generation,
                    message: panic_message(panic.as_ref()),
                });
            }
        });
        MonitorTask {
            monitor,
            generation,
            handle,
        }
    }
}

struct Runner {
    monitor: Monitor,
    prober: Prober,
    local: bool,
    generation: u64,
    ctx: Arc<Context>,
    judgement: Judgement,
}

/// When a monitor checks next: `slot` keeps the regular rhythm, `next` may come earlier for
/// a quick re-check.
struct Rhythm {
    slot: Instant,
    next: Instant,
}

impl Rhythm {
    /// The rhythm starts again at `at` (after a pause, or a sleep's grace period).
    fn restart(&mut self, at: Instant) {
        self.slot = at;
        self.next = at;
    }

    /// After a check: a re-check soon, or the next slot; after a long stall, missed slots
    /// are skipped instead of checked in a burst. A slot still a quarter interval or more
    /// away is kept: after the early first check (or a re-check) the monitor settles into its
    /// spread slot in this cycle, instead of waiting up to two intervals for the next one.
    fn advance(&mut self, recheck: bool, now: Instant, every: Duration, retry_every: Duration) {
        if recheck {
            self.next = later(now, retry_every);
            return;
        }
        if self.slot >= later(now, every / 4) {
            self.next = self.slot;
            return;
        }
        self.slot = later(self.slot, every);
        if self.slot < now {
            self.slot = later(now, every);
        }
        self.next = self.slot;
    }
}

/// What waiting for the next check ended with.
enum Turn {
    /// The check is due.
    Check,
    /// Something changed first (a direction, a sleep, a pause that ended): look again.
    Again,
    /// The engine is gone.
    Stop,
}

impl Runner {
    async fn run(mut self, mut rhythm: Rhythm) {
        let mut directions = self.ctx.directions.clone();
        loop {
            match self.wait_for_turn(&mut directions, &mut rhythm).await {
                Turn::Stop => return,
                Turn::Again => continue,
                Turn::Check => {}
            }
            let Some((sample, slip, mark)) = self.check(self.due(&rhythm)).await else {
                return;
            };
            if self.slept_since(mark) {
                // The machine slept mid-check: the result says nothing about the service.
                self.after_sleep(&mut rhythm);
                continue;
            }
            let (observation, recheck) = self.judge(sample, slip).await;
            if self.ctx.observations.send(observation).await.is_err() {
                return;
            }
            let every = self.monitor.every;
            let spacing = crate::config::recheck_spacing(every, self.ctx.retry_every);
            rhythm.advance(recheck, Instant::now(), every, spacing);
        }
    }

    /// Waits until the next check is due. Each task notices a sleep itself, the moment it
    /// wakes, so no check can slip in between the wake and the grace period (the engine's
    /// watcher only records it); while paused it waits for resume, then checks at once.
    async fn wait_for_turn(
        &mut self,
        directions: &mut watch::Receiver<Directions>,
        rhythm: &mut Rhythm,
    ) -> Turn {
        let mark = self.mark();
        let due = self.due(rhythm);
        tokio::select! {
            _ = sleep_until(due) => {}
            changed = directions.changed() => {
                if changed.is_err() {
                    return Turn::Stop;
                }
                directions.borrow_and_update();
                return Turn::Again;
            }
        }
        if self.slept_since(mark) {
            self.after_sleep(rhythm);
            return Turn::Again;
        }
        if directions.borrow().paused {
            if directions.wait_for(|d| !d.paused).await.is_err() {
                return Turn::Stop;
            }
            rhythm.restart(Instant::now());
            return Turn::Again;
        }
        Turn::Check
    }

    /// One check, made when a slot among the checks in flight is free: what it saw, how late
    /// it started, and the clocks when it did (to tell a sleep mid-check). `None` when the
    /// engine is gone.
    async fn check(
        &mut self,
        due: Instant,
    ) -> Option<(Sample, Duration, (jiff::Timestamp, Instant))> {
        let permit = self.ctx.in_flight.acquire().await.ok()?;
        let slip = Instant::now().saturating_duration_since(due);
        let mark = self.mark();
        if crate::engine::fault_injection::fire(&format!("monitor:{}", self.monitor.name)) {
            panic!("injected fault: a check panics (KLAXON_INJECT_PANIC)");
        }
        let sample = self.prober.check(self.ctx.clock.now()).await;
        drop(permit);
        Some((sample, slip, mark))
    }

    /// The judge's word on a check: the observation for the engine, and whether to re-check
    /// soon.
    async fn judge(&mut self, sample: Sample, slip: Duration) -> (Observation, bool) {
        // A check this machine could not make (out of files, memory or ports) is not the
        // target failing: the judge does not count it.
        let step = match sample.local_fault {
            Some(_) => self.judgement.inconclusive(),
            None => self
                .judgement
                .observe(sample.ok, self.local, self.ctx.thresholds),
        };
        let (verdict, recheck) = match step {
            Step::Settled(v) => (v, false),
            Step::Recheck(v) => (v, true),
            Step::AskWitnesses => {
                let any = self.ctx.witnesses.any_reachable().await;
                (self.judgement.witnesses_answered(any), false)
            }
        };
        let observation = Observation {
            monitor: self.monitor.name.clone(),
            generation: self.generation,
            sample,
            verdict,
            slip,
        };
        (observation, recheck)
    }
}

impl Runner {
    /// When the next check starts: a regular slot on the beat, a first check or a re-check
    /// when it is due.
    fn due(&self, rhythm: &Rhythm) -> Instant {
        if rhythm.next == rhythm.slot {
            super::beat::on_the_beat(rhythm.slot, self.monitor.every, self.ctx.epoch)
        } else {
            rhythm.next
        }
    }

    fn mark(&self) -> (jiff::Timestamp, Instant) {
        (self.ctx.clock.now(), Instant::now())
    }

    /// True when the wall clock ran ahead of the monotonic one since `mark`: a suspend.
    fn slept_since(&self, (wall, mono): (jiff::Timestamp, Instant)) -> bool {
        slept(wall, mono, self.ctx.clock.now(), Instant::now())
    }

    /// Failures seen so far prove nothing after a sleep (the network may still be waking):
    /// forget them and check again after the grace period.
    fn after_sleep(&mut self, rhythm: &mut Rhythm) {
        self.judgement.forget_streaks();
        rhythm.restart(later(Instant::now(), self.ctx.grace_after_resume));
    }
}

/// `at + by` that cannot panic. The config's bounds keep every interval within a year, so the
/// fallback (a year on) is never reached in practice; it is here so that no value can stop a
/// monitor's task.
fn later(at: Instant, by: Duration) -> Instant {
    at.checked_add(by)
        .or_else(|| at.checked_add(crate::config::bounds::YEAR))
        .unwrap_or(at)
}

/// Clock adjustments (NTP) are small; a suspend is not.
const SLEEP_THRESHOLD: Duration = Duration::from_secs(5);

fn slept(
    wall_before: jiff::Timestamp,
    mono_before: Instant,
    wall_now: jiff::Timestamp,
    mono_now: Instant,
) -> bool {
    let wall = wall_now.duration_since(wall_before);
    let mono = jiff::SignedDuration::try_from(mono_now - mono_before).unwrap_or_default();
    wall - mono > jiff::SignedDuration::try_from(SLEEP_THRESHOLD).unwrap_or_default()
}

/// Every monitor started together is checked for the first time within this: a founder who
/// starts Klaxon or adds a service sees its state at once, not after its interval.
pub const FIRST_CHECKS_WITHIN: Duration = Duration::from_secs(2);

/// When a monitor started with others is first checked, and where its regular slot sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Phase {
    /// The first check, after the start: monitors spread over [`FIRST_CHECKS_WITHIN`].
    pub first: Duration,
    /// The regular rhythm's offset: monitors spread over their interval, so a hundred of them
    /// do not all check in the same two seconds every time.
    pub spread: Duration,
}

/// Monitor `index` of `count` started together: first checked at `index / count` of
/// [`FIRST_CHECKS_WITHIN`] (or of its interval, if shorter), then in its slot at `index /
/// count` of its interval. A single monitor is checked at once.
pub fn phase(index: usize, count: usize, every: Duration) -> Phase {
    if count <= 1 {
        return Phase::default();
    }
    let share = index as f64 / count as f64;
    Phase {
        first: every.min(FIRST_CHECKS_WITHIN).mul_f64(share),
        spread: every.mul_f64(share),
    }
}

/// Watches for the wall clock running ahead of the monotonic one: the machine slept. Sends
/// `(went_to_sleep, woke)` wall times. Stopped by dropping the returned handle's owner.
pub fn watch_for_sleep(
    clock: SharedClock,
    wakes: mpsc::Sender<(jiff::Timestamp, jiff::Timestamp)>,
) -> JoinHandle<()> {
    const EVERY: Duration = Duration::from_secs(1);
    tokio::spawn(async move {
        let mut last_wall = clock.now();
        let mut last_mono = Instant::now();
        loop {
            tokio::time::sleep(EVERY).await;
            let wall = clock.now();
            let mono = Instant::now();
            if slept(last_wall, last_mono, wall, mono) {
                let mono_elapsed =
                    jiff::SignedDuration::try_from(mono - last_mono).unwrap_or_default();
                let slept_at = last_wall.checked_add(mono_elapsed).unwrap_or(last_wall);
                if wakes.send((slept_at, wall)).await.is_err() {
                    return;
                }
            }
            last_wall = wall;
            last_mono = mono;
        }
    })
}

/// A panic's payload in words.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_checks_come_within_two_seconds_then_spread_over_the_interval() {
        let every = Duration::from_secs(30);
        assert_eq!(phase(0, 1, every), Phase::default());
        assert_eq!(phase(0, 500, every), Phase::default());
        let middle = phase(250, 500, every);
        assert_eq!(middle.first, Duration::from_secs(1));
        assert_eq!(middle.spread, Duration::from_secs(15));
        let last = phase(499, 500, every);
        assert!(last.first < FIRST_CHECKS_WITHIN && last.spread < every);
        // An interval shorter than the window: the first checks spread over the interval.
        let fast = phase(1, 2, Duration::from_secs(1));
        assert_eq!(fast.first, Duration::from_millis(500));
    }

    #[test]
    fn a_recheck_comes_early_and_the_slot_keeps_its_place() {
        let start = Instant::now();
        let every = Duration::from_secs(20);
        let mut rhythm = Rhythm {
            slot: start + Duration::from_secs(10),
            next: start + Duration::from_secs(1),
        };
        // First check (at 1 s) failed: re-check 1 s later, the slot stays at 10 s.
        rhythm.advance(
            true,
            start + Duration::from_secs(1),
            every,
            Duration::from_secs(1),
        );
        assert_eq!(rhythm.next, start + Duration::from_secs(2));
        // Settled at 2 s: the spread slot at 10 s is still ahead, so it comes next...
        rhythm.advance(
            false,
            start + Duration::from_secs(2),
            every,
            Duration::from_secs(1),
        );
        assert_eq!(rhythm.next, start + Duration::from_secs(10));
        // ...and from there one interval after another.
        rhythm.advance(
            false,
            start + Duration::from_secs(10),
            every,
            Duration::from_secs(1),
        );
        assert_eq!(rhythm.next, start + Duration::from_secs(30));
    }

    #[test]
    fn after_the_first_check_a_monitor_waits_at_most_an_interval_and_a_quarter() {
        let start = Instant::now();
        let every = Duration::from_secs(10);
        for tenth in 0..100u64 {
            let spread = Duration::from_millis(tenth * 100);
            let first = Duration::from_millis(tenth * 20);
            let mut rhythm = Rhythm {
                slot: start + spread,
                next: start + first,
            };
            rhythm.advance(false, start + first, every, Duration::from_secs(1));
            let gap = rhythm.next - (start + first);
            assert!(
                gap >= every / 4 && gap <= every + every / 4,
                "spread {spread:?}, first {first:?}: next after {gap:?}"
            );
        }
    }
}
