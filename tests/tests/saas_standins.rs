//! The Slack, Discord and Pushover stand-ins checked on their own, over real HTTP on loopback,
//! before any Klaxon test leans on them: if these pass, a failing Klaxon test is about Klaxon.
//! Each expectation is what the service's docs say it answers (see the stand-ins' module docs for
//! the sources), not what a client would like to hear.

mod support;

use std::time::Duration;

use serde_json::json;
use support::discord::Discord;
use support::ntfy::http::send;
use support::pushover::{APP_TOKEN, Pushover, USER_KEY};
use support::slack::{Slack, SlackError};

const WAIT: Duration = Duration::from_secs(5);
const JSON: (&str, &str) = ("Content-Type", "application/json");
const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

// ---- Slack ---------------------------------------------------------------------------------

#[test]
fn a_slack_message_is_accepted_with_ok() {
    let slack = Slack::start();
    let body = json!({"text": "api is down", "blocks": [{"type": "section",
        "text": {"type": "mrkdwn", "text": "*api* is down"}}]});
    let reply = send("POST", &slack.webhook_url(), &[JSON], &body.to_string());
    assert_eq!((reply.status, reply.body.as_str()), (200, "ok"));
    assert_eq!(reply.header("content-type"), Some("text/html"));

    let m = slack.wait_for_messages(1, WAIT).remove(0);
    assert_eq!(m.text.as_deref(), Some("api is down"));
    assert_eq!(m.blocks.unwrap()[0]["type"], "section");
}

#[test]
fn a_slack_payload_that_is_not_json_is_refused_as_invalid_payload() {
    let slack = Slack::start();
    let reply = send("POST", &slack.webhook_url(), &[JSON], "text=hello");
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (400, "invalid_payload")
    );

    let reply = send(
        "POST",
        &slack.webhook_url(),
        &[JSON],
        r#"{"username": "klaxon"}"#,
    );
    assert_eq!((reply.status, reply.body.as_str()), (400, "no_text"));
    assert!(slack.messages().is_empty());
}

#[test]
fn a_slack_form_post_with_a_payload_field_is_accepted() {
    let slack = Slack::start();
    let reply = send(
        "POST",
        &slack.webhook_url(),
        &[FORM],
        "payload=%7B%22text%22%3A%22disk+full%22%7D",
    );
    assert_eq!((reply.status, reply.body.as_str()), (200, "ok"));
    assert_eq!(slack.messages()[0].text.as_deref(), Some("disk full"));
}

#[test]
fn slack_answers_429_with_retry_after_when_told() {
    let slack = Slack::start();
    slack.rate_limit_next(1, 30);
    let body = json!({"text": "hi"}).to_string();
    let reply = send("POST", &slack.webhook_url(), &[JSON], &body);
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("retry-after"), Some("30"));
    assert!(slack.messages().is_empty());

    let reply = send("POST", &slack.webhook_url(), &[JSON], &body);
    assert_eq!(reply.status, 200, "only the scripted post is limited");
    assert_eq!(slack.attempts()[0].retry_after, Some(30));
}

#[test]
fn slack_fails_as_scripted_then_recovers() {
    let slack = Slack::start();
    slack.fail_next(2, 410, SlackError::ChannelIsArchived.body());
    let body = json!({"text": "hi"}).to_string();
    for _ in 0..2 {
        let reply = send("POST", &slack.webhook_url(), &[JSON], &body);
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (410, "channel_is_archived")
        );
    }
    assert_eq!(
        send("POST", &slack.webhook_url(), &[JSON], &body).status,
        200
    );
    assert_eq!(slack.messages().len(), 1);
}

#[test]
fn a_revoked_slack_webhook_answers_no_service_for_good() {
    let slack = Slack::start();
    slack.revoke();
    let body = json!({"text": "hi"}).to_string();
    for _ in 0..2 {
        let reply = send("POST", &slack.webhook_url(), &[JSON], &body);
        assert_eq!((reply.status, reply.body.as_str()), (404, "no_service"));
    }
    slack.revoke_token();
    let reply = send("POST", &slack.webhook_url(), &[JSON], &body);
    assert_eq!((reply.status, reply.body.as_str()), (403, "invalid_token"));
}

// ---- Discord -------------------------------------------------------------------------------

