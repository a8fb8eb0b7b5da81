//! Reading HTTP/1.1 answers from bytes as they arrive: the head with httparse, the body
//! framed by Content-Length, by chunked transfer coding, or by the end of the connection
//! (RFC 9112, section 6.3).

use std::time::Duration;

use crate::service::retry::backoff::parse_retry_after;

/// Headers beyond this many make the head unreadable (httparse needs a fixed array).
const MAX_HEADERS: usize = 64;

/// An answer's head, parsed.
#[derive(Debug, PartialEq)]
pub struct Head {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub framing: Framing,
    /// The server closes the connection after this answer.
    pub close: bool,
    /// Bytes of the head, its blank line included.
    pub len: usize,
}

#[derive(Debug, PartialEq)]
pub enum Framing {
    /// 1xx, 204, 304: no body whatever the headers say.
    Empty,
    Length(u64),
    Chunked,
    /// No length given: the body ends with the connection.
    UntilClose,
}

/// The head at the start of `bytes`: `None` while it is incomplete.
pub fn parse_head(bytes: &[u8]) -> Result<Option<Head>, String> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(bytes) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(format!("an answer that is not HTTP/1.1 ({e})")),
    };
    let status = response.code.unwrap_or(0);
    let mut retry_after = None;
    let mut length: Option<u64> = None;
    let mut chunked = None;
    // HTTP/1.0 closes unless asked to keep the connection; 1.1 keeps it unless told not to.
    let mut close = response.version == Some(0);
    for header in response.headers.iter() {
        let value = std::str::from_utf8(header.value).unwrap_or("").trim();
        let name = header.name;
        if name.eq_ignore_ascii_case("content-length") {
            let parsed = value
                .parse::<u64>()
                .map_err(|_| format!("an answer with a Content-Length of {value:?}"))?;
            if length.is_some_and(|l| l != parsed) {
                return Err("an answer with two different Content-Lengths".into());
            }
            length = Some(parsed);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // Only the last coding frames the body.
            let last = value.rsplit(',').next().unwrap_or("").trim();
            chunked = Some(last.eq_ignore_ascii_case("chunked"));
        } else if name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    close = true;
                } else if token.eq_ignore_ascii_case("keep-alive") && response.version == Some(0) {
                    close = false;
                }
            }
        } else if name.eq_ignore_ascii_case("retry-after") {
            retry_after = parse_retry_after(value);
        }
    }
    let framing = if (100..200).contains(&status) || status == 204 || status == 304 {
        Framing::Empty
    } else {
        match (chunked, length) {
            (Some(true), _) => Framing::Chunked,
            (Some(false), _) | (None, None) => Framing::UntilClose,
            (None, Some(n)) => Framing::Length(n),
        }
    };
    if framing == Framing::UntilClose {
        close = true;
    }
    Ok(Some(Head {
        status,
        retry_after,
        framing,
        close,
        len,
    }))
}

