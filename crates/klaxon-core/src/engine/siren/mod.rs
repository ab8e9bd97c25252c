//! The siren: what wakes a sleeping founder. A pure [`plan`] (`elapsed → pattern, volume`), the
//! [`source`] that turns it into samples, built-in [`sounds`], the [`volume`] of the system
//! output, and the [`player`] thread that keeps a device playing it until told to stop.
//!
//! [`Siren`] is the handle the engine holds: `ring(since)` and `silence()`. Dropping it stops
//! the sound, restores the system volume and ends the thread.

pub mod plan;
mod player;
pub mod sounds;
pub mod source;
pub mod volume;

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::config::{AlarmConfig, SoundChoice};
use plan::Plan;
use player::Order;
use sounds::Voice;

pub use crate::domain::status::SoundStatus;

pub struct Siren {
    orders: Option<mpsc::Sender<Order>>,
    thread: Option<JoinHandle<()>>,
    status: watch::Receiver<SoundStatus>,
    status_tx: watch::Sender<SoundStatus>,
    ringing: Option<Instant>,
    watching: Option<bool>,
}

impl Siren {
    /// Starts the player thread, silent. `data_dir`, when given, remembers the user's volume
    /// across a crash mid-ring.
    pub fn start(alarm: &AlarmConfig, data_dir: Option<&std::path::Path>) -> Siren {
        let (status_tx, status) = watch::channel(SoundStatus::default());
        let (voice, file_problem) = voice_for(&alarm.sound);
        status_tx.send_modify(|s| s.file_problem = file_problem);
        let (orders, rx) = mpsc::channel();
        let plan = Plan::from_config(alarm);
        let raise = alarm.raise_system_volume;
        let tx = status_tx.clone();
        let volume = volume::SystemVolume::remembered_in(
            data_dir.map(|d| crate::paths::DataFiles::new(d).volume_memory()),
        );
        let thread = std::thread::Builder::new()
            .name("klaxon-siren".into())
            .spawn(move || player::run(rx, tx, (plan, voice, raise), volume))
            .map_err(|e| tracing::error!("cannot start the siren thread: {e}"))
            .ok();
        if thread.is_none() {
            status_tx.send_modify(|s| {
                s.can_sound = Some(false);
                s.problem =
                    Some("Klaxon cannot make a sound: its player thread did not start".into());
            });
        }
        Siren {
            orders: Some(orders),
            thread,
            status,
            status_tx,
            ringing: None,
            watching: None,
        }
    }

    /// Rings as if the alarm started at `since` (earlier than now continues the escalation).
    pub fn ring(&mut self, since: Instant) {
        if self.ringing != Some(since) {
            self.ringing = Some(since);
            self.send(Order::Ring {
                since,
                speed: 1.0,
                until: None,
            });
        }
    }

    /// Plays the whole escalation compressed into `length`, then stays silent.
    pub fn test(&mut self, length: Duration, alarm: &AlarmConfig) {
        let speed = Plan::from_config(alarm).speed_to_fit(length);
        self.ringing = None;
        let now = Instant::now();
        self.send(Order::Ring {
            since: now,
            speed,
            until: Some(now + length),
        });
    }

    pub fn silence(&mut self) {
        if self.ringing.take().is_some() {
            self.send(Order::Silence);
        }
    }

    /// Silences whatever plays, test or alarm.
    pub fn stop(&mut self) {
        self.ringing = None;
        self.send(Order::Silence);
    }

    pub fn is_ringing(&self) -> bool {
        self.ringing.is_some()
    }

    /// Takes a new `[alarm]`; a ringing siren carries on with the new sound and plan.
    pub fn configure(&mut self, alarm: &AlarmConfig) {
        let (voice, file_problem) = voice_for(&alarm.sound);
        self.status_tx
            .send_modify(|s| s.file_problem = file_problem);
        self.send(Order::Configure {
            plan: Plan::from_config(alarm),
            voice,
            raise_volume: alarm.raise_system_volume,
        });
    }

    /// Says whether anything is watched (see [`player::Order::Watching`]); a siren starts as
    /// if nothing were.
    pub fn watching(&mut self, watching: bool) {
        if self.watching != Some(watching) {
            self.watching = Some(watching);
            self.send(Order::Watching(watching));
        }
    }

    pub fn status(&self) -> watch::Receiver<SoundStatus> {
        self.status.clone()
    }

    fn send(&self, order: Order) {
        if let Some(orders) = &self.orders {
            let _ = orders.send(order);
        }
    }
}

impl Drop for Siren {
    fn drop(&mut self) {
        // Closing the channel ends the thread, which restores the volume on its way out.
        self.orders.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The voice for a choice; a file that cannot be used falls back to the klaxon, with a reason.
pub fn voice_for(choice: &SoundChoice) -> (Voice, Option<String>) {
    match choice {
        SoundChoice::File(path) => match sounds::load_file(path) {
            Ok(samples) => (Voice::File(samples), None),
            Err(e) => {
                let problem = format!("{e}; the built-in klaxon plays instead");
                tracing::warn!("{problem}");
                (Voice::Klaxon, Some(problem))
            }
        },
        other => (Voice::builtin(other), None),
    }
}
