//! One check of one target. Each probe is bounded in time (the monitor's timeout covers the
//! whole exchange) and in memory (bodies are read up to a cap), opens a fresh connection every
//! time so a stale pooled connection can never cause a false alarm, and turns whatever happened
//! into a [`Sample`] whose reason a founder understands at 2 am.

use jiff::Timestamp;

use crate::error::Result;
use crate::monitor::{Monitor, Sample};

/// What a monitor needs to check its target, prepared once (HTTP client, TLS roots, resolver)
/// and used for every check.
pub struct Prober {
    monitor: Monitor,
}

impl Prober {
    /// Prepares the check. Fails only on the user's setup (an unreadable CA file, say), never on
    /// the target's state.
    pub fn new(monitor: &Monitor) -> Result<Prober> {
        Ok(Prober {
            monitor: monitor.clone(),
        })
    }

    /// Checks the target once. Never fails: every failure is a sample with `ok: false`.
    /// `now` is when the check starts; the TLS probe counts certificate days from it.
    pub async fn check(&self, now: Timestamp) -> Sample {
        let _ = &self.monitor;
        todo!("probe {now}")
    }
}
