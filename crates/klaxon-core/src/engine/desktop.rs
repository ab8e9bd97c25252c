//! Desktop notifications (D-Bus on Linux, the notification centre on macOS and Windows). They
//! add to the siren, never replace it, so a failure to show one is logged and forgotten.

use std::time::Duration;

/// Shows a notification and waits (at most `limit`) until it was handed over: for a process
/// about to exit, which would otherwise end before the notification left.
pub fn notify_and_wait(summary: &str, body: &str, limit: std::time::Duration) {
    let (summary, body) = (summary.to_string(), body.to_string());
    let (done_tx, done) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("klaxon-notify".into())
        .spawn(move || {
            show(&summary, &body);
            let _ = done_tx.send(());
        });
    if spawned.is_ok() {
        let _ = done.recv_timeout(limit);
    }
}

fn show(summary: &str, body: &str) {
    if let Err(e) = try_show(summary, body) {
        tracing::warn!("cannot show a desktop notification ({summary}): {e}");
    }
}

fn try_show(summary: &str, body: &str) -> Result<(), notify_rust::error::Error> {
    notify_rust::Notification::new()
        .appname("Klaxon")
        .summary(summary)
        .body(body)
        .timeout(notify_rust::Timeout::Never)
        .show()
        .map(|_| ())
}

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
                match try_show(&summary, &body) {
                    Ok(()) => return,
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
