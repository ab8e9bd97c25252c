//! A stand-in for ntfy (ntfy.sh) on 127.0.0.1: publishing by `PUT`/`POST /<topic>` with ntfy's
//! headers and by JSON to `/`, the JSON stream `GET /<topic>/json` with `since=` and `poll=1`,
//! access tokens, rate limits, and scripted failures, all answering what ntfy answers.
//!
//! Written against ntfy's own source (binwiederhier/ntfy, `server/server.go`, `types.go`,
//! `errors.go`, `actions.go`, `util.go`, `util/util.go`), not its docs alone: where the two
//! could be read differently the source wins, e.g. a publish to an invalid topic *path* is a 404
//! (no route matches) while an invalid topic in *JSON* is 40009; a missing token is 403 (an
//! anonymous visitor lacks access) while an unknown token is 401 (authentication failed); a
//! too-long text message is a 400 40014 (it would become an attachment, and attachments are
//! off), not a 413; rate-limit answers carry no `Retry-After`.
//!
//! The stand-in behaves like a self-hosted ntfy with defaults (no attachments, e-mail or calls,
//! a 4096-byte message limit, a 45 s keepalive), plus what tests need to steer it. Features it
//! does not mirror (delayed delivery, attachments, templates, `cache=no`, SSE/raw/WebSocket)
//! answer a loud 501 rather than a plausible guess.
//!
//! Threads and std sockets, like [`super::HttpServer`]: one thread accepts, one thread per
//! connection, and everything stops (connections cut, threads joined) when the [`Ntfy`] drops.
//! Where things live: `ntfy/serve.rs` (connections, routing, tokens, limits), `publish.rs`,
//! `subscribe.rs`, `actions.rs` (both action formats), `errors.rs` (ntfy's table), `http.rs`
//! (framing, and the loopback client that [`tap`] uses).

mod actions;
mod errors;
pub mod http;
mod publish;
mod serve;
mod subscribe;

use std::collections::{HashMap, VecDeque};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

pub use actions::Action;

use serve::{Outcome, authorize, check_topic_allowed, serve_connection, take_request};

/// ntfy's `DefaultKeepaliveInterval`.
const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(45);
/// ntfy's `DefaultMessageSizeLimit`, in bytes.
const DEFAULT_MESSAGE_SIZE_LIMIT: usize = 4096;
/// ntfy's `DefaultCacheDuration`: a message `expires` this long after its `time`.
const CACHE_SECONDS: i64 = 12 * 3600;
/// ntfy's `messageIDLength`.
const MESSAGE_ID_LENGTH: usize = 12;
/// ntfy's `randomStringCharset`; a `since=` of 12 of these is read as a message id.
const ID_CHARSET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// ntfy's `DefaultDisallowedTopics`: paths of its web app and API, refused as topic names.
const DISALLOWED_TOPICS: &[&str] = &[
    "docs", "static", "file", "app", "metrics", "account", "settings", "signup", "login", "v1",
];

/// A message as ntfy stores and sends it (its `message` type). Fields are in Go's order and
/// left out when empty, as its `omitempty` tags say, so [`Message::json`] is ntfy's wire form.
#[derive(Clone, Debug, Serialize)]
pub struct Message {
    pub id: String,
    pub time: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub expires: i64,
    pub event: String,
    pub topic: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// 1 to 5; 0 (left out) when the publisher gave none, which clients read as 3.
    #[serde(skip_serializing_if = "is_zero")]
    pub priority: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub click: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub icon: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub content_type: String,
    /// The `Authorization` header the publisher sent, for tests about credentials; ntfy keeps
    /// only the user it resolves to, and never sends this.
    #[serde(skip)]
    pub authorization: Option<String>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl Message {
    /// The message as subscribers receive it.
    pub fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap()
    }

    fn event(event: &str, topic: &str, id: String) -> Message {
        Message {
            id,
            time: unix_now(),
            expires: 0,
            event: event.to_string(),
            topic: topic.to_string(),
            title: String::new(),
            message: String::new(),
            priority: 0,
            tags: Vec::new(),
            click: String::new(),
            icon: String::new(),
            actions: Vec::new(),
            content_type: String::new(),
            authorization: None,
        }
    }
}

/// Which topics a token may read and write.
#[derive(Clone, Debug)]
enum Grant {
    AllTopics,
    Topics(Vec<String>),
}

/// How the stand-in is configured; the defaults are ntfy's, with no access control and no limits.
#[derive(Clone, Debug)]
pub struct NtfyOptions {
    keepalive: Duration,
    message_size_limit: usize,
    /// Empty: open to all, like ntfy without an auth file. Otherwise access control is on with
    /// `auth-default-access: deny-all`: anonymous visitors may do nothing.
    tokens: Vec<(String, Grant)>,
    request_limit: Option<u32>,
    daily_message_limit: Option<u32>,
}

