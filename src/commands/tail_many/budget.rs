//! `-n N` across all instances of a multi-instance tail: a handler around each
//! instance's own that takes one of the N slots before handing a notification on. When
//! none is left the notification is not handed on and stays queued (the instance ends as
//! after a closed stdout); when the N-th is done, every instance is stopped.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::stop::{Reason, Stopper};
use crate::consumer::handler::{Handler, Outcome};
use crate::exit::Result;
use crate::notification::Envelope;

pub struct Budget {
    limit: u64,
    taken: AtomicU64,
    done: AtomicU64,
    stopper: Arc<Stopper>,
}

impl Budget {
    pub fn new(limit: u64, stopper: Arc<Stopper>) -> Arc<Budget> {
        Arc::new(Budget {
            limit,
            taken: AtomicU64::new(0),
            done: AtomicU64::new(0),
            stopper,
        })
    }

    fn take(&self) -> bool {
        self.taken
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                (t < self.limit).then_some(t + 1)
            })
            .is_ok()
    }
}

pub struct Budgeted {
    inner: Box<dyn Handler>,
    budget: Arc<Budget>,
    /// A slot taken and not yet used: kept across failed attempts.
    holding: bool,
}

impl Budgeted {
    pub fn new(inner: Box<dyn Handler>, budget: Arc<Budget>) -> Self {
        Budgeted {
            inner,
            budget,
            holding: false,
        }
    }
}

impl Handler for Budgeted {
    fn handle(&mut self, envelope: &Envelope, attempt: u32) -> Result<Outcome> {
        if !self.holding {
            if !self.budget.take() {
                self.budget.stopper.stop(Reason::Done);
                return Ok(Outcome::Closed);
            }
            self.holding = true;
        }
        let outcome = self.inner.handle(envelope, attempt);
        match &outcome {
            Ok(Outcome::Done) => {
                self.holding = false;
                if self.budget.done.fetch_add(1, Ordering::SeqCst) + 1 >= self.budget.limit {
                    self.budget.stopper.stop(Reason::Done);
                }
            }
            // The next attempt (or, once set aside, the next notification) uses the slot.
            Ok(Outcome::Failed(_)) => {}
            _ => {
                self.holding = false;
                self.budget.taken.fetch_sub(1, Ordering::SeqCst);
            }
        }
        outcome
    }

    fn waits_after_signal(&self) -> bool {
        self.inner.waits_after_signal()
    }

    fn records_handled(&self) -> bool {
        self.inner.records_handled()
    }

    fn name(&self) -> &str {
        self.inner.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Always(Outcome);
    impl Handler for Always {
        fn handle(&mut self, _: &Envelope, _: u32) -> Result<Outcome> {
            Ok(self.0.clone())
        }
        fn name(&self) -> &str {
            "test"
        }
    }

    fn envelope() -> Envelope {
        serde_json::from_str(r#"{"receiptId":1,"body":{"typeWebhook":"x"}}"#).unwrap()
    }

    #[test]
    fn n_slots_are_shared_and_the_last_stops_everyone() {
        let stopper = Arc::new(Stopper::default());
        let budget = Budget::new(3, stopper.clone());
        let mut a = Budgeted::new(Box::new(Always(Outcome::Done)), budget.clone());
        let mut b = Budgeted::new(Box::new(Always(Outcome::Done)), budget.clone());
        let e = envelope();
        assert_eq!(a.handle(&e, 1).unwrap(), Outcome::Done);
        assert_eq!(b.handle(&e, 1).unwrap(), Outcome::Done);
        assert_eq!(stopper.reason(), None);
        assert_eq!(a.handle(&e, 1).unwrap(), Outcome::Done);
        assert_eq!(stopper.reason(), Some(Reason::Done));
        assert_eq!(b.handle(&e, 1).unwrap(), Outcome::Closed);
    }

    #[test]
    fn a_notification_not_handed_on_gives_its_slot_back() {
        let stopper = Arc::new(Stopper::default());
        let budget = Budget::new(1, stopper.clone());
        let mut down = Budgeted::new(
            Box::new(Always(Outcome::Unreachable("down".into()))),
            budget.clone(),
        );
        let mut ok = Budgeted::new(Box::new(Always(Outcome::Done)), budget);
        let e = envelope();
        assert!(matches!(
            down.handle(&e, 1).unwrap(),
            Outcome::Unreachable(_)
        ));
        assert_eq!(ok.handle(&e, 1).unwrap(), Outcome::Done);
    }
}
