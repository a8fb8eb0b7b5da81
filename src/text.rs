//! Small text helpers for anything that reaches a terminal: cutting, and making
//! untrusted text (message bodies, server answers) harmless to print.

use std::borrow::Cow;
use std::fmt::Write;

use crate::secret::Secret;

/// The first `max` characters of `text`, with `…` when cut.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((i, _)) => Cow::Owned(format!("{}…", &text[..i])),
        None => Cow::Borrowed(text),
    }
}

/// `n` and the noun that goes with it: `1 notification`, `2 notifications`.
pub fn count_of(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A positive integer (an instance or receipt id); the problem otherwise. A long value
/// is not echoed: it may be a token given in the wrong place.
pub fn parse_positive(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        Ok(_) => Err("0 is not a valid id".into()),
        Err(_) if text.chars().count() <= 20 => Err(format!(
            "{:?} is not a positive integer",
            escape_controls(text)
        )),
        Err(_) => Err(format!(
            "a value of {} characters is not a positive integer",
            text.chars().count()
        )),
    }
}

/// Control characters could break a line or drive the terminal (ESC sequences); bidi
/// overrides could make text read differently from what it is. Both are shown escaped.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with control characters written as `\n`, `\t`, `\u{1b}` and so on.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The first 200 characters of a server's answer, safe to print. The token is taken out
/// of the whole answer before it is cut, so that no part of it survives the cut.
pub fn snippet(body: &[u8], secret: Option<&Secret>) -> String {
    let text = String::from_utf8_lossy(body);
    let text = match secret {
        Some(secret) => Cow::Owned(secret.redact(&text)),
        None => text,
    };
    let text = text.trim();
    if text.is_empty() {
        return "empty body".to_string();
    }
    escape_controls(&truncate(text, 200)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_cuts_on_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hi", 2), "hi");
    }

    #[test]
    fn positive_integers_and_no_echo_of_long_values() {
        assert_eq!(parse_positive(" 42 "), Ok(42));
        assert_eq!(parse_positive("0"), Err("0 is not a valid id".into()));
        assert_eq!(
            parse_positive("-1"),
            Err("\"-1\" is not a positive integer".into())
        );
        let token = "e8dc45b249b606615485432f5bb5e29166a7502e7e5ecfeb12";
        let e = parse_positive(token).unwrap_err();
        assert!(!e.contains("e8dc"), "{e}");
        assert_eq!(e, "a value of 50 characters is not a positive integer");
    }

    #[test]
    fn controls_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(
            escape_controls("plain текст 👍"),
            Cow::Borrowed(_)
        ));
        assert_eq!(escape_controls("a\nb\tc\r"), "a\\nb\\tc\\r");
        assert_eq!(escape_controls("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(
            escape_controls("x\u{202E}y\u{7f}\u{9b}"),
            "x\\u{202e}y\\u{7f}\\u{9b}"
        );
    }

    #[test]
    fn snippet_is_short_and_printable() {
        let long = "x".repeat(500);
        assert_eq!(snippet(long.as_bytes(), None).chars().count(), 201);
        assert_eq!(snippet(b"  ", None), "empty body");
        assert_eq!(snippet(b"<h1>\x1b[2J</h1>", None), "<h1>\\u{1b}[2J</h1>");
        assert_eq!(snippet(&[0xff, 0xfe], None), "\u{fffd}\u{fffd}");
    }

    #[test]
    fn snippet_removes_the_token_before_cutting() {
        let secret = Secret::new("tok3n-SECRET-0123456789").unwrap();
        let body = format!(
            "{}Cannot GET /waInstance1/receiveNotification/{}",
            "x".repeat(150),
            secret.expose()
        );
        let cut = snippet(body.as_bytes(), Some(&secret));
        assert!(!cut.contains("tok3n"), "{cut}");
        assert!(cut.ends_with("receiveNotification/***"), "{cut}");
    }
}
