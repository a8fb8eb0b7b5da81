//! `greenq tail`: receive -> print and flush -> delete, in a loop. A notification is
//! deleted only after its output was written and flushed without error, so a crash,
//! Ctrl-C, a closed pipe or a network fault can cause a repeat, never a loss.

use std::collections::VecDeque;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufWriter, Write};
use std::time::{Duration, Instant};

use crate::answer::ApiError;
use crate::cli::{Format, TailArgs};
use crate::commands::failure::api_failure;
use crate::config::Config;
use crate::exit::{Error, ExitCode, Result, is_broken_pipe};
use crate::format::{self, Printer};
use crate::known_types;
use crate::notification::Envelope;
use crate::queue::{Plain, Queue};
use crate::retry::{Limit, Retry};
use crate::session::Session;

/// An empty answer quicker than this did not wait (no long poll): it made no progress.
const QUICK_EMPTY: Duration = Duration::from_secs(1);
/// The longest pause after quick empty answers: an idle queue is no fault.
const EMPTY_PAUSE_CAP: Duration = Duration::from_secs(5);
/// A notification shown again this many times in a row, although deleted each time,
/// is a head that cannot be deleted.
const MAX_REPEATS: u32 = 4;
/// How many handled notifications are remembered, to recognise one shown again.
const REMEMBERED: usize = 1024;

pub struct Options {
    pub count: Option<u64>,
    pub exit_on_empty: bool,
    /// Print only these typeWebhooks; empty prints all.
    pub types: Vec<String>,
    pub receive_timeout: Option<u32>,
    pub format: Format,
    /// Each delete goes out with the next receive (`--pipeline`).
    pub pipeline: bool,
}

impl Options {
    /// The options of `greenq tail`, with `--type` names checked: a misspelt one would
    /// delete every notification unprinted.
    pub fn from_args(args: &TailArgs) -> Result<Options> {
        if !args.allow_unknown_type {
            for name in &args.types {
                check_type(name)?;
            }
        }
        Ok(Options {
            count: args.count,
            exit_on_empty: args.exit_on_empty,
            types: args.types.clone(),
            receive_timeout: args.receive_timeout,
            format: args.format.unwrap_or_else(format::default_for_stdout),
            pipeline: args.pipeline,
        })
    }
}

fn check_type(name: &str) -> Result<()> {
    if known_types::is_known(name) {
        return Ok(());
    }
    let closest = known_types::closest(name);
    let suggestion = if closest.is_empty() {
        format!("known types: {}", known_types::KNOWN.join(", "))
    } else {
        format!("did you mean {}?", closest.join(" or "))
    };
    Err(Error::usage(format!("--type {name:?} is not a notification type greenq knows"))
        .why(suggestion)
        .fix("fix the name (other types are deleted unprinted); add --allow-unknown-type for a type greenq does not know yet"))
}

pub fn run(config: &Config, args: &TailArgs) -> anyhow::Result<ExitCode> {
    let options = Options::from_args(args)?;
    let credentials = config.require_credentials()?;
    let session = Session::new(config, Some(credentials));
    crate::commands::doctor::warn_if_webhook_set(&session);
    Ok(follow_and_report(&session, &options)?)
}

#[derive(Debug, Default)]
struct Counts {
    printed: u64,
    skipped: u64,
    deleted: u64,
    repeats: u64,
}

/// How the loop ended, when it ended without an error.
enum End {
    Done,
    Interrupted,
    PipeClosed,
}

