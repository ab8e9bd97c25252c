use std::path::PathBuf;

use super::*;
use crate::config::Recipient;

const HAND_WRITTEN: &str = r#"# Who hears about an outage besides me.

# My phone, through my own ntfy server.
[[channel]]
name = "phone"
kind = "ntfy"
server = "http://127.0.0.1:8080"   # the box under the desk
topic = "klaxon-sam"
token = "{secret:ntfy-token}"

[[channel]]
name = "team"
kind = "slack"
url = "{secret:slack-hook}"

# The ladder: me first, then the team.
[escalation]
steps = [
  { after = "0s", notify = ["siren"] },
  { after = "3m", notify = ["phone"] },   # give me three minutes
]
repeat_every = "15m"   # nag me
"#;

fn document(text: &str) -> (tempfile::TempDir, PathBuf, ConfigDocument) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klaxon.toml");
    std::fs::write(&path, text).unwrap();
    let doc = ConfigDocument::read(&path).unwrap();
    (dir, path, doc)
}

fn ntfy(name: &str, topic: &str) -> ChannelForm {
    ChannelForm {
        name: name.into(),
        kind: ChannelKind::Ntfy,
        topic: topic.into(),
        ..ChannelForm::default()
    }
}

fn fields(problems: &[FieldProblem]) -> Vec<&str> {
    problems.iter().map(|p| p.field.as_str()).collect()
}

#[test]
fn the_forms_show_each_channel_and_the_ladder_as_written() {
    let (_dir, _path, doc) = document(HAND_WRITTEN);
    let s = doc.channel_settings();
    assert_eq!(s.channels.len(), 2);
    assert_eq!(s.channels[0].name, "phone");
    assert_eq!(s.channels[0].server, "http://127.0.0.1:8080");
    assert_eq!(s.channels[0].token, "{secret:ntfy-token}");
    assert_eq!(s.channels[1].kind, ChannelKind::Slack);
    assert_eq!(s.escalation.steps.len(), 2);
    assert_eq!(s.escalation.steps[1].after, "3m");
    assert_eq!(s.escalation.steps[1].notify, ["phone"]);
    assert_eq!(s.escalation.repeat_every, "15m");
    assert_eq!(s.escalation.ack_timeout, "");
}

#[test]
fn adding_a_channel_keeps_every_comment_and_is_read_by_the_engine() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    let mut mail = ChannelForm {
        name: "ops-mail".into(),
        kind: ChannelKind::Email,
        host: "127.0.0.1".into(),
        port: "2525".into(),
        starttls: false,
        password: "{secret:smtp}".into(),
        from: "klaxon@example.com".into(),
        to: "a@example.com, b@example.com".into(),
        ..ChannelForm::default()
    };
    mail.topic = "ignored: not an email field".into();
    doc.put_channel(None, &mail).unwrap();
    let config = doc.save().unwrap();
    assert_eq!(config.channels.len(), 3);
    let text = std::fs::read_to_string(&path).unwrap();
    for comment in [
        "# Who hears about an outage besides me.",
        "# My phone, through my own ntfy server.",
        "# the box under the desk",
        "# give me three minutes",
        "# nag me",
    ] {
        assert!(text.contains(comment), "{comment:?} was lost:\n{text}");
    }
    assert!(text.contains("port = 2525\nstarttls = false"), "{text}");
    assert!(
        text.contains(r#"to = ["a@example.com", "b@example.com"]"#),
        "{text}"
    );
    assert!(!text.contains("ignored"), "{text}");
}

#[test]
fn editing_a_channel_keeps_its_comments_and_renaming_it_renames_it_in_the_ladder() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    let mut phone = doc.channel_forms().remove(0);
    phone.name = "sam-phone".into();
    phone.server = "http://127.0.0.1:8081".into();
    phone.ack_topic = "klaxon-sam-ack".into();
    doc.put_channel(Some("phone"), &phone).unwrap();
    let config = doc.save().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("server = \"http://127.0.0.1:8081\"   # the box under the desk"),
        "{text}"
    );
    assert!(
        text.contains("# My phone, through my own ntfy server.\n[[channel]]\nname = \"sam-phone\"")
    );
    assert_eq!(
        config.escalation.steps[1].notify,
        [Recipient::Channel("sam-phone".into())]
    );
    assert!(text.contains("# give me three minutes"), "{text}");
}

