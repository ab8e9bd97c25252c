//! Email, over SMTP: for a teammate who lives in their inbox, or a pager gateway that turns mail
//! into calls. STARTTLS by default (`starttls = false` only for a relay on this machine). A
//! refusal the server calls permanent (5xx: a wrong address, a refused login) is given up with
//! the server's words; a transient one (4xx, a dropped connection) is tried again.

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use std::path::Path;

use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message as Mail, Tokio1Executor};

use super::{ATTEMPT_TIMEOUT, Message, revealed};
use crate::config::{ChannelConfig, ChannelTarget};

/// How one attempt ended, in the words the judge needs.
pub enum Sent {
    Accepted,
    /// 5xx, or a message that cannot be made at all: sending again would not help.
    Refused(String),
    /// 4xx, or no answer: worth another try.
    Failed(String),
}

pub async fn send(channel: &ChannelConfig, message: &Message) -> Sent {
    let ChannelTarget::Email {
        host,
        port,
        starttls,
        username,
        password,
        from,
        to,
        ca_file,
    } = &channel.target
    else {
        return Sent::Refused("not an email channel".into());
    };
    let mail = match letter(from, to, message) {
        Ok(mail) => mail,
        Err(e) => return Sent::Refused(e),
    };
    let tls = match (*starttls, ca_file) {
        (false, _) => Tls::None,
        (true, ca_file) => match tls_for(host, ca_file.as_deref()) {
            Ok(params) => Tls::Required(params),
            Err(e) => return Sent::Refused(e),
        },
    };
    // "Dangerous" only in that the caller chooses the TLS: here always STARTTLS, required,
    // unless `starttls = false` says otherwise.
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .tls(tls)
        .port(*port)
        .timeout(Some(ATTEMPT_TIMEOUT));
    if let Some(user) = username {
        let secret = match password {
            Some(p) => match revealed(p).await {
                Ok(p) => p,
                Err(e) => return Sent::Refused(e),
            },
            None => String::new(),
        };
        transport = transport.credentials(Credentials::new(user.clone(), secret));
    }
    match transport.build().send(mail).await {
        Ok(_) => Sent::Accepted,
        // Sending again will not make the certificate trusted.
        Err(e) if e.to_string().contains("invalid peer certificate") => Sent::Refused(format!(
            "the mail server's certificate is not trusted ({}); if it comes from a private \
             authority, name that authority's PEM file in ca_file",
            said(&e)
                .rsplit("invalid peer certificate: ")
                .next()
                .unwrap_or_default()
        )),
        Err(e) if e.is_permanent() => {
            Sent::Refused(format!("the mail server refused it: {}", said(&e)))
        }
        Err(e) => Sent::Failed(format!("the mail server: {}", said(&e))),
    }
}

/// STARTTLS to `host`, trusting the usual roots and those of `ca_file`.
fn tls_for(host: &str, ca_file: Option<&Path>) -> Result<TlsParameters, String> {
    let mut params = TlsParameters::builder(host.to_string());
    if let Some(path) = ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read the ca_file {}: {e}", path.display()))?;
        let cert = Certificate::from_pem(&pem).map_err(|e| {
            format!(
                "the ca_file {} is not a PEM certificate: {e}",
                path.display()
            )
        })?;
        params = params.add_root_certificate(cert);
    }
    params
        .build()
        .map_err(|e| format!("cannot set up TLS for {host}: {e}"))
}

/// A server's words, as data: bounded and with control characters escaped, since they end up
/// on the timeline, in the log and on a terminal.
fn said(e: &lettre::transport::smtp::Error) -> String {
    let text = e.to_string();
    crate::text::printable(&crate::text::bounded(&text, 200)).into_owned()
}

/// The mail itself: the alert's title as the subject, its text as the body.
fn letter(from: &str, to: &[String], message: &Message) -> Result<Mail, String> {
    let parse = |a: &str| {
        a.parse::<Mailbox>()
            .map_err(|e| format!("{a:?} is not a mail address: {e}"))
    };
    let mut mail = Mail::builder()
        .from(parse(from)?)
        .subject(format!("[Klaxon] {}", message.title()));
    for address in to {
        mail = mail.to(parse(address)?);
    }
    mail.body(message.body())
        .map_err(|e| format!("the mail could not be made: {e}"))
}
