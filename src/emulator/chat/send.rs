//! The send methods (sendMessage, sendFileByUrl, sendFileByUpload, sendLocation,
//! sendContact, sendPoll) and the journal and service methods served from the same store
//! (getChatHistory, getMessage, readChat, checkWhatsapp), with the vendor's request and
//! answer shapes and its 400 answers. Unknown fields (typingTime, archiveChat, ...) are
//! accepted and ignored, as the SDKs send them.

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Request, StatusCode};
use serde_json::{Map, Value, json};

use super::simulate::{emit, instance_data, statuses};
use super::store::{Call, Message, Mode, new_id, now_ms};
use crate::emulator::shared::{Answer, State};

/// The methods served here, all by POST.
pub const METHODS: &[&str] = &[
    "sendMessage",
    "sendFileByUrl",
    "sendFileByUpload",
    "sendLocation",
    "sendContact",
    "sendPoll",
    "getChatHistory",
    "getMessage",
    "readChat",
    "checkWhatsapp",
];

const MAX_TEXT: usize = 20_000;

/// A 400 (or other) in the live service's shape; the token in `path` as `***`.
pub fn refuse(status: StatusCode, id: u64, method: &str, message: &str) -> Answer {
    let body = json!({
        "statusCode": status.as_u16(),
        "timestamp": jiff::Timestamp::now().to_string(),
        "path": format!("/waInstance{id}/{method}/***"),
        "message": message,
    });
    crate::emulator::routes::json_answer(status, body.to_string())
}

fn invalid(id: u64, method: &str, details: &str) -> Answer {
    refuse(
        StatusCode::BAD_REQUEST,
        id,
        method,
        &format!("Validation failed. Details: {details}"),
    )
}

/// Serves one of `METHODS` for an authorized instance.
pub async fn respond(state: &State, req: Request<Incoming>, id: u64, method: &str) -> Answer {
    let host = req
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = match crate::emulator::routes::read_body(req).await {
        Ok(body) => body,
        Err(answer) => return *answer,
    };
    let (fields, file) = if method == "sendFileByUpload" {
        match multipart(&content_type, body).await {
            Ok(found) => found,
            Err(problem) => return invalid(id, method, &problem),
        }
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(fields)) => (fields, None),
            Ok(_) => return invalid(id, method, "the body must be a JSON object"),
            Err(e) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    id,
                    method,
                    &format!("Unexpected token in JSON: {e}"),
                );
            }
        }
    };
    let request = Asked {
        state,
        id,
        method,
        fields: &fields,
    };
    let done = match method {
        "getChatHistory" => request.history(),
        "getMessage" => request.get_message(),
        "readChat" => request.read_chat(),
        "checkWhatsapp" => request.check_whatsapp(),
        _ => request.send(file, &host),
    };
    match done {
        Ok(answer) => answer,
        Err(details) => invalid(id, method, &details),
    }
}

struct Asked<'a> {
    state: &'a State,
    id: u64,
    method: &'a str,
    fields: &'a Map<String, Value>,
}

/// An uploaded file: its name, type and bytes.
type Upload = (String, String, Bytes);

