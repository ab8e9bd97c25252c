//! Fixtures for the probe tests: hand-written HTTP/1.1 servers (well-behaved and hostile) on
//! 127.0.0.1, a throwaway certificate authority with leaves valid, expired and about to
//! expire, and an in-memory DNS server. Everything listens on port 0 and lives in tasks that
//! die with the test's runtime.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::future::Future;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use hickory_server::ServerFuture;
use hickory_server::authority::{Catalog, ZoneType};
use hickory_server::proto::rr::rdata::{A, AAAA, CNAME, MX, NS, SOA, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryAuthority;
use klaxon_core::domain::monitor::{
    DnsCheck, HttpCheck, Monitor, RecordKind, Target, TcpCheck, TlsCheck,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::time::Instant;

// ---------------------------------------------------------------------------------------------
// Monitors

pub fn monitor(target: Target, timeout: Duration) -> Monitor {
    Monitor {
        name: "test".into(),
        target,
        every: Duration::from_secs(30),
        timeout,
    }
}

/// A GET of `url` with the defaults the config would give.
pub fn http_check(url: &str) -> HttpCheck {
    HttpCheck::with_defaults(url.parse().unwrap())
}

pub fn http(check: HttpCheck, timeout: Duration) -> Monitor {
    monitor(Target::Http(check), timeout)
}

pub fn tcp(host: &str, port: u16, timeout: Duration) -> Monitor {
    monitor(
        Target::Tcp(TcpCheck {
            host: host.into(),
            port,
        }),
        timeout,
    )
}

pub fn tls(addr: SocketAddr, min_days: u32, ca_file: Option<&std::path::Path>) -> Monitor {
    monitor(
        Target::Tls(TlsCheck {
            host: addr.ip().to_string(),
            port: addr.port(),
            min_days,
            ca_file: ca_file.map(Into::into),
        }),
        Duration::from_secs(5),
    )
}

pub fn dns(name: &str, record: RecordKind, expect: &[&str], resolver: SocketAddr) -> Monitor {
    monitor(
        Target::Dns(DnsCheck {
            name: name.into(),
            record,
            expect: expect.iter().map(|s| s.to_string()).collect(),
            resolver: Some(resolver),
        }),
        Duration::from_secs(2),
    )
}

/// Runs `f` and says how long it took.
pub async fn timed<T>(f: impl Future<Output = T>) -> (T, Duration) {
    let start = Instant::now();
    let out = f.await;
    (out, start.elapsed())
}

// ---------------------------------------------------------------------------------------------
// Raw TCP / HTTP servers

/// Accepts connections on 127.0.0.1 forever and hands each one to `handler` in its own task.
pub async fn serve<F, Fut>(handler: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(async move { handler(stream).await });
        }
    });
    addr
}

/// Reads a request head (through the blank line), at most 64 KiB. Bodies are not read: the
/// probes' requests in these tests carry none or a small one that the kernel buffers.
pub async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A complete HTTP/1.1 response with a body and `Connection: close`.
pub fn response(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut text = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text
}

/// Answers every request with the same response.
pub async fn serve_response(response: String) -> SocketAddr {
    let response = Arc::new(response);
    serve(move |mut stream| {
        let response = response.clone();
        async move {
            read_head(&mut stream).await;
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    })
    .await
}

/// Answers every request with a response built from the request head.
pub async fn serve_with<F>(respond: F) -> SocketAddr
where
    F: Fn(&str) -> String + Send + Sync + 'static,
{
    let respond = Arc::new(respond);
    serve(move |mut stream| {
        let respond = respond.clone();
        async move {
            let head = read_head(&mut stream).await;
            let _ = stream.write_all(respond(&head).as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    })
    .await
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

// ---------------------------------------------------------------------------------------------
// Certificates and TLS servers

/// Midnight UTC, `offset` days from today. (A macro because rcgen's date type comes from a
/// crate these tests do not depend on, so it cannot be named in a signature.)
macro_rules! day {
    ($offset:expr) => {{
        let date = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .checked_add(jiff::Span::new().days($offset))
            .unwrap();
        rcgen::date_time_ymd(date.year().into(), date.month() as u8, date.day() as u8)
    }};
}

/// A throwaway certificate authority, its PEM in a temporary file for `ca_file`.
pub struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
    pub ca_file: tempfile::NamedTempFile,
}

impl Pki {
    pub fn new() -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "Klaxon Test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.not_before = day!(-365);
        params.not_after = day!(3650);
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let mut ca_file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut ca_file, ca.pem().as_bytes()).unwrap();
        Pki { ca, ca_file }
    }

    pub fn ca_path(&self) -> &std::path::Path {
        self.ca_file.path()
    }

    /// A server config whose leaf, signed by this CA, names `names` and is valid from
    /// `from_day` to `until_day` (days from today, UTC midnight).
    pub fn server(
        &self,
        names: &[&str],
        from_day: i64,
        until_day: i64,
    ) -> Arc<rustls::ServerConfig> {
        let (params, key) = leaf_params(names, from_day, until_day);
        let cert = params.signed_by(&key, &self.ca).unwrap();
        server_config(vec![cert.der().clone(), self.ca.der().clone()], key)
    }

    /// A leaf for `names` that signs itself: no authority vouches for it.
    pub fn self_signed_server(&self, names: &[&str]) -> Arc<rustls::ServerConfig> {
        let (params, key) = leaf_params(names, -1, 90);
        let cert = params.self_signed(&key).unwrap();
        server_config(vec![cert.der().clone()], key)
    }
}

fn leaf_params(names: &[&str], from_day: i64, until_day: i64) -> (CertificateParams, KeyPair) {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "Klaxon test server");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = day!(from_day);
    params.not_after = day!(until_day);
    (params, KeyPair::generate().unwrap())
}

