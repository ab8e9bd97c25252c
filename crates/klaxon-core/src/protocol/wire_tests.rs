use super::*;
use crate::domain::states::AckVia;

fn refusal(command: Command) -> String {
    command.check().expect_err("the command should be refused")
}

#[test]
fn commands_within_their_bounds_pass() {
    for command in [
        Command::Status,
        Command::Snooze { minutes: 1 },
        Command::Snooze { minutes: 1440 },
        Command::Pause { minutes: None },
        Command::Pause {
            minutes: Some(525_600),
        },
        Command::TestAlarm { seconds: 120 },
        Command::Ack {
            incident: None,
            via: AckVia::Window,
            code: None,
        },
    ] {
        assert_eq!(command.check(), Ok(()), "{command:?}");
    }
}

#[test]
fn an_absurd_snooze_is_refused_with_its_bounds() {
    let m = refusal(Command::Snooze { minutes: u64::MAX });
    assert!(
        m.contains("18446744073709551615 minutes") && m.contains("1 to 1440 minutes"),
        "{m}"
    );
    let m = refusal(Command::Snooze { minutes: 0 });
    assert!(m.contains("1 to 1440"), "{m}");
}

#[test]
fn a_pause_past_a_year_is_refused_but_until_resumed_is_not() {
    let m = refusal(Command::Pause {
        minutes: Some(525_601),
    });
    assert!(m.contains("1 to 525600 minutes (a year)"), "{m}");
    assert!(m.contains("klaxon resume"), "{m}");
    assert_eq!(Command::Pause { minutes: None }.check(), Ok(()));
}

#[test]
fn an_alarm_test_of_zero_or_hours_is_refused() {
    for seconds in [0, 121, u64::MAX] {
        let m = refusal(Command::TestAlarm { seconds });
        assert!(m.contains("1 to 120 seconds"), "{m}");
    }
}

#[test]
fn an_acknowledgement_from_an_unknown_place_is_refused_without_echoing_it_whole() {
    let line = format!(
        r#"{{"cmd":"ack","incident":null,"via":"{}"}}"#,
        "x".repeat(10_000)
    );
    let m = serde_json::from_str::<Command>(&line)
        .unwrap_err()
        .to_string();
    assert!(m.contains("via cli, window, tray"), "{m}");
    assert!(m.len() < 200, "{m}");
}

#[test]
fn only_a_person_acknowledges_by_command() {
    for via in ["phone", "source"] {
        let line = format!(r#"{{"cmd":"ack","incident":null,"via":"{via}"}}"#);
        let m = serde_json::from_str::<Command>(&line)
            .unwrap_err()
            .to_string();
        assert!(m.contains("via cli, window, tray"), "{via}: {m}");
    }
    let made_in_code = Command::Ack {
        incident: None,
        via: AckVia::Phone,
        code: None,
    };
    assert!(
        made_in_code
            .check()
            .unwrap_err()
            .contains("cli, window, tray")
    );
}

#[test]
fn commands_are_written_as_the_documented_json() {
    let ack = Command::Ack {
        incident: Some(3),
        via: AckVia::Cli,
        code: None,
    };
    assert_eq!(
        serde_json::to_string(&ack).unwrap(),
        r#"{"cmd":"ack","incident":3,"via":"cli","code":null}"#
    );
    let read: Command =
        serde_json::from_str(r#"{"cmd":"ack","incident":null,"via":"tray"}"#).unwrap();
    assert_eq!(
        read,
        Command::Ack {
            incident: None,
            via: AckVia::Tray,
            code: None
        }
    );
}
