//! One check of one target. Each probe is bounded in time (the monitor's timeout covers the
//! whole exchange) and in memory (bodies are read up to a cap), opens a fresh connection every
//! time so a stale pooled connection can never cause a false alarm, and turns whatever happened
//! into a [`Sample`] whose reason a founder understands at 2 am.
//!
//! This file owns the public face ([`Prober`], [`tcp_reachable`]) and what the probes share:
//! turning a library error chain into a sentence ([`describe_error`]) and writing durations and
//! sizes the way a person would ("1.5 s", "1 MiB").

mod dns;
mod http;
mod tcp;
mod tls;

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Duration;

use jiff::Timestamp;

use crate::domain::local_fault::LocalFault;
use crate::domain::monitor::{Evidence, Monitor, Sample, Target};
use crate::error::Result;
use crate::text;

/// What a monitor needs to check its target, prepared once (HTTP client, TLS roots, resolver)
/// and used for every check.
pub struct Prober {
    timeout: Duration,
    kind: Kind,
}

// One per monitor, built once and never moved on a hot path: the size difference between
// variants costs nothing worth an allocation.
#[allow(clippy::large_enum_variant)]
enum Kind {
    Http(http::HttpProbe),
    Tcp(tcp::TcpProbe),
    Dns(dns::DnsProbe),
    Tls(tls::TlsProbe),
}

impl Prober {
    /// Prepares the check. Fails only on the user's setup (an unreadable CA file, say), never on
    /// the target's state.
    pub fn new(monitor: &Monitor) -> Result<Prober> {
        let kind = match &monitor.target {
            Target::Http(check) => Kind::Http(http::HttpProbe::new(&monitor.name, check)?),
            Target::Tcp(check) => Kind::Tcp(tcp::TcpProbe::new(check)),
            Target::Dns(check) => {
                Kind::Dns(dns::DnsProbe::new(&monitor.name, check, monitor.timeout)?)
            }
            Target::Tls(check) => Kind::Tls(tls::TlsProbe::new(&monitor.name, check)?),
        };
        Ok(Prober {
            timeout: monitor.timeout,
            kind,
        })
    }

    /// Checks the target once. Never fails: every failure is a sample with `ok: false`.
    /// `now` is when the check starts; the TLS probe counts certificate days from it.
    pub async fn check(&self, now: Timestamp) -> Sample {
        match &self.kind {
            Kind::Http(probe) => probe.check(now, self.timeout).await,
            Kind::Tcp(probe) => probe.check(now, self.timeout).await,
            Kind::Dns(probe) => probe.check(now, self.timeout).await,
            Kind::Tls(probe) => probe.check(now, self.timeout).await,
        }
    }
}

/// For the judge's witnesses: one TCP connect to `addr` (`host:port`) within `timeout`.
///
/// The name is resolved inside the timeout too, so a hanging resolver counts as unreachable.
pub async fn tcp_reachable(addr: &str, timeout: Duration) -> bool {
    matches!(
        tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await,
        Ok(Ok(_))
    )
}

/// The most of a reason a sample keeps, in bytes: a sentence, even when it quotes a server.
pub const REASON_MAX_BYTES: usize = 512;
/// The most of the body excerpt a sample keeps, in bytes (the excerpt is also cut to a few
/// hundred characters; this bounds it whatever the characters are).
pub const EXCERPT_MAX_BYTES: usize = 2 * 1024;
/// The most of one DNS record, or of the remote address, a sample keeps, in bytes.
pub const RECORD_MAX_BYTES: usize = 512;
/// How many DNS records a sample keeps; the rest are counted in a last entry.
pub const RECORDS_KEPT: usize = 32;

/// A sample with the fields every probe fills the same way.
///
/// Every string here may quote the outside world (a body, a record, a certificate's names, a
/// library's error), and every sample is stored: this is where each is bounded, once for all
/// probes. The text is kept as it came otherwise; escaping is for whoever shows it.
fn sample(
    ok: bool,
    at: Timestamp,
    latency: Duration,
    reason: String,
    mut evidence: Evidence,
) -> Sample {
    evidence.body_excerpt = evidence
        .body_excerpt
        .map(|e| text::bound(e, EXCERPT_MAX_BYTES));
    evidence.remote = evidence.remote.map(|r| text::bound(r, RECORD_MAX_BYTES));
    if evidence.records.len() > RECORDS_KEPT {
        let more = evidence.records.len() - (RECORDS_KEPT - 1);
        evidence.records.truncate(RECORDS_KEPT - 1);
        evidence
            .records
            .push(format!("{} and {more} more", text::CUT_MARKER));
    }
    for record in &mut evidence.records {
        *record = text::bound(std::mem::take(record), RECORD_MAX_BYTES);
    }
    Sample {
        ok,
        at,
        latency,
        reason: text::bound(reason, REASON_MAX_BYTES),
        evidence,
        local_fault: None,
    }
}

