//! The mappers on the tools' own documented files (see fixtures/README.md for where each came
//! from), and the import into a commented klaxon.toml.

use std::path::{Path, PathBuf};

use super::*;
use crate::config::Config;
use crate::domain::monitor::Target;

fn fixture(name: &str) -> (PathBuf, String) {
    let path = crate::crate_dir()
        .join("src/config/import/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    (path, text)
}

/// A dry run of `text` against an empty klaxon.toml.
fn dry_text(source: ImportSource, text: &str) -> ImportReport {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("input");
    import(source, &file, text, &dir.path().join("klaxon.toml"), true).expect("import")
}

fn dry(source: ImportSource, name: &str) -> ImportReport {
    dry_text(source, &fixture(name).1)
}

fn sentences(r: &ImportReport) -> Vec<String> {
    r.unmapped.iter().map(Unmapped::sentence).collect()
}

fn names(r: &ImportReport) -> Vec<&str> {
    r.added.iter().map(|a| a.name.as_str()).collect()
}

fn skipped(r: &ImportReport) -> Vec<(&str, SkipReason)> {
    r.skipped
        .iter()
        .map(|s| (s.name.as_str(), s.reason))
        .collect()
}

/// Imports for real into a fresh file holding `existing`, and loads the result.
fn imported(source: ImportSource, name: &str, existing: &str) -> (ImportReport, String, Config) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("klaxon.toml");
    std::fs::write(&config, existing).expect("write");
    let (path, text) = fixture(name);
    let report = import(source, &path, &text, &config, false).expect("import");
    let written = std::fs::read_to_string(&config).expect("read");
    let loaded = Config::load(&config).expect("the result is a valid config");
    (report, written, loaded)
}

#[test]
fn the_gatus_readme_example_maps_status_json_latency_and_body_pattern() {
    let (report, _, config) = imported(ImportSource::Gatus, "gatus-readme.yaml", "");
    assert_eq!(names(&report), ["website", "make-sure-header-is-rendered"]);
    assert!(report.unmapped.is_empty(), "{:?}", sentences(&report));
    let Target::Http(website) = &config.monitors[0].target else {
        panic!("an http monitor");
    };
    assert_eq!(
        config.monitors[0].every,
        std::time::Duration::from_secs(300)
    );
    assert_eq!(
        (website.expect.status.low, website.expect.status.high),
        (200, 200)
    );
    assert_eq!(
        website.expect.json,
        Some(("status".to_string(), serde_json::json!("UP")))
    );
    assert_eq!(
        website.expect.max_latency,
        Some(std::time::Duration::from_millis(300))
    );
    let Target::Http(header) = &config.monitors[1].target else {
        panic!("an http monitor");
    };
    assert_eq!(
        header.expect.body_contains.as_deref(),
        Some("<h1>Example Domain</h1>")
    );
}

#[test]
fn gatus_own_config_maps_what_it_can_and_lists_every_condition_it_cannot() {
    let report = dry(ImportSource::Gatus, "gatus-config.yaml");
    assert_eq!(
        names(&report),
        [
            "front-end",
            "back-end",
            "back-end certificate",
            "monitoring",
            "nas",
            "example-dns-query",
            "check-domain-expiration"
        ]
    );
    assert_eq!(skipped(&report), [("icmp-ping", SkipReason::Unsupported)]);
    assert_eq!(
        sentences(&report),
        [
            r#"endpoints[1] "front-end": group "core" has no Klaxon equivalent"#,
            r#"endpoints[2] "back-end": group "core" has no Klaxon equivalent"#,
            r#"endpoints[3] "monitoring": group "internal" has no Klaxon equivalent"#,
            r#"endpoints[4] "nas": group "internal" has no Klaxon equivalent"#,
            r#"endpoints[5] "example-dns-query": condition "[BODY] == pat(*.*.*.*)" has no Klaxon equivalent"#,
            r#"endpoints[7] "check-domain-expiration": condition "[DOMAIN_EXPIRATION] > 720h" has no Klaxon equivalent"#,
        ]
    );
}

#[test]
fn gatus_readme_sections_map_tcp_tls_dns_client_and_list_the_rest() {
    let (report, written, config) = imported(ImportSource::Gatus, "gatus-faq.yaml", "");
    assert_eq!(
        skipped(&report),
        [
            ("starttls-smtp-example", SkipReason::Unsupported),
            ("ping-example", SkipReason::Unsupported),
            ("switched-off", SkipReason::Disabled),
        ]
    );
    assert!(written.contains("tcp = \"127.0.0.1:6379\""), "{written}");
    assert!(
        written.contains("tls = \"ldap.example.com:636\""),
        "{written}"
    );
    assert!(
        written.contains("min_days = 2"),
        "48h is two days: {written}"
    );
    assert!(written.contains("resolver = \"8.8.8.8:53\""), "{written}");
    assert!(
        written.contains("records = [\"93.184.215.14\"]"),
        "{written}"
    );
    assert!(
        written.contains("path = \"data.users.0.gender\", equals = \"female\""),
        "{written}"
    );
    assert!(
        written.contains("status = \"100-299\""),
        "[STATUS] < 300: {written}"
    );
    assert_eq!(config.monitors.len(), report.added.len());
    let all = sentences(&report).join("\n");
    for expected in [
        "alerting: (the whole section) is not imported",
        "storage: (the whole section) is Gatus's own setting",
        r#"endpoints[6] "with-custom-dns-resolver": client.dns-resolver "tcp://8.8.8.8:53" has no Klaxon equivalent"#,
        r#"endpoints[7] "example": alerts[1] (type "slack") is not imported"#,
        r#"endpoints[8] "filter-users-by-gender": graphql true has no Klaxon equivalent"#,
        r#"condition "len([BODY].data) < 5" has no Klaxon equivalent"#,
        r#"condition "has([BODY].errors) == false" has no Klaxon equivalent"#,
        r#"condition "[BODY].id == any(1, 2)" has no Klaxon equivalent"#,
        r#"condition "[STATUS] == any(200, 429)" has no Klaxon equivalent"#,
        r#"condition "[IP] == 127.0.0.1" has no Klaxon equivalent"#,
        r#"endpoints[9] "conditions-table": condition "[DOMAIN_EXPIRATION] > 720h" has no Klaxon equivalent"#,
        r#"endpoints[11] "frontend": group "core" has no Klaxon equivalent"#,
    ] {
        assert!(all.contains(expected), "missing {expected:?} in\n{all}");
    }
    assert_eq!(report.unmapped.len(), 12, "{all}");
}

