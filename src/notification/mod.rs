//! The notification model: the envelope `receive` answers with, the checks a notification
//! must pass before it is published, and compact JSON for one-line output.

pub mod input;
#[cfg(test)]
pub(crate) mod json_strategy;
pub mod known_types;

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;

/// The largest notification greenq publishes, and the emulator accepts.
pub const MAX_NOTIFICATION: usize = 10 * 1024 * 1024;

/// The largest receipt id that JSON tools read exactly (jq and JavaScript hold numbers
/// as doubles): 2^53 - 1. The emulator gives out none above it.
pub const MAX_EXACT_RECEIPT: u64 = (1 << 53) - 1;

/// `{"receiptId": 488645, "body": {...}}`. The body is kept as raw JSON text, so that
/// whatever the service sends (new types, odd fields) passes through untouched; but it is
/// an object, as documented: anything else is no notification.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(rename = "receiptId")]
    pub receipt_id: u64,
    #[serde(deserialize_with = "object_body")]
    pub body: Box<RawValue>,
}

/// The raw body, when it is a JSON object.
fn object_body<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Box<RawValue>, D::Error> {
    let raw = Box::<RawValue>::deserialize(d)?;
    if raw.get().starts_with('{') {
        Ok(raw)
    } else {
        Err(serde::de::Error::custom(format!(
            "body must be an object, found {}",
            kind_of(raw.get())
        )))
    }
}

impl Envelope {
    /// The body's `typeWebhook`, read without building the whole tree.
    pub fn type_webhook(&self) -> Option<Cow<'_, str>> {
        #[derive(Deserialize)]
        struct TypeOnly<'a> {
            #[serde(borrow, rename = "typeWebhook")]
            type_webhook: Option<Cow<'a, str>>,
        }
        let body = self.body.get();
        if !body.starts_with('{') {
            return None;
        }
        serde_json::from_str::<TypeOnly>(body).ok()?.type_webhook
    }
}

/// What publish needs to know of a notification that passed `check`.
#[derive(Debug, PartialEq, Eq)]
pub struct Checked {
    pub id_message: Option<String>,
    /// `instanceData.idInstance`: the queue the webhook endpoint puts it in.
    pub instance: u64,
}

/// A field of a borrowed parse: absent, or present as raw JSON (`null` included, which
/// `Option` would fold into "absent").
#[derive(Default)]
enum Field<'a> {
    #[default]
    Missing,
    Present(&'a RawValue),
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&RawValue>::deserialize(d).map(Field::Present)
    }
}

/// A notification is a JSON object with a string `typeWebhook` and a positive integer
/// `instanceData.idInstance` (the webhook endpoint routes by it). Returns the problem.
/// Reads only those fields (and `idMessage`), borrowed: publish checks every notification
/// twice, so this is on its hot path.
pub fn check(raw: &str) -> Result<Checked, String> {
    #[derive(Deserialize)]
    struct Shape<'a> {
        #[serde(rename = "typeWebhook", borrow, default)]
        type_webhook: Field<'a>,
        #[serde(rename = "instanceData", borrow, default)]
        instance_data: Field<'a>,
        #[serde(rename = "idMessage", borrow, default)]
        id_message: Field<'a>,
    }
    #[derive(Deserialize)]
    struct InstanceData<'a> {
        #[serde(rename = "idInstance", borrow, default)]
        id_instance: Field<'a>,
    }
    let raw = raw.trim();
    if !raw.starts_with('{') {
        return Err(format!("expected a JSON object, found {}", kind_of(raw)));
    }
    let shape: Shape = serde_json::from_str(raw).map_err(|e| e.to_string())?;
    match shape.type_webhook {
        Field::Missing => return Err("typeWebhook is missing".into()),
        Field::Present(t) if t.get().starts_with('"') => {
            let text: Cow<str> = serde_json::from_str(t.get()).map_err(|e| e.to_string())?;
            if text.is_empty() {
                return Err("typeWebhook is empty".into());
            }
        }
        Field::Present(t) => {
            return Err(format!(
                "typeWebhook must be a string, found {}",
                kind_of(t.get())
            ));
        }
    }
    let data = match shape.instance_data {
        Field::Missing => return Err("instanceData is missing".into()),
        Field::Present(d) if d.get().starts_with('{') => d,
        Field::Present(d) => {
            return Err(format!(
                "instanceData must be an object, found {}",
                kind_of(d.get())
            ));
        }
    };
    let data: InstanceData = serde_json::from_str(data.get()).map_err(|e| e.to_string())?;
    let instance = match data.id_instance {
        Field::Missing => return Err("instanceData.idInstance is missing".into()),
        Field::Present(id) if id.get().parse::<u64>().is_ok_and(|id| id > 0) => {
            id.get().parse::<u64>().unwrap_or_default()
        }
        Field::Present(id) => {
            return Err(format!(
                "instanceData.idInstance must be a positive integer, found {}",
                crate::text::truncate(id.get(), 40)
            ));
        }
    };
    let id_message = match shape.id_message {
        Field::Present(id) if id.get().starts_with('"') => serde_json::from_str(id.get()).ok(),
        _ => None,
    };
    Ok(Checked {
        id_message,
        instance,
    })
}

