//! The process's open-files limit. Every check opens a socket, and so does every client of the
//! control socket; a desktop session's default soft limit (often 1024) is far below what the
//! system allows (the hard limit, often 524288). Raising the soft limit to the hard one at start
//! is what servers do, needs no privilege, and turns "hundreds of monitors and a busy socket" from
//! a way to run out of file handles into a non-event.

/// Raises the soft open-files limit to the hard limit. Returns the limit now in force (`None`
/// where there is no such limit). A failure is logged and otherwise ignored: the engine runs on
/// with the limit it has, and running out is reported as a local fault, never as an outage.
pub fn raise_limit() -> Option<u64> {
    imp::raise_limit()
}

#[cfg(unix)]
mod imp {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

    pub(super) fn raise_limit() -> Option<u64> {
        let limit = getrlimit(Resource::Nofile);
        if limit.current == limit.maximum {
            return limit.current;
        }
        // macOS refuses an unlimited or very high soft limit for files (OPEN_MAX applies); try
        // the hard limit first, then a generous fixed one.
        let wanted = [
            limit.maximum,
            Some(limit.maximum.map_or(10_240, |m| m.min(10_240))),
        ];
        for soft in wanted {
            let raised = Rlimit {
                current: soft,
                maximum: limit.maximum,
            };
            if setrlimit(Resource::Nofile, raised).is_ok() {
                tracing::debug!(
                    "open-files limit raised from {} to {}",
                    shown(limit.current),
                    shown(soft)
                );
                return soft;
            }
        }
        tracing::warn!(
            "cannot raise the open-files limit above {}; Klaxon runs with it",
            shown(limit.current)
        );
        limit.current
    }

    fn shown(limit: Option<u64>) -> String {
        limit.map_or_else(|| "unlimited".into(), |n| n.to_string())
    }
}

#[cfg(not(unix))]
mod imp {
    pub(super) fn raise_limit() -> Option<u64> {
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use rustix::process::{Resource, getrlimit};

    #[test]
    fn the_soft_limit_ends_at_the_hard_limit() {
        let now = super::raise_limit();
        let limit = getrlimit(Resource::Nofile);
        assert_eq!(now, limit.current);
        assert!(limit.current <= limit.maximum || limit.maximum.is_none());
    }
}