impl Asked<'_> {
    /// A string field: `Ok(None)` when absent and not required.
    fn text(&self, name: &str, required: bool) -> Result<Option<String>, String> {
        match self.fields.get(name) {
            None | Some(Value::Null) if required => Err(format!("'{name}' is required")),
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() && required => {
                Err(format!("'{name}' is not allowed to be empty"))
            }
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("'{name}' must be a string")),
        }
    }

    fn number(&self, name: &str) -> Result<f64, String> {
        let number = match self.fields.get(name) {
            None | Some(Value::Null) => return Err(format!("'{name}' is required")),
            Some(Value::Number(n)) => n.as_f64(),
            // A form field; "NaN" and "inf" parse, but JSON has no place for them.
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            Some(_) => None,
        };
        number
            .filter(|n| n.is_finite())
            .ok_or_else(|| format!("'{name}' must be a number"))
    }

    fn flag(&self, name: &str) -> Result<bool, String> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
            Some(_) => Err(format!("'{name}' must be a boolean")),
        }
    }

    fn chat_id(&self) -> Result<String, String> {
        let chat = self.text("chatId", true)?.unwrap_or_default();
        check_chat_id(&chat)?;
        Ok(chat)
    }

    /// The message quoted by `quotedMessageId`, when one is given.
    fn quoted(&self, chat: &str) -> Result<Option<Message>, String> {
        let Some(quoted) = self.text("quotedMessageId", false)? else {
            return Ok(None);
        };
        if quoted.len() < 16 {
            return Err("'message id' must be at least 16 symbols".into());
        }
        Ok(self.state.chats.message(self.id, chat, &quoted))
    }

    fn send(&self, file: Option<Upload>, host: &str) -> Result<Answer, String> {
        let chat = self.chat_id()?;
        let mut answer = Map::new();
        let data = match self.method {
            "sendMessage" => {
                let text = self.text("message", true)?.unwrap_or_default();
                if text.chars().count() > MAX_TEXT {
                    return Err(format!(
                        "'message' length must be less than or equal to {MAX_TEXT} characters long"
                    ));
                }
                if self.fields.contains_key("linkPreview") {
                    self.flag("linkPreview")?;
                }
                text_data(&text)
            }
            "sendFileByUrl" => {
                let url = self.text("urlFile", true)?.unwrap_or_default();
                let name = self.text("fileName", true)?.unwrap_or_default();
                let caption = self.text("caption", false)?.unwrap_or_default();
                file_data(&url, &name, &caption, &mime_of(&name))
            }
            "sendFileByUpload" => {
                let Some((part_name, mime, bytes)) = file else {
                    return Err("'file' is required".into());
                };
                let name = self.text("fileName", false)?.unwrap_or(part_name);
                let caption = self.text("caption", false)?.unwrap_or_default();
                let mime = if mime.is_empty() || mime == "application/octet-stream" {
                    mime_of(&name)
                } else {
                    mime
                };
                let key = self.state.chats.keep_file(&name, &mime, bytes);
                let url = format!("http://{host}/files/{key}/{}", url_segment(&name));
                answer.insert("urlFile".into(), Value::from(url.clone()));
                file_data(&url, &name, &caption, &mime)
            }
            "sendLocation" => {
                let latitude = self.number("latitude")?;
                let longitude = self.number("longitude")?;
                json!({"typeMessage": "locationMessage", "locationMessageData": {
                    "nameLocation": self.text("nameLocation", false)?.unwrap_or_default(),
                    "address": self.text("address", false)?.unwrap_or_default(),
                    "latitude": latitude,
                    "longitude": longitude,
                    "jpegThumbnail": "",
                }})
            }
            "sendContact" => contact_data(self.fields.get("contact"))?,
            "sendPoll" => self.poll_data()?,
            _ => return Err("unknown method".into()),
        };
        let quoted = self.quoted(&chat)?;
        let data = with_quote(data, quoted.as_ref(), &chat);
        let id_message = new_id(true);
        // idMessage first, as the vendor's answers show it.
        let mut ordered = Map::new();
        ordered.insert("idMessage".into(), Value::from(id_message.clone()));
        ordered.extend(answer);
        let answer = Value::Object(ordered);
        let contact = self.state.chats.contact(self.id, &chat);
        let wid = self.state.accounts.get(self.id)["wid"].clone();
        let notification = json!({
            "typeWebhook": "outgoingAPIMessageReceived",
            "instanceData": instance_data(self.state, self.id),
            "timestamp": now_ms() / 1000,
            "idMessage": id_message,
            "senderData": {
                "chatId": chat,
                "chatName": contact.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                "sender": wid,
                "senderName": "",
                "senderContactName": "",
            },
            "messageData": data,
        });
        let at_ms = now_ms();
        self.state.chats.insert(
            self.id,
            Message {
                id_message: id_message.clone(),
                chat_id: chat.clone(),
                direction: "outgoing",
                timestamp: at_ms / 1000,
                at_ms,
                sender_name: String::new(),
                message_data: notification["messageData"].clone(),
                status_message: Some("pending".into()),
                send_by_api: true,
                read: false,
                call: Some(Call {
                    method: self.method.to_string(),
                    body: Value::Object(self.fields.clone()),
                    answer: answer.clone(),
                }),
                reply_to: None,
                answer_ms: None,
                votes: Default::default(),
                notifications: Vec::new(),
                sender_id: String::new(),
                sender_contact_name: String::new(),
                origin: Bytes::from(notification.to_string()),
            },
        );
        emit(
            self.state,
            self.id,
            (&chat, &id_message),
            &notification,
            true,
        );
        statuses(self.state, self.id, &chat, &id_message, true);
        Ok(crate::emulator::routes::json_answer(
            StatusCode::OK,
            answer.to_string(),
        ))
    }

    fn poll_data(&self) -> Result<Value, String> {
        let name = self.text("message", true)?.unwrap_or_default();
        if name.chars().count() > 255 {
            return Err(
                "'message' length must be less than or equal to 255 characters long".into(),
            );
        }
        let Some(Value::Array(options)) = self.fields.get("options") else {
            return Err("'options' is required".into());
        };
        if !(2..=12).contains(&options.len()) {
            return Err("'options' must contain from 2 to 12 items".into());
        }
        let mut names: Vec<String> = Vec::new();
        for option in options {
            let Some(name) = option["optionName"].as_str().filter(|n| !n.is_empty()) else {
                return Err("'options[].optionName' is required".into());
            };
            if name.chars().count() > 100 || names.iter().any(|n| n == name) {
                return Err("'options' must hold distinct names of at most 100 characters".into());
            }
            names.push(name.to_string());
        }
        let options: Vec<Value> = names.iter().map(|n| json!({"optionName": n})).collect();
        Ok(json!({"typeMessage": "pollMessage", "pollMessageData": {
            "name": name, "options": options, "multipleAnswers": self.flag("multipleAnswers")?,
        }}))
    }

    fn history(&self) -> Result<Answer, String> {
        let chat = self.chat_id()?;
        let count = match self.fields.get("count") {
            None | Some(Value::Null) => 100,
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or("'count' must be a positive integer")?,
        };
        let entries: Vec<Value> = self
            .state
            .chats
            .messages(self.id, &chat)
            .iter()
            .rev()
            .take(count)
            .map(entry)
            .collect();
        Ok(crate::emulator::routes::json_answer(
            StatusCode::OK,
            Value::from(entries).to_string(),
        ))
    }

    fn get_message(&self) -> Result<Answer, String> {
        let chat = self.chat_id()?;
        let id_message = self.text("idMessage", true)?.unwrap_or_default();
        Ok(
            match self.state.chats.message(self.id, &chat, &id_message) {
                Some(m) => {
                    crate::emulator::routes::json_answer(StatusCode::OK, entry(&m).to_string())
                }
                None => refuse(
                    StatusCode::NOT_FOUND,
                    self.id,
                    self.method,
                    "message not found",
                ),
            },
        )
    }

    fn read_chat(&self) -> Result<Answer, String> {
        let chat = self.chat_id()?;
        let id_message = self.text("idMessage", false)?;
        self.state
            .chats
            .read_chat(self.id, &chat, id_message.as_deref());
        Ok(crate::emulator::routes::json_answer(
            StatusCode::OK,
            json!({"setRead": true}).to_string(),
        ))
    }

    fn check_whatsapp(&self) -> Result<Answer, String> {
        let digits = match (self.fields.get("phoneNumber"), self.fields.get("chatId")) {
            (Some(Value::Number(n)), None) => n.to_string(),
            (Some(Value::String(s)), None) => {
                if !s.chars().all(|c| c.is_ascii_digit()) {
                    return Err("Wrong format. 'phoneNumber' must contain only digits".into());
                }
                s.clone()
            }
            // A privacy id is an account by definition: it exists.
            (None, Some(Value::String(chat))) if chat.ends_with("@lid") => {
                check_chat_id(chat)?;
                return Ok(crate::emulator::routes::json_answer(
                    StatusCode::OK,
                    json!({"existsWhatsapp": true, "chatId": chat}).to_string(),
                ));
            }
            (None, Some(Value::String(chat))) => {
                chat.strip_suffix("@c.us").unwrap_or(chat).to_string()
            }
            (None, None) => return Err("'phoneNumber' is required".into()),
            _ => return Err("give exactly one of 'chatId' and 'phoneNumber'".into()),
        };
        if !(11..=16).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Ok(refuse(
                StatusCode::BAD_REQUEST,
                self.id,
                self.method,
                "bad phone number, valid from 11 to 16 digits",
            ));
        }
        let chat = format!("{digits}@c.us");
        let exists = self
            .state
            .chats
            .contact(self.id, &chat)
            .is_none_or(|c| c.mode != Mode::NoAccount);
        Ok(crate::emulator::routes::json_answer(
            StatusCode::OK,
            json!({"existsWhatsapp": exists, "chatId": chat}).to_string(),
        ))
    }
}

