//! A set webhookUrl explains an empty queue (the service then pushes notifications
//! there instead): `tail` says so at start, `receive` when it ended empty.

use serde_json::Value;

use crate::service::answer::ApiError;
use crate::service::queue::Settings;
use crate::service::session::Session;
use crate::terminal::status::Status;

/// Reads the settings once; says nothing when they cannot be read.
pub fn warn_if_webhook_set(session: &Session) {
    warn_if_set(&session.status, session.client.get_settings());
}

/// Warns when `settings` (as read) has a webhookUrl; says nothing when they were not
/// read. True when they were read (the service answered).
pub fn warn_if_set(status: &Status, settings: Result<Settings, ApiError>) -> bool {
    let Ok(settings) = settings else {
        return false;
    };
    if settings
        .get("webhookUrl")
        .and_then(Value::as_str)
        .is_some_and(|url| !url.is_empty())
    {
        status.warning(
            "the instance's webhookUrl is set, so the service pushes notifications there and this queue stays empty; run greenq doctor",
        );
    }
    true
}
