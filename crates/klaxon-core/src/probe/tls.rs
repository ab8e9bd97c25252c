//! The TLS probe and everything certificate-shaped the probes share.
//!
//! The probe connects to `host:port`, does a full handshake with rustls (webpki roots plus the
//! monitor's optional `ca_file`), so the chain and the host name are verified exactly as a
//! browser would, then reads the leaf's expiry with x509-parser and compares it with `now`.
//! A certificate that is valid today but expires within `min_days` fails: that is the alarm
//! that saves a founder from the Sunday-morning "your certificate has expired" page.
//!
//! It also owns loading a PEM `ca_file` and turning rustls errors into sentences, which the
//! HTTP probe reuses, so an HTTPS monitor and a TLS monitor describe the same certificate the
//! same way.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;

use super::{Failure, days, failed, find_in_chain, human_duration, resolve, sample};
use crate::domain::monitor::{Evidence, Sample, TlsCheck};
use crate::error::{Error, Result};

const SECONDS_PER_DAY: i64 = 86_400;

pub(crate) struct TlsProbe {
    host: String,
    port: u16,
    server_name: ServerName<'static>,
    connector: TlsConnector,
    min_days: u32,
}

impl TlsProbe {
    pub(crate) fn new(monitor: &str, check: &TlsCheck) -> Result<TlsProbe> {
        let setup = |reason: String| Error::ProbeSetup {
            monitor: monitor.into(),
            reason,
        };
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = &check.ca_file {
            for cert in load_ca_file(monitor, path)? {
                // load_ca_file has already checked that every certificate is a usable anchor.
                roots
                    .add(cert)
                    .map_err(|e| setup(format!("cannot use the CA certificate: {e}")))?;
            }
        }
        // The provider is named explicitly rather than taken from a process default, so the
        // probe works whichever other crates happen to enable another rustls backend.
        let config =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| setup(format!("cannot set up TLS: {e}")))?
                .with_root_certificates(roots)
                .with_no_client_auth();
        let bare = check.host.trim_start_matches('[').trim_end_matches(']');
        let server_name = ServerName::try_from(bare.to_string())
            .map_err(|_| setup(format!("{:?} is not a valid host name", check.host)))?;
        Ok(TlsProbe {
            host: check.host.clone(),
            port: check.port,
            server_name,
            connector: TlsConnector::from(Arc::new(config)),
            min_days: check.min_days,
        })
    }

    pub(crate) async fn check(&self, now: Timestamp, timeout: Duration) -> Sample {
        let start = Instant::now();
        let mut evidence = Evidence::default();
        let outcome = tokio::time::timeout(timeout, self.handshake(now, &mut evidence)).await;
        let latency = start.elapsed();
        let result = match outcome {
            Ok(result) => result,
            Err(_) => Err(format!("timed out after {}", human_duration(timeout)).into()),
        };
        let not_after = match result {
            Ok(not_after) => not_after,
            Err(failure) => return failed(now, latency, failure, evidence),
        };
        evidence.cert_expires = Some(not_after);
        let left = days_between(now, not_after);
        if left < 0 {
            // rustls checks against the system clock and `now` may differ a little from it.
            return sample(false, now, latency, expired(not_after, now), evidence);
        }
        if left < i64::from(self.min_days) {
            return sample(false, now, latency, expires_in(left), evidence);
        }
        let reason = match left {
            1 => "certificate valid for 1 more day".to_string(),
            n => format!("certificate valid for {n} more days"),
        };
        sample(true, now, latency, reason, evidence)
    }

    /// Connects and shakes hands; returns the leaf certificate's expiry.
    async fn handshake(
        &self,
        now: Timestamp,
        evidence: &mut Evidence,
    ) -> Result<Timestamp, Failure> {
        let addrs = resolve(&self.host, self.port)
            .await
            .map_err(|e| Failure::of(&e, now))?;
        let mut last = None;
        let mut tcp = None;
        for addr in addrs {
            evidence.remote = Some(addr.to_string());
            match TcpStream::connect(addr).await {
                Ok(stream) => {
                    tcp = Some(stream);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let tcp = match (tcp, last) {
            (Some(tcp), _) => tcp,
            (None, Some(e)) => return Err(Failure::of(&e, now)),
            (None, None) => return Err(format!("could not resolve {}", self.host).into()),
        };
        let tls = match self.connector.connect(self.server_name.clone(), tcp).await {
            Ok(tls) => tls,
            Err(e) => {
                evidence.cert_expires = expiry_in_error(&e);
                return Err(Failure::of(&e, now));
            }
        };
        let (_, connection) = tls.get_ref();
        connection
            .peer_certificates()
            .and_then(|chain| chain.first())
            .and_then(|leaf| not_after(leaf))
            .ok_or_else(|| "could not read the server's certificate".to_string().into())
    }
}

/// Reads a PEM file of one or more root certificates, checking that each is usable as a trust
/// anchor, so a bad file is reported when the config loads, not at the first check.
pub(crate) fn load_ca_file(monitor: &str, path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let fail = |reason: String| Error::CaFile {
        monitor: monitor.into(),
        path: path.into(),
        reason,
    };
    let data = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let certs = rustls_pemfile::certs(&mut data.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(format!("it is not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(fail(
            "it contains no PEM certificate (a \"-----BEGIN CERTIFICATE-----\" block)".into(),
        ));
    }
    let mut check = RootCertStore::empty();
    for cert in &certs {
        check
            .add(cert.clone())
            .map_err(|e| fail(format!("it holds a certificate that cannot be used: {e}")))?;
    }
    Ok(certs)
}

/// When a certificate ends, read from its DER encoding.
pub(crate) fn not_after(der: &[u8]) -> Option<Timestamp> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Timestamp::from_second(cert.validity().not_after.timestamp()).ok()
}

/// The expiry a rustls "certificate expired" error carries, anywhere in an error chain.
pub(crate) fn expiry_in_error(err: &(dyn std::error::Error + 'static)) -> Option<Timestamp> {
    match find_in_chain::<rustls::Error>(err)? {
        rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
            not_after, ..
        }) => unix_to_timestamp(*not_after),
        _ => None,
    }
}

