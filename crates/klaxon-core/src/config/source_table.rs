//! `[[source]]`: monitoring that runs elsewhere (Alertmanager, ntfy, Healthchecks, Gatus, Uptime
//! Kuma) whose alerts become Klaxon incidents — the siren by the bed for checks that run on
//! servers. Each has a `name`, exactly one kind key holding the service's URL, and optional
//! `every`, `filter`, credentials (`token`, `api_key`, each may be a `{secret:NAME}`) and
//! `unreachable_alarm_after`. `[page]` names the ntfy topic `klaxon page` publishes to.

use std::collections::HashSet;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::Collector;
use super::bounds::Within;
use super::channel_table::http_url;
use crate::domain::states::SourceKind;

const EVERY: Within = Within {
    min: Duration::from_secs(5),
    max: Duration::from_secs(3600),
    words: "from 5s to 1h",
};
const UNREACHABLE: Within = Within {
    min: Duration::from_secs(30),
    max: Duration::from_secs(24 * 3600),
    words: "from 30s to 24h, or \"off\"",
};
/// Matchers passed to Alertmanager: a handful, each short.
const MAX_FILTERS: usize = 20;
const MAX_SOURCES: usize = 50;

#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    pub name: String,
    pub target: SourceTarget,
    /// How often a polled source is read (a stream is followed, and re-opened this often at
    /// most after it drops).
    pub every: Duration,
    /// Alertmanager matchers, as written (`severity="page"`).
    pub filter: Vec<String>,
    /// Unreachable this long: it rings as an incident of its own. `None`: never.
    pub unreachable_alarm_after: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceTarget {
    /// The base URL, e.g. `http://127.0.0.1:9093`.
    Alertmanager {
        url: String,
    },
    /// The topic's URL, `https://ntfy.sh/TOPIC`; a message at or above `min_priority` rings.
    Ntfy {
        url: String,
        token: Option<String>,
        min_priority: u8,
    },
    Healthchecks {
        url: String,
        api_key: String,
    },
    Gatus {
        url: String,
    },
    UptimeKuma {
        url: String,
        api_key: Option<String>,
    },
}

impl SourceConfig {
    pub fn kind(&self) -> SourceKind {
        match self.target {
            SourceTarget::Alertmanager { .. } => SourceKind::Alertmanager,
            SourceTarget::Ntfy { .. } => SourceKind::Ntfy,
            SourceTarget::Healthchecks { .. } => SourceKind::Healthchecks,
            SourceTarget::Gatus { .. } => SourceKind::Gatus,
            SourceTarget::UptimeKuma { .. } => SourceKind::UptimeKuma,
        }
    }
}

/// `[page]`: where `klaxon page` publishes, and who it says is paging.
#[derive(Debug, Clone, PartialEq)]
pub struct PageConfig {
    /// The topic's URL, `https://ntfy.sh/TOPIC`.
    pub ntfy: String,
    pub token: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct RawSource {
    name: Spanned<String>,
    alertmanager: Option<Spanned<String>>,
    ntfy: Option<Spanned<String>>,
    healthchecks: Option<Spanned<String>>,
    gatus: Option<Spanned<String>>,
    uptime_kuma: Option<Spanned<String>>,
    every: Option<Spanned<String>>,
    #[serde(default)]
    filter: Vec<Spanned<String>>,
    token: Option<String>,
    api_key: Option<Spanned<String>>,
    min_priority: Option<Spanned<i64>>,
    unreachable_alarm_after: Option<Spanned<String>>,
}

#[derive(Deserialize)]
pub(super) struct RawPage {
    ntfy: Spanned<String>,
    token: Option<String>,
}

impl RawPage {
    pub(super) fn validate(&self, errs: &mut Collector) -> Option<PageConfig> {
        Some(PageConfig {
            ntfy: topic_url(&self.ntfy, "page.ntfy", errs)?,
            token: self.token.clone(),
        })
    }
}

/// The `[[source]]` tables, each name once.
pub(super) fn sources(raw: &[Spanned<RawSource>], errs: &mut Collector) -> Vec<SourceConfig> {
    let mut names = HashSet::new();
    let mut sources = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let field = format!("source[{}]", i + 1);
        if i == MAX_SOURCES {
            let m = format!("at most {MAX_SOURCES} sources");
            errs.push(s.span(), &field, m);
            break;
        }
        let name = &s.get_ref().name;
        if !names.insert(name.get_ref().trim().to_string()) {
            let m = format!("a source named {:?} is already defined", name.get_ref());
            errs.push(name.span(), &format!("{field}.name"), m);
            continue;
        }
        sources.extend(s.get_ref().validate(s.span(), &field, errs));
    }
    sources
}

