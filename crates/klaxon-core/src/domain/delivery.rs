//! How one attempt to deliver a message went, as the channels say it and the outbox keeps it.

use jiff::Timestamp;

/// How one attempt went.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Delivered,
    /// Failed; tried again at `retry_at`, or never when `None`.
    Failed {
        error: String,
        retry_at: Option<Timestamp>,
    },
}