fn server_config(chain: Vec<CertificateDer<'static>>, key: KeyPair) -> Arc<rustls::ServerConfig> {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    Arc::new(config)
}

/// A TLS server on 127.0.0.1 that completes the handshake, then answers one HTTP request with
/// `response` (or, with `None`, holds the connection open saying nothing).
pub async fn serve_tls(config: Arc<rustls::ServerConfig>, response: Option<String>) -> SocketAddr {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let response = Arc::new(response);
    serve(move |stream| {
        let acceptor = acceptor.clone();
        let response = response.clone();
        async move {
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            match response.as_ref() {
                Some(response) => {
                    read_head(&mut tls).await;
                    let _ = tls.write_all(response.as_bytes()).await;
                    let _ = tls.shutdown().await;
                }
                None => hold(&mut tls).await,
            }
        }
    })
    .await
}

/// Keeps a connection open without answering until the client goes away.
pub async fn hold<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) {
    let mut sink = [0u8; 1024];
    while let Ok(n) = stream.read(&mut sink).await {
        if n == 0 {
            break;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DNS

/// An authoritative server for `klaxon.test.` on 127.0.0.1 (UDP):
///
/// - `app.klaxon.test` A 127.0.0.2 and 127.0.0.3
/// - `v6.klaxon.test` AAAA ::1
/// - `www.klaxon.test` CNAME app.klaxon.test.
/// - `klaxon.test` MX 10 mail.klaxon.test., TXT "v=spf1 -all", NS ns1.klaxon.test.
pub async fn dns_server() -> SocketAddr {
    let origin = name("klaxon.test.");
    let mut zone = InMemoryAuthority::empty(origin.clone(), ZoneType::Primary, false);
    let soa = SOA::new(
        name("ns1.klaxon.test."),
        name("admin.klaxon.test."),
        1,
        3600,
        600,
        86400,
        60,
    );
    let records = [
        Record::from_rdata(origin.clone(), 60, RData::SOA(soa)),
        Record::from_rdata(origin.clone(), 60, RData::NS(NS(name("ns1.klaxon.test.")))),
        Record::from_rdata(
            origin.clone(),
            60,
            RData::MX(MX::new(10, name("mail.klaxon.test."))),
        ),
        Record::from_rdata(
            origin.clone(),
            60,
            RData::TXT(TXT::new(vec!["v=spf1 -all".into()])),
        ),
        Record::from_rdata(name("app.klaxon.test."), 60, RData::A(A::new(127, 0, 0, 2))),
        Record::from_rdata(name("app.klaxon.test."), 60, RData::A(A::new(127, 0, 0, 3))),
        Record::from_rdata(
            name("v6.klaxon.test."),
            60,
            RData::AAAA(AAAA::new(0, 0, 0, 0, 0, 0, 0, 1)),
        ),
        Record::from_rdata(
            name("www.klaxon.test."),
            60,
            RData::CNAME(CNAME(name("app.klaxon.test."))),
        ),
    ];
    for record in records {
        zone.upsert_mut(record, 1);
    }
    let mut catalog = Catalog::new();
    catalog.upsert(LowerName::new(&origin), vec![Arc::new(zone)]);
    let mut server = ServerFuture::new(catalog);
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    server.register_socket(socket);
    tokio::spawn(async move {
        let _ = server.block_until_done().await;
    });
    addr
}

/// A UDP socket on 127.0.0.1 that receives DNS questions and never answers. Keep the socket
/// alive for as long as the server should be "there".
pub async fn silent_dns_server() -> (SocketAddr, UdpSocket) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    (socket.local_addr().unwrap(), socket)
}

fn name(text: &str) -> Name {
    Name::from_str(text).unwrap()
}
