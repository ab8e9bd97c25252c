//! The window follows the desktop's light or dark preference, in the real app under Xvfb:
//! WebKitGTK answers `prefers-color-scheme` from GTK's theme, so the app started with
//! `GTK_THEME=Adwaita:dark` reports dark and paints the dark palette (app.css), and with
//! `GTK_THEME=Adwaita` light. The Now view shows a monitor's uptime figures in both; a
//! screenshot of every view in both goes to `target/e2e/`: Now with its response-time chart open,
//! Incidents with the month's numbers, Settings, and the guided first run (`dark-now.png`,
//! `light-incidents.png`, `dark-settings.png`, `light-first-run.png`…).

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use support::app::{Display, Driver, open_window, screenshot_dir, start_tray};
use support::fake_bus::PrivateBus;
use support::*;

/// What the window reports: whether it matches dark, and the page's background colour.
async fn scheme(client: &Client) -> (bool, String) {
    let got = client
        .execute(
            "return [matchMedia('(prefers-color-scheme: dark)').matches,
                     getComputedStyle(document.documentElement).backgroundColor];",
            vec![],
        )
        .await
        .unwrap();
    (
        got[0].as_bool().unwrap(),
        got[1].as_str().unwrap().to_string(),
    )
}

async fn wait_for_element(client: &Client, selector: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.find(Locator::Css(selector)).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {selector}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn click(client: &Client, selector: &str) {
    wait_for_element(client, selector).await;
    client
        .find(Locator::Css(selector))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Saves what the window shows as `target/e2e/NAME.png`, from the X server.
async fn shoot(display: &Display, name: &str) {
    // Let the last change reach the screen first (see tests/README.md).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let window = display.windows("Klaxon").pop().expect("the Klaxon window");
    display.screenshot(&window, &screenshot_dir().join(format!("{name}.png")));
}

#[test]
fn the_window_follows_the_desktops_light_or_dark_preference() {
    let display = Display::start();
    let bus = PrivateBus::start();
    let server = HttpServer::start();
    for (theme, dark, background) in [
        ("Adwaita:dark", true, "rgb(21, 24, 30)"),
        ("Adwaita", false, "rgb(249, 250, 251)"),
    ] {
        let home = Home::new(&format!(
            "[judge]\nwitnesses = []\n\n{}",
            http_monitor("API", &server.url())
        ));
        let env: Vec<(&'static str, PathBuf)> = vec![
            ("DISPLAY", PathBuf::from(&display.name)),
            ("DBUS_SESSION_BUS_ADDRESS", PathBuf::from(&bus.address)),
            ("XDG_RUNTIME_DIR", home.quiet_runtime()),
            ("HOME", home.dir.path().to_path_buf()),
            ("KLAXON_CONFIG", home.config()),
            ("KLAXON_DATA_DIR", home.data()),
            ("GTK_THEME", PathBuf::from(theme)),
        ];
        let driver = Driver::start(&env);
        let _tray = start_tray(&env);
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let client = open_window(&driver).await;
            wait_for_element(&client, "[data-testid=uptime-24h]").await;
            assert_eq!(
                scheme(&client).await,
                (dark, background.to_string()),
                "with GTK_THEME={theme}"
            );
            // The CSP is in force in this build (an injected <style> is refused) …
            let styled = client
                .execute(
                    "const s = document.createElement('style');
                     s.textContent = 'html { outline: 7px solid red; }';
                     document.head.appendChild(s);
                     const w = getComputedStyle(document.documentElement).outlineWidth;
                     s.remove();
                     return w;",
                    vec![],
                )
                .await
                .unwrap();
            assert_ne!(styled.as_str(), Some("7px"), "the CSP let inline styles in");
            // … and the response-time chart draws under it, in the window's width.
            click(&client, "[data-testid=chart-toggle]").await;
            wait_for_element(&client, "[data-testid=latency-chart] canvas").await;
            let widths = client
                .execute(
                    "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];",
                    vec![],
                )
                .await
                .unwrap();
            assert!(
                widths[0].as_f64() <= widths[1].as_f64(),
                "sideways scroll: {widths:?}"
            );
            let mode = if dark { "dark" } else { "light" };
            shoot(&display, &format!("{mode}-now")).await;
            click(&client, "[data-testid=tab-incidents]").await;
            wait_for_element(&client, "[data-testid=month-numbers]").await;
            shoot(&display, &format!("{mode}-incidents")).await;
            click(&client, "[data-testid=tab-settings]").await;
            wait_for_element(&client, "[data-testid=maintenance-settings]").await;
            shoot(&display, &format!("{mode}-settings")).await;
            click(&client, "[data-testid=open-guide]").await;
            wait_for_element(&client, "[data-testid=guide]").await;
            shoot(&display, &format!("{mode}-first-run")).await;
            client.close().await.unwrap();
        });
    }
}
