//! One queue's lease as this member holds it, shared by the queue's tail loop (through
//! `state::turn::Turn`) and the coordinator's thread. The loop hands on only while the
//! lease is held and its renew deadline (on the monotonic clock) has not passed.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::state::turn::Turn;
use crate::terminal::interrupt::Interrupt;
use crate::watch::fleet_metrics::FleetMetrics;

/// How often a loop waiting for its turn looks at its interrupt (a lease taken wakes it
/// at once): a member of 1,000 queues that holds a third wakes 1,300 times a second.
const WAIT_STEP: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy)]
pub struct Held {
    pub epoch: u64,
    /// The last renewal's (or the acquisition's) send time + the renew deadline: past it,
    /// the lease may have expired in Redis, and nothing is handed on.
    pub deadline: Instant,
    pub acquired: Instant,
}

#[derive(Debug, Default)]
pub struct SlotState {
    pub held: Option<Held>,
    /// The loop is handing a notification on (the work in flight).
    pub in_hand: bool,
    /// Over our share: give it back once the work in flight is done.
    pub give_back: bool,
    /// Given back or dropped while held: the coordinator deletes the key (epoch).
    pub to_release: Option<u64>,
    /// The loop ended: never taken again.
    pub closed: bool,
    /// The loop follows the queue since this lease was acquired (timed once).
    pub followed: bool,
}

pub struct Slot {
    pub instance: u64,
    pub profile: Option<String>,
    state: Mutex<SlotState>,
    changed: Condvar,
    /// Tells the coordinator that a release is waiting.
    poke: Arc<dyn Fn() + Send + Sync>,
    metrics: FleetMetrics,
}

impl Slot {
    pub fn new(
        instance: u64,
        profile: Option<String>,
        poke: Arc<dyn Fn() + Send + Sync>,
        metrics: FleetMetrics,
    ) -> Slot {
        Slot {
            instance,
            profile,
            state: Mutex::new(SlotState::default()),
            changed: Condvar::new(),
            poke,
            metrics,
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wakes the loop waiting for its turn.
    pub fn notify(&self) {
        self.changed.notify_all();
    }

    fn usable(state: &SlotState, now: Instant) -> Option<Held> {
        state.held.filter(|h| now < h.deadline && !state.give_back)
    }
}

/// What the loop holds: the slot, closed when the loop's state is dropped.
pub struct Lease(pub Arc<Slot>);

impl Drop for Lease {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.closed = true;
        if let Some(held) = state.held.take() {
            state.to_release = Some(held.epoch);
            drop(state);
            (self.0.poke)();
        }
    }
}

impl Turn for Lease {
    fn wait(&self, interrupt: &Interrupt) -> bool {
        let slot = &self.0;
        let mut state = slot.lock();
        loop {
            if interrupt.is_set() {
                return false;
            }
            let now = Instant::now();
            if let Some(held) = Slot::usable(&state, now) {
                if !state.followed {
                    state.followed = true;
                    slot.metrics
                        .followed(now.saturating_duration_since(held.acquired));
                }
                return true;
            }
            state = match slot.changed.wait_timeout(state, WAIT_STEP) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    fn begin(&self) -> Option<u64> {
        let mut state = self.0.lock();
        let held = Slot::usable(&state, Instant::now())?;
        state.in_hand = true;
        Some(held.epoch)
    }

    fn end(&self) -> bool {
        let mut state = self.0.lock();
        state.in_hand = false;
        if !state.give_back {
            return state.held.is_some();
        }
        state.give_back = false;
        if let Some(held) = state.held.take() {
            state.to_release = Some(held.epoch);
        }
        drop(state);
        (self.0.poke)();
        false
    }

    fn epoch(&self) -> Option<u64> {
        self.0.lock().held.map(|h| h.epoch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn lease() -> (Lease, Arc<AtomicUsize>) {
        let pokes = Arc::new(AtomicUsize::new(0));
        let p = pokes.clone();
        let poke = Arc::new(move || {
            p.fetch_add(1, Ordering::SeqCst);
        });
        let slot = Slot::new(7, None, poke, FleetMetrics::default());
        (Lease(Arc::new(slot)), pokes)
    }

    fn hold(lease: &Lease, epoch: u64, for_: Duration) {
        let now = Instant::now();
        lease.0.lock().held = Some(Held {
            epoch,
            deadline: now + for_,
            acquired: now,
        });
        lease.0.notify();
    }

    #[test]
    fn nothing_is_handed_on_past_the_renew_deadline() {
        let (lease, _) = lease();
        assert_eq!(lease.begin(), None, "not held");
        hold(&lease, 3, Duration::from_secs(60));
        assert_eq!(lease.begin(), Some(3));
        assert!(lease.end());
        hold(&lease, 4, Duration::ZERO);
        assert_eq!(lease.begin(), None, "held, but its deadline passed");
        assert_eq!(lease.epoch(), Some(4));
    }

    #[test]
    fn a_queue_given_back_waits_for_its_work_in_flight() {
        let (lease, pokes) = lease();
        hold(&lease, 9, Duration::from_secs(60));
        assert_eq!(lease.begin(), Some(9));
        // The coordinator asks for it back while a notification is in hand.
        lease.0.lock().give_back = true;
        assert_eq!(lease.begin(), None, "nothing new once it is asked back");
        assert!(!lease.end(), "the loop stops after its work in flight");
        let state = lease.0.lock();
        assert_eq!(state.to_release, Some(9));
        assert!(state.held.is_none() && !state.give_back);
        drop(state);
        assert_eq!(pokes.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_waiting_loop_wakes_when_its_lease_is_taken_and_stops_on_a_signal() {
        let (lease, _) = lease();
        let lease = Arc::new(lease);
        let waiter = {
            let lease = lease.clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                let go = lease.wait(&Interrupt::new());
                (go, started.elapsed())
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        hold(&lease, 1, Duration::from_secs(60));
        let (go, waited) = waiter.join().unwrap();
        assert!(go);
        assert!(
            waited < WAIT_STEP,
            "woken by the lease, not by the poll: {waited:?}"
        );
        let (idle, _) = self::lease();
        let interrupt = Interrupt::new();
        interrupt.trigger();
        assert!(!idle.wait(&interrupt));
    }

    #[test]
    fn a_dropped_lease_is_released_and_never_taken_again() {
        let (lease, pokes) = lease();
        let slot = lease.0.clone();
        hold(&lease, 5, Duration::from_secs(60));
        drop(lease);
        let state = slot.lock();
        assert!(state.closed);
        assert_eq!(state.to_release, Some(5));
        assert_eq!(pokes.load(Ordering::SeqCst), 1);
    }
}
