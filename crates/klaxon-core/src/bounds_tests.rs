use super::*;

fn refusal(command: Command) -> String {
    check_command(&command).expect_err("the command should be refused")
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
            via: "window".into(),
            code: None,
        },
    ] {
        assert_eq!(check_command(&command), Ok(()), "{command:?}");
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
    assert_eq!(check_command(&Command::Pause { minutes: None }), Ok(()));
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
    let m = refusal(Command::Ack {
        incident: None,
        via: "x".repeat(10_000),
        code: None,
    });
    assert!(m.contains("cli, window, tray"), "{m}");
    assert!(m.len() < 200, "{m}");
}

#[test]
fn the_cli_parsers_name_the_bounds() {
    assert_eq!(snooze_minutes("15"), Ok(15));
    assert_eq!(pause_minutes(" 60 "), Ok(60));
    assert_eq!(alarm_test_seconds("10"), Ok(10));
    let m = snooze_minutes("1441").unwrap_err();
    assert!(
        m.starts_with("1441 minutes is out of range: a snooze lasts 1 to 1440"),
        "{m}"
    );
    let m = snooze_minutes("99999999999999999999999").unwrap_err();
    assert!(m.contains("not a whole number of minutes"), "{m}");
    assert!(m.contains("1 to 1440"), "{m}");
    let m = pause_minutes("-5").unwrap_err();
    assert!(m.contains("1 to 525600"), "{m}");
    let m = alarm_test_seconds("0").unwrap_err();
    assert!(m.contains("1 to 120 seconds"), "{m}");
}

#[test]
fn a_check_timeout_is_above_zero_and_at_most_ten_minutes() {
    assert_eq!(check_timeout("2s"), Ok(Duration::from_secs(2)));
    assert_eq!(check_timeout("10m"), Ok(Duration::from_secs(600)));
    for bad in ["0s", "11m", "100 years"] {
        let m = check_timeout(bad).unwrap_err();
        assert!(m.contains("above zero and at most 10m"), "{bad}: {m}");
    }
    assert!(
        check_timeout("soon")
            .unwrap_err()
            .contains("not a duration")
    );
}
