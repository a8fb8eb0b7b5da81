//! `greenq serve` answers a bot: the send methods with the vendor's shapes, the
//! notifications each send causes, the message store behind getChatHistory, and the chat
//! page's routes (Host check, CSP, no faults, event replay, export).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::*;

const ANNA: &str = "79001234568@c.us";

fn emulator() -> Emulator {
    Emulator::start_with(&[
        "--wait",
        "0",
        "--accept",
        &format!("{INSTANCE}:{TOKEN}"),
        "--status-delay",
        "0.01",
    ])
}

/// Notifications until one satisfies `last` (each deleted), at most 20.
fn notifications_until(emu: &Emulator, mut last: impl FnMut(&Value) -> bool) -> Vec<Value> {
    let mut seen = Vec::new();
    while seen.len() < 20 {
        let n = next_notification(emu).expect("a notification within 5 s");
        let done = last(&n);
        seen.push(n);
        if done {
            return seen;
        }
    }
    panic!("no last notification among {seen:?}");
}

fn kinds(seen: &[Value], id: &str) -> Vec<String> {
    seen.iter()
        .filter(|n| n["idMessage"] == id)
        .map(|n| match n["status"].as_str() {
            Some(status) => format!("status {status}"),
            None => n["typeWebhook"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

#[test]
fn a_send_answers_its_id_then_queues_the_api_message_and_sent_delivered_read() {
    let emu = emulator();
    let (status, answer) = api(
        &emu,
        "sendMessage",
        &json!({"chatId": ANNA, "message": "Hello", "typingTime": 1000}),
    );
    assert_eq!(status, 200, "{answer}");
    let id = answer["idMessage"].as_str().expect("idMessage").to_string();
    assert!(
        id.len() >= 16
            && id
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()),
        "{id}"
    );
    let seen = notifications_until(&emu, |n| n["status"] == "read");
    assert_eq!(
        kinds(&seen, &id),
        [
            "outgoingAPIMessageReceived",
            "status sent",
            "status delivered",
            "status read"
        ]
    );
    let api_message = &seen[0];
    assert_eq!(api_message["senderData"]["chatId"], ANNA);
    assert_eq!(
        api_message["messageData"]["textMessageData"]["textMessage"],
        "Hello"
    );
    assert_eq!(api_message["instanceData"]["idInstance"], INSTANCE);
    assert!(
        seen[1..]
            .iter()
            .all(|n| n["sendByApi"] == true && n["chatId"] == ANNA)
    );
    // The other sends, each with its messageData.
    for (method, body, kind) in [
        (
            "sendFileByUrl",
            json!({"chatId": ANNA, "urlFile": "https://example.com/a.png", "fileName": "a.png", "caption": ""}),
            "imageMessage",
        ),
        (
            "sendLocation",
            json!({"chatId": ANNA, "latitude": 55.75, "longitude": 37.61, "nameLocation": "Red Square"}),
            "locationMessage",
        ),
        (
            "sendContact",
            json!({"chatId": ANNA, "contact": {"phoneContact": 79001234569u64, "firstName": "Bob"}}),
            "contactMessage",
        ),
        (
            "sendPoll",
            json!({"chatId": ANNA, "message": "Color?", "options": [{"optionName": "Red"}, {"optionName": "Green"}]}),
            "pollMessage",
        ),
    ] {
        let (status, answer) = api(&emu, method, &body);
        assert_eq!(status, 200, "{method}: {answer}");
        let id = answer["idMessage"].as_str().expect("idMessage").to_string();
        let seen = notifications_until(&emu, |n| n["idMessage"] == id && n["status"] == "read");
        let first = seen
            .iter()
            .find(|n| n["idMessage"] == id)
            .expect("its notification");
        assert_eq!(
            first["typeWebhook"], "outgoingAPIMessageReceived",
            "{method}"
        );
        assert_eq!(first["messageData"]["typeMessage"], kind, "{method}");
    }
}

#[test]
fn bad_chat_ids_and_bodies_get_the_vendors_400_and_queue_nothing() {
    let emu = emulator();
    for (method, body, message) in [
        (
            "sendMessage",
            json!({"message": "x"}),
            "Validation failed. Details: 'chatId' is required",
        ),
        (
            "sendMessage",
            json!({"chatId": "79001234568", "message": "x"}),
            "Validation failed. Details: 'chatId' must be one of the next formats",
        ),
        (
            "sendMessage",
            json!({"chatId": ANNA, "message": ""}),
            "Validation failed. Details: 'message' is not allowed to be empty",
        ),
        (
            "sendMessage",
            json!({"chatId": ANNA, "message": 5}),
            "Validation failed. Details: 'message' must be a string",
        ),
        (
            "sendMessage",
            json!({"chatId": ANNA, "message": "x", "quotedMessageId": "short"}),
            "Validation failed. Details: 'message id' must be at least 16 symbols",
        ),
        (
            "sendPoll",
            json!({"chatId": ANNA, "message": "x", "options": [{"optionName": "only"}]}),
            "Validation failed. Details: 'options'",
        ),
        (
            "checkWhatsapp",
            json!({"phoneNumber": 123}),
            "bad phone number, valid from 11 to 16 digits",
        ),
        (
            "sendLocation",
            json!({"chatId": ANNA, "latitude": "NaN", "longitude": 37.6}),
            "Validation failed. Details: 'latitude' must be a number",
        ),
        (
            "sendLocation",
            json!({"chatId": ANNA, "latitude": 55.7, "longitude": "-inf"}),
            "Validation failed. Details: 'longitude' must be a number",
        ),
        (
            "checkWhatsapp",
            json!({"chatId": "abc@lid"}),
            "Validation failed. Details: 'chatId' must be one of",
        ),
    ] {
        let (status, answer) = api(&emu, method, &body);
        assert_eq!(status, 400, "{method} {body}: {answer}");
        let text = answer["message"].as_str().unwrap_or_default();
        assert!(text.starts_with(message), "{method} {body}: {answer}");
        assert_eq!(answer["statusCode"], 400);
        assert_eq!(
            answer["path"],
            format!("/waInstance{INSTANCE}/{method}/***")
        );
    }
    let (status, answer) = post_json(
        &format!("{}/waInstance{INSTANCE}/sendMessage/{TOKEN}", emu.url()),
        &json!("not an object"),
    );
    assert_eq!(status, 400, "{answer}");
    let (status, _) = post_json(
        &format!("{}/waInstance{INSTANCE}/sendMessage/wrong", emu.url()),
        &json!({"chatId": ANNA, "message": "x"}),
    );
    assert_eq!(status, 401);
    assert_eq!(emu.head(), None, "nothing was queued");
}

#[test]
fn contact_modes_decide_the_statuses_and_switches_are_honoured() {
    let emu = emulator();
    let offline = add_contact(&emu, "+7 900 000 00 01", "Off", "offline");
    let absent = add_contact(&emu, "79000000002", "Nobody", "noAccount");
    let failing = add_contact(&emu, "79000000003", "Broken", "failing");
    let mut ids = Vec::new();
    for chat in [&offline, &absent, &failing, &ANNA.to_string()] {
        let (status, answer) = api(
            &emu,
            "sendMessage",
            &json!({"chatId": chat, "message": "hi"}),
        );
        assert_eq!(status, 200);
        ids.push(answer["idMessage"].as_str().unwrap().to_string());
    }
    let seen = notifications_until(&emu, |n| n["idMessage"] == ids[3] && n["status"] == "read");
    assert_eq!(
        kinds(&seen, &ids[0]),
        ["outgoingAPIMessageReceived", "status sent"]
    );
    assert_eq!(
        kinds(&seen, &ids[1]),
        ["outgoingAPIMessageReceived", "status noAccount"]
    );
    assert_eq!(
        kinds(&seen, &ids[2]),
        ["outgoingAPIMessageReceived", "status failed"]
    );
    let (_, exists) = api(
        &emu,
        "checkWhatsapp",
        &json!({"phoneNumber": 79000000002u64}),
    );
    assert_eq!(exists["existsWhatsapp"], false);
    let (_, exists) = api(
        &emu,
        "checkWhatsapp",
        &json!({"phoneNumber": 79001234568u64}),
    );
    assert_eq!(exists["existsWhatsapp"], true);
    // Newer pages take a chatId instead, a privacy id (@lid) too.
    for chat in ["79001234568", "79001234568@c.us", "120650379300963@lid"] {
        let (status, exists) = api(&emu, "checkWhatsapp", &json!({ "chatId": chat }));
        assert_eq!(status, 200, "{chat}: {exists}");
        assert_eq!(exists["existsWhatsapp"], true, "{chat}");
    }

    // outgoingWebhook "no": no sent/delivered/read, but noAccount and failed still come.
    let (status, _) = api(&emu, "setSettings", &json!({"outgoingWebhook": "no"}));
    assert_eq!(status, 200);
    let (_, a) = api(
        &emu,
        "sendMessage",
        &json!({"chatId": ANNA, "message": "quiet"}),
    );
    let (_, b) = api(
        &emu,
        "sendMessage",
        &json!({"chatId": failing, "message": "loud"}),
    );
    let seen = notifications_until(&emu, |n| {
        n["idMessage"] == b["idMessage"] && n["status"] == "failed"
    });
    assert_eq!(
        kinds(&seen, a["idMessage"].as_str().unwrap()),
        ["outgoingAPIMessageReceived"]
    );
    // ... and the journal still moves on: read in the page's trace, 'off' for each status.
    let quiet = a["idMessage"].as_str().unwrap();
    wait_for(
        Duration::from_secs(10),
        "the quiet message to be read",
        || {
            chat_messages(&emu, ANNA)
                .iter()
                .any(|m| m["idMessage"] == quiet && m["statusMessage"] == "read")
        },
    );
    // outgoingAPIMessageWebhook "no" too: nothing at all for a normal contact.
    api(
        &emu,
        "setSettings",
        &json!({"outgoingAPIMessageWebhook": "no"}),
    );
    let (_, c) = api(
        &emu,
        "sendMessage",
        &json!({"chatId": ANNA, "message": "silent"}),
    );
    let (_, d) = api(
        &emu,
        "sendMessage",
        &json!({"chatId": absent, "message": "marker"}),
    );
    let seen = notifications_until(&emu, |n| n["idMessage"] == d["idMessage"]);
    assert!(
        kinds(&seen, c["idMessage"].as_str().unwrap()).is_empty(),
        "{seen:?}"
    );
}

/// The documented example of getChatHistory (page "GetChatHistory").
const DOCUMENTED_HISTORY: &str = r#"[{"type": "outgoing", "idMessage": "BAE5D12345ABCDEF", "timestamp": 1587412276,
  "typeMessage": "textMessage", "chatId": "79001234568@c.us", "textMessage": "Hello",
  "statusMessage": "read", "sendByApi": true, "deletedMessageId": "", "editedMessageId": "",
  "isEdited": false, "isDeleted": false},
 {"type": "incoming", "idMessage": "9DB14F14A253D33F4A9CD84123456789", "timestamp": 1706522263,
  "typeMessage": "textMessage", "chatId": "120363153000000000@g.us", "textMessage": "Hi",
  "senderId": "70000000012@c.us", "senderName": "Rachel", "senderContactName": "Rachel 2",
  "deletedMessageId": "", "editedMessageId": "", "isEdited": false, "isDeleted": false}]"#;

fn keys(v: &Value) -> Vec<String> {
    v.as_object().expect("an object").keys().cloned().collect()
}

#[test]
fn get_chat_history_has_the_documented_shape_and_get_message_and_read_chat_work() {
    let emu = emulator();
    let typed = type_message(&emu, ANNA, "Hi");
    let (_, sent) = api(
        &emu,
        "sendMessage",
        &json!({"chatId": ANNA, "message": "Hello"}),
    );
    let sent_id = sent["idMessage"].as_str().unwrap().to_string();
    wait_for(Duration::from_secs(10), "read", || {
        chat_messages(&emu, ANNA)
            .iter()
            .any(|m| m["statusMessage"] == "read")
    });
    let (status, history) = api(&emu, "getChatHistory", &json!({"chatId": ANNA}));
    assert_eq!(status, 200, "{history}");
    let documented: Value = serde_json::from_str(DOCUMENTED_HISTORY).unwrap();
    let history = history.as_array().expect("an array");
    assert_eq!(history.len(), 2);
    // Newest first, each with exactly the documented keys in the documented order.
    assert_eq!(keys(&history[0]), keys(&documented[0]));
    assert_eq!(keys(&history[1]), keys(&documented[1]));
    assert_eq!(history[0]["idMessage"], sent_id.as_str());
    assert_eq!(history[0]["statusMessage"], "read");
    assert_eq!(history[1]["idMessage"], typed["idMessage"]);
    assert_eq!(history[1]["textMessage"], "Hi");
    let (_, one) = api(&emu, "getChatHistory", &json!({"chatId": ANNA, "count": 1}));
    assert_eq!(one.as_array().map(Vec::len), Some(1));
    let (status, message) = api(
        &emu,
        "getMessage",
        &json!({"chatId": ANNA, "idMessage": sent_id}),
    );
    assert_eq!(status, 200);
    assert_eq!(message["textMessage"], "Hello");
    let (status, _) = api(
        &emu,
        "getMessage",
        &json!({"chatId": ANNA, "idMessage": "0000000000000000"}),
    );
    assert_eq!(status, 404);
    let (status, read) = api(&emu, "readChat", &json!({"chatId": ANNA}));
    assert_eq!((status, read), (200, json!({"setRead": true})));
    assert!(
        chat_messages(&emu, ANNA)
            .iter()
            .filter(|m| m["type"] == "incoming")
            .all(|m| m["read"] == true)
    );
}

#[test]
fn published_messages_enter_the_store_and_an_outgoing_one_to_a_contact_gets_statuses() {
    let emu = emulator();
    let bob = add_contact(&emu, "79001234569", "Bob", "normal");
    let incoming = json!({"typeWebhook": "incomingMessageReceived",
        "instanceData": {"idInstance": INSTANCE, "wid": "79001234567@c.us", "typeInstance": "whatsapp"},
        "timestamp": 1588091580, "idMessage": "AAAABBBBCCCCDDDD0000111122223333",
        "senderData": {"chatId": bob, "sender": bob, "senderName": "Bob"},
        "messageData": {"typeMessage": "textMessage", "textMessageData": {"textMessage": "from a script"}}});
    let mut outgoing = incoming.clone();
    outgoing["typeWebhook"] = json!("outgoingMessageReceived");
    outgoing["idMessage"] = json!("F7AEC1B7086ECDC7E6E45923F5EDB825");
    emu.publish_all(&[incoming.to_string(), outgoing.to_string()]);
    let seen = notifications_until(&emu, |n| n["status"] == "read");
    assert_eq!(
        kinds(&seen, "F7AEC1B7086ECDC7E6E45923F5EDB825"),
        [
            "outgoingMessageReceived",
            "status sent",
            "status delivered",
            "status read"
        ]
    );
    assert!(
        seen.iter()
            .filter(|n| n["status"].is_string())
            .all(|n| n["sendByApi"] == false)
    );
    let (_, history) = api(&emu, "getChatHistory", &json!({"chatId": bob}));
    let ids: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["idMessage"])
        .collect();
    assert_eq!(ids, [&outgoing["idMessage"], &incoming["idMessage"]]);
    // A chat nobody added gets no statuses: a script counts exactly what it published.
    let mut stranger = outgoing.clone();
    stranger["senderData"]["chatId"] = json!("79005550000@c.us");
    stranger["idMessage"] = json!("0123456789ABCDEF0123456789ABCDEF");
    emu.publish_all(&[stranger.to_string(), example("marker")]);
    let seen = notifications_until(&emu, |n| n["idMessage"] != stranger["idMessage"]);
    assert_eq!(
        kinds(&seen, "0123456789ABCDEF0123456789ABCDEF"),
        ["outgoingMessageReceived"]
    );
}