#[test]
fn a_discord_message_is_accepted_with_no_content() {
    let discord = Discord::start();
    let body = json!({"content": "api is down", "username": "Klaxon",
        "allowed_mentions": {"parse": []}});
    let reply = send("POST", &discord.webhook_url(), &[JSON], &body.to_string());
    assert_eq!(reply.status, 204);
    assert_eq!(reply.body, "");
    assert_eq!(reply.header("x-ratelimit-limit"), Some("5"));
    assert_eq!(reply.header("x-ratelimit-remaining"), Some("4"));
    assert!(reply.header("x-ratelimit-bucket").is_some());

    let m = discord.wait_for_messages(1, WAIT).remove(0);
    assert_eq!(m.content, "api is down");
    assert_eq!(m.username.as_deref(), Some("Klaxon"));
    assert_eq!(m.allowed_mentions, Some(json!({"parse": []})));
}

#[test]
fn a_discord_message_with_wait_comes_back_as_a_message_object() {
    let discord = Discord::start();
    let url = format!("{}?wait=true", discord.webhook_url());
    let reply = send("POST", &url, &[JSON], r#"{"content": "disk full"}"#);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let m = reply.json();
    assert_eq!(m["content"], "disk full");
    assert_eq!(m["webhook_id"], discord.webhook_id());
    assert_eq!(m["id"], discord.messages()[0].id);
}

#[test]
fn a_discord_message_over_2000_characters_is_refused_as_invalid_form_body() {
    let discord = Discord::start();
    let body = json!({"content": "é".repeat(2001)});
    let reply = send("POST", &discord.webhook_url(), &[JSON], &body.to_string());
    assert_eq!(reply.status, 400);
    let e = reply.json();
    assert_eq!(e["code"], 50035);
    assert_eq!(e["message"], "Invalid Form Body");
    assert_eq!(
        e["errors"]["content"]["_errors"][0]["code"],
        "BASE_TYPE_MAX_LENGTH"
    );

    let exactly = json!({"content": "é".repeat(2000)});
    let reply = send(
        "POST",
        &discord.webhook_url(),
        &[JSON],
        &exactly.to_string(),
    );
    assert_eq!(reply.status, 204, "2000 characters (not bytes) is allowed");
}

#[test]
fn an_empty_discord_message_is_refused() {
    let discord = Discord::start();
    let reply = send(
        "POST",
        &discord.webhook_url(),
        &[JSON],
        r#"{"content": ""}"#,
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({"message": "Cannot send an empty message", "code": 50006})
    );
}

#[test]
fn a_discord_webhook_with_a_wrong_token_or_deleted_is_refused() {
    let discord = Discord::start();
    let wrong = format!(
        "{}/api/webhooks/{}/nope",
        discord.url(),
        discord.webhook_id()
    );
    let reply = send("POST", &wrong, &[JSON], r#"{"content": "x"}"#);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["code"], 50027);

    discord.revoke();
    let reply = send(
        "POST",
        &discord.webhook_url(),
        &[JSON],
        r#"{"content": "x"}"#,
    );
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.json(),
        json!({"message": "Unknown Webhook", "code": 10015})
    );
}

#[test]
fn discord_rate_limit_carries_retry_after_in_body_and_headers() {
    let discord = Discord::start();
    discord.rate_limit_next(1, 64.57);
    let reply = send(
        "POST",
        &discord.webhook_url(),
        &[JSON],
        r#"{"content": "x"}"#,
    );
    assert_eq!(reply.status, 429);
    let body = reply.json();
    assert_eq!(body["message"], "You are being rate limited.");
    assert_eq!(body["retry_after"], 64.57);
    assert_eq!(body["global"], false);
    assert_eq!(
        reply.header("retry-after"),
        Some("65"),
        "whole seconds, rounded up"
    );
    assert_eq!(reply.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(reply.header("x-ratelimit-reset-after"), Some("64.570"));
    for h in [
        "x-ratelimit-limit",
        "x-ratelimit-reset",
        "x-ratelimit-bucket",
    ] {
        assert!(reply.header(h).is_some(), "{h} missing");
    }
    assert!(discord.messages().is_empty());
}

#[test]
fn a_spent_discord_bucket_answers_429_until_it_resets() {
    let discord = Discord::start_with_bucket(2, Duration::from_millis(800));
    let post = || {
        send(
            "POST",
            &discord.webhook_url(),
            &[JSON],
            r#"{"content": "x"}"#,
        )
    };
    assert_eq!(post().status, 204);
    assert_eq!(post().status, 204);
    let limited = post();
    assert_eq!(limited.status, 429);
    let after = limited.json()["retry_after"].as_f64().unwrap();
    assert!(after > 0.0 && after <= 0.8, "retry_after {after}");

    support::wait_for(WAIT, || (post().status == 204).then_some(()));
    assert_eq!(discord.messages().len(), 3);
}

// ---- Pushover ------------------------------------------------------------------------------

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+").replace(',', "%2C")))
        .collect::<Vec<_>>()
        .join("&")
}

fn emergency(pushover: &Pushover, tags: &str) -> String {
    let body = form(&[
        ("token", APP_TOKEN),
        ("user", USER_KEY),
        ("message", "api is down"),
        ("priority", "2"),
        ("retry", "30"),
        ("expire", "3600"),
        ("tags", tags),
    ]);
    let reply = send("POST", &pushover.messages_url(), &[FORM], &body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["receipt"].as_str().unwrap().to_string()
}

#[test]
fn a_pushover_message_is_accepted_with_status_1_and_limit_headers() {
    let pushover = Pushover::start();
    let body = form(&[
        ("token", APP_TOKEN),
        ("user", USER_KEY),
        ("message", "disk full"),
        ("title", "db1"),
    ]);
    let reply = send("POST", &pushover.messages_url(), &[FORM], &body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let answer = reply.json();
    assert_eq!(answer["status"], 1);
    assert_eq!(answer["request"].as_str().unwrap().len(), 36);
    assert!(answer.get("receipt").is_none(), "only emergencies get one");
    assert_eq!(reply.header("x-limit-app-limit"), Some("10000"));
    assert_eq!(reply.header("x-limit-app-remaining"), Some("9999"));

    let m = pushover.wait_for_messages(1, WAIT).remove(0);
    assert_eq!(
        (m.message.as_str(), m.title.as_deref()),
        ("disk full", Some("db1"))
    );
    assert_eq!(m.priority, 0);
}

#[test]
fn a_pushover_message_as_json_is_accepted() {
    let pushover = Pushover::start();
    let body = json!({"token": APP_TOKEN, "user": USER_KEY, "message": "hi", "priority": 1});
    let reply = send("POST", &pushover.messages_url(), &[JSON], &body.to_string());
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(pushover.messages()[0].priority, 1);
}

#[test]
fn a_pushover_message_with_a_bad_token_or_user_is_refused() {
    let pushover = Pushover::start();
    let body = form(&[("token", "x"), ("user", USER_KEY), ("message", "hi")]);
    let reply = send("POST", &pushover.messages_url(), &[FORM], &body);
    assert_eq!(reply.status, 400);
    let e = reply.json();
    assert_eq!(
        (&e["status"], &e["token"], &e["errors"][0]),
        (
            &json!(0),
            &json!("invalid"),
            &json!("application token is invalid")
        )
    );

    let body = form(&[("token", APP_TOKEN), ("user", "nobody"), ("message", "hi")]);
    let e = send("POST", &pushover.messages_url(), &[FORM], &body).json();
    assert_eq!(e["user"], "invalid");
    assert_eq!(e["errors"][0], "user identifier is invalid");
    assert!(pushover.messages().is_empty());
}

#[test]
fn a_pushover_emergency_without_retry_is_refused() {
    let pushover = Pushover::start();
    let body = form(&[
        ("token", APP_TOKEN),
        ("user", USER_KEY),
        ("message", "api is down"),
        ("priority", "2"),
        ("expire", "3600"),
    ]);
    let reply = send("POST", &pushover.messages_url(), &[FORM], &body);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["status"], 0);
    assert!(reply.json().get("retry").is_some(), "{}", reply.body);

    let too_often = body.clone() + "&retry=29";
    assert_eq!(
        send("POST", &pushover.messages_url(), &[FORM], &too_often).status,
        400
    );
    let too_long = form(&[
        ("token", APP_TOKEN),
        ("user", USER_KEY),
        ("message", "x"),
        ("priority", "2"),
        ("retry", "30"),
        ("expire", "10801"),
    ]);
    assert_eq!(
        send("POST", &pushover.messages_url(), &[FORM], &too_long).status,
        400
    );
    assert!(pushover.messages().is_empty());
}

#[test]
fn a_pushover_emergency_returns_a_receipt_that_a_phone_can_acknowledge() {
    let pushover = Pushover::start();
    let receipt = emergency(&pushover, "api");
    assert_eq!(receipt.len(), 30);
    assert!(receipt.bytes().all(|b| b.is_ascii_alphanumeric()));

    let before = send("GET", &pushover.receipt_url(&receipt), &[], "").json();
    assert_eq!(before["status"], 1);
    assert_eq!(before["acknowledged"], 0);
    assert_eq!(before["expired"], 0);
    assert!(before["expires_at"].as_i64().unwrap() > before["last_delivered_at"].as_i64().unwrap());

    pushover.acknowledge(&receipt, "pixel");
    let after = send("GET", &pushover.receipt_url(&receipt), &[], "").json();
    assert_eq!(after["acknowledged"], 1);
    assert_eq!(after["acknowledged_by"], USER_KEY);
    assert_eq!(after["acknowledged_by_device"], "pixel");
    assert!(after["acknowledged_at"].as_i64().unwrap() > 0);
    assert!(pushover.receipt_state(&receipt).unwrap().acknowledged);

    assert_eq!(pushover.polls(&receipt).len(), 2);
    assert_eq!(pushover.poll_intervals(&receipt).len(), 1);
}

#[test]
fn polling_a_receipt_too_fast_is_refused_only_when_asked() {
    let pushover = Pushover::start();
    let receipt = emergency(&pushover, "");
    assert_eq!(
        send("GET", &pushover.receipt_url(&receipt), &[], "").status,
        200
    );
    assert_eq!(
        send("GET", &pushover.receipt_url(&receipt), &[], "").status,
        200,
        "the docs ask for 5 s between polls but document no refusal"
    );
    pushover.refuse_fast_polls();
    assert_eq!(
        send("GET", &pushover.receipt_url(&receipt), &[], "").status,
        429
    );
    assert!(
        pushover
            .poll_intervals(&receipt)
            .iter()
            .all(|d| *d < Duration::from_secs(5))
    );
}

#[test]
fn cancelling_by_tag_cancels_the_open_receipts() {
    let pushover = Pushover::start();
    let first = emergency(&pushover, "api,db");
    let second = emergency(&pushover, "api");
    let acknowledged = emergency(&pushover, "api");
    let other = emergency(&pushover, "web");
    pushover.acknowledge(&acknowledged, "pixel");

    let url = format!("{}/1/receipts/cancel_by_tag/api.json", pushover.url());
    let reply = send("POST", &url, &[FORM], &form(&[("token", APP_TOKEN)]));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["canceled"], 2);
    assert_eq!(reply.json()["status"], 1);

    for r in [&first, &second] {
        assert!(pushover.receipt_state(r).unwrap().cancelled);
    }
    assert!(!pushover.receipt_state(&other).unwrap().cancelled);
    assert!(!pushover.receipt_state(&acknowledged).unwrap().cancelled);
    let c = pushover.cancellations();
    assert_eq!((c[0].tag.as_deref(), c[0].canceled), (Some("api"), 2));
}

#[test]
fn cancelling_one_receipt_stops_its_retries() {
    let pushover = Pushover::start();
    let receipt = emergency(&pushover, "");
    let url = format!("{}/1/receipts/{receipt}/cancel.json", pushover.url());
    let reply = send("POST", &url, &[FORM], &form(&[("token", APP_TOKEN)]));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["status"], 1);
    assert!(pushover.receipt_state(&receipt).unwrap().cancelled);

    let unknown = format!(
        "{}/1/receipts/{}/cancel.json",
        pushover.url(),
        "z".repeat(30)
    );
    let reply = send("POST", &unknown, &[FORM], &form(&[("token", APP_TOKEN)]));
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["status"], 0);
}

