//! The real Alertmanager the source tests run against (`support/alertmanager.rs`): it starts on
//! loopback, and its API v2 behaves as that module says tests can rely on, with no waiting.

mod support;

use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};
use support::alertmanager::{Alertmanager, rfc3339_now};

const DISK: &[(&str, &str)] = &[("alertname", "DiskFull"), ("instance", "db-1")];

fn only(alerts: &Value) -> &Value {
    let list = alerts.as_array().expect("a list of alerts");
    assert_eq!(list.len(), 1, "expected one alert: {alerts:#}");
    &list[0]
}

#[test]
fn a_posted_alert_is_listed_and_an_ended_one_is_not() {
    let am = Alertmanager::start();
    assert_eq!(am.alerts(), json!([]));

    am.post_alert(DISK, &[("summary", "Disk full on db-1")]);
    let alerts = am.alerts();
    let alert = only(&alerts);
    assert_eq!(
        alert["labels"],
        json!({"alertname": "DiskFull", "instance": "db-1"})
    );
    assert_eq!(alert["annotations"]["summary"], "Disk full on db-1");
    assert_eq!(alert["status"]["state"], "active", "{alert:#}");
    assert!(alert["fingerprint"].as_str().is_some_and(|f| !f.is_empty()));

    am.end_alert(DISK, &[("summary", "Disk full on db-1")]);
    assert_eq!(am.alerts(), json!([]));
}

#[test]
fn the_same_labels_posted_twice_are_one_alert() {
    let am = Alertmanager::start();
    am.post_alert(DISK, &[("summary", "first")]);
    let first = only(&am.alerts()).clone();
    am.post_alert(DISK, &[("summary", "second")]);
    let alerts = am.alerts();
    let second = only(&alerts);
    assert_eq!(second["fingerprint"], first["fingerprint"]);
    assert_eq!(
        second["startsAt"], first["startsAt"],
        "{first:#}\n{second:#}"
    );
    assert_eq!(second["annotations"]["summary"], "second");

    // Other labels are another alert.
    am.post_alert(&[("alertname", "DiskFull"), ("instance", "db-2")], &[]);
    assert_eq!(am.alerts().as_array().unwrap().len(), 2);
}

#[test]
fn a_silence_created_through_the_api_is_listed() {
    let am = Alertmanager::start();
    am.post_alert(DISK, &[("summary", "Disk full on db-1")]);
    assert_eq!(am.silences(), json!([]));

    // What acknowledging will do: silence the alert's labels, from now on.
    let silence = json!({
        "matchers": [
            {"name": "alertname", "value": "DiskFull", "isRegex": false, "isEqual": true},
            {"name": "instance", "value": "db-1", "isRegex": false, "isEqual": true},
        ],
        "startsAt": rfc3339_now(),
        "endsAt": "2100-01-01T00:00:00Z",
        "createdBy": "klaxon",
        "comment": "acknowledged",
    });
    let reply = am.send("POST", "/api/v2/silences", &silence.to_string());
    assert_eq!(reply.status, 200, "{reply:?}");
    let id = reply.json()["silenceID"].as_str().unwrap().to_string();

    let listed = am.wait_for_silence(Duration::from_secs(5));
    assert_eq!(listed["id"], id.as_str());
    assert_eq!(listed["createdBy"], "klaxon");
    assert_eq!(listed["matchers"], silence["matchers"]);

    let alerts = am.alerts();
    let alert = only(&alerts);
    assert_eq!(alert["status"]["state"], "suppressed", "{alert:#}");
    assert_eq!(alert["status"]["silencedBy"], json!([id]));
    let unsilenced = am.send("GET", "/api/v2/alerts?silenced=false", "").json();
    assert_eq!(unsilenced, json!([]));
}

#[test]
fn a_dropped_alertmanager_lets_its_port_go() {
    let am = Alertmanager::start();
    let addr = am.addr;
    assert!(TcpStream::connect(addr).is_ok());
    drop(am);
    assert!(
        TcpStream::connect(addr).is_err(),
        "still listening on {addr}"
    );
}
