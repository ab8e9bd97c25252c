use super::*;

fn parse(text: &str) -> Result<Config, ConfigErrors> {
    Config::parse(text, Path::new("klaxon.toml"))
}

fn refusal(text: &str) -> String {
    parse(text)
        .expect_err("config should be refused")
        .to_string()
}

const CHANNELS: &str = r#"
[[channel]]
name = "phone"
kind = "ntfy"
server = "http://127.0.0.1:8080/"
topic = "klaxon-sam"
token = "{secret:ntfy-token}"
ack_topic = "klaxon-sam-ack"

[[channel]]
name = "team-hook"
kind = "webhook"
url = "http://127.0.0.1:9000/klaxon"
secret = "{secret:hook}"
"#;

#[test]
fn channels_and_a_ladder_are_read_with_secrets_kept_as_written() {
    let text = format!(
        "{CHANNELS}
[escalation]
steps = [
  {{ after = \"0s\", notify = [\"siren\"] }},
  {{ after = \"3m\", notify = [\"phone\"] }},
  {{ after = \"10m\", notify = [\"team-hook\"] }},
]
repeat_every = \"15m\"
ack_timeout = \"30m\"
"
    );
    let config = parse(&text).unwrap();
    assert_eq!(config.channels.len(), 2);
    assert_eq!(
        config.channels[0].target,
        ChannelTarget::Ntfy {
            server: "http://127.0.0.1:8080".into(),
            topic: "klaxon-sam".into(),
            token: Some("{secret:ntfy-token}".into()),
            ack_topic: Some("klaxon-sam-ack".into()),
        }
    );
    let e = &config.escalation;
    assert_eq!(e.steps.len(), 3);
    assert_eq!(e.steps[1].after, Duration::from_secs(180));
    assert_eq!(e.steps[1].notify, [Recipient::Channel("phone".into())]);
    assert_eq!(e.repeat_every, Some(Duration::from_secs(900)));
    assert_eq!(e.ack_timeout, Some(Duration::from_secs(1800)));
    let named: Vec<_> = e.channels().collect();
    assert_eq!(named, [(1, "phone"), (2, "team-hook")]);
}

#[test]
fn without_an_escalation_table_the_ladder_is_the_siren_alone() {
    let config = parse(CHANNELS).unwrap();
    assert_eq!(config.escalation, Escalation::default());
    assert_eq!(config.escalation.channels().count(), 0);
    let ntfy = parse("[[channel]]\nname = \"p\"\nkind = \"ntfy\"\ntopic = \"t\"\n").unwrap();
    let ChannelTarget::Ntfy { server, .. } = &ntfy.channels[0].target else {
        panic!("an ntfy channel")
    };
    assert_eq!(server, NTFY_SH);
}

#[test]
fn every_mistake_in_channels_and_the_ladder_is_located_at_once() {
    let text = r#"
[[channel]]
name = "phone"
kind = "ntfy"
topic = "not a topic!"

[[channel]]
name = "phone"
kind = "ntfy"
topic = "dup"

[[channel]]
name = "pager"
kind = "pushover"

[[channel]]
name = "chat"
kind = "slack"

[[channel]]
name = "hook"
kind = "webhook"
url = "ftp://example.com/"

[escalation]
steps = [
  { after = "0s", notify = ["siren"] },
  { after = "5m", notify = ["siren", "nobody"] },
  { after = "2m", notify = ["hook"] },
]
repeat_every = "5s"
"#;
    let m = refusal(text);
    for expected in [
        ":5:9: channel[1].topic: \"not a topic!\" is not an ntfy topic",
        ":8:8: channel[2].name: a channel named \"phone\" is already defined",
        "channel[3].user: a pushover channel needs a user",
        "channel[3].token: a pushover channel needs a token",
        "channel[4].url: a slack channel needs a url",
        "channel[5].url: \"ftp:\" is not http(s); write it like \"https://host/path\"",
        "escalation.steps[2].notify: no [[channel]] is named \"nobody\"",
        "escalation.steps[2].notify: the siren rings from the start",
        "escalation.steps: list the steps in the order they come",
        "escalation.repeat_every: \"5s\" is out of range; give from 1m to 24h",
    ] {
        assert!(m.contains(expected), "missing {expected:?} in\n{m}");
    }
}

#[test]
fn a_ladder_that_does_not_ring_at_once_is_refused() {
    let text = format!(
        "{CHANNELS}\n[escalation]\nsteps = [ {{ after = \"1m\", notify = [\"phone\"] }} ]\n"
    );
    let m = refusal(&text);
    assert!(m.contains("the first step must be after = \"0s\""), "{m}");
}

#[test]
fn an_ack_topic_equal_to_the_topic_is_refused() {
    let text = "[[channel]]\nname = \"p\"\nkind = \"ntfy\"\ntopic = \"t\"\nack_topic = \"t\"\n";
    assert!(refusal(text).contains("the ack topic must differ from the topic"));
}

#[test]
fn an_email_channel_needs_a_host_a_sender_and_someone_to_tell() {
    let config = parse(
        "[[channel]]\nname = \"mail\"\nkind = \"email\"\nhost = \"smtp.example.com\"\n\
         from = \"Klaxon <klaxon@example.com>\"\nto = [\"sam@example.com\"]\n\
         username = \"klaxon\"\npassword = \"{secret:smtp}\"\n",
    )
    .unwrap();
    let ChannelTarget::Email {
        port,
        starttls,
        password,
        ..
    } = &config.channels[0].target
    else {
        panic!("an email channel")
    };
    assert_eq!((*port, *starttls), (587, true));
    assert_eq!(password.as_deref(), Some("{secret:smtp}"));
    let m = refusal("[[channel]]\nname = \"mail\"\nkind = \"email\"\nport = 70000\n");
    for expected in [
        "channel[1].host: an email channel needs a host",
        "channel[1].from: an email channel needs a from",
        "channel[1].to: an email channel needs at least one address in to",
        "channel[1].port: 70000 is out of range; give from 1 to 65535",
    ] {
        assert!(m.contains(expected), "missing {expected:?} in\n{m}");
    }
}

#[test]
fn a_heartbeat_is_read_and_its_mistakes_located() {
    let config = parse("[heartbeat]\nurl = \"https://hc-ping.com/{secret:hc}\"\n").unwrap();
    let heartbeat = config.heartbeat.unwrap();
    assert_eq!(
        heartbeat.url.as_deref(),
        Some("https://hc-ping.com/{secret:hc}")
    );
    assert!(heartbeat.notify_on_sleep.is_empty());
    assert_eq!(heartbeat.every, Duration::from_secs(60));
    assert_eq!(parse("").unwrap().heartbeat, None);
    let m = refusal("[heartbeat]\nurl = \"hc-ping.com\"\nevery = \"1s\"\n");
    assert!(
        m.contains(":2:7: heartbeat.url: not an http(s) URL; write it like \"https://host/path\""),
        "{m}"
    );
    assert!(
        m.contains(":3:9: heartbeat.every: \"1s\" is out of range; give from 5s to 24h"),
        "{m}"
    );
}

#[test]
fn notify_on_sleep_tells_the_phone_channels_or_those_named() {
    let channels = "[[channel]]\nname = \"phone\"\nkind = \"ntfy\"\nserver = \"http://127.0.0.1:1\"\ntopic = \"t\"\n\n\
                    [[channel]]\nname = \"team\"\nkind = \"slack\"\nurl = \"http://127.0.0.1:2/hook\"\n\n";
    let phones = parse(&format!("{channels}[heartbeat]\nnotify_on_sleep = true\n")).unwrap();
    let heartbeat = phones.heartbeat.unwrap();
    assert_eq!(heartbeat.notify_on_sleep, vec!["phone".to_string()]);
    assert_eq!(heartbeat.url, None, "no pings without a url");

    let named = parse(&format!(
        "{channels}[heartbeat]\nnotify_on_sleep = [\"team\"]\n"
    ))
    .unwrap();
    assert_eq!(
        named.heartbeat.unwrap().notify_on_sleep,
        vec!["team".to_string()]
    );

    let m = refusal(&format!(
        "{channels}[heartbeat]\nnotify_on_sleep = [\"pager\"]\n"
    ));
    assert!(
        m.contains(":13:19: heartbeat.notify_on_sleep: no [[channel]] is named \"pager\""),
        "{m}"
    );
    let m = refusal("[heartbeat]\nnotify_on_sleep = true\n");
    assert!(m.contains(":2:19: heartbeat.notify_on_sleep: true tells every ntfy and Pushover channel, and there is none"), "{m}");
    let m = refusal("\n[heartbeat]\nevery = \"1m\"\n");
    assert!(m.contains(":2:1: heartbeat: give `url`"), "{m}");
}

#[test]
fn a_refused_url_is_not_repeated_since_it_may_hold_a_credential() {
    let text = r#"
[[channel]]
name = "a"
kind = "slack"
url = "ftp://sam:hunter2@127.0.0.1/x"

[[channel]]
name = "b"
kind = "webhook"
url = "http://[::1:9/hook?token=hunter3"

[[channel]]
name = "c"
kind = "discord"
url = "htps://discord.com/api/webhooks/1/hunter4"
"#;
    let m = refusal(text);
    for secret in ["hunter2", "hunter3", "hunter4", "sam"] {
        assert!(!m.contains(secret), "{secret} printed in\n{m}");
    }
    assert!(m.contains("channel[1].url: \"ftp:\" is not http(s)"), "{m}");
    assert!(m.contains("channel[2].url: not an http(s) URL"), "{m}");
    assert!(
        m.contains("channel[3].url: \"htps:\" is not http(s)"),
        "{m}"
    );
}

#[test]
fn a_channel_name_with_control_characters_is_refused() {
    for name in [r"ph\u001b[31mone", r"ph\none", r"a\u0007b", r"a\u202eb"] {
        let text = format!("[[channel]]\nname = \"{name}\"\nkind = \"ntfy\"\ntopic = \"t\"\n");
        let m = refusal(&text);
        assert!(
            m.contains("channel[1].name: give the channel a name"),
            "{m}"
        );
        assert!(!m.contains('\u{1b}') && !m.contains('\u{7}'), "{m:?}");
    }
}

#[test]
fn a_key_of_another_kind_is_refused_rather_than_ignored() {
    let text = r#"
[[channel]]
name = "hook"
kind = "webhook"
url = "http://127.0.0.1:9/"
topic = "sam"
password = "{secret:smtp}"

[[channel]]
name = "phone"
kind = "ntfy"
topic = "sam"
to = ["sam@example.com"]
"#;
    let m = refusal(text);
    for expected in [
        ":6:9: channel[1].topic: a webhook channel has no topic (its keys: url, secret)",
        "channel[1].password: a webhook channel has no password (its keys: url, secret)",
        "channel[2].to: an ntfy channel has no to (its keys: server, topic, ack_topic, token)",
    ] {
        assert!(m.contains(expected), "missing {expected:?} in\n{m}");
    }
    // Email's own extra, outside the form, stays its own.
    let mail = "[[channel]]\nname = \"m\"\nkind = \"email\"\nhost = \"127.0.0.1\"\n\
                from = \"a@example.com\"\nto = [\"b@example.com\"]\nca_file = \"/x.pem\"\n";
    parse(mail).unwrap();
}

#[test]
fn a_hundred_and_one_channels_are_refused_at_the_first_too_many() {
    let mut text = String::new();
    for i in 0..=crate::config::bounds::MAX_CHANNELS {
        text.push_str(&format!(
            "[[channel]]\nname = \"c{i}\"\nkind = \"slack\"\nurl = \"http://127.0.0.1:1/{i}\"\n"
        ));
    }
    let m = refusal(&text);
    assert!(
        m.contains(":401:1: channel[101]: at most 100 channels"),
        "{m}"
    );
}
