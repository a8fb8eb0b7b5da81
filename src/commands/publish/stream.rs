//! `greenq publish` from a pipe, a terminal or a FIFO: each notification is sent as soon
//! as it has been read and checked, in order, and its line of output printed at once, so
//! that `greenq tail | greenq publish -` relays a live queue. A regular file is still
//! checked whole before anything is sent (`publish/mod.rs`); `--stream` and `--check-first`
//! choose either way.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use crate::cli::PublishArgs;
use crate::commands::failure::api_failure;
use crate::commands::publish::{arrived_nowhere, as_publish_failure, note_other_instance};
use crate::config::Config;
use crate::exit::{Error, ExitCode, Result, is_broken_pipe};
use crate::notification::input::{NotificationReader, Positioned, SyntaxError, checked};
use crate::notification::{Checked, compact};
use crate::service::answer::ApiError;
use crate::service::retry::{Limit, Repeat, Retry};
use crate::service::session::Session;
use crate::terminal::interrupt::Interrupt;
use crate::terminal::tty;

const STDIN: &str = "<stdin>";
/// How often a wait for input looks for Ctrl-C.
const INTERRUPT_POLL: Duration = Duration::from_millis(50);

/// Input to be published as it is read.
pub struct Input {
    /// How messages name it: a path or `<stdin>`.
    name: String,
    read: Box<dyn Read + Send>,
}

/// The input to stream, or `None` when it is to be checked whole first (a regular file,
/// `--check-first`, `--text`) or when `publish/mod.rs` has something to say about it.
pub fn input(args: &PublishArgs) -> Option<Input> {
    if args.text.is_some() || args.check_first {
        return None;
    }
    match &args.file {
        Some(path) if path.as_os_str() != "-" => {
            let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
            if regular && !args.stream {
                return None;
            }
            let name = path.display().to_string();
            // A missing file is reported by the batch path, as before.
            let file = File::open(path).ok()?;
            Some(Input {
                name,
                read: Box::new(file),
            })
        }
        // No FILE on a terminal is a usage error, said by the batch path.
        None if tty::stdin_is_terminal() => None,
        _ if !args.stream && stdin_is_regular_file() => None,
        _ => Some(Input {
            name: STDIN.to_string(),
            read: Box::new(io::stdin()),
        }),
    }
}

/// `publish - < file.ndjson` reads a regular file: it is checked whole first.
fn stdin_is_regular_file() -> bool {
    #[cfg(unix)]
    let owned = {
        use std::os::fd::AsFd;
        io::stdin().as_fd().try_clone_to_owned()
    };
    #[cfg(windows)]
    let owned = {
        use std::os::windows::io::AsHandle;
        io::stdin().as_handle().try_clone_to_owned()
    };
    owned
        .map(File::from)
        .and_then(|f| f.metadata())
        .is_ok_and(|m| m.is_file())
}

pub fn run(config: &Config, args: &PublishArgs, input: Input) -> anyhow::Result<ExitCode> {
    let name = input.name.clone();
    let items = read_in_background(input);
    let mut out = io::stdout().lock();
    if args.dry_run {
        let mut stream = Stream {
            name: &name,
            verb: "printed",
            sent: 0,
        };
        stream.pass(&items, &Interrupt::new(), |_, body, _| {
            writeln!(out, "{body}")
                .and_then(|()| out.flush())
                .map_err(Error::output)
        })?;
        if !config.quiet {
            crate::ewriteln!(
                "greenq: dry run: {} in {name}; nothing was sent",
                crate::text::count_of(
                    stream.sent as u64,
                    "valid notification",
                    "valid notifications"
                )
            );
        }
        return Ok(ExitCode::Success);
    }
    let session = Session::new(config, None);
    let mut stream = Stream {
        name: &name,
        verb: "published",
        sent: 0,
    };
    let mut stdout_open = true;
    let repeat = if args.at_least_once {
        Repeat::Always
    } else {
        Repeat::OnlyIfNotCarriedOut
    };
    let mut retry = session.retry(Limit::Retries(3));
    let mut instance_noted = false;
    let result = stream.pass(&items, &session.interrupt, |item, body, checked| {
        note_other_instance(&session, &mut instance_noted, item.index, checked);
        publish_one(&session, &mut retry, repeat, item, &name, body)?;
        // A closed stdout does not stop the stream: publishing is the job, ids a report.
        if stdout_open && let Err(e) = print_id(&mut out, checked.id_message.as_deref()) {
            if !is_broken_pipe(&e) {
                return Err(Error::output(e).fix_prefix(format!(
                    "#{} was published; the output failed after it",
                    item.index
                )));
            }
            stdout_open = false;
        }
        Ok(())
    });
    session.status.clear();
    result?;
    if stream.sent > 1 {
        session.status.line(format_args!(
            "published {} notifications from {name}",
            stream.sent
        ));
    }
    Ok(ExitCode::Success)
}

