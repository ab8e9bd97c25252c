//! Witnesses: independent targets outside this machine that tell "the service is down" apart
//! from "this laptop has no network".
//!
//! Many monitors can fail at the same moment when the Wi-Fi drops, so the answer is shared:
//! the first asker probes every witness at once, and everyone asking within `fresh_for` gets
//! that answer instead of probing again.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::probe;

pub struct Witnesses {
    targets: Vec<String>,
    timeout: Duration,
    fresh_for: Duration,
    last: Mutex<Option<(Instant, bool)>>,
}

impl Witnesses {
    pub fn new(targets: Vec<String>) -> Self {
        Witnesses {
            targets,
            timeout: Duration::from_secs(3),
            fresh_for: Duration::from_secs(5),
            last: Mutex::new(None),
        }
    }

    /// True when any witness accepts a connection. With no witnesses configured the network is
    /// assumed to work, so failures count as outages rather than being explained away.
    pub async fn any_reachable(&self) -> bool {
        if self.targets.is_empty() {
            return true;
        }
        // Holding the lock while probing makes concurrent askers wait for this answer.
        let mut last = self.last.lock().await;
        if let Some((at, answer)) = *last
            && at.elapsed() < self.fresh_for
        {
            return answer;
        }
        let mut probes: tokio::task::JoinSet<bool> = tokio::task::JoinSet::new();
        for target in &self.targets {
            let target = target.clone();
            let timeout = self.timeout;
            probes.spawn(async move { probe::tcp_reachable(&target, timeout).await });
        }
        let mut answer = false;
        while let Some(result) = probes.join_next().await {
            if result.unwrap_or(false) {
                answer = true;
                break;
            }
        }
        *last = Some((Instant::now(), answer));
        answer
    }
}
