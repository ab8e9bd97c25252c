//! `[[maintenance]]`: planned windows when nothing rings — `cron` (five fields: when each
//! window starts), `duration`, an IANA `timezone` (default: this machine's) and the `monitors`
//! it covers (default: all). See [`crate::domain::maintenance`].

use std::time::Duration;

use jiff::tz::TimeZone;
use serde::Deserialize;
use toml::Spanned;

use super::Collector;
use super::bounds::Within;
use crate::domain::maintenance::Window;

const DURATION: Within = Within {
    min: Duration::from_secs(60),
    max: Duration::from_secs(7 * 24 * 3600),
    words: "from 1m to 7d",
};
const MAX_WINDOWS: usize = 50;

#[derive(Deserialize)]
pub(super) struct RawMaintenance {
    cron: Spanned<String>,
    duration: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    monitors: Option<Spanned<Vec<Spanned<String>>>>,
}

/// The windows, each checked: a pattern that parses, a duration in bounds, a zone that exists,
/// monitors that exist.
pub(super) fn windows(
    raw: &[Spanned<RawMaintenance>],
    monitors: &[String],
    errs: &mut Collector,
) -> Vec<Window> {
    let mut windows = Vec::new();
    for (i, m) in raw.iter().enumerate() {
        let field = format!("maintenance[{}]", i + 1);
        if i == MAX_WINDOWS {
            errs.push(
                m.span(),
                &field,
                format!("at most {MAX_WINDOWS} maintenance windows"),
            );
            break;
        }
        windows.extend(m.get_ref().validate(m.span(), &field, monitors, errs));
    }
    windows
}

impl RawMaintenance {
    fn validate(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        known: &[String],
        errs: &mut Collector,
    ) -> Option<Window> {
        let duration = match &self.duration {
            None => {
                errs.push(
                    span,
                    &format!("{field}.duration"),
                    "give how long it lasts, e.g. \"1h\"".into(),
                );
                None
            }
            Some(_) => errs.bounded(&self.duration, &format!("{field}.duration"), DURATION),
        };
        let zone = match &self.timezone {
            None => Some(TimeZone::system()),
            Some(name) => match TimeZone::get(name.get_ref().trim()) {
                Ok(zone) => Some(zone),
                Err(_) => {
                    let m = format!(
                        "{:?} is not a time zone; give an IANA name like \"Europe/Berlin\"",
                        crate::text::bounded(name.get_ref(), 64)
                    );
                    errs.push(name.span(), &format!("{field}.timezone"), m);
                    None
                }
            },
        };
        let mut monitors_ok = true;
        // Settings shows a window without names as covering every monitor (and saving it drops
        // the key), so an empty list — which would cover none — is refused rather than read
        // two ways.
        if let Some(names) = self
            .monitors
            .as_ref()
            .filter(|names| names.get_ref().is_empty())
        {
            monitors_ok = false;
            let m = "an empty list covers no monitor; leave `monitors` out to cover them all";
            errs.push(names.span(), &format!("{field}.monitors"), m.into());
        }
        let monitors = self.monitors.as_ref().map(|names| {
            names
                .get_ref()
                .iter()
                .filter_map(|n| {
                    let name = n.get_ref().trim().to_string();
                    if known.contains(&name) {
                        return Some(name);
                    }
                    monitors_ok = false;
                    let m = format!(
                        "no [[monitor]] is named {:?}",
                        crate::text::bounded(&name, 64)
                    );
                    errs.push(n.span(), &format!("{field}.monitors"), m);
                    None
                })
                .collect::<Vec<_>>()
        });
        let (duration, zone) = (duration?, zone?);
        if !monitors_ok {
            return None;
        }
        let window = Window::new(monitors, self.cron.get_ref(), duration, zone).and_then(|w| {
            // A date that never comes ("0 0 31 2 *") would be searched for across millennia
            // on every tick, and Settings would show no next start: refused once, here.
            match w.next_start(jiff::Timestamp::now()) {
                Some(_) => Ok(w),
                None => Err(format!(
                    "{:?} never happens (no such date); check the day of month and month",
                    w.pattern
                )),
            }
        });
        match window {
            Ok(window) => Some(window),
            Err(m) => {
                errs.push(
                    self.cron.span(),
                    &format!("{field}.cron"),
                    crate::text::bounded(&m, 300).into_owned(),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::Config;

    /// The errors of a config with one monitor and the window `window`, as `field: message`.
    fn problems(window: &str) -> Vec<String> {
        let text = format!(
            "[[monitor]]\nname = \"api\"\nurl = \"http://127.0.0.1:9/\"\n\n[[maintenance]]\n{window}\n"
        );
        match Config::parse(&text, Path::new("klaxon.toml")) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect(),
        }
    }

    #[test]
    fn a_pattern_that_never_happens_is_refused_not_searched_for_on_every_tick() {
        let said = problems("cron = \"0 0 31 2 *\"\nduration = \"1h\"");
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].starts_with("maintenance[1].cron: "), "{said:?}");
        assert!(said[0].contains("never happens"), "{said:?}");
        // A leap day happens, if rarely.
        assert_eq!(
            problems("cron = \"0 0 29 2 *\"\nduration = \"1h\""),
            Vec::<String>::new()
        );
    }

    #[test]
    fn an_empty_monitors_list_is_refused_since_settings_reads_it_as_all() {
        let said = problems("cron = \"0 2 * * sun\"\nduration = \"1h\"\nmonitors = []");
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].starts_with("maintenance[1].monitors: "), "{said:?}");
        assert!(said[0].contains("leave `monitors` out"), "{said:?}");
    }
}
