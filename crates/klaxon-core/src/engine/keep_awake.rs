//! Keep-awake: while Klaxon is on call (at least one monitor, not paused) it holds off idle
//! sleep through the platform's mechanism (systemd-logind's inhibitor on Linux, IOKit power
//! assertions on macOS, `SetThreadExecutionState` on Windows, via the keepawake crate), and lets
//! go when paused or quitting. A closed lid or a forced sleep cannot be prevented this way.

use crate::domain::states::KeepAwakeState;

/// The guard and what `status` says about it.
pub struct KeepAwake {
    guard: Option<keepawake::KeepAwake>,
    state: KeepAwakeState,
    /// After a failure, when to try again (the engine asks on every change).
    retry_at: Option<std::time::Instant>,
}

const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

impl Default for KeepAwake {
    fn default() -> Self {
        KeepAwake {
            guard: None,
            state: KeepAwakeState::NotOnCall,
            retry_at: None,
        }
    }
}

impl KeepAwake {
    /// Holds or releases the guard. A failed hold is retried a minute later.
    pub fn hold(&mut self, on_call: bool) {
        if !on_call {
            if self.guard.take().is_some() {
                tracing::info!("no longer holding off sleep");
            }
            self.state = KeepAwakeState::NotOnCall;
            self.retry_at = None;
            return;
        }
        if self.guard.is_some() || self.retry_at.is_some_and(|t| std::time::Instant::now() < t) {
            return;
        }
        let created = keepawake::Builder::default()
            .idle(true)
            .sleep(true)
            .reason("Klaxon is on call")
            .app_name("Klaxon")
            .app_reverse_domain("app.klaxon.Klaxon")
            .create();
        match created {
            Ok(guard) => {
                tracing::info!("holding off idle sleep while on call");
                self.guard = Some(guard);
                self.state = KeepAwakeState::Holding;
            }
            Err(e) => {
                let state = KeepAwakeState::Failed(e.to_string());
                if state != self.state {
                    tracing::warn!("{state}");
                }
                self.state = state;
                self.retry_at = Some(std::time::Instant::now() + RETRY_AFTER);
            }
        }
    }

    pub fn state(&self) -> &KeepAwakeState {
        &self.state
    }
}
