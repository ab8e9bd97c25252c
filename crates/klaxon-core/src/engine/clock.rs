//! Where the engine gets wall-clock time. Logic that depends on time takes a [`Clock`] so that
//! tests can drive it with tokio's paused clock and simulate a laptop waking from sleep.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jiff::{SignedDuration, Timestamp};

/// A source of wall-clock time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The operating system's clock: the one that jumps forward when the laptop wakes up.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Wall time that follows tokio's (possibly paused) clock, from a fixed start. `jump` moves it
/// forward without moving tokio's clock, which is what a suspend looks like from inside.
#[derive(Debug, Clone)]
pub struct TokioClock {
    start: Timestamp,
    origin: tokio::time::Instant,
    jumped_ms: Arc<AtomicI64>,
}

impl TokioClock {
    pub fn starting_at(start: Timestamp) -> Self {
        TokioClock {
            start,
            origin: tokio::time::Instant::now(),
            jumped_ms: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Moves wall time forward by `by`, as a suspend of that length would.
    pub fn jump(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.jumped_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Timestamp {
        let elapsed = tokio::time::Instant::now().duration_since(self.origin);
        let jumped = SignedDuration::from_millis(self.jumped_ms.load(Ordering::SeqCst));
        let elapsed = SignedDuration::try_from(elapsed).unwrap_or(SignedDuration::MAX);
        self.start
            .checked_add(elapsed)
            .and_then(|t| t.checked_add(jumped))
            .unwrap_or(Timestamp::MAX)
    }
}

pub type SharedClock = Arc<dyn Clock>;