/// Why a check did not pass: something about the target, or a fault on this machine that
/// says nothing about it (see [`crate::domain::local_fault`]).
#[derive(Debug)]
enum Failure {
    Target(String),
    Local(LocalFault),
}

impl From<String> for Failure {
    fn from(reason: String) -> Self {
        Failure::Target(reason)
    }
}

impl Failure {
    /// The failure an error chain stands for: ours when it holds a local fault, else the
    /// target's, in words.
    fn of(err: &(dyn StdError + 'static), now: Timestamp) -> Failure {
        match LocalFault::in_chain(err) {
            Some(fault) => Failure::Local(fault),
            None => Failure::Target(describe_error(err, now)),
        }
    }
}

/// The sample of a check that did not pass.
fn failed(at: Timestamp, latency: Duration, failure: Failure, evidence: Evidence) -> Sample {
    match failure {
        Failure::Target(reason) => sample(false, at, latency, reason, evidence),
        Failure::Local(fault) => Sample {
            local_fault: Some(fault),
            ..sample(false, at, latency, fault.reason(), evidence)
        },
    }
}

/// A name lookup that found nothing. Raised by our own resolvers (HTTP, TCP, TLS) so the error
/// chain carries a type we can recognise instead of a library's message text.
#[derive(Debug)]
struct ResolveFailed {
    host: String,
    /// The resolver's own error when it had one (getaddrinfo's EAI_SYSTEM carries errno, so a
    /// lookup that failed for want of a file handle is recognised as a local fault).
    cause: Option<io::Error>,
}

impl fmt::Display for ResolveFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not resolve {}", self.host)
    }
}

impl StdError for ResolveFailed {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause.as_ref().map(|e| e as &(dyn StdError + 'static))
    }
}

/// Resolves `host:port` to addresses with the system resolver (getaddrinfo: honours
/// `/etc/hosts` and whatever network the laptop is on right now).
async fn resolve(host: &str, port: u16) -> Result<Vec<std::net::SocketAddr>, ResolveFailed> {
    // A bracketed IPv6 literal from a URL is not something getaddrinfo understands.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match tokio::net::lookup_host((bare, port)).await {
        Ok(addrs) => {
            let addrs: Vec<_> = addrs.collect();
            if addrs.is_empty() {
                Err(ResolveFailed {
                    host: host.into(),
                    cause: None,
                })
            } else {
                Ok(addrs)
            }
        }
        Err(e) => Err(ResolveFailed {
            host: host.into(),
            cause: Some(e),
        }),
    }
}

/// Turns an error and its causes into the sentence a user sees.
///
/// Libraries wrap the interesting error several layers deep (reqwest → hyper-util → io →
/// rustls), so we walk the whole chain and answer with the first cause we recognise. The walk
/// looks *inside* `io::Error`s with `get_ref`, because `io::Error::source` skips the error it
/// wraps and would hide a rustls error. Anything unrecognised falls back to the innermost
/// message, which is the most specific one.
fn describe_error(err: &(dyn StdError + 'static), now: Timestamp) -> String {
    let mut innermost = err;
    for e in chain(err) {
        innermost = e;
        if let Some(reason) = recognise(e, now) {
            return reason;
        }
    }
    innermost.to_string()
}

/// An error and its causes, outermost first, looking inside `io::Error`s.
fn chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |&e| cause(e))
}

fn cause<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a (dyn StdError + 'static)> {
    match e.downcast_ref::<io::Error>() {
        Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
        None => e.source(),
    }
}

/// The first error of type `T` in the chain.
fn find_in_chain<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    chain(err).find_map(|e| e.downcast_ref::<T>())
}