/// A person (`79001234567@c.us`), a group (`120363043968066561@g.us`, or the older
/// `79001234567-1581234048@g.us`) or a privacy id (`120650379300963@lid`).
pub fn check_chat_id(chat: &str) -> Result<(), String> {
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.chars().all(|c| c.is_ascii_digit());
    let fits = if let Some(phone) = chat.strip_suffix("@c.us") {
        digits(phone) && phone.len() >= 5
    } else if let Some(group) = chat.strip_suffix("@g.us") {
        match group.split_once('-') {
            Some((a, b)) => digits(a) && digits(b),
            None => digits(group),
        }
    } else if let Some(lid) = chat.strip_suffix("@lid") {
        digits(lid)
    } else {
        false
    };
    if fits {
        Ok(())
    } else {
        Err("'chatId' must be one of the next formats: 'phone_number@c.us', 'chat_id@lid' or 'group_id@g.us'".into())
    }
}

pub fn text_data(text: &str) -> Value {
    json!({"typeMessage": "textMessage", "textMessageData": {"textMessage": text}})
}

/// A quote turns the message into a `quotedMessage` that carries its text as
/// `extendedTextMessageData.text`, as the live service sends a reply.
pub fn with_quote(data: Value, quoted: Option<&Message>, chat: &str) -> Value {
    let Some(quoted) = quoted else {
        return data;
    };
    let mut data = data;
    let mut q = json!({
        "stanzaId": quoted.id_message,
        "participant": if quoted.direction == "incoming" { chat.to_string() } else { String::new() },
        "typeMessage": quoted.message_data["typeMessage"],
    });
    if let Some(text) = text_of(&quoted.message_data) {
        q["textMessage"] = Value::from(text);
    }
    if data["typeMessage"] == "textMessage" {
        let text = data["textMessageData"]["textMessage"].clone();
        data = json!({"typeMessage": "quotedMessage", "extendedTextMessageData": {
            "text": text, "stanzaId": quoted.id_message, "participant": q["participant"],
        }});
    }
    data["quotedMessage"] = q;
    data
}

