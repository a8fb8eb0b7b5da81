//! Reading notifications for `publish` from a file or stdin, one JSON value at a time
//! (one object, NDJSON, or concatenated JSON), each with where it starts, so that a
//! problem can be named by index and line without holding the batch in memory.

use std::io::{BufRead, Read};

use serde_json::value::RawValue;

use crate::exit::Error;
use crate::notification::{Checked, MAX_NOTIFICATION, check};

/// How much is read at a time.
const CHUNK: usize = 64 * 1024;
const UNREADABLE: &str = "cannot be read";

/// One notification as written in the input, and where it starts.
#[derive(Debug)]
pub struct Positioned {
    /// 1-based position in the stream.
    pub index: usize,
    /// 1-based line of its first character.
    pub line: u64,
    pub raw: Box<RawValue>,
}

/// Input that cannot be read as a notification, with the position of the fault.
#[derive(Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong with the notification: "is not valid JSON", ...
    pub what: &'static str,
    /// 1-based index of the notification being read when it failed.
    pub index: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Reads the input in chunks into a buffer and parses each value from that slice
/// (serde_json's fast path), reading more only when a value continues past the buffer.
/// Memory holds one notification at most, and none over `MAX_NOTIFICATION`.
pub struct NotificationReader<R: BufRead> {
    input: R,
    buf: Vec<u8>,
    pos: usize,
    /// 1-based line and 0-based byte column of `buf[pos]`.
    line: u64,
    column: usize,
    at_eof: bool,
    index: usize,
    failed: bool,
}

impl<R: BufRead> NotificationReader<R> {
    pub fn new(input: R) -> Self {
        NotificationReader {
            input,
            buf: Vec::new(),
            pos: 0,
            line: 1,
            column: 0,
            at_eof: false,
            index: 0,
            failed: false,
        }
    }

    /// Drops what was consumed and appends at least `at_least` bytes (doubling keeps a
    /// long value linear), unless the input ends first.
    fn more(&mut self, at_least: usize) -> std::io::Result<()> {
        self.buf.drain(..self.pos);
        self.pos = 0;
        let want = at_least.max(CHUNK) as u64;
        if (&mut self.input).take(want).read_to_end(&mut self.buf)? == 0 {
            self.at_eof = true;
        }
        Ok(())
    }

    fn advance_to(&mut self, end: usize) {
        for &b in &self.buf[self.pos..end] {
            if b == b'\n' {
                self.line += 1;
                self.column = 0;
            } else {
                self.column += 1;
            }
        }
        self.pos = end;
    }

    fn fail(
        &mut self,
        what: &'static str,
        line: usize,
        column: usize,
        message: String,
    ) -> SyntaxError {
        self.failed = true;
        SyntaxError {
            what,
            index: self.index,
            line,
            column,
            message,
        }
    }
}

impl<R: BufRead> NotificationReader<R> {
    fn too_large(&mut self) -> SyntaxError {
        let (line, column) = (self.line as usize, self.column + 1);
        let message = format!(
            "the limit of one notification is {} MiB",
            MAX_NOTIFICATION >> 20
        );
        self.fail("is too large", line, column, message)
    }
}

impl<R: BufRead> Iterator for NotificationReader<R> {
    type Item = Result<Positioned, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        // White space up to the next value, reading lines as needed.
        loop {
            let skip = self.buf[self.pos..]
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(self.buf.len() - self.pos);
            self.advance_to(self.pos + skip);
            if self.pos < self.buf.len() {
                break;
            }
            if self.at_eof {
                return None;
            }
            if let Err(e) = self.more(1) {
                self.index += 1;
                let (line, column) = (self.line as usize, self.column + 1);
                return Some(Err(self.fail(UNREADABLE, line, column, e.to_string())));
            }
        }
        self.index += 1;
        loop {
            let mut stream = serde_json::Deserializer::from_slice(&self.buf[self.pos..])
                .into_iter::<Box<RawValue>>();
            match stream.next()? {
                Ok(raw) if raw.get().len() > MAX_NOTIFICATION => {
                    return Some(Err(self.too_large()));
                }
                Ok(raw) => {
                    let end = self.pos + stream.byte_offset();
                    let line = self.line;
                    self.advance_to(end);
                    return Some(Ok(Positioned {
                        index: self.index,
                        line,
                        raw,
                    }));
                }
                // A value cut by the end of the buffer can also read as a bad number
                // (`1.`, `-`, `2e`) at the very end: more input decides.
                Err(e)
                    if !self.at_eof
                        && (e.is_eof() || at_end(&self.buf[self.pos..], e.line(), e.column())) =>
                {
                    let buffered = self.buf.len() - self.pos;
                    if buffered > MAX_NOTIFICATION {
                        return Some(Err(self.too_large()));
                    }
                    if let Err(io) = self.more(buffered) {
                        let (line, column) = (self.line as usize, self.column + 1);
                        return Some(Err(self.fail(UNREADABLE, line, column, io.to_string())));
                    }
                }
                Err(e) => {
                    // serde_json counts from `pos`: its first line continues ours.
                    let (line, column) = if e.line() <= 1 {
                        (self.line as usize, self.column + e.column())
                    } else {
                        (self.line as usize + e.line() - 1, e.column())
                    };
                    let full = e.to_string();
                    let message = match full.rfind(" at line ") {
                        Some(i) => full[..i].to_string(),
                        None => full,
                    };
                    return Some(Err(self.fail("is not valid JSON", line, column, message)));
                }
            }
        }
    }
}

