//! A webhook receiver on loopback: it keeps every request it gets (headers and body) and can
//! be told to answer the next few with an error, as a receiver that is down or busy would.

use std::io::BufReader;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::ntfy::http::{read_request, write_response};
use super::wait_for;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    /// Statuses to answer the next requests with, first first; then 200.
    script: Vec<u16>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (state, flag) = (shared.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    return;
                }
                if let Ok(conn) = conn {
                    answer(conn, &state);
                }
            }
        });
        Receiver {
            addr,
            shared,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/klaxon", self.addr)
    }

    /// The next requests get these statuses, in order.
    pub fn answer_next(&self, statuses: &[u16]) {
        self.shared
            .lock()
            .unwrap()
            .script
            .extend_from_slice(statuses);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    /// Polls until `count` requests have come.
    pub fn wait_for(&self, count: usize, limit: Duration) -> Vec<Received> {
        wait_for(limit, || {
            let got = self.received();
            (got.len() >= count).then_some(got)
        })
    }
}

fn answer(conn: TcpStream, state: &Mutex<Shared>) {
    conn.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let Ok(mut writer) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    let Some(request) = read_request(&mut reader) else {
        return;
    };
    let status = {
        let mut shared = state.lock().unwrap();
        shared.received.push(Received {
            path: request.path.clone(),
            headers: request.headers.clone(),
            body: request.body.clone(),
        });
        if shared.script.is_empty() {
            200
        } else {
            shared.script.remove(0)
        }
    };
    let _ = write_response(&mut writer, status, "text/plain", b"ok");
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
