//! Klaxon's own faults, made loud: a check task that crashed is restarted and reported, and a
//! store that cannot write is shown in `status`, the tray and a desktop notification. None of
//! them silences the alarm; each is said once when it starts, and the end of a store problem is
//! said too.

use std::time::Duration;

use tokio::time::Instant;

use super::Owner;
use crate::domain::states::MonitorState;
use crate::domain::status::Event;
use crate::engine::schedule::Crash;

/// A monitor whose checks crash this many times within [`CRASH_WINDOW`] is not restarted again.
const MAX_RESTARTS: usize = 5;
const CRASH_WINDOW: Duration = Duration::from_secs(600);
/// The faults `status` keeps, newest last.
const MAX_FAULTS: usize = 20;

impl Owner {
    /// A monitor's task panicked: restart it (unless it keeps crashing) and say so.
    pub(super) fn crashed(&mut self, crash: Crash) {
        let Some(w) = self.watched.get(&crash.monitor) else {
            return;
        };
        let Some(task) = w.task.as_ref().filter(|t| t.generation == crash.generation) else {
            return; // an old task, already replaced
        };
        let monitor = task.monitor.clone();
        let now = Instant::now();
        let recent = self.restarts.entry(crash.monitor.clone()).or_default();
        recent.retain(|t| now.duration_since(*t) < CRASH_WINDOW);
        recent.push(now);
        let give_up = recent.len() > MAX_RESTARTS;
        let message = if give_up {
            format!(
                "the checks of {:?} keep crashing ({}); they were stopped — fix or remove the monitor and reload",
                crash.monitor, crash.message
            )
        } else {
            format!(
                "the checks of {:?} crashed ({}) and were restarted",
                crash.monitor, crash.message
            )
        };
        tracing::error!("{message}");
        crate::engine::desktop::notify("Klaxon had a fault", &message);
        self.fault(message.clone());
        if give_up {
            if let Some(w) = self.watched.get_mut(&crash.monitor) {
                w.task = None;
                w.view.state = MonitorState::Unknown;
                w.view.reason = Some(message);
            }
        } else {
            self.generation += 1;
            let mut restarted = self.start_monitor(&monitor, Default::default());
            if let Some(old) = self.watched.get(&crash.monitor) {
                restarted.view = old.view.clone();
                restarted.verdict = old.verdict;
                restarted.failing_since = old.failing_since;
            }
            self.watched.insert(crash.monitor.clone(), restarted);
        }
        self.publish();
    }

    fn fault(&mut self, message: String) {
        if self.faults.len() >= MAX_FAULTS {
            self.faults.remove(0);
        }
        self.faults.push(message.clone());
        let _ = self.events.send(Event::Fault { message });
    }

    /// The store writer's health changed.
    pub(super) fn store_changed(&mut self) {
        let health = self.store_health.borrow_and_update().clone();
        let was = self.store_problem_shown.take();
        match (&was, &health.problem) {
            (None, Some(problem)) => crate::engine::desktop::notify(
                "Klaxon is not saving history",
                &format!(
                    "{problem}. The alarm still works; what happens is kept in memory and written once this is fixed."
                ),
            ),
            (Some(_), None) => crate::engine::desktop::notify(
                "Klaxon is saving history again",
                "Everything that happened meanwhile has been written down.",
            ),
            _ => {}
        }
        if was != health.problem {
            let _ = self.events.send(Event::Store {
                problem: health.summary(),
            });
        }
        self.store_problem_shown = health.problem;
        if health.notice.is_some() && health.notice != self.store_notice {
            self.store_notice(health.notice);
            return;
        }
        self.publish();
    }

    /// Something about the database found at start that the user must be told once.
    pub(in crate::engine) fn store_notice(&mut self, notice: Option<String>) {
        if let Some(notice) = &notice {
            crate::engine::desktop::notify("Klaxon started a fresh history", notice);
        }
        self.store_notice = notice;
        self.publish();
    }
}