#[test]
fn files_uploads_and_poll_votes_reach_the_bot() {
    let emu = emulator();
    let boundary = "XyZ123boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"chatId\"\r\n\r\n{ANNA}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"typingTime\"\r\n\r\n3000\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rates.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nUSD 1.00\r\n--{boundary}--\r\n"
    );
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .new_agent();
    let mut r = agent
        .post(&format!(
            "{}/waInstance{INSTANCE}/sendFileByUpload/{TOKEN}",
            emu.url()
        ))
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .send(body)
        .expect("upload");
    assert_eq!(r.status().as_u16(), 200);
    let answer: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    let url = answer["urlFile"].as_str().expect("urlFile");
    let text = agent
        .get(url)
        .call()
        .expect("download")
        .body_mut()
        .read_to_string()
        .unwrap();
    assert_eq!(text, "USD 1.00");
    let seen = notifications_until(&emu, |n| n["typeWebhook"] == "outgoingAPIMessageReceived");
    assert_eq!(
        seen.last().unwrap()["messageData"]["fileMessageData"]["downloadUrl"],
        url
    );

    let (_, poll) = api(
        &emu,
        "sendPoll",
        &json!({"chatId": ANNA, "message": "Color?", "options": [{"optionName": "Red"}, {"optionName": "Green"}]}),
    );
    let (status, vote) = post_json(
        &format!("{}/chat/votes", emu.url()),
        &json!({"chatId": ANNA, "idMessage": poll["idMessage"], "optionNames": ["Green"]}),
    );
    assert_eq!(status, 200, "{vote}");
    let seen = notifications_until(&emu, |n| n["typeWebhook"] == "incomingMessageReceived");
    let update = &seen.last().unwrap()["messageData"];
    assert_eq!(update["typeMessage"], "pollUpdateMessage");
    assert_eq!(update["pollMessageData"]["stanzaId"], poll["idMessage"]);
    assert_eq!(
        update["pollMessageData"]["votes"][1],
        json!({"optionName": "Green", "optionVoters": [ANNA]})
    );
    let (status, _) = post_json(
        &format!("{}/chat/votes", emu.url()),
        &json!({"chatId": ANNA, "idMessage": poll["idMessage"], "optionNames": ["Blue"]}),
    );
    assert_eq!(status, 400);
}

