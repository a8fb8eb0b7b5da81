//! Handing one notification on, for `tail`: the `--type` filter, `--dedupe`, then the
//! handler, with attempts and a growing pause between failed ones, and, when the
//! attempts run out, the dead-letter file or a stop. It says whether the notification
//! may be deleted; it never deletes anything itself.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::consumer::dead_letter::DeadLetter;
use crate::consumer::dedupe::Dedupe;
use crate::consumer::handler::{Handler, Outcome};
use crate::exit::{Error, Result};
use crate::notification::Envelope;
use crate::state::turn::Turn;
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;
use crate::watch::probe::Probe;

/// The pause after the first failed attempt; it doubles up to `PAUSE_CAP` (the live
/// service pauses 60 s between webhook retries).
const PAUSE_FIRST: Duration = Duration::from_secs(1);
const PAUSE_CAP: Duration = Duration::from_secs(60);
/// A signal sent to the whole unit at once (systemd's default KillMode=control-group
/// sends SIGTERM to the command's group too) can end the command before greenq's own
/// handler thread has seen it: how long a failed command or hook waits for it. A Ctrl-C
/// on the terminal cannot race so: the command has a process group of its own, and
/// greenq forwards the signal only after it was set.
const SIGNAL_SETTLE: Duration = Duration::from_millis(250);
// The signal becomes visible only after its line was said (at most `SAY_WAIT`): well
// within the settle, or a command killed by that same signal would count as failed.
const _: () =
    assert!(SIGNAL_SETTLE.as_millis() >= 4 * crate::terminal::interrupt::SAY_WAIT.as_millis());

/// What to do with the notification now.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Handled, set aside, a duplicate or not wanted: delete it.
    Delete,
    /// Keep it queued and stop: a signal came first.
    Interrupted,
    /// Keep it queued and stop quietly: stdout was closed.
    Closed,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub handled: u64,
    pub failed_attempts: u64,
    pub dead_lettered: u64,
    pub duplicates: u64,
    pub skipped: u64,
}

pub struct Settings {
    /// Hand on only these typeWebhooks; empty hands on all.
    pub types: Vec<String>,
    /// Attempts per notification; `None` tries without end.
    pub max_attempts: Option<u32>,
    pub dead_letter: Option<DeadLetter>,
    pub dedupe: Option<Dedupe>,
}

pub struct Delivery {
    handler: Box<dyn Handler>,
    settings: Settings,
    /// Printing has no attempts: its summary says "printed".
    printing: bool,
    status: Arc<Status>,
    interrupt: Interrupt,
    counts: Counts,
    rng: fastrand::Rng,
    /// The metrics and the watchdog of `greenq_*` (`--metrics-listen`, systemd).
    probe: Probe,
    /// `--coordinate`: the queue's turn; the loop hands on only while it holds it.
    turn: Option<Arc<dyn Turn>>,
}

impl Delivery {
    pub fn new(
        handler: Box<dyn Handler>,
        printing: bool,
        settings: Settings,
        status: Arc<Status>,
        interrupt: Interrupt,
    ) -> Delivery {
        Delivery {
            handler,
            settings,
            printing,
            status,
            interrupt,
            counts: Counts::default(),
            rng: fastrand::Rng::new(),
            probe: Probe::detached(),
            turn: None,
        }
    }

    pub fn with_turn(mut self, turn: Option<Arc<dyn Turn>>) -> Delivery {
        self.turn = turn;
        self
    }

    /// The queue's turn, with `--coordinate`.
    pub fn turn(&self) -> Option<Arc<dyn Turn>> {
        self.turn.clone()
    }

    pub fn set_probe(&mut self, probe: Probe) {
        self.probe = probe;
    }