impl Default for NtfyOptions {
    fn default() -> Self {
        NtfyOptions {
            keepalive: DEFAULT_KEEPALIVE,
            message_size_limit: DEFAULT_MESSAGE_SIZE_LIMIT,
            tokens: Vec::new(),
            request_limit: None,
            daily_message_limit: None,
        }
    }
}

impl NtfyOptions {
    /// How often streams send a `keepalive` event (ntfy: `keepalive-interval`, 45 s).
    pub fn keepalive(mut self, every: Duration) -> Self {
        self.keepalive = every;
        self
    }

    /// Message bodies longer than this are refused as attachments (ntfy: `message-size-limit`).
    pub fn message_size_limit(mut self, bytes: usize) -> Self {
        self.message_size_limit = bytes;
        self
    }

    /// Turns access control on and gives `token` read-write access to `topics`.
    pub fn token(mut self, token: &str, topics: &[&str]) -> Self {
        let topics = topics.iter().map(|t| t.to_string()).collect();
        self.tokens.push((token.to_string(), Grant::Topics(topics)));
        self
    }

    /// Turns access control on and gives `token` read-write access to every topic.
    pub fn token_for_all_topics(mut self, token: &str) -> Self {
        self.tokens.push((token.to_string(), Grant::AllTopics));
        self
    }

    /// Allows `n` requests, then answers 429 42901, as ntfy's visitor request limiter does once
    /// its burst is spent. Like ntfy's, it counts publishes *and* subscriptions, and it does not
    /// refill: tests decide when the limit ends (see [`Ntfy::lift_limits`]).
    pub fn request_limit(mut self, n: u32) -> Self {
        self.request_limit = Some(n);
        self
    }

    /// Allows `n` messages, then answers 429 42908, as ntfy's `visitor-message-daily-limit` does.
    pub fn daily_message_limit(mut self, n: u32) -> Self {
        self.daily_message_limit = Some(n);
        self
    }
}

/// One request the stand-in answered, for tests that count retries.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub authorization: Option<String>,
}

/// An open connection, kept so that dropping the stand-in (or [`Ntfy::drop_subscribers`]) can cut
/// it; `streaming` names the topics of a JSON stream.
struct Conn {
    socket: TcpStream,
    streaming: Option<Vec<String>>,
}

struct State {
    /// Every message published, in order; a message's index plus one is ntfy's row id, which
    /// `since=<id>` compares.
    log: Vec<Message>,
    requests_left: Option<u32>,
    messages_left: Option<u32>,
    /// Statuses the next publishes answer instead of being handled, front first.
    scripted: VecDeque<u16>,
    attempts: Vec<Attempt>,
    conns: HashMap<u64, Conn>,
    rng: u64,
}