/// A raw request with this Host; the status and the headers.
fn with_host(emu: &Emulator, method: &str, path: &str, host: &str) -> (u16, String) {
    with_headers(emu, method, path, &format!("Host: {host}\r\n"))
}

fn with_headers(emu: &Emulator, method: &str, path: &str, headers: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(emu.addr).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\n{headers}Content-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase())
}

#[test]
fn the_page_answers_only_its_own_host_under_a_strict_csp_while_the_api_answers_any() {
    let emu = emulator();
    let own = emu.addr.to_string();
    let port = emu.addr.port();
    for path in ["/", "/chat.js", "/chat/status", "/chat/events"] {
        let (status, _) = with_host(&emu, "GET", path, "rebind.attacker.example");
        assert_eq!(status, 403, "{path}");
        let (status, _) = with_host(&emu, "GET", path, &format!("attacker.example:{port}"));
        assert_eq!(status, 403, "{path}");
    }
    let (status, _) = with_host(&emu, "POST", "/chat/contacts", "attacker.example");
    assert_eq!(status, 403);
    // Another site's page posting to the right Host (cross-site request forgery): refused.
    let forged = format!("Host: {own}\r\nOrigin: http://attacker.example\r\n");
    let (status, _) = with_headers(&emu, "POST", "/chat/messages", &forged);
    assert_eq!(status, 403);
    let same = format!("Host: {own}\r\nOrigin: http://{own}\r\n");
    let (status, _) = with_headers(&emu, "POST", "/chat/messages", &same);
    assert_eq!(
        status, 400,
        "past the checks, to the body's (empty object) check"
    );
    let (status, head) = with_host(&emu, "GET", "/", &own);
    assert_eq!(status, 200);
    assert!(
        head.contains("content-security-policy: default-src 'none'; script-src 'self';"),
        "{head}"
    );
    assert!(!head.contains("unsafe-inline"));
    let (status, _) = with_host(&emu, "GET", "/chat/status", &format!("localhost:{port}"));
    assert_eq!(status, 200);
    // The API answers any Host, as the live service does.
    let path = format!("/waInstance{INSTANCE}/getSettings/{TOKEN}");
    let (status, _) = with_host(&emu, "GET", &path, "api.green-api.com");
    assert_eq!(status, 200);
}

