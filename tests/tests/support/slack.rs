//! A stand-in for a Slack incoming webhook on 127.0.0.1: `POST /services/T…/B…/…` with a JSON
//! body (or a form with a `payload` field holding the JSON), answered the way Slack answers:
//! `200` with the plain body `ok`, or an error *string* as the whole body under an HTTP status,
//! and `429` with `Retry-After` when rate limited. It keeps every accepted message and can be
//! scripted to fail, to rate limit, or to behave as a webhook that has been deleted.
//!
//! What it is based on (no live Slack here; sources named so a reader can check them):
//! - Slack's changelog "Improving error conditions for Incoming Webhooks" (2016-05-17), which gives
//!   the statuses: `400 invalid_payload`, `400 user_not_found`, `403 action_prohibited`,
//!   `404 channel_not_found`, `410 channel_is_archived`, `500 rollup_error`.
//! - The error list of "Sending messages using incoming webhooks" (api.slack.com/messaging/webhooks,
//!   now docs.slack.dev), which adds `posting_to_general_channel_denied`, `too_many_attachments`
//!   (more than 100), `no_service` (webhook disabled, removed or invalid), `no_service_id`,
//!   `no_team`, `team_disabled` and `invalid_token`, *without* statuses. The statuses used here for
//!   those are the ones clients observe and encode (e.g. `404 no_service` for a deleted webhook,
//!   `403 invalid_token`); they are marked in [`SlackError`] as not documented.
//! - `no_text` for a well-formed payload with neither `text` nor `blocks` (nor `attachments`): what
//!   the service answers and client libraries list, though the page's table does not.
//! - Slack's rate-limit page: incoming webhooks allow about one message per second (with bursts);
//!   over it Slack answers `429 Too Many Requests` with a `Retry-After` header in seconds. The
//!   stand-in never limits on its own (the limit is approximate and undocumented in detail); tests
//!   script it with [`Slack::rate_limit_next`]. The body of that `429` is not documented; `rate_limited`
//!   (the Web API's error name) is used.
//! - Bodies are sent as `text/html`, as Slack's webhook endpoint labels them; python-slack-sdk's mock
//!   (`tests/slack_sdk/webhook/mock_web_api_server.py`) answers `200 ok` the same way.
//!
//! Anything it does not mirror (other paths, other methods) gets a loud `501`, not a plausible guess.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::ntfy::http::{Answer, Request, Server, parse_query};
use super::wait_for;

/// Slack's limit on legacy attachments per message.
const MAX_ATTACHMENTS: usize = 100;

/// An error string Slack returns for a webhook, with the status it comes under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlackError {
    /// 400: the body is not JSON (or not a form with a JSON `payload`), or not an object.
    InvalidPayload,
    /// 400: no `text`, `blocks` or `attachments`. Status not in the docs' table.
    NoText,
    /// 400 (changelog).
    UserNotFound,
    /// 404 (changelog).
    ChannelNotFound,
    /// 410 (changelog).
    ChannelIsArchived,
    /// 403 (changelog).
    ActionProhibited,
    /// 403: status not documented.
    PostingToGeneralChannelDenied,
    /// 400: more than 100 attachments; status not documented.
    TooManyAttachments,
    /// 404: the webhook was disabled or removed; status not documented (observed).
    NoService,
    /// 400: status not documented.
    NoServiceId,
    /// 400: status not documented.
    NoTeam,
    /// 410: the workspace is no longer active; status not documented.
    TeamDisabled,
    /// 403: the token in the URL is not usable (revoked); status not documented (observed).
    InvalidToken,
    /// 500 (changelog).
    RollupError,
}

impl SlackError {
    pub fn status(self) -> u16 {
        use SlackError::*;
        match self {
            InvalidPayload | NoText | UserNotFound | TooManyAttachments | NoServiceId | NoTeam => {
                400
            }
            ActionProhibited | PostingToGeneralChannelDenied | InvalidToken => 403,
            ChannelNotFound | NoService => 404,
            ChannelIsArchived | TeamDisabled => 410,
            RollupError => 500,
        }
    }

    pub fn body(self) -> &'static str {
        use SlackError::*;
        match self {
            InvalidPayload => "invalid_payload",
            NoText => "no_text",
            UserNotFound => "user_not_found",
            ChannelNotFound => "channel_not_found",
            ChannelIsArchived => "channel_is_archived",
            ActionProhibited => "action_prohibited",
            PostingToGeneralChannelDenied => "posting_to_general_channel_denied",
            TooManyAttachments => "too_many_attachments",
            NoService => "no_service",
            NoServiceId => "no_service_id",
            NoTeam => "no_team",
            TeamDisabled => "team_disabled",
            InvalidToken => "invalid_token",
            RollupError => "rollup_error",
        }
    }
}

/// A message Slack accepted.
#[derive(Clone, Debug)]
pub struct SlackMessage {
    pub text: Option<String>,
    pub blocks: Option<Value>,
    /// The whole payload as parsed (`username`, `icon_emoji`, `attachments`, …).
    pub payload: Value,
    pub content_type: Option<String>,
}

/// One request the stand-in answered, accepted or not.
#[derive(Clone, Debug)]
pub struct SlackAttempt {
    pub at: Instant,
    pub path: String,
    pub status: u16,
    pub body: String,
    pub retry_after: Option<u64>,
}

#[derive(Clone)]
enum Scripted {
    Fail(u16, String),
    RateLimit(u64),
}

#[derive(Default)]
struct State {
    messages: Vec<SlackMessage>,
    attempts: Vec<SlackAttempt>,
    script: VecDeque<Scripted>,
    /// Every request answers this from now on: the webhook is gone.
    revoked: Option<SlackError>,
}

