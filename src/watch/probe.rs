//! One followed instance's handle on the watch: its series (cheap atomic updates), its
//! readiness, and its watchdog lease. The loop, the delivery and the retries report to
//! it; a detached probe (no `--metrics-listen`, no systemd) counts into nothing.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;

use crate::service::retry::observer::RetryObserver;
use crate::watch::metrics::{Families, Labels, RETRY_REASONS, RetryLabels};
use crate::watch::readiness::InstanceState;

/// How long past a pause the loop may take to report again (a long poll and its margin).
const DEFAULT_STEP: Duration = Duration::from_secs(90);

#[derive(Clone)]
pub struct Probe {
    received: Counter,
    handled: Counter,
    deleted: Counter,
    failed_attempts: Counter,
    dead_lettered: Counter,
    duplicates: Counter,
    repeats: Counter,
    skipped: Counter,
    retries: Arc<[(&'static str, Counter)]>,
    handler_seconds: Histogram,
    queue_depth: Gauge,
    last_receive: Gauge<f64, AtomicU64>,
    up: Gauge,
    pub(crate) state: Arc<InstanceState>,
    /// The longest one step of the loop may take (a long poll, a handler attempt).
    step: Duration,
    handler_step: Duration,
}

impl Probe {
    /// Counts into nothing: for a run with no watcher.
    pub fn detached() -> Probe {
        Probe::registered(
            &Families::default(),
            Labels {
                instance: String::new(),
                profile: None,
            },
        )
    }

    /// The instance's series in `families`, created at zero.
    pub(crate) fn registered(f: &Families, labels: Labels) -> Probe {
        let counter = |family: &prometheus_client::metrics::family::Family<Labels, Counter>| {
            family.get_or_create_owned(&labels)
        };
        let retries = RETRY_REASONS
            .iter()
            .map(|reason| {
                let l = RetryLabels {
                    who: labels.clone(),
                    reason: reason.to_string(),
                };
                (*reason, f.retries.get_or_create_owned(&l))
            })
            .collect();
        let handler_seconds = match &f.handler_seconds {
            Some(family) => family.get_or_create_owned(&labels),
            None => Histogram::new([]),
        };
        Probe {
            received: counter(&f.received),
            handled: counter(&f.handled),
            deleted: counter(&f.deleted),
            failed_attempts: counter(&f.failed_attempts),
            dead_lettered: counter(&f.dead_lettered),
            duplicates: counter(&f.duplicates),
            repeats: counter(&f.repeats),
            skipped: counter(&f.skipped),
            retries,
            handler_seconds,
            queue_depth: f.queue_depth.get_or_create_owned(&labels),
            last_receive: f.last_receive.get_or_create_owned(&labels),
            up: f.up.get_or_create_owned(&labels),
            state: InstanceState::new(labels.instance.clone()),
            step: DEFAULT_STEP,
            handler_step: DEFAULT_STEP,
        }
    }

    /// How long one receive (`receive`) and one handler attempt (`handler`) may take at
    /// most: the watchdog's lease for each step.
    pub fn set_steps(&mut self, receive: Duration, handler: Duration) {
        self.step = receive;
        self.handler_step = handler;
    }

    /// A receive (or the settings read at start) was answered by the service.
    pub fn answered(&self) {
        self.state.answered();
        if self.state.not_ready().is_none() {
            self.up.set(1);
        }
    }

    /// A receive came back (empty or not): the service answers and the loop turns.
    pub fn receive_answered(&self, got_one: bool) {
        self.answered();
        if got_one {
            self.received.inc();
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        self.last_receive.set(now);
    }

    /// The loop starts a step that ends within the receive lease.
    pub fn turn(&self) {
        self.state.busy_for(self.step);
    }

    /// `--coordinate`: the loop waits for its turn (another member holds the queue).
    pub fn standing_by(&self) {
        self.state.standing_by();
    }

    /// A handler attempt starts.
    pub fn attempt_starts(&self) {
        self.state.busy_for(self.handler_step);
    }

    /// A pause between a handler's failed attempts starts.
    pub fn attempt_pause(&self, pause: Duration) {
        self.state.busy_for(pause + self.handler_step);
    }

    pub fn attempt_took(&self, took: Duration) {
        self.handler_seconds.observe(took.as_secs_f64());
    }

    pub fn handled(&self) {
        self.handled.inc();
    }
    pub fn deleted(&self) {
        self.deleted.inc();
    }
    pub fn failed_attempt(&self) {
        self.failed_attempts.inc();
    }
    pub fn dead_lettered(&self) {
        self.dead_lettered.inc();
    }
    pub fn duplicate(&self) {
        self.duplicates.inc();
    }
    pub fn repeat(&self) {
        self.repeats.inc();
    }
    pub fn skipped(&self) {
        self.skipped.inc();
    }

    pub fn set_queue_depth(&self, depth: u64) {
        self.queue_depth
            .set(i64::try_from(depth).unwrap_or(i64::MAX));
    }

    /// The instance's loop ended: not ready, not up, no more watchdog.
    pub fn stopped(&self, why: &str) {
        self.state.stop(why);
        self.up.set(0);
    }

    /// `12 handled, 1 failed attempts`: for systemd's STATUS=.
    pub fn status(&self) -> String {
        format!(
            "{}: {} handled, {} deleted, {} failed attempts, queue depth {}",
            self.state.name,
            self.handled.get(),
            self.deleted.get(),
            self.failed_attempts.get(),
            self.queue_depth.get()
        )
    }
}

impl RetryObserver for Probe {
    fn retrying(&self, reason: &'static str) {
        if let Some((_, counter)) = self.retries.iter().find(|(r, _)| *r == reason) {
            counter.inc();
        }
    }

    /// A deliberate pause is progress for the watchdog: the step after it gets its lease.
    fn pausing(&self, delay: Duration) {
        self.state.busy_for(delay + self.step);
    }
}