#[test]
fn a_secret_typed_as_itself_is_refused_and_never_lands_in_the_file() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    let mut phone = ntfy("tablet", "klaxon-tab");
    phone.token = "tk_live_9f8e7d".into();
    let problems = doc.put_channel(None, &phone).unwrap_err();
    assert_eq!(fields(&problems), ["token"]);
    assert!(
        problems[0].message.contains("{secret:NAME}"),
        "{problems:?}"
    );
    let hook = ChannelForm {
        name: "team2".into(),
        kind: ChannelKind::Slack,
        url: "https://hooks.slack.com/services/T0/B0/XYZ".into(),
        ..ChannelForm::default()
    };
    assert_eq!(fields(&doc.put_channel(None, &hook).unwrap_err()), ["url"]);
    assert!(!doc.text().contains("tk_live_9f8e7d"));
    assert!(!doc.text().contains("hooks.slack.com"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), HAND_WRITTEN);
}

#[test]
fn bad_values_are_named_by_the_field_they_belong_to() {
    let (_dir, _path, mut doc) = document(HAND_WRITTEN);
    let mut bad = ntfy("phone", "has spaces");
    bad.server = "not a url".into();
    let problems = doc.put_channel(None, &bad).unwrap_err();
    let named = fields(&problems);
    assert!(
        named.contains(&"name"),
        "duplicate name not reported: {problems:?}"
    );
    assert_eq!(
        doc.put_channel(None, &ntfy(" ", "t")).unwrap_err()[0].field,
        "name"
    );

    let (_dir, _path, mut doc) = document(HAND_WRITTEN);
    let problems = doc.put_channel(None, &bad_ntfy()).unwrap_err();
    let named = fields(&problems);
    assert!(named.contains(&"server"), "{problems:?}");
    let mut mail = ChannelForm {
        name: "mail".into(),
        kind: ChannelKind::Email,
        port: "smtp".into(),
        ..ChannelForm::default()
    };
    assert_eq!(fields(&doc.put_channel(None, &mail).unwrap_err()), ["port"]);
    mail.port = "70000".into();
    let named = doc.put_channel(None, &mail).unwrap_err();
    for field in ["port", "host", "from", "to"] {
        assert!(
            fields(&named).contains(&field),
            "{field} not named: {named:?}"
        );
    }
}

fn bad_ntfy() -> ChannelForm {
    let mut form = ntfy("tablet", "has spaces");
    form.server = "not a url".into();
    form
}

#[test]
fn changing_the_kind_removes_the_keys_of_the_old_kind() {
    let (_dir, _path, mut doc) = document(HAND_WRITTEN);
    let mut team = doc.channel_forms().remove(1);
    team.kind = ChannelKind::Discord;
    doc.put_channel(Some("team"), &team).unwrap();
    let mut phone = doc.channel_forms().remove(0);
    phone.kind = ChannelKind::Webhook;
    phone.url = "http://127.0.0.1:9000/hook".into();
    phone.token = String::new();
    doc.put_channel(Some("phone"), &phone).unwrap();
    let text = doc.text();
    assert!(text.contains("kind = \"discord\""));
    for gone in ["server =", "topic =", "token ="] {
        assert!(!text.contains(gone), "{gone} stayed:\n{text}");
    }
}

#[test]
fn a_channel_the_ladder_names_cannot_be_deleted() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    let err = doc.delete_channel("phone").unwrap_err().to_string();
    assert_eq!(
        err,
        "phone is notified by step 2 of the escalation ladder: take it out of the ladder first, \
         then delete it"
    );
    doc.delete_channel("team").unwrap();
    let config = doc.save().unwrap();
    assert_eq!(config.channels.len(), 1);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("# The ladder")
    );
    let err = doc.delete_channel("nope").unwrap_err().to_string();
    assert_eq!(err, "there is no channel named \"nope\"");
}

#[test]
fn the_ladder_is_written_where_the_engine_reads_it_and_keeps_the_comments() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    let mut ladder = doc.escalation_form();
    ladder.steps.push(StepForm {
        after: "10m".into(),
        notify: vec!["team".into(), "phone".into()],
    });
    ladder.ack_timeout = "30m".into();
    doc.set_escalation(&ladder).unwrap();
    let config = doc.save().unwrap();
    assert_eq!(config.escalation.steps.len(), 3);
    assert_eq!(config.escalation.steps[2].after.as_secs(), 600);
    assert_eq!(
        config.escalation.ack_timeout.map(|d| d.as_secs()),
        Some(1800)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("# The ladder: me first, then the team."),
        "{text}"
    );
    assert!(text.contains("repeat_every = \"15m\"   # nag me"), "{text}");
    assert!(
        text.contains("\n  { after = \"10m\", notify = [\"team\", \"phone\"] },\n]"),
        "{text}"
    );
}

