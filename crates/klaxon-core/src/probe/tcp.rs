//! The TCP probe: can we open a connection to `host:port`? It owns nothing but the target; a
//! check resolves the name afresh (the laptop may have changed networks since the last one),
//! tries each address in turn and closes the connection at once. Nothing is sent.

use std::net::SocketAddr;
use std::time::Duration;

use jiff::Timestamp;
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{Failure, describe_io_kind, failed, human_duration, resolve, sample};
use crate::domain::local_fault::LocalFault;
use crate::domain::monitor::{Evidence, Sample, TcpCheck};

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
        let outcome = tokio::time::timeout(timeout, self.connect(now, &mut trying)).await;
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
            Ok(Err(failure)) => failed(now, latency, failure, evidence),
            Err(_) => sample(
                false,
                now,
                latency,
                format!("timed out after {}", human_duration(timeout)),
                evidence,
            ),
        }
    }

    /// Resolves and connects; the error is already the sentence for the sample, or a fault on
    /// this machine.
    async fn connect(
        &self,
        now: Timestamp,
        trying: &mut Option<SocketAddr>,
    ) -> Result<(), Failure> {
        let addrs = resolve(&self.host, self.port)
            .await
            .map_err(|e| Failure::of(&e, now))?;
        // Tried in the resolver's order, reporting the last failure: when every address fails
        // they usually fail the same way, and the last one is what the user would see by hand.
        let mut last = String::new();
        for addr in addrs {
            *trying = Some(addr);
            match TcpStream::connect(addr).await {
                Ok(_stream) => return Ok(()),
                Err(e) => {
                    // No socket or no local port for this address means none for the next
                    // either: the check could not be made.
                    if let Some(fault) = LocalFault::of(&e) {
                        return Err(Failure::Local(fault));
                    }
                    last = describe_io_kind(e.kind()).unwrap_or_else(|| e.to_string());
                }
            }
        }
        Err(Failure::Target(last))
    }
}
