//! Stopping every instance of a multi-instance tail at once: on Ctrl-C, when `-n` is
//! reached or stdout closed, or at the first error with `--fail-fast`. Each instance's
//! interrupt is triggered once (a second trigger would mean "exit now").

use std::sync::{Mutex, MutexGuard};

use crate::terminal::interrupt::Interrupt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Ctrl-C or SIGTERM: the instances stopped end as interrupted (exit 130).
    Signal,
    /// `-n` reached, or stdout closed: a normal end.
    Done,
    /// `--fail-fast` after an instance stopped on an error.
    FailFast,
}

#[derive(Default)]
pub struct Stopper {
    interrupts: Mutex<Vec<Interrupt>>,
    reason: Mutex<Option<Reason>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Stopper {
    /// Stops `interrupt` with the others; at once if they were stopped already.
    pub fn watch(&self, interrupt: Interrupt) {
        let mut interrupts = lock(&self.interrupts);
        // Under the list's lock: `stop` sets the reason before it takes the list.
        if self.reason().is_some() {
            drop(interrupts);
            interrupt.trigger();
            return;
        }
        interrupts.push(interrupt);
    }

    /// Stops every instance; the first reason is the one that counts.
    pub fn stop(&self, reason: Reason) {
        {
            let mut first = lock(&self.reason);
            if first.is_some() {
                return;
            }
            *first = Some(reason);
        }
        let interrupts = std::mem::take(&mut *lock(&self.interrupts));
        for interrupt in interrupts {
            interrupt.trigger();
        }
    }

    pub fn reason(&self) -> Option<Reason> {
        *lock(&self.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_counts_and_each_interrupt_is_triggered_once() {
        let stopper = Stopper::default();
        let (a, b) = (Interrupt::new(), Interrupt::new());
        stopper.watch(a.clone());
        stopper.watch(b.clone());
        stopper.stop(Reason::Done);
        // A second stop must not trigger again: that would exit the process.
        stopper.stop(Reason::Signal);
        assert!(a.is_set() && b.is_set());
        assert_eq!(stopper.reason(), Some(Reason::Done));
        let late = Interrupt::new();
        stopper.watch(late.clone());
        assert!(late.is_set(), "watched after the stop");
    }
}
