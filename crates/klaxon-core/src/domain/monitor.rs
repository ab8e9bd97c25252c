//! The domain's small value types: what a monitor checks ([`Monitor`], [`Target`]), what one
//! check found ([`Sample`]), and what the judge concluded ([`Verdict`]).
//!
//! They are plain data on purpose: the config builds them, the probes read them, the store
//! writes them, and none of them carries behaviour that depends on time or I/O.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::domain::states::MonitorState;

/// The longest monitor name, in bytes: a name is shown on every line of `status` and in the
/// tray menu, so it is a label, not a paragraph.
pub const NAME_MAX_BYTES: usize = 100;

/// How a password in a URL is shown: never the password itself.
pub const HIDDEN_PASSWORD: &str = "•••";

/// One thing Klaxon watches, with how often and how patiently.
#[derive(Debug, Clone, PartialEq)]
pub struct Monitor {
    /// At most [`NAME_MAX_BYTES`]; may hold any character, so it is shown through
    /// [`crate::text::printable`].
    pub name: String,
    pub target: Target,
    pub every: Duration,
    /// Bounds the whole check: DNS, connect, TLS, request and body.
    pub timeout: Duration,
}

/// What a monitor checks. One variant per probe.
// Monitors are few and long-lived, so the HTTP variant's size costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Http(HttpCheck),
    Tcp(TcpCheck),
    Dns(DnsCheck),
    Tls(TlsCheck),
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpCheck {
    pub url: Url,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub expect: HttpExpect,
    pub max_redirects: usize,
    pub max_body_bytes: usize,
    /// Off only when the user says so for this monitor; `status` shows it.
    pub verify_tls: bool,
    /// Extra root certificate (PEM) for services behind a private CA.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpExpect {
    pub status: StatusRange,
    pub body_contains: Option<String>,
    pub body_not_contains: Option<String>,
    /// A JSON pointer (`/status`) or dotted path (`status.db`) and the value it must equal.
    pub json: Option<(String, serde_json::Value)>,
    pub max_latency: Option<Duration>,
}

/// An inclusive range of acceptable HTTP status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRange {
    pub low: u16,
    pub high: u16,
}

impl StatusRange {
    /// Anything that is not an error: 2xx and 3xx.
    pub const SUCCESS: StatusRange = StatusRange {
        low: 200,
        high: 399,
    };

    pub fn contains(&self, code: u16) -> bool {
        (self.low..=self.high).contains(&code)
    }
}

impl std::fmt::Display for StatusRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.low == self.high {
            write!(f, "{}", self.low)
        } else {
            write!(f, "{}-{}", self.low, self.high)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TcpCheck {
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DnsCheck {
    pub name: String,
    pub record: RecordKind,
    /// When set, the answer must contain every one of these (as text: `127.0.0.1`, `mail.example.com.`).
    pub expect: Vec<String>,
    /// Ask this resolver instead of the system's.
    pub resolver: Option<SocketAddr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordKind {
    A,
    Aaaa,
    Cname,
    Mx,
    Txt,
    Ns,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TlsCheck {
    pub host: String,
    pub port: u16,
    /// The certificate must stay valid for at least this many days.
    pub min_days: u32,
    pub ca_file: Option<PathBuf>,
}

impl Target {
    /// The host this target talks to, for deciding whether a failure can be the network's fault.
    pub fn host(&self) -> Option<&str> {
        match self {
            Target::Http(h) => h.url.host_str(),
            Target::Tcp(t) => Some(&t.host),
            Target::Dns(d) => match d.resolver {
                Some(_) => None,
                None => Some(&d.name),
            },
            Target::Tls(t) => Some(&t.host),
        }
    }

    /// True when the target lives on this machine, so its failure is never the network's.
    ///
    /// Decided from the written host alone (no lookup): an IP in 127.0.0.0/8 or ::1, `localhost`
    /// or a name under `.localhost`. A DNS check through a loopback resolver counts as local.
    pub fn is_local(&self) -> bool {
        if let Target::Dns(DnsCheck {
            resolver: Some(addr),
            ..
        }) = self
        {
            return addr.ip().is_loopback();
        }
        self.host().is_some_and(host_is_loopback)
    }

    /// A short human description: the URL, `host:port`, `dns example.com A`, `tls host:443`.
    /// A password in the URL is hidden ([`shown_url`]): this is what `status`, `config check`
    /// and the database get.
    pub fn describe(&self) -> String {
        match self {
            Target::Http(h) => shown_url(&h.url),
            Target::Tcp(t) => format!("tcp {}:{}", t.host, t.port),
            Target::Dns(d) => format!("dns {} {:?}", d.name, d.record).to_uppercase(),
            Target::Tls(t) => format!("tls {}:{}", t.host, t.port),
        }
    }

    /// Whether the user switched certificate verification off for this monitor.
    pub fn tls_verification_off(&self) -> bool {
        matches!(self, Target::Http(h) if !h.verify_tls)
    }
}

/// The URL as it may be shown or stored: a password in it is replaced by
/// [`HIDDEN_PASSWORD`] (`https://admin:•••@host/`), unless it is a `{secret:NAME}` reference,
/// which names the secret and not its value. The probe uses the real URL.
pub fn shown_url(url: &Url) -> String {
    match secret_reference(url) {
        Some(reference) => with_written_password(url, &reference),
        None if url.password().is_some() => with_written_password(url, HIDDEN_PASSWORD),
        None => url.to_string(),
    }
}

/// Whether the URL holds a password written out, rather than a `{secret:NAME}` reference.
pub fn has_clear_password(url: &Url) -> bool {
    url.password().is_some() && secret_reference(url).is_none()
}

/// The URL's password when it is a `{secret:NAME}` reference.
fn secret_reference(url: &Url) -> Option<String> {
    let password = percent_encoding::percent_decode_str(url.password()?)
        .decode_utf8()
        .ok()?;
    crate::secrets::is_reference(&password).then(|| password.into_owned())
}

/// `url` as a person would write it with `password` (not percent-encoded) in place of its
/// password: for showing, and for suggesting a `{secret:NAME}` instead.
pub fn with_written_password(url: &Url, password: &str) -> String {
    let mut bare = url.clone();
    // Both only fail for URLs that cannot have a user, and these have one.
    let _ = bare.set_password(None);
    let _ = bare.set_username("");
    let text = bare.to_string();
    match text.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}:{password}@{rest}", url.username()),
        None => text,
    }
}

/// Loopback by its written form: `127.x.x.x`, `::1`, `[::1]`, `localhost`, `*.localhost`.
pub fn host_is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return ip.is_loopback();
    }
    let lower = bare.trim_end_matches('.').to_ascii_lowercase();
    lower == "localhost" || lower.ends_with(".localhost")
}

