use super::facts::time_zone;
use super::*;
use crate::domain::incident::{AckVia, IncidentState, Origin};
use crate::domain::monitor::Evidence;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// The story's night: down at 2:07 am, the alarm rang within a minute, nobody answered for
/// 2 h 40 min, back at 5:10 am.
pub(super) fn night_outage() -> (Incident, Vec<TimelineEvent>) {
    let incident = Incident {
        id: 7,
        origin: Origin::Monitor,
        monitor: "API".into(),
        state: IncidentState::Resolved,
        first_failure_at: at("2026-01-13T02:07:12Z"),
        opened_at: at("2026-01-13T02:08:02Z"),
        alarm_started_at: Some(at("2026-01-13T02:08:02Z")),
        acknowledged_at: Some(at("2026-01-13T04:48:30Z")),
        acknowledged_via: Some(AckVia::Window),
        snoozed_until: None,
        recovered_at: Some(at("2026-01-13T05:10:40Z")),
        resolved_at: Some(at("2026-01-13T05:10:40Z")),
        reason: "HTTP 502 Bad Gateway".into(),
        evidence: Evidence::default(),
    };
    let event = |t: &str, kind: &str, detail: &str| TimelineEvent {
        at: at(t),
        kind: kind.parse().expect("a timeline kind"),
        detail: detail.into(),
    };
    let timeline = vec![
        event(
            "2026-01-13T02:07:12Z",
            "first_failure",
            "HTTP 502 Bad Gateway",
        ),
        event(
            "2026-01-13T02:08:02Z",
            "confirmed",
            "the re-checks failed too",
        ),
        event("2026-01-13T02:08:02Z", "alarm_started", ""),
        event("2026-01-13T04:48:30Z", "acknowledged", "via window"),
        event(
            "2026-01-13T05:10:40Z",
            "recovered",
            "the service answers again",
        ),
        event("2026-01-13T05:10:40Z", "resolved", "resolved"),
    ];
    (incident, timeline)
}

fn notes() -> IncidentNotes {
    IncidentNotes {
        cause: "a database migration locked the orders table.".into(),
        fix: "we stopped the migration and restarted the API".into(),
        prevention: vec![
            "migrations run behind a flag, never at night".into(),
            "a second person is called when the alarm is not answered in 10 minutes".into(),
        ],
        impact: "Checkout failed for every customer".into(),
        data_loss: "none: the 41 orders that failed were retried and went through".into(),
        offer: "I've added a month's credit to your account".into(),
    }
}

fn product() -> ProductConfig {
    ProductConfig {
        name: "Acme Invoices".into(),
        company: "Acme Ltd".into(),
        signature: "Sam Carter, founder".into(),
    }
}

/// A draft of the night outage, as of the next morning.
fn write_night(
    notes: &IncidentNotes,
    product: &ProductConfig,
    templates_dir: &std::path::Path,
    request: &DraftRequest,
) -> Result<Draft> {
    let (incident, timeline) = night_outage();
    let sources = Sources {
        incident: &incident,
        timeline: &timeline,
        notes,
        product,
        templates_dir,
    };
    write(&sources, request, at("2026-01-14T09:00:00Z"))
}

fn request(kind: &str, tone: &str, customer: &str, tz: &str) -> DraftRequest {
    DraftRequest {
        kind: kind.parse().expect("a draft kind"),
        tone: tone.parse().expect("a draft tone"),
        customer: customer.into(),
        tz: tz.into(),
    }
}

fn draft(kind: &str, tone: &str, notes: &IncidentNotes, product: &ProductConfig) -> Draft {
    let dir = tempfile::tempdir().unwrap();
    let customer = if notes.cause.is_empty() { "" } else { "Dana" };
    let request = request(kind, tone, customer, "Europe/London");
    write_night(notes, product, dir.path(), &request).unwrap()
}

fn shown(d: &Draft) -> String {
    format!(
        "Subject: {}\n\n{}\n-- missing: {:?}",
        d.subject, d.body, d.missing
    )
}

/// Every kind and tone, checked the same way: no template syntax left, the `[add: …]` markers
/// exactly the ones listed, and a snapshot named `KIND-TONE{suffix}`.
fn check_every_draft(notes: &IncidentNotes, product: &ProductConfig, suffix: &str) {
    for kind in KINDS {
        for tone in TONES {
            let d = draft(kind.as_str(), tone.as_str(), notes, product);
            let text = format!("{}\n{}", d.subject, d.body);
            assert!(
                !text.contains("{{") && !text.contains("{%"),
                "{kind}-{tone}"
            );
            assert!(!d.body.contains("  "), "{kind}-{tone}: a gap in the text");
            // The list and the markers agree, found here without the product's own parser:
            // each listed gap is a marker in the text, and with every listed marker taken out
            // no marker is left.
            let mut unlisted = text.clone();
            for gap in &d.missing {
                let marker = format!("[add: {gap}]");
                assert!(
                    text.contains(&marker),
                    "{kind}-{tone}: {marker} not in the text"
                );
                unlisted = unlisted.replace(&marker, "");
            }
            assert!(
                !unlisted.contains("[add:"),
                "{kind}-{tone}: a marker the list leaves out: {unlisted}"
            );
            insta::assert_snapshot!(format!("{kind}-{tone}{suffix}"), shown(&d));
        }
    }
}