#[test]
fn faults_never_hit_the_pages_routes() {
    let emu = Emulator::start_with(&[
        "--wait",
        "0",
        "--accept",
        &format!("{INSTANCE}:{TOKEN}"),
        "--faults",
        "1",
        "--seed",
        "7",
    ]);
    for _ in 0..15 {
        let (status, v) = get_json(&format!("{}/chat/status", emu.url()));
        assert_eq!(status, 200, "{v}");
    }
    // The API still meets them (rate 1: every request faulted, or dropped).
    let agent = agent();
    let faulted = (0..5).filter(|_| {
        agent
            .get(&format!(
                "{}/waInstance{INSTANCE}/getSettings/{TOKEN}",
                emu.url()
            ))
            .call()
            .map_or(true, |r| r.status().as_u16() != 200)
    });
    assert!(faulted.count() > 0);
}

/// Reads events from /chat/events until `n` arrived; their ids and data.
fn read_events(emu: &Emulator, last_event_id: Option<u64>, n: usize) -> Vec<(u64, Value)> {
    let mut stream = TcpStream::connect(emu.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let last = last_event_id.map_or(String::new(), |id| format!("Last-Event-ID: {id}\r\n"));
    write!(
        stream,
        "GET /chat/events HTTP/1.1\r\nHost: {}\r\n{last}\r\n",
        emu.addr
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut events = Vec::new();
    let mut id = 0;
    while events.len() < n {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).expect("an event within 10 s") > 0,
            "stream ended"
        );
        if let Some(v) = line.trim_end().strip_prefix("id: ") {
            id = v.parse().unwrap();
        } else if let Some(data) = line.trim_end().strip_prefix("data: ") {
            events.push((id, serde_json::from_str(data).unwrap()));
        }
    }
    events
}

