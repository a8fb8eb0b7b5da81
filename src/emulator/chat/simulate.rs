//! What the other side of WhatsApp does in the emulator: the notifications a message
//! causes (each through the same switches, push and queue as a published one, and traced),
//! and the statuses of a sent message, one `Chats::delay` apart, as its contact's mode says.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};

use super::deliver::{Delivered, deliver};
use super::store::{Message, Mode, Note, now_ms};
use crate::emulator::shared::State;

/// `instanceData` of a notification of this instance.
pub fn instance_data(state: &State, id: u64) -> Value {
    let wid = state.accounts.get(id)["wid"].clone();
    json!({"idInstance": id, "wid": wid, "typeInstance": "whatsapp"})
}

/// Puts a notification caused by a message where the live service would, and records it
/// in the message's trace. `switchable`: false for the statuses that cannot be switched off.
pub fn emit(
    state: &State,
    id: u64,
    message: (&str, &str),
    body: &Value,
    switchable: bool,
) -> Delivered {
    let kind = body["typeWebhook"].as_str().unwrap_or_default().to_string();
    let bytes = Bytes::from(body.to_string());
    let outcome = deliver(state, id, switchable.then_some(kind.as_str()), bytes);
    let (outcome_name, switch, receipt) = match outcome {
        Ok(Delivered::Off(switch)) => ("off", Some(switch), None),
        Ok(Delivered::Pushed) => ("pushed", None, None),
        Ok(Delivered::Queued(receipt)) => ("queued", None, Some(receipt)),
        Err(_) => ("full", None, None),
    };
    let note = Note {
        type_webhook: kind,
        status: body["status"].as_str().map(str::to_string),
        outcome: outcome_name,
        switch,
        receipt_id: receipt,
        received: 0,
        deleted: false,
        at_ms: now_ms(),
    };
    state.chats.note(id, message.0, message.1, note);
    outcome.unwrap_or(Delivered::Pushed)
}

/// Sends the statuses of an outgoing message, one `delay` apart, on the runtime.
pub fn statuses(state: &State, id: u64, chat_id: &str, id_message: &str, by_api: bool) {
    let Some(state) = state.me.get().and_then(std::sync::Weak::upgrade) else {
        return;
    };
    // A message to oneself stops at sent, as on the live service.
    let own = state.accounts.get(id)["wid"] == chat_id;
    let mode = match state.chats.contact(id, chat_id) {
        _ if own => Mode::Offline,
        Some(contact) => contact.mode,
        None => Mode::Normal,
    };
    let (chat_id, id_message) = (chat_id.to_string(), id_message.to_string());
    tokio::spawn(async move {
        for status in mode.statuses() {
            tokio::time::sleep(state.chats.delay).await;
            status_now(&state, id, &chat_id, &id_message, status, by_api);
        }
    });
}

fn status_now(
    state: &Arc<State>,
    id: u64,
    chat_id: &str,
    id_message: &str,
    status: &str,
    by_api: bool,
) {
    let mut body = json!({
        "typeWebhook": "outgoingMessageStatus",
        "chatId": chat_id,
        "instanceData": instance_data(state, id),
        "timestamp": now_ms() / 1000,
        "idMessage": id_message,
        "status": status,
        "sendByApi": by_api,
    });
    let final_error = matches!(status, "failed" | "noAccount");
    if status == "failed" {
        body["description"] = Value::from("the contact is marked failing in greenq serve");
    }
    emit(state, id, (chat_id, id_message), &body, !final_error);
}

/// A notification published to the webhook endpoint: a message notification enters the
/// store; an `outgoingMessageReceived` to a contact (one added on the page or by its
/// route) gets its statuses too. Other chats get none, so that a script counts exactly
/// what it published.
pub fn published(state: &State, id: u64, kind: Option<&str>, body: &Bytes, receipt: Option<u64>) {
    let direction = match kind {
        Some("incomingMessageReceived") => "incoming",
        Some("outgoingMessageReceived" | "outgoingAPIMessageReceived") => "outgoing",
        _ => return,
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let sender = &value["senderData"];
    let (chat_id, id_message) = (text(&sender["chatId"]), text(&value["idMessage"]));
    if chat_id.is_empty() || id_message.is_empty() {
        return;
    }
    let (sender_id, sender_name, sender_contact_name) = (
        text(&sender["sender"]),
        text(&sender["senderName"]),
        text(&sender["senderContactName"]),
    );
    let at_ms = now_ms();
    let timestamp = value["timestamp"].as_u64().unwrap_or(at_ms / 1000);
    // The note comes with the message: one event for the page, not two.
    let note = Note {
        type_webhook: kind.unwrap_or_default().to_string(),
        status: None,
        outcome: if receipt.is_some() {
            "queued"
        } else {
            "pushed"
        },
        switch: None,
        receipt_id: receipt,
        received: 0,
        deleted: false,
        at_ms,
    };
    state.chats.insert(
        id,
        Message {
            id_message: id_message.clone(),
            chat_id: chat_id.clone(),
            direction,
            timestamp,
            at_ms,
            sender_name,
            message_data: value["messageData"].take(),
            status_message: (direction == "outgoing").then(|| "pending".to_string()),
            send_by_api: kind == Some("outgoingAPIMessageReceived"),
            read: false,
            call: None,
            reply_to: None,
            answer_ms: None,
            votes: Default::default(),
            notifications: vec![note],
            sender_id,
            sender_contact_name,
            origin: body.clone(),
        },
    );
    if kind == Some("outgoingMessageReceived") && state.chats.contact(id, &chat_id).is_some() {
        statuses(state, id, &chat_id, &id_message, false);
    }
}
