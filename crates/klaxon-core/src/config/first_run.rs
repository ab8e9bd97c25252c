//! What the guided first run writes, decided once for the window and `klaxon init`: a monitor
//! guessed from the one line a founder types (a URL, `host:port`, a bare host name), and the
//! phone put on the escalation ladder, since a channel no step names pages nobody.
//!
//! The guess is only a starting point shown in a form that can be changed, so it prefers what a
//! founder most likely means over what is strictly written: a bare `acme.com` is their website
//! (`https://`), `host:443` is a certificate to watch, any other `host:port` a port to connect
//! to. Anything that cannot be a target is refused with what to type instead.

use super::form::MonitorForm;
use super::split_host_port;
use crate::config::channel_form::{EscalationForm, StepForm};
use crate::domain::states::MonitorKind;

/// How often and how patiently a guessed monitor checks: the Settings form's own defaults.
const EVERY: &str = "30s";
const TIMEOUT: &str = "10s";

/// When the phone is told on a first ladder: long enough to silence the siren at the desk,
/// short enough to still be asleep when it buzzes.
pub const PHONE_AFTER: &str = "3m";

/// The longest name a guess proposes (a long host name is cut, never refused).
const NAME_LIMIT: usize = 60;

/// A monitor for `typed`: its kind and name guessed, the rest the form's defaults.
pub fn guess_monitor(typed: &str) -> Result<MonitorForm, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(
            "type the address of the service to watch, like https://api.example.com/health".into(),
        );
    }
    let (kind, target, host, port) = guess_target(typed)?;
    Ok(MonitorForm {
        original_name: None,
        name: name_for(&host, port),
        kind,
        target,
        every: EVERY.into(),
        timeout: TIMEOUT.into(),
        ..MonitorForm::default()
    })
}

/// The kind, the target as the config writes it, and the host and port to name it by.
fn guess_target(typed: &str) -> Result<(MonitorKind, String, String, Option<u16>), String> {
    let not_a_target = || {
        format!(
            "{typed:?} is not an address Klaxon can check: type a URL (https://api.example.com/health), host:port (db.example.com:5432) or a host name"
        )
    };
    let lower = typed.to_ascii_lowercase();
    for (scheme, kind) in [("tcp://", MonitorKind::Tcp), ("tls://", MonitorKind::Tls)] {
        if lower.starts_with(scheme) {
            let rest = typed[scheme.len()..].trim_end_matches('/');
            let (host, port) = split_host_port(rest).map_err(|_| not_a_target())?;
            return Ok((kind, rest.to_string(), host, Some(port)));
        }
    }
    if lower.starts_with("dns://") {
        let name = typed["dns://".len()..].trim_end_matches('/');
        if !looks_like_host(name) {
            return Err(not_a_target());
        }
        return Ok((MonitorKind::Dns, name.to_string(), name.to_string(), None));
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return http(typed).ok_or_else(not_a_target);
    }
    if typed.contains("://") {
        return Err(not_a_target());
    }
    // host:port, unless a path follows (then it is a URL without its scheme).
    if !typed.contains('/')
        && let Ok((host, port)) = split_host_port(typed)
    {
        let kind = if port == 443 {
            MonitorKind::Tls
        } else {
            MonitorKind::Tcp
        };
        return Ok((kind, typed.to_string(), host, Some(port)));
    }
    // A bare host (with or without a path): the website, over HTTPS.
    http(&format!("https://{typed}")).ok_or_else(not_a_target)
}

fn http(text: &str) -> Option<(MonitorKind, String, String, Option<u16>)> {
    let url = url::Url::parse(text).ok()?;
    let host = url.host_str()?.trim_matches(['[', ']']).to_string();
    if !looks_like_host(&host) {
        return None;
    }
    Some((MonitorKind::Http, text.to_string(), host, url.port()))
}

/// A host name or an address: no spaces, and a dot, a colon (IPv6) or `localhost`.
fn looks_like_host(host: &str) -> bool {
    !host.is_empty()
        && !host.chars().any(|c| c.is_whitespace() || c.is_control())
        && (host.contains('.') || host.contains(':') || host.eq_ignore_ascii_case("localhost"))
}

/// The host names the monitor; a machine address (loopback, an IP) says its port too, since
/// one address often serves several things.
fn name_for(host: &str, port: Option<u16>) -> String {
    let is_address = host.parse::<std::net::IpAddr>().is_ok() || host == "localhost";
    let name = match port {
        Some(port) if is_address && host.contains(':') => format!("[{host}]:{port}"),
        Some(port) if is_address => format!("{host}:{port}"),
        _ => host.to_string(),
    };
    name.chars().take(NAME_LIMIT).collect()
}