fn print_id(out: &mut impl Write, id: Option<&str>) -> io::Result<()> {
    writeln!(out, "{}", id.unwrap_or("-"))?;
    out.flush()
}

/// One POST, retried as a publish is (never when it may have arrived, unless
/// `--at-least-once`). A signal lets the POST in flight finish, so that the count is exact.
fn publish_one(
    session: &Session,
    retry: &mut Retry,
    repeat: Repeat,
    item: &Positioned,
    name: &str,
    body: &str,
) -> Result<()> {
    let client = &session.client;
    let sent = session
        .interrupt
        .protect(|| retry.run(repeat, || client.publish(body)));
    retry.progress();
    sent.map_err(as_publish_failure).map_err(|e| {
        let uncertain = matches!(e, ApiError::MayHaveArrived { .. });
        let nowhere = arrived_nowhere(&e, repeat);
        let error = match e {
            ApiError::Interrupted => Error::interrupted(),
            other => api_failure(other, &format!("publish of #{}", item.index), None),
        };
        let state = if uncertain {
            "may have arrived (its answer was lost)"
        } else if nowhere {
            "was not published"
        } else {
            "was not confirmed as published"
        };
        error.fix_prefix(format!(
            "#{} (line {} of {name}) {state}; nothing after it was sent",
            item.index, item.line
        ))
    })
}

type Item = std::result::Result<Positioned, SyntaxError>;

/// Reads and parses on a thread of its own, so that a wait for input never holds up
/// Ctrl-C. At most one parsed notification waits in the channel.
fn read_in_background(input: Input) -> mpsc::Receiver<Item> {
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let reader = NotificationReader::new(BufReader::with_capacity(
            64 * 1024,
            AsItArrives::new(input.read),
        ));
        for item in reader {
            if tx.send(item).is_err() {
                return;
            }
        }
    });
    rx
}

struct Stream<'a> {
    name: &'a str,
    /// What was done with each: "published", or "printed" in a dry run.
    verb: &'static str,
    /// How many were done.
    sent: usize,
}

enum Next {
    Item(Item),
    End,
    Interrupted,
}

impl Stream<'_> {
    /// Reads, checks and hands each notification to `send` (with its idMessage), in
    /// order, until the input ends. The first invalid one stops it: nothing after it is
    /// sent.
    fn pass(
        &mut self,
        items: &mpsc::Receiver<Item>,
        interrupt: &Interrupt,
        mut send: impl FnMut(&Positioned, &str, &Checked) -> Result<()>,
    ) -> Result<()> {
        loop {
            let item = match next(items, interrupt) {
                Next::Item(item) => item,
                Next::End => break,
                Next::Interrupted => return Err(self.interrupted()),
            };
            let index = match &item {
                Ok(item) => item.index,
                Err(e) => e.index,
            };
            let (item, checked) = checked(self.name, item, &self.nothing_from(index))?;
            if interrupt.is_set() {
                return Err(self.interrupted());
            }
            let body = compact(item.raw.get());
            send(&item, &body, &checked).map_err(|e| e.fix_prefix(self.done()))?;
            self.sent += 1;
        }
        if self.sent == 0 {
            return Err(Error::data(format!("{} holds no notification", self.name))
                .fix("give one JSON object, or several (NDJSON or concatenated)"));
        }
        Ok(())
    }

    fn done(&self) -> String {
        format!("{} {} from {}", self.verb, self.sent, self.name)
    }

    fn nothing_from(&self, index: usize) -> String {
        format!(
            "{} before it; nothing from #{index} on was sent; fix it and send the rest again",
            self.done()
        )
    }

    fn interrupted(&self) -> Error {
        Error::interrupted().fix(format!("{}; nothing after them was sent", self.done()))
    }
}