struct Shared {
    options: NtfyOptions,
    state: Mutex<State>,
    /// Signalled when a message is published, a connection opens or closes, or the stand-in stops.
    changed: Condvar,
    stopping: AtomicBool,
    next_conn: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `util.RandomString`: ids from ntfy's charset (xorshift; uniqueness is all tests need).
    fn random_id(&self, len: usize) -> String {
        let mut st = self.lock();
        (0..len)
            .map(|_| {
                st.rng ^= st.rng << 13;
                st.rng ^= st.rng >> 7;
                st.rng ^= st.rng << 17;
                ID_CHARSET[(st.rng % ID_CHARSET.len() as u64) as usize] as char
            })
            .collect()
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}

/// A running ntfy stand-in on 127.0.0.1; stops when dropped.
pub struct Ntfy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
    workers: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Ntfy {
    pub fn start() -> Ntfy {
        Self::start_with(NtfyOptions::default())
    }

    pub fn start_with(options: NtfyOptions) -> Ntfy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            | 1;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                log: Vec::new(),
                requests_left: options.request_limit,
                messages_left: options.daily_message_limit,
                scripted: VecDeque::new(),
                attempts: Vec::new(),
                conns: HashMap::new(),
                rng: seed,
            }),
            options,
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            next_conn: AtomicU64::new(0),
        });
        let workers = Arc::new(Mutex::new(Vec::new()));
        let (sh, ws) = (shared.clone(), workers.clone());
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sh.stopping() {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let sh = sh.clone();
                let worker = std::thread::spawn(move || serve_connection(&sh, conn));
                ws.lock().unwrap().push(worker);
            }
        });
        Ntfy {
            addr,
            shared,
            accept: Some(accept),
            workers,
        }
    }

    /// The base URL, `http://127.0.0.1:PORT` (no trailing slash), as a client is configured.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn topic_url(&self, topic: &str) -> String {
        format!("{}/{topic}", self.url())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every message published to `topic`, oldest first.
    pub fn messages(&self, topic: &str) -> Vec<Message> {
        let st = self.shared.lock();
        st.log
            .iter()
            .filter(|m| m.topic == topic)
            .cloned()
            .collect()
    }

    /// The first message on `topic`, waiting up to `limit` for it to be published.
    pub fn wait_for_message(&self, topic: &str, limit: Duration) -> Message {
        self.wait_for_messages(topic, 1, limit).remove(0)
    }

    /// The messages on `topic` once there are at least `count`, waiting up to `limit`. Woken by
    /// each publish rather than by polling on a timer.
    pub fn wait_for_messages(&self, topic: &str, count: usize, limit: Duration) -> Vec<Message> {
        let deadline = Instant::now() + limit;
        let mut st = self.shared.lock();
        loop {
            let found: Vec<Message> = st
                .log
                .iter()
                .filter(|m| m.topic == topic)
                .cloned()
                .collect();
            if found.len() >= count {
                return found;
            }
            let now = Instant::now();
            assert!(
                now < deadline,
                "ntfy stand-in: {} of {count} message(s) on {topic:?} after {limit:?}; requests seen: {:#?}",
                found.len(),
                st.attempts
            );
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap()
                .0;
        }
    }

    /// The next `count` publishes answer `status` (with ntfy's error JSON) and are not stored:
    /// for "the channel fails, then recovers" tests.
    pub fn fail_next(&self, count: usize, status: u16) {
        self.shared
            .lock()
            .scripted
            .extend(std::iter::repeat_n(status, count));
    }

    /// Ends the rate limits set in [`NtfyOptions`], as if the visitor's buckets had refilled.
    pub fn lift_limits(&self) {
        let mut st = self.shared.lock();
        st.requests_left = None;
        st.messages_left = None;
    }

    /// Every request answered so far, in order.
    pub fn attempts(&self) -> Vec<Attempt> {
        self.shared.lock().attempts.clone()
    }

    /// How many JSON streams are open on `topic` now.
    pub fn subscribers(&self, topic: &str) -> usize {
        let st = self.shared.lock();
        st.conns
            .values()
            .filter(|c| {
                c.streaming
                    .as_ref()
                    .is_some_and(|t| t.iter().any(|t| t == topic))
            })
            .count()
    }

    /// Waits until at least `count` streams are open on `topic`.
    pub fn wait_for_subscribers(&self, topic: &str, count: usize, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.subscribers(topic) < count {
            let now = Instant::now();
            assert!(
                now < deadline,
                "ntfy stand-in: fewer than {count} subscriber(s) on {topic:?} after {limit:?}"
            );
            let st = self.shared.lock();
            let _ = self
                .shared
                .changed
                .wait_timeout(st, (deadline - now).min(Duration::from_millis(50)));
        }
    }

    /// Cuts every open stream, as a lost network would, and returns once they are gone (so a
    /// following [`Ntfy::wait_for_subscribers`] sees only new ones); the messages stay for
    /// `since=`.
    pub fn drop_subscribers(&self) {
        let mut st = self.shared.lock();
        let cut: Vec<u64> = st
            .conns
            .iter()
            .filter(|(_, c)| c.streaming.is_some())
            .map(|(id, c)| {
                let _ = c.socket.shutdown(Shutdown::Both);
                *id
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(10);
        while cut.iter().any(|id| st.conns.contains_key(id)) {
            let now = Instant::now();
            assert!(now < deadline, "ntfy stand-in: a cut stream did not end");
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap()
                .0;
        }
    }
}

impl Drop for Ntfy {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        {
            let st = self.shared.lock();
            for c in st.conns.values() {
                let _ = c.socket.shutdown(Shutdown::Both);
            }
        }
        self.shared.changed.notify_all();
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        for w in self.workers.lock().unwrap().drain(..) {
            let _ = w.join();
        }
    }
}

/// Sends the request an `http` action button describes, as the ntfy apps do when it is tapped:
/// its method (POST when none is given), URL, headers and body. Returns the status. Panics on
/// anything but loopback.
pub fn tap(action: &Action) -> u16 {
    assert_eq!(
        action.action, "http",
        "only http actions send a request: {action:?}"
    );
    let method = if action.method.is_empty() {
        "POST"
    } else {
        &action.method
    };
    let headers: Vec<(&str, &str)> = action
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    http::send(method, &action.url, &headers, &action.body).status
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Go's `encoding/json` output: serde's, with `<`, `>`, `&`, U+2028 and U+2029 escaped as Go's
/// HTML-safe encoder does (they only occur inside strings, so replacing them is safe), and the
/// newline `json.Encoder` ends each value with.
fn go_json(value: &impl Serialize) -> String {
    let s = serde_json::to_string(value).unwrap();
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('\n');
    out
}

/// `topicRegex`: 1 to 64 of `[-_A-Za-z0-9]`.
fn valid_topic(t: &str) -> bool {
    (1..=64).contains(&t.len())
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
