//! `[escalation]`: how an unacknowledged incident reaches further the longer it lasts — the
//! siren at once, then the founder's phone, then the team — and what happens when nobody
//! answers (`repeat_every`) or nobody fixes it (`ack_timeout`). Without the table the ladder
//! is the siren alone, as Klaxon always was.

use std::collections::HashSet;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::Collector;
use super::bounds::Within;

/// The longest a step may wait, and the bounds of the repeats.
const AFTER: Within = Within {
    min: Duration::ZERO,
    max: Duration::from_secs(24 * 3600),
    words: "from 0s to 24h",
};
const AGAIN: Within = Within {
    min: Duration::from_secs(60),
    max: Duration::from_secs(24 * 3600),
    words: "from 1m to 24h",
};
const MAX_STEPS: usize = 10;

/// The ladder an incident climbs while nobody acknowledges it.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    /// In order of `after`; the first holds the siren.
    pub steps: Vec<Step>,
    /// While unacknowledged, the channels' steps are sent again this often.
    pub repeat_every: Option<Duration>,
    /// Acknowledged but still down this long after: it rings and climbs again.
    pub ack_timeout: Option<Duration>,
}

impl Default for Escalation {
    fn default() -> Self {
        Escalation {
            steps: vec![Step {
                after: Duration::ZERO,
                notify: vec![Recipient::Siren],
            }],
            repeat_every: None,
            ack_timeout: None,
        }
    }
}

impl Escalation {
    /// Every channel the ladder names, in order, each once.
    pub fn channels(&self) -> impl Iterator<Item = (usize, &str)> {
        self.steps.iter().enumerate().flat_map(|(i, s)| {
            s.notify.iter().filter_map(move |r| match r {
                Recipient::Siren => None,
                Recipient::Channel(name) => Some((i, name.as_str())),
            })
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// From the incident opening.
    pub after: Duration,
    pub notify: Vec<Recipient>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// The built-in alarm on this machine.
    Siren,
    /// A `[[channel]]` by name.
    Channel(String),
}

#[derive(Deserialize, Default)]
pub(super) struct RawEscalation {
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
    repeat_every: Option<Spanned<String>>,
    ack_timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawStep {
    after: Option<Spanned<String>>,
    #[serde(default)]
    notify: Vec<Spanned<String>>,
}

impl RawEscalation {
    /// `channels`: the names the `[[channel]]` tables define.
    pub(super) fn validate(&self, channels: &HashSet<String>, errs: &mut Collector) -> Escalation {
        let mut steps = Vec::new();
        if self.steps.len() > MAX_STEPS {
            let m = format!("at most {MAX_STEPS} steps");
            errs.push(self.steps[MAX_STEPS].span(), "escalation.steps", m);
        }
        for (i, raw) in self.steps.iter().enumerate().take(MAX_STEPS) {
            let field = format!("escalation.steps[{}]", i + 1);
            if let Some(step) = raw.get_ref().validate(raw.span(), &field, channels, errs) {
                steps.push(step);
            }
        }
        self.check_order(&steps, errs);
        Escalation {
            steps,
            repeat_every: errs.bounded(&self.repeat_every, "escalation.repeat_every", AGAIN),
            ack_timeout: errs.bounded(&self.ack_timeout, "escalation.ack_timeout", AGAIN),
        }
    }

    /// Steps climb: each comes no earlier than the one before, and the siren sounds from the
    /// start (Klaxon's own alarm is never held back).
    fn check_order(&self, steps: &[Step], errs: &mut Collector) {
        let span = |i: usize| self.steps.get(i).map_or(0..0, |s| s.span());
        if steps.windows(2).any(|w| w[1].after < w[0].after) {
            let m = "list the steps in the order they come (each `after` no earlier than the last)";
            errs.push(span(0), "escalation.steps", m.to_string());
        }
        for (i, step) in steps.iter().enumerate() {
            if step.after > Duration::ZERO && step.notify.contains(&Recipient::Siren) {
                let m = "the siren rings from the start: name \"siren\" in the step with after = \"0s\"";
                errs.push(
                    span(i),
                    &format!("escalation.steps[{}].notify", i + 1),
                    m.to_string(),
                );
            }
        }
        let rings = steps
            .first()
            .is_some_and(|s| s.after == Duration::ZERO && s.notify.contains(&Recipient::Siren));
        if !rings {
            let m = "the first step must be after = \"0s\" with \"siren\" in notify: Klaxon's alarm \
                     always rings at once";
            errs.push(span(0), "escalation.steps", m.to_string());
        }
    }
}

impl RawStep {
    fn validate(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        channels: &HashSet<String>,
        errs: &mut Collector,
    ) -> Option<Step> {
        let Some(after) = &self.after else {
            errs.push(
                span,
                &format!("{field}.after"),
                "say when, like after = \"3m\"".into(),
            );
            return None;
        };
        let after = errs.bounded(&Some(after.clone()), &format!("{field}.after"), AFTER)?;
        if self.notify.is_empty() {
            let m = "name whom to notify, like notify = [\"phone\"]".to_string();
            errs.push(span, &format!("{field}.notify"), m);
            return None;
        }
        let mut notify = Vec::new();
        for name in &self.notify {
            let text = name.get_ref().trim();
            if text == "siren" {
                notify.push(Recipient::Siren);
            } else if channels.contains(text) {
                notify.push(Recipient::Channel(text.to_string()));
            } else {
                let m = format!(
                    "no [[channel]] is named {:?} (and it is not \"siren\")",
                    crate::text::bounded(text, 64)
                );
                errs.push(name.span(), &format!("{field}.notify"), m);
            }
        }
        Some(Step { after, notify })
    }
}
