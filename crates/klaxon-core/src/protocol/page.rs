//! Paging the founder, for both shells: `klaxon page` and the window's form publish to the
//! `[page]` topic and can wait for the answer the founder's Klaxon sends when it is
//! acknowledged. No engine is needed for it: a teammate's machine may run none.

use std::time::Duration;

use super::Client;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::sources::page;

/// A page sent: where it went and its id, to wait for the answer after it.
#[derive(Debug, Clone)]
pub struct Paged {
    pub topic: String,
    pub id: String,
}

impl<T> Client<T> {
    /// Publishes `text` as an urgent page from `from` to the config's `[page]` topic.
    pub async fn page(&self, from: &str, text: &str) -> Result<Paged> {
        let config = Config::load(&self.paths.config)?;
        let Some(target) = config.page else {
            return Err(Error::Refused(format!(
                "there is no [page] in {}: add `[page]` with `ntfy = \"https://ntfy.sh/YOUR-TEAM-TOPIC\"`",
                self.paths.config.display()
            )));
        };
        let http = reqwest::Client::new();
        let id = page::send(&http, &target.ntfy, target.token.as_deref(), from, text)
            .await
            .map_err(Error::Refused)?;
        Ok(Paged {
            topic: target.ntfy,
            id,
        })
    }

    /// Waits at most `limit` for the founder's Klaxon to answer the page: its words, or `None`.
    pub async fn page_answer(&self, paged: &Paged, limit: Duration) -> Result<Option<String>> {
        let config = Config::load(&self.paths.config)?;
        let token = config.page.and_then(|p| p.token);
        let http = reqwest::Client::new();
        page::wait_for_reply(&http, &paged.topic, token.as_deref(), &paged.id, limit)
            .await
            .map_err(Error::Refused)
    }
}
