//! The instance's account side, as the live service keeps it: the settings object
//! (getSettings / setSettings) and the instance state (getStateInstance).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::{Map, Value};

/// `stateInstance`, as getStateInstance answers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceState {
    NotAuthorized,
    Authorized,
    Blocked,
    SleepMode,
    Starting,
    YellowCard,
}

impl InstanceState {
    pub const ALL: [InstanceState; 6] = [
        InstanceState::NotAuthorized,
        InstanceState::Authorized,
        InstanceState::Blocked,
        InstanceState::SleepMode,
        InstanceState::Starting,
        InstanceState::YellowCard,
    ];

    pub fn name(self) -> &'static str {
        match self {
            InstanceState::NotAuthorized => "notAuthorized",
            InstanceState::Authorized => "authorized",
            InstanceState::Blocked => "blocked",
            InstanceState::SleepMode => "sleepMode",
            InstanceState::Starting => "starting",
            InstanceState::YellowCard => "yellowCard",
        }
    }

    pub fn parse(text: &str) -> Option<InstanceState> {
        Self::ALL.into_iter().find(|s| s.name() == text)
    }
}

/// What a settings field holds, for the checks of setSettings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Empty, or an http(s) URL.
    Url,
    Text,
    Millis,
    YesNo,
}

/// The fields setSettings takes, with their defaults: no webhookUrl (so the HTTP API queue
/// fills), the notification kinds on, the deprecated kinds off.
const FIELDS: &[(&str, Kind, &str)] = &[
    ("webhookUrl", Kind::Url, ""),
    ("webhookUrlToken", Kind::Text, ""),
    ("delaySendMessagesMilliseconds", Kind::Millis, "5000"),
    ("markIncomingMessagesReaded", Kind::YesNo, "no"),
    ("markIncomingMessagesReadedOnReply", Kind::YesNo, "no"),
    ("sharedSession", Kind::YesNo, "no"),
    ("outgoingWebhook", Kind::YesNo, "yes"),
    ("outgoingMessageWebhook", Kind::YesNo, "yes"),
    ("outgoingAPIMessageWebhook", Kind::YesNo, "yes"),
    ("incomingWebhook", Kind::YesNo, "yes"),
    ("deviceWebhook", Kind::YesNo, "no"),
    ("statusInstanceWebhook", Kind::YesNo, "no"),
    ("stateWebhook", Kind::YesNo, "yes"),
    ("enableMessagesHistory", Kind::YesNo, "no"),
    ("keepOnlineStatus", Kind::YesNo, "no"),
    ("pollMessageWebhook", Kind::YesNo, "yes"),
    ("incomingBlockWebhook", Kind::YesNo, "no"),
    ("incomingCallWebhook", Kind::YesNo, "yes"),
    ("editedMessageWebhook", Kind::YesNo, "yes"),
    ("deletedMessageWebhook", Kind::YesNo, "yes"),
];

/// The setting that switches a typeWebhook on or off; unknown types always pass.
fn switch_of(type_webhook: &str) -> Option<&'static str> {
    Some(match type_webhook {
        "incomingMessageReceived" => "incomingWebhook",
        "outgoingMessageReceived" => "outgoingMessageWebhook",
        "outgoingAPIMessageReceived" => "outgoingAPIMessageWebhook",
        "outgoingMessageStatus" => "outgoingWebhook",
        "stateInstanceChanged" => "stateWebhook",
        "incomingCall" => "incomingCallWebhook",
        "deviceInfo" => "deviceWebhook",
        "statusInstanceChanged" => "statusInstanceWebhook",
        "incomingBlock" => "incomingBlockWebhook",
        _ => return None,
    })
}

/// The wid of every emulated instance (the phone number of the specification's examples).
const WID: &str = "79001234567@c.us";

/// Every hosted instance's settings.
pub struct Accounts {
    settings: HashMap<u64, Mutex<Map<String, Value>>>,
}

impl Accounts {
    pub fn new(ids: impl IntoIterator<Item = u64>) -> Self {
        let settings = ids
            .into_iter()
            .map(|id| (id, Mutex::new(defaults())))
            .collect();
        Accounts { settings }
    }

