//! How deeply a YAML file nests `[…]` and `{…}`, measured before the YAML reader sees it. The
//! reader (libyaml's scanner) re-examines every open bracket on every token, so a file that opens
//! thousands of them costs time in the square of their number — 40,000 take seconds, an 8 MiB
//! file of them hours — before its recursion limit of 128 refuses it anyway. One linear pass
//! here refuses it first. It only counts: a bracket in a quoted string or a comment, or inside a
//! word (`?a[]=1`), is not one; anything it gets wrong can only make a file refused that nests
//! deeper than the reader would take.

/// The deepest a file may nest flow collections: the YAML reader's own recursion limit.
pub(super) const MAX_DEPTH: usize = 128;

/// The line (from 1) where the file first nests deeper than [`MAX_DEPTH`], if it does.
pub(super) fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut line = 1;
    // The last character that was not a space: a bracket or quote starts a token only after
    // one of these (or at a line's start).
    let mut before = '\n';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let starts_token = matches!(before, '\n' | ':' | '-' | ',' | '[' | '{' | '?');
        let in_flow = depth > 0;
        match c {
            '\n' => line += 1,
            '#' if before == '\n' || starts_token || in_flow => {
                while chars.next_if(|&c| c != '\n').is_some() {}
            }
            '"' | '\'' if starts_token => {
                while let Some(q) = chars.next() {
                    match q {
                        '\n' => line += 1,
                        '\\' if c == '"' => {
                            chars.next();
                        }
                        _ if q == c => {
                            // `''` is a quote inside a single-quoted string.
                            if c == '\'' && chars.next_if_eq(&'\'').is_some() {
                                continue;
                            }
                            break;
                        }
                        _ => {}
                    }
                }
            }
            '[' | '{' if starts_token || in_flow => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(line);
                }
            }
            ']' | '}' if in_flow => depth -= 1,
            _ => {}
        }
        if c == '\n' {
            before = '\n';
        } else if !c.is_whitespace() {
            before = c;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_comments_and_words_do_not_count() {
        let deep = "[".repeat(MAX_DEPTH);
        let text = format!(
            "endpoints:\n  - name: \"{deep}\"\n    body: '{deep}''s'\n    # {deep}\n    url: http://e.example/?a{deep}\n    conditions: [\"[STATUS] == 200\", '[BODY] == [x']\n"
        );
        assert_eq!(too_deep(&text), None);
    }

    #[test]
    fn the_first_line_nesting_too_deep_is_named() {
        let ok = format!("a: {}{}\n", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(too_deep(&ok), None);
        let text = format!("{ok}b:\n  - {}\n", "{a: [".repeat(MAX_DEPTH));
        assert_eq!(too_deep(&text), Some(3));
    }
}
