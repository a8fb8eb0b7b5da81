//! The emulator as a bot sees it (the send methods) and as the chat page drives it (its
//! JSON routes under /chat/), for the chat, Python bot and browser tests.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Emulator, INSTANCE, TOKEN, agent};

fn answer(mut r: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// POST a JSON body; the status and the JSON answer (null when not JSON).
pub fn post_json(url: &str, body: &Value) -> (u16, Value) {
    answer(
        agent()
            .post(url)
            .header("content-type", "application/json")
            .send(body.to_string())
            .expect("post"),
    )
}

pub fn get_json(url: &str) -> (u16, Value) {
    answer(agent().get(url).call().expect("get"))
}

/// `{emulator}/waInstance{INSTANCE}/{method}/{TOKEN}` with a JSON body.
pub fn api(emu: &Emulator, method: &str, body: &Value) -> (u16, Value) {
    post_json(
        &format!("{}/waInstance{INSTANCE}/{method}/{TOKEN}", emu.url()),
        body,
    )
}

/// The next notification (a long poll of up to 5 s), deleted; None when none came.
pub fn next_notification(emu: &Emulator) -> Option<Value> {
    let url = format!(
        "{}/waInstance{INSTANCE}/receiveNotification/{TOKEN}?receiveTimeout=5",
        emu.url()
    );
    let (status, v) = get_json(&url);
    assert_eq!(status, 200, "{v}");
    let receipt = v["receiptId"].as_u64()?;
    assert!(emu.delete(receipt));
    Some(v["body"].clone())
}

/// The user of `chat` types `text` on the page; the answer of POST /chat/messages.
pub fn type_message(emu: &Emulator, chat: &str, text: &str) -> Value {
    let (status, v) = post_json(
        &format!("{}/chat/messages", emu.url()),
        &json!({"chatId": chat, "text": text}),
    );
    assert_eq!(status, 200, "{v}");
    v
}

pub fn add_contact(emu: &Emulator, number: &str, name: &str, mode: &str) -> String {
    let (status, v) = post_json(
        &format!("{}/chat/contacts", emu.url()),
        &json!({"number": number, "name": name, "mode": mode}),
    );
    assert_eq!(status, 200, "{v}");
    v["chatId"].as_str().expect("chatId").to_string()
}

/// The page's view of a chat: its messages with their traces, oldest first.
pub fn chat_messages(emu: &Emulator, chat: &str) -> Vec<Value> {
    let (status, v) = get_json(&format!(
        "{}/chat/messages?chatId={}",
        emu.url(),
        chat.replace('@', "%40")
    ));
    assert_eq!(status, 200, "{v}");
    v.as_array().cloned().unwrap_or_default()
}

/// Polls `check` (a cheap look at the emulator's state) until it holds, up to `limit`.
pub fn wait_for(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
