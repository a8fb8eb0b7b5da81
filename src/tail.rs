//! `greenq tail`: receive -> print and flush -> delete, in a loop. A notification is
//! deleted only after its output was written and flushed without error, so a crash,
//! Ctrl-C, a closed pipe or a network fault can cause a repeat, never a loss.

use std::collections::{HashSet, VecDeque};
use std::io::{self, BufWriter, Write};
use std::time::{Duration, Instant};

use crate::cli::Format;
use crate::client::{ApiError, Retries};
use crate::commands::Session;
use crate::exit::{Error, ExitCode, Result, is_broken_pipe};
use crate::format::Printer;
use crate::notification::Envelope;

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
    printed: u64,
    skipped: u64,
    deleted: u64,
}

/// Receipts this run has handled, so that a redelivery is deleted, not printed twice.
/// Bounded: a redelivery follows its first delivery closely.
struct Seen {
    set: HashSet<u64>,
    order: VecDeque<u64>,
}

const SEEN_CAPACITY: usize = 4096;

/// Empty receives come at most this often, whatever the server's wait.
const MIN_EMPTY_POLL: Duration = Duration::from_secs(1);

impl Seen {
    fn new() -> Self {
        Seen {
            set: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    fn contains(&self, receipt: u64) -> bool {
        self.set.contains(&receipt)
    }

    fn insert(&mut self, receipt: u64) {
        if self.set.insert(receipt) {
            self.order.push_back(receipt);
            if self.order.len() > SEEN_CAPACITY
                && let Some(old) = self.order.pop_front()
            {
                self.set.remove(&old);
            }
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
    let summary = format!(
        "{} printed, {} skipped, {} deleted, {} retries, {:.1} s",
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
    let instance = client.instance();
    let mut seen = Seen::new();
    let wanted = |envelope: &Envelope| {
        options.types.is_empty()
            || envelope
                .type_webhook()
                .is_some_and(|t| options.types.iter().any(|w| *w == t))
    };
    session.spinner("waiting");
    loop {
        if options.count.is_some_and(|n| counts.printed >= n) {
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
            Err(e) => return Err(e.into_error("receiveNotification", instance)),
        };
        // From here the notification is ours: a signal lets the write and the delete
        // finish (they take microseconds), so that printed + still queued == published.
        let handled = session
            .interrupt
            .protect(|| handle(session, printer, out, counts, &mut seen, &envelope, &wanted));
        if let Some(end) = handled? {
            return Ok(end);
        }
        if session.interrupt.is_set() {
            return Ok(End::Interrupted);
        }
    }
}

/// Prints (unless seen or unwanted), then deletes one notification. `Some` ends the loop.
fn handle(
    session: &Session,
    printer: &Printer,
    out: &mut impl Write,
    counts: &mut Counts,
    seen: &mut Seen,
    envelope: &Envelope,
    wanted: &dyn Fn(&Envelope) -> bool,
) -> Result<Option<End>> {
    let receipt = envelope.receipt_id;
    if !seen.contains(receipt) {
        if wanted(envelope) {
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
        } else {
            counts.skipped += 1;
        }
        seen.insert(receipt);
    }
    // Written (or deliberately skipped): now, and only now, acknowledge it.
    match session
        .client
        .retrying(Retries::Unlimited, |c| c.delete(receipt))
    {
        // `false`: already gone (deleted by an earlier try); either way it is not queued.
        Ok(deleted) => counts.deleted += u64::from(deleted),
        Err(ApiError::Interrupted) => return Ok(Some(End::Interrupted)),
        Err(e) => {
            let what = format!("deleteNotification of receipt {receipt}");
            return Err(e.into_error(&what, session.client.instance()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_forgets_the_oldest_beyond_its_capacity() {
        let mut seen = Seen::new();
        for r in 0..(SEEN_CAPACITY as u64 + 10) {
            seen.insert(r);
        }
        assert!(!seen.contains(0) && !seen.contains(9));
        assert!(seen.contains(10) && seen.contains(SEEN_CAPACITY as u64 + 9));
        assert_eq!(seen.set.len(), SEEN_CAPACITY);
    }
}
