//! Email, end to end against a real SMTP server on loopback (Debian's aiosmtpd): plain for a
//! relay on this machine, and STARTTLS — required by the server, with a certificate from the
//! channel's own `ca_file` — for everything else. `klaxon channel test` reports the server's
//! real answer.

mod support;

use std::time::Duration;

use support::smtp::Smtp;
use support::{Home, closed_port, fast_config, http_monitor};

const LIMIT: Duration = Duration::from_secs(30);

fn mail_channel(smtp: &Smtp, tls: &str) -> String {
    format!(
        "[[channel]]\nname = \"mail\"\nkind = \"email\"\nhost = \"127.0.0.1\"\nport = {}\n\
         {tls}from = \"Klaxon <klaxon@example.test>\"\nto = [\"sam@example.test\"]\n\n",
        smtp.addr.port()
    )
}

/// `klaxon channel test mail`: (succeeded, what it printed).
fn channel_test(home: &Home) -> (bool, String) {
    let out = home
        .cmd()
        .args(["channel", "test", "mail"])
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[test]
fn an_email_reaches_a_real_smtp_server_on_loopback() {
    let smtp = Smtp::start();
    let down = format!("http://{}/health", closed_port());
    let mut text = fast_config(closed_port(), &http_monitor("API", &down));
    text.push_str(&format!(
        "[[channel]]\nname = \"mail\"\nkind = \"email\"\nhost = \"127.0.0.1\"\nport = {}\n\
         starttls = false\nfrom = \"Klaxon <klaxon@example.test>\"\nto = [\"sam@example.test\"]\n\n\
         [escalation]\nsteps = [ {{ after = \"0s\", notify = [\"siren\", \"mail\"] }} ]\n",
        smtp.addr.port()
    ));
    let home = Home::new(&text);
    let _running = home.run();
    let mail = smtp.wait_for_mail("[Klaxon] API is down", LIMIT);
    assert!(mail.contains("To: sam@example.test"), "{mail}");
    assert!(
        mail.contains("From: Klaxon <klaxon@example.test>"),
        "{mail}"
    );
    assert!(mail.contains("API has been down since"), "{mail}");
    home.cmd().arg("ack").assert().success();
    smtp.wait_for_mail("[Klaxon] API: acknowledged", LIMIT);
}

#[test]
fn an_outage_is_mailed_over_starttls_to_a_server_that_demands_it() {
    let smtp = Smtp::start_tls();
    let ca = smtp.ca_file.clone().unwrap();
    let down = format!("http://{}/health", closed_port());
    let mut text = fast_config(closed_port(), &http_monitor("API", &down));
    text.push_str(&mail_channel(
        &smtp,
        &format!("ca_file = {:?}\n", ca.display().to_string()),
    ));
    text.push_str("[escalation]\nsteps = [ { after = \"0s\", notify = [\"siren\", \"mail\"] } ]\n");
    let home = Home::new(&text);
    let _running = home.run();
    let mail = smtp.wait_for_mail("[Klaxon] API is down", LIMIT);
    assert!(mail.contains("To: sam@example.test"), "{mail}");
    assert!(mail.contains("API has been down since"), "{mail}");
}

#[test]
fn starttls_is_required_and_the_certificate_checked() {
    let smtp = Smtp::start_tls();
    let ca = smtp.ca_file.clone().unwrap();
    let monitors = fast_config(closed_port(), "");

    // Plain text to a server that demands STARTTLS: its own words come back.
    let home = Home::new(&format!(
        "{monitors}{}",
        mail_channel(&smtp, "starttls = false\n")
    ));
    let (ok, said) = channel_test(&home);
    assert!(!ok, "{said}");
    assert!(said.contains("STARTTLS"), "the server's refusal: {said}");

    // STARTTLS, but nobody vouches for the certificate: refused, and said why.
    let home = Home::new(&format!("{monitors}{}", mail_channel(&smtp, "")));
    let (ok, said) = channel_test(&home);
    assert!(!ok, "{said}");
    assert!(said.to_lowercase().contains("certificate"), "{said}");
    assert!(
        said.contains("name that authority's PEM file in ca_file"),
        "{said}"
    );
    assert!(
        smtp.mail().is_empty(),
        "nothing was delivered: {}",
        smtp.mail()
    );

    // With the authority in ca_file: delivered, encrypted.
    let ca_line = format!("ca_file = {:?}\n", ca.display().to_string());
    let home = Home::new(&format!("{monitors}{}", mail_channel(&smtp, &ca_line)));
    let (ok, said) = channel_test(&home);
    assert!(ok, "{said}");
    smtp.wait_for_mail("[Klaxon] Klaxon test message", LIMIT);
}

#[test]
fn an_email_channel_for_a_crowd_is_refused_where_it_is_written() {
    let smtp = Smtp::start();
    let to: Vec<String> = (0..60).map(|i| format!("\"p{i}@example.test\"")).collect();
    let text = format!(
        "{}[[channel]]\nname = \"mail\"\nkind = \"email\"\nhost = \"127.0.0.1\"\nport = {}\n\
         from = \"k@example.test\"\nto = [{}]\n",
        fast_config(closed_port(), ""),
        smtp.addr.port(),
        to.join(", ")
    );
    let home = Home::new(&text);
    let out = home.cmd().args(["channel", "list"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("channel[1].to: 60 addresses; give at most 50"),
        "{said}"
    );
}
