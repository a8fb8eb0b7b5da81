//! What `/readyz`, `greenq_up` and systemd's READY=1 are decided from: for each followed
//! instance, whether the service answered yet (the settings read at start, or a
//! receive), whether it stopped (and why), and until when its loop is expected back
//! (the watchdog's lease: a step that overruns it is stuck).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// One instance's state.
pub struct InstanceState {
    pub name: String,
    answered: AtomicBool,
    stopped: Mutex<Option<String>>,
    /// Milliseconds since `epoch()` until which the loop is known to be busy or waiting.
    alive_until: AtomicU64,
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    epoch().elapsed().as_millis() as u64
}

impl InstanceState {
    pub fn new(name: String) -> Arc<InstanceState> {
        Arc::new(InstanceState {
            name,
            answered: AtomicBool::new(false),
            stopped: Mutex::new(None),
            alive_until: AtomicU64::new(0),
        })
    }

    /// The service answered; true the first time.
    pub fn answered(&self) -> bool {
        !self.answered.swap(true, Ordering::Relaxed)
    }

    pub fn stop(&self, why: &str) {
        if let Ok(mut stopped) = self.stopped.lock() {
            stopped.get_or_insert_with(|| why.to_string());
        }
    }

    /// Its loop ended (an error, the end of the run).
    pub fn has_stopped(&self) -> bool {
        self.stopped.lock().map_or(true, |s| s.is_some())
    }

    /// Why it is not ready, if it is not.
    pub fn not_ready(&self) -> Option<String> {
        if let Some(why) = self.stopped.lock().ok().and_then(|s| s.clone()) {
            return Some(format!("instance {} stopped: {why}", self.name));
        }
        (!self.answered.load(Ordering::Relaxed)).then(|| {
            format!(
                "waiting for the first answer of the service for instance {}",
                self.name
            )
        })
    }

    /// The loop will be back within `within` (a long poll, a pause, a handler).
    pub fn busy_for(&self, within: Duration) {
        let until = now_ms().saturating_add(within.as_millis() as u64);
        self.alive_until.store(until, Ordering::Relaxed);
    }

    /// `--coordinate`: another member holds the queue and the loop waits for its turn.
    /// That is its job: ready, and alive until its next step (`busy_for`) says otherwise.
    pub fn standing_by(&self) {
        self.answered.store(true, Ordering::Relaxed);
        self.alive_until.store(u64::MAX, Ordering::Relaxed);
    }

    /// The loop is within its lease (the watchdog may be fed) and not stopped.
    pub fn is_alive(&self) -> bool {
        self.alive_at(now_ms())
    }

    fn alive_at(&self, now_ms: u64) -> bool {
        // Strictly before: a loop that never reported (0) is not alive in the epoch's
        // first millisecond either.
        now_ms < self.alive_until.load(Ordering::Relaxed)
            && self.stopped.lock().is_ok_and(|s| s.is_none())
    }
}

/// Every followed instance.
#[derive(Default)]
pub struct Readiness {
    instances: Mutex<Vec<Arc<InstanceState>>>,
}

impl Readiness {
    pub fn add(&self, state: Arc<InstanceState>) {
        if let Ok(mut all) = self.instances.lock() {
            all.push(state);
        }
    }

    fn all(&self) -> Vec<Arc<InstanceState>> {
        self.instances.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// `Ok` when every instance answered and none stopped; else the first reason.
    pub fn verdict(&self) -> Result<(), String> {
        let all = self.all();
        if all.is_empty() {
            return Err("starting".into());
        }
        match all.iter().find_map(|i| i.not_ready()) {
            Some(why) => Err(why),
            None => Ok(()),
        }
    }

    /// Every instance's loop is within its lease.
    pub fn all_alive(&self) -> bool {
        let all = self.all();
        !all.is_empty() && all.iter().all(|i| i.is_alive())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_once_every_instance_answered_and_until_one_stops() {
        let r = Readiness::default();
        assert_eq!(r.verdict(), Err("starting".into()));
        let (a, b) = (
            InstanceState::new("1".into()),
            InstanceState::new("2".into()),
        );
        r.add(a.clone());
        r.add(b.clone());
        assert!(a.answered());
        assert!(!a.answered(), "only the first answer is news");
        let why = r.verdict().unwrap_err();
        assert!(why.contains("instance 2"), "{why}");
        b.answered();
        assert_eq!(r.verdict(), Ok(()));
        b.stop("HTTP 401");
        assert_eq!(r.verdict(), Err("instance 2 stopped: HTTP 401".into()));
    }

    #[test]
    fn alive_only_within_the_lease() {
        let r = Readiness::default();
        let a = InstanceState::new("1".into());
        r.add(a.clone());
        assert!(!r.all_alive());
        a.busy_for(Duration::from_secs(60));
        assert!(r.all_alive());
        assert!(
            !a.alive_at(now_ms() + 61_000),
            "a lease that ran out is a stuck loop"
        );
        a.stop("HTTP 401");
        assert!(!r.all_alive(), "a stopped loop feeds no watchdog");
    }

    #[test]
    fn a_standby_is_ready_and_alive_until_its_next_step() {
        let r = Readiness::default();
        let a = InstanceState::new("1".into());
        r.add(a.clone());
        a.standing_by();
        assert_eq!(r.verdict(), Ok(()));
        assert!(
            a.alive_at(now_ms() + 3_600_000),
            "a standby waits as long as it must"
        );
        a.busy_for(Duration::from_secs(60));
        assert!(
            !a.alive_at(now_ms() + 61_000),
            "its turn came: leases again"
        );
    }
}
