//! Property tests of the config parser, the one reader of a file the user (or an editor, or a
//! sync tool) writes: whatever the text, it never panics, every refusal points at a line and
//! column inside the file, and whatever it accepts is within `klaxon_core::config::bounds`.
//!
//! 64 cases each in `cargo test`; `make fuzz` runs many more (`PROPTEST_CASES`).

use std::path::Path;

use klaxon_core::config::bounds;
use klaxon_core::config::{Config, ConfigErrors};
use klaxon_core::domain::monitor::Target;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

/// 64 cases in `cargo test`; `PROPTEST_CASES` (as `make fuzz` sets it) for more.
fn cases() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        // A failure `make fuzz` finds is kept beside this file and tried first from then on.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

fn parse(text: &str) -> Result<Config, ConfigErrors> {
    Config::parse(text, Path::new("klaxon.toml"))
}

/// Every error names a line and column that exist in `text`, and its message says so.
fn assert_located(text: &str, errors: &ConfigErrors) -> Result<(), TestCaseError> {
    prop_assert!(!errors.errors.is_empty(), "refused without a reason");
    let lines = text.split('\n').count();
    let shown = errors.to_string();
    for e in &errors.errors {
        prop_assert!(
            (1..=lines).contains(&e.line) && e.column >= 1,
            "{e:?} is outside the {lines} lines of the file"
        );
        let at = format!("klaxon.toml:{}:{}: ", e.line, e.column);
        prop_assert!(shown.contains(&at), "{shown} does not show {at}");
        prop_assert!(!e.message.is_empty(), "{e:?} has no message");
    }
    Ok(())
}

/// Whatever the parser accepts is within the bounds the engine relies on.
fn assert_within_bounds(config: &Config) -> Result<(), TestCaseError> {
    for m in &config.monitors {
        prop_assert!(bounds::EVERY.contains(m.every), "{m:?}");
        prop_assert!(bounds::TIMEOUT.contains(m.timeout), "{m:?}");
        prop_assert!(m.timeout <= m.every, "{m:?}");
        if let Target::Http(http) = &m.target {
            let body = i64::try_from(http.max_body_bytes).unwrap_or(i64::MAX);
            prop_assert!(bounds::BODY_BYTES.contains(&body), "{m:?}");
            prop_assert!(http.max_redirects <= 20, "{m:?}");
            if let Some(latency) = http.expect.max_latency {
                prop_assert!(latency <= m.timeout, "{m:?}");
            }
        }
        if let Target::Tls(tls) = &m.target {
            prop_assert!(
                bounds::CERT_DAYS.contains(&i64::from(tls.min_days)),
                "{m:?}"
            );
        }
    }
    let judge = &config.judge;
    prop_assert!(
        judge
            .retry_every
            .is_none_or(|d| bounds::RETRY_EVERY.contains(d))
    );
    prop_assert!(bounds::GRACE_AFTER_RESUME.contains(judge.grace_after_resume));
    prop_assert!(bounds::CONFIRM.contains(&i64::from(judge.confirm)));
    prop_assert!(bounds::RECOVER.contains(&i64::from(judge.recover)));
    prop_assert!(bounds::ESCALATION.contains(config.alarm.full_volume_after));
    prop_assert!(bounds::ESCALATION.contains(config.alarm.harsh_after));
    Ok(())
}

/// Pieces of TOML and of Klaxon's keys, glued in any order: text that is nearly a config.
fn tomlish() -> impl Strategy<Value = String> {
    let pieces = select(vec![
        "[[monitor]]\n",
        "[judge]\n",
        "[alarm]\n",
        "[product]\n",
        "name = \"API\"\n",
        "url = \"http://127.0.0.1/\"\n",
        "tcp = \"127.0.0.1:1\"\n",
        "every = ",
        "timeout = ",
        "max_body_bytes = ",
        "expect = { ",
        "status = ",
        "\"30s\"",
        "\"0s\"",
        "\"100 years\"",
        "18446744073709551616",
        "-1",
        " }",
        "\n",
        "=",
        "\"",
        "'''",
        "[",
        "]",
        "{",
        ",",
        "é\u{0}\u{1b}[2J",
    ]);
    prop_oneof![
        prop::collection::vec(pieces, 0..40).prop_map(|p| p.concat()),
        any::<String>(),
        prop::collection::vec((any::<String>(), any::<String>()), 0..6).prop_map(|kv| {
            kv.iter()
                .map(|(k, v)| format!("{k} = {v}\n"))
                .collect::<String>()
        }),
    ]
}

