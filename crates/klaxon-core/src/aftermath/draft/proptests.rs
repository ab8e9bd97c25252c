//! Property tests of the drafts' inputs: notes, customer names, monitor names and reasons come
//! from people and from outside, and time zones are typed by hand. Whatever they hold, writing a
//! draft never panics, an unknown time zone is a clear refusal, and nothing in them is read as
//! template syntax: a note that says `{{ product }}` is printed as written, never evaluated.
//!
//! 64 cases each in `cargo test`; `make fuzz` runs many more (`PROPTEST_CASES`).

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

use super::tests::night_outage;
use super::*;
use crate::domain::incident::IncidentState;

fn cases() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        // A failure `make fuzz` finds is kept beside this file and tried first from then on.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// Names and notes as people write them, and as nobody would.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-zé' .,-]{0,30}",
        Just(String::new()),
        Just("   ".to_string()),
        Just("[add: cause]".to_string()),
    ]
    .boxed()
}

/// Text that looks like template syntax; it starts with `{` and ends with a letter, so that it
/// reaches the draft unchanged (notes lose a trailing full stop and gain a capital).
fn template_syntax() -> BoxedStrategy<String> {
    let piece = select(vec![
        "{{ product }}",
        "{{ customer|upper }}",
        "{% for m in timeline %}{{ m.what }}{% endfor %}",
        "{# hidden #}",
        "{{ 7 * 7 }}",
        "{% raw %}",
        "{{",
        "{%",
    ]);
    (piece, "[a-z]{1,8}")
        .prop_map(|(p, w)| format!("{p} {w}"))
        .boxed()
}

fn zone() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "",
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kathmandu",
            "Pacific/Chatham",
            "Etc/GMT+12",
            "../../../etc/passwd",
            "Europe/../../../etc/shadow",
        ])
        .prop_map(String::from),
        "[A-Za-z_/+-]{0,30}",
        any::<String>(),
    ]
}

#[derive(Debug)]
struct Inputs {
    notes: IncidentNotes,
    customer: String,
    service: String,
    reason: String,
    product: ProductConfig,
}

impl Inputs {
    fn all(&self) -> Vec<&str> {
        let n = &self.notes;
        let mut all = vec![
            n.cause.as_str(),
            &n.fix,
            &n.impact,
            &n.data_loss,
            &n.offer,
            &self.customer,
            &self.service,
            &self.reason,
            &self.product.name,
            &self.product.company,
            &self.product.signature,
        ];
        all.extend(n.prevention.iter().map(String::as_str));
        all
    }
}

fn inputs(text: BoxedStrategy<String>) -> impl Strategy<Value = Inputs> {
    (
        (
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
        ),
        prop::collection::vec(text.clone(), 0..3),
        (text.clone(), text.clone(), text.clone()),
        (text.clone(), text.clone(), text),
    )
        .prop_map(
            |(
                (cause, fix, impact, data_loss, offer),
                prevention,
                (customer, service, reason),
                (name, company, signature),
            )| Inputs {
                notes: IncidentNotes {
                    cause,
                    fix,
                    prevention,
                    impact,
                    data_loss,
                    offer,
                },
                customer,
                service,
                reason,
                product: ProductConfig {
                    name,
                    company,
                    signature,
                },
            },
        )
}

/// The draft of the night outage (or of one still going on) from `inputs`.
fn write_from(inputs: &Inputs, kind: &str, tone: &str, tz: &str, ongoing: bool) -> Result<Draft> {
    let (mut incident, timeline) = night_outage();
    incident.monitor = inputs.service.clone();
    incident.reason = inputs.reason.clone();
    if ongoing {
        incident.state = IncidentState::Acknowledged;
        incident.recovered_at = None;
        incident.resolved_at = None;
    }
    let nowhere = std::path::Path::new("/nonexistent/klaxon/templates");
    let sources = Sources {
        incident: &incident,
        timeline: &timeline,
        notes: &inputs.notes,
        product: &inputs.product,
        templates_dir: nowhere,
    };
    let request = DraftRequest {
        kind: kind.parse().expect("a draft kind"),
        tone: tone.parse().expect("a draft tone"),
        customer: inputs.customer.clone(),
        tz: tz.into(),
    };
    write(&sources, &request, "2026-01-14T09:00:00Z".parse().unwrap())
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_notes_names_and_zones_write_a_draft_or_refuse_the_zone(
        inputs in inputs(text()),
        kind in select(KINDS.to_vec()),
        tone in select(TONES.to_vec()),
        tz in zone(),
        ongoing in any::<bool>(),
    ) {
        match write_from(&inputs, kind.as_str(), tone.as_str(), &tz, ongoing) {
            Ok(draft) => {
                prop_assert!(!draft.body.trim().is_empty());
                prop_assert!(draft.warnings.is_empty(), "{:?}", draft.warnings);
                let braces = inputs.all().iter().any(|i| i.contains('{') || i.contains('}'));
                if !braces {
                    let text = format!("{}\n{}", draft.subject, draft.body);
                    for syntax in ["{{", "}}", "{%", "%}", "{#", "#}"] {
                        prop_assert!(!text.contains(syntax), "{syntax} in\n{text}");
                    }
                }
            }
            Err(e) => {
                let message = e.to_string();
                prop_assert!(
                    message.contains("is not a time zone Klaxon knows"),
                    "{tz:?}: {message}"
                );
            }
        }
    }

    #[test]
    fn template_syntax_in_the_inputs_is_printed_as_written_never_evaluated(
        inputs in inputs(template_syntax()),
        kind in select(KINDS.to_vec()),
        tone in select(TONES.to_vec()),
    ) {
        let draft = write_from(&inputs, kind.as_str(), tone.as_str(), "Europe/Berlin", false);
        prop_assert!(draft.is_ok(), "{:?}", draft.err().map(|e| e.to_string()));
        let draft = draft.unwrap_or_else(|_| unreachable!());
        let mut text = format!("{}\n{}", draft.subject, draft.body);
        // Take out what the inputs wrote, longest first; what remains came from the template.
        let mut all = inputs.all();
        all.sort_by_key(|i| std::cmp::Reverse(i.len()));
        for input in all {
            text = text.replace(input, "");
        }
        for syntax in ["{{", "{%", "{#"] {
            prop_assert!(!text.contains(syntax), "{syntax} left in\n{text}");
        }
        prop_assert!(!text.contains("49"), "a note was evaluated:\n{text}");
    }
}
