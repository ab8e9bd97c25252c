//! Just enough HTTP/1.1 for the ntfy stand-in, over std sockets: reading a request (with
//! `Content-Length` or chunked bodies, and keep-alive, as Go's server allows), writing a whole or
//! a chunked response, and a client for the tests and for tapping action buttons. The SaaS
//! stand-ins (`support/slack.rs`, `discord.rs`, `pushover.rs`) reuse it through [`Answer`] (a
//! response with headers of its own choosing) and [`Server`] (an accept loop that calls one
//! handler per request and stops on drop).
//!
//! Hand-written rather than a dependency because the stand-in must control the framing byte by
//! byte (ntfy's streams are chunked, an empty poll answers `Content-Length: 0`), and because the
//! client must refuse anything but loopback.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Requests bigger than this are cut off: far above anything ntfy accepts, small enough that a
/// runaway test cannot exhaust memory.
const MAX_BODY: usize = 1 << 20;

/// One parsed request. Header names keep their case; lookups ignore it, as Go's `Header.Get` does.
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a header, whatever the case of its name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Replaces a header (Go's `Header.Set`), as ntfy's JSON publishing rewrites the request.
    pub fn set_header(&mut self, name: &str, value: String) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value));
    }

    /// The first value of a query parameter (Go's `URL.Query().Get`: exact, lower-case names).
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn wants_close(&self) -> bool {
        self.header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }
}

/// Reads the next request on a connection; `None` when the client has gone (or sent garbage).
pub fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let line = read_line(reader)?;
    let mut parts = line.split(' ');
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), parse_query(q)),
        None => (target, Vec::new()),
    };
    let mut req = Request {
        method,
        path: percent_decode(&path, false),
        query,
        headers,
        body: Vec::new(),
    };
    if req
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        reader
            .get_mut()
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .ok()?;
    }
    if req
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        req.body = read_chunked(reader)?;
    } else if let Some(len) = req.header("content-length") {
        let len: usize = len.parse().ok()?;
        if len > MAX_BODY {
            return None;
        }
        let mut body = vec![0; len];
        reader.read_exact(&mut body).ok()?;
        req.body = body;
    }
    Some(req)
}

/// Whether the connection may carry another request after this one.
pub fn keep_alive(req: &Request) -> bool {
    !req.wants_close()
}

fn read_line(reader: &mut impl BufRead) -> Option<String> {
    let mut buf = Vec::new();
    if reader.read_until(b'\n', &mut buf).ok()? == 0 {
        return None;
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    // Header values may carry raw UTF-8 (Go keeps the bytes as they came); keep them readable.
    Some(String::from_utf8_lossy(&buf).into_owned())
}

fn read_chunked(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let size_line = read_line(reader)?;
        let size = usize::from_str_radix(size_line.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            // Trailers, then the blank line.
            while !read_line(reader)?.is_empty() {}
            return Some(body);
        }
        if body.len() + size > MAX_BODY {
            return None;
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).ok()?;
        read_line(reader)?;
    }
}

pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// `%XX` decoding; in a query `+` is a space, as Go's `url.ParseQuery` reads it.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi * 16 + lo) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        413 => "Request Entity Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        507 => "Insufficient Storage",
        _ => "Status",
    }
}

/// The headers ntfy sets on every API answer (`Access-Control-Allow-Origin` is `*` by default).
fn head(status: u16, content_type: &str, framing: &str) -> String {
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nAccess-Control-Allow-Origin: *\r\n{framing}\r\n",
        reason(status)
    )
}

/// A whole response with a `Content-Length`.
pub fn write_response(
    w: &mut impl Write,
    status: u16,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let mut out = head(
        status,
        content_type,
        &format!("Content-Length: {}\r\n", body.len()),
    )
    .into_bytes();
    out.extend_from_slice(body);
    w.write_all(&out)?;
    w.flush()
}

/// The head of a chunked response: what Go sends when a handler flushes before it returns.
pub fn start_chunked(w: &mut impl Write, status: u16, content_type: &str) -> std::io::Result<()> {
    w.write_all(head(status, content_type, "Transfer-Encoding: chunked\r\n").as_bytes())?;
    w.flush()
}

pub fn write_chunk(w: &mut impl Write, data: &[u8]) -> std::io::Result<()> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    w.write_all(&out)?;
    w.flush()
}

pub fn end_chunked(w: &mut impl Write) -> std::io::Result<()> {
    w.write_all(b"0\r\n\r\n")?;
    w.flush()
}

// ---- server for the other stand-ins -------------------------------------------------------

