//! The ntfy stand-in checked on its own, over real HTTP on loopback, before any Klaxon test leans
//! on it: if these pass, a failing Klaxon test is about Klaxon. Each expectation is what ntfy's
//! source answers (see `support/ntfy.rs`), not what a client would like to hear.

mod support;

use std::time::Duration;

use serde_json::json;
use support::ntfy::http::{LineStream, send};
use support::ntfy::{Ntfy, NtfyOptions, tap};

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn publishing_with_headers_is_stored_with_its_priority_and_actions() {
    let ntfy = Ntfy::start();
    let reply = send(
        "POST",
        &ntfy.topic_url("oncall"),
        &[
            ("title", "API is down"),
            ("P", "urgent"),
            ("ta", "rotating_light,api"),
            (
                "X-Actions",
                "http, Acknowledge, http://127.0.0.1:9/ack, method=PUT, headers.X-Ack=yes, body='{\"by\": \"me\"}', clear=true; view, Runbook, https://example.org/runbook",
            ),
        ],
        "  checks failing since 10:02  \n",
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));

    let m = ntfy.wait_for_message("oncall", WAIT);
    assert_eq!(
        reply.json(),
        m.json(),
        "the publisher gets the stored message back"
    );
    assert_eq!(m.event, "message");
    assert_eq!(m.id.len(), 12);
    assert_eq!(m.expires, m.time + 12 * 3600);
    assert_eq!(m.title, "API is down");
    assert_eq!(
        m.message, "checks failing since 10:02",
        "the body is trimmed"
    );
    assert_eq!(m.priority, 5);
    assert_eq!(m.tags, ["rotating_light", "api"]);
    let ack = &m.actions[0];
    assert_eq!(
        (ack.action.as_str(), ack.label.as_str()),
        ("http", "Acknowledge")
    );
    assert_eq!(
        (ack.url.as_str(), ack.method.as_str()),
        ("http://127.0.0.1:9/ack", "PUT")
    );
    assert_eq!(ack.headers["X-Ack"], "yes");
    assert_eq!(ack.body, r#"{"by": "me"}"#);
    assert!(ack.clear);
    assert_eq!(ack.id.len(), 10);
    assert_eq!(m.actions[1].action, "view");
}

#[test]
fn a_json_publish_to_the_root_url_is_accepted() {
    let ntfy = Ntfy::start();
    let body = json!({
        "topic": "oncall",
        "message": "disk full",
        "title": "db1",
        "priority": 4,
        "tags": ["warning"],
        "actions": [{"action": "http", "label": "Acknowledge", "url": "http://127.0.0.1:9/ack",
                     "method": "post", "headers": {"Authorization": "Bearer tk_1"}, "body": "ack"}]
    });
    let reply = send("POST", &format!("{}/", ntfy.url()), &[], &body.to_string());
    assert_eq!(reply.status, 200, "{}", reply.body);

    let m = ntfy.wait_for_message("oncall", WAIT);
    assert_eq!(
        (m.title.as_str(), m.message.as_str(), m.priority),
        ("db1", "disk full", 4)
    );
    assert_eq!(m.tags, ["warning"]);
    assert_eq!(m.actions[0].method, "POST", "ntfy upper-cases the method");
    assert_eq!(m.actions[0].headers["Authorization"], "Bearer tk_1");
    assert_eq!(m.actions[0].body, "ack");
}