/// The text of a message, whatever its kind carries it in.
pub fn text_of(data: &Value) -> Option<String> {
    [
        &data["textMessageData"]["textMessage"],
        &data["extendedTextMessageData"]["text"],
        &data["fileMessageData"]["caption"],
        &data["pollMessageData"]["name"],
    ]
    .into_iter()
    .find_map(|v| v.as_str().map(str::to_string))
}

fn file_data(url: &str, name: &str, caption: &str, mime: &str) -> Value {
    let kind = match mime.split('/').next() {
        Some("image") => "imageMessage",
        Some("video") => "videoMessage",
        Some("audio") => "audioMessage",
        _ => "documentMessage",
    };
    json!({"typeMessage": kind, "fileMessageData": {
        "downloadUrl": url, "caption": caption, "fileName": name, "mimeType": mime,
        "jpegThumbnail": "",
    }})
}

/// The type of a file by its extension, as the live service decides a file's kind.
fn mime_of(name: &str) -> String {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("mp4") => "video/mp4",
        Some("mp3") => "audio/mpeg",
        Some("ogg" | "oga") => "audio/ogg",
        Some("pdf") => "application/pdf",
        Some("txt") => "text/plain",
        _ => "application/octet-stream",
    }
    .to_string()
}

/// A file name as one URL path segment.
fn url_segment(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn contact_data(contact: Option<&Value>) -> Result<Value, String> {
    let Some(Value::Object(c)) = contact else {
        return Err("'contact' is required".into());
    };
    let phone = match c.get("phoneContact") {
        Some(Value::Number(n)) if n.as_u64().is_some() => n.to_string(),
        Some(Value::String(s)) if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) => {
            s.clone()
        }
        None => return Err("'contact.phoneContact' is required".into()),
        _ => return Err("'contact.phoneContact' must be a number".into()),
    };
    let part = |k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let names: Vec<String> = ["firstName", "middleName", "lastName"]
        .iter()
        .map(|k| part(k))
        .filter(|n| !n.is_empty())
        .collect();
    let company = part("company");
    if names.is_empty() && company.is_empty() {
        return Err(
            "'contact' needs one of 'firstName', 'middleName', 'lastName', 'company'".into(),
        );
    }
    let display = if names.is_empty() {
        company.clone()
    } else {
        names.join(" ")
    };
    let vcard = format!(
        "BEGIN:VCARD\nVERSION:3.0\nFN:{display}\nORG:{company}\nTEL;type=CELL;waid={phone}:+{phone}\nEND:VCARD"
    );
    Ok(
        json!({"typeMessage": "contactMessage", "contactMessageData": {
            "displayName": display, "vcard": vcard,
        }}),
    )
}

