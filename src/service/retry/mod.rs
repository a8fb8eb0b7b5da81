//! The retry policy: which failures are tried again, after how long, and what is said
//! meanwhile. One `Retry` lives as long as a command, so that its pause keeps growing
//! across calls until the caller reports progress: whatever a server answers, a request
//! that made no progress is followed by a longer pause than the one before. The delays
//! are `backoff`'s; what a watcher above learns of each retry is `observer`'s.

pub mod backoff;
pub mod observer;

use std::time::{Duration, Instant};

use crate::service::answer::{ApiError, Arrival};
use crate::service::retry::backoff::Backoff;
use crate::service::retry::observer::{RetryObserver, retry_class};
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;

/// With `--quiet`, trouble is still reported once it lasted this long, and then this often.
const QUIET_REPORT: Duration = Duration::from_secs(60);

/// A service that gives the same wrong answer this many times in a row will not change its
/// mind: a malformed answer, or (in `tail`) a head shown again after each delete, stops there.
pub const IN_A_ROW: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Retries per call (one-shot commands).
    Retries(u32),
    /// `tail`: an outage is waited out.
    Unlimited,
}

/// What a call may do again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// GET and DELETE: sending them twice does no harm.
    Safe,
    /// A POST: sent again only when it cannot have been carried out.
    OnlyIfNotCarriedOut,
    /// A POST whose user prefers a possible duplicate to stopping (`--at-least-once`).
    Always,
}

pub struct Retry<'a> {
    limit: Limit,
    backoff: Backoff,
    status: &'a Status,
    interrupt: &'a Interrupt,
    retries: u64,
    trouble_since: Option<Instant>,
    last_quiet_report: Option<Instant>,
    observer: Option<&'a dyn RetryObserver>,
}

impl<'a> Retry<'a> {
    pub fn new(limit: Limit, status: &'a Status, interrupt: &'a Interrupt) -> Self {
        Retry {
            limit,
            backoff: Backoff::new(),
            status,
            interrupt,
            retries: 0,
            trouble_since: None,
            last_quiet_report: None,
            observer: None,
        }
    }

    /// Tells `observer` of every retry and pause (`tail --metrics-listen`, systemd).
    pub fn observe(&mut self, observer: &'a dyn RetryObserver) {
        self.observer = Some(observer);
    }

    /// Retries made so far, for summaries.
    pub fn retries(&self) -> u64 {
        self.retries
    }

    /// Progress was made (a notification delivered and deleted, a call that succeeded
    /// in a batch): the next fault starts with a short pause again.
    pub fn progress(&mut self) {
        self.backoff.reset();
        if self.trouble_since.take().is_some() {
            self.status.failing(false);
        }
    }

    /// Runs `call` until it succeeds, fails for good, or the retries run out. Transient
    /// faults wait with back-off (`Retry-After` as a floor), one status line each.
    pub fn run<T>(
        &mut self,
        repeat: Repeat,
        mut call: impl FnMut() -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut done = 0u32;
        let mut malformed = 0u32;
        loop {
            match call() {
                // A fault of the service; a GET or DELETE is asked again, as after an outage.
                Err(ApiError::Malformed { reason }) if repeat == Repeat::Safe => {
                    malformed += 1;
                    let out_of_retries = matches!(self.limit, Limit::Retries(max) if done >= max);
                    if malformed >= IN_A_ROW || out_of_retries {
                        let reason = match malformed {
                            1 => reason,
                            n => format!("{reason}; {n} answers in a row like it"),
                        };
                        return Err(ApiError::Malformed { reason });
                    }
                    done += 1;
                    // Its reason quotes the answer: a class of its own, not `other`.
                    if self.again("malformed", &reason, None) {
                        return Err(ApiError::Interrupted);
                    }
                }
                Err(ApiError::Transient {
                    reason,
                    retry_after,
                    arrival,
                }) => {
                    if repeat == Repeat::OnlyIfNotCarriedOut && arrival == Arrival::Unknown {
                        return Err(ApiError::MayHaveArrived { reason });
                    }
                    if matches!(self.limit, Limit::Retries(max) if done >= max) {
                        return Err(ApiError::Exhausted {
                            reason,
                            retries: done,
                        });
                    }
                    done += 1;
                    if self.again(retry_class(&reason), &reason, retry_after) {
                        return Err(ApiError::Interrupted);
                    }
                }
                other => return other,
            }
        }
    }

    /// A retry of class `class`: counted, told to the observer, and paused for. True when
    /// a signal cut the pause short.
    fn again(&mut self, class: &'static str, reason: &str, retry_after: Option<Duration>) -> bool {
        self.retries += 1;
        if let Some(o) = self.observer {
            o.retrying(class);
        }
        self.pause(reason, retry_after, None)
    }

    /// Waits the next, longer pause after something that made no progress, and says why
    /// (`retrying in 2.1 s: <reason>`). `cap` bounds this pause (an empty queue is no
    /// fault). True when a signal cut it short.
    pub fn pause(
        &mut self,
        reason: &str,
        retry_after: Option<Duration>,
        cap: Option<Duration>,
    ) -> bool {
        let mut delay = self.backoff.next_delay(retry_after);
        if let Some(cap) = cap {
            delay = delay.min(cap);
        }
        if let Some(o) = self.observer {
            o.pausing(delay);
        }
        self.report(
            &format!("retrying in {:.1} s: {reason}", delay.as_secs_f64()),
            Instant::now(),
        );
        self.interrupt.sleep(delay)
    }

