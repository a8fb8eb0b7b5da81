//! A set webhookUrl explains an empty queue (the service then pushes notifications
//! there instead): `tail` says so at start, `receive` when it ended empty.

use serde_json::Value;

use crate::service::session::Session;

/// Reads the settings once; says nothing when they cannot be read. True when they were
/// read (the service answered).
pub fn warn_if_webhook_set(session: &Session) -> bool {
    let Ok(settings) = session.client.get_settings() else {
        return false;
    };
    if settings
        .get("webhookUrl")
        .and_then(Value::as_str)
        .is_some_and(|url| !url.is_empty())
    {
        session.status.warning(
            "the instance's webhookUrl is set, so the service pushes notifications there and this queue stays empty; run greenq doctor",
        );
    }
    true
}
