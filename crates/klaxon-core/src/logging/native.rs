//! Native libraries' own stderr lines ("ALSA lib pcm.c:…", JACK's "Cannot connect to server
//! socket", GTK warnings) are routed into Klaxon's log at debug level, tagged `native library:`,
//! instead of scrolling over the terminal of a headless `klaxon run`.
//!
//! How: on Linux with glibc, the C library's `stderr` stream (a plain variable there, which
//! glibc documents as assignable) is pointed at a pipe whose reader thread logs each line;
//! file descriptor 2 itself is left alone. The usual recipe, replacing fd 2 with a pipe (what
//! the `gag` and `stdio-override` crates do), was weighed and not taken: fd 2 is also where Rust
//! writes, so every `eprintln!` of Klaxon's own (the "Klaxon is on call" banner, the terminal
//! bell, a warning someone adds next year) and Rust's panic messages would vanish into the
//! debug log too — a fault made quiet, the one thing Klaxon must not do. ALSA's own
//! `snd_lib_error_set_handler` (a C-variadic callback) would cover ALSA only, not JACK or
//! PulseAudio's plugin. The audio libraries all write through `stderr` (`fprintf`), so the
//! stream is the right seam. Elsewhere (macOS, Windows, musl) nothing is captured: their audio
//! stacks do not chatter.

use std::io;

/// Longest line forwarded in one piece; longer ones are logged in pieces of this size.
pub const MAX_LINE: usize = 2048;

/// The target native libraries' lines are logged under.
pub const TARGET: &str = "klaxon::native";

/// Starts capturing the C `stderr` stream. Once per process (later calls do nothing); call it
/// before other threads start, since it swaps a variable the C library reads unsynchronised.
pub fn capture() -> io::Result<()> {
    static STARTED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    STARTED
        .get_or_init(|| imp::capture().map_err(|e| e.to_string()))
        .clone()
        .map_err(io::Error::other)
}

/// Logs the lines read from `from` until it closes: escaped, bounded, empty ones skipped.
fn forward(from: impl io::Read) {
    use io::BufRead;
    let mut reader = io::BufReader::new(from);
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        match io::Read::take(&mut reader, MAX_LINE as u64).read_until(b'\n', &mut line) {
            Ok(0) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end_matches(['\n', '\r']);
                if !text.trim().is_empty() {
                    tracing::debug!(target: TARGET, "native library: {}", super::escape(text));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    use std::io;
    use std::os::fd::{FromRawFd, OwnedFd};

    unsafe extern "C" {
        /// glibc's `stderr` stream: "normal variables which you can set just like any others"
        /// (the GNU C Library manual, Standard Streams).
        static mut stderr: *mut libc::FILE;
    }

    pub fn capture() -> io::Result<()> {
        let mut fds = [0; 2];
        // Close-on-exec: the helpers Klaxon starts (pactl, amixer) do not inherit the pipe.
        // SAFETY: `fds` has room for the two descriptors pipe2 writes.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: pipe2 succeeded, so both are fresh descriptors that nothing else owns.
        let (reader, writer) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let reader = std::fs::File::from(reader);
        std::thread::Builder::new()
            .name("native-stderr".into())
            .spawn(move || super::forward(reader))?;
        let raw = std::os::fd::IntoRawFd::into_raw_fd(writer);
        // SAFETY: `raw` is an open descriptor we own; the stream takes it over.
        let stream = unsafe { libc::fdopen(raw, c"w".as_ptr()) };
        if stream.is_null() {
            let e = io::Error::last_os_error();
            // SAFETY: fdopen failed, so `raw` is still ours to close.
            unsafe { libc::close(raw) };
            return Err(e);
        }
        // Line-buffered, so each message is a line in the log as soon as it is written (ALSA
        // writes a message in several pieces and ends it with a newline).
        // SAFETY: `stream` is a valid stream not yet used by anyone.
        unsafe { libc::setvbuf(stream, std::ptr::null_mut(), libc::_IOLBF, 0) };
        // SAFETY: called once (see `capture`), first thing in main, before other threads run
        // C code that reads `stderr`. The old stream stays open, unused.
        unsafe { stderr = stream };
        Ok(())
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    pub fn capture() -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Seen(Arc<Mutex<Vec<u8>>>);

    impl Write for Seen {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn each_native_line_is_logged_at_debug_marked_escaped_and_bounded() {
        let seen = Seen::default();
        let writer = seen.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .finish();
        let long = "x".repeat(MAX_LINE * 2 + 10);
        let mut input = format!(
            "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) \x1b[2JUnknown PCM default\n\n  \r\n{long}\n"
        )
        .into_bytes();
        input.extend([b'b', b'a', b'd', 0xff, 0xfe, b'\n']);
        tracing::subscriber::with_default(subscriber, || forward(&input[..]));

        let logged = String::from_utf8(seen.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = logged.lines().collect();
        assert!(
            lines
                .iter()
                .all(|l| l.contains("DEBUG") && l.contains("native library: ")),
            "{logged}"
        );
        assert!(
            lines[0].ends_with("native library: ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) \\u{1b}[2JUnknown PCM default"),
            "{logged}"
        );
        // Blank lines are skipped; the long one arrives in bounded pieces.
        let pieces: Vec<&&str> = lines.iter().filter(|l| l.contains("xxx")).collect();
        assert_eq!(pieces.len(), 3, "{logged}");
        assert!(pieces.iter().all(|l| l.len() < MAX_LINE + 100));
        assert!(
            lines.last().unwrap().ends_with("bad\u{fffd}\u{fffd}"),
            "{logged}"
        );
        assert_eq!(lines.len(), 5, "{logged}");
    }
}
