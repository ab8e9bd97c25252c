//! The HTTP(S) probe: one request, judged on status, body, one JSON field and latency.
//!
//! It owns one `reqwest::Client` per monitor, built so that every check measures the real
//! thing: no idle connection is kept (`pool_max_idle_per_host(0)`), so each check pays DNS,
//! connect and TLS like a visitor would and a stale pooled connection can never raise a false
//! alarm (and, the connection living for one request, no TCP keep-alive is set up on it); no
//! system proxy, because a proxy that is down is not the service being down; rustls with the
//! webpki roots plus the monitor's optional `ca_file`. Names are resolved by our own resolver
//! so a failed lookup reaches us as a type, not as a library's message text.
//!
//! Hostile servers are bounded here: the whole exchange runs under the monitor's timeout, the
//! body is streamed and kept only up to `max_body_bytes`, and redirects stop after
//! `max_redirects`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, redirect};
use tokio::time::Instant;
use url::Url;

use super::{Failure, failed, human_duration, human_size, sample, tls};
use crate::domain::monitor::{Evidence, HttpCheck, HttpExpect, Sample, StatusRange};
use crate::error::{Error, Result};

/// How much of the body the evidence keeps, in characters.
const EXCERPT_CHARS: usize = 300;
/// When the status already failed the check, the body is only wanted for the excerpt: read at
/// most this much, for at most this long, so a slow error page cannot hide the status.
const ERROR_BODY_BYTES: usize = 4 * 1024;
const ERROR_BODY_WAIT: Duration = Duration::from_millis(500);

/// The redirect policy's error, recognised in the error chain by its type.
#[derive(Debug)]
pub(crate) struct TooManyRedirects(usize);

impl fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "too many redirects (more than {})", self.0)
    }
}

impl std::error::Error for TooManyRedirects {}

/// Resolves with the system resolver, failing with our own [`super::ResolveFailed`].
struct SystemResolver;

impl reqwest::dns::Resolve for SystemResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port in.
            let addrs = super::resolve(&host, 0).await?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

pub(crate) struct HttpProbe {
    client: reqwest::Client,
    /// The monitor's URL without its user and password: those travel only in `credentials`,
    /// so no error message built from the URL can carry the password.
    url: Url,
    credentials: Option<Credentials>,
    method: Method,
    headers: HeaderMap,
    body: Option<String>,
    expect: HttpExpect,
    max_body_bytes: usize,
}

/// Basic-auth credentials from the URL's userinfo (`https://admin:PASSWORD@host/`), decoded,
/// with a `{secret:NAME}` password read from the keyring.
struct Credentials {
    user: String,
    password: Option<String>,
}

