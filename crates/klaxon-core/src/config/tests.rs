use super::raw::parse_status;
use super::*;
use crate::domain::monitor::{RecordKind, Target, TcpCheck};

fn parse(text: &str) -> Result<Config, ConfigErrors> {
    Config::parse(text, Path::new("klaxon.toml"))
}

fn messages(text: &str) -> String {
    parse(text)
        .expect_err("config should be refused")
        .to_string()
}

#[test]
fn a_full_config_is_read_into_monitors() {
    let config = parse(
        r#"
[judge]
confirm = 3
recover = 1
retry_every = "500ms"
witnesses = ["127.0.0.1:9", "[::1]:53"]

[[monitor]]
name = "API"
url = "https://api.example.com/health"
every = "15s"
timeout = "5s"
method = "post"
headers = { Authorization = "Bearer x" }
expect = { status = "2xx", body_contains = "ok", json = { path = "status", equals = "ok" }, max_latency = "2s" }

[[monitor]]
name = "Postgres"
tcp = "db.example.com:5432"

[[monitor]]
name = "Mail"
dns = "example.com"
record = "mx"
resolver = "127.0.0.1:5353"
expect = { records = ["mail.example.com."] }

[[monitor]]
name = "Cert"
tls = "example.com:443"
min_days = 7
"#,
    )
    .unwrap();
    assert_eq!(config.judge.confirm, 3);
    assert_eq!(config.judge.retry_every, Some(Duration::from_millis(500)));
    assert_eq!(config.judge.witnesses, ["127.0.0.1:9", "[::1]:53"]);
    assert_eq!(config.monitors.len(), 4);
    let Target::Http(api) = &config.monitors[0].target else {
        panic!("API is http")
    };
    assert_eq!(api.method, "POST");
    assert_eq!(
        api.expect.status,
        StatusRange {
            low: 200,
            high: 299
        }
    );
    assert_eq!(
        api.expect.json,
        Some(("status".into(), serde_json::json!("ok")))
    );
    assert_eq!(config.monitors[0].every, Duration::from_secs(15));
    assert_eq!(config.monitors[1].every, DEFAULT_EVERY);
    assert_eq!(
        config.monitors[1].target,
        Target::Tcp(TcpCheck {
            host: "db.example.com".into(),
            port: 5432
        })
    );
    let Target::Dns(mail) = &config.monitors[2].target else {
        panic!("Mail is dns")
    };
    assert_eq!(mail.record, RecordKind::Mx);
    assert_eq!(mail.expect, ["mail.example.com."]);
    let Target::Tls(cert) = &config.monitors[3].target else {
        panic!("Cert is tls")
    };
    assert_eq!(cert.min_days, 7);
}

#[test]
fn the_starter_file_is_valid_and_checks_nothing() {
    let config = parse(STARTER).unwrap();
    assert!(config.monitors.is_empty());
}

#[test]
fn an_unknown_key_is_refused_with_its_line() {
    let text = "[[monitor]]\nname = \"API\"\nurll = \"http://127.0.0.1/\"\n";
    let msg = messages(text);
    assert!(msg.contains("klaxon.toml:3:"), "{msg}");
    assert!(msg.contains("unknown field `urll`"), "{msg}");
}

#[test]
fn every_bad_value_is_reported_with_line_and_field() {
    let text = r#"
[[monitor]]
name = "API"
url = "not a url"

[[monitor]]
name = "API"
tcp = "db:5432"
every = "3x"

[[monitor]]
name = "Fast"
tcp = "db:5432"
every = "100ms"
"#;
    let err = parse(text).unwrap_err();
    let found: Vec<(usize, &str)> = err
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (4, "monitor[1].url"),
            (7, "monitor[2].name"),
            (9, "monitor[2].every"),
            (14, "monitor[3].every")
        ],
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("already defined"), "{text}");
    assert!(text.contains("\"3x\" is not a duration"), "{text}");
    assert!(
        text.contains("\"100ms\" is out of range; give from 1s to a year"),
        "{text}"
    );
}

#[test]
fn a_monitor_must_name_exactly_one_target() {
    let msg = messages("[[monitor]]\nname = \"A\"\n");
    assert!(
        msg.contains("give exactly one of url, tcp, dns or tls"),
        "{msg}"
    );
    let msg =
        messages("[[monitor]]\nname = \"A\"\nurl = \"http://127.0.0.1/\"\ntcp = \"127.0.0.1:1\"\n");
    assert!(msg.contains("gives url and tcp"), "{msg}");
}

#[test]
fn status_expectations_accept_codes_ranges_and_classes() {
    let range = |v: toml::Value| parse_status(&v);
    assert_eq!(
        range(toml::Value::Integer(204)),
        Ok(StatusRange {
            low: 204,
            high: 204
        })
    );
    assert_eq!(
        range("200-204".into()),
        Ok(StatusRange {
            low: 200,
            high: 204
        })
    );
    assert_eq!(
        range("3xx".into()),
        Ok(StatusRange {
            low: 300,
            high: 399
        })
    );
    assert!(range("299-200".into()).is_err());
    assert!(range(toml::Value::Integer(42)).is_err());
}

#[test]
fn a_syntax_error_points_at_its_line() {
    let msg = messages("[judge]\nconfirm = = 2\n");
    assert!(msg.contains("klaxon.toml:2:"), "{msg}");
}
