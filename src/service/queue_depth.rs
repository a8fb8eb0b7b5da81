//! `getWebhooksCount`, minimal (issue 21's own, for the `greenq_queue_depth` metric): how
//! many notifications wait in the instance's queue. One attempt, no retries: the metric
//! reads it again a minute later. Its errors are never shown (a metric keeps its last value).

use serde::Deserialize;

use crate::service::answer::ApiError;
use crate::service::client::Client;

/// `GET {apiUrl}/waInstance{id}/getWebhooksCount/{token}` -> `{"count": N}`.
pub fn queue_depth(client: &Client) -> Result<u64, ApiError> {
    let answer = client.account_get("getWebhooksCount")?;
    #[derive(Deserialize)]
    struct Count {
        count: u64,
    }
    serde_json::from_slice::<Count>(&answer.body)
        .map(|c| c.count)
        .map_err(|_| ApiError::Unexpected {
            reason: "the answer to getWebhooksCount is not {\"count\": N}".into(),
        })
}
