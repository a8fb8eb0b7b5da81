//! Rendering notifications: `json` (one compact body per line), `pretty` (a header line
//! and indented, coloured JSON) and `text` (one human line). Untrusted text is escaped
//! before it reaches a terminal.

use std::borrow::Cow;
use std::io::{self, Write};

use clap::ValueEnum;
use colored_json::{
    Color, ColorMode, ColoredFormatter, CompactFormatter, Paint, PrettyFormatter, Style,
};
use serde_json::Value;
use serde_json::ser::Formatter;

use crate::notification::{Envelope, compact, one_line};
use crate::text::{escape_controls, truncate};

/// `--format`: how notifications are written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Indented, coloured JSON under a header line (default on a terminal)
    Pretty,
    /// One compact body per line, as publish accepts it (default in a pipe)
    Json,
    /// One human line per notification: time, type, chat, the gist of the message
    Text,
}

/// The longest gist a `text` line shows of a message.
const GIST_CHARS: usize = 500;

/// `pretty` on a terminal, `json` in a pipe.
pub fn default_for_stdout() -> Format {
    if crate::terminal::tty::stdout_is_terminal() {
        Format::Pretty
    } else {
        Format::Json
    }
}

pub struct Printer {
    format: Format,
    color: bool,
    /// Looked up on first use: only `pretty` and `text` show times, and the lookup reads
    /// the whole zoneinfo directory.
    tz: std::sync::OnceLock<jiff::tz::TimeZone>,
}

impl Printer {
    pub fn new(format: Format, color: bool) -> Self {
        Printer {
            format,
            color,
            tz: std::sync::OnceLock::new(),
        }
    }

    /// One notification as `tail` shows it.
    pub fn notification(&self, out: &mut impl Write, envelope: &Envelope) -> io::Result<()> {
        let raw = envelope.body.get();
        match self.format {
            Format::Json => {
                self.one_line(out, raw)?;
                out.write_all(b"\n")
            }
            Format::Pretty => {
                let body = parse(raw);
                let summary = body
                    .as_ref()
                    .map_or_else(|| Summary::raw(envelope), Summary::of);
                self.header(out, envelope.receipt_id, &summary)?;
                match &body {
                    Some(body) => self.json(out, body, PrettyFormatter::new())?,
                    None => out.write_all(terminal_safe(&compact(raw)).as_bytes())?,
                }
                out.write_all(b"\n")
            }
            Format::Text => {
                let summary =
                    parse(raw).map_or_else(|| Summary::raw(envelope), |b| Summary::of(&b));
                self.text_line(out, &summary)
            }
        }
    }

    /// The whole envelope, as `receive` shows it: indented on a terminal, one line in a pipe.
    pub fn envelope(
        &self,
        out: &mut impl Write,
        envelope: &Envelope,
        indented: bool,
    ) -> io::Result<()> {
        let raw = envelope.body.get();
        match parse(raw) {
            Some(body) if indented => {
                let value = serde_json::json!({"receiptId": envelope.receipt_id, "body": body});
                self.json(out, &value, PrettyFormatter::new())?;
            }
            _ => {
                write!(out, "{{\"receiptId\":{},\"body\":", envelope.receipt_id)?;
                self.one_line(out, raw)?;
                out.write_all(b"}")?;
            }
        }
        out.write_all(b"\n")
    }

    /// `json` on one line. Without colour the text is written as it came, unless it has
    /// line breaks (the fast path of `tail --format json`); with colour it is parsed,
    /// unless it cannot be.
    fn one_line(&self, out: &mut impl Write, json: &str) -> io::Result<()> {
        match self.color.then(|| parse(json)).flatten() {
            Some(value) => self.json(out, &value, CompactFormatter),
            None => out.write_all(one_line(json).as_bytes()),
        }
    }

    /// `value` through colored_json, made safe for a terminal.
    fn json<F: Formatter>(
        &self,
        out: &mut impl Write,
        value: &Value,
        formatter: F,
    ) -> io::Result<()> {
        let mode = if self.color {
            ColorMode::On
        } else {
            ColorMode::Off
        };
        let mut text = Vec::with_capacity(1024);
        ColoredFormatter::new(formatter)
            .write_colored_json(value, &mut text, mode)
            .map_err(io::Error::from)?;
        out.write_all(terminal_safe(&String::from_utf8_lossy(&text)).as_bytes())
    }

