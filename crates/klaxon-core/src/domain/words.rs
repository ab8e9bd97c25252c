//! A length of time in words, said one way everywhere: the tray, `klaxon status`, the probes'
//! reasons and the window (which has its own copy, tested against the same cases in
//! `words_cases.json`) read "1.5 s", "45 s", "4 min", "3 h 5 min", "2 d 3 h"; a reply to
//! customers reads the same length as a person would write it ("about 3 hours").
//!
//! Each unit is counted down, never rounded up, so "4 min" means at least four minutes: a
//! founder reading "down for 4 min" is never told more than happened. Below ten seconds a
//! tenth is shown, because a check's latency or timeout lives there.

use std::time::Duration;

/// How the words are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Short units for a glance: "3 h 5 min".
    Short,
    /// Whole words for a reply to customers, rounded as a person would: "about 3 hours".
    Prose,
}

/// `d` in words, in `style`.
pub fn duration(d: Duration, style: Style) -> String {
    match style {
        Style::Short => short(d),
        Style::Prose => prose(d),
    }
}

/// Time that has passed since something ("down for 4 s"): whole seconds once past one, since
/// tenths of a second there are only noise. The window's `elapsed` says the same.
pub fn elapsed(d: Duration) -> String {
    let d = if d >= Duration::from_secs(1) {
        Duration::from_secs(d.as_secs())
    } else {
        d
    };
    short(d)
}

fn short(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        _ if d < Duration::from_millis(1) => "less than 1 ms".into(),
        _ if d < Duration::from_secs(1) => format!("{} ms", d.as_millis()),
        0..10 => {
            let tenths = d.as_millis() / 100;
            if tenths.is_multiple_of(10) {
                format!("{} s", tenths / 10)
            } else {
                format!("{}.{} s", tenths / 10, tenths % 10)
            }
        }
        10..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 => match s % 3600 / 60 {
            0 => format!("{} h", s / 3600),
            m => format!("{} h {m} min", s / 3600),
        },
        _ => match s % 86400 / 3600 {
            0 => format!("{} d", s / 86400),
            h => format!("{} d {h} h", s / 86400),
        },
    }
}

/// "less than a minute", "47 minutes", "2 hours 41 minutes", "about 3 hours": precise where
/// precision matters to the reader, rounded where it does not.
fn prose(d: Duration) -> String {
    let minutes = d.as_secs() / 60;
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if minutes < 1 {
        return "less than a minute".into();
    }
    if minutes < 60 {
        return plural(minutes, "minute");
    }
    let (hours, rest) = (minutes / 60, minutes % 60);
    if hours >= 24 {
        let days = (minutes + 12 * 60) / (24 * 60);
        return if days == 1 {
            "about a day".into()
        } else {
            format!("about {days} days")
        };
    }
    match rest {
        0..8 if hours == 1 => "about an hour".into(),
        0..8 => format!("about {hours} hours"),
        23..38 if hours == 1 => "about an hour and a half".into(),
        23..38 => format!("about {hours} and a half hours"),
        53.. => format!("about {} hours", hours + 1),
        _ => format!("{} {}", plural(hours, "hour"), plural(rest, "minute")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases the window's copy is tested against too.
    #[derive(serde::Deserialize)]
    struct Case {
        ms: u64,
        short: String,
    }

    #[test]
    fn the_shared_cases_read_the_same_here_as_in_the_window() {
        let cases: Vec<Case> = serde_json::from_str(include_str!("words_cases.json")).unwrap();
        assert!(cases.len() >= 10);
        for case in cases {
            assert_eq!(
                duration(Duration::from_millis(case.ms), Style::Short),
                case.short,
                "{} ms",
                case.ms
            );
        }
    }

    #[test]
    fn a_unit_is_never_rounded_up() {
        let short = |s| duration(Duration::from_secs(s), Style::Short);
        assert_eq!(short(59), "59 s");
        assert_eq!(short(3599), "59 min");
        assert_eq!(short(86_399), "23 h 59 min");
        assert_eq!(
            duration(Duration::from_micros(9_999_999), Style::Short),
            "9.9 s"
        );
    }

    #[test]
    fn time_since_something_is_counted_in_whole_seconds_once_past_one() {
        assert_eq!(elapsed(Duration::from_millis(4500)), "4 s");
        assert_eq!(elapsed(Duration::from_millis(500)), "500 ms");
        assert_eq!(elapsed(Duration::from_millis(250_900)), "4 min");
    }

    #[test]
    fn prose_reads_as_a_person_would_say_it() {
        let m = |minutes: u64| duration(Duration::from_secs(minutes * 60), Style::Prose);
        assert_eq!(
            duration(Duration::from_secs(40), Style::Prose),
            "less than a minute"
        );
        assert_eq!(m(1), "1 minute");
        assert_eq!(m(47), "47 minutes");
        assert_eq!(m(62), "about an hour");
        assert_eq!(m(90), "about an hour and a half");
        assert_eq!(m(161), "2 hours 41 minutes");
        assert_eq!(m(183), "about 3 hours");
        assert_eq!(m(175), "about 3 hours");
        assert_eq!(m(150), "about 2 and a half hours");
        assert_eq!(m(26 * 60), "about a day");
        assert_eq!(m(60 * 60), "about 3 days");
    }
}
