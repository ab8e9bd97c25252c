//! `klaxon page "checkout is down, call me"`: a teammate wakes the founder. The page goes to
//! the `[page]` ntfy topic; the founder's Klaxon rings for it at once, and when it is
//! acknowledged its answer comes back here.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use klaxon_core::paths::Paths;
use klaxon_core::protocol::Client;
use klaxon_core::text::printable;

use crate::terminal::outln;

/// Exit code when nobody answered within the wait.
const UNANSWERED: u8 = 3;

pub async fn page(
    paths: &Paths,
    text: &str,
    from: Option<String>,
    wait: Duration,
) -> Result<ExitCode> {
    let client = Client::over_socket(paths.clone());
    let from = from.unwrap_or_else(default_from);
    let paged = client.page(&from, text).await?;
    if wait.is_zero() {
        outln!("Paged.")?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "Paged. Waiting up to {} for an acknowledgement (Ctrl-C stops waiting; the page stands).",
        klaxon_core::domain::words::duration(wait, klaxon_core::domain::words::Style::Prose)
    )?;
    match client.page_answer(&paged, wait).await? {
        Some(answer) => {
            outln!("{}", printable(&answer))?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            outln!("Nobody has acknowledged it yet. Call them.")?;
            Ok(ExitCode::from(UNANSWERED))
        }
    }
}

/// `sam@laptop`: who is paging, unless `--from` says.
fn default_from() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "someone".into());
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    format!("{user}@{host}")
}
