//! The config's limits and its unknown keys, each refused with its line and field.

use super::*;
use crate::config::bounds;
use crate::domain::monitor::Target;

fn parse(text: &str) -> Result<Config, ConfigErrors> {
    Config::parse(text, Path::new("klaxon.toml"))
}

/// `(line, field, message)` of each error, in file order.
fn refusals(text: &str) -> Vec<(usize, String, String)> {
    parse(text)
        .expect_err("config should be refused")
        .errors
        .into_iter()
        .map(|e| (e.line, e.field, e.message))
        .collect()
}

fn one_refusal(text: &str) -> (usize, String, String) {
    let mut found = refusals(text);
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

fn tcp_monitor(extra: &str) -> String {
    format!("[[monitor]]\nname = \"DB\"\ntcp = \"127.0.0.1:5432\"\n{extra}\n")
}

fn http_monitor(extra: &str) -> String {
    format!("[[monitor]]\nname = \"API\"\nurl = \"http://127.0.0.1/\"\n{extra}\n")
}

#[test]
fn every_unknown_key_is_reported_at_once_with_its_line_and_field() {
    let text = r#"[alarm]
sond = "siren"

[judge]
confirm = 1
retries = 3

[[monitor]]
name = "API"
url = "http://127.0.0.1/"
expect = { stauts = 200 }

[[monitor]]
name = "DB"
tcp = "127.0.0.1:5432"
evrey = "30s"

[prodcut]
name = "Acme"
"#;
    let found: Vec<(usize, String, String)> = refusals(text);
    let fields: Vec<(usize, &str)> = found.iter().map(|(l, f, _)| (*l, f.as_str())).collect();
    assert_eq!(
        fields,
        [
            (2, "alarm.sond"),
            (6, "judge.retries"),
            (11, "monitor[1].expect.stauts"),
            (16, "monitor[2].evrey"),
            (18, "prodcut"),
        ],
        "{found:?}"
    );
    assert_eq!(found[3].2, "unknown field `evrey`");
    let shown = parse(text).unwrap_err().to_string();
    assert!(shown.contains("has 5 errors"), "{shown}");
    assert!(
        shown.contains("klaxon.toml:16:1: monitor[2].evrey: unknown field `evrey`"),
        "{shown}"
    );
}

#[test]
fn unknown_keys_and_bad_values_are_reported_together() {
    let found = refusals(&tcp_monitor("every = \"0s\"\nsecret = true"));
    let fields: Vec<&str> = found.iter().map(|(_, f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        ["monitor[1].every", "monitor[1].secret"],
        "{found:?}"
    );
}

#[test]
fn an_interval_is_from_a_second_to_a_year() {
    for bad in ["0s", "999ms", "366d", "100 years", "2000000h"] {
        let (line, field, message) = one_refusal(&tcp_monitor(&format!("every = {bad:?}")));
        assert_eq!((line, field.as_str()), (4, "monitor[1].every"), "{bad}");
        assert!(message.contains("from 1s to a year"), "{bad}: {message}");
    }
    let config = parse(&tcp_monitor("every = \"365d\"")).unwrap();
    assert_eq!(config.monitors[0].every, bounds::YEAR);
}

#[test]
fn a_timeout_is_above_zero_and_not_past_the_interval() {
    let (line, field, message) = one_refusal(&tcp_monitor("timeout = \"0s\""));
    assert_eq!((line, field.as_str()), (4, "monitor[1].timeout"));
    assert!(message.contains("above zero and at most 10m"), "{message}");

    let (line, field, message) = one_refusal(&tcp_monitor("every = \"5s\"\ntimeout = \"10s\""));
    assert_eq!((line, field.as_str()), (5, "monitor[1].timeout"));
    assert!(
        message.contains("\"10s\" is longer than every = \"5s\""),
        "{message}"
    );

    let (_, _, message) = one_refusal(&tcp_monitor("timeout = \"1h\""));
    assert!(message.contains("at most 10m"), "{message}");
}

#[test]
fn an_unset_timeout_never_outlasts_a_short_interval() {
    let config = parse(&tcp_monitor("every = \"2s\"")).unwrap();
    assert_eq!(config.monitors[0].timeout, Duration::from_secs(2));
    let config = parse(&tcp_monitor("")).unwrap();
    assert_eq!(config.monitors[0].timeout, DEFAULT_TIMEOUT);
}

#[test]
fn a_body_limit_is_at_most_32_mib() {
    for bad in ["0", "33554433", "-1", "9223372036854775807"] {
        let (line, field, message) = one_refusal(&http_monitor(&format!("max_body_bytes = {bad}")));
        assert_eq!((line, field.as_str()), (4, "monitor[1].max_body_bytes"));
        assert!(
            message.contains("from 1 byte to 33554432 (32 MiB)"),
            "{message}"
        );
    }
    let config = parse(&http_monitor("max_body_bytes = 33554432")).unwrap();
    let Target::Http(http) = &config.monitors[0].target else {
        panic!("an http monitor")
    };
    assert_eq!(http.max_body_bytes, 32 * 1024 * 1024);
}

#[test]
fn counts_are_bounded_so_no_setting_can_mean_never_ring() {
    let cases = [
        ("[judge]\nconfirm = 1000\n", "judge.confirm", "from 0 to 20"),
        ("[judge]\nconfirm = -1\n", "judge.confirm", "from 0 to 20"),
        ("[judge]\nrecover = 0\n", "judge.recover", "from 1 to 20"),
    ];
    for (text, want_field, want) in cases {
        let (line, field, message) = one_refusal(text);
        assert_eq!((line, field.as_str()), (2, want_field), "{text}");
        assert!(message.contains(want), "{text}: {message}");
    }
    let (_, field, message) = one_refusal(&http_monitor("max_redirects = 1000"));
    assert_eq!(field, "monitor[1].max_redirects");
    assert!(message.contains("from 0 to 20"), "{message}");
    let tls = "[[monitor]]\nname = \"Cert\"\ntls = \"example.com:443\"\nmin_days = 100000\n";
    let (line, field, message) = one_refusal(tls);
    assert_eq!((line, field.as_str()), (4, "monitor[1].min_days"));
    assert!(message.contains("from 0 to 365"), "{message}");
}

#[test]
fn judge_and_alarm_durations_have_bounds() {
    let cases = [
        (
            "[judge]\nretry_every = \"0s\"\n",
            "judge.retry_every",
            "from 100ms to 10m",
        ),
        (
            "[judge]\nretry_every = \"100 years\"\n",
            "judge.retry_every",
            "from 100ms to 10m",
        ),
        (
            "[judge]\ngrace_after_resume = \"1 year\"\n",
            "judge.grace_after_resume",
            "from 0s to 10m",
        ),
        (
            "[alarm]\nfull_volume_after = \"2h\"\n",
            "alarm.full_volume_after",
            "from 0s to 1h",
        ),
        (
            "[alarm]\nharsh_after = \"100 years\"\n",
            "alarm.harsh_after",
            "from 0s to 1h",
        ),
    ];
    for (text, want_field, want) in cases {
        let (line, field, message) = one_refusal(text);
        assert_eq!((line, field.as_str()), (2, want_field), "{text}");
        assert!(message.contains(want), "{text}: {message}");
    }
}

#[test]
fn a_latency_limit_must_fit_inside_the_timeout() {
    let text = http_monitor("timeout = \"2s\"\nexpect = { max_latency = \"5s\" }");
    let (line, field, message) = one_refusal(&text);
    assert_eq!((line, field.as_str()), (5, "monitor[1].expect.max_latency"));
    assert!(message.contains("longer than the timeout"), "{message}");
    let (_, _, message) = one_refusal(&http_monitor("expect = { max_latency = \"0s\" }"));
    assert!(message.contains("above zero"), "{message}");
}

#[test]
fn durations_may_be_written_in_days_and_weeks() {
    assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(2 * 86_400)));
    assert_eq!(
        parse_duration("1 week"),
        Ok(Duration::from_secs(7 * 86_400))
    );
    assert_eq!(parse_duration("1 year"), Ok(bounds::YEAR));
    assert!(parse_duration("100 years").unwrap() > bounds::YEAR);
    assert!(parse_duration("-1d").unwrap_err().contains("negative"));
    assert!(
        parse_duration("soon")
            .unwrap_err()
            .contains("not a duration")
    );
}
