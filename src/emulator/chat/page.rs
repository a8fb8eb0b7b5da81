//! The chat page at `/` and its JSON routes under `/chat/`: a developer plays the WhatsApp
//! users of a bot. Every action of the page is one of these routes, so scripts and tests
//! drive it the same way. They answer only a request whose Host is the listening address or
//! `localhost` (a DNS-rebinding page must not drive them), are never hit by `--faults`, and
//! the page is served under a strict Content-Security-Policy. `/files/` (the uploads a bot
//! sent) answers any Host, as the vendor's media host does.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::{Body, Frame, Incoming};
use hyper::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, HOST, HeaderName, HeaderValue,
};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::deliver::Delivered;
use super::send::{check_chat_id, text_data, with_quote};
use super::simulate::{emit, instance_data};
use super::store::{Contact, EVENT_BATCH, Message, Mode, new_id, now_ms};
use crate::emulator::shared::State;

const INDEX: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/chat.js");
const STYLE: &str = include_str!("page/chat.css");

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Between two comments on an idle event stream, so that proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// An answer of the page: whole, or a stream of server-sent events.
pub type PageBody = Either<Full<Bytes>, EventStream>;

/// Whether the page's module answers this request (before any fault is drawn).
pub fn is_page(req: &Request<Incoming>) -> bool {
    let path = req.uri().path();
    (path == "/" && (req.method() == Method::GET || req.method() == Method::HEAD))
        || path == "/chat.js"
        || path == "/chat.css"
        || path.starts_with("/chat/")
        || path.starts_with("/files/")
}

pub async fn respond(
    state: &Arc<State>,
    local: Option<SocketAddr>,
    req: Request<Incoming>,
) -> Response<PageBody> {
    let path = req.uri().path().to_string();
    if let Some(key) = path.strip_prefix("/files/") {
        return file(state, key).map(Either::Left);
    }
    if !allowed_host(&req, local) {
        return json(
            StatusCode::FORBIDDEN,
            &json!({"error": "the chat page answers only requests for the listening address or localhost"}),
        )
        .map(Either::Left);
    }
    let query = req.uri().query().unwrap_or_default().to_string();
    let get = req.method() == Method::GET || req.method() == Method::HEAD;
    if !get && !same_origin(&req) {
        return json(
            StatusCode::FORBIDDEN,
            &json!({"error": "a page of another origin may not drive the chat page's routes"}),
        )
        .map(Either::Left);
    }
    let answer = match (get, path.as_str()) {
        (true, "/") => asset(INDEX, "text/html; charset=utf-8"),
        (true, "/chat.js") => asset(SCRIPT, "text/javascript; charset=utf-8"),
        (true, "/chat.css") => asset(STYLE, "text/css; charset=utf-8"),
        (true, "/chat/events") => return events(state, &req, &query),
        (true, "/chat/status") => json(StatusCode::OK, &status(state)),
        (true, "/chat/contacts") => with_instance(state, &query, |id| {
            json(StatusCode::OK, &json!(state.chats.contacts(id)))
        }),
        (true, "/chat/messages") => with_chat(state, &query, |id, chat| {
            json(StatusCode::OK, &json!(state.chats.messages(id, chat)))
        }),
        (true, "/chat/export") => with_chat(state, &query, |id, chat| export(state, id, chat)),
        (false, "/chat/contacts") if req.method() == Method::POST => {
            match body::<NewContact>(req).await {
                Ok(c) => add_contact(state, c),
                Err(answer) => *answer,
            }
        }
        (false, "/chat/messages") if req.method() == Method::POST => {
            match body::<Typed>(req).await {
                Ok(t) => typed(state, t),
                Err(answer) => *answer,
            }
        }
        (false, "/chat/votes") if req.method() == Method::POST => match body::<Vote>(req).await {
            Ok(v) => vote(state, v),
            Err(answer) => *answer,
        },
        _ => json(
            StatusCode::NOT_FOUND,
            &json!({"error": "no such page route; see docs/emulator.md for the chat page's routes"}),
        ),
    };
    answer.map(Either::Left)
}