    fn paint<'a>(&self, text: &'a str, style: Style) -> Cow<'a, str> {
        if self.color {
            Cow::Owned(text.paint(style).to_string())
        } else {
            Cow::Borrowed(text)
        }
    }

    /// `── 488645 · outgoingMessageReceived · 2020-04-28 19:33:00 ──`, then for messages
    /// a bold line with chat, sender and text: the reason this tool exists.
    fn header(&self, out: &mut impl Write, receipt_id: u64, s: &Summary) -> io::Result<()> {
        let line = format!(
            "── {receipt_id} · {} · {} ──",
            escape_controls(&s.kind),
            self.local_time(s.timestamp)
        );
        let style = if s.kind == "outgoingMessageReceived" {
            Color::Cyan.bold()
        } else {
            Style::new().dim()
        };
        writeln!(out, "{}", self.paint(&line, style))?;
        if s.is_message {
            let line = s.who_and_gist();
            writeln!(out, "{}", self.paint(&line, Style::new().bold()))?;
        }
        Ok(())
    }

    fn text_line(&self, out: &mut impl Write, s: &Summary) -> io::Result<()> {
        let time = self.local_time(s.timestamp);
        let kind = escape_controls(&s.kind);
        writeln!(
            out,
            "{} {} {}",
            self.paint(&time, Style::new().dim()),
            self.paint(&kind, Color::Cyan.foreground()),
            s.who_and_gist()
        )
    }

    fn local_time(&self, timestamp: Option<i64>) -> String {
        timestamp
            .and_then(|t| jiff::Timestamp::from_second(t).ok())
            .map(|t| {
                t.to_zoned_datetime(self.tz.get_or_init(jiff::tz::TimeZone::system).clone())
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_else(|| "-".repeat(19))
    }
}

/// The body as a tree; `None` for valid JSON that serde_json will not build a tree of
/// (nested deeper than 128), which is then shown as raw text.
fn parse(json: &str) -> Option<Value> {
    serde_json::from_str(json).ok()
}

/// JSON text with the characters serde_json leaves raw but a terminal may act on (DEL,
/// C1 controls, bidi overrides) written as `\uXXXX` escapes: the same JSON, shown safely.
/// serde_json escapes the C0 controls itself; colour sequences are C0 and pass.
fn terminal_safe(json: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| matches!(c, '\u{7f}'..='\u{9f}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !json.chars().any(unsafe_char) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// What a one-line rendering says of a notification.
#[derive(Debug, PartialEq)]
pub struct Summary {
    pub kind: String,
    pub timestamp: Option<i64>,
    pub is_message: bool,
    pub who: Option<String>,
    pub gist: String,
}

impl Summary {
    /// For a body that could not be parsed into a tree: its type, and its text as the gist.
    fn raw(envelope: &Envelope) -> Summary {
        Summary {
            kind: envelope
                .type_webhook()
                .map_or_else(|| "?".to_string(), |t| t.into_owned()),
            timestamp: None,
            is_message: false,
            who: None,
            gist: compact(envelope.body.get()).into_owned(),
        }
    }

    pub fn of(body: &Value) -> Summary {
        let kind = str_at(body, &["typeWebhook"]).unwrap_or("?").to_string();
        let timestamp = body.get("timestamp").and_then(Value::as_i64);
        let mut s = Summary {
            kind,
            timestamp,
            is_message: false,
            who: None,
            gist: String::new(),
        };
        match s.kind.as_str() {
            "incomingMessageReceived"
            | "outgoingMessageReceived"
            | "outgoingAPIMessageReceived" => {
                s.is_message = true;
                s.who = sender(body);
                s.gist = message_gist(body.get("messageData").unwrap_or(&Value::Null));
            }
            "outgoingMessageStatus" => {
                s.who = str_at(body, &["chatId"]).map(str::to_string);
                s.gist = join(&[
                    str_at(body, &["status"]).unwrap_or("?"),
                    str_at(body, &["idMessage"]).unwrap_or(""),
                ]);
                if let Some(d) = str_at(body, &["description"]).filter(|d| !d.is_empty()) {
                    s.gist.push_str(&format!(" ({d})"));
                }
            }
            "stateInstanceChanged" => {
                s.gist = str_at(body, &["stateInstance"]).unwrap_or("?").to_string()
            }
            "incomingCall" => {
                s.who = str_at(body, &["from"]).map(str::to_string);
                s.gist = format!("call {}", str_at(body, &["status"]).unwrap_or("?"));
            }
            "quotaExceeded" => {
                let q = |k: &str| {
                    body.pointer(&format!("/quotaData/{k}"))
                        .map(scalar)
                        .unwrap_or_default()
                };
                s.gist = format!(
                    "{} used {} of {}: {}",
                    q("method"),
                    q("used"),
                    q("total"),
                    q("description")
                );
            }
            _ => s.gist = compact_json(body),
        }
        s
    }

    /// `chat (sender): gist`, escaped, on one line.
    fn who_and_gist(&self) -> String {
        let gist = escape_controls(&truncate(&self.gist, GIST_CHARS)).into_owned();
        match &self.who {
            Some(who) => format!("{}: {gist}", escape_controls(who)),
            None => gist,
        }
    }
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_str()
}

/// A scalar as text: strings bare, others as JSON.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn compact_json(value: &Value) -> String {
    value.to_string()
}

fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `79001234568@c.us (Green API)`.
fn sender(body: &Value) -> Option<String> {
    let chat = str_at(body, &["senderData", "chatId"])?;
    let name = ["senderName", "senderContactName", "chatName"]
        .iter()
        .find_map(|k| str_at(body, &["senderData", k]).filter(|n| !n.is_empty()));
    Some(match name {
        Some(name) => format!("{chat} ({name})"),
        None => chat.to_string(),
    })
}

/// The gist of `messageData` for every kind in the reference table; unknown kinds show
/// their type and compact JSON.
fn message_gist(md: &Value) -> String {
    let kind = str_at(md, &["typeMessage"]).unwrap_or("?");
    let at = |path: &[&str]| str_at(md, path).unwrap_or("");
    match kind {
        "textMessage" => at(&["textMessageData", "textMessage"]).to_string(),
        "extendedTextMessage" => {
            let text = at(&["extendedTextMessageData", "text"]);
            match str_at(md, &["extendedTextMessageData", "title"]).filter(|t| !t.is_empty()) {
                Some(title) => format!("{text} [{title}]"),
                None => text.to_string(),
            }
        }
        "quotedMessage" => {
            let quoted = str_at(md, &["quotedMessage", "textMessage"])
                .or_else(|| str_at(md, &["quotedMessage", "caption"]))
                .or_else(|| str_at(md, &["quotedMessage", "stanzaId"]))
                .unwrap_or("?");
            format!(
                "{} (replying to: {quoted})",
                at(&["extendedTextMessageData", "text"])
            )
        }
        "reactionMessage" => format!(
            "reacted {} to {}",
            at(&["extendedTextMessageData", "text"]),
            str_at(md, &["quotedMessage", "stanzaId"]).unwrap_or("?")
        ),
        "imageMessage" | "videoMessage" | "documentMessage" | "audioMessage" | "stickerMessage" => {
            let name = at(&["fileMessageData", "fileName"]);
            let caption = at(&["fileMessageData", "caption"]);
            let mut gist = format!("[{kind}]");
            for part in [name, caption] {
                if !part.is_empty() {
                    gist.push(' ');
                    gist.push_str(part);
                }
            }
            gist
        }
        "locationMessage" => {
            let coord = |k: &str| {
                md.pointer(&format!("/locationMessageData/{k}"))
                    .map(scalar)
                    .unwrap_or_else(|| "?".into())
            };
            let place = join(&[
                at(&["locationMessageData", "nameLocation"]),
                at(&["locationMessageData", "address"]),
            ]);
            format!(
                "[location] {}, {} {place}",
                coord("latitude"),
                coord("longitude")
            )
            .trim_end()
            .to_string()
        }
        "contactMessage" => format!("[contact] {}", at(&["contactMessageData", "displayName"])),
        "contactsArrayMessage" => {
            let names: Vec<&str> = md
                .pointer("/messageData/contacts")
                .and_then(Value::as_array)
                .map(|contacts| {
                    contacts
                        .iter()
                        .filter_map(|c| c.get("displayName").and_then(Value::as_str))
                        .collect()
                })
                .unwrap_or_default();
            format!("[contacts] {}", names.join(", "))
        }
        "pollMessage" | "pollUpdateMessage" => {
            format!("[poll] {}", at(&["pollMessageData", "name"]))
        }
        "editedMessage" => {
            let text = str_at(md, &["editedMessageData", "textMessage"])
                .or_else(|| str_at(md, &["editedMessageData", "caption"]))
                .unwrap_or("");
            format!("[edited] {text}")
        }
        "deletedMessage" => format!("[deleted] {}", at(&["deletedMessageData", "stanzaId"])),
        "groupInviteMessage" => format!(
            "[group invite] {}",
            at(&["groupInviteMessageData", "groupName"])
        ),
        _ => format!("[{kind}] {}", compact_json(md)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn gist(body: Value) -> (Option<String>, String) {
        let s = Summary::of(&body);
        (s.who, s.gist)
    }

    fn message(md: Value) -> Value {
        json!({"typeWebhook": "incomingMessageReceived", "timestamp": 1,
               "senderData": {"chatId": "1@c.us", "senderName": "Ann"}, "messageData": md})
    }

    #[test]
    fn every_kind_in_the_reference_has_a_gist() {
        let cases = [
            (
                json!({"typeMessage": "textMessage", "textMessageData": {"textMessage": "hi"}}),
                "hi",
            ),
            (
                json!({"typeMessage": "extendedTextMessage", "extendedTextMessageData": {"text": "see", "title": "T"}}),
                "see [T]",
            ),
            (
                json!({"typeMessage": "quotedMessage", "extendedTextMessageData": {"text": "yes"}, "quotedMessage": {"stanzaId": "S", "textMessage": "q?"}}),
                "yes (replying to: q?)",
            ),
            (
                json!({"typeMessage": "reactionMessage", "extendedTextMessageData": {"text": "👍"}, "quotedMessage": {"stanzaId": "S1"}}),
                "reacted 👍 to S1",
            ),
            (
                json!({"typeMessage": "imageMessage", "fileMessageData": {"fileName": "a.jpg", "caption": "cat"}}),
                "[imageMessage] a.jpg cat",
            ),
            (
                json!({"typeMessage": "locationMessage", "locationMessageData": {"latitude": 55.7, "longitude": 37.6, "nameLocation": "Kremlin", "address": "Moscow"}}),
                "[location] 55.7, 37.6 Kremlin Moscow",
            ),
            (
                json!({"typeMessage": "contactMessage", "contactMessageData": {"displayName": "Bob"}}),
                "[contact] Bob",
            ),
            (
                json!({"typeMessage": "contactsArrayMessage", "messageData": {"contacts": [{"displayName": "A"}, {"displayName": "B"}]}}),
                "[contacts] A, B",
            ),
            (
                json!({"typeMessage": "pollMessage", "pollMessageData": {"name": "Lunch?"}}),
                "[poll] Lunch?",
            ),
            (
                json!({"typeMessage": "editedMessage", "editedMessageData": {"textMessage": "fixed"}}),
                "[edited] fixed",
            ),
            (
                json!({"typeMessage": "deletedMessage", "deletedMessageData": {"stanzaId": "X"}}),
                "[deleted] X",
            ),
            (
                json!({"typeMessage": "groupInviteMessage", "groupInviteMessageData": {"groupName": "Team"}}),
                "[group invite] Team",
            ),
            (
                json!({"typeMessage": "brandNewMessage", "x": 1}),
                r#"[brandNewMessage] {"typeMessage":"brandNewMessage","x":1}"#,
            ),
        ];
        for (md, expected) in cases {
            let (who, g) = gist(message(md));
            assert_eq!(g, expected);
            assert_eq!(who.as_deref(), Some("1@c.us (Ann)"));
        }
    }

    #[test]
    fn other_notification_kinds() {
        let status = json!({"typeWebhook": "outgoingMessageStatus", "chatId": "2@c.us", "idMessage": "ID1", "status": "delivered"});
        assert_eq!(
            gist(status),
            (Some("2@c.us".into()), "delivered ID1".into())
        );
        let state = json!({"typeWebhook": "stateInstanceChanged", "stateInstance": "authorized"});
        assert_eq!(gist(state).1, "authorized");
        let call = json!({"typeWebhook": "incomingCall", "from": "3@c.us", "status": "missed"});
        assert_eq!(gist(call), (Some("3@c.us".into()), "call missed".into()));
        let unknown = json!({"typeWebhook": "fromTheFuture", "a": [1]});
        assert_eq!(
            gist(unknown).1,
            r#"{"typeWebhook":"fromTheFuture","a":[1]}"#
        );
        assert_eq!(Summary::of(&json!([1, 2])).kind, "?");
    }

    fn render(format: Format, body: &str) -> String {
        let env: Envelope =
            serde_json::from_str(&format!(r#"{{"receiptId":7,"body":{body}}}"#)).unwrap();
        let mut out = Vec::new();
        Printer::new(format, false)
            .notification(&mut out, &env)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_lines_never_break_or_carry_escapes() {
        let body = r#"{"typeWebhook":"incomingMessageReceived","timestamp":1588091580,
            "senderData":{"chatId":"1@c.us\u001b[2J"},
            "messageData":{"typeMessage":"textMessage","textMessageData":{"textMessage":"a\nb\u001b[31mc\r"}}}"#;
        let line = render(Format::Text, body);
        assert_eq!(line.matches('\n').count(), 1, "{line:?}");
        assert!(
            line.ends_with("incomingMessageReceived 1@c.us\\u{1b}[2J: a\\nb\\u{1b}[31mc\\r\n"),
            "{line:?}"
        );
        assert!(!line.contains('\u{1b}'));
    }

    #[test]
    fn json_is_one_compact_line_and_pretty_has_a_header() {
        let body =
            "{\n \"typeWebhook\": \"stateInstanceChanged\",\n \"stateInstance\": \"authorized\"\n}";
        assert_eq!(
            render(Format::Json, body),
            "{\"typeWebhook\":\"stateInstanceChanged\",\"stateInstance\":\"authorized\"}\n"
        );
        let pretty = render(Format::Pretty, body);
        assert!(
            pretty.starts_with("── 7 · stateInstanceChanged · "),
            "{pretty}"
        );
        assert!(
            pretty.contains("  \"stateInstance\": \"authorized\"\n"),
            "{pretty}"
        );
    }

    #[test]
    fn a_body_too_deep_for_a_tree_is_shown_raw_not_lost() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let body = format!(r#"{{"typeWebhook":"deep","x":{deep}}}"#);
        let pretty = render(Format::Pretty, &body);
        assert!(pretty.starts_with("── 7 · deep · "), "{pretty}");
        assert!(pretty.contains(&deep));
        assert!(render(Format::Text, &body).contains(&deep));
        assert_eq!(render(Format::Json, &body), format!("{body}\n"));
    }

    #[test]
    fn what_a_terminal_would_act_on_is_escaped_in_pretty_output() {
        let body = "{\"typeWebhook\":\"x\\u001b[2J\",\"t\":\"a\u{202E}b\u{9b}c\u{7f}\"}";
        let pretty = render(Format::Pretty, body);
        assert!(
            !pretty.contains(['\u{1b}', '\u{202E}', '\u{9b}', '\u{7f}']),
            "{pretty:?}"
        );
        assert!(pretty.contains(r#""a\u202eb\u009bc\u007f""#), "{pretty}");
        assert!(pretty.starts_with("── 7 · x\\u{1b}[2J · "), "{pretty}");
    }

    #[test]
    fn numbers_keep_their_text_in_coloured_output() {
        let env: Envelope = serde_json::from_str(
            r#"{"receiptId":1,"body":{"big":123456789012345678901234567890,"f":1.50}}"#,
        )
        .unwrap();
        let mut out = Vec::new();
        Printer::new(Format::Json, true)
            .notification(&mut out, &env)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("123456789012345678901234567890") && text.contains("1.50"),
            "{text}"
        );
    }

    #[test]
    fn receive_envelope_is_one_line_in_a_pipe() {
        let line = |body: &str| {
            let env: Envelope =
                serde_json::from_str(&format!(r#"{{"receiptId":9,"body":{body}}}"#)).unwrap();
            let mut out = Vec::new();
            Printer::new(Format::Json, false)
                .envelope(&mut out, &env, false)
                .unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            line("{\n \"a\" :\n 1\n}"),
            "{\"receiptId\":9,\"body\":{\"a\":1}}\n"
        );
        // A body already on one line is written as it came.
        assert_eq!(
            line(r#"{ "a" : 1 }"#),
            "{\"receiptId\":9,\"body\":{ \"a\" : 1 }}\n"
        );
    }
}
