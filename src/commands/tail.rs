//! `greenq tail`: receive -> hand on (print and flush, run a command, post to a hook:
//! `delivery`) -> delete, in a loop. A notification is deleted only after its handler
//! said it was done (or it was set aside), so a crash, Ctrl-C, a closed pipe or a
//! network fault can cause a repeat, never a loss.

use std::collections::VecDeque;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

use crate::cli::{GlobalArgs, TailArgs};
use crate::commands::failure::api_failure;
use crate::commands::fleet;
use crate::config::Config;
use crate::consumer;
use crate::consumer::delivery::{Delivery, Step as Handed};
use crate::consumer::other_consumer::OtherConsumer;
use crate::consumer::record;
use crate::exit::{Error, ExitCode, Result};
use crate::notification::Envelope;
use crate::notification::known_types;
use crate::service::agent;
use crate::service::answer::ApiError;
use crate::service::client::Client;
use crate::service::client::long_poll_deadline;
use crate::service::depth::Depth;
use crate::service::queue::{Plain, Queue};
use crate::service::retry::{IN_A_ROW, Limit, Repeat, Retry};
use crate::service::session::Session;
use crate::state::ledger::Ledger;
use crate::state::turn::{Turn, Turns};
use crate::terminal::interrupt::Interrupt;
use crate::watch::Watch;
use crate::watch::fleet_metrics::FleetMetrics;

/// An empty answer quicker than this did not wait (no long poll): it made no progress.
const QUICK_EMPTY: Duration = Duration::from_secs(1);
/// The longest pause after quick empty answers: an idle queue is no fault.
const EMPTY_PAUSE_CAP: Duration = Duration::from_secs(5);
/// A notification shown again this many times in a row, although deleted each time,
/// is a head that cannot be deleted.
const MAX_REPEATS: u32 = IN_A_ROW;

/// A watchdog lease's margin over a long poll's deadline (a connect, a retried request),
/// and over a handler's timeout (its kill and the delete after it).
const LONG_POLL_MARGIN: Duration = Duration::from_secs(30);
const HANDLER_MARGIN: Duration = Duration::from_secs(45);

/// How many handled notifications are remembered, to recognise one shown again.
const REMEMBERED: usize = 1024;

