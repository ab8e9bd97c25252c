//! Desktop notifications (D-Bus on Linux, the notification centre on macOS and Windows). They
//! add to the siren, never replace it, so a failure to show one is logged and forgotten.

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
    let result = notify_rust::Notification::new()
        .appname("Klaxon")
        .summary(summary)
        .body(body)
        .timeout(notify_rust::Timeout::Never)
        .show();
    if let Err(e) = result {
        tracing::warn!("cannot show a desktop notification ({summary}): {e}");
    }
}

/// Shows a notification from a short-lived thread, so a slow or missing notification service
/// never holds up the engine.
pub fn notify(summary: &str, body: &str) {
    let (summary, body) = (summary.to_string(), body.to_string());
    let shown = std::thread::Builder::new()
        .name("klaxon-notify".into())
        .spawn(move || show(&summary, &body));
    if let Err(e) = shown {
        tracing::warn!("cannot show a desktop notification: {e}");
    }
}
