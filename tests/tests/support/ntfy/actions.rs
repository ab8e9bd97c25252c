//! Action buttons as ntfy reads them (`server/actions.go`): the JSON array and the "simple"
//! format (`http, Acknowledge, https://…, method=PUT, headers.X=y, body=…; view, …`), each
//! given a fresh 10-character id, the type lower-cased, the method upper-cased, then validated
//! with ntfy's own messages, which reach the client inside the 40018 error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// At most three buttons per message (`actionsMax`).
const MAX_ACTIONS: usize = 3;
const ACTION_ID_LENGTH: usize = 10;

/// ntfy's `action` type. `headers` and `extras` are `BTreeMap`s because Go writes map keys
/// sorted; `clear` is always written (it has no `omitempty`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub id: String,
    pub action: String,
    pub label: String,
    pub clear: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub method: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub intent: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extras: BTreeMap<String, String>,
}

/// `parseActions`: JSON when the text starts with `[`, else the simple format; the error is
/// the detail ntfy appends to "invalid request: actions invalid".
pub fn parse(text: &str, new_id: &mut impl FnMut(usize) -> String) -> Result<Vec<Action>, String> {
    let text = text.trim();
    let mut actions = if text.starts_with('[') {
        from_json(text)?
    } else {
        SimpleParser {
            input: text,
            pos: 0,
        }
        .parse()?
    };
    for a in &mut actions {
        a.id = new_id(ACTION_ID_LENGTH);
        a.action = a.action.to_lowercase();
        a.method = a.method.to_uppercase();
    }
    if actions.len() > MAX_ACTIONS {
        return Err(format!("only {MAX_ACTIONS} actions allowed"));
    }
    for a in &actions {
        if !["view", "broadcast", "http"].contains(&a.action.as_str()) {
            return Err(format!(
                "parameter 'action' cannot be '{}', valid values are 'view', 'broadcast' and 'http'",
                a.action
            ));
        } else if a.label.is_empty() {
            return Err("parameter 'label' is required".into());
        } else if ["view", "http"].contains(&a.action.as_str()) && a.url.is_empty() {
            return Err(format!(
                "parameter 'url' is required for action '{}'",
                a.action
            ));
        } else if a.action == "http"
            && ["GET", "HEAD"].contains(&a.method.as_str())
            && !a.body.is_empty()
        {
            return Err(format!(
                "parameter 'body' cannot be set if method is {}",
                a.method
            ));
        }
    }
    Ok(actions)
}

/// Go's `json.Unmarshal` into `[]*action`: keys match fields whatever their case, unknown keys
/// are ignored, `null` leaves a field empty, a wrong type is an error.
pub(super) fn from_json(text: &str) -> Result<Vec<Action>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("JSON error: {e}"))?;
    let items = value
        .as_array()
        .ok_or("JSON error: json: cannot unmarshal into Go value of type []*server.action")?;
    let mut actions = Vec::new();
    for item in items {
        let mut a = Action::default();
        let Some(fields) = item.as_object() else {
            if item.is_null() {
                continue;
            }
            return Err(
                "JSON error: json: cannot unmarshal non-object into Go value of type server.action"
                    .into(),
            );
        };
        for (key, v) in fields {
            if v.is_null() {
                continue;
            }
            let mismatch = |ty: &str| {
                format!(
                    "JSON error: json: cannot unmarshal {v} into Go struct field action.{key} of type {ty}"
                )
            };
            let string = || {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| mismatch("string"))
            };
            let map = || -> Result<BTreeMap<String, String>, String> {
                let obj = v.as_object().ok_or_else(|| mismatch("map[string]string"))?;
                obj.iter()
                    .map(|(k, v)| {
                        v.as_str()
                            .map(|s| (k.clone(), s.to_string()))
                            .ok_or_else(|| mismatch("string"))
                    })
                    .collect()
            };
            match key.to_lowercase().as_str() {
                "id" => a.id = string()?,
                "action" => a.action = string()?,
                "label" => a.label = string()?,
                "clear" => a.clear = v.as_bool().ok_or_else(|| mismatch("bool"))?,
                "url" => a.url = string()?,
                "method" => a.method = string()?,
                "headers" => a.headers = map()?,
                "body" => a.body = string()?,
                "intent" => a.intent = string()?,
                "extras" => a.extras = map()?,
                _ => {}
            }
        }
        actions.push(a);
    }
    Ok(actions)
}

/// A port of `actionParser`: sections end at `,`, actions at `;`; values may be quoted with `"`
/// or `'` (a backslash escapes the quote); the first three unnamed sections are the type, the
/// label and (for `view` and `http`) the URL.
struct SimpleParser<'a> {
    input: &'a str,
    pos: usize,
}

