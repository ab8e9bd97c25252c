//! The DNS probe: ask for one record type of one name and check the answer holds what the user
//! expects. It owns the question and, when the monitor names a resolver, a hickory resolver
//! pointed at it.
//!
//! Nothing is cached (cache size 0): a probe that answered from its own cache would keep saying
//! "up" after the record changed or the server died. With the system's resolver the
//! configuration is read again at every check, because a laptop changes networks (and
//! `/etc/resolv.conf`) many times a day and a resolver built once would keep asking a
//! nameserver from the café of this morning.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::{Name, ResolveError, TokioResolver};
use jiff::Timestamp;
use tokio::time::Instant;

use super::{Failure, describe_io_kind, failed, human_duration, sample};
use crate::domain::local_fault::LocalFault;
use crate::domain::monitor::{DnsCheck, Evidence, RecordKind, Sample};
use crate::error::{Error, Result};

/// How many answers the reason line lists before "and N more".
const LISTED: usize = 4;

pub(crate) struct DnsProbe {
    /// As the user wrote it, for messages.
    name: String,
    query: Name,
    kind: RecordKind,
    expect: Vec<String>,
    server: Option<SocketAddr>,
    /// Built once when the monitor names its resolver: that address does not move.
    fixed: Option<TokioResolver>,
}

/// One answer: how it is shown, and the forms an expected value may match.
struct Answer {
    shown: String,
    keys: Vec<String>,
}

impl DnsProbe {
    pub(crate) fn new(monitor: &str, check: &DnsCheck, timeout: Duration) -> Result<DnsProbe> {
        let mut query = Name::from_utf8(&check.name).map_err(|e| Error::ProbeSetup {
            monitor: monitor.into(),
            reason: format!("{:?} is not a valid DNS name: {e}", check.name),
        })?;
        // Asked exactly as written: no search domains appended behind the user's back.
        query.set_fqdn(true);
        let fixed = check.resolver.map(|addr| {
            let servers = NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
            let config = ResolverConfig::from_parts(None, Vec::new(), servers);
            let mut builder =
                TokioResolver::builder_with_config(config, TokioConnectionProvider::default());
            tune(builder.options_mut(), timeout);
            builder.build()
        });
        Ok(DnsProbe {
            name: check.name.clone(),
            query,
            kind: check.record,
            expect: check.expect.clone(),
            server: check.resolver,
            fixed,
        })
    }

    pub(crate) async fn check(&self, now: Timestamp, timeout: Duration) -> Sample {
        let start = Instant::now();
        let outcome = tokio::time::timeout(timeout, self.lookup(timeout)).await;
        let latency = start.elapsed();
        let mut evidence = Evidence {
            remote: self.server.map(|a| a.to_string()),
            ..Evidence::default()
        };
        let answers = match outcome {
            Ok(Ok(answers)) => answers,
            Ok(Err(failure)) => return failed(now, latency, failure, evidence),
            Err(_) => {
                let reason = format!(
                    "the DNS server did not answer within {}",
                    human_duration(timeout)
                );
                return sample(false, now, latency, reason, evidence);
            }
        };
        evidence.records = answers.iter().map(|a| a.shown.clone()).collect();
        let kind = kind_name(self.kind);
        if answers.is_empty() {
            let reason = format!("no {kind} records for {}", self.name);
            return sample(false, now, latency, reason, evidence);
        }
        let missing: Vec<&str> = self
            .expect
            .iter()
            .filter(|want| {
                let want = normalise(want);
                !answers.iter().any(|a| a.keys.contains(&want))
            })
            .map(String::as_str)
            .collect();
        let got = listing(&evidence.records);
        if !missing.is_empty() {
            let reason = match self.kind {
                RecordKind::A | RecordKind::Aaaa | RecordKind::Cname => format!(
                    "{} did not resolve to {} (got {got})",
                    self.name,
                    missing.join(", ")
                ),
                _ => format!(
                    "the {kind} records of {} did not include {} (got {got})",
                    self.name,
                    missing.join(", ")
                ),
            };
            return sample(false, now, latency, reason, evidence);
        }
        let took = human_duration(latency);
        let reason = match self.kind {
            RecordKind::A | RecordKind::Aaaa | RecordKind::Cname => {
                format!("resolved to {got} in {took}")
            }
            _ => format!("found {kind} {got} in {took}"),
        };
        sample(true, now, latency, reason, evidence)
    }

