//! Text that came from outside, made safe to show and to keep.
//!
//! A DNS record, an HTTP body, a certificate's names, a server's error message or a monitor's
//! name can hold anything, including terminal escape sequences (`ESC [2J` clears the screen over
//! a ringing incident), line breaks (a forged log line) and bidi overrides (text that reads
//! backwards). Klaxon keeps such text as it came (the store, `--json` and the window get the
//! real value) but *shows* it through [`printable`], which spells every such character out as a
//! visible escape (`\u{1b}`), and *keeps* only a bounded amount of it ([`bounded`]), so a hostile
//! server can neither paint over the terminal nor fill the disk.
//!
//! Ordinary Unicode (accents, CJK, emoji, joiners) is left alone: it is only the invisible
//! characters that change how the rest is displayed that are escaped.

use std::borrow::Cow;
use std::fmt::Write as _;

/// What a cut string ends with, so a reader knows there was more.
pub const CUT_MARKER: &str = "…";

/// `s` with every control character (C0 including line breaks and tabs, DEL, C1), bidi
/// override and line separator written as a visible escape: `\u{1b}`, `\n`. For one-line text:
/// a reason, a name, a record.
pub fn printable(s: &str) -> Cow<'_, str> {
    escape(s, |_| false)
}

/// Like [`printable`] but keeps line breaks and tabs: for multi-line text Klaxon laid out itself
/// (a list of config errors, a draft) that may quote outside text.
pub fn printable_lines(s: &str) -> Cow<'_, str> {
    escape(s, |c| c == '\n' || c == '\t')
}

/// True for a character that changes how the text around it is displayed instead of being
/// displayed itself.
pub fn is_hostile(c: char) -> bool {
    // `is_control` is Unicode's Cc: C0 (U+0000–U+001F), DEL and C1 (U+0080–U+009F; U+009B is a
    // one-byte CSI to some terminals).
    c.is_control()
        || matches!(
            c,
            // Bidi marks, embeddings, overrides and isolates (the "Trojan Source" set).
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            // Line and paragraph separators: line breaks to some viewers.
            | '\u{2028}' | '\u{2029}'
        )
}

fn escape(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_hostile(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if !is_hostile(c) || keep(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// `s` cut to at most `max_bytes` bytes on a character boundary, ending with [`CUT_MARKER`]
/// when something was cut. For every outside string that is stored.
pub fn bounded(s: &str, max_bytes: usize) -> Cow<'_, str> {
    if s.len() <= max_bytes {
        return Cow::Borrowed(s);
    }
    // Too small for the marker as well: cut without one.
    let marker = if max_bytes >= CUT_MARKER.len() {
        CUT_MARKER
    } else {
        ""
    };
    let mut cut = max_bytes - marker.len();
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    Cow::Owned(format!("{}{marker}", &s[..cut]))
}

/// [`bounded`] for an owned string, reusing it when it already fits.
pub fn bound(s: String, max_bytes: usize) -> String {
    match bounded(&s, max_bytes) {
        Cow::Borrowed(_) => s,
        Cow::Owned(cut) => cut,
    }
}

/// A field formatter for `tracing-subscriber` that writes every field of every event (the
/// message too) through [`printable`]: whatever an error or a server said, one event stays one
/// line of the log and carries no escape sequence. The formatter's own colours are untouched.
pub fn log_fields() -> impl for<'w> tracing_subscriber::fmt::FormatFields<'w> + 'static {
    use tracing_subscriber::field::MakeExt;
    tracing_subscriber::fmt::format::debug_fn(|writer, field, value| {
        let text = format!("{value:?}");
        if field.name() == "message" {
            write!(writer, "{}", printable(&text))
        } else {
            write!(writer, "{}={}", field.name(), printable(&text))
        }
    })
    .delimited(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_spelled_out() {
        assert_eq!(
            printable("\x1b[2J\x1b[H FAKE ALL GOOD"),
            "\\u{1b}[2J\\u{1b}[H FAKE ALL GOOD"
        );
        assert_eq!(printable("a\nb\rc\td\x7fe"), "a\\nb\\rc\\td\\u{7f}e");
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(printable("abc\u{202E}fed"), "abc\\u{202e}fed");
    }

    #[test]
    fn ordinary_unicode_is_left_alone_and_not_copied() {
        let text = "Zürich 東京 👩‍💻 — ok";
        assert!(matches!(printable(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn multi_line_text_keeps_its_lines_but_not_its_escapes() {
        assert_eq!(printable_lines("a\n\tb\x1b[2J"), "a\n\tb\\u{1b}[2J");
    }

    #[test]
    fn a_long_string_is_cut_on_a_character_boundary_with_a_marker() {
        assert_eq!(bounded("short", 10), "short");
        let cut = bounded("ééééé", 8);
        assert_eq!(cut, "éé…");
        assert!(cut.len() <= 8);
        assert_eq!(bounded("abcdef", 2), "ab");
        assert_eq!(bound("x".repeat(1000), 512).len(), 512);
    }
}