/// The result of one check of one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub ok: bool,
    /// When the check started.
    pub at: Timestamp,
    pub latency: Duration,
    /// A sentence a founder understands at 2 am: "connection refused", "HTTP 502 Bad Gateway".
    pub reason: String,
    pub evidence: Evidence,
    /// Set when the check could not be made because this machine ran out of something (open
    /// files, memory, local ports): the sample says nothing about the target, `ok` is false
    /// only because no answer was seen, and the judge does not count it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_fault: Option<crate::domain::local_fault::LocalFault>,
}

/// What the check saw, kept with the sample and the incident.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export, export_to = "../../../ui/src/lib/types/")]
#[ts(optional_fields)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// At most a few hundred characters of the body, lossily decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_excerpt: Option<String>,
    /// The address actually connected to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(as = "Option<String>")]
    pub cert_expires: Option<Timestamp>,
    /// Records a DNS check received.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    #[ts(as = "Option<Vec<String>>")]
    pub records: Vec<String>,
    /// An outside alert's labels (or a source's fields), name and value.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    #[ts(as = "Option<Vec<[String; 2]>>")]
    pub labels: Vec<(String, String)>,
}

/// What the judge concluded about a monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Up,
    Down,
    /// This machine seems to have no network: nothing can be judged.
    Offline,
    Unknown,
}

impl Verdict {
    /// The monitor's state while this verdict stands (and monitoring is not paused).
    pub fn state(self) -> MonitorState {
        match self {
            Verdict::Up => MonitorState::Up,
            Verdict::Down => MonitorState::Down,
            Verdict::Offline => MonitorState::Offline,
            Verdict::Unknown => MonitorState::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised_by_their_written_form() {
        for host in [
            "127.0.0.1",
            "127.3.2.1",
            "::1",
            "[::1]",
            "localhost",
            "api.localhost.",
        ] {
            assert!(host_is_loopback(host), "{host} should be loopback");
        }
        for host in ["10.231.0.2", "example.com", "localhost.example.com", "::2"] {
            assert!(!host_is_loopback(host), "{host} should not be loopback");
        }
    }

    #[test]
    fn a_password_in_a_url_is_never_shown() {
        let url = Url::parse("https://admin:hunter2@example.com:8443/health?x=1").unwrap();
        assert_eq!(
            shown_url(&url),
            "https://admin:•••@example.com:8443/health?x=1"
        );
        let url = Url::parse("https://:p%40ss@example.com/").unwrap();
        assert_eq!(shown_url(&url), "https://:•••@example.com/");
        let url = Url::parse("https://admin@example.com/").unwrap();
        assert_eq!(shown_url(&url), "https://admin@example.com/");
    }

    #[test]
    fn a_secret_reference_in_a_url_is_shown_as_written() {
        let url = Url::parse("https://admin:{secret:api-pass}@example.com/").unwrap();
        assert_eq!(
            shown_url(&url),
            "https://admin:{secret:api-pass}@example.com/"
        );
    }

    #[test]
    fn default_status_range_accepts_redirects_but_not_errors() {
        assert!(StatusRange::SUCCESS.contains(200));
        assert!(StatusRange::SUCCESS.contains(302));
        assert!(!StatusRange::SUCCESS.contains(404));
        assert!(!StatusRange::SUCCESS.contains(502));
    }
}