/// The Host header names the address this connection came to, or localhost.
fn allowed_host(req: &Request<Incoming>, local: Option<SocketAddr>) -> bool {
    req.headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|host| host_allowed(host, local))
}

/// `localhost` or the listening IP, any case, with or without a port, an IPv6 address in
/// brackets. The port is not compared: a rebinding page reaches us under a name, never
/// under our own IP.
fn host_allowed(host: &str, local: Option<SocketAddr>) -> bool {
    let host = host.to_ascii_lowercase();
    let port_ok = |port: &str| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    let name = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((inside, "")) => inside,
            Some((inside, tail)) if tail.strip_prefix(':').is_some_and(port_ok) => inside,
            _ => return false,
        },
        None => match host.split_once(':') {
            Some((name, port)) if port_ok(port) => name,
            Some(_) => return false,
            None => host.as_str(),
        },
    };
    // A dual-stack listener sees an IPv4 client as ::ffff:a.b.c.d.
    name == "localhost"
        || local.is_some_and(|a| {
            name.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.to_canonical() == a.ip().to_canonical())
        })
}

/// A browser names the page a request comes from (Origin): another site's page must not
/// type messages through a user's emulator. curl and scripts send no Origin.
fn same_origin(req: &Request<Incoming>) -> bool {
    let Some(origin) = req.headers().get("origin") else {
        return true;
    };
    let host = req.headers().get(HOST).and_then(|h| h.to_str().ok());
    origin
        .to_str()
        .ok()
        .and_then(|o| o.strip_prefix("http://"))
        .is_some_and(|o| Some(o) == host)
}

type Answer = Response<Full<Bytes>>;

fn secure(mut answer: Answer) -> Answer {
    let headers = answer.headers_mut();
    headers.insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}

fn asset(text: &'static str, kind: &'static str) -> Answer {
    let mut answer = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    secure(answer)
}

fn json(status: StatusCode, value: &Value) -> Answer {
    let mut answer = Response::new(Full::new(Bytes::from(value.to_string())));
    *answer.status_mut() = status;
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    secure(answer)
}

fn bad(problem: &str) -> Answer {
    json(StatusCode::BAD_REQUEST, &json!({"error": problem}))
}

/// A query parameter, percent-decoded.
fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| decode(v))
    })
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| char::from(b).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The instance named (`instance=`), or the first hosted one.
fn instance(state: &State, given: Option<u64>) -> Result<u64, Box<Answer>> {
    match given {
        Some(id) if state.chats.hosts(id) => Ok(id),
        Some(id) => Err(Box::new(json(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("instance {id} is not hosted here")}),
        ))),
        None => state
            .chats
            .instances()
            .first()
            .copied()
            .ok_or_else(|| Box::new(bad("no instance is hosted"))),
    }
}

fn with_instance(state: &State, query: &str, then: impl FnOnce(u64) -> Answer) -> Answer {
    let given = match param(query, "instance").map(|i| i.parse::<u64>()) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => return bad("instance must be an idInstance"),
    };
    match instance(state, given) {
        Ok(id) => then(id),
        Err(answer) => *answer,
    }
}

fn with_chat(state: &State, query: &str, then: impl FnOnce(u64, &str) -> Answer) -> Answer {
    with_instance(state, query, |id| match param(query, "chatId") {
        Some(chat) => match check_chat_id(&chat) {
            Ok(()) => then(id, &chat),
            Err(problem) => bad(&problem),
        },
        None => bad("chatId is required, e.g. ?chatId=79001234568@c.us"),
    })
}

/// A JSON body of the page's routes.
async fn body<T: serde::de::DeserializeOwned>(req: Request<Incoming>) -> Result<T, Box<Answer>> {
    let bytes = match crate::emulator::routes::read_body(req).await {
        Ok(b) => b,
        Err(answer) => return Err(Box::new(secure(*answer))),
    };
    serde_json::from_slice(&bytes)
        .map_err(|e| Box::new(bad(&format!("the body does not fit this route: {e}"))))
}