#[test]
fn bad_priorities_topics_and_actions_get_ntfys_codes() {
    let ntfy = Ntfy::start();
    let topic = ntfy.topic_url("oncall");
    let cases = [
        (
            send("POST", &topic, &[("Priority", "6")], "x"),
            400,
            Some(40007),
        ),
        (
            send("POST", &topic, &[("X-Actions", "http, Ack")], "x"),
            400,
            Some(40018),
        ),
        (
            send(
                "POST",
                &topic,
                &[("Actions", "[{\"action\":\"view\"}]")],
                "x",
            ),
            400,
            Some(40018),
        ),
        (
            send(
                "POST",
                &format!("{}/", ntfy.url()),
                &[],
                r#"{"topic":"no/slashes"}"#,
            ),
            400,
            Some(40009),
        ),
        (
            send(
                "POST",
                &format!("{}/", ntfy.url()),
                &[],
                r#"{"topic":"t","priority":"high"}"#,
            ),
            400,
            Some(40024),
        ),
        // No route matches a bad topic in the path: ntfy's 404, not 40009.
        (
            send("POST", &ntfy.topic_url("bad.topic"), &[], "x"),
            404,
            Some(40401),
        ),
        (
            send("POST", &ntfy.topic_url("docs"), &[], "x"),
            400,
            Some(40010),
        ),
        // Longer than 4096 bytes would be an attachment, and attachments are off.
        (
            send("POST", &topic, &[], &"x".repeat(4097)),
            400,
            Some(40014),
        ),
        (
            send(
                "POST",
                &format!("{}/", ntfy.url()),
                &[],
                &format!(r#"{{"topic":"t","message":"{}"}}"#, "x".repeat(8200)),
            ),
            413,
            Some(41303),
        ),
    ];
    for (reply, status, code) in cases {
        assert_eq!(reply.status, status, "{}", reply.body);
        let err = reply.json();
        assert_eq!(err["http"], status);
        assert_eq!(err["code"].as_u64(), code.map(|c: u64| c));
        assert!(err["error"].is_string());
    }
    let invalid = send("POST", &topic, &[("p", "7")], "x").json();
    assert_eq!(invalid["error"], "invalid priority parameter");
    assert_eq!(
        invalid["link"],
        "https://ntfy.sh/docs/publish/#message-priority"
    );
    assert!(
        ntfy.messages("oncall").is_empty(),
        "nothing refused is stored"
    );
}

#[test]
fn a_missing_token_is_forbidden_and_a_wrong_one_unauthorized_as_ntfy_answers() {
    let ntfy = Ntfy::start_with(
        NtfyOptions::default()
            .token("tk_alerts", &["oncall"])
            .token("tk_other", &["elsewhere"]),
    );
    let topic = ntfy.topic_url("oncall");

    // ntfy treats no credentials as an anonymous visitor who lacks access: 403.
    let anonymous = send("POST", &topic, &[], "x");
    assert_eq!(
        (anonymous.status, anonymous.json()["code"].as_u64()),
        (403, Some(40301))
    );
    // A token that does not authenticate fails before any topic is looked at: 401.
    let unknown = send("POST", &topic, &[("Authorization", "Bearer tk_nope")], "x");
    assert_eq!(
        (unknown.status, unknown.json()["code"].as_u64()),
        (401, Some(40101))
    );
    // A real token without access to this topic: 403.
    let other = send("POST", &topic, &[("Authorization", "Bearer tk_other")], "x");
    assert_eq!(
        (other.status, other.json()["code"].as_u64()),
        (403, Some(40301))
    );

    let ok = send(
        "POST",
        &topic,
        &[("authorization", "Bearer tk_alerts")],
        "x",
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    let m = ntfy.wait_for_message("oncall", WAIT);
    assert_eq!(m.authorization.as_deref(), Some("Bearer tk_alerts"));
    // Basic auth with an empty user name carries a token as its password (":tk_alerts").
    let basic = send(
        "POST",
        &topic,
        &[("Authorization", "Basic OnRrX2FsZXJ0cw==")],
        "y",
    );
    assert_eq!(basic.status, 200, "{}", basic.body);
}

#[test]
fn the_rate_limit_answers_429_with_ntfys_error_and_no_retry_after() {
    let ntfy = Ntfy::start_with(NtfyOptions::default().request_limit(2));
    let topic = ntfy.topic_url("oncall");
    assert_eq!(send("POST", &topic, &[], "one").status, 200);
    assert_eq!(send("POST", &topic, &[], "two").status, 200);
    let limited = send("POST", &topic, &[], "three");
    assert_eq!(limited.status, 429);
    assert_eq!(
        limited.json(),
        json!({"code": 42901, "http": 429, "error": "limit reached: too many requests",
               "link": "https://ntfy.sh/docs/publish/#limitations"})
    );
    assert_eq!(
        limited.header("retry-after"),
        None,
        "ntfy sends no Retry-After"
    );
    ntfy.lift_limits();
    assert_eq!(send("POST", &topic, &[], "four").status, 200);

    let daily = Ntfy::start_with(NtfyOptions::default().daily_message_limit(1));
    assert_eq!(send("PUT", &daily.topic_url("t"), &[], "a").status, 200);
    let over = send("PUT", &daily.topic_url("t"), &[], "b");
    assert_eq!(
        (over.status, over.json()["code"].as_u64()),
        (429, Some(42908))
    );
}

#[test]
fn a_channel_answering_500_then_200_stores_only_the_message_that_got_through() {
    let ntfy = Ntfy::start();
    ntfy.fail_next(1, 500);
    let failed = send("POST", &ntfy.topic_url("oncall"), &[], "first try");
    assert_eq!(failed.status, 500);
    assert_eq!(
        failed.json(),
        json!({"code": 50001, "http": 500, "error": "internal server error"})
    );
    assert_eq!(
        send("POST", &ntfy.topic_url("oncall"), &[], "second try").status,
        200
    );

    let stored = ntfy.messages("oncall");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].message, "second try");
    let statuses: Vec<u16> = ntfy.attempts().iter().map(|a| a.status).collect();
    assert_eq!(statuses, [500, 200]);
}

