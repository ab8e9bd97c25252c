//! Secrets in the OS keyring (the Secret Service on Linux, the Keychain on macOS, the Credential
//! Manager on Windows), under the service name `klaxon`. The config refers to them by name —
//! `"Bearer {secret:api-token}"` — and they are looked up only when a check is prepared, so a
//! value never reaches the config file, the database, a log line or an error message: errors
//! name the secret, never its value.

use keyring::Entry;

use crate::error::{Error, Result};

/// The keyring service every Klaxon secret is stored under.
pub const SERVICE: &str = "klaxon";

const OPEN: &str = "{secret:";

/// Stores (or replaces) a secret.
pub fn set(name: &str, value: &str) -> Result<()> {
    check_name(name)?;
    if value.is_empty() {
        return Err(secret_error(name, "is empty: nothing was stored"));
    }
    entry(name)?
        .set_password(value)
        .map_err(|e| keyring_error(name, e))
}

/// Removes a secret; removing one that is not there is not an error.
pub fn delete(name: &str) -> Result<()> {
    check_name(name)?;
    match entry(name)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_error(name, e)),
    }
}

/// Whether the keyring holds the secret (without reading it out).
pub fn is_set(name: &str) -> Result<bool> {
    match get(name) {
        Ok(_) => Ok(true),
        Err(Error::Secret { reason, .. }) if reason == NOT_SET => Ok(false),
        Err(e) => Err(e),
    }
}

fn get(name: &str) -> Result<String> {
    check_name(name)?;
    entry(name)?
        .get_password()
        .map_err(|e| keyring_error(name, e))
}

/// The names `text` refers to with `{secret:NAME}`, in order, each once.
pub fn references(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].trim().to_string();
        if !names.contains(&name) {
            names.push(name);
        }
        rest = &after[end + 1..];
    }
    names
}

/// Whether `text` is exactly one `{secret:NAME}` reference.
pub fn is_reference(text: &str) -> bool {
    text.strip_prefix(OPEN)
        .and_then(|rest| rest.strip_suffix('}'))
        .is_some_and(|name| !name.contains('}'))
}

/// `text` with every `{secret:NAME}` replaced by the secret's value. Text without a reference
/// never touches the keyring.
pub fn resolve(text: &str) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        let Some(end) = after.find('}') else { break };
        out.push_str(&rest[..start]);
        out.push_str(&get(after[..end].trim())?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Letters, digits, `-`, `_` and `.`: a name that reads the same in a config, a shell and the
/// keyring's own tools.
fn check_name(name: &str) -> Result<()> {
    let fine = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if fine {
        Ok(())
    } else {
        Err(secret_error(
            name,
            "is not a usable name: use letters, digits, '-', '_' or '.' (at most 64)",
        ))
    }
}

fn entry(name: &str) -> Result<Entry> {
    Entry::new(SERVICE, name).map_err(|e| keyring_error(name, e))
}

const NOT_SET: &str =
    "is not set in the keyring (set it in Klaxon's Settings, or `klaxon secret set NAME`)";

/// The keyring's error, worded without anything read from the keyring.
fn keyring_error(name: &str, e: keyring::Error) -> Error {
    let reason = match e {
        keyring::Error::NoEntry => NOT_SET.to_string(),
        keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => {
            "is in the keyring but is not text".to_string()
        }
        keyring::Error::NoStorageAccess(e) => {
            format!("cannot be read: the keyring is locked or refused access ({e})")
        }
        keyring::Error::NoDefaultStore | keyring::Error::PlatformFailure(_) => {
            format!("cannot be read: no keyring is reachable ({e})")
        }
        other => format!("cannot be used: {other}"),
    };
    secret_error(name, &reason)
}

fn secret_error(name: &str, reason: &str) -> Error {
    Error::Secret {
        name: name.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_in_order_once_each() {
        assert_eq!(
            references(
                "Bearer {secret:api-token} and {secret: other } {secret:api-token} {secret:"
            ),
            ["api-token", "other"]
        );
        assert!(references("Bearer abc").is_empty());
    }

    #[test]
    fn text_without_references_resolves_to_itself_without_a_keyring() {
        assert_eq!(
            resolve("Bearer abc {not:secret}").unwrap(),
            "Bearer abc {not:secret}"
        );
    }

    #[test]
    fn a_bad_name_is_refused_before_the_keyring_is_asked() {
        let err = set("my token!", "x").unwrap_err().to_string();
        assert!(
            err.starts_with("the secret \"my token!\" is not a usable name"),
            "{err}"
        );
    }
}
