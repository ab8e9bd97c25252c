//! Local faults as the owner sees them: a check that this machine could not make (out of open
//! files, memory or local ports, see [`crate::domain::local_fault`]) is not news about the service, so
//! its sample is neither recorded nor shown as the monitor's state. It is news about Klaxon,
//! and loud: `status` carries it (`local_fault`) for as long as such faults keep happening, the
//! log says it, and a desktop notification is shown once per episode.
//!
//! An episode is a run of faults with no quiet gap of [`QUIET`] between them. The gap is measured
//! on the monotonic clock, and whether it has passed is worked out when asked, so no timer is
//! needed: the status published every second drops the warning once the faults stop.

use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::Owner;
use crate::domain::local_fault::LocalFault;
use crate::engine::schedule::Observation;

/// An episode ends after this long without a fault. Longer than a re-check interval, so a
/// persistent fault seen only on re-checks stays one episode and one notification.
const QUIET: Duration = Duration::from_secs(60);

/// The current (or last) episode of local faults.
#[derive(Debug, Default)]
pub(super) struct LocalFaults {
    episode: Option<Episode>,
}

#[derive(Debug)]
struct Episode {
    fault: LocalFault,
    /// The monitor whose check last met it, for the message.
    monitor: String,
    since: Timestamp,
    last_seen: Instant,
}

impl LocalFaults {
    /// Notes a fault; true when it starts a new episode.
    fn saw(&mut self, fault: LocalFault, monitor: &str, now: Timestamp) -> bool {
        let at = Instant::now();
        let ongoing = self.episode.as_ref().is_some_and(|e| e.is_ongoing(at));
        let since = match &self.episode {
            Some(e) if ongoing => e.since,
            _ => now,
        };
        self.episode = Some(Episode {
            fault,
            monitor: monitor.to_string(),
            since,
            last_seen: at,
        });
        !ongoing
    }

    /// What `status` says while an episode lasts.
    pub(super) fn describe(&self) -> Option<String> {
        let e = self
            .episode
            .as_ref()
            .filter(|e| e.is_ongoing(Instant::now()))?;
        Some(format!(
            "{} (since {}, last while checking {:?}): some checks cannot be made, so an outage \
             could go unnoticed. Klaxon does not count these as the service being down. If it \
             lasts, restart Klaxon or raise its open-files limit (ulimit -n).",
            e.fault,
            e.since.strftime("%H:%M:%S UTC"),
            e.monitor,
        ))
    }
}

impl Episode {
    fn is_ongoing(&self, at: Instant) -> bool {
        at.saturating_duration_since(self.last_seen) < QUIET
    }
}

impl Owner {
    /// Takes an observation whose check could not be made; false (nothing done) for any other.
    pub(super) fn local_fault_seen(&mut self, obs: &Observation) -> bool {
        let Some(fault) = obs.sample.local_fault else {
            return false;
        };
        let now = self.now();
        if self.local_faults.saw(fault, &obs.monitor, now) {
            tracing::error!(monitor = %obs.monitor, "{fault}: checks cannot be made; not counted as the service being down");
            crate::engine::desktop::notify_local_fault(&fault.to_string());
            self.publish();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_close_together_are_one_episode_and_one_notification() {
        let mut faults = LocalFaults::default();
        let now = Timestamp::now();
        assert!(faults.saw(LocalFault::OpenFiles, "api", now));
        assert!(!faults.saw(LocalFault::OpenFiles, "web", now));
        let said = faults.describe().expect("an ongoing episode is shown");
        assert!(said.contains("Klaxon has too many open files"), "{said}");
        assert!(said.contains("\"web\""), "{said}");
    }

    #[test]
    fn an_episode_ends_after_a_quiet_minute() {
        let mut faults = LocalFaults::default();
        faults.saw(LocalFault::Ports, "api", Timestamp::now());
        let episode = faults.episode.as_mut().expect("episode");
        match Instant::now().checked_sub(QUIET) {
            Some(long_ago) => episode.last_seen = long_ago,
            None => return, // a machine up for less than a minute cannot show this
        }
        assert_eq!(faults.describe(), None);
        assert!(faults.saw(LocalFault::Ports, "api", Timestamp::now()));
    }
}
