//! The player: one OS thread that owns the audio output (cpal streams are not `Send`) and
//! follows orders — ring from a given moment, or be silent.
//!
//! It never gives up while it should ring: an output that reports an error, or that stops
//! pulling samples (its device vanished), is dropped and the default device reopened every
//! half second, with a new stream that starts where the plan is now. While ringing it
//! re-asserts the system volume every second, and restores it once silent. Orders are taken
//! from a channel polled every 100 ms at most, so silence comes well within 200 ms.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use rodio::{DeviceSinkBuilder, MixerDeviceSink, Player};
use tokio::sync::watch;

use super::SoundStatus;
use super::plan::Plan;
use super::sounds::Voice;
use super::source::SirenSource;
use super::volume::SystemVolume;

pub(super) enum Order {
    /// Ring as if the alarm started at `since`, running the plan `speed` times real time,
    /// until `until` if given (a test) or until told otherwise.
    Ring {
        since: Instant,
        speed: f64,
        until: Option<Instant>,
    },
    Silence,
    Configure {
        plan: Plan,
        voice: Voice,
        raise_volume: bool,
    },
    /// Whether anything is watched. With nothing to ring for, the silent siren leaves the audio
    /// stack unloaded (about 11 MB of libraries and ALSA's configuration) and does not look at
    /// the output; from the first monitor on it does, so "cannot make a sound" is known before
    /// it matters and the first ring opens a device whose stack is already loaded.
    Watching(bool),
}

const POLL: Duration = Duration::from_millis(100);
const REOPEN_EVERY: Duration = Duration::from_millis(500);
/// No samples pulled for this long while ringing: the device is gone.
const STALLED_AFTER: Duration = Duration::from_millis(1500);
/// A fresh stream may take longer to start pulling (a sound server that just came back).
const FIRST_PULL_WITHIN: Duration = Duration::from_secs(3);
const ASSERT_VOLUME_EVERY: Duration = Duration::from_secs(1);
/// While silent, check now and then that a device exists, so "cannot make a sound" is known
/// before it matters.
const CHECK_DEVICE_EVERY: Duration = Duration::from_secs(15);
/// Silent with nothing watched, the thread only waits for orders; this bounds the wait.
const IDLE_WAIT: Duration = Duration::from_secs(3600);

struct Output {
    // Dropped in this order: the player, then the stream.
    _player: Player,
    _sink: MixerDeviceSink,
    failed: Arc<AtomicBool>,
    progress: Arc<AtomicU64>,
    last_progress: (u64, Instant),
}

impl Output {
    fn open(plan: Plan, voice: Voice, offset: Duration, speed: f64) -> Result<Output, String> {
        let failed = Arc::new(AtomicBool::new(false));
        let flag = failed.clone();
        let mut sink = DeviceSinkBuilder::from_default_device()
            .map_err(|e| e.to_string())?
            .with_error_callback(move |e: rodio::cpal::Error| {
                // Glitches (an underrun, a hiccup at start) are survivable; the watchdog in
                // `broken` catches a stream that really stopped. These mean it is gone.
                use rodio::cpal::ErrorKind::*;
                if matches!(
                    e.kind(),
                    DeviceNotAvailable | HostUnavailable | StreamInvalidated
                ) {
                    tracing::warn!("the audio output failed: {e}");
                    flag.store(true, Ordering::SeqCst);
                } else {
                    tracing::debug!("the audio output hiccuped: {e}");
                }
            })
            .open_sink_or_fallback()
            .map_err(|e| e.to_string())?;
        sink.log_on_drop(false);
        let source = SirenSource::new(plan, voice, offset, speed);
        let progress = source.progress();
        let player = Player::connect_new(sink.mixer());
        player.append(source);
        Ok(Output {
            _player: player,
            _sink: sink,
            failed,
            progress,
            last_progress: (0, Instant::now()),
        })
    }