pub struct Options {
    pub count: Option<u64>,
    pub exit_on_empty: bool,
    pub receive_timeout: Option<u32>,
    /// Each delete goes out with the next receive (the default; `--no-pipeline` opts out).
    pub pipeline: bool,
    /// At most this many requests per second of each method (`--max-rate`).
    pub max_rate: Option<u32>,
    /// With `-e`, the last look asks for the service's shortest long poll once the depth
    /// says the backlog is consumed; not where the server answers an empty receive at
    /// once anyway (the demo's emulator), which 5 s would only slow down.
    pub short_last_look: bool,
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
            receive_timeout: args.receive_timeout,
            pipeline: !args.no_pipeline,
            max_rate: args.max_rate,
            short_last_look: true,
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

pub fn run(global: &GlobalArgs, args: &TailArgs) -> anyhow::Result<ExitCode> {
    if args.consumer.exec {
        crate::consumer::exec::check_command(&args.consumer.command)?;
    }
    let config = Config::resolve(global)?;
    let options = Options::from_args(args)?;
    let credentials = config.require_credentials()?;
    let instance = credentials.instance;
    let session = Session::new(&config, Some(credentials));
    // `--coordinate`: declared first, so that it releases the lease after the loop ended.
    let fleet_metrics = FleetMetrics::default();
    let fleet = fleet::join(&args.fleet, session.status.clone(), &fleet_metrics)?;
    // The lock and the ledger (and the queue's turn), before anything is received.
    let turns = fleet.as_ref().map(|f| f as &dyn Turns);
    let mut state = consumer::open_state_with(&session, args, None, turns, None)?;
    let mut delivery = consumer::build(&session, global, args, state.as_ref())?;
    let mut watch = Watch::new(&session.status, args.service.metrics_listen.as_deref())?;
    if fleet.is_some() {
        watch = watch.with_fleet(&fleet_metrics);
    }
    watched(&watch, &session, &mut delivery, args, instance, None);
    watch.start(&session.status);
    if let Some(fleet) = &fleet {
        fleet.start();
    }
    let ledger = state.as_mut().and_then(|s| s.ledger.as_mut());
    Ok(follow_and_report(
        &session,
        &options,
        &mut delivery,
        ledger,
    )?)
}

/// Registers one followed instance with `watch` (its series, readiness and watchdog
/// lease) and gives its delivery the probe that the loop, the handler and the retries
/// report to.
pub fn watched(
    watch: &Watch,
    session: &Session,
    delivery: &mut Delivery,
    args: &TailArgs,
    instance: u64,
    profile: Option<&str>,
) {
    let mut probe = watch.instance(session, instance, profile);
    probe.set_steps(
        long_poll_deadline(args.receive_timeout) + LONG_POLL_MARGIN,
        Duration::from_secs(args.consumer.handler_timeout) + HANDLER_MARGIN,
    );
    delivery.set_probe(probe);
}

#[derive(Debug, Default)]
struct Counts {
    /// Notifications received (handed on or not).
    received: u64,
    deleted: u64,
    repeats: u64,
    other: OtherConsumer,
}

/// How the loop ended, when it ended without an error.
pub enum End {
    Done,
    Interrupted,
    PipeClosed,
    /// `--coordinate`: the queue's lease was lost or given back; the loop waits for its
    /// next turn (never returned by `follow_summarised`).
    Yielded,
}

/// Runs the loop, handing each notification to `delivery` (which has the `--type` filter
/// and the format), and prints the summary; used by `tail` and `demo`. With a `ledger`,
/// each notification is recorded there before its delete.
pub fn follow_and_report(
    session: &Session,
    options: &Options,
    delivery: &mut Delivery,
    ledger: Option<&mut Ledger>,
) -> Result<ExitCode> {
    let (ended, summary) = follow_summarised(session, options, delivery, ledger);
    match ended {
        Ok(End::Done | End::Yielded) => {
            session.status.line(summary.line);
            Ok(ExitCode::Success)
        }
        Ok(End::Interrupted) => {
            session
                .status
                .line(format_args!("interrupted: {}", summary.line));
            Ok(ExitCode::Interrupted)
        }
        Ok(End::PipeClosed) => Ok(ExitCode::Success),
        Err(e) => {
            // A run that failed before anything came (a wrong token, say) has nothing to
            // sum up: the error alone says it.
            if summary.received > 0 {
                session.status.line(summary.line);
            }
            Err(e)
        }
    }
}

/// What one run of the loop did: the summary line, and its figures for a total.
pub struct Summary {
    pub line: String,
    /// Notifications received, handed on or not.
    pub received: u64,
    pub deleted: u64,
    pub retries: u64,
}

/// Runs the loop and says how it ended and what it did, printing no summary (a
/// multi-instance tail prints one line per instance and a total).
pub fn follow_summarised(
    session: &Session,
    options: &Options,
    delivery: &mut Delivery,
    mut ledger: Option<&mut Ledger>,
) -> (Result<End>, Summary) {
    let started = Instant::now();
    let mut counts = Counts::default();
    let probe = delivery.probe().clone();
    let mut retry = session.retry(Limit::Unlimited);
    retry.observe(&probe);
    let turn = delivery.turn();
    let ended = loop {
        // `--coordinate`: the queue is followed only while this member holds its lease.
        if let Some(turn) = &turn
            && !turn.wait(&session.interrupt)
        {
            break Ok(End::Interrupted);
        }
        match follow(
            session,
            options,
            delivery,
            ledger.as_deref_mut(),
            &mut counts,
            &mut retry,
            turn.as_deref(),
        ) {
            Ok(End::Yielded) => continue,
            ended => break ended,
        }
    };
    // The last delete's answer, into the ledger; an earlier error is the one to tell.
    let settled = ledger.map_or(Ok(()), Ledger::settle);
    let ended = match (ended, settled) {
        (Ok(_), Err(e)) => Err(e),
        (ended, _) => ended,
    };
    session.status.clear();
    session.status.ended(matches!(&ended, Err(e) if !e.silent));
    probe.stopped(&match &ended {
        Ok(_) => "tail ended".to_string(),
        Err(e) => e.to_string(),
    });
    crate::watch::stopping();
    let repeats = match counts.repeats {
        0 => String::new(),
        n => format!(", {n} repeats"),
    };
    let repeats = match counts.other.signs() {
        0 => repeats,
        n => format!("{repeats}, {n} signs of another consumer"),
    };
    let line = format!(
        "{}, {} deleted{repeats}, {} retries, {:.1} s",
        delivery.summary(),
        counts.deleted,
        retry.retries(),
        started.elapsed().as_secs_f64()
    );
    let summary = Summary {
        line,
        received: counts.received,
        deleted: counts.deleted,
        retries: retry.retries(),
    };
    (ended, summary)
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
    /// lost took it, another consumer did, or it will be shown again).
    NotFound {
        retried: bool,
    },
    End(End),
}

fn follow(
    session: &Session,
    options: &Options,
    delivery: &mut Delivery,
    mut ledger: Option<&mut Ledger>,
    counts: &mut Counts,
    retry: &mut Retry,
    turn: Option<&dyn Turn>,
) -> Result<End> {
    let client = &session.client;
    let instance = client.instance();
    let mut queue: Box<dyn Queue + '_> = if options.pipeline {
        crate::service::pipeline::queue(
            session,
            &session.config.require_credentials()?,
            options.receive_timeout,
        )
    } else {
        Box::new(Plain::new(client, options.receive_timeout))
    };
    client.set_max_rate(options.max_rate);
    // Over the queue's own connection: one connection per instance.
    let probe = delivery.probe().clone();
    if crate::commands::webhook_warning::warn_if_set(&session.status, queue.settings()) {
        probe.answered();
    }
    // Handled lately: one shown again is deleted again, never printed twice.
    let mut recent: VecDeque<Handled> = VecDeque::with_capacity(REMEMBERED);
    // The receipt shown again last, and how many times in a row.
    let mut again: Option<(u64, u32)> = None;
    let mut depth = Depth::start(
        session,
        options.exit_on_empty,
        options.receive_timeout,
        options.short_last_look,
    );
    loop {
        probe.turn();
        if options
            .count
            .is_some_and(|n| delivery.counts().handled >= n)
        {
            return Ok(End::Done);
        }
        let polled = Instant::now();
        let (retries_before, resent_before) = (retry.retries(), client.resent());
        // A receive sent behind the last delete keeps the timeout it went with.
        queue.set_receive_timeout(depth.receive_timeout(0));
        let received = queue.receive(retry);
        if let Ok(got) = &received {
            probe.receive_answered(got.is_some());
        }
        // A queue that answered empty, or was reached again only after a fault (restarted,
        // perhaps, by a service that reuses receipt ids), may be a new one: what this run
        // handled is no sign of a repeat there. A lagging server repeats at once.
        let faulted = retry.retries() != retries_before || client.resent() != resent_before;
        if faulted || matches!(received, Ok(None)) {
            recent.clear();
            again = None;
        }
        if let (Ok(None), Some(ledger)) = (&received, ledger.as_deref_mut()) {
            idle(ledger, session);
        }
        let envelope = match received {
            Ok(Some(envelope)) => envelope,
            Ok(None) if options.exit_on_empty => return Ok(End::Done),
            // A long poll that waited its time on a healthy server.
            Ok(None) if retry.retries() == retries_before && polled.elapsed() >= QUICK_EMPTY => {
                retry.progress();
                continue;
            }
            Ok(None) => {
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
            Err(ApiError::Interrupted) => return Ok(End::Interrupted),
            Err(e) => return Err(head_error(e, instance)),
        };
        counts.received += 1;
        let handled = Handled::of(&envelope);
        if let Some(line) = counts
            .other
            .received(handled.receipt, instance.unwrap_or_default())
        {
            session.status.warning(line);
        }
        let fingerprint = ledger.is_some().then(|| record::body_of(&envelope));
        // Handled by the run before, which stopped before its delete was answered: it is
        // recorded again (as what this run did) and deleted without handing it on.
        if !recent.contains(&handled)
            && let (Some(ledger), Some(body)) = (ledger.as_deref_mut(), fingerprint)
            && ledger.was_left_undeleted(handled.receipt, body)
        {
            remember(&mut recent, handled);
            counts.repeats += 1;
            session.status.line(format_args!(
                "receipt {}: handled before (the ledger says so); deleted without handing it on",
                handled.receipt
            ));
            let receipt = handled.receipt;
            ledger.record(&record::handled_before(receipt, body))?;
            match session.interrupt.protect(|| queue.delete(retry, receipt)) {
                Ok(true) => {
                    counts.deleted += 1;
                    retry.progress();
                    // One of the count's too: the drain's bar and its last look know it.
                    depth.deleted();
                }
                Ok(false) => {}
                Err(ApiError::Interrupted) => return Ok(End::Interrupted),
                Err(e) => return Err(delete_error(e, receipt, instance)),
            }
            answered(ledger, receipt, body, delivery)?;
            continue;
        }
        if recent.contains(&handled) {
            let times = match again {
                Some((receipt, n)) if receipt == handled.receipt => n + 1,
                _ => 1,
            };
            if times >= MAX_REPEATS {
                return Err(undeletable(handled.receipt, times));
            }
            again = Some((handled.receipt, times));
            counts.repeats += 1;
            probe.repeat();
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
        // `--coordinate`: handed on only while the lease is held (checked locally, against
        // its renew deadline); else it stays queued for the member that holds it now.
        if let Some(turn) = turn
            && turn.begin().is_none()
        {
            return Ok(End::Yielded);
        }
        remember(&mut recent, handled);
        // From here the notification is ours: a signal lets the handing on and the delete
        // finish, so that handled + still queued == published.
        let step = session.interrupt.protect(|| {
            let before = delivery.counts();
            match delivery.hand_on(&envelope)? {
                Handed::Delete => {}
                Handed::Interrupted => return Ok(Step::End(End::Interrupted)),
                Handed::Closed => return Ok(Step::End(End::PipeClosed)),
            }
            // On the disk (for the kernel) before the delete goes out: a crash from here
            // on cannot make it be handed on again.
            if let (Some(ledger), Some(body)) = (ledger.as_deref_mut(), fingerprint) {
                let dedupe = delivery.dedupes();
                let entry = record::entry(&envelope, body, before, delivery.counts(), dedupe);
                // `--exec`'s keeper committed a handled one before it answered.
                if !(entry.outcome == "handled" && delivery.handler_records()) {
                    ledger.record(&entry)?;
                }
            }
            let (retries_before, resent_before) = (retry.retries(), client.resent());
            // Handed on (or deliberately skipped, or set aside): now, and only now,
            // acknowledge it; the next receive may go with it (`--pipeline`) unless this
            // was the last one.
            let receipt = envelope.receipt_id;
            let deleted = if options
                .count
                .is_some_and(|n| delivery.counts().handled >= n)
            {
                queue.delete(retry, receipt)
            } else {
                // The receive behind it is the drain's last look when the depth says
                // this was the last: decided now, as it goes out with the delete.
                queue.set_receive_timeout(depth.receive_timeout(1));
                queue.delete_then_receive(retry, receipt)
            };
            // Sent more than once: a "not found" may be our own first delete's doing.
            let retried = retry.retries() != retries_before || client.resent() != resent_before;
            match deleted {
                Ok(true) => Ok(Step::Deleted),
                Ok(false) => Ok(Step::NotFound { retried }),
                // A command or a hook is waited for after Ctrl-C, longer than the grace the
                // session's agent gets: what it handled is acknowledged on an agent of its own.
                Err(ApiError::Interrupted) if delivery.waits_after_signal() => {
                    late_delete(session, receipt).map(|deleted| {
                        if deleted {
                            Step::Deleted
                        } else {
                            Step::NotFound { retried: true }
                        }
                    })
                }
                Err(ApiError::Interrupted) => Ok(Step::End(End::Interrupted)),
                Err(e) => Err(delete_error(e, envelope.receipt_id, instance)),
            }
        })?;
        let receipt = handled.receipt;
        let instance_id = instance.unwrap_or_default();
        if let (Some(ledger), Some(body), Step::Deleted | Step::NotFound { .. }) =
            (ledger.as_deref_mut(), fingerprint, &step)
        {
            answered(ledger, receipt, body, delivery)?;
        }
        match step {
            Step::Deleted => {
                counts.other.deleted(receipt, true, false, instance_id);
                counts.deleted += 1;
                probe.deleted();
                retry.progress();
                depth.deleted();
            }
            // Gone already, or shown again next: then it is recognised above.
            Step::NotFound { retried } => {
                if let Some(line) = counts.other.deleted(receipt, false, retried, instance_id) {
                    session.status.warning(line);
                }
            }
            Step::End(end) => return Ok(end),
        }
        // The work in flight is done: a lease lost or given back meanwhile stops here.
        if let Some(turn) = turn
            && !turn.end()
        {
            return Ok(End::Yielded);
        }
        if session.interrupt.is_set() {
            return Ok(End::Interrupted);
        }
    }
}

/// A delete was answered (deleted, or gone already): the ledger marks it with the next
/// record, or now when `--exec`'s keeper writes that record (on a connection of its own).
fn answered(ledger: &mut Ledger, receipt: u64, body: u128, delivery: &Delivery) -> Result<()> {
    ledger.deleted(receipt, body);
    if delivery.handler_records() {
        ledger.settle()?;
    }
    Ok(())
}

/// The queue answered empty: the ledger's last delete is marked now. A failure is said
/// and tried again with the next record, the next empty answer or the run's end: the
/// notification is gone from the queue already.
fn idle(ledger: &mut Ledger, session: &Session) {
    if let Err(e) = ledger.idle() {
        session.status.warning(e.to_string());
    }
}

/// Adds a handled notification to the recent ones, forgetting the oldest.
fn remember(recent: &mut VecDeque<Handled>, handled: Handled) {
    if recent.len() == REMEMBERED {
        recent.pop_front();
    }
    recent.push_back(handled);
}

/// Acknowledges a notification that was handled after Ctrl-C shut the session's agent
/// down, with an agent of its own and a few retries; a second Ctrl-C still exits at once.
fn late_delete(session: &Session, receipt: u64) -> Result<bool> {
    let client = Client::new(
        agent::build(),
        &session.config,
        session.config.require_credentials().ok(),
        session.status.clone(),
        Interrupt::new(),
    );
    let interrupt = Interrupt::new();
    Retry::new(Limit::Retries(3), &session.status, &interrupt)
        .run(Repeat::Safe, || client.delete(receipt))
        .map_err(|e| {
            api_failure(
                e,
                &format!("deleteNotification of receipt {receipt} (handled after Ctrl-C)"),
                client.instance(),
            )
            .fix_prefix("it was handled but stays queued: it will be handed on again")
        })
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
    let fix = match e {
        ApiError::Unexpected { .. } => Some("`greenq -v receive` shows it"),
        ApiError::Malformed { .. } => Some("the answer above shows how it starts"),
        _ => None,
    };
    let error = api_failure(e, "receiveNotification", instance);
    match fix {
        Some(fix) => error.fix_prefix(format!(
            "if the head of the queue is what cannot be read, {fix} and `greenq delete RECEIPT_ID` removes it"
        )),
        None => error,
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