#[test]
fn gatus_thresholds_have_no_per_monitor_equivalent_and_are_listed() {
    let report = dry_text(
        ImportSource::Gatus,
        "endpoints:\n  - name: api\n    url: https://api.example.com\n    conditions: ['[STATUS] >= 200', '[STATUS] < 300', '[BODY].data.len == 3']\n    alerts:\n      - type: pagerduty\n        failure-threshold: 5\n        success-threshold: 3\n",
    );
    assert_eq!(names(&report), ["api"]);
    let all = sentences(&report).join("\n");
    assert!(
        all.contains(r#"endpoints[1] "api": alerts[1].failure-threshold 5 has no per-monitor equivalent in Klaxon ([judge] confirm applies to every monitor)"#),
        "{all}"
    );
    assert!(all.contains("alerts[1].success-threshold 3"), "{all}");
}

#[test]
fn the_uptime_kuma_backup_maps_each_kind_klaxon_has_and_skips_the_others_by_name() {
    let (report, written, config) =
        imported(ImportSource::UptimeKuma, "uptime-kuma-backup.json", "");
    assert_eq!(
        names(&report),
        [
            "Website",
            "API health",
            "API health certificate",
            "Checkout",
            "Admin login page",
            "Postgres",
            "Mail MX",
            "Teapot"
        ]
    );
    assert_eq!(
        skipped(&report),
        [
            ("Router", SkipReason::Unsupported),
            ("Nightly backup", SkipReason::Unsupported),
            ("Old API", SkipReason::Disabled),
            ("Inverted", SkipReason::Unsupported),
            ("Services", SkipReason::Unsupported),
        ]
    );
    assert_eq!(config.monitors.len(), 8);
    for expected in [
        r#"body_contains = '"ok"'"#,
        r#"body_not_contains = "Maintenance""#,
        r#"json = { path = "status", equals = "up" }"#,
        r#"status = "200-399""#,
        "status = 418",
        r#"tcp = "db.example.com:5432""#,
        r#"record = "MX""#,
        r#"resolver = "9.9.9.9:53""#,
        r#"tls = "api.example.com:443""#,
        "verify_tls = false",
        "max_redirects = 0",
        r#"Content-Type = "application/json""#,
        r#"Authorization = "{secret:checkout-authorization}""#,
    ] {
        assert!(
            written.contains(expected),
            "missing {expected:?} in\n{written}"
        );
    }
    assert!(
        !written.contains("abc123"),
        "a credential reached klaxon.toml"
    );
    assert!(
        !written.contains("hunter2"),
        "a credential reached klaxon.toml"
    );
}

#[test]
fn every_uptime_kuma_field_without_an_equivalent_is_listed_and_no_password_is_repeated() {
    let report = dry(ImportSource::UptimeKuma, "uptime-kuma-backup.json");
    let all = sentences(&report);
    assert_eq!(
        all,
        [
            "notificationList: (the whole list) (1 entry) is not imported: Klaxon rings on this machine and reaches further through [[channel]]s",
            r#"monitorList[2] "API health": maxretries 3 (retryInterval 20) has no per-monitor equivalent in Klaxon ([judge] confirm and retry_every apply to every monitor)"#,
            r#"monitorList[2] "API health": notificationIDList {"1":true} is not imported: Klaxon rings on this machine and reaches further through [[channel]]s"#,
            r#"monitorList[2] "API health": tags ["prod"] have no Klaxon equivalent"#,
            r#"monitorList[3] "Checkout": headers.Authorization holds a credential, which Klaxon keeps in the keyring, never in klaxon.toml: written as {secret:checkout-authorization}; store its value with `klaxon secret set checkout-authorization`"#,
            r#"monitorList[4] "Admin login page": authMethod "basic" has no Klaxon equivalent: put the credential in the keyring (`klaxon secret set NAME`) and send it as headers.Authorization = "… {secret:NAME}""#,
            r#"monitorList[4] "Admin login page": basic_auth_pass (value not shown) has no Klaxon equivalent"#,
            r#"monitorList[4] "Admin login page": basic_auth_user "monitor" has no Klaxon equivalent"#,
            r#"monitorList[4] "Admin login page": description "the admin panel" has no Klaxon equivalent"#,
            r#"monitorList[10] "Teapot": resendInterval 10 has no Klaxon equivalent (Klaxon rings until someone acknowledges)"#,
        ]
    );
    assert!(!all.join("\n").contains("hunter2"));
}

#[path = "tests_edges.rs"]
mod edges;
