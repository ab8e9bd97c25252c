//! `klaxon.toml`: parsing, validation and the starter file.
//!
//! Parsing happens in two passes so that a user sees every mistake at once, each with its line
//! and field. Serde reads the shape and catches wrong types, and every unknown key is collected
//! on the way ([`unknown_keys`]); values that need interpreting (durations, sizes, URLs,
//! `host:port`) are read as spanned values and checked in a second pass that collects all
//! errors instead of stopping at the first. Every duration, size and count is held to the
//! limits in [`crate::config::bounds`].

pub mod adhoc;
mod alarm_table;
pub mod bounds;
pub mod channel_form;
mod channel_table;
pub mod edit;
mod escalation_table;
pub mod first_run;
pub mod form;
mod heartbeat_table;
pub mod import;
mod judge_table;
pub mod maintenance_form;
mod maintenance_table;
mod product;
mod raw;
mod source_table;
mod unknown_keys;

pub use alarm_table::{AlarmConfig, SoundChoice};
pub use channel_table::{ChannelConfig, ChannelTarget, NTFY_SH, PUSHOVER_API};
pub use escalation_table::{Escalation, Recipient, Step};
pub use heartbeat_table::HeartbeatConfig;
pub use judge_table::{DEFAULT_WITNESSES, JudgeConfig, recheck_spacing};
pub use product::ProductConfig;
pub use source_table::{PageConfig, SourceConfig, SourceTarget};

use std::collections::HashSet;
use std::fmt;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use crate::config::bounds::Within;
use crate::domain::monitor::{HttpCheck, HttpExpect, Monitor, StatusRange};
use crate::error::{Error, Result};

/// The parsed, validated configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub alarm: AlarmConfig,
    pub judge: JudgeConfig,
    pub monitors: Vec<Monitor>,
    pub product: ProductConfig,
    pub channels: Vec<ChannelConfig>,
    pub escalation: Escalation,
    pub heartbeat: Option<HeartbeatConfig>,
    /// Monitoring that runs elsewhere, whose alerts ring here.
    pub sources: Vec<SourceConfig>,
    /// Where `klaxon page` publishes.
    pub page: Option<PageConfig>,
    /// Planned windows when nothing rings.
    pub maintenance: Vec<crate::domain::maintenance::Window>,
}

pub const DEFAULT_EVERY: Duration = Duration::from_secs(30);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
pub const DEFAULT_MAX_REDIRECTS: usize = 5;
pub const DEFAULT_MIN_CERT_DAYS: u32 = 14;

/// Every problem found in one config file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigErrors {
    pub file: PathBuf,
    pub errors: Vec<ConfigError>,
}

/// One problem, located.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub line: usize,
    pub column: usize,
    /// The dotted path of the field, like `monitor[2].every`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.len();
        write!(
            f,
            "{} has {count} error{}:",
            self.file.display(),
            if count == 1 { "" } else { "s" }
        )?;
        for e in &self.errors {
            write!(f, "\n  {}:{}:{}: ", self.file.display(), e.line, e.column)?;
            if e.field.is_empty() {
                write!(f, "{}", e.message)?;
            } else {
                write!(f, "{}: {}", e.field, e.message)?;
            }
        }
        Ok(())
    }
}

impl Config {
    /// Reads and validates the file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Config::parse(&text, path)?)
    }

    /// Validates `text`; `file` only names the source in messages.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigErrors> {
        let mut errs = Collector {
            text,
            errors: Vec::new(),
        };
        let Some(raw) = unknown_keys::read::<raw::RawConfig>(text, &mut errs) else {
            return Err(errs.finish(file));
        };
        let config_dir = file.parent().unwrap_or(Path::new("."));
        let alarm = raw.alarm.validate(config_dir, &mut errs);
        let judge = raw.judge.validate(&mut errs);
        let mut names = HashSet::new();
        let mut monitors = Vec::new();
        for (i, m) in raw.monitor.iter().enumerate() {
            let field = format!("monitor[{}]", i + 1);
            if !names.insert(m.get_ref().name.get_ref().trim().to_string()) {
                let name = &m.get_ref().name;
                errs.push(
                    name.span(),
                    &format!("{field}.name"),
                    format!("a monitor named {:?} is already defined", name.get_ref()),
                );
            }
            if let Some(monitor) = m.get_ref().validate(m.span(), &field, &mut errs) {
                monitors.push(monitor);
            }
        }
        let channels = channels(&raw.channel, &mut errs);
        let names = channels.iter().map(|c| c.name.clone()).collect();
        let escalation = raw.escalation.as_ref();
        let escalation =
            escalation.map_or_else(Escalation::default, |e| e.validate(&names, &mut errs));
        let heartbeat = raw
            .heartbeat
            .as_ref()
            .and_then(|h| h.get_ref().validate(h.span(), &channels, &mut errs));
        let sources = source_table::sources(&raw.source, &mut errs);
        let page = raw.page.as_ref().and_then(|p| p.validate(&mut errs));
        let names: Vec<String> = monitors.iter().map(|m: &Monitor| m.name.clone()).collect();
        let maintenance = maintenance_table::windows(&raw.maintenance, &names, &mut errs);
        if errs.errors.is_empty() {
            Ok(Config {
                maintenance,
                sources,
                page,
                alarm,
                judge,
                monitors,
                product: raw.product.trimmed(),
                channels,
                escalation,
                heartbeat,
            })
        } else {
            Err(errs.finish(file))
        }
    }
}