impl RawSource {
    fn validate(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        errs: &mut Collector,
    ) -> Option<SourceConfig> {
        let name = self.name.get_ref().trim().to_string();
        // The name is shown in the terminal, the log and the window: no escapes in it.
        if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
            let m = "give the source a name of 1 to 64 characters, none of them control \
                     characters"
                .to_string();
            errs.push(self.name.span(), &format!("{field}.name"), m);
            return None;
        }
        let every = match &self.every {
            None => Some(Duration::from_secs(15)),
            Some(_) => errs.bounded(&self.every, &format!("{field}.every"), EVERY),
        };
        let unreachable = self.unreachable(field, errs);
        let filter = self.filter(field, errs);
        let target = self.target(span, field, errs);
        Some(SourceConfig {
            name,
            target: target?,
            every: every?,
            filter: filter?,
            unreachable_alarm_after: unreachable?,
        })
    }

    fn target(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        errs: &mut Collector,
    ) -> Option<SourceTarget> {
        let kinds = [
            ("alertmanager", &self.alertmanager),
            ("ntfy", &self.ntfy),
            ("healthchecks", &self.healthchecks),
            ("gatus", &self.gatus),
            ("uptime_kuma", &self.uptime_kuma),
        ];
        let given: Vec<_> = kinds.iter().filter(|(_, v)| v.is_some()).collect();
        let [(kind, Some(url))] = given.as_slice() else {
            let m = "give exactly one of alertmanager, ntfy, healthchecks, gatus or uptime_kuma \
                     (the service's URL)"
                .to_string();
            errs.push(span, field, m);
            return None;
        };
        let at = format!("{field}.{kind}");
        let api_key = self
            .api_key
            .as_ref()
            .map(|k| k.get_ref().trim().to_string());
        Some(match *kind {
            "alertmanager" => SourceTarget::Alertmanager {
                url: http_url(url, &at, errs)?,
            },
            "ntfy" => SourceTarget::Ntfy {
                url: topic_url(url, &at, errs)?,
                token: self.token.clone(),
                min_priority: match &self.min_priority {
                    None => 4,
                    Some(_) => errs.count(
                        &self.min_priority,
                        &format!("{field}.min_priority"),
                        1..=5,
                        "from 1 to 5",
                    )?,
                },
            },
            "healthchecks" => {
                let url = http_url(url, &at, errs);
                let Some(api_key) = api_key.filter(|k| !k.is_empty()) else {
                    let m = "Healthchecks needs an api_key (a read-only key is enough)".into();
                    errs.push(span, &format!("{field}.api_key"), m);
                    return None;
                };
                SourceTarget::Healthchecks { url: url?, api_key }
            }
            "gatus" => SourceTarget::Gatus {
                url: http_url(url, &at, errs)?,
            },
            _ => SourceTarget::UptimeKuma {
                url: http_url(url, &at, errs)?,
                api_key,
            },
        })
    }

    fn unreachable(&self, field: &str, errs: &mut Collector) -> Option<Option<Duration>> {
        let at = format!("{field}.unreachable_alarm_after");
        match &self.unreachable_alarm_after {
            None => Some(Some(Duration::from_secs(300))),
            Some(v) if v.get_ref().trim() == "off" => Some(None),
            Some(_) => errs
                .bounded(&self.unreachable_alarm_after, &at, UNREACHABLE)
                .map(Some),
        }
    }

    fn filter(&self, field: &str, errs: &mut Collector) -> Option<Vec<String>> {
        let at = format!("{field}.filter");
        if let Some(extra) = self.filter.get(MAX_FILTERS) {
            errs.push(extra.span(), &at, format!("at most {MAX_FILTERS} matchers"));
            return None;
        }
        let mut ok = true;
        for f in &self.filter {
            let text = f.get_ref().trim();
            if text.is_empty() || text.len() > 256 || text.chars().any(char::is_control) {
                let m = format!("{text:?} is not a matcher; write one like severity=\"page\"");
                errs.push(f.span(), &at, m);
                ok = false;
            }
        }
        if ok && !self.filter.is_empty() && self.alertmanager.is_none() {
            let m = "filter is for an alertmanager source".to_string();
            errs.push(self.filter[0].span(), &at, m);
            ok = false;
        }
        ok.then(|| {
            self.filter
                .iter()
                .map(|f| f.get_ref().trim().into())
                .collect()
        })
    }
}

/// An ntfy topic's URL: http(s), with a topic after the server (`https://ntfy.sh/TOPIC`).
fn topic_url(value: &Spanned<String>, field: &str, errs: &mut Collector) -> Option<String> {
    let url = http_url(value, field, errs)?;
    // The whole URL kept in the keyring (the topic is what lets anyone page): its topic is
    // checked when it is read.
    if crate::secrets::is_reference(&url) {
        return Some(url);
    }
    let topic = url.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let path_has_topic = url
        .split_once("://")
        .is_some_and(|(_, rest)| rest.trim_end_matches('/').contains('/'));
    if !path_has_topic || topic.is_empty() {
        // Never the URL itself: it may hold a user and password.
        let m = "the URL names no topic; write it as https://ntfy.sh/TOPIC".to_string();
        errs.push(value.span(), field, m);
        return None;
    }
    Some(url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::Config;

    fn errors(text: &str) -> String {
        match Config::parse(text, Path::new("klaxon.toml")) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_source_name_with_control_characters_is_refused() {
        let text =
            "[[source]]\nname = \"prod\\u001b[31m\\u0007\"\ngatus = \"http://127.0.0.1:8080\"\n";
        let said = errors(text);
        assert!(said.contains("source[1].name"), "{said:?}");
        assert!(!said.contains('\u{1b}'), "{said:?}");
    }

    #[test]
    fn a_topic_url_without_a_topic_is_refused_without_echoing_its_credentials() {
        for (table, field) in [
            (
                "[page]\nntfy = \"https://sam:hunter2@ntfy.example/\"\n",
                "page.ntfy",
            ),
            (
                "[[source]]\nname = \"p\"\nntfy = \"https://sam:hunter2@ntfy.example\"\n",
                "source[1].ntfy",
            ),
        ] {
            let said = errors(table);
            assert!(said.contains(field), "{said:?}");
            assert!(said.contains("names no topic"), "{said:?}");
            assert!(!said.contains("hunter2"), "{said:?}");
        }
    }

    #[test]
    fn a_topic_url_kept_whole_in_the_keyring_is_taken() {
        let said = errors("[page]\nntfy = \"{secret:page-topic}\"\n");
        assert!(said.is_empty(), "{said:?}");
    }
}