/// Whether serde_json's error position (1-based line, column of the last byte read) is
/// at the last byte of `slice`.
fn at_end(slice: &[u8], line: usize, column: usize) -> bool {
    let line_start = match line.checked_sub(2) {
        None => 0,
        Some(breaks) => match slice
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .nth(breaks)
        {
            Some((i, _)) => i + 1,
            None => return true,
        },
    };
    line_start + column + 1 >= slice.len()
}

/// An item of the stream, read and checked (a JSON object with a string `typeWebhook` and
/// a positive `instanceData.idInstance`), or the error that names where the problem is;
/// `fix` says what to do then.
pub fn checked(
    name: &str,
    item: Result<Positioned, SyntaxError>,
    fix: &str,
) -> crate::exit::Result<(Positioned, Checked)> {
    let item = item.map_err(|e| {
        Error::data(format!(
            "{name}:{}:{}: notification #{} {}",
            e.line, e.column, e.index, e.what
        ))
        .why(e.message)
        .fix(fix)
    })?;
    let checked = check(item.raw.get()).map_err(|problem| {
        Error::data(format!(
            "{name}:{}: notification #{} is invalid",
            item.line, item.index
        ))
        .why(problem)
        .fix(fix)
    })?;
    Ok((item, checked))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notification::json_strategy::{self, Layout};
    use proptest::prelude::*;
    use serde_json::Value;

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
    fn a_value_spanning_thousands_of_lines_is_read_whole_and_the_next_one_placed() {
        let big: String = (0..5000).map(|i| format!("  \"k{i}\": {i},\n")).collect();
        let text = format!("{{\"a\":0}}\n{{\n{big}  \"z\": 1\n}}\n{{\"b\": }}");
        let got = read(&text);
        assert_eq!(got.len(), 3);
        let (index, line, raw) = got[1].as_ref().unwrap();
        assert_eq!((*index, *line), (2, 2));
        assert!(raw.ends_with("\"z\": 1\n}"));
        let err = got[2].as_ref().unwrap_err();
        assert_eq!((err.index, err.line, err.column), (3, 5005, 7));
    }

    #[test]
    fn long_runs_of_space_are_skipped_in_chunks() {
        let text = format!("{}{{\"a\":1}}", " ".repeat(3 * CHUNK + 7));
        let got = read(&text);
        assert_eq!(got, vec![Ok((1, 1, "{\"a\":1}".into()))]);
    }

    #[test]
    fn a_notification_over_the_limit_is_refused_where_it_starts() {
        let big = format!(
            "{{\"a\":1}}\n{{\"pad\":\"{}\"}}",
            "x".repeat(MAX_NOTIFICATION)
        );
        let got = read(&big);
        let err = got[1].as_ref().unwrap_err();
        assert_eq!(
            (err.what, err.index, err.line, err.column),
            ("is too large", 2, 2, 1)
        );
    }

    #[test]
    fn a_number_cut_by_the_buffer_end_is_read_whole() {
        // `1.` or `-` at the end of a buffer is "invalid number" to serde_json, not EOF.
        for tail in ["1.5", "-7", "2e10", "-0.25E-3"] {
            for cut in 1..tail.len() {
                let head = format!("{{\"n\":{}", &tail[..cut]);
                let text = format!("{}{head}{}}}", " ".repeat(CHUNK - head.len()), &tail[cut..]);
                let got = read(&text);
                assert_eq!(
                    got,
                    vec![Ok((1, 1, format!("{{\"n\":{tail}}}")))],
                    "{tail} cut after {cut}"
                );
            }
        }
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

    /// A stream of objects and, for each, where its text is: byte range and start line.
    #[derive(Debug)]
    struct Stream {
        text: String,
        values: Vec<Value>,
        spans: Vec<(std::ops::Range<usize>, u64)>,
    }

    /// Objects written as NDJSON, pretty or spaced, one after another with any white space
    /// (or none) between them; in one stream of four, a long run of space puts a value
    /// across the reader's chunk boundary.
    fn stream() -> impl Strategy<Value = Stream> {
        let item = (
            json_strategy::object(),
            json_strategy::layout(),
            "[ \t\r\n]{0,4}",
        );
        (
            prop::collection::vec(item, 0..8),
            any::<prop::sample::Index>(),
            prop_oneof![3 => Just(0), 1 => (CHUNK - 300)..(CHUNK + 10)],
        )
            .prop_map(|(items, pad_at, pad)| {
                let mut text = String::new();
                let mut values = Vec::new();
                let mut spans = Vec::new();
                let pad_at = pad_at.index(items.len().max(1));
                for (i, (value, layout, gap)) in items.into_iter().enumerate() {
                    if i == pad_at {
                        text.push_str(&" ".repeat(pad));
                    }
                    text.push_str(&gap);
                    let line = 1 + text.matches('\n').count() as u64;
                    let start = text.len();
                    text.push_str(&json_strategy::write(&value, &layout));
                    spans.push((start..text.len(), line));
                    if matches!(layout, Layout::Compact) {
                        text.push('\n');
                    }
                    values.push(value);
                }
                Stream {
                    text,
                    values,
                    spans,
                }
            })
    }

    /// An error's position must name a place in `text`: a line it has, a column on it.
    fn assert_plausible(e: &SyntaxError, text: &[u8]) -> Result<(), TestCaseError> {
        let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
        prop_assert!(e.line >= 1 && e.line <= lines.len(), "{e:?}");
        prop_assert!(e.column <= lines[e.line - 1].len() + 1, "{e:?}");
        Ok(())
    }

    proptest! {
        #[test]
        fn any_stream_of_objects_reads_back_whole_and_placed(s in stream()) {
            let got: Vec<Positioned> = NotificationReader::new(s.text.as_bytes())
                .collect::<Result<_, _>>()
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(got.len(), s.values.len());
            for (n, item) in got.iter().enumerate() {
                let (span, line) = &s.spans[n];
                prop_assert_eq!(item.index, n + 1);
                prop_assert_eq!(item.line, *line);
                // The raw text is exactly what was written, so it is the same value.
                prop_assert_eq!(item.raw.get(), &s.text[span.clone()]);
                let value: Value = serde_json::from_str(item.raw.get()).unwrap();
                prop_assert_eq!(&value, &s.values[n]);
            }
        }

        /// A stream cut anywhere gives every value that ended before the cut, then (if a
        /// value was cut) one error at or after that value's start, then nothing.
        #[test]
        fn a_cut_stream_reads_up_to_the_cut_then_stops_with_an_error(
            s in stream(),
            at in any::<prop::sample::Index>(),
        ) {
            let mut cut = at.index(s.text.len() + 1);
            while !s.text.is_char_boundary(cut) {
                cut -= 1;
            }
            let text = &s.text.as_bytes()[..cut];
            let got: Vec<_> = NotificationReader::new(text).collect();
            let whole = s.spans.iter().filter(|(span, _)| span.end <= cut).count();
            let started = s.spans.iter().filter(|(span, _)| span.start < cut).count();
            prop_assert_eq!(got.len(), started);
            for (n, item) in got.iter().take(whole).enumerate() {
                let item = item.as_ref().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert_eq!((item.index, item.line), (n + 1, s.spans[n].1));
            }
            if started > whole {
                let e = got[whole].as_ref().err().ok_or_else(|| TestCaseError::fail("no error"))?;
                prop_assert_eq!(e.index, whole + 1);
                prop_assert!(e.line as u64 >= s.spans[whole].1, "{e:?}");
                assert_plausible(e, text)?;
            }
        }

        /// Any byte of a stream changed to anything: no panic; at most one error, last,
        /// at a plausible place; the values before it numbered in order.
        #[test]
        fn a_corrupted_stream_never_panics_and_stops_at_a_plausible_place(
            s in stream(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let mut text = s.text.into_bytes();
            if !text.is_empty() {
                let at = at.index(text.len());
                text[at] = byte;
            }
            let got: Vec<_> = NotificationReader::new(&text[..]).collect();
            for (n, item) in got.iter().enumerate() {
                match item {
                    Ok(item) => prop_assert_eq!(item.index, n + 1),
                    Err(e) => {
                        prop_assert_eq!(n + 1, got.len(), "an error is the last item");
                        prop_assert_eq!(e.index, n + 1);
                        assert_plausible(e, &text)?;
                    }
                }
            }
        }
    }
}