/// The name of a monitor in `existing` that already checks what `form` would (same kind, same
/// target, a URL's password aside): running the guide again must not add it twice.
pub fn watched_as(existing: &[MonitorForm], form: &MonitorForm) -> Option<String> {
    let target = with_user_only(form.target.trim());
    existing
        .iter()
        .find(|m| m.kind == form.kind && with_user_only(m.target.trim()) == target)
        .map(|m| m.name.clone())
}

/// `name`, or `name (2)`, `name (3)`… when a monitor in `taken` has it.
pub fn free_monitor_name(name: &str, taken: &[String]) -> String {
    let name = name.trim();
    std::iter::once(name.to_string())
        .chain((2..).map(|n| format!("{name} ({n})")))
        .find(|candidate| !taken.iter().any(|t| t.trim() == candidate))
        .unwrap_or_else(|| name.to_string())
}

/// A password written in an `http(s)://` URL, taken out: the URL with `{secret:SECRET}` in
/// its place (the rest as typed), and the password as the check sends it (percent-decoded).
/// `None` when there is no password in the clear (none, or already a reference).
pub fn split_url_password(url: &str, secret: &str) -> Option<(String, String)> {
    let (scheme, userinfo, host_and_path) = url_parts(url)?;
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return None;
    }
    let (user, password) = userinfo.split_once(':')?;
    let is_reference = password.starts_with("{secret:") && password.ends_with('}');
    if password.is_empty() || is_reference {
        return None;
    }
    let value = percent_encoding::percent_decode_str(password)
        .decode_utf8_lossy()
        .into_owned();
    Some((
        format!("{scheme}://{user}:{{secret:{secret}}}@{host_and_path}"),
        value,
    ))
}

/// `url` as it may be quoted back: without its user and password.
pub fn without_password(url: &str) -> String {
    match url_parts(url) {
        Some((scheme, _, host_and_path)) => format!("{scheme}://{host_and_path}"),
        None => url.to_string(),
    }
}

/// `url` with its user but not its password: a password typed again or kept as a reference
/// is the same check, another user may not be.
fn with_user_only(url: &str) -> String {
    match url_parts(url) {
        Some((scheme, userinfo, host_and_path)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{host_and_path}")
        }
        None => url.to_string(),
    }
}

/// The scheme, the user info and what follows the `@` of a URL that has user info.
fn url_parts(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let at = authority.rfind('@')?;
    Some((scheme, &rest[..at], &rest[at + 1..]))
}

