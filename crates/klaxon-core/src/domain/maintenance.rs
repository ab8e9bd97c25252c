//! Maintenance windows: planned time when a service may be down and nothing should ring —
//! "every Sunday from 02:00 for an hour, Berlin time". A window opens at each time its
//! five-field cron pattern names, in its own time zone (so 02:00 stays 02:00 across a clock
//! change, and a 02:30 that a spring-forward skips is not invented), and lasts `duration`.

use std::time::Duration;

use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// One `[[maintenance]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// The monitors it covers; `None`: all of them.
    pub monitors: Option<Vec<String>>,
    /// As written, for display.
    pub pattern: String,
    cron: Cron,
    pub duration: Duration,
    pub zone: TimeZone,
}

impl Window {
    /// A window from its pattern (five fields: minute, hour, day of month, month, day of week);
    /// `Err` says what is wrong with the pattern.
    pub fn new(
        monitors: Option<Vec<String>>,
        pattern: &str,
        duration: Duration,
        zone: TimeZone,
    ) -> Result<Window, String> {
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build()
            .parse(pattern)
            .map_err(|e| format!("{pattern:?} is not a five-field cron pattern ({e})"))?;
        Ok(Window {
            monitors,
            pattern: pattern.trim().to_string(),
            cron,
            duration,
            zone,
        })
    }

    pub fn covers(&self, monitor: &str) -> bool {
        self.monitors
            .as_ref()
            .is_none_or(|m| m.iter().any(|name| name == monitor))
    }

    /// When the window going on at `now` ends; `None` when none is.
    pub fn active_until(&self, now: Timestamp) -> Option<Timestamp> {
        let here = now.to_zoned(self.zone.clone());
        let started = self.cron.find_previous_occurrence(&here, true).ok()?;
        let end = started
            .timestamp()
            .checked_add(jiff::SignedDuration::try_from(self.duration).ok()?)
            .ok()?;
        (now < end).then_some(end)
    }

    /// The pattern in words ("At 02:00 on Sunday"), in the window's own zone.
    pub fn describe(&self) -> String {
        self.cron.describe()
    }

    /// When the next window starts after `now`.
    pub fn next_start(&self, now: Timestamp) -> Option<Timestamp> {
        let here = now.to_zoned(self.zone.clone());
        let next = self.cron.find_next_occurrence(&here, false).ok()?;
        Some(next.timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin(civil: &str) -> Timestamp {
        civil
            .parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(TimeZone::get("Europe/Berlin").unwrap())
            .unwrap()
            .timestamp()
    }

    fn sunday_two_am() -> Window {
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        Window::new(None, "0 2 * * sun", Duration::from_secs(3600), zone).unwrap()
    }

    #[test]
    fn a_window_is_on_from_its_start_for_its_duration_in_its_own_zone() {
        let w = sunday_two_am();
        // Sunday 2026-11-29.
        assert_eq!(w.active_until(berlin("2026-11-29T01:59")), None);
        assert_eq!(
            w.active_until(berlin("2026-11-29T02:00")),
            Some(berlin("2026-11-29T03:00"))
        );
        assert_eq!(
            w.active_until(berlin("2026-11-29T02:59:59")),
            Some(berlin("2026-11-29T03:00"))
        );
        assert_eq!(w.active_until(berlin("2026-11-29T03:00")), None);
        assert_eq!(
            w.next_start(berlin("2026-11-29T03:00")),
            Some(berlin("2026-12-06T02:00"))
        );
    }

    #[test]
    fn a_clock_change_keeps_the_local_hour_and_invents_no_skipped_time() {
        // 2027-03-28: Berlin springs forward at 02:00 to 03:00; 02:30 does not exist.
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        let w = Window::new(None, "30 2 * * *", Duration::from_secs(600), zone.clone()).unwrap();
        let next = w.next_start(berlin("2027-03-27T12:00")).unwrap();
        assert_ne!(next, berlin("2027-03-28T03:30"), "an hour is not made up");
        // Across the autumn change (2026-10-25), 02:00 local is still 02:00 the next day.
        let daily = Window::new(None, "0 2 * * *", Duration::from_secs(600), zone).unwrap();
        let after = daily.next_start(berlin("2026-10-25T12:00")).unwrap();
        assert_eq!(after, berlin("2026-10-26T02:00"));
        assert_eq!(
            after.to_zoned(TimeZone::UTC).hour(),
            1,
            "CET again: 02:00 is 01:00 UTC"
        );
    }

    #[test]
    fn a_pattern_with_seconds_or_nonsense_is_refused_with_what_was_written() {
        let zone = TimeZone::UTC;
        for bad in ["0 0 2 * * sun", "sometimes", "61 * * * *"] {
            let e = Window::new(None, bad, Duration::from_secs(60), zone.clone()).unwrap_err();
            assert!(e.contains(&format!("{bad:?}")), "{e}");
        }
    }

    #[test]
    fn a_window_covers_its_monitors_or_all() {
        let w = sunday_two_am();
        assert!(w.covers("API"));
        let only = Window {
            monitors: Some(vec!["DB".into()]),
            ..w
        };
        assert!(only.covers("DB") && !only.covers("API"));
    }
}