/// Takes the user and password out of `url`.
fn split_credentials(url: &Url) -> Result<(Url, Option<Credentials>)> {
    if url.username().is_empty() && url.password().is_none() {
        return Ok((url.clone(), None));
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let password = match url.password() {
        Some(password) => Some(crate::secrets::resolve(&decode(password))?),
        None => None,
    };
    let credentials = Credentials {
        user: decode(url.username()),
        password,
    };
    let mut bare = url.clone();
    // Both only fail for URLs that cannot carry a user, and this one does.
    let _ = bare.set_username("");
    let _ = bare.set_password(None);
    Ok((bare, Some(credentials)))
}

/// What the exchange got to before it ended, kept outside the timed future so that a timeout
/// can still report the status and the start of the body.
#[derive(Default)]
struct Seen {
    status: Option<StatusCode>,
    remote: Option<String>,
    cert_expires: Option<Timestamp>,
    body: Vec<u8>,
}

impl HttpProbe {
    pub(crate) fn new(monitor: &str, check: &HttpCheck) -> Result<HttpProbe> {
        let setup = |reason: String| Error::ProbeSetup {
            monitor: monitor.into(),
            reason,
        };
        let method = Method::from_bytes(check.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| setup(format!("{:?} is not an HTTP method", check.method)))?;
        let mut headers = HeaderMap::new();
        for (name, value) in &check.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| setup(format!("{name:?} is not a valid header name")))?;
            // The value may hold a secret (a bearer token): never put it in a message.
            let value = crate::secrets::resolve(value)?;
            let mut value = HeaderValue::from_str(&value).map_err(|_| {
                setup(format!(
                    "the value of header {name:?} is not valid (only visible ASCII is allowed)"
                ))
            })?;
            value.set_sensitive(true);
            headers.append(header, value);
        }

        // `max_redirects = 0` means "do not follow": the 3xx itself is judged by its status.
        let max_redirects = check.max_redirects;
        let policy = if max_redirects == 0 {
            redirect::Policy::none()
        } else {
            redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > max_redirects {
                    attempt.error(TooManyRedirects(max_redirects))
                } else {
                    attempt.follow()
                }
            })
        };
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(concat!("Klaxon/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(0)
            // reqwest's TCP keep-alive and user timeout (five `setsockopt`s per connection, a
            // fifth of the client's syscalls) guard long-lived pooled connections; ours lives
            // for one request, under the monitor's own timeout.
            .tcp_keepalive(None)
            .tcp_keepalive_interval(None)
            .tcp_keepalive_retries(None)
            .tcp_user_timeout(None)
            .no_proxy()
            .redirect(policy)
            .tls_info(true)
            .dns_resolver(Arc::new(SystemResolver))
            .danger_accept_invalid_certs(!check.verify_tls);
        if let Some(path) = &check.ca_file {
            for der in tls::load_ca_file(monitor, path)? {
                let cert = reqwest::Certificate::from_der(&der)
                    .map_err(|e| setup(format!("cannot use the CA certificate: {e}")))?;
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| setup(format!("cannot build the HTTP client: {e}")))?;
        let (url, credentials) = split_credentials(&check.url)?;
        Ok(HttpProbe {
            client,
            url,
            credentials,
            method,
            headers,
            body: check.body.clone(),
            expect: check.expect.clone(),
            max_body_bytes: check.max_body_bytes,
        })
    }

    pub(crate) async fn check(&self, now: Timestamp, timeout: Duration) -> Sample {
        let start = Instant::now();
        let mut seen = Seen::default();
        let outcome = tokio::time::timeout(timeout, self.exchange(now, &mut seen)).await;
        let latency = start.elapsed();
        let result = match outcome {
            Ok(result) => result,
            Err(_) if seen.status.is_some() => Err(Failure::Target(format!(
                "timed out after {} while reading the body",
                human_duration(timeout)
            ))),
            Err(_) => Err(Failure::Target(format!(
                "timed out after {}",
                human_duration(timeout)
            ))),
        };
        let evidence = Evidence {
            status: seen.status.map(|s| s.as_u16()),
            body_excerpt: excerpt(&seen.body),
            remote: seen.remote.take(),
            cert_expires: seen.cert_expires,
            ..Evidence::default()
        };
        let verdict = result.and_then(|status| {
            self.judge(status, &seen.body, latency)
                .map_err(Failure::Target)
        });
        match verdict {
            Ok(reason) => sample(true, now, latency, reason, evidence),
            Err(failure) => failed(now, latency, failure, evidence),
        }
    }

    /// Sends the request and reads the body into `seen.body`. Returns the status when it is an
    /// expected one and the whole body fit; otherwise the failure's sentence, or a fault on
    /// this machine.
    async fn exchange(&self, now: Timestamp, seen: &mut Seen) -> Result<StatusCode, Failure> {
        let mut request = self
            .client
            .request(self.method.clone(), self.url.clone())
            .headers(self.headers.clone());
        if let Some(body) = &self.body {
            request = request.body(body.clone());
        }
        if let Some(c) = &self.credentials {
            // Marked sensitive by reqwest, and dropped by it on a redirect to another host.
            request = request.basic_auth(&c.user, c.password.as_ref());
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                seen.cert_expires = tls::expiry_in_error(&e);
                return Err(Failure::of(&e, now));
            }
        };
        let status = response.status();
        seen.status = Some(status);
        seen.remote = response.remote_addr().map(|a| a.to_string());
        seen.cert_expires = response
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|info| info.peer_certificate())
            .and_then(tls::not_after);

        if !self.expect.status.contains(status.as_u16()) {
            // Best effort: the status is the news, the body only illustrates it.
            let excerpt = read_body(&mut response, ERROR_BODY_BYTES, &mut seen.body);
            let _ = tokio::time::timeout(ERROR_BODY_WAIT, excerpt).await;
            return Err(status_reason(status, self.expect.status).into());
        }

        let too_large = format!(
            "response body larger than {}",
            human_size(self.max_body_bytes)
        );
        // A declared length over the cap fails at once, without reading a byte of it.
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body_bytes as u64)
        {
            return Err(too_large.into());
        }
        match read_body(&mut response, self.max_body_bytes, &mut seen.body).await {
            Ok(()) => Ok(status),
            Err(BodyError::TooLarge) => Err(too_large.into()),
            Err(BodyError::Read(e)) => match Failure::of(&e, now) {
                Failure::Local(fault) => Err(Failure::Local(fault)),
                Failure::Target(reason) => Err(format!("{reason} while reading the body").into()),
            },
        }
    }

    /// Judges a complete response; the success sentence or the first failed expectation.
    fn judge(&self, status: StatusCode, body: &[u8], latency: Duration) -> Result<String, String> {
        let text = String::from_utf8_lossy(body);
        if let Some(needle) = &self.expect.body_contains
            && !text.contains(needle.as_str())
        {
            return Err(format!("body did not contain {needle:?}"));
        }
        if let Some(needle) = &self.expect.body_not_contains
            && text.contains(needle.as_str())
        {
            return Err(format!("body contained {needle:?}"));
        }
        if let Some((path, expected)) = &self.expect.json {
            check_json(body, path, expected)?;
        }
        if let Some(max) = self.expect.max_latency
            && latency > max
        {
            let (took, allowed) = (human_duration(latency), human_duration(max));
            // "took 2 s, more than the 2 s allowed" would read as a bug: show milliseconds.
            let took = if took == allowed {
                format!("{} ms", latency.as_millis())
            } else {
                took
            };
            return Err(format!("took {took}, more than the {allowed} allowed"));
        }
        Ok(format!(
            "{} in {}",
            status_text(status),
            human_duration(latency)
        ))
    }
}

