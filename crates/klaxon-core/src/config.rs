//! `klaxon.toml`: parsing, validation and the starter file.
//!
//! Parsing happens in two passes so that a user sees every mistake at once, each with its line
//! and field. Serde (with `deny_unknown_fields`) reads the shape and catches unknown keys and
//! wrong types; values that need interpreting (durations, URLs, `host:port`) are read as
//! spanned strings and checked in a second pass that collects all errors instead of stopping at
//! the first.

mod alarm;
pub mod edit;
pub mod form;
mod product;
mod raw;

pub use alarm::{AlarmConfig, SoundChoice};
pub use product::ProductConfig;

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use crate::error::{Error, Result};
use crate::monitor::{HttpCheck, HttpExpect, Monitor, StatusRange};

/// The parsed, validated configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub alarm: AlarmConfig,
    pub judge: JudgeConfig,
    pub monitors: Vec<Monitor>,
    pub product: ProductConfig,
}

/// How failures are confirmed and how the engine tells "down" from "offline".
#[derive(Debug, Clone, PartialEq)]
pub struct JudgeConfig {
    /// Quick re-checks that must also fail before a failure counts.
    pub confirm: u32,
    /// Consecutive successes before a down monitor counts as up again.
    pub recover: u32,
    /// The pause between those quick re-checks.
    pub retry_every: Duration,
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
            retry_every: Duration::from_secs(2),
            grace_after_resume: Duration::from_secs(10),
            witnesses: DEFAULT_WITNESSES.iter().map(|w| w.to_string()).collect(),
        }
    }
}

/// Public anycast DNS resolvers: independent of each other and of the user's services.
pub const DEFAULT_WITNESSES: [&str; 3] = ["1.1.1.1:53", "9.9.9.9:53", "8.8.8.8:53"];

pub const DEFAULT_EVERY: Duration = Duration::from_secs(30);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
pub const DEFAULT_MAX_REDIRECTS: usize = 5;
pub const DEFAULT_MIN_CERT_DAYS: u32 = 14;
const MIN_EVERY: Duration = Duration::from_secs(1);

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
        let raw: raw::RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                errs.push(span, "", e.message().trim().to_string());
                return Err(errs.finish(file));
            }
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
        if errs.errors.is_empty() {
            Ok(Config {
                alarm,
                judge,
                monitors,
                product: raw.product.trimmed(),
            })
        } else {
            Err(errs.finish(file))
        }
    }
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
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|c| *c != '\n').count() + 1;
    (line, column)
}

/// `"30s"`, `"2m"`, `"1h 30m"`, `"500ms"`: jiff's friendly format (ISO 8601 works too).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let signed: jiff::SignedDuration = text.parse().map_err(|_| {
        format!("{text:?} is not a duration; write it like \"30s\", \"2m\" or \"1h 30m\"")
    })?;
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
#[path = "config_tests.rs"]
mod tests;