    /// A status line; with `--quiet`, one a minute once trouble lasted a minute, so that a
    /// loop that gets nowhere is never silent. True when it was shown.
    fn report(&mut self, line: &str, now: Instant) -> bool {
        if self.trouble_since.is_none() {
            self.status.failing(true);
        }
        let since = *self.trouble_since.get_or_insert(now);
        if !self.status.is_quiet() {
            self.status.line(line);
            return true;
        }
        let due = self
            .last_quiet_report
            .is_none_or(|at| now.duration_since(at) >= QUIET_REPORT);
        if now.duration_since(since) < QUIET_REPORT || !due {
            return false;
        }
        self.last_quiet_report = Some(now);
        self.status.warning(format_args!(
            "no progress for {} s: {line}",
            now.duration_since(since).as_secs()
        ));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transient(arrival: Arrival) -> ApiError {
        ApiError::Transient {
            reason: "HTTP 502".into(),
            retry_after: None,
            arrival,
        }
    }

    #[test]
    fn a_post_that_may_have_arrived_is_not_sent_again() {
        let status = Status::new(true, false);
        let interrupt = Interrupt::new();
        let mut retry = Retry::new(Limit::Retries(3), &status, &interrupt);
        let mut calls = 0;
        let result: Result<(), _> = retry.run(Repeat::OnlyIfNotCarriedOut, || {
            calls += 1;
            Err(transient(Arrival::Unknown))
        });
        assert_eq!(calls, 1);
        assert!(matches!(result, Err(ApiError::MayHaveArrived { .. })));
    }

    #[test]
    fn quiet_trouble_is_reported_once_a_minute_after_the_first_minute() {
        let status = Status::new(true, false);
        let interrupt = Interrupt::new();
        let mut retry = Retry::new(Limit::Unlimited, &status, &interrupt);
        let t0 = Instant::now();
        let at = |secs| t0 + Duration::from_secs(secs);
        let shown: Vec<bool> = [0, 30, 61, 90, 122]
            .into_iter()
            .map(|s| retry.report("x", at(s)))
            .collect();
        assert_eq!(shown, [false, false, true, false, true]);
        retry.progress();
        assert!(
            !retry.report("x", at(200)),
            "progress starts the minute again"
        );
        let loud = Status::new(false, false);
        let mut retry = Retry::new(Limit::Unlimited, &loud, &interrupt);
        assert!(retry.report("x", t0));
    }

    #[test]
    fn retries_stop_at_the_limit_and_never_on_a_permanent_error() {
        let status = Status::new(true, false);
        let interrupt = Interrupt::new();
        // Interrupted at once: the pauses end immediately, the policy is what is tested.
        let mut retry = Retry::new(Limit::Retries(0), &status, &interrupt);
        let mut calls = 0;
        let result: Result<(), _> = retry.run(Repeat::Safe, || {
            calls += 1;
            Err(transient(Arrival::NotSent))
        });
        assert!(matches!(
            result,
            Err(ApiError::Exhausted { retries: 0, .. })
        ));
        let result: Result<(), _> = retry.run(Repeat::Safe, || {
            calls += 1;
            Err(ApiError::Quota {
                detail: String::new(),
            })
        });
        assert!(matches!(result, Err(ApiError::Quota { .. })));
        assert_eq!(calls, 2);
    }

    #[test]
    fn a_malformed_answer_is_asked_again_in_a_safe_call_only() {
        let status = Status::new(true, false);
        let interrupt = Interrupt::new();
        // Pauses cut short: the policy is what is tested.
        interrupt.trigger();
        let malformed = || ApiError::Malformed {
            reason: "HTTP 200 with a body that is not x".into(),
        };
        let mut retry = Retry::new(Limit::Retries(3), &status, &interrupt);
        let mut calls = 0;
        let result: Result<(), _> = retry.run(Repeat::OnlyIfNotCarriedOut, || {
            calls += 1;
            Err(malformed())
        });
        assert_eq!(calls, 1, "a POST that was answered is never sent again");
        assert_eq!(result, Err(malformed()));
        // A safe call is asked again (the four in a row are the integration tests').
        let mut retry = Retry::new(Limit::Retries(0), &status, &interrupt);
        let mut calls = 0;
        let result: Result<(), _> = retry.run(Repeat::Safe, || {
            calls += 1;
            Err(malformed())
        });
        assert_eq!((calls, result), (1, Err(malformed())), "no retry left");
        let mut retry = Retry::new(Limit::Retries(3), &status, &interrupt);
        let mut calls = 0;
        let result: Result<(), _> = retry.run(Repeat::Safe, || {
            calls += 1;
            Err(malformed())
        });
        assert_eq!(
            (calls, result),
            (1, Err(ApiError::Interrupted)),
            "retried: the pause began"
        );
        assert_eq!(retry.retries(), 1);
    }
}
