//! `greenq tail`: receive -> print and flush -> delete, in a loop. A notification is
//! deleted only after its output was written and flushed without error, so a crash,
//! Ctrl-C, a closed pipe or a network fault can cause a repeat, never a loss.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufWriter, Write};
use std::time::{Duration, Instant};

use crate::cli::Format;
use crate::client::ApiError;
use crate::commands::Session;
use crate::exit::{Error, ExitCode, Result, is_broken_pipe};
use crate::format::Printer;
use crate::notification::Envelope;
use crate::queue::{Plain, Queue};
use crate::repeats;

/// Empty receives come at most this often, whatever the server's wait.
const MIN_EMPTY_POLL: Duration = Duration::from_secs(1);

pub struct Options {
    pub count: Option<u64>,
    pub exit_on_empty: bool,
    /// Print only these typeWebhooks; empty prints all.
    pub types: Vec<String>,
    pub receive_timeout: Option<u32>,
    pub format: Format,
    /// Send each delete together with the next receive (`crate::pipeline`).
    pub pipeline: bool,
}

#[derive(Debug, Default)]
struct Counts {
    printed: u64,
    skipped: u64,
    deleted: u64,
    /// Shown again after a confirmed delete, deleted again unprinted.
    repeats: u64,
}

/// A notification as this run handled it: its receipt and a hash of its body.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Handled {
    receipt: u64,
    body: u64,
}

impl Handled {
    fn of(envelope: &Envelope) -> Self {
        let mut hasher = DefaultHasher::new();
        envelope.body.get().hash(&mut hasher);
        Handled {
            receipt: envelope.receipt_id,
            body: hasher.finish(),
        }
    }
}

/// How the loop ended, when it ended without an error.
enum End {
    Done,
    Interrupted,
    PipeClosed,
}

pub fn run(session: &Session, options: &Options) -> Result<ExitCode> {
    let printer = Printer::new(options.format, session.stdout_color());
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let started = Instant::now();
    let mut counts = Counts::default();
    let ended = follow(session, options, &printer, &mut out, &mut counts);
    session.status.clear();
    let repeats = match counts.repeats {
        0 => String::new(),
        n => format!(", {n} repeats"),
    };
    let summary = format!(
        "{} printed, {} skipped, {} deleted, {} retries{repeats}, {:.1} s",
        counts.printed,
        counts.skipped,
        counts.deleted,
        session.client.retries(),
        started.elapsed().as_secs_f64()
    );
    match ended {
        Ok(End::Done) => {
            session.status.line(summary);
            Ok(ExitCode::Success)
        }
        Ok(End::Interrupted) => {
            session.status.line(format_args!("interrupted: {summary}"));
            Ok(ExitCode::Interrupted)
        }
        Ok(End::PipeClosed) => Ok(ExitCode::Success),
        Err(e) => {
            session.status.line(summary);
            Err(e)
        }
    }
}

