//! Driving the window over WebDriver once a session is open (see [`super::app::launch`]): find
//! elements by their `data-testid`, wait for text, click, type, check the layout, and take
//! screenshots from the X server. Every wait polls with a generous limit and fails saying what
//! it waited for.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use super::app::{Display, screenshot_dir};

/// How long any one thing in the window may take to show (CI is a busy 2-core machine).
pub const LIMIT: Duration = Duration::from_secs(30);

pub fn css(selector: &str) -> Locator<'_> {
    Locator::Css(selector)
}

/// The CSS selector of an element's `data-testid`.
pub fn id(testid: &str) -> String {
    format!("[data-testid={testid}]")
}

/// Polls until `f` gives `Some`, or fails the test saying what it waited for.
pub async fn until<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + LIMIT;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text of the first element with this test id, once there is one.
pub async fn text_of(client: &Client, testid: &str) -> String {
    let selector = id(testid);
    until(&selector.clone(), || async {
        client.find(css(&selector)).await.ok()?.text().await.ok()
    })
    .await
}

/// Waits for an element whose text contains `needle`.
pub async fn wait_text(client: &Client, testid: &str, needle: &str) -> String {
    wait_text_within(client, testid, needle, LIMIT).await
}

/// [`wait_text`] with a limit of its own (a window's first screen, started cold).
pub async fn wait_text_within(
    client: &Client,
    testid: &str,
    needle: &str,
    limit: Duration,
) -> String {
    let selector = id(testid);
    let deadline = Instant::now() + limit;
    let mut seen = None;
    loop {
        if let Ok(element) = client.find(css(&selector)).await
            && let Ok(text) = element.text().await
        {
            if text.contains(needle) {
                return text;
            }
            seen = Some(text);
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {selector} to say {needle:?}; it says {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until an input's value is `expected` (a value filled in by the window, not typed).
pub async fn wait_value(client: &Client, testid: &str, expected: &str) {
    let selector = id(testid);
    until(&format!("{selector} to hold {expected:?}"), || async {
        let value = client
            .find(css(&selector))
            .await
            .ok()?
            .prop("value")
            .await
            .ok()??;
        (value == expected).then_some(())
    })
    .await;
}

/// The window fits its width: a horizontal scrollbar would sit over the buttons at the bottom
/// (it once hid Save from the click meant for it).
pub async fn assert_no_sideways_scroll(client: &Client) {
    let widths = client
        .execute(
            "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, client_width) = (widths[0].as_f64(), widths[1].as_f64());
    assert!(
        scroll <= client_width,
        "the window scrolls sideways: content {scroll:?} px wide in {client_width:?} px"
    );
}

pub async fn click(client: &Client, testid: &str) {
    let selector = id(testid);
    let element = until(&selector.clone(), || async {
        client.find(css(&selector)).await.ok()
    })
    .await;
    element.click().await.unwrap();
}

pub async fn type_into(client: &Client, testid: &str, text: &str) {
    let selector = id(testid);
    let element = until(&selector.clone(), || async {
        client.find(css(&selector)).await.ok()
    })
    .await;
    element.clear().await.unwrap();
    element.send_keys(text).await.unwrap();
}

/// Waits until the button with this test id can be pressed (a form is checked as it is typed).
pub async fn wait_enabled(client: &Client, testid: &str) {
    let selector = id(testid);
    until(&format!("{selector} to be enabled"), || async {
        let disabled = client
            .find(css(&selector))
            .await
            .ok()?
            .prop("disabled")
            .await
            .ok()?;
        (disabled.as_deref() == Some("false")).then_some(())
    })
    .await;
}

/// Saves what the window shows now as `target/e2e/NAME.png`, taken from the X server as the
/// user sees it (the app runs without GL, where WebDriver's own screenshot cannot be taken).
pub async fn screenshot(display: &Display, name: &str) {
    // Let the last change reach the screen first (see tests/README.md).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let window = display.windows("Klaxon").pop().expect("the Klaxon window");
    display.screenshot(&window, &screenshot_dir().join(format!("{name}.png")));
}