    /// True when the stream reported an error or stopped consuming samples.
    fn broken(&mut self, now: Instant) -> bool {
        if self.failed.load(Ordering::SeqCst) {
            return true;
        }
        let frames = self.progress.load(Ordering::Relaxed);
        if frames != self.last_progress.0 {
            self.last_progress = (frames, now);
            return false;
        }
        let patience = if frames == 0 {
            FIRST_PULL_WITHIN
        } else {
            STALLED_AFTER
        };
        now.duration_since(self.last_progress.1) > patience
    }
}

/// Opens and closes the default output the way [`Output::open`] does: could the siren ring
/// now? (Not `open_default_sink`, which on failure tries every other device: that answers a
/// question the siren never asks, and listing the devices is most of the CPU an idle Klaxon
/// spends on a machine without sound.)
fn probe_device() -> Result<(), String> {
    let mut sink = DeviceSinkBuilder::from_default_device()
        .map_err(|e| e.to_string())?
        .open_sink_or_fallback()
        .map_err(|e| e.to_string())?;
    sink.log_on_drop(false);
    Ok(())
}

pub(super) fn run(
    orders: Receiver<Order>,
    status: watch::Sender<SoundStatus>,
    (plan, voice, raise_volume): (Plan, Voice, bool),
    volume: SystemVolume,
) {
    let mut player = Loop::new(status, (plan, voice, raise_volume), volume);
    loop {
        // While it rings the thread looks at its output every 100 ms; while silent it sleeps
        // until an order or its next look at the device, so an idle Klaxon does not wake the
        // CPU ten times a second for nothing (each wake-up costs a laptop battery).
        match orders.recv_timeout(player.patience(Instant::now())) {
            Ok(order) => player.obey(order),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        player.step(Instant::now());
    }
    player.finish();
}

/// The player thread's state between two looks at its orders. Each look is one [`Loop::step`]:
/// end a test that ran out, then either stay silent (and give the user's volume back) or keep
/// ringing (replace an output that broke, and hold the volume up).
struct Loop {
    status: watch::Sender<SoundStatus>,
    plan: Plan,
    voice: Voice,
    raise_volume: bool,
    volume: SystemVolume,
    /// Ring as if the alarm started at this moment, running the plan this many times real
    /// time; `None` while silent.
    want: Option<(Instant, f64)>,
    /// When a test ring ends on its own.
    until: Option<Instant>,
    output: Option<Output>,
    /// Something is watched: the silent siren keeps an eye on the output.
    watching: bool,
    next_open: Instant,
    next_assert: Instant,
    next_device_check: Instant,
}

impl Loop {
    fn new(
        status: watch::Sender<SoundStatus>,
        (plan, voice, raise_volume): (Plan, Voice, bool),
        volume: SystemVolume,
    ) -> Loop {
        let now = Instant::now();
        Loop {
            status,
            plan,
            voice,
            raise_volume,
            volume,
            want: None,
            until: None,
            output: None,
            watching: false,
            next_open: now,
            next_assert: now,
            next_device_check: now,
        }
    }

    fn obey(&mut self, order: Order) {
        match order {
            Order::Ring {
                since,
                speed,
                until,
            } => {
                self.until = until;
                // Another start or speed is another sound: open a stream that plays it.
                if self.want.is_none_or(|w| w != (since, speed)) {
                    self.reopen_now();
                }
                self.want = Some((since, speed));
            }
            Order::Silence => self.want = None,
            Order::Configure {
                plan,
                voice,
                raise_volume,
            } => {
                (self.plan, self.voice, self.raise_volume) = (plan, voice, raise_volume);
                // The next stream follows the new plan.
                self.reopen_now();
            }
            Order::Watching(watching) => {
                if watching && !self.watching {
                    // The first monitor: look at the output at once.
                    self.next_device_check = Instant::now();
                }
                self.watching = watching;
            }
        }
    }

    /// How long to wait for the next order before stepping again.
    fn patience(&self, now: Instant) -> Duration {
        if self.want.is_some() || self.volume.is_raised() {
            POLL
        } else if self.watching {
            self.next_device_check
                .saturating_duration_since(now)
                .max(POLL)
        } else {
            IDLE_WAIT
        }
    }

    fn step(&mut self, now: Instant) {
        self.end_a_finished_test(now);
        match self.want {
            None => self.stay_silent(now),
            Some((since, speed)) => self.keep_ringing(now, since, speed),
        }
    }

    fn reopen_now(&mut self) {
        self.output = None;
        self.next_open = Instant::now();
    }

    fn end_a_finished_test(&mut self, now: Instant) {
        if self.until.is_some_and(|end| now >= end) {
            (self.want, self.until) = (None, None);
        }
    }

    /// Silent: no stream, the user's volume back, and now and then a look at whether a sound
    /// could be made at all.
    fn stay_silent(&mut self, now: Instant) {
        if self.output.take().is_some() {
            tracing::info!("the siren is silent");
        }
        if self.volume.is_raised() {
            self.restore_volume();
        }
        if self.watching && now >= self.next_device_check {
            self.next_device_check = now + CHECK_DEVICE_EVERY;
            report(&self.status, probe_device());
        }
    }

    fn keep_ringing(&mut self, now: Instant, since: Instant, speed: f64) {
        self.drop_a_broken_output(now);
        self.open_an_output_when_due(now, since, speed);
        self.hold_the_volume_up(now);
    }

    fn drop_a_broken_output(&mut self, now: Instant) {
        if self.output.as_mut().is_some_and(|o| o.broken(now)) {
            tracing::warn!("the audio output stopped; reopening the default device");
            self.output = None;
        }
    }

    /// Without a stream, tries the default device every [`REOPEN_EVERY`], starting where the
    /// plan is now; a failure is reported loudly and tried again.
    fn open_an_output_when_due(&mut self, now: Instant, since: Instant, speed: f64) {
        if self.output.is_some() || now < self.next_open {
            return;
        }
        self.next_open = now + REOPEN_EVERY;
        let offset = now.saturating_duration_since(since).mul_f64(speed);
        match Output::open(self.plan, self.voice.clone(), offset, speed) {
            Ok(o) => {
                tracing::info!("the siren is ringing");
                self.output = Some(o);
                report(&self.status, Ok(()));
            }
            Err(e) => report(&self.status, Err(e)),
        }
    }

    /// Someone may turn the volume down while it rings: it goes back up every second.
    fn hold_the_volume_up(&mut self, now: Instant) {
        if !self.raise_volume || now < self.next_assert {
            return;
        }
        self.next_assert = now + ASSERT_VOLUME_EVERY;
        if let Err(e) = self.volume.raise() {
            tracing::debug!("raising the system volume failed: {e}");
        }
    }

    fn restore_volume(&mut self) {
        if let Err(e) = self.volume.restore() {
            tracing::warn!("restoring the system volume failed: {e}");
        }
    }

    /// The orders stopped (Klaxon is quitting): silence, and the user's volume back.
    fn finish(mut self) {
        self.output = None;
        self.restore_volume();
    }
}

fn report(status: &watch::Sender<SoundStatus>, result: Result<(), String>) {
    let (can_sound, problem) = match result {
        Ok(()) => (Some(true), None),
        Err(e) => (
            Some(false),
            Some(format!(
                "Klaxon cannot make a sound: no audio output could be opened ({e})"
            )),
        ),
    };
    // The write lock is held only to compare and set: the owner reads this channel, and a
    // log line written while holding it would make the owner wait on stderr.
    let changed = status.send_if_modified(|s| {
        let changed = s.can_sound != can_sound || s.problem != problem;
        if changed {
            (s.can_sound, s.problem) = (can_sound, problem.clone());
        }
        changed
    });
    if changed && let Some(p) = &problem {
        tracing::error!("{p}");
    }
}
