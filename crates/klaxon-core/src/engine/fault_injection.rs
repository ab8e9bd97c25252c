//! Deliberate faults, so the tests of Klaxon's own supervision can make a task die the way a
//! bug would. Compiled into debug builds only: a release build has no way to set them off.
//!
//! `KLAXON_INJECT_PANIC` lists sites, comma-separated: `monitor:NAME` panics the first check of
//! that monitor (once per process), `owner` panics the engine's owner task on its third tick.

/// True when the site was named and, for once-only sites, has not fired yet.
#[cfg(debug_assertions)]
pub fn fire(site: &str) -> bool {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static FIRED: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let Ok(sites) = std::env::var("KLAXON_INJECT_PANIC") else {
        return false;
    };
    if !sites.split(',').any(|s| s.trim() == site) {
        return false;
    }
    let Ok(mut fired) = FIRED.lock() else {
        return false;
    };
    fired
        .get_or_insert_with(HashSet::new)
        .insert(site.to_string())
}

#[cfg(not(debug_assertions))]
pub fn fire(_site: &str) -> bool {
    false
}
