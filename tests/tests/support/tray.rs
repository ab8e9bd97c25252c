//! The tray as a desktop's tray host sees it: the app's StatusNotifierItem menu
//! (`com.canonical.dbusmenu`, exported by libayatana-appindicator) on the session bus, read
//! and clicked with `dbus-send` as a panel would (see tests/README.md).

use std::process::Command;

const MENU: &str = "/org/ayatana/NotificationItem/tray_icon_tray_app_klaxon/Menu";

pub struct TrayMenu {
    bus: String,
    /// The app's connection that exports the menu.
    owner: String,
}

fn dbus_send(bus: &str, args: &[&str]) -> Option<String> {
    let out = Command::new("dbus-send")
        .args([
            &format!("--bus={bus}"),
            "--print-reply",
            // Some of the app's connections export nothing and would hold a call for 25 s; the
            // app's own may be busy a moment (building the window).
            "--reply-timeout=3000",
        ])
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

impl TrayMenu {
    /// The menu of the app with this pid, once it is exported.
    pub fn find(bus: &str, pid: u32) -> Option<TrayMenu> {
        let names = dbus_send(
            bus,
            &[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ListNames",
            ],
        )?;
        names
            .split('"')
            .filter(|n| n.starts_with(':'))
            .filter(|name| {
                dbus_send(
                    bus,
                    &[
                        "--dest=org.freedesktop.DBus",
                        "/org/freedesktop/DBus",
                        "org.freedesktop.DBus.GetConnectionUnixProcessID",
                        &format!("string:{name}"),
                    ],
                )
                .is_some_and(|o| o.contains(&format!("uint32 {pid}")))
            })
            .map(|name| TrayMenu {
                bus: bus.to_string(),
                owner: name.to_string(),
            })
            .find(|menu| !menu.items().is_empty())
    }

    /// Every item as (id, label), in menu order (submenus' items after their parent).
    pub fn items(&self) -> Vec<(i32, String)> {
        let Some(layout) = dbus_send(
            &self.bus,
            &[
                &format!("--dest={}", self.owner),
                MENU,
                "com.canonical.dbusmenu.GetLayout",
                "int32:0",
                "int32:-1",
                "array:string:label",
            ],
        ) else {
            return Vec::new();
        };
        let mut items = Vec::new();
        let mut id = None;
        for line in layout.lines().map(str::trim) {
            if let Some(n) = line.strip_prefix("int32 ") {
                id = n.parse().ok();
            } else if let (Some(label), Some(n)) = (line.strip_prefix("variant"), id) {
                let label = label.trim().trim_start_matches("string ").trim_matches('"');
                items.push((n, label.to_string()));
            }
        }
        items
    }

    /// Whether the check item labelled `label` is checked; `None` when there is no such item.
    pub fn checked(&self, label: &str) -> Option<bool> {
        let (id, _) = self.items().into_iter().find(|(_, l)| l == label)?;
        let layout = dbus_send(
            &self.bus,
            &[
                &format!("--dest={}", self.owner),
                MENU,
                "com.canonical.dbusmenu.GetLayout",
                &format!("int32:{id}"),
                "int32:0",
                "array:string:toggle-state",
            ],
        )?;
        // `dict entry( string "toggle-state" variant int32 1 )`, one value per line.
        layout
            .lines()
            .find_map(|l| l.trim().strip_prefix("variant").map(str::trim))
            .and_then(|v| v.strip_prefix("int32 "))
            .map(|v| v.trim() == "1")
    }

    /// Clicks the item labelled `label`; false when there is none.
    pub fn click(&self, label: &str) -> bool {
        let Some((id, _)) = self.items().into_iter().find(|(_, l)| l == label) else {
            return false;
        };
        dbus_send(
            &self.bus,
            &[
                &format!("--dest={}", self.owner),
                MENU,
                "com.canonical.dbusmenu.Event",
                &format!("int32:{id}"),
                "string:clicked",
                "variant:string:",
                "uint32:0",
            ],
        )
        .is_some()
    }
}
