//! The TCP probe: can we open a connection to `host:port`? It owns nothing but the target; a
//! check resolves the name afresh (the laptop may have changed networks since the last one),
//! tries each address in turn and closes the connection at once. Nothing is sent.

use std::net::SocketAddr;
use std::time::Duration;

use jiff::Timestamp;
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{describe_io_kind, human_duration, resolve, sample};
use crate::monitor::{Evidence, Sample, TcpCheck};

pub(crate) struct TcpProbe {
    host: String,
    port: u16,
}

impl TcpProbe {
    pub(crate) fn new(check: &TcpCheck) -> TcpProbe {
        TcpProbe {
            host: check.host.clone(),
            port: check.port,
        }
    }

    pub(crate) async fn check(&self, now: Timestamp, timeout: Duration) -> Sample {
        let start = Instant::now();
        // The address being tried, kept outside the timed future so a timeout can still say
        // where it was stuck.
        let mut trying: Option<SocketAddr> = None;
        let outcome = tokio::time::timeout(timeout, self.connect(&mut trying)).await;
        let latency = start.elapsed();
        let evidence = Evidence {
            remote: trying.map(|a| a.to_string()),
            ..Evidence::default()
        };
        match outcome {
            Ok(Ok(())) => sample(
                true,
                now,
                latency,
                format!("connected in {}", human_duration(latency)),
                evidence,
            ),
            Ok(Err(reason)) => sample(false, now, latency, reason, evidence),
            Err(_) => sample(
                false,
                now,
                latency,
                format!("timed out after {}", human_duration(timeout)),
                evidence,
            ),
        }
    }

    /// Resolves and connects; the error is already the sentence for the sample.
    async fn connect(&self, trying: &mut Option<SocketAddr>) -> Result<(), String> {
        let addrs = resolve(&self.host, self.port)
            .await
            .map_err(|e| e.to_string())?;
        // Tried in the resolver's order, reporting the last failure: when every address fails
        // they usually fail the same way, and the last one is what the user would see by hand.
        let mut last = String::new();
        for addr in addrs {
            *trying = Some(addr);
            match TcpStream::connect(addr).await {
                Ok(_stream) => return Ok(()),
                Err(e) => last = describe_io_kind(e.kind()).unwrap_or_else(|| e.to_string()),
            }
        }
        Err(last)
    }
}
