//! The store's own row types. The documented JSON (`status --json`, `history --json`) and the
//! SQL tables change for different reasons, so neither is written in terms of the other: the
//! conversions here are the one place where they meet.

use jiff::Timestamp;

use crate::domain::states::MonitorState;
use crate::domain::status::MonitorView;

/// A monitor's last known state, as the `monitor_state` table keeps it (for `status` when no
/// engine runs).
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorRow {
    pub name: String,
    pub state: MonitorState,
    pub last_checked: Option<Timestamp>,
    pub latency_ms: Option<u64>,
    pub reason: Option<String>,
    pub target: String,
}

impl From<&MonitorView> for MonitorRow {
    fn from(v: &MonitorView) -> Self {
        MonitorRow {
            name: v.name.clone(),
            state: v.state,
            last_checked: v.last_checked,
            latency_ms: v.latency_ms,
            reason: v.reason.clone(),
            target: v.target.clone(),
        }
    }
}

impl From<MonitorRow> for MonitorView {
    fn from(r: MonitorRow) -> Self {
        MonitorView {
            name: r.name,
            state: r.state,
            last_checked: r.last_checked,
            latency_ms: r.latency_ms,
            reason: r.reason,
            target: r.target,
            // Not kept: it is the config's to say, and a stopped engine has no config loaded.
            tls_verification_off: false,
        }
    }
}
