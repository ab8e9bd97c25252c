//! Who holds the control socket's client slots, and who gives way.
//!
//! At most `limit` clients are connected at once. A client waiting to send its next line is
//! *idle*; when a new client arrives and every slot is taken, the longest-idle client is closed
//! to make room. A flood of idle connections therefore cannot lock out `klaxon status` or the
//! tray app (they send their line at once), and cannot hold more than `limit` file handles.
//! Only when every slot is busy with a command is a newcomer refused.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// How long a newcomer waits for an evicted client to give its slot back.
const EVICTION_WAIT: Duration = Duration::from_secs(1);

pub(super) struct Clients {
    slots: Arc<Semaphore>,
    /// Idle clients, longest idle first, each with the bell that closes it.
    idle: Mutex<VecDeque<(u64, Arc<Notify>)>>,
}

/// One connected client's place; the slot is given back when it is dropped.
pub(super) struct Seat {
    id: u64,
    /// Rung when a newcomer needs this idle client's slot.
    pub(super) evicted: Arc<Notify>,
    clients: Arc<Clients>,
    _slot: OwnedSemaphorePermit,
}

impl Seat {
    /// The client waits for its next line: it may be closed for a newcomer.
    pub(super) fn idle(&self) {
        self.clients
            .queue()
            .push_back((self.id, self.evicted.clone()));
    }

    /// The client sent a line: it keeps its slot until it has its answer.
    pub(super) fn busy(&self) {
        self.clients.forget(self.id);
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.clients.forget(self.id);
    }
}

impl Clients {
    pub(super) fn new(limit: usize) -> Clients {
        Clients {
            slots: Arc::new(Semaphore::new(limit)),
            idle: Mutex::new(VecDeque::new()),
        }
    }

    /// A slot for a new client: a free one, or the longest-idle client's. `None` when every
    /// client is busy with a command.
    pub(super) async fn seat(self: &Arc<Self>, id: u64) -> Option<Seat> {
        let slot = match self.slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                let (_, bell) = self.queue().pop_front()?;
                bell.notify_one();
                let freed = self.slots.clone().acquire_owned();
                tokio::time::timeout(EVICTION_WAIT, freed)
                    .await
                    .ok()?
                    .ok()?
            }
        };
        Some(Seat {
            id,
            evicted: Arc::new(Notify::new()),
            clients: self.clone(),
            _slot: slot,
        })
    }

    fn forget(&self, id: u64) {
        self.queue().retain(|(idle, _)| *idle != id);
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<(u64, Arc<Notify>)>> {
        // Held for a push or a pop only; a poisoned lock still holds a usable queue.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}