    pub fn probe(&self) -> &Probe {
        &self.probe
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Whether the handler is let finish after Ctrl-C (a command, a hook), so that its
    /// notification is acknowledged even when that takes longer than a write.
    pub fn waits_after_signal(&self) -> bool {
        self.handler.waits_after_signal()
    }

    /// Whether a handled notification is in the ledger already (`--exec`'s keeper commits
    /// it before it answers).
    pub fn handler_records(&self) -> bool {
        self.handler.records_handled()
    }

    /// Whether `--dedupe` is on (its keys go into the ledger).
    pub fn dedupes(&self) -> bool {
        self.settings.dedupe.is_some()
    }

    /// `12 printed, 3 skipped` or `12 handled, 2 failed attempts, 1 dead-lettered,
    /// 0 duplicates, 3 skipped`: the first half of tail's summary.
    pub fn summary(&self) -> String {
        let c = &self.counts;
        if self.printing {
            let mut s = format!("{} printed, {} skipped", c.handled, c.skipped);
            if self.settings.dedupe.is_some() {
                s.push_str(&format!(", {} duplicates", c.duplicates));
            }
            s
        } else {
            format!(
                "{} handled, {} failed attempts, {} dead-lettered, {} duplicates, {} skipped",
                c.handled, c.failed_attempts, c.dead_lettered, c.duplicates, c.skipped
            )
        }
    }

    /// Hands the notification on, as often as it takes, and says what to do with it.
    /// An `Err` leaves it queued: a failure of greenq's own, or a notification whose
    /// attempts ran out with no dead-letter file (it stays at the head of the queue).
    pub fn hand_on(&mut self, envelope: &Envelope) -> Result<Step> {
        let wanted = self.settings.types.is_empty()
            || envelope
                .type_webhook()
                .is_some_and(|t| self.settings.types.iter().any(|w| *w == t));
        if !wanted {
            self.counts.skipped += 1;
            self.probe.skipped();
            return Ok(Step::Delete);
        }
        let key = self
            .settings
            .dedupe
            .as_ref()
            .and_then(|_| Dedupe::key_of(envelope.body.get()));
        if let (Some(dedupe), Some(key)) = (&self.settings.dedupe, &key)
            && dedupe.contains(key)
        {
            self.counts.duplicates += 1;
            self.probe.duplicate();
            self.status.line(format_args!(
                "receipt {}: a duplicate of a notification handled before (--dedupe); deleted without handing it on",
                envelope.receipt_id
            ));
            return Ok(Step::Delete);
        }
        let mut attempt: u32 = 1;
        let mut failures: u32 = 0;
        let mut waits: u32 = 0;
        loop {
            // A signal before the handing on: this one is not handed on, not deleted.
            if self.interrupt.is_set() {
                return Ok(Step::Interrupted);
            }
            self.probe.attempt_starts();
            let started = Instant::now();
            let outcome = self.handler.handle(envelope, attempt)?;
            self.probe.attempt_took(started.elapsed());
            match outcome {
                Outcome::Done => {
                    self.counts.handled += 1;
                    self.probe.handled();
                    if let (Some(dedupe), Some(key)) = (&mut self.settings.dedupe, key) {
                        dedupe.insert(key);
                    }
                    self.show_progress();
                    return Ok(Step::Delete);
                }
                Outcome::Closed => return Ok(Step::Closed),
                Outcome::Interrupted => return Ok(Step::Interrupted),
                Outcome::Unreachable(why) => {
                    let pause = self.pause(waits);
                    waits = waits.saturating_add(1);
                    self.probe.attempt_pause(pause);
                    self.status.line(format_args!(
                        "{} is unreachable ({why}); trying again in {:.1} s (not counted as an attempt)",
                        self.handler.name(),
                        pause.as_secs_f64()
                    ));
                    if self.interrupt.sleep(pause) {
                        return Ok(Step::Interrupted);
                    }
                }
                // A command killed by the same Ctrl-C that stops greenq was not at fault:
                // it keeps its attempts and stays queued (the signal may still be on its way).
                Outcome::Failed(_)
                    if self.interrupt.is_set()
                        || (self.handler.waits_after_signal()
                            && self.interrupt.sleep(SIGNAL_SETTLE)) =>
                {
                    return Ok(Step::Interrupted);
                }
                Outcome::Failed(why) => {
                    self.counts.failed_attempts += 1;
                    self.probe.failed_attempt();
                    if self.settings.max_attempts.is_some_and(|max| attempt >= max) {
                        return self.give_up(envelope, attempt, &why);
                    }
                    let pause = self.pause(failures);
                    failures = failures.saturating_add(1);
                    self.probe.attempt_pause(pause);
                    self.status.line(format_args!(
                        "receipt {}: attempt {attempt} failed: {why}; next attempt in {:.1} s",
                        envelope.receipt_id,
                        pause.as_secs_f64()
                    ));
                    if self.interrupt.sleep(pause) {
                        return Ok(Step::Interrupted);
                    }
                    attempt = attempt.saturating_add(1);
                }
            }
        }
    }

    /// The attempts ran out: into the dead-letter file (then delete), or stop.
    fn give_up(&mut self, envelope: &Envelope, attempts: u32, why: &str) -> Result<Step> {
        let receipt = envelope.receipt_id;
        let Some(dead_letter) = &mut self.settings.dead_letter else {
            let kind = envelope.type_webhook().map_or_else(String::new, |t| {
                format!(" ({})", crate::text::escape_controls(&t))
            });
            return Err(Error::failure(format!(
                "receipt {receipt}{kind} was not handled after {}",
                crate::text::count_of(attempts, "attempt", "attempts")
            ))
            .why(format!("last: {why}"))
            .fix(format!(
                "it stays at the head of the queue, so tail would stop on it again: look at it with \
                 `greenq receive`; set it aside with `greenq receive > stuck.json && greenq delete {receipt}`; \
                 or run with --dead-letter FILE to set such notifications aside and go on"
            )));
        };
        dead_letter.append(envelope, attempts, why)?;
        self.counts.dead_lettered += 1;
        self.probe.dead_lettered();
        self.status.line(format_args!(
            "receipt {receipt}: not handled after {} ({why}); written to {} and deleted",
            crate::text::count_of(attempts, "attempt", "attempts"),
            dead_letter.path().display()
        ));
        Ok(Step::Delete)
    }

    /// About 1 s, then doubling up to 60 s; each drawn from the upper quarter below its
    /// step, so that greenq and the hook do not fall into lockstep.
    fn pause(&mut self, n: u32) -> Duration {
        let step = PAUSE_FIRST
            .saturating_mul(1u32.checked_shl(n.min(16)).unwrap_or(u32::MAX))
            .min(PAUSE_CAP);
        let ms = step.as_millis() as u64;
        Duration::from_millis(ms - self.rng.u64(0..=ms / 4))
    }

    fn show_progress(&self) {
        let verb = if self.printing { "printed" } else { "handled" };
        self.status.handed_on(self.counts.handled, verb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A handler that answers from a script, for the loop's logic; the real handlers
    /// are driven by the integration tests.
    struct Scripted(Vec<Outcome>, Vec<u32>);

    impl Handler for Scripted {
        fn handle(&mut self, _: &Envelope, attempt: u32) -> Result<Outcome> {
            self.1.push(attempt);
            Ok(if self.0.is_empty() {
                Outcome::Done
            } else {
                self.0.remove(0)
            })
        }
        fn name(&self) -> &str {
            "the test"
        }
    }

    fn envelope(body: &str) -> Envelope {
        serde_json::from_str(&format!(r#"{{"receiptId":9,"body":{body}}}"#)).unwrap()
    }

    fn delivery(outcomes: Vec<Outcome>, settings: Settings) -> Delivery {
        Delivery::new(
            Box::new(Scripted(outcomes, Vec::new())),
            false,
            settings,
            Arc::new(Status::new(true, false)),
            Interrupt::new(),
        )
    }

    fn settings() -> Settings {
        Settings {
            types: Vec::new(),
            max_attempts: None,
            dead_letter: None,
            dedupe: None,
        }
    }

    #[test]
    fn pauses_start_near_a_second_and_stop_growing_at_a_minute() {
        let mut d = delivery(Vec::new(), settings());
        let first = d.pause(0);
        assert!(
            first >= Duration::from_millis(750) && first <= PAUSE_FIRST,
            "{first:?}"
        );
        let second = d.pause(1);
        assert!(second >= Duration::from_millis(1500) && second <= Duration::from_secs(2));
        for n in [6, 7, 20, u32::MAX] {
            let p = d.pause(n);
            assert!(p >= Duration::from_secs(45) && p <= PAUSE_CAP, "{n}: {p:?}");
        }
    }

    #[test]
    fn attempts_run_out_into_an_error_that_says_how_to_set_it_aside() {
        let mut s = settings();
        s.max_attempts = Some(1);
        let mut d = delivery(vec![Outcome::Failed("exit status 1".into())], s);
        let e = d.hand_on(&envelope(r#"{"typeWebhook":"x"}"#)).unwrap_err();
        let text = e.to_string();
        assert_eq!(e.code.code(), 1);
        assert!(
            text.contains("receipt 9 (x) was not handled after 1 attempt (last"),
            "{text}"
        );
        assert!(
            text.contains("greenq delete 9") && text.contains("--dead-letter"),
            "{text}"
        );
        assert_eq!(d.counts().failed_attempts, 1);
    }

    #[test]
    fn unwanted_types_and_duplicates_are_deleted_without_the_handler() {
        let mut s = settings();
        s.types = vec!["a".into()];
        s.dedupe = Some(Dedupe::new(10));
        let mut d = delivery(Vec::new(), s);
        let a = envelope(r#"{"typeWebhook":"a","idMessage":"1"}"#);
        assert_eq!(d.hand_on(&a).unwrap(), Step::Delete);
        assert_eq!(d.hand_on(&a).unwrap(), Step::Delete);
        assert_eq!(
            d.hand_on(&envelope(r#"{"typeWebhook":"b","idMessage":"1"}"#))
                .unwrap(),
            Step::Delete
        );
        let c = d.counts();
        assert_eq!((c.handled, c.duplicates, c.skipped), (1, 1, 1));
        assert_eq!(
            d.summary(),
            "1 handled, 0 failed attempts, 0 dead-lettered, 1 duplicates, 1 skipped"
        );
    }

    #[test]
    fn a_signal_before_the_first_attempt_keeps_the_notification() {
        let interrupt = Interrupt::new();
        let mut d = Delivery::new(
            Box::new(Scripted(Vec::new(), Vec::new())),
            true,
            settings(),
            Arc::new(Status::new(true, false)),
            interrupt.clone(),
        );
        interrupt.trigger();
        assert_eq!(
            d.hand_on(&envelope(r#"{"typeWebhook":"a"}"#)).unwrap(),
            Step::Interrupted
        );
        assert_eq!(d.summary(), "0 printed, 0 skipped");
    }
}