fn status(state: &State) -> Value {
    json!({"instances": state.chats.receivers(), "statusDelayMs": state.chats.delay.as_millis() as u64})
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewContact {
    instance: Option<u64>,
    /// A phone number (digits, `+` and spaces allowed) or a chatId.
    number: String,
    name: Option<String>,
    #[serde(default)]
    mode: Mode,
}

/// The chatId of a number as a user types it: `+7 900 123-45-68` is `79001234568@c.us`.
fn chat_of(number: &str) -> Result<String, String> {
    let chat = if number.contains('@') {
        number.trim().to_string()
    } else {
        let digits: String = number
            .chars()
            .filter(|c| !matches!(c, '+' | ' ' | '-' | '(' | ')'))
            .collect();
        format!("{digits}@c.us")
    };
    check_chat_id(&chat).map(|()| chat)
}

fn add_contact(state: &State, c: NewContact) -> Answer {
    let id = match instance(state, c.instance) {
        Ok(id) => id,
        Err(answer) => return *answer,
    };
    let chat_id = match chat_of(&c.number) {
        Ok(chat) => chat,
        Err(problem) => return bad(&problem),
    };
    let name = c
        .name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| chat_id.trim_end_matches("@c.us").to_string());
    let contact = Contact {
        chat_id,
        name,
        mode: c.mode,
    };
    state.chats.set_contact(id, contact.clone());
    json(StatusCode::OK, &json!(contact))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Typed {
    instance: Option<u64>,
    chat_id: String,
    text: Option<String>,
    quoted_message_id: Option<String>,
    location: Option<Location>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Location {
    latitude: f64,
    longitude: f64,
    name_location: Option<String>,
    address: Option<String>,
}

/// The user's contact, added (mode normal) when the chat is new.
fn contact_for(state: &State, id: u64, chat: &str) -> Contact {
    state.chats.contact(id, chat).unwrap_or_else(|| {
        let contact = Contact {
            chat_id: chat.to_string(),
            name: chat.trim_end_matches("@c.us").to_string(),
            mode: Mode::Normal,
        };
        state.chats.set_contact(id, contact.clone());
        contact
    })
}

/// The user typed a message: an incomingMessageReceived for the bot.
fn typed(state: &State, t: Typed) -> Answer {
    let id = match instance(state, t.instance) {
        Ok(id) => id,
        Err(answer) => return *answer,
    };
    if let Err(problem) = check_chat_id(&t.chat_id) {
        return bad(&problem);
    }
    let data = match (&t.text, &t.location) {
        (Some(text), None) if !text.is_empty() => text_data(text),
        (None, Some(l)) => json!({"typeMessage": "locationMessage", "locationMessageData": {
            "nameLocation": l.name_location.clone().unwrap_or_default(),
            "address": l.address.clone().unwrap_or_default(),
            "latitude": l.latitude, "longitude": l.longitude, "jpegThumbnail": "",
        }}),
        _ => return bad("give either a non-empty text or a location"),
    };
    let quoted = t
        .quoted_message_id
        .as_deref()
        .and_then(|q| state.chats.message(id, &t.chat_id, q));
    let data = with_quote(data, quoted.as_ref(), &t.chat_id);
    let contact = contact_for(state, id, &t.chat_id);
    let id_message = new_id(false);
    let at_ms = now_ms();
    let body = json!({
        "typeWebhook": "incomingMessageReceived",
        "instanceData": instance_data(state, id),
        "timestamp": at_ms / 1000,
        "idMessage": id_message,
        "senderData": {
            "chatId": t.chat_id, "chatName": contact.name, "sender": t.chat_id,
            "senderName": contact.name, "senderContactName": contact.name,
        },
        "messageData": data,
    });
    state.chats.insert(
        id,
        Message {
            id_message: id_message.clone(),
            chat_id: t.chat_id.clone(),
            direction: "incoming",
            timestamp: at_ms / 1000,
            at_ms,
            sender_name: contact.name.clone(),
            message_data: body["messageData"].clone(),
            status_message: None,
            send_by_api: false,
            read: false,
            call: None,
            reply_to: None,
            answer_ms: None,
            votes: Default::default(),
            notifications: Vec::new(),
            sender_id: t.chat_id.clone(),
            sender_contact_name: contact.name.clone(),
            origin: Bytes::from(body.to_string()),
        },
    );
    let delivered = emit(state, id, (&t.chat_id, &id_message), &body, true);
    json(StatusCode::OK, &delivered_json(&id_message, delivered))
}

fn delivered_json(id_message: &str, delivered: Delivered) -> Value {
    match delivered {
        Delivered::Queued(receipt) => json!({"idMessage": id_message, "receiptId": receipt}),
        Delivered::Pushed => json!({"idMessage": id_message, "pushed": true}),
        Delivered::Off(switch) => {
            json!({"idMessage": id_message, "queued": false, "reason": format!("{switch} is \"no\"")})
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Vote {
    instance: Option<u64>,
    chat_id: String,
    /// The poll's idMessage.
    id_message: String,
    /// The options chosen now (empty: the vote is withdrawn).
    option_names: Vec<String>,
}

/// The user voted in a poll: a pollUpdateMessage for the bot, with this voter's choice.
fn vote(state: &State, v: Vote) -> Answer {
    let id = match instance(state, v.instance) {
        Ok(id) => id,
        Err(answer) => return *answer,
    };
    let Some(poll) = state.chats.message(id, &v.chat_id, &v.id_message) else {
        return json(
            StatusCode::NOT_FOUND,
            &json!({"error": "no such poll in this chat"}),
        );
    };
    let data = &poll.message_data["pollMessageData"];
    let options: Vec<String> = data["options"]
        .as_array()
        .map(|o| {
            o.iter()
                .filter_map(|o| o["optionName"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if options.is_empty() {
        return bad("that message is not a poll");
    }
    if let Some(unknown) = v.option_names.iter().find(|n| !options.contains(n)) {
        return bad(&format!("the poll has no option {unknown:?}"));
    }
    let multiple = data["multipleAnswers"].as_bool().unwrap_or(false);
    if !multiple && v.option_names.len() > 1 {
        return bad("the poll takes one answer");
    }
    state
        .chats
        .vote(id, &v.chat_id, &v.id_message, &v.chat_id, &v.option_names);
    let votes: Vec<Value> = options
        .iter()
        .map(|o| {
            let voters: Vec<&str> = if v.option_names.contains(o) {
                vec![v.chat_id.as_str()]
            } else {
                vec![]
            };
            json!({"optionName": o, "optionVoters": voters})
        })
        .collect();
    let contact = contact_for(state, id, &v.chat_id);
    let id_message = new_id(false);
    let body = json!({
        "typeWebhook": "incomingMessageReceived",
        "instanceData": instance_data(state, id),
        "timestamp": now_ms() / 1000,
        "idMessage": id_message,
        "senderData": {
            "chatId": v.chat_id, "chatName": contact.name, "sender": v.chat_id,
            "senderName": contact.name, "senderContactName": contact.name,
        },
        "messageData": {"typeMessage": "pollUpdateMessage", "pollMessageData": {
            "stanzaId": v.id_message, "name": data["name"], "multipleAnswers": multiple,
            "votes": votes,
        }},
    });
    // Votes need pollMessageWebhook besides incomingWebhook.
    let delivered = if state.accounts.get(id)["pollMessageWebhook"] == "no" {
        Delivered::Off("pollMessageWebhook")
    } else {
        emit(state, id, (&v.chat_id, &v.id_message), &body, true)
    };
    json(StatusCode::OK, &delivered_json(&id_message, delivered))
}

/// The chat as NDJSON: the notification of each message, oldest first, for `greenq publish`.
fn export(state: &State, id: u64, chat: &str) -> Answer {
    let mut out = Vec::new();
    for m in state.chats.messages(id, chat) {
        if !m.origin.is_empty() {
            out.extend_from_slice(&m.origin);
            out.push(b'\n');
        }
    }
    let mut answer = Response::new(Full::new(Bytes::from(out)));
    let name = format!(
        "attachment; filename=\"chat-{}.ndjson\"",
        chat.split('@').next().unwrap_or("chat")
    );
    let headers = answer.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    secure(answer)
}

fn file(state: &State, key: &str) -> Answer {
    let key = key.split('/').next().unwrap_or_default();
    let Some((name, mime, data)) = state.chats.file(key) else {
        return json(StatusCode::NOT_FOUND, &json!({"error": "no such file"}));
    };
    let mut answer = Response::new(Full::new(data));
    let headers = answer.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&mime)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    // Always a download: an uploaded HTML file must not run as a page of this origin.
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    secure(answer)
}

/// Server-sent events: each change of the store as `{"kind": ..., ...}` under its sequence
/// number, those after `Last-Event-ID` (or `?after=`) first, so a reconnect or a reload
/// misses nothing and, since each event is a whole object, shows nothing twice.
fn events(state: &Arc<State>, req: &Request<Incoming>, query: &str) -> Response<PageBody> {
    let after = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| param(query, "after"))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let (sender, receiver) = mpsc::channel::<Bytes>(64);
    let state = state.clone();
    tokio::spawn(async move {
        if sender
            .send(Bytes::from_static(b"retry: 1000\n\n"))
            .await
            .is_err()
        {
            return;
        }
        let mut last = after;
        loop {
            let changed = state.chats.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            loop {
                let batch = state.chats.events_after(last, EVENT_BATCH);
                if batch.is_empty() {
                    break;
                }
                for (seq, text) in batch {
                    let mut frame = format!("id: {seq}\ndata: ").into_bytes();
                    frame.extend_from_slice(&text);
                    frame.extend_from_slice(b"\n\n");
                    if sender.send(Bytes::from(frame)).await.is_err() {
                        return;
                    }
                    last = seq;
                }
            }
            if tokio::time::timeout(KEEP_ALIVE, changed).await.is_err()
                && sender
                    .send(Bytes::from_static(b": idle\n\n"))
                    .await
                    .is_err()
            {
                return;
            }
        }
    });
    let mut answer = Response::new(Either::Right(EventStream { receiver }));
    let headers = answer.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    answer
}

/// The body of an event stream: what the stream's task sends, until it stops.
pub struct EventStream {
    receiver: mpsc::Receiver<Bytes>,
}

impl Body for EventStream {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.receiver
            .poll_recv(cx)
            .map(|chunk| chunk.map(|c| Ok(Frame::data(c))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_chat_ids() {
        assert_eq!(chat_of("+7 900 123-45-68").unwrap(), "79001234568@c.us");
        assert_eq!(
            chat_of("120363043968066561@g.us").unwrap(),
            "120363043968066561@g.us"
        );
        assert!(chat_of("hello").is_err());
    }

    #[test]
    fn the_host_is_localhost_or_the_listening_ip_with_or_without_a_port() {
        let v4: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let v6: SocketAddr = "[::1]:8080".parse().unwrap();
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:8080".parse().unwrap();
        for host in ["localhost", "LocalHost:8080", "127.0.0.1", "127.0.0.1:8080"] {
            assert!(host_allowed(host, Some(v4)), "{host}");
            assert!(host_allowed(host, Some(mapped)), "{host}");
        }
        for host in ["[::1]", "[::1]:8080", "localhost:8080"] {
            assert!(host_allowed(host, Some(v6)), "{host}");
        }
        for host in [
            "",
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "localhost:80@evil.example",
            "localhost:",
            "127.0.0.2",
            "[::1]",
            "[::1]x",
            "::1",
            "127.0.0.1:8080:1",
        ] {
            assert!(!host_allowed(host, Some(v4)), "{host}");
        }
        assert!(!host_allowed("[::1]:8080]", Some(v6)));
        assert!(!host_allowed("127.0.0.1", Some(v6)));
        assert!(!host_allowed("127.0.0.1", None));
    }

    #[test]
    fn query_parameters_are_decoded() {
        assert_eq!(
            param("instance=1&chatId=79001234568%40c.us", "chatId").as_deref(),
            Some("79001234568@c.us")
        );
        assert_eq!(param("a=b", "chatId"), None);
        assert_eq!(decode("%4"), "%4");
    }
}
