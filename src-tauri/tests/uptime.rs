//! Uptime, response times and the month's numbers through the window's commands (mock
//! runtime, real engine and database): a monitor that answered once and then went down.

mod support;

use serde_json::json;
use support::{app_with_an_outage, invoke, wait_until};

#[test]
fn a_monitor_down_now_has_its_downtime_in_the_figures_and_the_months_numbers() {
    let (running, _) = app_with_an_outage(
        "[alarm]\nraise_system_volume = false\n\n[judge]\nconfirm = 0\nwitnesses = []\n",
    );
    let window = running.window.clone();
    // The outage keeps lasting: wait until a whole second of it is in the figures.
    wait_until(&window, "a second of downtime", |_| {
        let figures = invoke(&window, "uptime", json!({})).unwrap();
        figures[0]["uptime"][0]["down_s"].as_u64().unwrap_or(0) >= 1
    });
    let figures = invoke(&window, "uptime", json!({})).unwrap();
    assert_eq!(figures[0]["monitor"], "API");
    let periods: Vec<_> = figures[0]["uptime"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["period"].clone())
        .collect();
    assert_eq!(periods, [json!("24h"), json!("7d"), json!("30d")]);
    let day = &figures[0]["uptime"][0];
    assert!(day["percent"].as_f64().unwrap() < 100.0, "{day:#}");
    assert!(
        day["since"].is_string(),
        "a monitor added just now: {day:#}"
    );
    assert_eq!(figures[0]["certificate"], json!(null));

    let series = invoke(
        &window,
        "latency",
        json!({ "monitor": "API", "period": "7d" }),
    )
    .unwrap();
    assert_eq!(series["avg_ms"].as_array().unwrap().len(), 168);
    assert_eq!(series["step_s"], 3600);
    let refused = invoke(
        &window,
        "latency",
        json!({ "monitor": "API", "period": "1y" }),
    );
    assert!(refused.is_err(), "{refused:?}");

    let months = invoke(&window, "months", json!({})).unwrap();
    let list = months["months"].as_array().unwrap();
    assert_eq!(list.len(), 6);
    let this = list.last().unwrap();
    assert_eq!(this["incidents"], 1);
    assert!(this["downtime_s"].as_u64().unwrap() >= 1, "{this:#}");
    assert_eq!(
        this["median_recover_s"],
        json!(null),
        "still down: {this:#}"
    );
}
