//! Slack and Discord, by their incoming webhooks: the team's chat hears of an incident. Text
//! from outside (a monitor's name, a server's reason) is made inert for each: Slack's control
//! characters `&`, `<`, `>` are escaped, so no `<!channel>` can be smuggled in, and Discord is
//! told to ping nobody (`allowed_mentions: {"parse": []}`), so no `@everyone` can be either.

use serde_json::json;

use super::{Answer, Message, answer_of, revealed, unanswered};

/// Discord refuses a `content` longer than this (characters).
const DISCORD_MAX: usize = 2000;

/// Slack's escaping of its three control characters (api.slack.com: "Escaping text").
pub fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub async fn slack(http: &reqwest::Client, url: &str, message: &Message) -> Result<Answer, String> {
    let text = format!(
        "*{}*\n{}",
        slack_escaped(&message.title()),
        slack_escaped(&message.body())
    );
    post(http, url, json!({ "text": text }), "Slack").await
}

pub async fn discord(
    http: &reqwest::Client,
    url: &str,
    message: &Message,
) -> Result<Answer, String> {
    let content = format!("**{}**\n{}", message.title(), message.body());
    let content: String = content.chars().take(DISCORD_MAX).collect();
    let body = json!({ "content": content, "allowed_mentions": { "parse": [] } });
    post(http, url, body, "Discord").await
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    body: serde_json::Value,
    service: &str,
) -> Result<Answer, String> {
    let url = revealed(url).await?;
    let request = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&body).unwrap_or_default());
    match request.send().await {
        Ok(response) => Ok(answer_of(response).await),
        Err(e) => Err(unanswered(service, &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_control_characters_from_outside_are_escaped() {
        assert_eq!(
            slack_escaped("<!channel> API & <db> down"),
            "&lt;!channel&gt; API &amp; &lt;db&gt; down"
        );
    }
}
