//! The emulator's chats: contacts with a mode, one store of messages per instance (what the
//! bot sent, what the page's users typed, what was published), and for each message the
//! notifications it caused and where each one is in the queue. Every change is an event,
//! kept (the last `MAX_EVENTS`) for the page's live view and its replay after a reload.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// Messages kept per instance; older ones leave the store (and the page).
const MAX_MESSAGES: usize = 10_000;
/// The notifications behind an instance's kept messages, at most: a published one may be
/// 10 MiB, and 10,000 of them must not fill the memory.
const MAX_MESSAGE_BYTES: usize = 64 << 20;
/// Events kept for replay; a page that was away longer starts from what is left.
const MAX_EVENTS: usize = 20_000;
/// The kept events' text, at most (each carries its whole message).
const MAX_EVENT_BYTES: usize = 64 << 20;
/// Events handed to one event stream at a time: a page that stops reading holds no more.
pub const EVENT_BATCH: usize = 64;
/// Uploaded files kept in memory at most, in bytes and in number; the oldest go first.
const MAX_FILE_BYTES: usize = 256 << 20;
const MAX_FILES: usize = 1_000;

/// How a contact's phone behaves when the bot sends to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// sent, delivered, read.
    #[default]
    Normal,
    /// sent, and nothing after: the phone is off.
    Offline,
    /// A single `noAccount`: the number is not on WhatsApp.
    NoAccount,
    /// A single `failed`.
    Failing,
}

impl Mode {
    /// The statuses a message to this contact goes through, in order.
    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            Mode::Normal => &["sent", "delivered", "read"],
            Mode::Offline => &["sent"],
            Mode::NoAccount => &["noAccount"],
            Mode::Failing => &["failed"],
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub chat_id: String,
    pub name: String,
    pub mode: Mode,
}

/// One notification a message caused, and what became of it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub type_webhook: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `queued`, `pushed`, `off` (its switch is "no"; `switch` names it) or `full`.
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switch: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<u64>,
    /// How many receives returned it: more than one is a redelivery.
    pub received: u32,
    pub deleted: bool,
    pub at_ms: u64,
}

/// The API call that made an outgoing message.
#[derive(Clone, Debug, Serialize)]
pub struct Call {
    pub method: String,
    pub body: Value,
    pub answer: Value,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id_message: String,
    pub chat_id: String,
    /// `incoming` or `outgoing`.
    #[serde(rename = "type")]
    pub direction: &'static str,
    pub timestamp: u64,
    pub at_ms: u64,
    pub sender_name: String,
    /// `messageData`, as the notifications carry it.
    pub message_data: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    pub send_by_api: bool,
    /// The page's user read it (readChat); incoming messages only.
    pub read: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<Call>,
    /// For an answer: the user's message it answers, and the time it took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_ms: Option<u64>,
    /// Poll votes: option name to voters.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub votes: BTreeMap<String, Vec<String>>,
    pub notifications: Vec<Note>,
    /// Incoming: `senderData.sender` and `senderContactName`, for the journal.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sender_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sender_contact_name: String,
    /// The notification that brought it (incoming, published) or that its send caused
    /// (outgoingAPIMessageReceived), as sent: what an export replays.
    #[serde(skip)]
    pub origin: Bytes,
}

#[derive(Default)]
struct Book {
    contacts: BTreeMap<String, Contact>,
    messages: VecDeque<Message>,
    /// The number of the front message: the n-th message ever stored is at n - first.
    first: u64,
    /// idMessage to the number of the last message stored under it: a receive or delete
    /// finds its message at once, however many the store holds.
    index: HashMap<String, u64>,
    /// The bytes of the kept messages' notifications (`origin`).
    bytes: usize,
}

impl Book {
    fn find(&mut self, chat_id: &str, id_message: &str) -> Option<&mut Message> {
        let at = self
            .index
            .get(id_message)
            .and_then(|n| usize::try_from(n.checked_sub(self.first)?).ok());
        match at {
            Some(at) if self.messages.get(at).is_some_and(|m| m.chat_id == chat_id) => {
                self.messages.get_mut(at)
            }
            // The same idMessage in two chats (ids are unique within a chat only).
            _ => self
                .messages
                .iter_mut()
                .rev()
                .find(|m| m.id_message == id_message && m.chat_id == chat_id),
        }
    }
}

/// Who receives from an instance's queue, for the page's "is your bot running?".
#[derive(Default, Clone, Copy)]
struct Receivers {
    waiting: usize,
    last: Option<Instant>,
    empty: u64,
    received: u64,
}