    /// Asks the question; the error is already the sentence for the sample, or a fault on this
    /// machine.
    async fn lookup(&self, timeout: Duration) -> Result<Vec<Answer>, Failure> {
        let system;
        let resolver = match &self.fixed {
            Some(resolver) => resolver,
            None => {
                let mut builder =
                    TokioResolver::builder_tokio().map_err(|e| match self.describe(&e) {
                        Failure::Local(fault) => Failure::Local(fault),
                        Failure::Target(_) => {
                            format!("cannot read this machine's DNS settings: {e}").into()
                        }
                    })?;
                tune(builder.options_mut(), timeout);
                system = builder.build();
                &system
            }
        };
        let record_type = record_type(self.kind);
        match resolver.lookup(self.query.clone(), record_type).await {
            // The answer may also carry the CNAME chain that led to it: keep only what was
            // asked for.
            Ok(lookup) => Ok(lookup
                .iter()
                .filter(|rdata| rdata.record_type() == record_type)
                .map(answer)
                .collect()),
            Err(e) => Err(self.describe(&e)),
        }
    }

    fn describe(&self, err: &ResolveError) -> Failure {
        let name = &self.name;
        let Some(proto) = err.proto() else {
            return format!("DNS lookup failed: {err}").into();
        };
        if let ProtoErrorKind::Io(io) = proto.kind()
            && let Some(fault) = LocalFault::of(io)
        {
            return Failure::Local(fault);
        }
        let reason = match proto.kind() {
            ProtoErrorKind::NoRecordsFound { response_code, .. } => match response_code {
                ResponseCode::NoError => format!("no {} records for {name}", kind_name(self.kind)),
                ResponseCode::NXDomain => format!("{name} does not exist (NXDOMAIN)"),
                ResponseCode::ServFail => {
                    format!("the DNS server failed to look up {name} (SERVFAIL)")
                }
                ResponseCode::Refused => format!("the DNS server refused to look up {name}"),
                other => format!("the DNS server answered \"{other}\" for {name}"),
            },
            ProtoErrorKind::Timeout | ProtoErrorKind::NoConnections | ProtoErrorKind::Busy => {
                "the DNS server did not answer".into()
            }
            ProtoErrorKind::Io(io) => match describe_io_kind(io.kind()) {
                Some(reason) => format!("the DNS server could not be reached: {reason}"),
                None => format!("the DNS server could not be reached: {io}"),
            },
            _ => format!("DNS lookup failed: {proto}"),
        };
        Failure::Target(reason)
    }
}

/// No cache, and a per-try timeout that leaves room for one retry (a lost UDP packet should not
/// ring a siren) inside the monitor's timeout.
fn tune(options: &mut ResolverOpts, timeout: Duration) {
    options.cache_size = 0;
    options.timeout = (timeout / 2).max(Duration::from_millis(200));
    options.attempts = 2;
}

fn record_type(kind: RecordKind) -> RecordType {
    match kind {
        RecordKind::A => RecordType::A,
        RecordKind::Aaaa => RecordType::AAAA,
        RecordKind::Cname => RecordType::CNAME,
        RecordKind::Mx => RecordType::MX,
        RecordKind::Txt => RecordType::TXT,
        RecordKind::Ns => RecordType::NS,
    }
}

fn kind_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::A => "A",
        RecordKind::Aaaa => "AAAA",
        RecordKind::Cname => "CNAME",
        RecordKind::Mx => "MX",
        RecordKind::Txt => "TXT",
        RecordKind::Ns => "NS",
    }
}

fn answer(rdata: &RData) -> Answer {
    match rdata {
        // An MX matches by its host alone ("mail.example.com") or with its preference
        // ("10 mail.example.com"), whichever the user wrote.
        RData::MX(mx) => {
            let shown = format!("{} {}", mx.preference(), mx.exchange());
            Answer {
                keys: vec![normalise(&mx.exchange().to_string()), normalise(&shown)],
                shown,
            }
        }
        RData::TXT(txt) => {
            let shown: String = txt
                .txt_data()
                .iter()
                .map(|part| String::from_utf8_lossy(part))
                .collect();
            Answer {
                keys: vec![normalise(&shown)],
                shown,
            }
        }
        other => {
            let shown = other.to_string();
            Answer {
                keys: vec![normalise(&shown)],
                shown,
            }
        }
    }
}

/// Compared case-insensitively, without a trailing dot, and addresses in their canonical form
/// (`::1` and `0:0:0:0:0:0:0:1` are the same answer).
fn normalise(value: &str) -> String {
    let value = value.trim();
    if let Ok(ip) = value.parse::<IpAddr>() {
        return ip.to_string();
    }
    value.trim_end_matches('.').to_lowercase()
}

fn listing(records: &[String]) -> String {
    let mut text = records
        .iter()
        .take(LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if records.len() > LISTED {
        text.push_str(&format!(" and {} more", records.len() - LISTED));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_values_match_regardless_of_case_dot_and_address_spelling() {
        assert_eq!(
            normalise("Mail.Example.COM."),
            normalise("mail.example.com")
        );
        assert_eq!(normalise("0:0:0:0:0:0:0:1"), normalise("::1"));
    }

    #[test]
    fn long_answers_are_summarised() {
        let records: Vec<String> = (1..=6).map(|i| format!("10.0.0.{i}")).collect();
        assert_eq!(
            listing(&records),
            "10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4 and 2 more"
        );
    }
}
