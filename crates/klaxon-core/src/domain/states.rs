//! Klaxon's vocabulary: every state that crosses a boundary (to the store, the socket, the CLI,
//! the window, the tray) as an enum. Each is written in snake_case exactly as the documented
//! JSON and the database have always held it, and exported to the window as a union type, so
//! a comparison anywhere is checked by a compiler. Strings exist only at the edges: serde for
//! JSON, [`as_str`](MonitorState::as_str) / [`FromStr`](std::str::FromStr) for SQL.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};
use ts_rs::TS;

/// Declares one vocabulary enum with the derives every one of them needs.
macro_rules! vocabulary {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            Serialize, Deserialize, TS, Display, EnumString, IntoStaticStr, VariantArray,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        #[ts(export, export_to = "../../../ui/src/lib/types/")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// The word the JSON and the database use.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}

vocabulary! {
    /// What a monitor's latest verdict is, as `status` shows it.
    pub enum MonitorState {
        Up,
        Down,
        /// Not checked yet, or its last check could not be made (a local fault).
        Unknown,
        /// This machine is offline (the witnesses say so): nothing can be seen.
        Offline,
        /// Monitoring is paused.
        Paused,
    }
}

vocabulary! {
    /// Which kind of monitoring a `[[source]]` reads.
    pub enum SourceKind {
        Alertmanager,
        Ntfy,
        Healthchecks,
        Gatus,
        UptimeKuma,
    }
}

vocabulary! {
    /// Whether a source can be read: `unreachable` is not an outage of what it watches.
    pub enum SourceState {
        Unknown,
        Reachable,
        Unreachable,
    }
}

vocabulary! {
    /// Where an incident is: `ringing → acknowledged → resolved`, plus `snoozed` (rings again
    /// when the snooze ends and the service is still down).
    pub enum IncidentState {
        Ringing,
        Acknowledged,
        Snoozed,
        Resolved,
    }
}

vocabulary! {
    /// What one line of an incident's timeline records.
    pub enum TimelineKind {
        FirstFailure,
        Confirmed,
        AlarmStarted,
        /// Klaxon started again with the incident unacknowledged: it rings again.
        AlarmRestarted,
        Acknowledged,
        Snoozed,
        SnoozeEnded,
        Recovered,
        DownAgain,
        Resolved,
        /// Its monitor was removed from the config: nothing will check it again.
        MonitorRemoved,
        /// Acknowledged, but still down past `ack_timeout`: it rings and climbs again.
        AckExpired,
        /// A channel was told (the detail says which and how).
        Notified,
        /// A delivery failed (the detail says why, and what to check).
        DeliveryFailed,
        /// The alert's source was asked to silence it (the detail has the silence, or why not).
        SourceSilenced,
    }
}

vocabulary! {
    /// Where an acknowledgement came from; it is kept with the incident.
    pub enum AckVia {
        Cli,
        Window,
        Tray,
        /// A tap on the founder's phone (a notification channel's action).
        Phone,
        /// The outside monitoring the incident came from.
        Source,
    }
}

impl AckVia {
    /// The ways a person can acknowledge over the control socket; the others arrive through
    /// Klaxon's own channels and sources, never as a command.
    pub const BY_COMMAND: [AckVia; 3] = [AckVia::Cli, AckVia::Window, AckVia::Tray];
}

vocabulary! {
    /// Why a stretch of time went unwatched.
    pub enum UnwatchedCause {
        /// The machine slept.
        Suspend,
        /// The machine was offline.
        Offline,
        /// The founder paused monitoring.
        Paused,
        /// A planned maintenance window.
        Maintenance,
    }
}

vocabulary! {
    /// Which kind of check a monitor makes.
    #[derive(Default)]
    pub enum MonitorKind {
        #[default]
        Http,
        Tcp,
        Dns,
        Tls,
    }
}

vocabulary! {
    /// A way out of the laptop: where a `[[channel]]` delivers.
    pub enum ChannelKind {
        /// ntfy (ntfy.sh or self-hosted): a push to the founder's phone.
        Ntfy,
        Pushover,
        /// Any HTTP endpoint: a documented JSON body, signed when a secret is set.
        Webhook,
        Slack,
        Discord,
        Email,
    }
}

vocabulary! {
    /// What a delivery tells a channel about an incident.
    pub enum DeliveryEvent {
        /// The incident opened (or its step of the ladder came due).
        Opened,
        /// Still unacknowledged: the same step again (`repeat_every`).
        Reminder,
        Acknowledged,
        Resolved,
        /// `klaxon channel test`: a clearly marked test message.
        Test,
        /// Klaxon is about to stop watching: the machine goes to sleep, or Klaxon quits
        /// (`[heartbeat] notify_on_sleep`).
        Leaving,
    }
}

vocabulary! {
    /// Where a message to a channel stands in the outbox.
    pub enum DeliveryState {
        /// Written down, not yet accepted by the service (retried with backoff).
        Pending,
        Delivered,
        /// Given up on after its last attempt.
        Failed,
    }
}

vocabulary! {
    /// One thing tonight's alarm depends on, in the coverage verdict.
    pub enum CoverageItem {
        /// Something is checked at all.
        Monitors,
        /// The siren can be heard.
        Sound,
        /// Idle sleep is held off.
        KeepAwake,
        /// The machine is on mains power.
        Power,
        /// A channel of the ladder delivered its last message (or test).
        Channel,
        /// The watchdog elsewhere accepts the heartbeat.
        Heartbeat,
    }
}

vocabulary! {
    /// What a draft to customers is for.
    pub enum DraftKind {
        /// To everyone affected, after the fact.
        Apology,
        /// To one customer who wrote in.
        Reply,
        /// A status-page update while it is going on.
        Status,
        /// What happened and what changes, for the team or the public.
        Postmortem,
    }
}

vocabulary! {
    /// How a draft sounds.
    pub enum DraftTone {
        Personal,
        Formal,
    }
}

vocabulary! {
    /// The whole app's state in one word, most urgent first: what the tray's icon shows and
    /// what the tooltip, `klaxon status`'s first line and the window's header open with.
    #[derive(Default)]
    pub enum Overall {
        /// An incident is ringing.
        Ringing,
        /// Something is down and someone has it (acknowledged or snoozed).
        Acknowledged,
        /// This machine seems offline: nothing can be seen.
        Offline,
        /// Monitoring is paused.
        Paused,
        /// A check is failing and being confirmed (no incident yet).
        Failing,
        /// Every monitor is up (or not checked yet).
        AllUp,
        /// No monitors: nothing is watched.
        #[default]
        NothingConfigured,
    }
}

/// Whether idle sleep is held off while on call, as `status` has always said it in words
/// (`"holding off idle sleep"`, `"not on call"`, `"cannot hold off sleep: …"`); the window
/// gets the same words as a union type.
#[derive(Debug, Clone, PartialEq, Eq, TS)]
#[ts(
    export,
    export_to = "../../../ui/src/lib/types/",
    type = "\"holding off idle sleep\" | \"not on call\" | `cannot hold off sleep: ${string}`"
)]
pub enum KeepAwakeState {
    Holding,
    NotOnCall,
    /// The platform refused; tried again a minute later.
    Failed(String),
}