#[test]
fn events_replay_everything_and_after_last_event_id_only_what_was_missed() {
    let emu = emulator();
    add_contact(&emu, "79001234568", "Anna", "normal");
    type_message(&emu, ANNA, "one");
    let all = read_events(&emu, None, 3);
    assert_eq!(all[0].1["kind"], "contact");
    assert_eq!(text_of(&all[1].1), "one");
    type_message(&emu, ANNA, "two");
    // Reconnecting after the second event: the third (the first message's trace) on.
    let missed = read_events(&emu, Some(all[1].0), 3);
    assert_eq!(missed[0], all[2]);
    assert!(missed.iter().all(|(id, _)| *id > all[1].0));
    assert!(
        missed.iter().any(|(_, e)| text_of(e) == "two"),
        "{missed:?}"
    );
}

#[test]
fn nothing_the_page_shows_carries_the_token() {
    let emu = emulator();
    add_contact(&emu, "79001234568", "Anna", "normal");
    type_message(&emu, ANNA, "hi");
    let (_, sent) = api(
        &emu,
        "sendMessage",
        &json!({"chatId": ANNA, "message": "hello"}),
    );
    let (status, _) = api(&emu, "sendMessage", &json!({"chatId": ANNA, "message": 5}));
    assert_eq!(status, 400);
    let id = sent["idMessage"].as_str().unwrap().to_string();
    wait_for(Duration::from_secs(10), "the answer read", || {
        chat_messages(&emu, ANNA)
            .iter()
            .any(|m| m["idMessage"] == id.as_str() && m["statusMessage"] == "read")
    });
    let mut shown = Vec::new();
    for route in [
        "/chat/status".to_string(),
        "/chat/contacts".to_string(),
        format!("/chat/messages?chatId={ANNA}"),
        format!("/chat/export?chatId={ANNA}"),
    ] {
        let mut r = agent()
            .get(&format!("{}{route}", emu.url()))
            .call()
            .expect("get");
        assert_eq!(r.status(), 200, "{route}");
        shown.push(r.body_mut().read_to_string().unwrap_or_default());
    }
    shown.extend(
        read_events(&emu, None, 5)
            .iter()
            .map(|(_, e)| e.to_string()),
    );
    for text in &shown {
        assert!(!text.contains(TOKEN), "{text}");
    }
    assert!(
        shown.iter().any(|t| t.contains("sendMessage")),
        "the call is shown"
    );
}