/// A response as a stand-in builds it: the status, exactly the headers given (no CORS header, unlike
/// ntfy's [`write_response`]), and the body. `Content-Length` is added, except on a `204`, which
/// has neither a length nor a body (RFC 9110, 15.3.5).
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn new(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A body with its `Content-Type`.
    pub fn body(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Answer {
        Answer::new(status)
            .header("Content-Type", content_type)
            .with_body(body)
    }

    /// A JSON body, serialized compactly.
    pub fn json(status: u16, value: &serde_json::Value) -> Answer {
        Answer::body(status, "application/json", value.to_string())
    }

    pub fn header(mut self, name: &str, value: impl ToString) -> Answer {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Answer {
        self.body = body.into();
        self
    }

    fn write(&self, w: &mut impl Write) -> std::io::Result<()> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        if self.status != 204 {
            out.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        if self.status != 204 {
            bytes.extend_from_slice(&self.body);
        }
        w.write_all(&bytes)?;
        w.flush()
    }
}

type Handler = dyn Fn(&Request) -> Answer + Send + Sync;

/// An HTTP server on 127.0.0.1 (any free port) calling `handler` for each request: one thread
/// accepts, one thread per connection (kept alive between requests, as the real services allow).
/// Dropping it cuts every open connection and joins every thread.
pub struct Server {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    conns: Arc<Mutex<HashMap<u64, TcpStream>>>,
    accept: Option<JoinHandle<()>>,
    workers: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Server {
    pub fn start(handler: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let stopping = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<HashMap<u64, TcpStream>>> = Arc::default();
        let workers: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let (stop, cs, ws) = (stopping.clone(), conns.clone(), workers.clone());
        let accept = std::thread::spawn(move || {
            let next = AtomicU64::new(0);
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let Ok(clone) = conn.try_clone() else {
                    continue;
                };
                let id = next.fetch_add(1, Ordering::SeqCst);
                cs.lock().unwrap().insert(id, clone);
                if stop.load(Ordering::SeqCst) {
                    // Dropped between accept and insert: its cut would have missed this one.
                    let _ = conn.shutdown(Shutdown::Both);
                }
                let (handler, cs, stop) = (handler.clone(), cs.clone(), stop.clone());
                let worker = std::thread::spawn(move || {
                    let mut reader = BufReader::new(conn);
                    while !stop.load(Ordering::SeqCst) {
                        let Some(req) = read_request(&mut reader) else {
                            break;
                        };
                        let answer = handler(&req);
                        if answer.write(reader.get_mut()).is_err() || !keep_alive(&req) {
                            break;
                        }
                    }
                    cs.lock().unwrap().remove(&id);
                });
                ws.lock().unwrap().push(worker);
            }
        });
        Server {
            addr,
            stopping,
            conns,
            accept: Some(accept),
            workers,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        for c in self.conns.lock().unwrap().values() {
            let _ = c.shutdown(Shutdown::Both);
        }
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        for w in self.workers.lock().unwrap().drain(..) {
            let _ = w.join();
        }
    }
}

// ---- client ------------------------------------------------------------------------------

/// An answer read by [`send`].
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

/// Splits `http://127.0.0.1:PORT/path?q` into the address and the request target. Anything but
/// loopback panics: these tests never talk to the outside world, even if a message says to.
fn loopback(url: &str) -> (String, String) {
    let rest = url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("only plain http on loopback is tapped, not {url}"));
    let (authority, target) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "80"));
    assert!(
        host == "127.0.0.1" || host == "localhost",
        "refusing to send a request to {host}: the tests only talk to 127.0.0.1"
    );
    (format!("127.0.0.1:{port}"), target.to_string())
}

/// Opens a connection and sends one request; `Connection: close` so the answer ends with the
/// connection whatever its framing.
fn open(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> TcpStream {
    let (addr, target) = loopback(url);
    let mut conn = TcpStream::connect(&addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    conn.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    conn.write_all(&bytes).expect("send request");
    conn
}

fn read_head(reader: &mut impl BufRead) -> (u16, Vec<(String, String)>) {
    let status_line = read_line(reader).expect("no status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let mut headers = Vec::new();
    while let Some(line) = read_line(reader) {
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    (status, headers)
}

/// Sends one request to a loopback URL and reads the whole answer.
pub fn send(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let conn = open(method, url, headers, body.as_bytes());
    let mut reader = BufReader::new(conn);
    let (status, headers) = read_head(&mut reader);
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        read_chunked(&mut reader).expect("bad chunked body")
    } else {
        let mut body = Vec::new();
        let _ = reader.read_to_end(&mut body);
        body
    };
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A response read line by line as it arrives: an ntfy JSON stream seen from a subscriber.
pub struct LineStream {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    reader: BufReader<TcpStream>,
    pending: Vec<u8>,
    chunked: bool,
}

impl LineStream {
    pub fn open(url: &str, headers: &[(&str, &str)]) -> LineStream {
        let conn = open("GET", url, headers, b"");
        let mut reader = BufReader::new(conn);
        let (status, headers) = read_head(&mut reader);
        let chunked = headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
        });
        LineStream {
            status,
            headers,
            reader,
            pending: Vec::new(),
            chunked,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The next line of the body, waiting at most `limit`; `None` at the end of the stream or
    /// when nothing came in time.
    pub fn next_line(&mut self, limit: Duration) -> Option<String> {
        self.reader.get_ref().set_read_timeout(Some(limit)).ok()?;
        loop {
            if let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=i).collect();
                return Some(String::from_utf8_lossy(&line[..i]).into_owned());
            }
            if self.chunked {
                let size_line = read_line(&mut self.reader)?;
                let size = usize::from_str_radix(size_line.trim(), 16).ok()?;
                if size == 0 {
                    return None;
                }
                let start = self.pending.len();
                self.pending.resize(start + size, 0);
                self.reader.read_exact(&mut self.pending[start..]).ok()?;
                read_line(&mut self.reader)?;
            } else {
                let mut buf = [0u8; 4096];
                match self.reader.read(&mut buf) {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                }
            }
        }
    }

    /// The next line parsed as JSON (an ntfy event).
    pub fn next_event(&mut self, limit: Duration) -> Option<serde_json::Value> {
        let line = self.next_line(limit)?;
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}")))
    }
}
