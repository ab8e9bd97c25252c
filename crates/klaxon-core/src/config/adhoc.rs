//! A monitor from a single word on the command line (`klaxon check TARGET`): a URL,
//! `host:port`, `tcp://host:port`, `tls://host:port` or `dns://name`, with the same defaults
//! a config file would give it.

use std::time::Duration;

use crate::config::{DEFAULT_EVERY, DEFAULT_MIN_CERT_DAYS, split_host_port};
use crate::domain::monitor::{
    DnsCheck, HttpCheck, Monitor, RecordKind, Target, TcpCheck, TlsCheck,
};

pub fn monitor_for(target: &str, timeout: Duration) -> Result<Monitor, String> {
    let target = target.trim();
    let parsed = if let Some(rest) = target.strip_prefix("tcp://") {
        let (host, port) = split_host_port(rest)?;
        Target::Tcp(TcpCheck { host, port })
    } else if let Some(rest) = target.strip_prefix("tls://") {
        let (host, port) = split_host_port(rest)?;
        Target::Tls(TlsCheck {
            host,
            port,
            min_days: DEFAULT_MIN_CERT_DAYS,
            ca_file: None,
        })
    } else if let Some(name) = target.strip_prefix("dns://") {
        Target::Dns(DnsCheck {
            name: name.trim_end_matches('/').to_string(),
            record: RecordKind::A,
            expect: vec![],
            resolver: None,
        })
    } else if target.starts_with("http://") || target.starts_with("https://") {
        let url =
            url::Url::parse(target).map_err(|e| format!("{target:?} is not a valid URL: {e}"))?;
        Target::Http(HttpCheck::with_defaults(url))
    } else {
        let (host, port) = split_host_port(target).map_err(|_| {
            format!("{target:?} is not something to check: give a URL, host:port, tls://host:port, dns://name or a monitor's name")
        })?;
        Target::Tcp(TcpCheck { host, port })
    };
    Ok(Monitor {
        name: target.to_string(),
        target: parsed,
        every: DEFAULT_EVERY,
        timeout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_target_is_recognised() {
        let t = |s: &str| monitor_for(s, Duration::from_secs(1)).map(|m| m.target);
        assert!(matches!(
            t("https://127.0.0.1:8443/health"),
            Ok(Target::Http(_))
        ));
        assert!(matches!(
            t("127.0.0.1:5432"),
            Ok(Target::Tcp(TcpCheck { port: 5432, .. }))
        ));
        assert!(matches!(t("tcp://[::1]:22"), Ok(Target::Tcp(_))));
        assert!(matches!(t("tls://localhost:443"), Ok(Target::Tls(_))));
        assert!(matches!(t("dns://example.com"), Ok(Target::Dns(_))));
        assert!(
            t("just words")
                .unwrap_err()
                .contains("not something to check")
        );
    }
}