#[test]
fn a_pushover_app_over_its_monthly_limit_gets_429() {
    let pushover = Pushover::start();
    pushover.set_app_limit(7500, 1);
    let body = form(&[("token", APP_TOKEN), ("user", USER_KEY), ("message", "hi")]);
    let reply = send("POST", &pushover.messages_url(), &[FORM], &body);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-limit-app-remaining"), Some("0"));
    let reset: i64 = reply.header("x-limit-app-reset").unwrap().parse().unwrap();
    assert_eq!(reset % 86_400, 0, "midnight UTC");

    let reply = send("POST", &pushover.messages_url(), &[FORM], &body);
    assert_eq!(reply.status, 429);
    assert_eq!(reply.json()["status"], 0);
    assert_eq!(pushover.messages().len(), 1);
}

#[test]
fn pushover_fails_as_scripted() {
    let pushover = Pushover::start();
    pushover.fail_next(1, 500, json!({"status": 0, "errors": ["internal error"]}));
    let body = form(&[("token", APP_TOKEN), ("user", USER_KEY), ("message", "hi")]);
    assert_eq!(
        send("POST", &pushover.messages_url(), &[FORM], &body).status,
        500
    );
    assert_eq!(
        send("POST", &pushover.messages_url(), &[FORM], &body).status,
        200
    );
}
