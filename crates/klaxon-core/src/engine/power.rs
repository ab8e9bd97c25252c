//! Whether this machine runs on mains power: a laptop on battery may sleep or die before the
//! night is over, which the coverage verdict says. Read from Linux's
//! `/sys/class/power_supply` (each supply's `type` and `online`, a battery's `status`);
//! elsewhere, or with no power supply information, it is not known and nothing is claimed.

use std::path::Path;

/// `Some(true)` on mains, `Some(false)` on battery, `None` when it cannot be told.
pub fn on_mains(supplies: &Path) -> Option<bool> {
    let entries = std::fs::read_dir(supplies).ok()?;
    let read = |dir: &Path, file: &str| {
        std::fs::read_to_string(dir.join(file))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let (mut mains_online, mut discharging) = (false, false);
    for entry in entries.flatten() {
        let dir = entry.path();
        match read(&dir, "type").as_str() {
            "Mains" | "USB" | "USB_C" | "USB_PD" => mains_online |= read(&dir, "online") == "1",
            "Battery" => discharging |= read(&dir, "status") == "Discharging",
            _ => {}
        }
    }
    match (mains_online, discharging) {
        (true, _) => Some(true),
        (false, true) => Some(false),
        // No battery running down and no mains seen: a desktop, or a full battery on AC that
        // reports no supply; nothing to warn about.
        (false, false) => None,
    }
}

/// The system's own answer.
pub fn on_mains_now() -> Option<bool> {
    if cfg!(target_os = "linux") {
        on_mains(Path::new("/sys/class/power_supply"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supply(root: &Path, name: &str, files: &[(&str, &str)]) {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in files {
            std::fs::write(dir.join(file), format!("{text}\n")).unwrap();
        }
    }

    #[test]
    fn a_laptop_unplugged_is_on_battery_and_plugged_in_is_on_mains() {
        let root = tempfile::tempdir().unwrap();
        supply(root.path(), "AC", &[("type", "Mains"), ("online", "0")]);
        supply(
            root.path(),
            "BAT0",
            &[("type", "Battery"), ("status", "Discharging")],
        );
        assert_eq!(on_mains(root.path()), Some(false));
        supply(root.path(), "AC", &[("type", "Mains"), ("online", "1")]);
        supply(
            root.path(),
            "BAT0",
            &[("type", "Battery"), ("status", "Charging")],
        );
        assert_eq!(on_mains(root.path()), Some(true));
    }

    #[test]
    fn a_machine_without_power_supply_information_claims_nothing() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(on_mains(root.path()), None);
        assert_eq!(on_mains(&root.path().join("missing")), None);
    }
}
