//! The questions `klaxon init` asks and how they are answered: on standard output and standard
//! input (a terminal or a pipe, a piped answer echoed so a transcript reads as a conversation),
//! every answer bounded in size, a credential read without echo, and `--yes` answering each
//! question with its default unasked.

use std::io::{BufRead, IsTerminal, Read};

use anyhow::{Context, Result};
use klaxon_core::text::printable;

use crate::terminal::{self, outln};

/// The longest answer read from standard input (a URL, a topic, a token).
const ANSWER_LIMIT: usize = 4096;

/// Questions on standard output, answers from standard input (a terminal or a pipe); with
/// `--yes` every question takes its default unasked. The end of input answers empty: skip.
pub(super) struct Asker {
    yes: bool,
    input: std::io::StdinLock<'static>,
}

impl Asker {
    pub(super) fn new(yes: bool) -> Asker {
        Asker {
            yes,
            input: std::io::stdin().lock(),
        }
    }

    /// One line, trimmed; `default` when the answer is empty.
    pub(super) fn line(&mut self, question: &str, default: &str) -> Result<String> {
        let shown = if default.is_empty() {
            format!("{question}: ")
        } else {
            format!("{question} [{}]: ", printable(default))
        };
        if self.yes {
            outln!("{shown}{}", printable(default))?;
            return Ok(default.to_string());
        }
        terminal::out(&shown, false)?;
        let answer = self.read()?;
        Ok(match answer.trim() {
            "" => default.to_string(),
            given => given.to_string(),
        })
    }

    pub(super) fn yes_no(&mut self, question: &str, default: bool) -> Result<bool> {
        let hint = if default { "Y/n" } else { "y/N" };
        let answer = self.line(&format!("{question} ({hint})"), "")?;
        Ok(match answer.trim().to_ascii_lowercase().chars().next() {
            Some('y') => true,
            Some('n') => false,
            _ => default,
        })
    }

    /// A credential: without echo on a terminal; never asked under `--yes`.
    pub(super) fn secret(&mut self, question: &str) -> Result<String> {
        if self.yes {
            return Ok(String::new());
        }
        if std::io::stdin().is_terminal() {
            let value = super::hidden::read(&format!("{question} (not shown, Enter to skip): "))?;
            return Ok(value.trim().to_string());
        }
        terminal::out(&format!("{question} (Enter to skip): "), false)?;
        Ok(self.read()?.trim().to_string())
    }

    fn read(&mut self) -> Result<String> {
        let mut bytes = Vec::new();
        (&mut self.input)
            .take(ANSWER_LIMIT as u64)
            .read_until(b'\n', &mut bytes)
            .context("cannot read the answer from standard input")?;
        let answer = String::from_utf8_lossy(&bytes).into_owned();
        // Echo a piped answer, so a transcript reads as a conversation.
        if !std::io::stdin().is_terminal() {
            outln!("{}", printable(answer.trim_end()))?;
        }
        Ok(answer)
    }
}