impl SimpleParser<'_> {
    fn parse(mut self) -> Result<Vec<Action>, String> {
        let mut actions = Vec::new();
        while !self.eof() {
            actions.push(self.parse_action()?);
        }
        Ok(actions)
    }

    fn parse_action(&mut self) -> Result<Action, String> {
        let mut a = Action::default();
        let mut section = 0;
        loop {
            let (key, value, last) = self.parse_section()?;
            populate(&mut a, section, key, value)?;
            self.slurp_spaces();
            if last {
                return Ok(a);
            }
            section += 1;
        }
    }

    fn parse_section(&mut self) -> Result<(String, String, bool), String> {
        self.slurp_spaces();
        let key = self.parse_key();
        match self.peek() {
            Some(c) if is_section_end(Some(c)) => {
                self.pos += c.len_utf8();
                Ok((key, String::new(), is_last_section(Some(c))))
            }
            None => Ok((key, String::new(), true)),
            Some(q @ ('"' | '\'')) => {
                let (value, last) = self.parse_quoted_value(q)?;
                Ok((key, value, last))
            }
            Some(_) => {
                let (value, last) = self.parse_value();
                Ok((key, value, last))
            }
        }
    }

    /// `^([-.\w]+)\s*=\s*`
    fn parse_key(&mut self) -> String {
        let rest = &self.input[self.pos..];
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .unwrap_or(rest.len());
        if name_len == 0 {
            return String::new();
        }
        let after = &rest[name_len..];
        let spaces = |s: &str| s.len() - s.trim_start_matches(is_regex_space).len();
        let before_eq = spaces(after);
        if !after[before_eq..].starts_with('=') {
            return String::new();
        }
        let after_eq = &after[before_eq + 1..];
        self.pos += name_len + before_eq + 1 + spaces(after_eq);
        rest[..name_len].to_string()
    }

    fn parse_value(&mut self) -> (String, bool) {
        let start = self.pos;
        loop {
            let c = self.peek();
            if is_section_end(c) {
                let value = self.input[start..self.pos].trim().to_string();
                self.pos += c.map_or(0, char::len_utf8);
                return (value, is_last_section(c));
            }
            self.pos += c.map_or(0, char::len_utf8);
        }
    }

    fn parse_quoted_value(&mut self, quote: char) -> Result<(String, bool), String> {
        self.pos += 1;
        let start = self.pos;
        let mut prev = '\0';
        loop {
            let Some(c) = self.peek() else {
                return Err(format!(
                    "unexpected end of input, quote started at position {start}"
                ));
            };
            if c == quote && prev != '\\' {
                let value =
                    self.input[start..self.pos].replace(&format!("\\{quote}"), &quote.to_string());
                self.pos += c.len_utf8();
                self.slurp_spaces();
                let end = self.peek();
                if !is_section_end(end) {
                    return Err(format!(
                        "unexpected character '{}' at position {}",
                        end.unwrap_or('\0'),
                        self.pos
                    ));
                }
                self.pos += end.map_or(0, char::len_utf8);
                return Ok((value, is_last_section(end)));
            }
            prev = c;
            self.pos += c.len_utf8();
        }
    }

    fn slurp_spaces(&mut self) {
        while let Some(c @ (' ' | '\t' | '\r' | '\n')) = self.peek() {
            self.pos += c.len_utf8();
        }
    }

    fn peek(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn eof(&self) -> bool {
        self.pos >= self.input.len()
    }
}

fn is_regex_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

fn is_section_end(c: Option<char>) -> bool {
    matches!(c, None | Some(';' | ','))
}

fn is_last_section(c: Option<char>) -> bool {
    matches!(c, None | Some(';'))
}

/// `populateAction`.
fn populate(a: &mut Action, section: usize, key: String, value: String) -> Result<(), String> {
    let key = match (key.is_empty(), section) {
        (true, 0) => "action".to_string(),
        (true, 1) => "label".to_string(),
        (true, 2) if ["view", "http"].contains(&a.action.as_str()) => "url".to_string(),
        (true, _) => return Err(format!("term '{value}' unknown")),
        (false, _) => key,
    };
    if let Some(name) = key.strip_prefix("headers.") {
        a.headers.insert(name.to_string(), value);
    } else if let Some(name) = key.strip_prefix("extras.") {
        a.extras.insert(name.to_string(), value);
    } else {
        match key.to_lowercase().as_str() {
            "action" => a.action = value,
            "label" => a.label = value,
            "clear" => {
                let lower = value.to_lowercase();
                if !["true", "yes", "1", "false", "no", "0"].contains(&lower.as_str()) {
                    return Err(format!(
                        "parameter 'clear' cannot be '{value}', only boolean values are allowed (true/yes/1/false/no/0)"
                    ));
                }
                a.clear = ["true", "yes", "1"].contains(&lower.as_str());
            }
            "url" => a.url = value,
            "method" => a.method = value,
            "body" => a.body = value,
            "intent" => a.intent = value,
            _ => return Err(format!("key '{key}' unknown")),
        }
    }
    Ok(())
}