/// What kind of JSON value `raw` is, from its first character.
fn kind_of(raw: &str) -> &'static str {
    match raw.trim_start().as_bytes().first() {
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        Some(b'"') => "a string",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        _ => "a number",
    }
}

/// `json` without insignificant white space, on one line. `json` must be valid JSON: every
/// raw space, tab, CR or LF outside a string is insignificant (inside one they are escaped).
pub fn compact(json: &str) -> Cow<'_, str> {
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let bytes = json.as_bytes();
    if is_compact(bytes) {
        return Cow::Borrowed(json);
    }
    let mut in_string = false;
    let mut escaped = false;
    let mut out: Option<Vec<u8>> = None;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if is_space(b) {
            out.get_or_insert_with(|| bytes[..i].to_vec());
            continue;
        }
        if let Some(out) = out.as_mut() {
            out.push(b);
        }
    }
    match out {
        // Only ASCII bytes were removed from valid UTF-8, so the rest is valid UTF-8.
        Some(out) => Cow::Owned(
            String::from_utf8(out)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
        None => Cow::Borrowed(json),
    }
}

/// True when `json` has no white space outside its strings (the usual case: bodies come
/// compact). Jumps from quote to quote instead of running the state machine per byte.
fn is_compact(bytes: &[u8]) -> bool {
    let mut i = 0;
    loop {
        let Some(k) = bytes[i..]
            .iter()
            .position(|&b| matches!(b, b'"' | b' ' | b'\t' | b'\n' | b'\r'))
        else {
            return true;
        };
        i += k;
        if bytes[i] != b'"' {
            return false;
        }
        i += 1;
        // Inside a string: to its closing quote, stepping over escapes.
        loop {
            let Some(k) = bytes
                .get(i..)
                .and_then(|rest| rest.iter().position(|&b| b == b'"' || b == b'\\'))
            else {
                return true;
            };
            i += k;
            if bytes[i] == b'\\' {
                i += 2;
            } else {
                i += 1;
                break;
            }
        }
        if i >= bytes.len() {
            return true;
        }
    }
}

/// `json` on one line: as it is when it has no line break (the usual case, and tail's hot
/// path), else compacted.
pub fn one_line(json: &str) -> Cow<'_, str> {
    if json.contains(['\n', '\r']) {
        compact(json)
    } else {
        Cow::Borrowed(json)
    }
}

/// A fresh message id as the service makes them: 32 upper-case hex digits.
pub fn new_id_message(rng: &mut fastrand::Rng) -> String {
    format!("{:016X}{:016X}", rng.u64(..), rng.u64(..))
}

/// An outgoingMessageReceived text message shaped like the specification's example.
pub fn outgoing_text(
    instance: u64,
    chat_id: &str,
    sender_name: &str,
    text: &str,
    timestamp: i64,
    id_message: &str,
) -> String {
    json!({
        "typeWebhook": "outgoingMessageReceived",
        "instanceData": {"idInstance": instance, "typeInstance": "whatsapp"},
        "timestamp": timestamp,
        "idMessage": id_message,
        "senderData": {"chatId": chat_id, "sender": chat_id, "senderName": sender_name},
        "messageData": {
            "typeMessage": "textMessage",
            "textMessageData": {"textMessage": text}
        }
    })
    .to_string()
}

