//! Writing to the terminal: every line the CLI prints goes through here.
//!
//! Three decisions live in this file. Lines are passed through
//! [`printable_lines`](klaxon_core::text::printable_lines), so no escape sequence from a server,
//! a DNS record or a monitor's name reaches the terminal raw, whatever the caller forgot (callers
//! still escape one-line fields with `printable`, which also spells out line breaks). Standard
//! output that is closed early (`klaxon status | head -1`) ends the command quietly with
//! [`StdoutClosed`] instead of the panic `println!` would give. Standard error is written without
//! ever failing: `klaxon run` must keep ringing even if whoever read its log went away.
//!
//! `--json` output stays JSON with every value as it came, but characters that steer a
//! terminal (DEL, C1 controls, bidi overrides — serde already escapes C0) are written as `\u`
//! escapes, which any JSON reader turns back into the same string.

use std::fmt;
use std::io::{self, Write};

use klaxon_core::text::{is_hostile, printable_lines};
use serde_json::ser::{Formatter, PrettyFormatter};

/// Standard output was closed by its reader: nothing more to say, and nothing wrong.
#[derive(Debug)]
pub struct StdoutClosed;

impl fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// `println!` that escapes and returns a closed pipe as an error instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::terminal::out(&format!($($arg)*), true)
    };
}

/// `eprintln!` that escapes and never fails.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::terminal::err(&format!($($arg)*))
    };
}

pub(crate) use {errln, outln};

/// Writes `text` (and a line break when `newline`) to standard output.
pub fn out(text: &str, newline: bool) -> anyhow::Result<()> {
    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_all(printable_lines(text).as_bytes())
        .and_then(|()| {
            if newline {
                stdout.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to standard output")),
    }
}

/// Writes one line to standard error; a closed or failing stderr is ignored.
pub fn err(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", printable_lines(text));
}

/// Pretty JSON on standard output, terminal-safe (see the module's comment).
pub fn json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut buf, SafeFormatter(PrettyFormatter::new()));
    value.serialize(&mut serializer)?;
    let text = String::from_utf8(buf)?;
    out(&text, true)
}

/// The pretty formatter, with hostile characters in strings written as `\uXXXX`.
struct SafeFormatter<'a>(PrettyFormatter<'a>);

impl Formatter for SafeFormatter<'_> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| is_hostile(c)) {
            writer.write_all(&rest.as_bytes()[..at])?;
            // Every hostile character is in the Basic Multilingual Plane: one \u escape each.
            write!(writer, "\\u{:04x}", c as u32)?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// An error and its causes as one line, each distinct cause once.
///
/// Errors that print their source inside their own message (`the database at … failed: file
/// is not a database`) and also return it as `source()` would otherwise say the same thing two
/// or three times; a cause whose text is already in the line is skipped.
pub fn sentence(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// True when the command ended because its reader closed standard output.
pub fn is_closed_stdout(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<StdoutClosed>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_every_value_but_escapes_what_steers_a_terminal() {
        let value = serde_json::json!({"reason": "a\u{1b}[2J b\u{9b}c \u{202e}d é 東"});
        let mut buf = Vec::new();
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut buf, SafeFormatter(PrettyFormatter::new()));
        serde::Serialize::serialize(&value, &mut serializer).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            !text.chars().any(|c| c != '\n' && is_hostile(c)),
            "{text:?}"
        );
        assert!(text.contains(r"\u001b[2J b\u009bc \u202ed é 東"), "{text}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::io::Error::other("file is not a database");
        let e = anyhow::Error::new(io)
            .context("the database at /d/klaxon.db failed: file is not a database");
        assert_eq!(
            sentence(&e),
            "the database at /d/klaxon.db failed: file is not a database"
        );
        let e = anyhow::anyhow!("disk full").context("cannot save");
        assert_eq!(sentence(&e), "cannot save: disk full");
    }
}