/// Duration texts from sensible to absurd.
fn duration_text() -> impl Strategy<Value = String> {
    let unit = select(vec![
        "ns", "ms", "s", "m", "h", "d", "w", " weeks", "mo", "y", " years", "", "x",
    ]);
    prop_oneof![
        // Mostly sensible or near the bounds, so that many files are accepted and their values
        // checked, not only refused.
        6 => (1u64..60).prop_map(|n| format!("{n}s")),
        3 => (0u64..1500, select(vec!["ms", "s", "m"])).prop_map(|(n, u)| format!("{n}{u}")),
        1 => (0u64..100_000, unit.clone()).prop_map(|(n, u)| format!("{n}{u}")),
        1 => (any::<u64>(), unit).prop_map(|(n, u)| format!("{n}{u}")),
        1 => select(vec!["-5s", "PT1H", "P1Y", "1 year", "365d", "10m", "0s"]).prop_map(String::from),
        1 => any::<String>(),
    ]
}

fn number() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => 1i64..20,
        1 => any::<i64>(),
        1 => -3i64..400,
        1 => (32 * 1024 * 1024 - 2)..(32 * 1024 * 1024 + 2i64),
    ]
}

/// Often absent: each key given is one more chance for the file to be refused.
fn maybe<S: Strategy>(s: S) -> impl Strategy<Value = Option<S::Value>> {
    prop::option::weighted(0.3, s)
}

/// A TOML string literal of `s`, escaped as TOML wants.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// One `[[monitor]]` table of a random kind with random values in its keys.
fn monitor_table() -> impl Strategy<Value = String> {
    let kind = select(vec![
        ("url", "http://127.0.0.1:8080/health"),
        ("tcp", "127.0.0.1:5432"),
        ("tls", "example.com:443"),
        ("dns", "example.com"),
    ]);
    (
        kind,
        maybe(duration_text()),
        maybe(duration_text()),
        maybe(number()),
        maybe(number()),
        maybe(number()),
        maybe(duration_text()),
        maybe("x_[a-z_]{1,10}"),
    )
        .prop_map(
            |(kind, every, timeout, body, redirects, days, latency, unknown)| {
                let mut t = format!(
                    "[[monitor]]\nname = {}\n{} = {}\n",
                    quoted(kind.1),
                    kind.0,
                    quoted(kind.1)
                );
                if let Some(v) = every {
                    t += &format!("every = {}\n", quoted(&v));
                }
                if let Some(v) = timeout {
                    t += &format!("timeout = {}\n", quoted(&v));
                }
                if let Some(v) = body {
                    t += &format!("max_body_bytes = {v}\n");
                }
                if let Some(v) = redirects {
                    t += &format!("max_redirects = {v}\n");
                }
                if let Some(v) = days {
                    t += &format!("min_days = {v}\n");
                }
                if let Some(v) = latency {
                    t += &format!("expect = {{ max_latency = {} }}\n", quoted(&v));
                }
                if let Some(k) = unknown {
                    t += &format!("{k} = 1\n");
                }
                t
            },
        )
}

fn judge_and_alarm() -> impl Strategy<Value = String> {
    (
        maybe(number()),
        maybe(number()),
        maybe(duration_text()),
        maybe(duration_text()),
        maybe(duration_text()),
        maybe(duration_text()),
    )
        .prop_map(|(confirm, recover, retry, grace, full, harsh)| {
            let mut t = String::from("[judge]\nwitnesses = []\n");
            if let Some(v) = confirm {
                t += &format!("confirm = {v}\n");
            }
            if let Some(v) = recover {
                t += &format!("recover = {v}\n");
            }
            if let Some(v) = retry {
                t += &format!("retry_every = {}\n", quoted(&v));
            }
            if let Some(v) = grace {
                t += &format!("grace_after_resume = {}\n", quoted(&v));
            }
            t += "\n[alarm]\nraise_system_volume = false\n";
            if let Some(v) = full {
                t += &format!("full_volume_after = {}\n", quoted(&v));
            }
            if let Some(v) = harsh {
                t += &format!("harsh_after = {}\n", quoted(&v));
            }
            t + "\n"
        })
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_text_is_read_without_panic_and_every_refusal_is_located(text in tomlish()) {
        if let Err(errors) = parse(&text) {
            assert_located(&text, &errors)?;
        }
    }

    #[test]
    fn arbitrary_values_are_accepted_only_within_bounds_and_refused_with_their_field(
        head in judge_and_alarm(),
        monitors in prop::collection::vec(monitor_table(), 0..4),
    ) {
        let text = head + &monitors.join("\n");
        match parse(&text) {
            Ok(config) => assert_within_bounds(&config)?,
            Err(errors) => {
                assert_located(&text, &errors)?;
                for e in &errors.errors {
                    // Every value here is well-formed TOML: each refusal names its field.
                    prop_assert!(!e.field.is_empty(), "{e:?} in\n{text}");
                }
            }
        }
    }
}