/// A rustls error as the sentence a user sees.
pub(crate) fn describe_tls_error(err: &rustls::Error, now: Timestamp) -> String {
    use rustls::Error as E;
    match err {
        E::InvalidCertificate(cert) => describe_certificate_error(cert, now),
        // A TLS client reading anything but TLS records (an HTTP error page, an SSH banner)
        // sees a malformed message first.
        E::InvalidMessage(_) => "the server did not speak TLS".into(),
        E::AlertReceived(alert) => format!("the server refused the TLS handshake ({alert:?})"),
        E::NoCertificatesPresented => "the server presented no certificate".into(),
        other => format!("TLS handshake failed: {other}"),
    }
}

fn describe_certificate_error(err: &CertificateError, now: Timestamp) -> String {
    use CertificateError as C;
    match err {
        C::ExpiredContext { not_after, .. } => match unix_to_timestamp(*not_after) {
            Some(not_after) if not_after <= now => expired(not_after, now),
            _ => "certificate expired".into(),
        },
        C::Expired => "certificate expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "certificate is not valid yet (or this machine's clock is wrong)".into()
        }
        C::NotValidForNameContext {
            expected,
            presented,
        } => {
            let names: Vec<String> = presented.iter().map(|n| presented_name(n)).collect();
            if names.is_empty() {
                format!(
                    "certificate is not valid: it names no host, not {}",
                    expected.to_str()
                )
            } else {
                format!(
                    "certificate is not valid: it is for {}, not {}",
                    names.join(", "),
                    expected.to_str()
                )
            }
        }
        C::NotValidForName => "certificate is not valid: it is for another host name".into(),
        C::UnknownIssuer => "certificate is not valid: it is not signed by a trusted authority \
                             (self-signed, or from a private CA)"
            .into(),
        C::BadSignature => "certificate is not valid: its signature is wrong".into(),
        C::Revoked => "certificate is not valid: it was revoked".into(),
        C::BadEncoding => "certificate is not valid: it is malformed".into(),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "certificate is not valid: it is not meant for servers".into()
        }
        other => format!("certificate is not valid: {other}"),
    }
}

/// webpki reports names as `DnsName("example.com")` or `IpAddress(127.0.0.1)`; a user wants
/// only what is inside.
fn presented_name(name: &str) -> String {
    for prefix in ["DnsName(", "IpAddress(", "UniformResourceIdentifier("] {
        if let Some(inner) = name.strip_prefix(prefix).and_then(|n| n.strip_suffix(')')) {
            return inner.trim_matches('"').to_string();
        }
    }
    name.to_string()
}

fn unix_to_timestamp(t: UnixTime) -> Option<Timestamp> {
    Timestamp::from_second(i64::try_from(t.as_secs()).ok()?).ok()
}

/// Whole days from `from` to `to`, rounded down (negative when `to` is in the past).
fn days_between(from: Timestamp, to: Timestamp) -> i64 {
    (to.as_second() - from.as_second()).div_euclid(SECONDS_PER_DAY)
}

fn expired(not_after: Timestamp, now: Timestamp) -> String {
    match days_between(not_after, now) {
        0 => "certificate expired less than a day ago".into(),
        n => format!("certificate expired {} ago", days(n)),
    }
}

fn expires_in(left: i64) -> String {
    match left {
        0 => "certificate expires in less than a day".into(),
        n => format!("certificate expires in {}", days(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webpki_name_wrappers_are_removed() {
        assert_eq!(
            presented_name("DnsName(\"other.example\")"),
            "other.example"
        );
        assert_eq!(presented_name("IpAddress(10.0.0.1)"), "10.0.0.1");
    }

    #[test]
    fn days_round_down_both_ways() {
        let now = Timestamp::from_second(1_000_000_000).unwrap();
        let later = Timestamp::from_second(1_000_000_000 + 3 * 86_400 + 100).unwrap();
        let earlier = Timestamp::from_second(1_000_000_000 - 3 * 86_400 - 100).unwrap();
        assert_eq!(days_between(now, later), 3);
        assert_eq!(expired(earlier, now), "certificate expired 3 days ago");
        assert_eq!(expires_in(1), "certificate expires in 1 day");
    }
}
