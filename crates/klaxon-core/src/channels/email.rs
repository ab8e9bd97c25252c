//! Email, over SMTP: for a teammate who lives in their inbox, or a pager gateway that turns mail
//! into calls. STARTTLS by default (`starttls = false` only for a relay on this machine). A
//! refusal the server calls permanent (5xx: a wrong address, a refused login) is given up with
//! the server's words; a transient one (4xx, a dropped connection) is tried again.

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::Tls;
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
    } = &channel.target
    else {
        return Sent::Refused("not an email channel".into());
    };
    let mail = match letter(from, to, message) {
        Ok(mail) => mail,
        Err(e) => return Sent::Refused(e),
    };
    let mut transport = if *starttls {
        match AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host) {
            Ok(t) => t,
            Err(e) => return Sent::Refused(format!("cannot use {host}: {e}")),
        }
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).tls(Tls::None)
    }
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
        Err(e) if e.is_permanent() => {
            Sent::Refused(format!("the mail server refused it: {}", said(&e)))
        }
        Err(e) => Sent::Failed(format!("the mail server: {}", said(&e))),
    }
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