fn follow(
    session: &Session,
    options: &Options,
    printer: &Printer,
    out: &mut impl Write,
    counts: &mut Counts,
) -> Result<End> {
    let client = &session.client;
    let mut queue: Box<dyn Queue> = match options.pipeline {
        true => crate::pipeline::queue(
            session,
            &session.config.require_credentials()?,
            options.receive_timeout,
        ),
        false => Box::new(Plain::new(client, options.receive_timeout)),
    };
    // Confirmed deletes: one shown again is deleted again, not printed twice.
    let mut deleted = repeats::Deleted::default();
    // The notification whose delete was answered "not found": if the service shows it
    // again, it was handled already (a redelivery), and is deleted, not printed twice.
    let mut unconfirmed: Option<Handled> = None;
    session.spinner("waiting");
    loop {
        if options.count.is_some_and(|n| counts.printed >= n) {
            return Ok(End::Done);
        }
        let polled = Instant::now();
        let received = queue.receive();
        let envelope = match received {
            Ok(Some(envelope)) => envelope,
            Ok(None) if options.exit_on_empty => return Ok(End::Done),
            Ok(None) => {
                // A server that answers "empty" at once (no long poll) must not make us spin.
                let spent = polled.elapsed();
                if spent < MIN_EMPTY_POLL && session.interrupt.sleep(MIN_EMPTY_POLL - spent) {
                    return Ok(End::Interrupted);
                }
                continue;
            }
            Err(ApiError::Interrupted) => return Ok(End::Interrupted),
            Err(e) => return Err(head_error(e, client.instance())),
        };
        // Hashed only when a delete was refused: the common path does not pay for it.
        let redelivered = unconfirmed.is_some_and(|u| u == Handled::of(&envelope));
        let repeat = !redelivered && deleted.contains(&envelope);
        if redelivered || repeat {
            counts.repeats += 1;
        }
        // From here the notification is ours: a signal lets the write and the delete
        // finish, so that printed + still queued == published.
        let step = session.interrupt.protect(|| {
            if !(redelivered || repeat)
                && let Some(end) = print(session, options, printer, out, counts, &envelope)?
            {
                return Ok(Err(end));
            }
            // Written (or deliberately skipped): now, and only now, acknowledge it, and
            // with --pipeline send the next receive along unless this was the last.
            let more = options.count.is_none_or(|n| counts.printed < n);
            let acknowledged = if more {
                queue.delete_then_receive(envelope.receipt_id)
            } else {
                queue.delete(envelope.receipt_id)
            };
            match acknowledged {
                Ok(deleted) => Ok(Ok(deleted)),
                Err(ApiError::Interrupted) => Ok(Err(End::Interrupted)),
                Err(e) => {
                    let what = format!("deleteNotification of receipt {}", envelope.receipt_id);
                    Err(e.into_error(&what, client.instance()))
                }
            }
        })?;
        match step {
            Ok(true) => {
                if !repeat {
                    counts.deleted += 1;
                }
                deleted.remember(&envelope);
                unconfirmed = None;
            }
            // "Not found": already gone (an earlier try's answer was lost), or shown again later.
            Ok(false) => unconfirmed = Some(Handled::of(&envelope)),
            Err(end) => return Ok(end),
        }
        if session.interrupt.is_set() {
            return Ok(End::Interrupted);
        }
    }
}

/// Prints the notification, or counts it as skipped (`--type`). `Some` ends the loop.
fn print(
    session: &Session,
    options: &Options,
    printer: &Printer,
    out: &mut impl Write,
    counts: &mut Counts,
    envelope: &Envelope,
) -> Result<Option<End>> {
    let wanted = options.types.is_empty()
        || envelope
            .type_webhook()
            .is_some_and(|t| options.types.iter().any(|w| *w == t));
    if !wanted {
        counts.skipped += 1;
        return Ok(None);
    }
    // A signal before the write: this one is not printed, not deleted.
    if session.interrupt.is_set() {
        return Ok(Some(End::Interrupted));
    }
    let written = session.status.suspend(|| {
        printer
            .notification(out, envelope)
            .and_then(|()| out.flush())
    });
    match written {
        Ok(()) => counts.printed += 1,
        Err(e) if is_broken_pipe(&e) => return Ok(Some(End::PipeClosed)),
        Err(e) => return Err(Error::output(e)),
    }
    session.status.with_bar(|bar| {
        bar.set_message(format!("{} printed · waiting", counts.printed));
        bar.reset_elapsed();
    });
    Ok(None)
}

/// A receive that failed for good. An answer that is not an envelope stays at the head
/// of the queue and would stop every run: say how to look at it and remove it.
fn head_error(e: ApiError, instance: Option<u64>) -> Error {
    let unexpected = matches!(e, ApiError::Unexpected { .. });
    let error = e.into_error("receiveNotification", instance);
    if unexpected {
        error.fix_prefix(
            "if the head of the queue is what cannot be read, `greenq -v receive` shows it \
             and `greenq delete RECEIPT_ID` removes it",
        )
    } else {
        error
    }
}