/// The `[[channel]]` tables, each name once.
fn channels(
    raw: &[Spanned<channel_table::RawChannel>],
    errs: &mut Collector,
) -> Vec<ChannelConfig> {
    let mut names = HashSet::new();
    let mut channels = Vec::new();
    for (i, c) in raw.iter().enumerate() {
        let field = format!("channel[{}]", i + 1);
        if i == bounds::MAX_CHANNELS {
            let m = format!("at most {} channels", bounds::MAX_CHANNELS);
            errs.push(c.span(), &field, m);
            break;
        }
        let name = c.get_ref().name();
        if !names.insert(name.get_ref().trim().to_string()) {
            let m = format!("a channel named {:?} is already defined", name.get_ref());
            errs.push(name.span(), &format!("{field}.name"), m);
            continue;
        }
        channels.extend(c.get_ref().validate(&field, errs));
    }
    channels
}

struct Collector<'a> {
    text: &'a str,
    errors: Vec<ConfigError>,
}

impl Collector<'_> {
    fn push(&mut self, span: Range<usize>, field: &str, message: String) {
        let (line, column) = line_column(self.text, span.start);
        self.errors.push(ConfigError {
            line,
            column,
            field: field.to_string(),
            message,
        });
    }

    fn finish(mut self, file: &Path) -> ConfigErrors {
        self.errors.sort_by_key(|e| (e.line, e.column));
        ConfigErrors {
            file: file.to_path_buf(),
            errors: self.errors,
        }
    }

    fn duration(&mut self, value: &Option<Spanned<String>>, field: &str) -> Option<Duration> {
        let value = value.as_ref()?;
        match parse_duration(value.get_ref()) {
            Ok(d) => Some(d),
            Err(message) => {
                self.push(value.span(), field, message);
                None
            }
        }
    }

    /// A duration that must lie `within` its bounds. `None` when absent or refused.
    fn bounded(
        &mut self,
        value: &Option<Spanned<String>>,
        field: &str,
        within: Within,
    ) -> Option<Duration> {
        let d = self.duration(value, field)?;
        if within.contains(d) {
            return Some(d);
        }
        let value = value.as_ref()?;
        let m = format!(
            "{:?} is out of range; give {}",
            value.get_ref(),
            within.words
        );
        self.push(value.span(), field, m);
        None
    }

    /// A whole number that must lie in `range` (`words` names it). `None` when absent or
    /// refused. Read as TOML's own i64 so that a negative number is located like any other.
    fn count<T: TryFrom<i64>>(
        &mut self,
        value: &Option<Spanned<i64>>,
        field: &str,
        range: RangeInclusive<i64>,
        words: &str,
    ) -> Option<T> {
        let value = value.as_ref()?;
        let n = *value.get_ref();
        match T::try_from(n) {
            Ok(n) if range.contains(value.get_ref()) => Some(n),
            _ => {
                self.push(
                    value.span(),
                    field,
                    format!("{n} is out of range; give {words}"),
                );
                None
            }
        }
    }
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|c| *c != '\n').count() + 1;
    (line, column)
}

/// `"30s"`, `"2m"`, `"1h 30m"`, `"500ms"`, `"7d"`: jiff's friendly format (ISO 8601 works too).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration; write it like \"30s\", \"2m\" or \"1h 30m\"");
    let signed = match text.parse::<jiff::SignedDuration>() {
        Ok(d) => d,
        // Days and longer are calendar units to jiff, so "2d" or "100 years" would not parse
        // as a duration; a config means them as lengths (a day of 24 hours), and reading them
        // lets an absurd one be refused for its length rather than its spelling. Counted from
        // a fixed, non-leap year so that the same text always means the same length.
        Err(_) => text
            .parse::<jiff::Span>()
            .and_then(|span| span.to_duration(jiff::civil::date(2001, 1, 1)))
            .map_err(|_| bad())?,
    };
    Duration::try_from(signed)
        .map_err(|_| format!("{text:?} is negative; a duration must be positive"))
}

impl HttpCheck {
    /// A GET of `url` with every setting at its default, as a config with only `url` gives.
    pub fn with_defaults(url: url::Url) -> HttpCheck {
        HttpCheck {
            url,
            method: "GET".into(),
            headers: vec![],
            body: None,
            expect: HttpExpect {
                status: StatusRange::SUCCESS,
                body_contains: None,
                body_not_contains: None,
                json: None,
                max_latency: None,
            },
            max_redirects: DEFAULT_MAX_REDIRECTS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            verify_tls: true,
            ca_file: None,
        }
    }
}

/// `host:port`, `[::1]:53`.
pub fn split_host_port(text: &str) -> Result<(String, u16), String> {
    let bad = || format!("{text:?} is not host:port (like \"db.example.com:5432\")");
    let (host, port) = text.trim().rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || port == 0 {
        return Err(bad());
    }
    Ok((host.to_string(), port))
}

/// The commented file written on first run. It has no monitors: nothing is checked until the
/// user adds one.
pub const STARTER: &str = include_str!("starter.toml");

#[cfg(test)]
mod tests;

#[cfg(test)]
mod limits_tests;

#[cfg(test)]
mod channels_tests;
