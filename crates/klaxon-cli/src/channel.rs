//! `klaxon channel`: the ways an incident reaches past this machine — what each one is, how
//! its newest delivery went, and a test message that reports the service's real answer.

use std::process::ExitCode;

use anyhow::Result;
use klaxon_core::domain::delivery::Outcome;
use klaxon_core::domain::states::DeliveryState;
use klaxon_core::paths::Paths;
use klaxon_core::protocol::Client;
use klaxon_core::text::printable;

use crate::terminal::{errln, outln};

/// Exit code for a test that did not get through.
const NOT_DELIVERED: u8 = 2;

pub async fn list(paths: &Paths) -> Result<ExitCode> {
    let channels = Client::over_socket(paths.clone()).channels().await?;
    if channels.is_empty() {
        outln!(
            "No channels: add a [[channel]] to {} to reach your phone or your team.",
            paths.config.display()
        )?;
    }
    for c in channels {
        let step = c.last_step.clone().unwrap_or_default();
        let last = match (c.last_state, &c.last_error, c.last_at) {
            (None, ..) => "never used".to_string(),
            (Some(DeliveryState::Delivered), _, when) => {
                let when = when.map(|w| w.to_string()).unwrap_or_default();
                format!("delivered {when} ({step})")
            }
            (Some(state), Some(error), _) => format!("{state} ({step}): {error}"),
            (Some(state), None, _) => format!("{state} ({step})"),
        };
        outln!("{}  {}  {}", printable(&c.name), c.kind, printable(&last))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn test(paths: &Paths, name: &str) -> Result<ExitCode> {
    let outcome = Client::over_socket(paths.clone())
        .test_channel(name)
        .await?;
    match outcome {
        Outcome::Delivered => {
            outln!(
                "{}: the test message was delivered. Check that it reached you.",
                printable(name)
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Failed { error, .. } => {
            errln!("klaxon: {}: {}", printable(name), printable(&error));
            Ok(ExitCode::from(NOT_DELIVERED))
        }
    }
}