#[test]
fn every_kind_and_tone_reads_right_for_the_night_outage() {
    check_every_draft(&notes(), &product(), "");
    for kind in KINDS {
        assert!(
            draft(kind.as_str(), "personal", &notes(), &product())
                .missing
                .is_empty()
        );
    }
}

#[test]
fn with_no_notes_every_gap_is_a_visible_marker_and_listed() {
    check_every_draft(
        &IncidentNotes::default(),
        &ProductConfig::default(),
        "-no-notes",
    );
    for kind in KINDS {
        let d = draft(
            kind.as_str(),
            "formal",
            &IncidentNotes::default(),
            &ProductConfig::default(),
        );
        assert!(
            d.missing.iter().any(|m| m.starts_with("what caused it")),
            "{kind}: {:?}",
            d.missing
        );
    }
}

#[test]
fn a_long_wait_for_the_acknowledgement_is_owned_in_the_apology() {
    let d = draft("apology", "personal", &notes(), &product());
    assert!(
        d.body.contains("it took me 2 hours 40 minutes to respond"),
        "{}",
        d.body
    );
    assert!(
        d.body
            .contains("on Tuesday 13 January 2026, from 2:07 am to 5:10 am GMT")
    );
    assert!(d.body.contains("about 3 hours"));
}

#[test]
fn times_are_in_the_customers_zone_across_a_clock_change() {
    // Berlin's clocks went back at 3:00 CEST on 25 October 2026: 2:30 CEST to 2:45 CET is an
    // hour and a quarter, not fifteen minutes.
    let (mut incident, _) = night_outage();
    incident.first_failure_at = at("2026-10-25T00:30:00Z");
    incident.alarm_started_at = Some(at("2026-10-25T00:31:00Z"));
    incident.acknowledged_at = Some(at("2026-10-25T00:35:00Z"));
    incident.recovered_at = Some(at("2026-10-25T01:45:00Z"));
    let tz = time_zone("Europe/Berlin").unwrap();
    let facts = facts::build(
        &incident,
        &[],
        &notes(),
        &product(),
        "Dana",
        &tz,
        at("2026-10-26T00:00:00Z"),
    );
    assert_eq!(
        facts.when,
        "from 2:30 am CEST on Sunday 25 October 2026 to 2:45 am CET on Sunday 25 October 2026"
    );
    assert_eq!(facts.duration, "1 hour 15 minutes");
    assert!(!facts.ack_long);
    let ny = facts::build(
        &incident,
        &[],
        &notes(),
        &product(),
        "Dana",
        &time_zone("America/New_York").unwrap(),
        at("2026-10-26T00:00:00Z"),
    );
    assert_eq!(ny.start_time, "8:30 pm");
    assert_eq!(ny.start_day, "Saturday 24 October 2026");
}

#[test]
fn a_broken_user_template_is_reported_with_its_line_and_the_built_in_one_is_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("apology-personal.txt"),
        "Subject: Sorry\n\nHi {{ customer }},\n{{ custmer_name }}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("reply-formal.txt"),
        "Subject: Re: {{ product }}\n\nHello {{ customer }}, it lasted {{ duration }}.\n",
    )
    .unwrap();
    let write = |kind: &str, tone: &str| {
        let request = request(kind, tone, "Dana", "Europe/London");
        write_night(&notes(), &product(), dir.path(), &request).unwrap()
    };
    let broken = write("apology", "personal");
    assert_eq!(broken.warnings.len(), 1);
    let warning = &broken.warnings[0];
    assert!(warning.contains("apology-personal.txt:4"), "{warning}");
    assert!(
        warning.contains("built-in apology-personal template was used"),
        "{warning}"
    );
    assert!(broken.body.starts_with("Hi Dana,"));
    let mine = write("reply", "formal");
    assert_eq!(mine.subject, "Re: Acme Invoices");
    assert_eq!(mine.body, "Hello Dana, it lasted about 3 hours.\n");
    assert!(mine.warnings.is_empty());
}

#[test]
fn unknown_kinds_tones_and_zones_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let refusal = |request: DraftRequest| {
        write_night(&notes(), &product(), dir.path(), &request)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        kind_named("poem").unwrap_err().to_string(),
        "\"poem\" is not a draft kind; choose apology, reply, status, postmortem"
    );
    assert_eq!(
        tone_named("chirpy").unwrap_err().to_string(),
        "\"chirpy\" is not a draft tone; choose personal, formal"
    );
    assert_eq!(kind_named(" postmortem ").unwrap(), DraftKind::Postmortem);
    let err = refusal(request("reply", "personal", "", "Mars/Olympus"));
    assert!(
        err.starts_with("\"Mars/Olympus\" is not a time zone"),
        "{err}"
    );
}