/// The next notification, waiting for it as long as it takes, unless Ctrl-C comes first.
fn next(items: &mpsc::Receiver<Item>, interrupt: &Interrupt) -> Next {
    loop {
        match items.recv_timeout(INTERRUPT_POLL) {
            Ok(item) => return Next::Item(item),
            Err(mpsc::RecvTimeoutError::Disconnected) => return Next::End,
            Err(mpsc::RecvTimeoutError::Timeout) if interrupt.is_set() => {
                return Next::Interrupted;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
}

/// Ends each `read_to_end` after one read of the input, with a `0` that is not the end:
/// `NotificationReader` reads in chunks with `read_to_end`, which on a pipe would wait for
/// a whole chunk; this hands it what has arrived. Each read asks one byte less than it
/// may, so that a `take` around it is never used up by one read (its `read_to_end`
/// would end without the pause, and the pause would end the next one, as if at the end).
struct AsItArrives<R> {
    inner: R,
    pause: bool,
}

impl<R: Read> AsItArrives<R> {
    fn new(inner: R) -> Self {
        AsItArrives {
            inner,
            pause: false,
        }
    }
}

impl<R: Read> Read for AsItArrives<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if std::mem::take(&mut self.pause) || buf.is_empty() {
            return Ok(0);
        }
        let len = (buf.len() - 1).max(1);
        let n = self.inner.read(&mut buf[..len])?;
        self.pause = n > 0;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader fed chunk by chunk from a channel: a read blocks until the next chunk.
    struct Fed(mpsc::Receiver<Vec<u8>>, Vec<u8>);

    impl Read for Fed {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.1.is_empty() {
                match self.0.recv() {
                    Ok(chunk) => self.1 = chunk,
                    Err(_) => return Ok(0),
                }
            }
            let n = self.1.len().min(buf.len());
            buf[..n].copy_from_slice(&self.1[..n]);
            self.1.drain(..n);
            Ok(n)
        }
    }

    fn reader(read: impl Read + Send + 'static) -> impl Iterator<Item = (usize, u64, String)> {
        NotificationReader::new(BufReader::with_capacity(64 * 1024, AsItArrives::new(read))).map(
            |r| {
                r.map(|p| (p.index, p.line, p.raw.get().to_string()))
                    .unwrap()
            },
        )
    }

    #[test]
    fn each_notification_comes_out_before_the_next_is_written() {
        let (tx, rx) = mpsc::channel();
        let (out_tx, out_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for item in reader(Fed(rx, Vec::new())) {
                let _ = out_tx.send(item);
            }
        });
        let limit = Duration::from_secs(10);
        tx.send(b"{\"a\":1}\n{\"b\":".to_vec()).unwrap();
        assert_eq!(
            out_rx.recv_timeout(limit).expect("the first, at once"),
            (1, 1, "{\"a\":1}".to_string())
        );
        tx.send(b" 2}\n\n".to_vec()).unwrap();
        assert_eq!(
            out_rx
                .recv_timeout(limit)
                .expect("the second, once complete"),
            (2, 2, "{\"b\": 2}".to_string())
        );
        tx.send(b"{\n\"c\":3\n}".to_vec()).unwrap();
        assert_eq!(
            out_rx.recv_timeout(limit).expect("a pretty one"),
            (3, 4, "{\n\"c\":3\n}".to_string())
        );
        drop(tx);
        assert!(out_rx.recv_timeout(limit).is_err(), "the end ends it");
    }

    #[test]
    fn chunks_of_any_size_read_as_the_whole() {
        let text: String = (0..3000)
            .map(|i| format!("{{\"n\":{i},\"pad\":\"{}\"}}\n", "x".repeat(i % 97)))
            .collect();
        let whole: Vec<_> = NotificationReader::new(text.as_bytes())
            .map(|r| {
                r.map(|p| (p.index, p.line, p.raw.get().to_string()))
                    .unwrap()
            })
            .collect();
        let mut rng = fastrand::Rng::with_seed(3);
        for sizes in [1..2, 1..100, 60_000..70_000, 65_535..65_538] {
            let (tx, rx) = mpsc::channel();
            let mut rest = text.as_bytes();
            while !rest.is_empty() {
                let n = rng.usize(sizes.clone()).min(rest.len());
                tx.send(rest[..n].to_vec()).unwrap();
                rest = &rest[n..];
            }
            drop(tx);
            let got: Vec<_> = reader(Fed(rx, Vec::new())).collect();
            assert_eq!(got, whole, "chunks of {sizes:?}");
        }
    }
}