fn text_of(event: &Value) -> &str {
    event["message"]["messageData"]["textMessageData"]["textMessage"]
        .as_str()
        .unwrap_or_default()
}

#[test]
fn an_exported_chat_replays_through_publish() {
    let emu = emulator();
    type_message(&emu, ANNA, "question <b>");
    api(
        &emu,
        "sendMessage",
        &json!({"chatId": ANNA, "message": "answer"}),
    );
    let agent = ureq::Agent::config_builder()
        .proxy(None)
        .build()
        .new_agent();
    let mut r = agent
        .get(&format!(
            "{}/chat/export?chatId=79001234568%40c.us",
            emu.url()
        ))
        .call()
        .expect("export");
    assert_eq!(
        r.headers().get("content-type").unwrap(),
        "application/x-ndjson"
    );
    let ndjson = r.body_mut().read_to_string().unwrap();
    assert_eq!(ndjson.lines().count(), 2, "{ndjson}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chat.ndjson");
    std::fs::write(&file, &ndjson).unwrap();
    let other = emulator();
    other.cmd().arg("publish").arg(&file).assert().success();
    let (_, history) = api(&other, "getChatHistory", &json!({"chatId": ANNA}));
    let texts: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["textMessage"])
        .collect();
    assert_eq!(texts, [&json!("answer"), &json!("question <b>")]);
}

