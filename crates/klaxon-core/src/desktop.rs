//! Desktop notifications (D-Bus on Linux, the notification centre on macOS and Windows). They
//! add to the siren, never replace it, so a failure to show one is logged and forgotten.

use std::time::Duration;

/// Shows a notification from a short-lived thread, so a slow or missing notification service
/// never holds up the engine.
pub fn notify(summary: &str, body: &str) {
    show_in_background(summary, body, 1);
}

/// Klaxon itself is short of open files, memory or local ports (`what` says which), so checks
/// cannot be made. Reaching the notification service needs a file handle and memory too, so
/// this one is tried a few times over a minute rather than once.
pub fn notify_local_fault(what: &str) {
    show_in_background(
        "Klaxon cannot check your services",
        &format!(
            "{what}. Checks that cannot be made are not counted as outages, but an outage could \
             go unnoticed until this stops. If it lasts, restart Klaxon."
        ),
        LOCAL_FAULT_ATTEMPTS,
    );
}

/// Tries for a local fault's notification, [`RETRY_AFTER`] apart.
const LOCAL_FAULT_ATTEMPTS: u32 = 6;
const RETRY_AFTER: Duration = Duration::from_secs(10);

fn show_in_background(summary: &str, body: &str, attempts: u32) {
    let (summary, body) = (summary.to_string(), body.to_string());
    let shown = std::thread::Builder::new()
        .name("klaxon-notify".into())
        .spawn(move || {
            for attempt in 1..=attempts {
                let result = notify_rust::Notification::new()
                    .appname("Klaxon")
                    .summary(&summary)
                    .body(&body)
                    .timeout(notify_rust::Timeout::Never)
                    .show();
                match result {
                    Ok(_) => return,
                    Err(e) if attempt == attempts => {
                        tracing::warn!("cannot show a desktop notification ({summary}): {e}");
                    }
                    Err(_) => std::thread::sleep(RETRY_AFTER),
                }
            }
        });
    if let Err(e) = shown {
        tracing::warn!("cannot show a desktop notification: {e}");
    }
}