#[test]
fn an_empty_ladder_removes_the_table_and_the_siren_rings_alone() {
    let (_dir, _path, mut doc) = document(HAND_WRITTEN);
    doc.set_escalation(&EscalationForm::default()).unwrap();
    let config = doc.save().unwrap();
    assert_eq!(config.escalation, crate::config::Escalation::default());
    assert!(!doc.text().contains("[escalation]"));
    // And a first ladder goes into a file that had none.
    let ladder = EscalationForm {
        steps: vec![
            StepForm {
                after: "0s".into(),
                notify: vec!["siren".into()],
            },
            StepForm {
                after: "2m".into(),
                notify: vec!["phone".into()],
            },
        ],
        ..EscalationForm::default()
    };
    doc.set_escalation(&ladder).unwrap();
    assert_eq!(doc.save().unwrap().escalation.steps.len(), 2);
}

#[test]
fn ladder_problems_are_named_by_step_and_field() {
    let (_dir, path, mut doc) = document(HAND_WRITTEN);
    let mut ladder = doc.escalation_form();
    ladder.steps.push(StepForm {
        after: "".into(),
        notify: vec![],
    });
    let problems = doc.set_escalation(&ladder).unwrap_err();
    assert_eq!(fields(&problems), ["steps[3].after", "steps[3].notify"]);

    let mut ladder = doc.escalation_form();
    ladder.steps[1].notify = vec!["pager".into()];
    ladder.steps.push(StepForm {
        after: "soon".into(),
        notify: vec!["team".into()],
    });
    ladder.repeat_every = "5s".into();
    let problems = doc.set_escalation(&ladder).unwrap_err();
    let named = fields(&problems);
    for field in ["steps[2].notify", "steps[3].after", "repeat_every"] {
        assert!(named.contains(&field), "{field} not named: {problems:?}");
    }
    let pager = problems
        .iter()
        .find(|p| p.field == "steps[2].notify")
        .unwrap();
    assert!(pager.message.contains("\"pager\""), "{pager:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), HAND_WRITTEN);
}

const TOLD_ON_SLEEP: &str = r#"[[channel]]
name = "phone"
kind = "ntfy"
topic = "klaxon-sam"

[[channel]]
name = "team"
kind = "slack"
url = "{secret:slack-hook}"

[heartbeat]
notify_on_sleep = ["phone", "team"]   # both hear it
"#;

#[test]
fn a_channel_told_before_sleep_cannot_be_deleted() {
    let (_dir, path, mut doc) = document(TOLD_ON_SLEEP);
    let err = doc.delete_channel("team").unwrap_err().to_string();
    assert_eq!(
        err,
        "team is told before the machine sleeps ([heartbeat] notify_on_sleep): take it out of \
         that list first, then delete it"
    );
    doc.save().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), TOLD_ON_SLEEP);
}

#[test]
fn renaming_a_channel_renames_it_in_notify_on_sleep() {
    let (_dir, path, mut doc) = document(TOLD_ON_SLEEP);
    let mut team = doc.channel_forms().remove(1);
    team.name = "ops".into();
    doc.put_channel(Some("team"), &team).unwrap();
    let config = doc.save().unwrap();
    let heartbeat = config.heartbeat.expect("the heartbeat stays");
    assert_eq!(heartbeat.notify_on_sleep, ["phone", "ops"]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(r#"notify_on_sleep = ["phone", "ops"]   # both hear it"#),
        "{text}"
    );
}

#[test]
fn the_last_phone_told_before_sleep_by_true_cannot_be_deleted() {
    let text = "[[channel]]\nname = \"phone\"\nkind = \"ntfy\"\ntopic = \"klaxon-sam\"\n\n\
                [[channel]]\nname = \"team\"\nkind = \"slack\"\nurl = \"{secret:slack-hook}\"\n\n\
                [heartbeat]\nnotify_on_sleep = true\n";
    let (_dir, _path, mut doc) = document(text);
    doc.delete_channel("team").unwrap();
    let err = doc.delete_channel("phone").unwrap_err().to_string();
    assert_eq!(
        err,
        "phone is the last ntfy or Pushover channel, which [heartbeat] notify_on_sleep = true \
         tells before the machine sleeps: set notify_on_sleep to false or to a list first, then \
         delete it"
    );
}