/// `79001234568` becomes `79001234568@c.us`; anything with an `@` is kept.
pub fn normalize_chat_id(chat: &str) -> Result<String, String> {
    let chat = chat.trim();
    if chat.contains('@') {
        return Ok(chat.to_string());
    }
    let digits = chat.trim_start_matches('+');
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(format!("{digits}@c.us"));
    }
    Err(format!(
        "{:?} is neither a phone number nor a chat id like 79001234568@c.us",
        crate::text::truncate(chat, 40)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notification::json_strategy;
    use serde_json::Value;

    pub const EXAMPLE: &str = r#"{
  "typeWebhook": "outgoingMessageReceived",
  "instanceData": {"idInstance": 33012345, "wid": "79001234567@c.us", "typeInstance": "whatsapp"},
  "timestamp": 1588091580,
  "idMessage": "F7AEC1B7086ECDC7E6E45923F5EDB825",
  "senderData": {"chatId": "79001234568@c.us", "sender": "79001234568@c.us", "senderName": "Green API"},
  "messageData": {
    "typeMessage": "textMessage",
    "textMessageData": {"textMessage": "I use Green-API to send this message to you!"}
  }
}"#;

    #[test]
    fn the_specification_example_passes() {
        let checked = check(EXAMPLE).unwrap();
        assert_eq!(
            checked.id_message.as_deref(),
            Some("F7AEC1B7086ECDC7E6E45923F5EDB825")
        );
    }

    #[test]
    fn check_names_each_problem() {
        let cases = [
            ("[1]", "expected a JSON object, found an array"),
            ("{}", "typeWebhook is missing"),
            (
                r#"{"typeWebhook":5}"#,
                "typeWebhook must be a string, found a number",
            ),
            (r#"{"typeWebhook":""}"#, "typeWebhook is empty"),
            (r#"{"typeWebhook":"x"}"#, "instanceData is missing"),
            (
                r#"{"typeWebhook":"x","instanceData":[]}"#,
                "instanceData must be an object, found an array",
            ),
            (
                r#"{"typeWebhook":"x","instanceData":{}}"#,
                "instanceData.idInstance is missing",
            ),
            (
                r#"{"typeWebhook":"x","instanceData":{"idInstance":"1"}}"#,
                "instanceData.idInstance must be a positive integer, found \"1\"",
            ),
            (
                r#"{"typeWebhook":"x","instanceData":{"idInstance":1.5}}"#,
                "instanceData.idInstance must be a positive integer, found 1.5",
            ),
            (
                r#"{"typeWebhook":"x","instanceData":{"idInstance":-3}}"#,
                "instanceData.idInstance must be a positive integer, found -3",
            ),
            (
                r#"{"typeWebhook":null,"instanceData":{"idInstance":1}}"#,
                "typeWebhook must be a string, found null",
            ),
            (
                r#"{"typeWebhook":"x","instanceData":{"idInstance":null}}"#,
                "instanceData.idInstance must be a positive integer, found null",
            ),
            (
                r#"{"typeWebhook":"x","instanceData":{"idInstance":1e3}}"#,
                "instanceData.idInstance must be a positive integer, found 1e3",
            ),
            (r#""text""#, "expected a JSON object, found a string"),
            (r#"{"typeWebhook":"\u0041"}"#, "instanceData is missing"),
        ];
        for (input, problem) in cases {
            assert_eq!(check(input).unwrap_err(), problem, "{input}");
        }
        assert_eq!(
            check(r#"{"typeWebhook":"x","instanceData":{"idInstance":7}}"#)
                .unwrap()
                .id_message,
            None
        );
    }

    #[test]
    fn compact_removes_only_insignificant_space() {
        let c = compact(EXAMPLE);
        assert!(!c.contains('\n'));
        assert!(c.contains(r#""textMessage":"I use Green-API to send this message to you!""#));
        let tricky = r#"{ "a" : "x \" y\\", "b" : [ 1 , "\n" ] }"#;
        assert_eq!(compact(tricky), r#"{"a":"x \" y\\","b":[1,"\n"]}"#);
        assert!(matches!(compact(r#"{"a":"b c"}"#), Cow::Borrowed(_)));
        let parsed: Value = serde_json::from_str(&compact(EXAMPLE)).unwrap();
        assert_eq!(parsed, serde_json::from_str::<Value>(EXAMPLE).unwrap());
        assert_eq!(compact("{ \"é\" : \"ü 👍\" }"), "{\"é\":\"ü 👍\"}");
    }

    proptest::proptest! {
        /// However a value is laid out, compacting gives serde_json's own compact text
        /// of it: the same value, no white space outside strings, strings untouched.
        #[test]
        fn compact_is_serde_compact_for_any_layout(
            value in json_strategy::value(),
            layout in json_strategy::layout(),
        ) {
            let text = json_strategy::write(&value, &layout);
            let canonical = serde_json::to_string(&value).unwrap();
            let compacted = compact(&text);
            proptest::prop_assert_eq!(compacted.as_ref(), canonical.as_str());
            proptest::prop_assert!(!compacted.contains(['\n', '\r']));
            let reparsed: Value = serde_json::from_str(&compacted).unwrap();
            proptest::prop_assert_eq!(&reparsed, &serde_json::from_str::<Value>(&text).unwrap());
            let again = compact(&compacted);
            proptest::prop_assert_eq!(again.as_ref(), compacted.as_ref());
        }

        /// `is_compact` says exactly whether compacting would change the text, and
        /// unchanged text is borrowed, not copied.
        #[test]
        fn is_compact_agrees_with_compact(
            value in json_strategy::value(),
            layout in json_strategy::layout(),
        ) {
            let text = json_strategy::write(&value, &layout);
            let compacted = compact(&text);
            proptest::prop_assert_eq!(is_compact(text.as_bytes()), compacted == text);
            proptest::prop_assert_eq!(
                matches!(compacted, Cow::Borrowed(_)),
                is_compact(text.as_bytes())
            );
            proptest::prop_assert!(is_compact(compacted.as_bytes()));
        }

        /// `one_line` never leaves a line break, and keeps text that has none as it is.
        #[test]
        fn one_line_has_no_line_break(
            value in json_strategy::value(),
            layout in json_strategy::layout(),
        ) {
            let text = json_strategy::write(&value, &layout);
            let line = one_line(&text);
            proptest::prop_assert!(!line.contains(['\n', '\r']));
            if !text.contains(['\n', '\r']) {
                proptest::prop_assert_eq!(line.as_ref(), text.as_str());
            }
        }

        /// Not JSON at all (cut strings, lone backslashes): no panic.
        #[test]
        fn compact_and_is_compact_never_panic(text in ".*", cut in "[\"\\\\ \n]{0,4}") {
            let text = format!("{text}{cut}");
            let _ = is_compact(text.as_bytes());
            let _ = compact(&text);
            let _ = one_line(&text);
        }
    }

    #[test]
    fn envelope_keeps_the_body_and_reads_its_type() {
        let text = format!(r#"{{"receiptId": 488645, "body": {EXAMPLE}}}"#);
        let env: Envelope = serde_json::from_str(&text).unwrap();
        assert_eq!(env.receipt_id, 488645);
        assert_eq!(
            env.type_webhook().as_deref(),
            Some("outgoingMessageReceived")
        );
        assert_eq!(env.body.get(), EXAMPLE);
        let odd: Envelope = serde_json::from_str(r#"{"receiptId":1,"body":{"a":1}}"#).unwrap();
        assert_eq!(odd.type_webhook(), None);
        for not_an_object in [r#"[1,2]"#, r#""text""#, "7", "null", "true"] {
            let text = format!(r#"{{"receiptId":1,"body":{not_an_object}}}"#);
            let e = serde_json::from_str::<Envelope>(&text).unwrap_err();
            assert!(e.to_string().contains("body must be an object"), "{e}");
        }
    }

    #[test]
    fn built_text_message_is_valid_and_ordered_like_the_example() {
        let mut rng = fastrand::Rng::with_seed(7);
        let id = new_id_message(&mut rng);
        assert_eq!(id.len(), 32);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        );
        let n = outgoing_text(
            33012345,
            "79001234568@c.us",
            "greenq",
            "hi",
            1588091580,
            &id,
        );
        assert_eq!(check(&n).unwrap().id_message.as_deref(), Some(id.as_str()));
        assert!(
            n.starts_with(r#"{"typeWebhook":"outgoingMessageReceived","instanceData":"#),
            "{n}"
        );
    }

    #[test]
    fn chat_ids() {
        assert_eq!(
            normalize_chat_id("79001234568").unwrap(),
            "79001234568@c.us"
        );
        assert_eq!(
            normalize_chat_id("+79001234568").unwrap(),
            "79001234568@c.us"
        );
        assert_eq!(normalize_chat_id("120363@g.us").unwrap(), "120363@g.us");
        assert!(normalize_chat_id("bob").is_err());
        assert!(normalize_chat_id("").is_err());
    }
}