const HOLDING: &str = "holding off idle sleep";
const NOT_ON_CALL: &str = "not on call";
const FAILED: &str = "cannot hold off sleep: ";

impl std::fmt::Display for KeepAwakeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeepAwakeState::Holding => f.write_str(HOLDING),
            KeepAwakeState::NotOnCall => f.write_str(NOT_ON_CALL),
            KeepAwakeState::Failed(why) => write!(f, "{FAILED}{why}"),
        }
    }
}

impl Serialize for KeepAwakeState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeepAwakeState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let words = String::deserialize(deserializer)?;
        Ok(match words.as_str() {
            HOLDING => KeepAwakeState::Holding,
            NOT_ON_CALL => KeepAwakeState::NotOnCall,
            other => {
                KeepAwakeState::Failed(other.strip_prefix(FAILED).unwrap_or(other).to_string())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_the_word_it_is_written_as() {
        fn round_trip<T>(all: &[T])
        where
            T: Copy + PartialEq + std::fmt::Debug + Serialize + std::str::FromStr,
            T: Into<&'static str>,
        {
            for &state in all {
                let word: &'static str = state.into();
                let json = serde_json::to_string(&state).unwrap();
                assert_eq!(json, format!("\"{word}\""), "{state:?}");
                assert_eq!(word.parse::<T>().ok(), Some(state), "{word}");
            }
        }
        round_trip(MonitorState::VARIANTS);
        round_trip(SourceKind::VARIANTS);
        round_trip(SourceState::VARIANTS);
        round_trip(IncidentState::VARIANTS);
        round_trip(TimelineKind::VARIANTS);
        round_trip(AckVia::VARIANTS);
        round_trip(UnwatchedCause::VARIANTS);
        round_trip(MonitorKind::VARIANTS);
        round_trip(DraftKind::VARIANTS);
        round_trip(DraftTone::VARIANTS);
        round_trip(Overall::VARIANTS);
        round_trip(ChannelKind::VARIANTS);
        round_trip(DeliveryEvent::VARIANTS);
        round_trip(DeliveryState::VARIANTS);
        round_trip(CoverageItem::VARIANTS);
    }

    #[test]
    fn keep_awake_is_said_in_the_documented_words_and_read_back() {
        for (state, words) in [
            (KeepAwakeState::Holding, "holding off idle sleep"),
            (KeepAwakeState::NotOnCall, "not on call"),
            (
                KeepAwakeState::Failed("no logind".into()),
                "cannot hold off sleep: no logind",
            ),
        ] {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{words}\""));
            assert_eq!(
                serde_json::from_str::<KeepAwakeState>(&json).unwrap(),
                state
            );
        }
    }

    #[test]
    fn the_documented_words_are_unchanged() {
        assert_eq!(TimelineKind::FirstFailure.as_str(), "first_failure");
        assert_eq!(TimelineKind::SnoozeEnded.as_str(), "snooze_ended");
        assert_eq!(IncidentState::Acknowledged.as_str(), "acknowledged");
        assert_eq!(UnwatchedCause::Suspend.as_str(), "suspend");
        assert_eq!(AckVia::Cli.as_str(), "cli");
        assert_eq!("postmortem".parse(), Ok(DraftKind::Postmortem));
        assert!("Ringing".parse::<IncidentState>().is_err());
    }
}
