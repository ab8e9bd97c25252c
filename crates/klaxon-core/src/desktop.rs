//! Desktop notifications (D-Bus on Linux, the notification centre on macOS and Windows). They
//! add to the siren, never replace it, so a failure to show one is logged and forgotten.

/// Shows a notification from a short-lived thread, so a slow or missing notification service
/// never holds up the engine.
pub fn notify(summary: &str, body: &str) {
    let (summary, body) = (summary.to_string(), body.to_string());
    let shown = std::thread::Builder::new()
        .name("klaxon-notify".into())
        .spawn(move || {
            let result = notify_rust::Notification::new()
                .appname("Klaxon")
                .summary(&summary)
                .body(&body)
                .timeout(notify_rust::Timeout::Never)
                .show();
            if let Err(e) = result {
                tracing::warn!("cannot show a desktop notification ({summary}): {e}");
            }
        });
    if let Err(e) = shown {
        tracing::warn!("cannot show a desktop notification: {e}");
    }
}
