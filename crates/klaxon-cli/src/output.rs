//! Human-readable output: what a founder reads in a terminal at 2 am. Times are shown in the
//! system's time zone; the `--json` formats carry RFC 3339 instead.

use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use klaxon_core::status::{Event, IncidentView, PausedUntil, Status};

pub fn status(status: &Status, now: Timestamp) {
    if !status.live {
        println!("No Klaxon is running: nothing is being watched. Last known state:");
    }
    if status.blind {
        println!("! Klaxon cannot see anything: this machine seems offline (no witness answers).");
    }
    match &status.paused_until {
        Some(PausedUntil::Resumed) => println!("Monitoring is paused until `klaxon resume`."),
        Some(PausedUntil::Time(t)) => println!("Monitoring is paused until {}.", local(*t)),
        None => {}
    }
    if let Some(problem) = status.sound.as_ref().and_then(|s| s.problem.as_ref()) {
        println!("! {problem}");
    }
    if let Some(problem) = status.sound.as_ref().and_then(|s| s.file_problem.as_ref()) {
        println!("! {problem}");
    }
    if let Some(fault) = &status.local_fault {
        println!("! {fault}");
    }
    if let Some(e) = &status.config_error {
        println!("! The config file has errors; the last good config keeps running:\n{e}");
    }
    if status.monitors.is_empty() {
        println!(
            "No monitors. Add a [[monitor]] to your klaxon.toml (`klaxon config path` shows where)."
        );
    }
    let width = status
        .monitors
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(0);
    for m in &status.monitors {
        let latency = m.latency_ms.map(|l| format!("{l} ms")).unwrap_or_default();
        let checked = m
            .last_checked
            .map(|t| format!("checked {} ago", ago(t, now)))
            .unwrap_or_else(|| "not checked yet".into());
        let tls = if m.tls_verification_off {
            "  [TLS verification off]"
        } else {
            ""
        };
        println!(
            "  {:<width$}  {:<8} {:>8}  {}  ({}){tls}",
            m.name,
            m.state,
            latency,
            m.reason.as_deref().unwrap_or(""),
            checked
        );
    }
    if let Some(state) = &status.keep_awake {
        println!("Keep-awake: {state}.");
    }
    if !status.incidents.is_empty() {
        println!("Open incidents:");
        for i in &status.incidents {
            println!(
                "  #{} {} — {} since {} ({}): {}",
                i.id,
                i.monitor,
                i.state,
                local(i.opened_at),
                ago(i.opened_at, now),
                i.reason
            );
        }
        if status.incidents.iter().any(|i| i.state == "ringing") {
            println!(
                "Ringing. `klaxon ack` stops it; `klaxon snooze 10` silences it for 10 minutes."
            );
        }
    }
}

pub fn history(incidents: &[IncidentView]) {
    if incidents.is_empty() {
        println!("No incidents yet.");
        return;
    }
    for i in incidents {
        let secs = |s: Option<u64>| {
            s.map(|s| duration(Duration::from_secs(s)))
                .unwrap_or_else(|| "—".into())
        };
        println!(
            "#{} {} — {} — opened {}, acknowledged after {}, recovered after {}: {}",
            i.id,
            i.monitor,
            i.state,
            local(i.opened_at),
            secs(i.time_to_acknowledge_s),
            secs(i.time_to_recover_s),
            i.reason
        );
    }
}

/// What `klaxon run` adds to the engine's own log: the terminal bell when an incident rings.
pub fn event(event: &Event) {
    if let Event::IncidentChanged { incident } = event
        && incident.state == "ringing"
    {
        eprint!("\x07");
    }
}

fn local(t: Timestamp) -> String {
    t.to_zoned(TimeZone::system())
        .strftime("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

fn ago(t: Timestamp, now: Timestamp) -> String {
    let d = Duration::try_from(now.duration_since(t)).unwrap_or_default();
    duration(d)
}

/// "45 s", "4 min", "3 h 5 min".
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        _ if s % 3600 / 60 == 0 => format!("{} h", s / 3600),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}
