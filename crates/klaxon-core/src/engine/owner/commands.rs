//! The commands a person sends (acknowledge, snooze, pause, reload): each turns into a change
//! of the owner's state and a reply.

use std::time::Duration;

use jiff::Timestamp;

use super::Owner;
use crate::config::Config;
use crate::domain::incident::Incident;
use crate::domain::states::{AckVia, MonitorState, UnwatchedCause};
use crate::domain::status::{IncidentView, PausedUntil};
use crate::protocol::{Command, Reply};

impl Owner {
    /// Every command, whoever sent it, is checked against its bounds and then handed to the
    /// method that does it.
    pub(super) fn command(&mut self, command: Command) -> Reply {
        if let Err(message) = command.check() {
            return Reply::Refused { message };
        }
        let now = self.now();
        match command {
            Command::Status => Reply::Status {
                status: Box::new(self.snapshot()),
            },
            Command::Ack {
                incident,
                via,
                code,
            } => self.acknowledge(incident, via, code, now),
            Command::Snooze { minutes } => self.snooze(minutes, now),
            Command::Pause { minutes } => self.pause(minutes, now),
            Command::Resume => Reply::Done {
                message: match self.resume(now) {
                    true => "monitoring resumed".into(),
                    false => "monitoring was not paused".into(),
                },
            },
            Command::Reload => self.reload(),
            Command::TestAlarm { seconds } => self.test_alarm(seconds),
            Command::Slips => Reply::Slips {
                slips: self.slip_stats(),
            },
            Command::CheckSource { name } => self.check_source(&name),
        }
    }

    /// With the awake check on, anything but the CLI must give the code shown while ringing:
    /// the CLI is deliberate by nature, a half-asleep click is not.
    fn acknowledge(
        &mut self,
        incident: Option<i64>,
        via: AckVia,
        code: Option<String>,
        now: Timestamp,
    ) -> Reply {
        if self.config.alarm.awake_check
            && via != AckVia::Cli
            && self.ack_code.is_some()
            && code.as_deref().map(str::trim) != self.ack_code.as_deref()
        {
            return Reply::Refused {
                message: "type the code shown to prove you are awake".into(),
            };
        }
        let changed = self.book.acknowledge(&mut self.writer, incident, via, now);
        self.incidents_reply(changed, "acknowledged", "nothing is ringing")
    }

    fn snooze(&mut self, minutes: u64, now: Timestamp) -> Reply {
        let length = Duration::from_secs(minutes.saturating_mul(60));
        let mono = tokio::time::Instant::now();
        let changed = self.book.snooze(&mut self.writer, length, now, mono);
        let done = format!("snoozed for {minutes} min");
        self.incidents_reply(changed, &done, "nothing is ringing")
    }

    /// Stops checking for `minutes`, or until resumed. The pause ends by the monotonic clock;
    /// its wall-clock end is for display.
    fn pause(&mut self, minutes: Option<u64>, now: Timestamp) -> Reply {
        let length = minutes.map(|m| Duration::from_secs(m.saturating_mul(60)));
        let until = match length {
            Some(length) => PausedUntil::Time(
                jiff::SignedDuration::try_from(length)
                    .ok()
                    .and_then(|d| now.checked_add(d).ok())
                    .unwrap_or(Timestamp::MAX),
            ),
            None => PausedUntil::Resumed,
        };
        self.pause_ends = length.and_then(|l| tokio::time::Instant::now().checked_add(l));
        let since = self.paused.as_ref().map_or(now, |(since, _)| *since);
        self.paused = Some((since, until.clone()));
        self.directions.send_modify(|d| d.paused = true);
        for w in self.watched.values_mut() {
            w.view.state = MonitorState::Paused;
        }
        let message = match until {
            PausedUntil::Time(t) => format!("monitoring paused until {t}"),
            PausedUntil::Resumed => "monitoring paused until `klaxon resume`".into(),
        };
        Reply::Done { message }
    }

    fn reload(&mut self) -> Reply {
        match Config::load(&self.options.config_path) {
            Ok(config) => {
                let count = config.monitors.len();
                self.apply(config);
                Reply::Done {
                    message: format!("config reloaded: {count} monitors"),
                }
            }
            Err(e) => self.reject(e.to_string()),
        }
    }

    /// Plays the escalation compressed; never over a real alarm.
    fn test_alarm(&mut self, seconds: u64) -> Reply {
        if self.ringing_since.is_some() {
            return Reply::Refused {
                message: "an incident is ringing; acknowledge it first".into(),
            };
        }
        let length = Duration::from_secs(seconds.clamp(1, 120));
        self.siren.test(length, &self.config.alarm);
        Reply::Done {
            message: format!("playing the alarm for {} s", length.as_secs()),
        }
    }

    pub(super) fn incidents_reply(
        &mut self,
        changed: Vec<Incident>,
        done: &str,
        none: &str,
    ) -> Reply {
        if changed.is_empty() {
            return Reply::Incidents {
                message: none.into(),
                incidents: vec![],
            };
        }
        let incidents: Vec<IncidentView> = changed.iter().map(IncidentView::from).collect();
        self.announce(changed);
        Reply::Incidents {
            message: done.into(),
            incidents,
        }
    }

    pub(super) fn resume(&mut self, now: Timestamp) -> bool {
        let Some((since, _)) = self.paused.take() else {
            return false;
        };
        self.pause_ends = None;
        self.writer.send(crate::store::Write::Unmonitored {
            from: since,
            to: now,
            cause: UnwatchedCause::Paused,
        });
        self.directions.send_modify(|d| d.paused = false);
        for w in self.watched.values_mut() {
            w.view.state = w.verdict.state();
        }
        true
    }
}
