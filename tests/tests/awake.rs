//! The awake check: acknowledging from the window needs the code shown while ringing, so a
//! half-asleep click cannot silence the alarm. The CLI's `ack` is deliberate and needs none.

mod support;

use support::*;

fn ringing_home(extra: &str) -> (Home, Running, HttpServer) {
    let down = HttpServer::start();
    let addr = down.stop();
    let server = HttpServer::start();
    let monitors = format!(
        "{}{}",
        http_monitor("Up", &server.url()),
        http_monitor("API", &format!("http://{addr}/"))
    );
    let home = Home::new(&format!("{extra}{}", fast_config(closed_port(), &monitors)));
    let running = home.run();
    home.wait_status("a ringing incident", |s| {
        s["incidents"][0]["state"] == "ringing"
    });
    (home, running, server)
}

#[test]
fn acknowledging_from_the_window_needs_the_code_shown_while_ringing() {
    let (home, _running, _server) = ringing_home("");
    let status = home.status();
    let code = status["ack_code"]
        .as_str()
        .expect("a code while ringing")
        .to_string();
    assert_eq!(code.len(), 4);
    let wrong = if code == "0000" { "1111" } else { "0000" };

    let refused = home.control(r#"{"cmd":"ack","incident":null,"via":"window"}"#);
    assert_eq!(refused["reply"], "refused", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("type the code"),
        "{refused}"
    );
    let refused = home.control(&format!(
        r#"{{"cmd":"ack","incident":null,"via":"window","code":"{wrong}"}}"#
    ));
    assert_eq!(refused["reply"], "refused");
    assert_eq!(home.status()["incidents"][0]["state"], "ringing");

    let done = home.control(&format!(
        r#"{{"cmd":"ack","incident":null,"via":"window","code":"{code}"}}"#
    ));
    assert_eq!(done["reply"], "incidents", "{done}");
    let status = home.status();
    assert_eq!(status["incidents"][0]["state"], "acknowledged");
    assert_eq!(status["incidents"][0]["acknowledged_via"], "window");
    assert!(status["ack_code"].is_null(), "no code once nothing rings");
}

#[test]
fn with_the_awake_check_off_the_window_acknowledges_without_a_code() {
    let (home, _running, _server) = ringing_home("[alarm]\nawake_check = false\n\n");
    let done = home.control(r#"{"cmd":"ack","incident":null,"via":"window"}"#);
    assert_eq!(done["reply"], "incidents", "{done}");
    assert_eq!(home.status()["incidents"][0]["state"], "acknowledged");
}
