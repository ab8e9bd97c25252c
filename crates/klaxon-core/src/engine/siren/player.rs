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
const CHECK_DEVICE_EVERY: Duration = Duration::from_secs(300);

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

/// Opens and closes the default output: can this machine make a sound at all?
fn probe_device() -> Result<(), String> {
    let mut sink = DeviceSinkBuilder::open_default_sink().map_err(|e| e.to_string())?;
    sink.log_on_drop(false);
    Ok(())
}

pub(super) fn run(
    orders: Receiver<Order>,
    status: watch::Sender<SoundStatus>,
    (mut plan, mut voice, mut raise_volume): (Plan, Voice, bool),
    mut volume: SystemVolume,
) {
    let mut want: Option<(Instant, f64)> = None;
    let mut until: Option<Instant> = None;
    let mut output: Option<Output> = None;
    let mut next_open = Instant::now();
    let mut next_assert = Instant::now();
    let mut next_device_check = Instant::now();
    loop {
        match orders.recv_timeout(POLL) {
            Ok(Order::Ring {
                since,
                speed,
                until: end,
            }) => {
                until = end;
                if want.is_none_or(|w| w != (since, speed)) {
                    output = None;
                    next_open = Instant::now();
                }
                want = Some((since, speed));
            }
            Ok(Order::Silence) => want = None,
            Ok(Order::Configure {
                plan: p,
                voice: v,
                raise_volume: r,
            }) => {
                (plan, voice, raise_volume) = (p, v, r);
                output = None; // the next stream follows the new plan
                next_open = Instant::now();
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let now = Instant::now();
        if until.is_some_and(|end| now >= end) {
            (want, until) = (None, None);
        }
        let Some((since, speed)) = want else {
            if output.take().is_some() {
                tracing::info!("the siren is silent");
            }
            if volume.is_raised()
                && let Err(e) = volume.restore()
            {
                tracing::warn!("restoring the system volume failed: {e}");
            }
            if now >= next_device_check {
                next_device_check = now + CHECK_DEVICE_EVERY;
                report(&status, probe_device());
            }
            continue;
        };
        if output.as_mut().is_some_and(|o| o.broken(now)) {
            tracing::warn!("the audio output stopped; reopening the default device");
            output = None;
        }
        if output.is_none() && now >= next_open {
            next_open = now + REOPEN_EVERY;
            let offset = now.saturating_duration_since(since).mul_f64(speed);
            match Output::open(plan, voice.clone(), offset, speed) {
                Ok(o) => {
                    tracing::info!("the siren is ringing");
                    output = Some(o);
                    report(&status, Ok(()));
                }
                Err(e) => report(&status, Err(e)),
            }
        }
        if raise_volume && now >= next_assert {
            next_assert = now + ASSERT_VOLUME_EVERY;
            if let Err(e) = volume.raise() {
                tracing::debug!("raising the system volume failed: {e}");
            }
        }
    }
    drop(output);
    if let Err(e) = volume.restore() {
        tracing::warn!("restoring the system volume failed: {e}");
    }
}

fn report(status: &watch::Sender<SoundStatus>, result: Result<(), String>) {
    status.send_if_modified(|s| {
        let (can_sound, problem) = match &result {
            Ok(()) => (Some(true), None),
            Err(e) => (
                Some(false),
                Some(format!(
                    "Klaxon cannot make a sound: no audio output could be opened ({e})"
                )),
            ),
        };
        let changed = s.can_sound != can_sound || s.problem != problem;
        if changed {
            if let Some(p) = &problem {
                tracing::error!("{p}");
            }
            s.can_sound = can_sound;
            s.problem = problem;
        }
        changed
    });
}