/// A chunked body, decoded as its bytes arrive.
#[derive(Debug, Default)]
pub struct Chunked {
    state: State,
    body: Vec<u8>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum State {
    #[default]
    Size,
    Data(u64),
    /// The CRLF after a chunk's data.
    DataEnd,
    /// Trailer fields (ignored) and the final blank line.
    Trailer,
    Done,
}

impl Chunked {
    /// Decodes what it can of `input`; returns how many bytes it used. `limit` bounds the body.
    pub fn feed(&mut self, input: &[u8], limit: u64) -> Result<usize, String> {
        let mut at = 0;
        loop {
            let rest = &input[at..];
            match self.state {
                State::Size => match httparse::parse_chunk_size(rest) {
                    Ok(httparse::Status::Complete((used, size))) => {
                        at += used;
                        // Sixteen hex digits reach u64::MAX: no sum that could overflow.
                        if size > limit.saturating_sub(self.body.len() as u64) {
                            return Err(too_large(limit));
                        }
                        self.state = if size == 0 {
                            State::Trailer
                        } else {
                            State::Data(size)
                        };
                    }
                    Ok(httparse::Status::Partial) => return Ok(at),
                    Err(_) => return Err("a chunked answer with a bad chunk size".into()),
                },
                State::Data(left) => {
                    let take = left.min(rest.len() as u64) as usize;
                    self.body.extend_from_slice(&rest[..take]);
                    at += take;
                    let left = left - take as u64;
                    if left > 0 {
                        self.state = State::Data(left);
                        return Ok(at);
                    }
                    self.state = State::DataEnd;
                }
                State::DataEnd => {
                    if rest.len() < 2 {
                        return Ok(at);
                    }
                    if &rest[..2] != b"\r\n" {
                        return Err("a chunked answer with a chunk longer than its size".into());
                    }
                    at += 2;
                    self.state = State::Size;
                }
                State::Trailer => {
                    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                    match httparse::parse_headers(rest, &mut headers) {
                        Ok(httparse::Status::Complete((used, _))) => {
                            at += used;
                            self.state = State::Done;
                        }
                        Ok(httparse::Status::Partial) => return Ok(at),
                        Err(e) => return Err(format!("a chunked answer with a bad trailer ({e})")),
                    }
                }
                State::Done => return Ok(at),
            }
        }
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}

pub fn too_large(limit: u64) -> String {
    format!("the answer is larger than {} MiB", limit >> 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Head {
        parse_head(text.as_bytes()).unwrap().unwrap()
    }

    #[test]
    fn heads_are_framed_as_rfc_9112_says() {
        let h = head("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nrest");
        assert_eq!(
            (h.status, &h.framing, h.close, h.len),
            (200, &Framing::Length(12), false, 39)
        );
        let h = head(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\ncontent-length: 3\r\n\r\n",
        );
        assert_eq!(h.framing, Framing::Chunked);
        let h = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n");
        assert_eq!((h.framing, h.close), (Framing::UntilClose, true));
        let h = head("HTTP/1.1 200 OK\r\n\r\n");
        assert_eq!((h.framing, h.close), (Framing::UntilClose, true));
        let h = head("HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\n");
        assert_eq!((h.framing, h.close), (Framing::Empty, false));
        let h = head("HTTP/1.1 100 Continue\r\n\r\n");
        assert_eq!(h.framing, Framing::Empty);
    }

    #[test]
    fn connection_close_and_http_1_0_are_seen() {
        assert!(head("HTTP/1.1 200 OK\r\nConnection: Close\r\ncontent-length: 0\r\n\r\n").close);
        assert!(
            head("HTTP/1.1 200 OK\r\nconnection: foo, close\r\ncontent-length: 0\r\n\r\n").close
        );
        assert!(head("HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n").close);
        assert!(
            !head("HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n").close
        );
    }

    #[test]
    fn retry_after_is_read() {
        let h = head("HTTP/1.1 429 X\r\nretry-after: 7\r\ncontent-length: 0\r\n\r\n");
        assert_eq!(h.retry_after, Some(Duration::from_secs(7)));
    }

    #[test]
    fn partial_and_bad_heads() {
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\ncontent-le").unwrap(), None);
        assert_eq!(parse_head(b"").unwrap(), None);
        assert!(parse_head(b"garbage\r\n\r\n").is_err());
        assert!(parse_head(b"HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n").is_err());
        assert!(
            parse_head(b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n")
                .is_err()
        );
    }

    /// Feeds `wire` in pieces of `step` bytes, as a socket might deliver it.
    fn decode(wire: &[u8], step: usize) -> Result<(Vec<u8>, usize), String> {
        let mut chunked = Chunked::default();
        let mut buffer = Vec::new();
        let mut used = 0;
        for piece in wire.chunks(step) {
            buffer.extend_from_slice(piece);
            used += chunked.feed(&buffer[used..], 1 << 20)?;
            if chunked.is_done() {
                return Ok((chunked.into_body(), used));
            }
        }
        Err("incomplete".into())
    }

    #[test]
    fn chunked_bodies_decode_whatever_the_pieces() {
        let wire = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\nNEXT";
        for step in 1..wire.len() {
            let (body, used) = decode(wire, step).unwrap();
            assert_eq!(body, b"hello, world", "step {step}");
            assert_eq!(&wire[used..], b"NEXT", "step {step}");
        }
    }

    #[test]
    fn chunked_trailers_are_skipped() {
        let wire = b"3\r\nabc\r\n0\r\nx-check: 1\r\ny: 2\r\n\r\nHTTP";
        let (body, used) = decode(wire, 4).unwrap();
        assert_eq!((&body[..], &wire[used..]), (&b"abc"[..], &b"HTTP"[..]));
    }

    #[test]
    fn bad_chunked_bodies_are_refused() {
        assert!(decode(b"zz\r\nabc\r\n0\r\n\r\n", 100).is_err());
        assert!(decode(b"2\r\nabc\r\n0\r\n\r\n", 100).is_err());
        let mut chunked = Chunked::default();
        assert_eq!(
            chunked.feed(b"ffffffff\r\n", 1 << 20),
            Err(too_large(1 << 20))
        );
        // A chunk of u64::MAX after some body: refused, not an overflow.
        let mut chunked = Chunked::default();
        assert_eq!(
            chunked.feed(b"1\r\na\r\nffffffffffffffff\r\n", 1 << 20),
            Err(too_large(1 << 20))
        );
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

        /// Any bytes: a head, "not yet", or an error, never a panic; a head never claims
        /// more bytes than it was given.
        #[test]
        fn any_bytes_give_a_head_or_an_error(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            if let Ok(Some(head)) = parse_head(&bytes) {
                proptest::prop_assert!(head.len <= bytes.len());
            }
        }

        /// A valid head with any one byte changed, cut anywhere: the same.
        #[test]
        fn mutated_heads_give_a_head_or_an_error(
            at in proptest::prelude::any::<proptest::sample::Index>(),
            byte in proptest::prelude::any::<u8>(),
            cut in proptest::prelude::any::<proptest::sample::Index>(),
        ) {
            let mut bytes = b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\ntransfer-encoding: chunked\r\nretry-after: 3\r\nconnection: close\r\n\r\n".to_vec();
            let i = at.index(bytes.len());
            bytes[i] = byte;
            bytes.truncate(cut.index(bytes.len() + 1));
            if let Ok(Some(head)) = parse_head(&bytes) {
                proptest::prop_assert!(head.len <= bytes.len());
            }
        }

        /// Any bytes, in any pieces, into the chunked decoder: it uses no more than it was
        /// given and keeps the body within the limit, or says why not; never a panic.
        #[test]
        fn any_bytes_into_the_chunked_decoder(
            bytes in proptest::prop_oneof![
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
                "([0-9a-fA-F]{1,3}(;[a-z=]{0,4})?\r\n[a-z]{0,8}\r\n){0,4}0\r\n(x: y\r\n)?\r\n"
                    .prop_map(String::into_bytes),
            ],
            step in 1usize..64,
        ) {
            use proptest::prelude::*;
            let limit = 256;
            let mut chunked = Chunked::default();
            let mut buffer = Vec::new();
            let mut used = 0;
            for piece in bytes.chunks(step) {
                buffer.extend_from_slice(piece);
                match chunked.feed(&buffer[used..], limit) {
                    Ok(n) => {
                        prop_assert!(used + n <= buffer.len());
                        used += n;
                    }
                    Err(_) => break,
                }
                if chunked.is_done() {
                    break;
                }
            }
            prop_assert!(chunked.into_body().len() as u64 <= limit);
        }
    }
}
