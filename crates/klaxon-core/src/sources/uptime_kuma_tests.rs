use super::*;

/// What prom-client writes for Uptime Kuma 2 (tags `env` and `team` exist on some monitors).
const METRICS: &str = r#"# HELP monitor_cert_days_remaining The number of days remaining until the certificate expires
# TYPE monitor_cert_days_remaining gauge
monitor_cert_days_remaining{env="prod",team="",monitor_id="1",monitor_name="Checkout",monitor_type="http",monitor_url="https://shop.example/checkout",monitor_hostname="null",monitor_port="null"} 41
# HELP monitor_status Monitor Status (1 = UP, 0= DOWN, 2= PENDING, 3= MAINTENANCE)
# TYPE monitor_status gauge
monitor_status{env="prod",team="",monitor_id="1",monitor_name="Checkout",monitor_type="http",monitor_url="https://shop.example/checkout",monitor_hostname="null",monitor_port="null"} 0
monitor_status{env="",team="",monitor_id="2",monitor_name="Postgres",monitor_type="port",monitor_url="https://",monitor_hostname="db.internal",monitor_port="5432"} 0
monitor_status{env="",team="",monitor_id="3",monitor_name="Blog",monitor_type="http",monitor_url="https://blog.example",monitor_hostname="null",monitor_port="null"} 1
monitor_status{env="",team="",monitor_id="4",monitor_name="Queue",monitor_type="http",monitor_url="https://q.example",monitor_hostname="null",monitor_port="null"} 2
monitor_status{env="",team="",monitor_id="5",monitor_name="Search",monitor_type="http",monitor_url="https://s.example",monitor_hostname="null",monitor_port="null"} 3
# HELP monitor_status_extra not ours
monitor_status_extra{monitor_name="Other"} 0
# HELP process_cpu_user_seconds_total Total user CPU time spent in seconds.
# TYPE process_cpu_user_seconds_total counter
process_cpu_user_seconds_total 0.5
"#;

#[test]
fn only_down_monitors_are_alerts() {
    let alerts = read(METRICS).unwrap();
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    let (checkout, postgres) = (&alerts[0], &alerts[1]);
    assert_eq!(
        (checkout.key.as_str(), checkout.title.as_str()),
        ("id:1", "Checkout")
    );
    assert_eq!(
        checkout.reason,
        "Uptime Kuma says DOWN (http, https://shop.example/checkout)"
    );
    assert_eq!(
        postgres.reason,
        "Uptime Kuma says DOWN (port, db.internal:5432)"
    );
    let labels: Vec<&str> = checkout.labels.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        labels,
        [
            "service",
            "env",
            "monitor_id",
            "monitor_name",
            "monitor_type",
            "monitor_url"
        ]
    );
    assert_eq!(
        read(METRICS).unwrap(),
        alerts,
        "the same answer, the same alerts"
    );
}

#[test]
fn uptime_kuma_1_has_no_id_and_is_keyed_by_name() {
    let body = "# TYPE monitor_status gauge\nmonitor_status{monitor_name=\"API\",monitor_type=\"keyword\",monitor_url=\"https://api.example\",monitor_hostname=\"null\",monitor_port=\"null\"} 0\n";
    let a = &read(body).unwrap()[0];
    assert_eq!((a.key.as_str(), a.title.as_str()), ("API", "API"));
    assert_eq!(
        a.reason,
        "Uptime Kuma says DOWN (keyword, https://api.example)"
    );
}

#[test]
fn escaped_label_values_are_read_as_written() {
    let body = concat!(
        r#"monitor_status{monitor_name="say \"hi\", a\\b\nc",monitor_type="http" , monitor_url="https://x.example/a}b", } 0 1700000000000"#,
        "\n"
    );
    let a = &read(body).unwrap()[0];
    assert_eq!(a.title, "say \"hi\", a\\b\nc");
    assert!(
        a.reason.ends_with("(http, https://x.example/a}b)"),
        "{}",
        a.reason
    );
}

#[test]
fn no_monitors_yet_is_nothing_down_but_no_metric_at_all_is_not_uptime_kuma() {
    let empty = "# HELP monitor_status Monitor Status\n# TYPE monitor_status gauge\n";
    assert_eq!(read(empty).unwrap(), []);
    for body in [
        "",
        "<html><form>login</form></html>",
        "# TYPE monitor_status_x gauge\n",
    ] {
        let err = read(body).unwrap_err();
        assert!(err.contains("has no monitor_status"), "{body:?}: {err}");
    }
}

#[test]
fn a_broken_monitor_status_line_is_a_clear_error() {
    for line in [
        "monitor_status{monitor_name=\"a} 0",
        "monitor_status{monitor_name=\"a\"",
        "monitor_status{monitor_name=a} 0",
        "monitor_status{=\"a\"} 0",
        "monitor_status{monitor_name=\"a\" monitor_type=\"b\"} 0",
        "monitor_status{monitor_name=\"a\"}",
        "monitor_status{monitor_name=\"a\"} down",
        "monitor_status{monitor_name=\"a\\",
    ] {
        let err = read(&format!("# TYPE monitor_status gauge\n{line}\n")).unwrap_err();
        assert!(
            err.starts_with("the Uptime Kuma server's answer was not understood: line 2:"),
            "{line:?}: {err}"
        );
    }
}

#[test]
fn hostile_values_are_bounded_and_one_monitor_is_one_alert() {
    let huge = "\u{1b}[2J".repeat(200_000);
    let mut body = format!("monitor_status{{monitor_name=\"{huge}\",monitor_type=\"{huge}\"}} 0\n");
    let labels: Vec<String> = (0..500).map(|i| format!("tag{i}=\"v\"")).collect();
    body.push_str(&format!(
        "monitor_status{{monitor_name=\"many\",{}}} 0\n",
        labels.join(",")
    ));
    body.push_str("monitor_status{monitor_name=\"many\"} 0\n");
    let alerts = read(&body).unwrap();
    assert_eq!(alerts.len(), 2, "the duplicate sample is the same monitor");
    assert!(alerts[0].title.len() <= 200 && alerts[0].reason.len() <= 1000);
    assert!(alerts[1].labels.len() <= 40);
}

#[tokio::test]
async fn the_key_is_basic_auth_s_password_and_a_huge_answer_is_refused() {
    let body = format!("# TYPE monitor_status gauge\n{}", "#".repeat(5 << 20));
    let (url, request) = crate::test_servers::serve_once("200 OK", "text/plain", &body).await;
    let err = poll(&reqwest::Client::new(), &url, Some("uk1_secret"))
        .await
        .unwrap_err();
    assert_eq!(err, "the Uptime Kuma server's answer is larger than 4 MiB");
    let request = request.await.unwrap();
    assert!(
        request.starts_with("GET /metrics HTTP/1.1\r\n"),
        "{request}"
    );
    // base64(":uk1_secret")
    let authorization = request
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        })
        .map(|(_, v)| v.trim());
    assert_eq!(authorization, Some("Basic OnVrMV9zZWNyZXQ="), "{request}");
}

#[tokio::test]
async fn without_a_key_no_authorization_is_sent() {
    let (url, request) =
        crate::test_servers::serve_once("401 Unauthorized", "text/plain", "").await;
    let err = poll(&reqwest::Client::new(), &url, None).await.unwrap_err();
    assert!(err.contains("HTTP 401 — check the API key"), "{err}");
    assert!(
        !request
            .await
            .unwrap()
            .to_lowercase()
            .contains("authorization")
    );
}