enum BodyError {
    TooLarge,
    Read(reqwest::Error),
}

/// Streams the body into `buf`, keeping at most `limit` bytes: memory stays bounded whatever
/// the server sends, and one byte past the limit is enough to know the body is too large.
async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
    buf: &mut Vec<u8>,
) -> Result<(), BodyError> {
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        let room = limit.saturating_sub(buf.len());
        if chunk.len() > room {
            buf.extend_from_slice(&chunk[..room]);
            return Err(BodyError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(())
}

/// "HTTP 502 Bad Gateway", or "HTTP 599" for a code without a standard name.
fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(name) => format!("HTTP {} {name}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
}

fn status_reason(status: StatusCode, expected: StatusRange) -> String {
    // With the default range the status alone says it; a custom range is worth repeating.
    if expected == StatusRange::SUCCESS {
        status_text(status)
    } else {
        format!("{}, expected {expected}", status_text(status))
    }
}

/// Checks that the JSON field at `path` equals `expected`.
fn check_json(body: &[u8], path: &str, expected: &serde_json::Value) -> Result<(), String> {
    let doc: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| format!("body is not JSON ({e}), so JSON field {path} could not be read"))?;
    let actual = doc
        .pointer(&to_pointer(path))
        .ok_or_else(|| format!("JSON field {path} is missing"))?;
    if json_equal(actual, expected) {
        Ok(())
    } else {
        Err(format!(
            "JSON field {path} was {}, expected {}",
            short_json(actual),
            short_json(expected)
        ))
    }
}

/// A JSON pointer (`/a/b`) is used as is; a dotted path (`a.b`, `items.0.state`) becomes one.
fn to_pointer(path: &str) -> String {
    if path.is_empty() || path.starts_with('/') {
        return path.to_string();
    }
    path.split('.')
        .map(|key| format!("/{}", key.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// Equality where `1` and `1.0` are the same number, as a person writing the config means.
fn json_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a, b) {
        (serde_json::Value::Number(x), serde_json::Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// A JSON value for a reason line: compact, and cut short if it is a whole object.
fn short_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(80).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// The first few hundred characters of the body, decoded leniently.
fn excerpt(body: &[u8]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    // Four bytes per character at most, so this slice always holds enough characters.
    let head = &body[..body.len().min(EXCERPT_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let mut excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS || body.len() > head.len() {
        excerpt.push('…');
    }
    Some(excerpt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_become_json_pointers() {
        assert_eq!(to_pointer("status"), "/status");
        assert_eq!(to_pointer("checks.0.db"), "/checks/0/db");
        assert_eq!(to_pointer("/already/a/pointer"), "/already/a/pointer");
        assert_eq!(to_pointer("a/b.c"), "/a~1b/c");
    }

    #[test]
    fn a_wrong_json_field_names_both_values() {
        let err = check_json(br#"{"status":"degraded"}"#, "status", &json!("ok")).unwrap_err();
        assert_eq!(err, r#"JSON field status was "degraded", expected "ok""#);
        assert!(check_json(br#"{"n":1.0}"#, "n", &json!(1)).is_ok());
    }

    #[test]
    fn credentials_leave_the_url_and_keep_their_characters() {
        let url = Url::parse("https://ad%20min:p%40ss:w@example.com/x").unwrap();
        let (bare, credentials) = split_credentials(&url).unwrap();
        assert_eq!(bare.as_str(), "https://example.com/x");
        let credentials = credentials.unwrap();
        assert_eq!(credentials.user, "ad min");
        assert_eq!(credentials.password.as_deref(), Some("p@ss:w"));
        let (_, none) = split_credentials(&Url::parse("https://example.com/").unwrap()).unwrap();
        assert!(none.is_none());
    }

    #[test]
    fn the_excerpt_is_short_and_survives_broken_utf8() {
        let body = [b'a'; 1000];
        let text = excerpt(&body).unwrap();
        assert_eq!(text.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(&[0xff, b'o', b'k']).unwrap(), "\u{fffd}ok");
    }
}