#[test]
fn a_subscriber_resuming_with_since_gets_only_newer_messages() {
    let ntfy = Ntfy::start();
    for text in ["one", "two", "three"] {
        assert_eq!(send("POST", &ntfy.topic_url("acks"), &[], text).status, 200);
    }
    let first = &ntfy.messages("acks")[0];
    let poll = |since: &str| -> Vec<String> {
        let reply = send(
            "GET",
            &format!("{}/json?poll=1&since={since}", ntfy.topic_url("acks")),
            &[],
            "",
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply
            .body
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["message"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(poll(&first.id), ["two", "three"]);
    assert_eq!(poll("all"), ["one", "two", "three"]);
    assert_eq!(poll(&first.time.to_string()), ["one", "two", "three"]);
    assert_eq!(poll("10m"), ["one", "two", "three"]);
    assert_eq!(poll("latest"), ["three"]);
    assert_eq!(poll(&(first.time + 3600).to_string()), Vec::<String>::new());
    // An id ntfy does not know means everything, not nothing.
    assert_eq!(poll("AAAAAAAAAAAA"), ["one", "two", "three"]);

    let bad = send(
        "GET",
        &format!("{}/json?poll=1&since=yesterday", ntfy.topic_url("acks")),
        &[],
        "",
    );
    assert_eq!(
        (bad.status, bad.json()["code"].as_u64()),
        (400, Some(40008))
    );
    let empty = send(
        "GET",
        &format!("{}/json?poll=1", ntfy.topic_url("quiet")),
        &[],
        "",
    );
    assert_eq!(
        (empty.status, empty.header("content-length")),
        (200, Some("0"))
    );
}

#[test]
fn a_stream_delivers_a_message_published_after_it_opened() {
    let ntfy = Ntfy::start_with(NtfyOptions::default().keepalive(Duration::from_millis(300)));
    send("POST", &ntfy.topic_url("acks"), &[], "before");
    let before = ntfy.messages("acks")[0].clone();

    let mut stream = LineStream::open(
        &format!("{}/json?since={}", ntfy.topic_url("acks"), before.id),
        &[],
    );
    assert_eq!(stream.status, 200);
    assert_eq!(stream.header("transfer-encoding"), Some("chunked"));
    assert_eq!(
        stream.header("content-type"),
        Some("application/x-ndjson; charset=utf-8")
    );
    let open = stream.next_event(WAIT).expect("an open event");
    assert_eq!(
        (open["event"].as_str(), open["topic"].as_str()),
        (Some("open"), Some("acks"))
    );
    assert!(open.get("expires").is_none(), "open events carry no expiry");
    ntfy.wait_for_subscribers("acks", 1, WAIT);

    send(
        "POST",
        &ntfy.topic_url("acks"),
        &[("Title", "ack")],
        "by alice",
    );
    let mut events = Vec::new();
    while events
        .iter()
        .all(|e: &serde_json::Value| e["event"] != "message")
    {
        events.push(stream.next_event(WAIT).expect("the message, live"));
    }
    let live = events.last().unwrap();
    assert_eq!(
        (live["message"].as_str(), live["title"].as_str()),
        (Some("by alice"), Some("ack"))
    );
    let keepalive = (0..5).find_map(|_| {
        stream
            .next_event(WAIT)
            .filter(|e| e["event"] == "keepalive")
    });
    assert!(keepalive.is_some(), "keepalives come every 300 ms");

    ntfy.drop_subscribers();
    assert_eq!(stream.next_line(WAIT), None, "a dropped stream ends");
}

#[test]
fn tapping_an_http_action_sends_the_request_it_describes() {
    let ntfy = Ntfy::start_with(NtfyOptions::default().token_for_all_topics("tk_phone"));
    let actions = format!(
        "http, Acknowledge, {}, headers.Authorization=Bearer tk_phone, headers.X-Title=acked, body=incident 7 acknowledged",
        ntfy.topic_url("acks")
    );
    let published = send(
        "POST",
        &ntfy.topic_url("alerts"),
        &[("Authorization", "Bearer tk_phone"), ("Actions", &actions)],
        "API down",
    );
    assert_eq!(published.status, 200, "{}", published.body);
    let alert = ntfy.wait_for_message("alerts", WAIT);

    assert_eq!(
        tap(&alert.actions[0]),
        200,
        "no method means POST, which ntfy accepts"
    );
    let ack = ntfy.wait_for_message("acks", WAIT);
    assert_eq!(ack.message, "incident 7 acknowledged");
    assert_eq!(ack.title, "acked");
    assert_eq!(ack.authorization.as_deref(), Some("Bearer tk_phone"));
    let tapped = ntfy
        .attempts()
        .into_iter()
        .find(|a| a.path == "/acks")
        .unwrap();
    assert_eq!(tapped.method, "POST");
}

#[test]
fn a_stream_cut_by_the_network_resumes_with_since_without_losing_a_message() {
    let ntfy = Ntfy::start();
    let url = format!("{}/json", ntfy.topic_url("acks"));
    let mut stream = LineStream::open(&url, &[]);
    assert_eq!(stream.next_event(WAIT).unwrap()["event"], "open");
    ntfy.wait_for_subscribers("acks", 1, WAIT);
    send("POST", &ntfy.topic_url("acks"), &[], "seen");
    let seen = stream.next_event(WAIT).unwrap();
    assert_eq!(seen["message"], "seen");

    ntfy.drop_subscribers();
    assert_eq!(ntfy.subscribers("acks"), 0);
    send("POST", &ntfy.topic_url("acks"), &[], "missed while away");

    let resume = format!("{url}?since={}", seen["id"].as_str().unwrap());
    let mut resumed = LineStream::open(&resume, &[]);
    assert_eq!(resumed.next_event(WAIT).unwrap()["event"], "open");
    assert_eq!(
        resumed.next_event(WAIT).unwrap()["message"],
        "missed while away"
    );
    drop(resumed);
    // A subscriber that hangs up stops counting, as ntfy notices a closed request.
    support::wait_for(WAIT, || (ntfy.subscribers("acks") == 0).then_some(()));
}

#[test]
fn a_subscriber_without_access_is_refused_before_any_stream_opens() {
    let ntfy = Ntfy::start_with(NtfyOptions::default().token("tk_acks", &["acks"]));
    let url = format!("{}/json?poll=1", ntfy.topic_url("acks"));
    let refused = send("GET", &url, &[], "");
    assert_eq!(
        (refused.status, refused.json()["code"].as_u64()),
        (403, Some(40301))
    );
    let allowed = send("GET", &url, &[("Authorization", "Bearer tk_acks")], "");
    assert_eq!(allowed.status, 200, "{}", allowed.body);
}