/// A Slack incoming webhook on loopback; stops when dropped.
pub struct Slack {
    server: Server,
    path: String,
    state: Arc<Mutex<State>>,
}

impl Slack {
    pub fn start() -> Slack {
        // The shape of a real webhook URL: team id, bot (service) id, 24-character secret.
        let path = "/services/T0KLAXON00/B0KLAXON01/kLaXoNsTaNdInWeBhOoK0001".to_string();
        let state: Arc<Mutex<State>> = Arc::default();
        let (st, p) = (state.clone(), path.clone());
        let server = Server::start(move |req| handle(&st, &p, req));
        Slack {
            server,
            path,
            state,
        }
    }

    /// The webhook URL to configure, `http://127.0.0.1:PORT/services/T…/B…/…`.
    pub fn webhook_url(&self) -> String {
        format!("{}{}", self.server.url(), self.path)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn messages(&self) -> Vec<SlackMessage> {
        self.lock().messages.clone()
    }

    /// The accepted messages once there are at least `count`, waiting up to `limit`.
    pub fn wait_for_messages(&self, count: usize, limit: Duration) -> Vec<SlackMessage> {
        wait_for(limit, || {
            let got = self.messages();
            (got.len() >= count).then_some(got)
        })
    }

    /// Every request answered so far, in order.
    pub fn attempts(&self) -> Vec<SlackAttempt> {
        self.lock().attempts.clone()
    }

    /// The next `n` posts answer `status` with the plain-text `body` (one of [`SlackError`]'s
    /// strings, say) and are not stored.
    pub fn fail_next(&self, n: usize, status: u16, body: &str) {
        let step = Scripted::Fail(status, body.to_string());
        self.lock().script.extend(std::iter::repeat_n(step, n));
    }

    /// The next `n` posts answer `429` with `Retry-After: retry_after_secs`.
    pub fn rate_limit_next(&self, n: usize, retry_after_secs: u64) {
        let step = Scripted::RateLimit(retry_after_secs);
        self.lock().script.extend(std::iter::repeat_n(step, n));
    }

    /// The webhook is deleted (the app removed from the workspace): every post from now on gets
    /// `404 no_service`.
    pub fn revoke(&self) {
        self.lock().revoked = Some(SlackError::NoService);
    }

    /// The webhook's token is revoked: every post from now on gets `403 invalid_token`.
    pub fn revoke_token(&self) {
        self.lock().revoked = Some(SlackError::InvalidToken);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn error(e: SlackError) -> Answer {
    Answer::body(e.status(), "text/html", e.body())
}

fn handle(state: &Mutex<State>, path: &str, req: &Request) -> Answer {
    let answer = answer(state, path, req);
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    st.attempts.push(SlackAttempt {
        at: Instant::now(),
        path: req.path.clone(),
        status: answer.status,
        body: String::from_utf8_lossy(&answer.body).into_owned(),
        retry_after: answer
            .headers
            .iter()
            .find(|(k, _)| k == "Retry-After")
            .and_then(|(_, v)| v.parse().ok()),
    });
    answer
}

fn answer(state: &Mutex<State>, path: &str, req: &Request) -> Answer {
    if !req.path.starts_with("/services/") {
        return Answer::body(
            501,
            "text/plain",
            format!("the Slack stand-in serves only {path}"),
        );
    }
    if req.method != "POST" {
        return Answer::body(
            501,
            "text/plain",
            "the Slack stand-in mirrors only POST to a webhook",
        );
    }
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = st.revoked {
        return error(e);
    }
    if req.path != path {
        // An unknown webhook under /services/: Slack's answer for one that does not exist.
        return error(SlackError::NoService);
    }
    match st.script.pop_front() {
        Some(Scripted::Fail(status, body)) => return Answer::body(status, "text/html", body),
        Some(Scripted::RateLimit(secs)) => {
            return Answer::body(429, "text/html", "rate_limited").header("Retry-After", secs);
        }
        None => {}
    }
    let payload = match parse_payload(req) {
        Ok(p) => p,
        Err(e) => return error(e),
    };
    let non_empty_text = payload["text"].as_str().is_some_and(|t| !t.is_empty());
    let blocks = payload["blocks"].as_array().filter(|b| !b.is_empty());
    let attachments = payload["attachments"].as_array();
    if attachments.is_some_and(|a| a.len() > MAX_ATTACHMENTS) {
        return error(SlackError::TooManyAttachments);
    }
    if !non_empty_text && blocks.is_none() && attachments.is_none_or(|a| a.is_empty()) {
        return error(SlackError::NoText);
    }
    st.messages.push(SlackMessage {
        text: payload["text"].as_str().map(str::to_string),
        blocks: payload.get("blocks").cloned(),
        content_type: req.header("content-type").map(str::to_string),
        payload,
    });
    Answer::body(200, "text/html", "ok")
}

/// The JSON object Slack reads: the body itself, or a form's `payload` field (the docs' older
/// `payload=` form, still accepted).
fn parse_payload(req: &Request) -> Result<Value, SlackError> {
    let form = req
        .header("content-type")
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let json = if form {
        let fields = parse_query(&String::from_utf8_lossy(&req.body));
        let Some((_, payload)) = fields.into_iter().find(|(k, _)| k == "payload") else {
            return Err(SlackError::InvalidPayload);
        };
        serde_json::from_str::<Value>(&payload)
    } else {
        serde_json::from_slice::<Value>(&req.body)
    };
    match json {
        Ok(v) if v.is_object() => Ok(v),
        _ => Err(SlackError::InvalidPayload),
    }
}