/// One link of an error chain, if we know how to say it.
fn recognise(e: &(dyn StdError + 'static), now: Timestamp) -> Option<String> {
    if let Some(e) = e.downcast_ref::<ResolveFailed>() {
        return Some(e.to_string());
    }
    if let Some(e) = e.downcast_ref::<http::TooManyRedirects>() {
        return Some(e.to_string());
    }
    if let Some(e) = e.downcast_ref::<rustls::Error>() {
        return Some(tls::describe_tls_error(e, now));
    }
    if let Some(e) = e.downcast_ref::<hyper::Error>() {
        if e.is_parse() {
            return Some("the server did not speak HTTP".into());
        }
        // Bytes arriving before the request was even sent (an SSH banner, say). hyper has no
        // predicate for this kind, so its fixed message is the only handle on it.
        if e.to_string() == "received unexpected message from connection" {
            return Some("the server did not speak HTTP".into());
        }
        if e.is_incomplete_message() {
            return Some("the server closed the connection without a complete answer".into());
        }
        // Other hyper errors usually wrap an io error: keep walking.
        return None;
    }
    if let Some(e) = e.downcast_ref::<io::Error>() {
        // Kinds like "other" or "invalid data" say nothing: the caller then looks inside (a
        // rustls error travels as an InvalidData io error).
        return describe_io_kind(e.kind());
    }
    None
}

/// The io error kinds a network check meets, in words. `None` for kinds that say nothing useful
/// ("other", "invalid data"), so the caller looks further down the chain.
fn describe_io_kind(kind: io::ErrorKind) -> Option<String> {
    use io::ErrorKind::*;
    let text = match kind {
        ConnectionRefused => "connection refused",
        ConnectionReset => "connection reset",
        ConnectionAborted => "connection aborted",
        TimedOut => "the connection timed out",
        HostUnreachable => "no route to host",
        NetworkUnreachable => "the network is unreachable",
        NetworkDown => "the network is down",
        AddrNotAvailable => "the address is not available on this machine",
        BrokenPipe => "the server closed the connection",
        UnexpectedEof => "the server closed the connection unexpectedly",
        _ => return None,
    };
    Some(text.into())
}

/// A duration in the short words used everywhere ("500 ms", "1.5 s", "10 s").
pub(crate) fn human_duration(d: Duration) -> String {
    crate::domain::words::duration(d, crate::domain::words::Style::Short)
}

/// A byte count as a person would say it: "512 bytes", "64 KiB", "1 MiB", "1.5 MiB".
pub(crate) fn human_size(bytes: usize) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let tenths = (value * 10.0).round() as u64;
    if tenths.is_multiple_of(10) {
        format!("{} {}", tenths / 10, UNITS[unit])
    } else {
        format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
    }
}

/// "in 1 day", "in 3 days": the plural a person expects.
fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_person_wrote_them() {
        assert_eq!(human_size(1 << 20), "1 MiB");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(500), "500 bytes");
        assert_eq!(human_size(3 << 30), "3 GiB");
    }

    #[test]
    fn whatever_a_server_sends_a_sample_keeps_a_bounded_amount() {
        let evidence = Evidence {
            body_excerpt: Some("b".repeat(1 << 20)),
            remote: Some("r".repeat(10_000)),
            records: vec!["t".repeat(70_000); 1000],
            ..Evidence::default()
        };
        let huge = "é".repeat(100_000);
        let s = sample(false, Timestamp::now(), Duration::ZERO, huge, evidence);
        assert!(s.reason.len() <= REASON_MAX_BYTES);
        assert!(s.reason.ends_with(crate::text::CUT_MARKER));
        assert!(s.evidence.body_excerpt.unwrap().len() <= EXCERPT_MAX_BYTES);
        assert!(s.evidence.remote.unwrap().len() <= RECORD_MAX_BYTES);
        assert_eq!(s.evidence.records.len(), RECORDS_KEPT);
        assert!(
            s.evidence
                .records
                .iter()
                .all(|r| r.len() <= RECORD_MAX_BYTES)
        );
        assert_eq!(s.evidence.records.last().unwrap(), "… and 969 more");
    }

    #[test]
    fn an_io_error_wrapping_another_error_is_looked_into() {
        let inner = io::Error::other(ResolveFailed {
            host: "x".into(),
            cause: None,
        });
        let outer = io::Error::other(inner);
        assert_eq!(
            describe_error(&outer, Timestamp::now()),
            "could not resolve x"
        );
    }
}
