//! `greenq tail`: receive -> hand on (print and flush, run a command, post to a hook:
//! `delivery`) -> delete, in a loop. A notification is deleted only after its handler
//! said it was done (or it was set aside), so a crash, Ctrl-C, a closed pipe or a
//! network fault can cause a repeat, never a loss.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

use crate::cli::Format;
use crate::client::{ApiError, Client, Retries, build_agent};
use crate::commands::Session;
use crate::delivery::{Delivery, Step};
use crate::exit::{Error, ExitCode, Result};
use crate::interrupt::Interrupt;
use crate::notification::Envelope;

/// Empty receives come at most this often, whatever the server's wait.
const MIN_EMPTY_POLL: Duration = Duration::from_secs(1);

pub struct Options {
    pub count: Option<u64>,
    pub exit_on_empty: bool,
    /// Print only these typeWebhooks; empty prints all.
    pub types: Vec<String>,
    pub receive_timeout: Option<u32>,
    pub format: Format,
}

#[derive(Debug, Default)]
struct Counts {
    deleted: u64,
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

/// Follows the queue and prints (`options.types`, `options.format`).
pub fn run(session: &Session, options: &Options) -> Result<ExitCode> {
    let mut delivery = crate::consumer::printing(session, options.format, options.types.clone());
    run_with(session, options, &mut delivery)
}

/// Follows the queue and hands each notification to `delivery` (which has its own
/// `--type` filter and format: those of `options` are not looked at).
pub fn run_with(session: &Session, options: &Options, delivery: &mut Delivery) -> Result<ExitCode> {
    let started = Instant::now();
    let mut counts = Counts::default();
    let ended = follow(session, options, delivery, &mut counts);
    session.status.clear();
    let summary = format!(
        "{}, {} deleted, {} retries, {:.1} s",
        delivery.summary(),
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
    delivery: &mut Delivery,
    counts: &mut Counts,
) -> Result<End> {
    let client = &session.client;
    // The notification whose delete was answered "not found": if the service shows it
    // again, it was handled already (a redelivery), and is deleted, not printed twice.
    let mut unconfirmed: Option<Handled> = None;
    session.spinner("waiting");
    loop {
        if options
            .count
            .is_some_and(|n| delivery.counts().handled >= n)
        {
            return Ok(End::Done);
        }
        let polled = Instant::now();
        let received = client.retrying(Retries::Unlimited, |c| c.receive(options.receive_timeout));
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
        // From here the notification is ours: a signal lets the handing on and the delete
        // finish, so that handled + still queued == published.
        let step = session.interrupt.protect(|| {
            if !redelivered {
                match delivery.hand_on(&envelope)? {
                    Step::Delete => {}
                    Step::Interrupted => return Ok(Err(End::Interrupted)),
                    Step::Closed => return Ok(Err(End::PipeClosed)),
                }
            }
            // Handed on (or deliberately skipped, or set aside): now, and only now,
            // acknowledge it.
            match client.retrying(Retries::Unlimited, |c| c.delete(envelope.receipt_id)) {
                Ok(deleted) => Ok(Ok(deleted)),
                // A command or a hook is waited for after Ctrl-C, longer than the grace
                // the session's agent gets: what it handled is acknowledged on a
                // connection of its own.
                Err(ApiError::Interrupted) if !redelivered && delivery.waits_after_signal() => {
                    late_delete(session, envelope.receipt_id).map(Ok)
                }
                Err(ApiError::Interrupted) => Ok(Err(End::Interrupted)),
                Err(e) => {
                    let what = format!("deleteNotification of receipt {}", envelope.receipt_id);
                    Err(e.into_error(&what, client.instance()))
                }
            }
        })?;
        match step {
            Ok(true) => {
                counts.deleted += 1;
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

/// Acknowledges a notification that was handled after Ctrl-C shut the session's agent
/// down, with an agent of its own and a few retries; a second Ctrl-C still exits at once.
fn late_delete(session: &Session, receipt_id: u64) -> Result<bool> {
    let client = Client::new(
        build_agent(),
        &session.config,
        session.config.require_credentials().ok(),
        session.status.clone(),
        Interrupt::new(),
    );
    client
        .retrying(Retries::Limited(3), |c| c.delete(receipt_id))
        .map_err(|e| {
            e.into_error(
                &format!("deleteNotification of receipt {receipt_id} (handled after Ctrl-C)"),
                client.instance(),
            )
            .fix_prefix("it was handled but stays queued: it will be handed on again")
        })
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
