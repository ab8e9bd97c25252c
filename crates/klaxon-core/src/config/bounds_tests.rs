use super::*;

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