#[test]
fn status_delay_spaces_the_statuses() {
    let emu = Emulator::start_with(&[
        "--wait",
        "0",
        "--accept",
        &format!("{INSTANCE}:{TOKEN}"),
        "--status-delay",
        "0.3",
    ]);
    let started = std::time::Instant::now();
    let (_, sent) = api(
        &emu,
        "sendMessage",
        &json!({"chatId": ANNA, "message": "slow"}),
    );
    let mut at = Vec::new();
    notifications_until(&emu, |n| {
        if n["idMessage"] == sent["idMessage"] && n["status"].is_string() {
            at.push(started.elapsed());
        }
        n["status"] == "read"
    });
    assert_eq!(at.len(), 3);
    // Lower bounds only: a busy machine may be late, never early.
    for (i, t) in at.iter().enumerate() {
        assert!(*t >= Duration::from_millis(300 * (i as u64 + 1)), "{at:?}");
    }
}

#[test]
fn the_trace_counts_each_receive_of_a_notification_and_its_delete() {
    let emu = emulator();
    let typed = type_message(&emu, ANNA, "twice");
    let note = |emu: &Emulator| chat_messages(emu, ANNA)[0]["notifications"][0].clone();
    assert_eq!(note(&emu)["receiptId"], typed["receiptId"]);
    assert_eq!(note(&emu)["received"], 0);
    // Received without a delete, then again: a redelivery, which the page flags.
    let (receipt, _) = emu.head().expect("queued");
    emu.head().expect("still queued");
    assert_eq!(note(&emu)["received"], 2);
    assert_eq!(note(&emu)["deleted"], false);
    assert!(emu.delete(receipt));
    assert_eq!(note(&emu)["deleted"], true);
}