/// The ladder with `channel` on it: unchanged when a step already names it; else the channel
/// joins the step at [`PHONE_AFTER`] (made if missing). A ladder that was empty starts with the
/// siren at once, so adding the phone never takes the siren away.
pub fn with_phone_step(ladder: &EscalationForm, channel: &str) -> EscalationForm {
    let channel = channel.trim();
    let mut ladder = ladder.clone();
    if ladder
        .steps
        .iter()
        .any(|s| s.notify.iter().any(|n| n.trim() == channel))
    {
        return ladder;
    }
    if ladder.steps.is_empty() {
        ladder.steps.push(StepForm {
            after: "0s".into(),
            notify: vec!["siren".into()],
        });
    }
    match ladder
        .steps
        .iter_mut()
        .find(|s| s.after.trim() == PHONE_AFTER)
    {
        Some(step) => step.notify.push(channel.to_string()),
        None => ladder.steps.push(StepForm {
            after: PHONE_AFTER.into(),
            notify: vec![channel.to_string()],
        }),
    }
    ladder
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(typed: &str) -> (MonitorKind, String, String) {
        let form = guess_monitor(typed).unwrap();
        (form.kind, form.name, form.target)
    }

    #[test]
    fn a_url_is_an_http_check_named_by_its_host() {
        assert_eq!(
            guess("https://api.acme.com/health"),
            (
                MonitorKind::Http,
                "api.acme.com".into(),
                "https://api.acme.com/health".into()
            )
        );
        assert_eq!(
            guess("  http://acme.com:8080/  ").1,
            "acme.com",
            "a named host needs no port to be told apart"
        );
    }

    #[test]
    fn a_bare_host_is_its_website_over_https() {
        assert_eq!(
            guess("acme.com"),
            (
                MonitorKind::Http,
                "acme.com".into(),
                "https://acme.com".into()
            )
        );
        assert_eq!(guess("acme.com/status").2, "https://acme.com/status");
    }

    #[test]
    fn host_and_port_is_a_tcp_check_and_port_443_a_certificate() {
        assert_eq!(
            guess("db.acme.com:5432"),
            (
                MonitorKind::Tcp,
                "db.acme.com".into(),
                "db.acme.com:5432".into()
            )
        );
        assert_eq!(guess("acme.com:443").0, MonitorKind::Tls);
        assert_eq!(guess("tcp://redis.acme.com:6379").0, MonitorKind::Tcp);
        assert_eq!(guess("tls://acme.com:8443").0, MonitorKind::Tls);
        assert_eq!(
            guess("dns://acme.com"),
            (MonitorKind::Dns, "acme.com".into(), "acme.com".into())
        );
    }

    #[test]
    fn a_machine_address_keeps_its_port_in_the_name() {
        assert_eq!(guess("http://127.0.0.1:8080/health").1, "127.0.0.1:8080");
        assert_eq!(guess("127.0.0.1:5432").1, "127.0.0.1:5432");
        assert_eq!(guess("http://[::1]:9000/").1, "[::1]:9000");
        assert_eq!(guess("localhost:3000").1, "localhost:3000");
    }

    #[test]
    fn the_guess_has_the_forms_defaults_and_saves_as_a_new_monitor() {
        let form = guess_monitor("https://api.acme.com").unwrap();
        assert_eq!(form.original_name, None);
        assert_eq!((form.every.as_str(), form.timeout.as_str()), ("30s", "10s"));
        let mut doc = crate::config::edit::ConfigDocument::empty(std::path::Path::new("k.toml"));
        doc.put_monitor(&form).unwrap();
        assert_eq!(doc.parse().unwrap().monitors[0].name, "api.acme.com");
    }

    #[test]
    fn what_cannot_be_a_target_is_refused_saying_what_to_type() {
        for typed in [
            "",
            "just words",
            "ftp://acme.com",
            "http://",
            "tcp://acme.com",
        ] {
            let e = guess_monitor(typed).unwrap_err();
            assert!(e.contains("type"), "{typed:?}: {e}");
        }
    }

    #[test]
    fn a_long_host_gives_a_shortened_name() {
        let host = format!("{}.acme.com", "a".repeat(200));
        assert_eq!(guess(&host).1.chars().count(), NAME_LIMIT);
    }

    #[test]
    fn a_service_already_watched_is_recognised_and_a_taken_name_gets_a_number() {
        let existing = vec![MonitorForm {
            name: "api".into(),
            ..guess_monitor("http://u:{secret:api-password}@api.acme.com/health").unwrap()
        }];
        let again = guess_monitor("http://u:hunter2@api.acme.com/health").unwrap();
        assert_eq!(watched_as(&existing, &again), Some("api".into()));
        let other = guess_monitor("https://api.acme.com/other").unwrap();
        assert_eq!(watched_as(&existing, &other), None);
        let taken = vec!["api.acme.com".to_string(), "api.acme.com (2)".to_string()];
        assert_eq!(
            free_monitor_name("api.acme.com", &taken),
            "api.acme.com (3)"
        );
        assert_eq!(free_monitor_name("web", &taken), "web");
    }

    #[test]
    fn a_password_in_a_url_becomes_a_secret_reference() {
        assert_eq!(
            split_url_password("http://user:hunter%402@127.0.0.1:1/x", "api-password"),
            Some((
                "http://user:{secret:api-password}@127.0.0.1:1/x".into(),
                "hunter@2".into()
            ))
        );
        for kept in [
            "http://user@acme.com/",
            "http://acme.com/a@b",
            "http://u:{secret:x}@acme.com/",
        ] {
            assert_eq!(split_url_password(kept, "s"), None, "{kept}");
        }
        assert_eq!(without_password("ftp://u:pw@x/"), "ftp://x/");
        assert_eq!(without_password("ftp://x"), "ftp://x");
    }

    fn step(after: &str, notify: &[&str]) -> StepForm {
        StepForm {
            after: after.into(),
            notify: notify.iter().map(|n| n.to_string()).collect(),
        }
    }

    #[test]
    fn the_phone_joins_an_empty_ladder_after_the_siren() {
        let ladder = with_phone_step(&EscalationForm::default(), "phone");
        assert_eq!(
            ladder.steps,
            vec![step("0s", &["siren"]), step("3m", &["phone"])]
        );
    }

    #[test]
    fn the_phone_joins_an_existing_ladder_once() {
        let ladder = EscalationForm {
            steps: vec![step("0s", &["siren"]), step("3m", &["team"])],
            repeat_every: "15m".into(),
            ack_timeout: String::new(),
        };
        let with = with_phone_step(&ladder, "phone");
        assert_eq!(with.steps[1], step("3m", &["team", "phone"]));
        assert_eq!(with.repeat_every, "15m");
        assert_eq!(with_phone_step(&with, "phone"), with);
        let other = EscalationForm {
            steps: vec![step("10m", &["team"])],
            ..EscalationForm::default()
        };
        assert_eq!(
            with_phone_step(&other, "phone").steps,
            vec![step("10m", &["team"]), step("3m", &["phone"])]
        );
    }
}