/// Runs the loop and prints the summary; used by `tail` and `demo`.
pub fn follow_and_report(session: &Session, options: &Options) -> Result<ExitCode> {
    let printer = Printer::new(options.format, session.stdout_color());
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let started = Instant::now();
    let mut counts = Counts::default();
    let mut retry = session.retry(Limit::Unlimited);
    let ended = follow(
        session,
        options,
        &printer,
        &mut out,
        &mut counts,
        &mut retry,
    );
    session.status.clear();
    let repeats = match counts.repeats {
        0 => String::new(),
        n => format!(", {n} repeats"),
    };
    let summary = format!(
        "{} printed, {} skipped, {} deleted{repeats}, {} retries, {:.1} s",
        counts.printed,
        counts.skipped,
        counts.deleted,
        retry.retries(),
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

/// A notification as this run handled it: its receipt and a hash of its body. Receipt
/// ids alone repeat (an emulator restarted), so the body is part of who it is.
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

/// What became of one notification.
enum Step {
    /// Printed (or skipped by `--type`) and deleted.
    Deleted,
    /// Handled; its delete was answered "not found" (an earlier try whose answer was
    /// lost took it, or it will be shown again).
    NotFound,
    End(End),
}

fn follow(
    session: &Session,
    options: &Options,
    printer: &Printer,
    out: &mut impl Write,
    counts: &mut Counts,
    retry: &mut Retry,
) -> Result<End> {
    let client = &session.client;
    let instance = client.instance();
    let mut queue: Box<dyn Queue + '_> = if options.pipeline {
        crate::pipeline::queue(
            session,
            &session.config.require_credentials()?,
            options.receive_timeout,
        )
    } else {
        Box::new(Plain::new(client, options.receive_timeout))
    };
    // Handled lately: one shown again is deleted again, never printed twice.
    let mut recent: VecDeque<Handled> = VecDeque::with_capacity(REMEMBERED);
    // The receipt shown again last, and how many times in a row.
    let mut again: Option<(u64, u32)> = None;
    session.spinner("waiting");
    loop {
        if options.count.is_some_and(|n| counts.printed >= n) {
            return Ok(End::Done);
        }
        let polled = Instant::now();
        let envelope = match queue.receive(retry) {
            Ok(Some(envelope)) => envelope,
            Ok(None) if options.exit_on_empty => return Ok(End::Done),
            Ok(None) if polled.elapsed() < QUICK_EMPTY => {
                // A server that answers "empty" at once must not make us spin.
                if retry.pause(
                    "the queue answered empty without waiting",
                    None,
                    Some(EMPTY_PAUSE_CAP),
                ) {
                    return Ok(End::Interrupted);
                }
                continue;
            }
            Ok(None) => {
                retry.progress();
                continue;
            }
            Err(ApiError::Interrupted) => return Ok(End::Interrupted),
            Err(e) => return Err(head_error(e, instance)),
        };
        let handled = Handled::of(&envelope);
        if recent.contains(&handled) {
            let times = match again {
                Some((receipt, n)) if receipt == handled.receipt => n + 1,
                _ => 1,
            };
            if times > MAX_REPEATS {
                return Err(undeletable(handled.receipt, times));
            }
            again = Some((handled.receipt, times));
            counts.repeats += 1;
            // Alone, not with the next receive: a pause comes first.
            let deleted = session
                .interrupt
                .protect(|| queue.delete(retry, handled.receipt));
            let reason = match deleted {
                Ok(true) => "was deleted again",
                Ok(false) => "is not found when deleted",
                Err(ApiError::Interrupted) => return Ok(End::Interrupted),
                Err(e) => return Err(delete_error(e, handled.receipt, instance)),
            };
            let reason = format!(
                "receipt {} came back after it was handled, and {reason}",
                handled.receipt
            );
            if retry.pause(&reason, None, None) {
                return Ok(End::Interrupted);
            }
            continue;
        }
        again = None;
        if recent.len() == REMEMBERED {
            recent.pop_front();
        }
        recent.push_back(handled);
        // From here the notification is ours: a signal lets the write and the delete
        // finish, so that printed + still queued == published.
        let step = session.interrupt.protect(|| {
            if let Some(end) = print(session, options, printer, out, counts, &envelope)? {
                return Ok(Step::End(end));
            }
            // Written (or deliberately skipped): now, and only now, acknowledge it; the
            // next receive may go with it (`--pipeline`) unless this was the last one.
            let receipt = envelope.receipt_id;
            let deleted = if options.count.is_some_and(|n| counts.printed >= n) {
                queue.delete(retry, receipt)
            } else {
                queue.delete_then_receive(retry, receipt)
            };
            match deleted {
                Ok(true) => Ok(Step::Deleted),
                Ok(false) => Ok(Step::NotFound),
                Err(ApiError::Interrupted) => Ok(Step::End(End::Interrupted)),
                Err(e) => Err(delete_error(e, envelope.receipt_id, instance)),
            }
        })?;
        match step {
            Step::Deleted => {
                counts.deleted += 1;
                retry.progress();
            }
            // Gone already, or shown again next: then it is recognised above.
            Step::NotFound => {}
            Step::End(end) => return Ok(end),
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

fn delete_error(e: ApiError, receipt: u64, instance: Option<u64>) -> Error {
    api_failure(
        e,
        &format!("deleteNotification of receipt {receipt}"),
        instance,
    )
}

/// The head keeps coming back however often it is deleted: stop, and say how to look
/// at it and remove it by hand.
fn undeletable(receipt: u64, times: u32) -> Error {
    Error::failure("the head of the queue cannot be deleted")
        .why(format!(
            "receipt {receipt} was handled, deleted, and shown again {times} times in a row"
        ))
        .fix(format!(
            "look at it with `greenq receive`, remove it with `greenq delete {receipt}`; if it stays, ask the service's support"
        ))
}

/// A receive that failed for good. An answer that is not an envelope stays at the head
/// of the queue and would stop every run: say how to look at it and remove it.
fn head_error(e: ApiError, instance: Option<u64>) -> Error {
    let unexpected = matches!(e, ApiError::Unexpected { .. });
    let error = api_failure(e, "receiveNotification", instance);
    if unexpected {
        error.fix_prefix(
            "if the head of the queue is what cannot be read, `greenq -v receive` shows it \
             and `greenq delete RECEIPT_ID` removes it",
        )
    } else {
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_type_is_refused_with_the_closest_known_one() {
        let e = check_type("incomingMessageRecieved").unwrap_err();
        assert_eq!(e.code, ExitCode::Usage);
        assert!(
            e.to_string()
                .contains("did you mean incomingMessageReceived?"),
            "{e}"
        );
        assert!(check_type("outgoingMessageStatus").is_ok());
        let e = check_type("x").unwrap_err();
        assert!(e.to_string().contains("known types: "), "{e}");
    }
}