struct File {
    name: String,
    mime: String,
    data: Bytes,
}

struct Inner {
    books: HashMap<u64, Book>,
    /// (instance, receiptId) to (chatId, idMessage).
    receipts: HashMap<(u64, u64), (String, String)>,
    events: VecDeque<(u64, Bytes)>,
    event_bytes: usize,
    next_event: u64,
    receivers: HashMap<u64, Receivers>,
    /// Per instance, the user's message whose notification a receive returned last: what
    /// the bot is answering when it sends to that chat.
    handling: HashMap<u64, (String, String)>,
    files: VecDeque<(String, File)>,
    file_bytes: usize,
}

pub struct Chats {
    inner: Mutex<Inner>,
    /// Woken on every event, for the page's event streams.
    pub changed: Notify,
    /// The pause before each status of a sent message.
    pub delay: Duration,
    started: Instant,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A fresh id in the vendor's form: upper-case hex, `BAE5` and 12 more for what the API
/// sends, 32 for what a phone sends.
pub fn new_id(from_api: bool) -> String {
    if from_api {
        format!("BAE5{:012X}", fastrand::u64(..) & 0xFFFF_FFFF_FFFF)
    } else {
        format!("{:016X}{:016X}", fastrand::u64(..), fastrand::u64(..))
    }
}

impl Chats {
    pub fn new(instances: impl IntoIterator<Item = u64>) -> Self {
        let books = instances
            .into_iter()
            .map(|id| (id, Book::default()))
            .collect();
        Chats {
            inner: Mutex::new(Inner {
                books,
                receipts: HashMap::new(),
                events: VecDeque::new(),
                event_bytes: 0,
                next_event: 1,
                receivers: HashMap::new(),
                handling: HashMap::new(),
                files: VecDeque::new(),
                file_bytes: 0,
            }),
            changed: Notify::new(),
            delay: Duration::from_millis(200),
            started: Instant::now(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn hosts(&self, id: u64) -> bool {
        self.lock().books.contains_key(&id)
    }

    /// The hosted instances, lowest first.
    pub fn instances(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.lock().books.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Adds or changes a contact.
    pub fn set_contact(&self, id: u64, contact: Contact) {
        let mut inner = self.lock();
        let Some(book) = inner.books.get_mut(&id) else {
            return;
        };
        book.contacts
            .insert(contact.chat_id.clone(), contact.clone());
        let event = json!({"kind": "contact", "instance": id, "contact": contact});
        inner.event(event);
        drop(inner);
        self.changed.notify_waiters();
    }

    pub fn contact(&self, id: u64, chat_id: &str) -> Option<Contact> {
        self.lock().books.get(&id)?.contacts.get(chat_id).cloned()
    }

    pub fn contacts(&self, id: u64) -> Vec<Contact> {
        self.lock()
            .books
            .get(&id)
            .map(|b| b.contacts.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Stores a new message (an outgoing one is linked to the user's last message in its
    /// chat, for the time to answer).
    pub fn insert(&self, id: u64, message: Message) {
        if self.insert_locked(id, message).is_some() {
            self.changed.notify_waiters();
        }
    }

    fn insert_locked(&self, id: u64, mut message: Message) -> Option<()> {
        let mut inner = self.lock();
        if !inner.books.contains_key(&id) {
            return None;
        }
        if message.direction == "outgoing" && message.reply_to.is_none() {
            // The message being handled in this chat, else the user's last one if nothing
            // was sent since.
            let handled = inner
                .handling
                .get(&id)
                .filter(|(chat, _)| *chat == message.chat_id)
                .map(|(_, m)| m.clone());
            let book = inner.books.get_mut(&id)?;
            let answered = match handled {
                Some(m) => book.find(&message.chat_id, &m).map(|m| &*m),
                None => book
                    .messages
                    .iter()
                    .rev()
                    .find(|m| m.chat_id == message.chat_id)
                    .filter(|m| m.direction == "incoming"),
            };
            if let Some(last) = answered {
                message.reply_to = Some(last.id_message.clone());
                message.answer_ms = Some(message.at_ms.saturating_sub(last.at_ms));
            }
        }
        for receipt in message.notifications.iter().filter_map(|n| n.receipt_id) {
            let key = (message.chat_id.clone(), message.id_message.clone());
            inner.receipts.insert((id, receipt), key);
        }
        let book = inner.books.get_mut(&id)?;
        let number = book.first + book.messages.len() as u64;
        book.index.insert(message.id_message.clone(), number);
        book.bytes += message.origin.len();
        book.messages.push_back(message.clone());
        let mut evicted = Vec::new();
        while book.messages.len() > MAX_MESSAGES
            || (book.bytes > MAX_MESSAGE_BYTES && book.messages.len() > 1)
        {
            let Some(old) = book.messages.pop_front() else {
                break;
            };
            book.first += 1;
            book.bytes -= old.origin.len();
            if book.index.get(&old.id_message) == Some(&(book.first - 1)) {
                book.index.remove(&old.id_message);
            }
            evicted.push(old);
        }
        for old in evicted {
            for receipt in old.notifications.iter().filter_map(|n| n.receipt_id) {
                inner.receipts.remove(&(id, receipt));
            }
        }
        inner.event(json!({"kind": "message", "instance": id, "message": message}));
        Some(())
    }

    /// Changes a stored message, and tells the page.
    fn update(&self, id: u64, chat_id: &str, id_message: &str, change: impl FnOnce(&mut Message)) {
        let mut inner = self.lock();
        let Some(message) = inner.find(id, chat_id, id_message) else {
            return;
        };
        change(message);
        let event = json!({"kind": "message", "instance": id, "message": message});
        inner.event(event);
        drop(inner);
        self.changed.notify_waiters();
    }

    /// Records a notification caused by a message.
    pub fn note(&self, id: u64, chat_id: &str, id_message: &str, note: Note) {
        if let Some(receipt) = note.receipt_id {
            self.lock()
                .receipts
                .insert((id, receipt), (chat_id.to_string(), id_message.to_string()));
        }
        self.update(id, chat_id, id_message, |m| {
            if let Some(status) = &note.status {
                m.status_message = Some(status.clone());
            }
            m.notifications.push(note);
        });
    }

    pub fn vote(&self, id: u64, chat_id: &str, poll: &str, voter: &str, options: &[String]) {
        self.update(id, chat_id, poll, |m| {
            for voters in m.votes.values_mut() {
                voters.retain(|v| v != voter);
            }
            for option in options {
                m.votes
                    .entry(option.clone())
                    .or_default()
                    .push(voter.to_string());
            }
        });
    }

    /// A receive returned this receipt.
    pub fn received(&self, id: u64, receipt: u64) {
        let mut handling = false;
        let found = self.on_receipt(id, receipt, |n| {
            n.received += 1;
            handling = n.type_webhook == "incomingMessageReceived";
        });
        if let (true, Some(message)) = (handling, found) {
            self.lock().handling.insert(id, message);
        }
    }

    /// This receipt was deleted.
    pub fn deleted(&self, id: u64, receipt: u64) {
        let _ = self.on_receipt(id, receipt, |n| n.deleted = true);
    }

    /// Changes the note of a receipt; its (chatId, idMessage).
    fn on_receipt(
        &self,
        id: u64,
        receipt: u64,
        change: impl FnOnce(&mut Note),
    ) -> Option<(String, String)> {
        let (chat, message) = self.lock().receipts.get(&(id, receipt)).cloned()?;
        self.update(id, &chat, &message, |m| {
            if let Some(n) = m
                .notifications
                .iter_mut()
                .find(|n| n.receipt_id == Some(receipt))
            {
                change(n);
            }
        });
        Some((chat, message))
    }

    /// A receive of this instance starts; the guard marks its end (also when cancelled).
    pub fn receiving(&self, id: u64) -> Receiving<'_> {
        let mut inner = self.lock();
        let r = inner.receivers.entry(id).or_default();
        r.waiting += 1;
        r.last = Some(Instant::now());
        Receiving {
            chats: self,
            id,
            got: false,
        }
    }

    /// For `/chat/status`: per instance, receives waiting now, seconds since the last one
    /// (since the start when none came), empty answers, notifications returned.
    pub fn receivers(&self) -> Value {
        let inner = self.lock();
        let now = Instant::now();
        let mut out = Vec::new();
        let mut ids: Vec<u64> = inner.books.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let r = inner.receivers.get(&id).copied().unwrap_or_default();
            let idle = now.duration_since(r.last.unwrap_or(self.started));
            out.push(json!({
                "instance": id,
                "waiting": r.waiting,
                "everReceived": r.last.is_some(),
                "idleSeconds": if r.waiting > 0 { 0 } else { idle.as_secs() },
                "emptyAnswers": r.empty,
                "received": r.received,
            }));
        }
        Value::from(out)
    }

    /// The chat's messages for the page, oldest first.
    pub fn messages(&self, id: u64, chat_id: &str) -> Vec<Message> {
        self.lock()
            .books
            .get(&id)
            .map(|b| {
                b.messages
                    .iter()
                    .filter(|m| m.chat_id == chat_id)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn message(&self, id: u64, chat_id: &str, id_message: &str) -> Option<Message> {
        self.lock().find(id, chat_id, id_message).map(|m| m.clone())
    }

    /// readChat: marks the chat's incoming messages read, up to `id_message` when given.
    pub fn read_chat(&self, id: u64, chat_id: &str, id_message: Option<&str>) {
        let ids: Vec<String> = {
            let inner = self.lock();
            let Some(book) = inner.books.get(&id) else {
                return;
            };
            let mine = book
                .messages
                .iter()
                .filter(|m| m.chat_id == chat_id && m.direction == "incoming");
            let mut ids = Vec::new();
            for m in mine {
                if !m.read {
                    ids.push(m.id_message.clone());
                }
                if Some(m.id_message.as_str()) == id_message {
                    break;
                }
            }
            ids
        };
        for m in ids {
            self.update(id, chat_id, &m, |m| m.read = true);
        }
    }

    /// Events after `seq`, oldest first, at most `max`.
    pub fn events_after(&self, seq: u64, max: usize) -> Vec<(u64, Bytes)> {
        let inner = self.lock();
        let start = inner.events.partition_point(|(s, _)| *s <= seq);
        inner.events.range(start..).take(max).cloned().collect()
    }

    /// Keeps an uploaded file; its key for `/files/`.
    pub fn keep_file(&self, name: &str, mime: &str, data: Bytes) -> String {
        let key = new_id(false).to_lowercase();
        let mut inner = self.lock();
        inner.file_bytes += data.len();
        while inner.files.len() >= MAX_FILES {
            let Some((_, old)) = inner.files.pop_front() else {
                break;
            };
            inner.file_bytes -= old.data.len();
        }
        inner.files.push_back((
            key.clone(),
            File {
                name: name.to_string(),
                mime: mime.to_string(),
                data,
            },
        ));
        while inner.file_bytes > MAX_FILE_BYTES {
            let Some((_, old)) = inner.files.pop_front() else {
                break;
            };
            inner.file_bytes -= old.data.len();
        }
        key
    }

    /// A kept file: its name, type and bytes.
    pub fn file(&self, key: &str) -> Option<(String, String, Bytes)> {
        let inner = self.lock();
        let (_, f) = inner.files.iter().find(|(k, _)| k == key)?;
        Some((f.name.clone(), f.mime.clone(), f.data.clone()))
    }
}

impl Inner {
    fn event(&mut self, event: Value) {
        self.push_event(Bytes::from(event.to_string()));
    }

    fn push_event(&mut self, text: Bytes) {
        let seq = self.next_event;
        self.next_event += 1;
        self.event_bytes += text.len();
        self.events.push_back((seq, text));
        while self.events.len() > MAX_EVENTS
            || (self.event_bytes > MAX_EVENT_BYTES && self.events.len() > 1)
        {
            let Some((_, old)) = self.events.pop_front() else {
                break;
            };
            self.event_bytes -= old.len();
        }
    }

    fn find(&mut self, id: u64, chat_id: &str, id_message: &str) -> Option<&mut Message> {
        self.books.get_mut(&id)?.find(chat_id, id_message)
    }
}

/// A receive in progress.
pub struct Receiving<'a> {
    chats: &'a Chats,
    id: u64,
    got: bool,
}

impl Receiving<'_> {
    /// The receive returned this receipt.
    pub fn got(mut self, receipt: u64) {
        self.got = true;
        {
            let mut inner = self.chats.lock();
            inner.receivers.entry(self.id).or_default().received += 1;
        }
        self.chats.received(self.id, receipt);
    }
}

impl Drop for Receiving<'_> {
    fn drop(&mut self) {
        let mut inner = self.chats.lock();
        let r = inner.receivers.entry(self.id).or_default();
        r.waiting = r.waiting.saturating_sub(1);
        r.last = Some(Instant::now());
        if !self.got {
            r.empty += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &str, direction: &'static str, at_ms: u64) -> Message {
        Message {
            id_message: id.into(),
            chat_id: "79001234568@c.us".into(),
            direction,
            timestamp: at_ms / 1000,
            at_ms,
            sender_name: String::new(),
            message_data: json!({}),
            status_message: None,
            send_by_api: direction == "outgoing",
            read: false,
            call: None,
            reply_to: None,
            answer_ms: None,
            votes: BTreeMap::new(),
            notifications: Vec::new(),
            sender_id: String::new(),
            sender_contact_name: String::new(),
            origin: Bytes::new(),
        }
    }

    #[test]
    fn an_answer_is_linked_to_the_users_last_message() {
        let chats = Chats::new([1]);
        chats.insert(1, message("IN1", "incoming", 1_000));
        chats.insert(1, message("OUT1", "outgoing", 1_250));
        let out = chats.message(1, "79001234568@c.us", "OUT1").unwrap();
        assert_eq!(out.reply_to.as_deref(), Some("IN1"));
        assert_eq!(out.answer_ms, Some(250));
        // A second answer in a row answers nothing new.
        chats.insert(1, message("OUT2", "outgoing", 1_300));
        let out = chats.message(1, "79001234568@c.us", "OUT2").unwrap();
        assert_eq!(out.reply_to, None);
    }

    #[test]
    fn the_store_keeps_the_last_messages_and_finds_each_by_its_id() {
        let chats = Chats::new([1]);
        for i in 0..MAX_MESSAGES + 5 {
            chats.insert(1, message(&format!("M{i}"), "incoming", i as u64));
        }
        let chat = "79001234568@c.us";
        assert!(chats.message(1, chat, "M4").is_none(), "evicted");
        assert_eq!(chats.message(1, chat, "M5").unwrap().at_ms, 5);
        let last = format!("M{}", MAX_MESSAGES + 4);
        assert!(chats.message(1, chat, &last).is_some());
        assert_eq!(chats.messages(1, chat).len(), MAX_MESSAGES);
        // The same id in another chat is its own message.
        let mut other = message("M9", "incoming", 99);
        other.chat_id = "79000000000@c.us".into();
        chats.insert(1, other);
        assert_eq!(chats.message(1, chat, "M9").unwrap().at_ms, 9);
        assert_eq!(
            chats.message(1, "79000000000@c.us", "M9").unwrap().at_ms,
            99
        );
    }

    #[test]
    fn receipts_are_traced_and_events_replay_after_a_sequence() {
        let chats = Chats::new([1]);
        chats.insert(1, message("OUT1", "outgoing", 1_000));
        let note = Note {
            type_webhook: "outgoingMessageStatus".into(),
            status: Some("sent".into()),
            outcome: "queued",
            switch: None,
            receipt_id: Some(7),
            received: 0,
            deleted: false,
            at_ms: 1_100,
        };
        chats.note(1, "79001234568@c.us", "OUT1", note);
        chats.receiving(1).got(7);
        chats.receiving(1).got(7);
        chats.deleted(1, 7);
        let out = chats.message(1, "79001234568@c.us", "OUT1").unwrap();
        assert_eq!(out.status_message.as_deref(), Some("sent"));
        assert_eq!(out.notifications[0].received, 2);
        assert!(out.notifications[0].deleted);
        let all = chats.events_after(0, usize::MAX);
        assert_eq!(all.len(), 5);
        let later = chats.events_after(all[2].0, usize::MAX);
        assert_eq!(later.len(), 2);
        assert_eq!(later[0].0, all[3].0);
        assert_eq!(chats.events_after(0, 2).len(), 2, "a batch at a time");
    }

    #[test]
    fn big_messages_events_and_many_files_stay_within_their_bounds() {
        let chats = Chats::new([1]);
        let big = Bytes::from(vec![b'x'; 4 << 20]);
        for i in 0..40 {
            let mut m = message(&format!("BIG{i}"), "incoming", i);
            m.origin = big.clone();
            chats.insert(1, m);
        }
        let chat = "79001234568@c.us";
        let kept = chats.messages(1, chat);
        assert!(
            kept.len() * (4 << 20) <= MAX_MESSAGE_BYTES,
            "{}",
            kept.len()
        );
        assert_eq!(kept.last().unwrap().id_message, "BIG39");
        assert!(chats.message(1, chat, "BIG0").is_none(), "the oldest left");
        let mut inner = chats.lock();
        for _ in 0..40 {
            inner.push_event(big.clone());
        }
        assert!(inner.event_bytes <= MAX_EVENT_BYTES);
        assert!(inner.events.len() * (4 << 20) <= MAX_EVENT_BYTES);
        assert_eq!(
            inner.event_bytes,
            inner.events.iter().map(|(_, e)| e.len()).sum::<usize>()
        );
        drop(inner);
        let first = chats.keep_file("a.txt", "text/plain", Bytes::new());
        for _ in 0..MAX_FILES {
            chats.keep_file("b.txt", "text/plain", Bytes::new());
        }
        assert!(chats.file(&first).is_none(), "empty files count too");
        assert_eq!(chats.lock().files.len(), MAX_FILES);
    }
}
