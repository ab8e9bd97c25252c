//! The `[judge]` table: how failures are confirmed and how "down" is told from "offline".

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::{Collector, split_host_port};
use crate::config::bounds;

/// How failures are confirmed and how the engine tells "down" from "offline".
#[derive(Debug, Clone, PartialEq)]
pub struct JudgeConfig {
    /// Quick re-checks that must also fail before a failure counts.
    pub confirm: u32,
    /// Consecutive successes before a down monitor counts as up again.
    pub recover: u32,
    /// The pause between those quick re-checks; `None` (the default) follows each monitor's
    /// interval ([`recheck_spacing`]).
    pub retry_every: Option<Duration>,
    /// After the machine wakes from sleep, wait this long before checking again.
    pub grace_after_resume: Duration,
    /// `host:port` targets outside this machine; if none answers, the laptop is offline.
    pub witnesses: Vec<String>,
}

impl Default for JudgeConfig {
    fn default() -> Self {
        JudgeConfig {
            confirm: 2,
            recover: 2,
            retry_every: None,
            grace_after_resume: Duration::from_secs(10),
            witnesses: DEFAULT_WITNESSES.iter().map(|w| w.to_string()).collect(),
        }
    }
}

/// The pause between a monitor's confirming re-checks when `retry_every` is not given: half
/// its interval, between 250 ms and 600 ms. A failure is then confirmed (two re-checks) about
/// 1.2 s after it was first seen, whatever the interval — so at a 10 s interval 95 % of
/// outages ring within 10.7 s, with room under the 11 s promised — while a blip of up to
/// about that long is still forgiven;
/// `retry_every` lengthens it for services that restart slowly on a deploy.
pub fn recheck_spacing(every: Duration, configured: Option<Duration>) -> Duration {
    let (shortest, longest) = (Duration::from_millis(250), Duration::from_millis(600));
    configured.unwrap_or_else(|| (every / 2).clamp(shortest, longest))
}

#[cfg(test)]
#[test]
fn rechecks_follow_the_interval_within_their_bounds_unless_given() {
    let s = |secs: f64| recheck_spacing(Duration::from_secs_f64(secs), None);
    assert_eq!(s(1.0), Duration::from_millis(500));
    assert_eq!(s(0.2), Duration::from_millis(250));
    assert_eq!(s(10.0), Duration::from_millis(600));
    let given = Some(Duration::from_secs(5));
    assert_eq!(
        recheck_spacing(Duration::from_secs(30), given),
        Duration::from_secs(5)
    );
}

/// Public anycast DNS resolvers: independent of each other and of the user's services.
pub const DEFAULT_WITNESSES: [&str; 3] = ["1.1.1.1:53", "9.9.9.9:53", "8.8.8.8:53"];

#[derive(Deserialize, Default)]
pub(super) struct RawJudge {
    confirm: Option<Spanned<i64>>,
    recover: Option<Spanned<i64>>,
    retry_every: Option<Spanned<String>>,
    grace_after_resume: Option<Spanned<String>>,
    witnesses: Option<Vec<Spanned<String>>>,
}

impl RawJudge {
    pub(super) fn validate(&self, errs: &mut Collector) -> JudgeConfig {
        let mut judge = JudgeConfig::default();
        let (confirm, words) = (bounds::CONFIRM, bounds::CONFIRM_WORDS);
        if let Some(n) = errs.count(&self.confirm, "judge.confirm", confirm, words) {
            judge.confirm = n;
        }
        let (recover, words) = (bounds::RECOVER, bounds::RECOVER_WORDS);
        if let Some(n) = errs.count(&self.recover, "judge.recover", recover, words) {
            judge.recover = n;
        }
        let (field, within) = ("judge.retry_every", bounds::RETRY_EVERY);
        if let Some(d) = errs.bounded(&self.retry_every, field, within) {
            judge.retry_every = Some(d);
        }
        let (field, within) = ("judge.grace_after_resume", bounds::GRACE_AFTER_RESUME);
        if let Some(d) = errs.bounded(&self.grace_after_resume, field, within) {
            judge.grace_after_resume = d;
        }
        if let Some(witnesses) = &self.witnesses {
            judge.witnesses.clear();
            for (i, w) in witnesses.iter().enumerate() {
                match split_host_port(w.get_ref()) {
                    Ok(_) => judge.witnesses.push(w.get_ref().clone()),
                    Err(m) => errs.push(w.span(), &format!("judge.witnesses[{}]", i + 1), m),
                }
            }
        }
        judge
    }
}
