//! Keeping the siren, the awake check and keep-awake in step with the incidents: the siren
//! rings exactly while some incident is ringing, and a sound problem is announced loudly.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use super::Owner;
use crate::domain::status::Event;

/// However long ago the alarm started, the escalation is capped at this: harsh and full anyway.
const LONGEST_ESCALATION: Duration = Duration::from_secs(24 * 3600);

impl Owner {
    /// Starts or stops the siren to match the incident book. Called before every publish.
    pub(super) fn sync_alarm(&mut self) {
        match (self.book.is_ringing(), self.ringing_since) {
            (true, None) => {
                let since = self.escalation_start();
                self.ringing_since = Some(since);
                self.ack_code = Some(awake_code());
                self.siren.ring(since);
            }
            (false, Some(_)) => {
                self.ringing_since = None;
                self.ack_code = None;
                self.siren.silence();
            }
            _ => {}
        }
        let on_call =
            (!self.order.is_empty() || !self.sources.watched.is_empty()) && self.paused.is_none();
        self.keep_awake.hold(on_call);
    }

    /// The moment the siren's plan counts from: the oldest ringing incident's alarm, so a
    /// restart or the end of a snooze carries on loud rather than starting gently again.
    fn escalation_start(&self) -> Instant {
        let now = self.now();
        let oldest = self
            .book
            .open_incidents()
            .filter(|i| i.state == crate::domain::incident::IncidentState::Ringing)
            .filter_map(|i| i.alarm_started_at)
            .min();
        // A teammate paging rings at full loudness at once: they have already tried gently.
        let paged = self.book.open_incidents().any(|i| {
            i.state == crate::domain::incident::IncidentState::Ringing && super::sources::is_page(i)
        });
        let ago = oldest
            .and_then(|t| Duration::try_from(now.duration_since(t)).ok())
            .unwrap_or_default()
            .min(LONGEST_ESCALATION);
        let ago = if paged { LONGEST_ESCALATION } else { ago };
        Instant::now().checked_sub(ago).unwrap_or_else(Instant::now)
    }

    /// The player's view of the output changed.
    pub(super) fn sound_changed(&mut self) {
        let sound = self.sound.borrow_and_update().clone();
        if let Some(problem) = &sound.problem {
            crate::engine::desktop::notify("Klaxon cannot make a sound", problem);
        }
        let _ = self.events.send(Event::Sound { sound });
        self.publish();
    }
}

/// A desktop notification for the changes a person wants to hear of, in addition to the siren.
pub(super) fn notify_incident(incident: &crate::domain::incident::Incident) {
    use crate::domain::incident::IncidentState;
    match incident.state {
        IncidentState::Ringing => crate::engine::desktop::notify(
            &format!("{} is down", incident.monitor),
            &format!("{}. Klaxon rings until you acknowledge.", incident.reason),
        ),
        IncidentState::Resolved if incident.recovered_at.is_some() => {
            let down = incident
                .time_to_recover()
                .map(|d| d.as_secs() / 60)
                .unwrap_or(0);
            crate::engine::desktop::notify(
                &format!("{} is back", incident.monitor),
                &format!("It was down for about {down} min."),
            )
        }
        _ => {}
    }
}

/// Four digits to type in the window, proof of being awake. Not a secret: it only has to be
/// unknown until it is shown.
fn awake_code() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    format!("{:04}", hasher.finish() % 10_000)
}
