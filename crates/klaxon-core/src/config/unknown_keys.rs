//! Reading the file's shape with every unknown key found at once.
//!
//! Serde's `deny_unknown_fields` stops at the first unknown key, so a file with three typos
//! would take three rounds of `config check`. Instead the raw structs accept unknown keys and
//! `serde_ignored` hands each one over as a path (`monitor → 2 → urll`); the path is then found
//! in a span-keeping parse of the same text to give the key's line and column. The structs stay
//! the one description of which keys exist: nothing here lists them again.

use std::ops::Range;

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use super::Collector;

/// One step of a path into the document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// `toml::Spanned` reads its value through a map with private keys; they are no part of the
/// user's file.
const SPANNED_PRIVATE: &str = "$__serde_spanned_private";

/// Deserializes `text` into `T`, reporting every unknown key and the first shape error (a wrong
/// type, a missing key) to `errs`. `None` when the shape is wrong: values cannot be checked
/// then.
pub(super) fn read<'a, T: Deserialize<'a>>(text: &'a str, errs: &mut Collector) -> Option<T> {
    let document = match DeTable::parse(text) {
        Ok(document) => document,
        Err(e) => {
            errs.push(e.span().unwrap_or(0..0), "", e.message().trim().to_string());
            return None;
        }
    };
    let mut unknown: Vec<Vec<Step>> = Vec::new();
    let result = match toml::de::Deserializer::parse(text) {
        Ok(de) => serde_ignored::deserialize(de, |path| unknown.push(steps(&path))),
        Err(e) => Err(e),
    };
    for path in unknown {
        let (span, field) = locate(document.get_ref(), &path);
        let key = match path.last() {
            Some(Step::Key(key)) => key.clone(),
            _ => field.clone(),
        };
        errs.push(span, &field, format!("unknown field `{key}`"));
    }
    match result {
        Ok(raw) => Some(raw),
        Err(e) => {
            errs.push(e.span().unwrap_or(0..0), "", e.message().trim().to_string());
            None
        }
    }
}

fn steps(path: &serde_ignored::Path) -> Vec<Step> {
    use serde_ignored::Path;
    let mut steps = match path {
        Path::Root => return Vec::new(),
        Path::Seq { parent, .. }
        | Path::Map { parent, .. }
        | Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => steps(parent),
    };
    match path {
        Path::Seq { index, .. } => steps.push(Step::Index(*index)),
        Path::Map { key, .. } if !key.starts_with(SPANNED_PRIVATE) => {
            steps.push(Step::Key(key.clone()))
        }
        _ => {}
    }
    steps
}

/// Where `path` is in the document (its last key, or as far as it could be followed) and its
/// dotted name, as the other errors name fields: `monitor[2].urll`.
fn locate(root: &DeTable, path: &[Step]) -> (Range<usize>, String) {
    let mut field = String::new();
    let mut span = 0..0;
    let mut table = Some(root);
    let mut array = None;
    for step in path {
        match step {
            Step::Key(key) => {
                if !field.is_empty() {
                    field.push('.');
                }
                field.push_str(key);
                let found = table.and_then(|t| t.iter().find(|(k, _)| k.get_ref() == key));
                (table, array) = (None, None);
                if let Some((k, value)) = found {
                    span = k.span();
                    (table, array) = children(value.get_ref());
                }
            }
            Step::Index(index) => {
                field.push_str(&format!("[{}]", index + 1));
                let found = array.and_then(|a: &[toml::Spanned<DeValue>]| a.get(*index));
                (table, array) = (None, None);
                if let Some(value) = found {
                    span = value.span();
                    (table, array) = children(value.get_ref());
                }
            }
        }
    }
    (span, field)
}

type Children<'d, 'i> = (
    Option<&'d DeTable<'i>>,
    Option<&'d [toml::Spanned<DeValue<'i>>]>,
);

fn children<'d, 'i>(value: &'d DeValue<'i>) -> Children<'d, 'i> {
    match value {
        DeValue::Table(t) => (Some(t), None),
        DeValue::Array(a) => (None, Some(a)),
        _ => (None, None),
    }
}
