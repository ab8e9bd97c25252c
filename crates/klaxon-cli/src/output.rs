//! Human-readable output: what a founder reads in a terminal at 2 am. Times are shown in the
//! system's time zone; the `--json` formats carry RFC 3339 instead. Every field that may come
//! from outside (a monitor's name, a reason, an engine's message) is shown through `printable`:
//! one field, one line, no escape sequence.

use std::time::Duration;

use anyhow::Result;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use klaxon_core::aftermath::uptime::MonitorUptime;
use klaxon_core::domain::states::{IncidentState, Overall};
use klaxon_core::domain::status::{Event, IncidentView, PausedUntil, Status};
use klaxon_core::domain::words::{self, Style};
use klaxon_core::text::{printable, printable_lines};

use crate::terminal::outln;

pub fn status(status: &Status, now: Timestamp) -> Result<()> {
    if !status.live {
        outln!("No Klaxon is running: nothing is being watched. Last known state:")?;
    }
    outln!("{}", printable(&status.headline(now)))?;
    if status.blind {
        outln!("! Klaxon cannot see anything: this machine seems offline (no witness answers).")?;
    }
    match &status.paused_until {
        Some(PausedUntil::Resumed) => outln!("Monitoring is paused until `klaxon resume`.")?,
        Some(PausedUntil::Time(t)) => outln!("Monitoring is paused until {}.", local(*t))?,
        None => {}
    }
    for m in &status.maintenance {
        let covers = match &m.monitors {
            None => "every monitor".to_string(),
            Some(names) => names
                .iter()
                .map(|n| printable(n).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
        };
        outln!(
            "In maintenance until {} ({covers}): nothing it covers rings.",
            local(m.until)
        )?;
    }
    if let Some(problem) = status.sound.as_ref().and_then(|s| s.problem.as_ref()) {
        outln!("! {}", printable(problem))?;
    }
    if let Some(problem) = status.sound.as_ref().and_then(|s| s.file_problem.as_ref()) {
        outln!("! {}", printable(problem))?;
    }
    if let Some(problem) = &status.store_problem {
        outln!("! {}", printable(problem))?;
    }
    if let Some(notice) = &status.store_notice {
        outln!("! {}", printable(notice))?;
    }
    if let Some(fault) = &status.local_fault {
        outln!("! {}", printable(fault))?;
    }
    for fault in &status.faults {
        outln!("! {}", printable(fault))?;
    }
    if let Some(e) = &status.config_error {
        outln!(
            "! The config file has errors; the last good config keeps running:\n{}",
            printable_lines(e)
        )?;
    }
    if status.monitors.is_empty() && status.sources.is_empty() {
        outln!(
            "No monitors. Add a [[monitor]] to your klaxon.toml (`klaxon config path` shows where)."
        )?;
    }
    let names: Vec<_> = status.monitors.iter().map(|m| printable(&m.name)).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (m, name) in status.monitors.iter().zip(&names) {
        let latency = m.latency_ms.map(|l| format!("{l} ms")).unwrap_or_default();
        let checked = m
            .last_checked
            .map(|t| format!("checked {} ago", ago(t, now)))
            .unwrap_or_else(|| "not checked yet".into());
        let mut tls = if m.tls_verification_off {
            "  [TLS verification off]".to_string()
        } else {
            String::new()
        };
        if let Some(until) = status.maintenance_until(&m.name) {
            tls.push_str(&format!("  [in maintenance until {}]", local(until)));
        }
        outln!(
            "  {name:<width$}  {:<8} {:>8}  {}  ({}){tls}",
            m.state.as_str(),
            latency,
            printable(m.reason.as_deref().unwrap_or("")),
            checked
        )?;
    }
    sources(status, now)?;
    if let Some(coverage) = &status.coverage {
        if coverage.covered {
            outln!("Covered: the alarm would reach you.")?;
        } else {
            outln!("Not covered:")?;
            for gap in &coverage.gaps {
                outln!("  ! {}", printable(&gap.problem))?;
            }
        }
    }
    if let Some(state) = &status.keep_awake {
        outln!("Keep-awake: {}.", printable(&state.to_string()))?;
    }
    if !status.incidents.is_empty() {
        outln!("Open incidents:")?;
        for i in &status.incidents {
            outln!(
                "  #{} {} — {} since {} ({}): {}",
                i.id,
                printable(&i.monitor),
                i.state,
                local(i.opened_at),
                ago(i.opened_at, now),
                printable(&i.reason)
            )?;
        }
        if status.overall() == Overall::Ringing {
            outln!(
                "Ringing. `klaxon ack` stops it; `klaxon snooze 10` silences it for 10 minutes."
            )?;
        }
    }
    Ok(())
}

pub fn history(incidents: &[IncidentView]) -> Result<()> {
    if incidents.is_empty() {
        return outln!("No incidents yet.");
    }
    for i in incidents {
        let secs = |s: Option<u64>| {
            s.map(|s| duration(Duration::from_secs(s)))
                .unwrap_or_else(|| "—".into())
        };
        outln!(
            "#{} {} — {} — opened {}, acknowledged after {}, recovered after {}: {}",
            i.id,
            printable(&i.monitor),
            i.state,
            local(i.opened_at),
            secs(i.time_to_acknowledge_s),
            secs(i.time_to_recover_s),
            printable(&i.reason)
        )?;
    }
    Ok(())
}

/// What `klaxon run` adds to the engine's own log: the terminal bell when an incident rings.
pub fn event(event: &Event) {
    if let Event::IncidentChanged { incident } = event
        && incident.state == IncidentState::Ringing
    {
        // The one control character Klaxon means to send; written raw, past the escaping.
        let _ = std::io::Write::write_all(&mut std::io::stderr(), b"\x07");
    }
}

fn local(t: Timestamp) -> String {
    t.to_zoned(TimeZone::system())
        .strftime("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

fn ago(t: Timestamp, now: Timestamp) -> String {
    words::elapsed(Duration::try_from(now.duration_since(t)).unwrap_or_default())
}

/// "45 s", "4 min", "3 h 5 min": the same words as everywhere.
pub fn duration(d: Duration) -> String {
    words::duration(d, Style::Short)
}

/// `  prod (alertmanager)  reachable  2 firing  (read 3 s ago)`.
fn sources(status: &Status, now: Timestamp) -> Result<()> {
    if status.sources.is_empty() {
        return Ok(());
    }
    outln!("Sources:")?;
    for s in &status.sources {
        let read = s
            .last_read
            .map(|t| format!("read {} ago", ago(t, now)))
            .unwrap_or_else(|| "not read yet".into());
        let said = match &s.reason {
            Some(reason) => printable(reason).into_owned(),
            None => format!("{} firing", s.firing),
        };
        outln!(
            "  {} ({})  {}  {said}  ({read})",
            printable(&s.name),
            s.kind,
            s.state
        )?;
    }
    Ok(())
}

/// Each monitor's uptime over 24 h, 7 d and 30 d, what the 30 days leave out, and its
/// certificate: "  API  24 h 99.95 %  7 d 100 %  30 d 99.90 %  (2 h unwatched not counted)".
pub fn uptime(figures: &[MonitorUptime], now: Timestamp) -> Result<()> {
    if figures.is_empty() {
        return Ok(());
    }
    outln!("Uptime (time nobody watched is left out):")?;
    let names: Vec<_> = figures.iter().map(|f| printable(&f.monitor)).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (f, name) in figures.iter().zip(&names) {
        let spans: Vec<String> = ["24 h", "7 d", "30 d"]
            .iter()
            .zip(&f.uptime)
            .map(|(label, u)| format!("{label} {}", u.percent_words()))
            .collect();
        let left_out = f
            .uptime
            .last()
            .and_then(|u| u.unwatched_words())
            .map(|w| format!("  (30 d: {w})"))
            .unwrap_or_default();
        outln!("  {name:<width$}  {}{left_out}", spans.join("  "))?;
        if let Some(cert) = &f.certificate {
            let when = cert
                .not_after
                .to_zoned(TimeZone::system())
                .strftime("%Y-%m-%d");
            let line = match Duration::try_from(cert.not_after.duration_since(now)) {
                Ok(left) => format!("certificate expires in {} ({when})", words::elapsed(left)),
                Err(_) => format!("certificate expired ({when})"),
            };
            outln!("  {:<width$}  {line}", "")?;
        }
    }
    Ok(())
}