/// The fields and the file of a `multipart/form-data` body (sendFileByUpload).
async fn multipart(
    content_type: &str,
    body: Bytes,
) -> Result<(Map<String, Value>, Option<Upload>), String> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| "the body must be multipart/form-data with a 'file' part".to_string())?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut parts = multer::Multipart::new(stream, boundary);
    let mut fields = Map::new();
    let mut file = None;
    let bad = |e: multer::Error| format!("the multipart body is malformed ({e})");
    while let Some(part) = parts.next_field().await.map_err(bad)? {
        let name = part.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = part.file_name().unwrap_or("file").to_string();
            let mime = part
                .content_type()
                .map(ToString::to_string)
                .unwrap_or_default();
            let bytes = part.bytes().await.map_err(bad)?;
            file = Some((file_name, mime, bytes));
        } else {
            let text = part.text().await.map_err(bad)?;
            fields.insert(name, Value::from(text));
        }
    }
    Ok((fields, file))
}

/// A message as getChatHistory and getMessage answer it, keys in the documented order.
pub fn entry(m: &Message) -> Value {
    let data = &m.message_data;
    let kind = data["typeMessage"].as_str().unwrap_or("textMessage");
    let mut e = Map::new();
    e.insert("type".into(), Value::from(m.direction));
    e.insert("idMessage".into(), Value::from(m.id_message.clone()));
    e.insert("timestamp".into(), Value::from(m.timestamp));
    e.insert("typeMessage".into(), Value::from(kind));
    e.insert("chatId".into(), Value::from(m.chat_id.clone()));
    if let Some(text) = data["textMessageData"]["textMessage"]
        .as_str()
        .or(data["extendedTextMessageData"]["text"].as_str())
    {
        e.insert("textMessage".into(), Value::from(text));
    }
    if let Value::Object(file) = &data["fileMessageData"] {
        for key in [
            "downloadUrl",
            "caption",
            "fileName",
            "mimeType",
            "jpegThumbnail",
        ] {
            e.insert(key.into(), file.get(key).cloned().unwrap_or_default());
        }
    }
    for (from, to) in [
        ("extendedTextMessageData", "extendedTextMessage"),
        ("locationMessageData", "location"),
        ("contactMessageData", "contact"),
        ("pollMessageData", "pollMessageData"),
        ("quotedMessage", "quotedMessage"),
    ] {
        if data[from].is_object() {
            e.insert(to.into(), data[from].clone());
        }
    }
    if m.direction == "outgoing" {
        e.insert(
            "statusMessage".into(),
            Value::from(m.status_message.clone().unwrap_or_else(|| "pending".into())),
        );
        e.insert("sendByApi".into(), Value::from(m.send_by_api));
    } else {
        let sender = if m.sender_id.is_empty() {
            &m.chat_id
        } else {
            &m.sender_id
        };
        e.insert("senderId".into(), Value::from(sender.clone()));
        e.insert("senderName".into(), Value::from(m.sender_name.clone()));
        e.insert(
            "senderContactName".into(),
            Value::from(m.sender_contact_name.clone()),
        );
    }
    e.insert("deletedMessageId".into(), Value::from(""));
    e.insert("editedMessageId".into(), Value::from(""));
    e.insert("isEdited".into(), Value::from(false));
    e.insert("isDeleted".into(), Value::from(false));
    Value::Object(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_ids_of_every_documented_form() {
        for good in [
            "79001234567@c.us",
            "120363043968066561@g.us",
            "79001234567-1581234048@g.us",
            "120650379300963@lid",
        ] {
            assert!(check_chat_id(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "79001234567",
            "+79001234567@c.us",
            "abc@c.us",
            "1@c.us",
            "7@x.us",
        ] {
            assert!(check_chat_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn files_get_their_kind_from_the_extension() {
        assert_eq!(
            file_data("u", "a.PNG", "", &mime_of("a.PNG"))["typeMessage"],
            "imageMessage"
        );
        assert_eq!(
            file_data("u", "a.pdf", "", &mime_of("a.pdf"))["typeMessage"],
            "documentMessage"
        );
        assert_eq!(url_segment("a b/c.txt"), "a%20b%2Fc.txt");
    }

    #[test]
    fn contacts_need_a_phone_and_a_name() {
        assert!(contact_data(Some(&json!({"phoneContact": 79001234567u64}))).is_err());
        assert!(contact_data(Some(&json!({"firstName": "A"}))).is_err());
        let c = contact_data(Some(
            &json!({"phoneContact": 79001234567u64, "firstName": "Ann"}),
        ))
        .unwrap();
        assert_eq!(c["contactMessageData"]["displayName"], "Ann");
    }
}