    fn lock(&self, id: u64) -> Option<MutexGuard<'_, Map<String, Value>>> {
        let slot = self.settings.get(&id)?;
        Some(slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// The settings object as getSettings answers it.
    pub fn get(&self, id: u64) -> Value {
        Value::Object(self.lock(id).map(|s| s.clone()).unwrap_or_default())
    }

    /// Stores the fields of a setSettings body, all or none; the problem otherwise.
    pub fn set(&self, id: u64, body: &[u8]) -> Result<(), String> {
        let fields = checked(body)?;
        if let Some(mut settings) = self.lock(id) {
            settings.extend(fields);
        }
        Ok(())
    }

    /// The URL to push to and its token, while `webhookUrl` is set.
    pub fn webhook(&self, id: u64) -> Option<(String, Option<String>)> {
        let settings = self.lock(id)?;
        let url = settings.get("webhookUrl")?.as_str()?;
        if url.is_empty() {
            return None;
        }
        let token = settings
            .get("webhookUrlToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        Some((url.to_string(), token))
    }

    /// The setting that is switched off for this typeWebhook, if one is.
    pub fn switched_off(&self, id: u64, type_webhook: &str) -> Option<&'static str> {
        let switch = switch_of(type_webhook)?;
        let settings = self.lock(id)?;
        (settings.get(switch).and_then(Value::as_str) == Some("no")).then_some(switch)
    }
}

fn defaults() -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("wid".into(), Value::from(WID));
    for (name, kind, default) in FIELDS {
        let value = match kind {
            Kind::Millis => Value::from(default.parse::<u64>().unwrap_or(0)),
            _ => Value::from(*default),
        };
        map.insert((*name).into(), value);
    }
    map
}

/// A setSettings body checked field by field.
fn checked(body: &[u8]) -> Result<Map<String, Value>, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    let Value::Object(fields) = value else {
        return Err("the body must be a JSON object of settings".into());
    };
    for (name, value) in &fields {
        let Some((_, kind, _)) = FIELDS.iter().find(|(n, _, _)| n == name) else {
            return Err(if name == "wid" {
                "wid cannot be set".into()
            } else {
                format!("unknown setting {name:?}")
            });
        };
        let fits = match kind {
            Kind::Url => value.as_str().is_some_and(is_webhook_url),
            Kind::Text => value.is_string(),
            Kind::Millis => value.as_u64().is_some(),
            Kind::YesNo => matches!(value.as_str(), Some("yes" | "no")),
        };
        if !fits {
            let wanted = match kind {
                Kind::Url => "an empty string or an http(s):// URL",
                Kind::Text => "a string",
                Kind::Millis => "a whole number of milliseconds",
                Kind::YesNo => "\"yes\" or \"no\"",
            };
            return Err(format!("{name} must be {wanted}"));
        }
    }
    Ok(fields)
}

fn is_webhook_url(text: &str) -> bool {
    text.is_empty()
        || text.parse::<hyper::Uri>().is_ok_and(|uri| {
            matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_by_name() {
        for state in InstanceState::ALL {
            assert_eq!(InstanceState::parse(state.name()), Some(state));
        }
        assert_eq!(InstanceState::parse("Authorized"), None);
    }

    #[test]
    fn defaults_queue_every_kind_and_push_nowhere() {
        let a = Accounts::new([1]);
        let s = a.get(1);
        assert_eq!(s["webhookUrl"], "");
        assert_eq!(s["incomingWebhook"], "yes");
        assert_eq!(s["delaySendMessagesMilliseconds"], 5000);
        assert_eq!(a.webhook(1), None);
        assert_eq!(a.switched_off(1, "incomingMessageReceived"), None);
    }

    #[test]
    fn set_stores_all_or_nothing() {
        let a = Accounts::new([1]);
        a.set(1, br#"{"webhookUrl":"http://h/x","webhookUrlToken":"t"}"#)
            .unwrap();
        assert_eq!(a.webhook(1), Some(("http://h/x".into(), Some("t".into()))));
        for bad in [
            &br#"{"incomingWebhook":"no","nope":1}"#[..],
            br#"{"incomingWebhook":"no","webhookUrl":5}"#,
            br#"{"incomingWebhook":true}"#,
            br#"{"webhookUrl":"ftp://h"}"#,
            br#"{"delaySendMessagesMilliseconds":-1}"#,
            br#"{"wid":"x"}"#,
            b"[]",
            b"{",
        ] {
            assert!(a.set(1, bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(a.get(1)["incomingWebhook"], "yes");
        a.set(1, br#"{"incomingWebhook":"no","webhookUrl":""}"#)
            .unwrap();
        assert_eq!(a.webhook(1), None);
        assert_eq!(
            a.switched_off(1, "incomingMessageReceived"),
            Some("incomingWebhook")
        );
        assert_eq!(a.switched_off(1, "somethingNew"), None);
    }
}
