//! Reading notifications for `publish` from a file or stdin, one JSON value at a time
//! (one object, NDJSON, or concatenated JSON), each with where it starts, so that a
//! problem can be named by index and line without holding the batch in memory.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use serde_json::value::RawValue;

/// One notification as written in the input, and where it starts.
#[derive(Debug)]
pub struct Positioned {
    /// 1-based position in the stream.
    pub index: usize,
    /// 1-based line of its first character.
    pub line: u64,
    pub raw: Box<RawValue>,
}

/// Input that is not JSON at all, with serde_json's own position of the fault.
#[derive(Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based index of the notification being read when it failed.
    pub index: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Default)]
struct Counts {
    newlines: Cell<u64>,
    last: Cell<u8>,
}

/// Counts the newlines serde_json has consumed, and remembers the last byte.
struct Counting<R> {
    inner: R,
    counts: Rc<Counts>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            let lines = buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            self.counts.newlines.set(self.counts.newlines.get() + lines);
            self.counts.last.set(buf[n - 1]);
        }
        Ok(n)
    }
}

type Stream<R> =
    serde_json::StreamDeserializer<'static, serde_json::de::IoRead<Counting<R>>, Box<RawValue>>;

pub struct NotificationReader<R: Read> {
    stream: Stream<R>,
    counts: Rc<Counts>,
    index: usize,
    failed: bool,
}

impl<R: Read> NotificationReader<R> {
    /// `reader` should be buffered: serde_json reads it a byte at a time.
    pub fn new(reader: R) -> Self {
        let counts = Rc::new(Counts::default());
        let counting = Counting {
            inner: reader,
            counts: Rc::clone(&counts),
        };
        NotificationReader {
            stream: serde_json::Deserializer::from_reader(counting).into_iter(),
            counts,
            index: 0,
            failed: false,
        }
    }
}

impl<R: Read> Iterator for NotificationReader<R> {
    type Item = Result<Positioned, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        self.index += 1;
        match self.stream.next()? {
            Ok(raw) => {
                // serde_json may have read one byte past the value (after a bare number);
                // a value never ends in a newline, so a last newline is such a byte.
                let inside = raw.get().bytes().filter(|&b| b == b'\n').count() as u64;
                let peeked = u64::from(self.counts.last.get() == b'\n');
                let line = 1 + self.counts.newlines.get().saturating_sub(inside + peeked);
                Some(Ok(Positioned {
                    index: self.index,
                    line,
                    raw,
                }))
            }
            Err(e) => {
                self.failed = true;
                let full = e.to_string();
                let message = match full.rfind(" at line ") {
                    Some(i) => full[..i].to_string(),
                    None => full,
                };
                Some(Err(SyntaxError {
                    index: self.index,
                    line: e.line(),
                    column: e.column(),
                    message,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Result<(usize, u64, String), SyntaxError>> {
        NotificationReader::new(text.as_bytes())
            .map(|r| r.map(|p| (p.index, p.line, p.raw.get().to_string())))
            .collect()
    }

    #[test]
    fn ndjson_lines_are_counted() {
        let got = read("{\"a\":1}\n{\"b\":2}\n\n{\"c\":3}\n");
        assert_eq!(
            got,
            vec![
                Ok((1, 1, "{\"a\":1}".into())),
                Ok((2, 2, "{\"b\":2}".into())),
                Ok((3, 4, "{\"c\":3}".into())),
            ]
        );
    }

    #[test]
    fn pretty_and_concatenated_values_start_where_they_start() {
        let text = "{\n  \"a\": 1\n}\n\n  {\n \"b\": [\n1]\n}{\"c\":3}\n7\n{}";
        let got: Vec<(usize, u64)> = read(text)
            .into_iter()
            .map(|r| r.map(|(i, l, _)| (i, l)).unwrap())
            .collect();
        assert_eq!(got, vec![(1, 1), (2, 5), (3, 8), (4, 9), (5, 10)]);
    }

    #[test]
    fn syntax_errors_carry_serde_positions_and_stop_the_stream() {
        let got = read("{\"a\":1}\n{\"b\": oops}\n{\"c\":3}");
        assert_eq!(got.len(), 2);
        let err = got[1].as_ref().unwrap_err();
        assert_eq!((err.index, err.line, err.column), (2, 2, 7));
        assert_eq!(err.message, "expected value");
    }

    #[test]
    fn empty_input_has_no_notification() {
        assert!(read("").is_empty());
        assert!(read(" \n\t\n").is_empty());
    }

    #[test]
    fn cut_short_input_is_an_error() {
        let got = read("{\"a\":");
        assert!(
            got[0]
                .as_ref()
                .unwrap_err()
                .message
                .starts_with("EOF while parsing")
        );
    }
}
