//! doctor's queue check: how many notifications wait (getWebhooksCount), and why a deep
//! queue does not drain while webhookUrl is set (the service sends them there instead).

use serde_json::json;

use super::checks::{Check, Outcome};
use crate::service::client::Client;
use crate::terminal::progress::thousands;

pub const NAME: &str = "queue depth";

/// A depth from which a set webhookUrl is worth a word: a webhook that takes what it is
/// sent keeps the queue near empty.
const LARGE: u64 = 100;

/// One getWebhooksCount, no retries; `webhook_set` from getSettings (`None`: unknown).
pub fn depth_check(client: &Client, webhook_set: Option<bool>) -> Check {
    let depth = match client.webhooks_count() {
        Ok(depth) => depth,
        Err(e) => {
            return Check::new(NAME, Outcome::Warn, format!("getWebhooksCount failed: {e}"))
                .fix("run greenq doctor -v to see the exchange; greenq count tries again");
        }
    };
    let data = json!({ "depth": depth });
    let shown = thousands(depth);
    if depth >= LARGE && webhook_set == Some(true) {
        return Check::new(
            NAME,
            Outcome::Warn,
            format!(
                "{shown} notifications wait, and webhookUrl is set: the service sends them there one at a time, and a webhook that does not answer 200 keeps them waiting (each is sent again after 60 s)"
            ),
        )
        .fix("make the webhook answer 200, or clear webhookUrl to take them here with greenq tail; greenq purge drops them")
        .data(data);
    }
    Check::pass(
        NAME,
        format!("{shown} notifications waiting (the service's count, up to 10 s old)"),
    )
    .data(data)
}
