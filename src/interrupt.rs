//! Ctrl-C and SIGTERM: the first one stops the work at once (the HTTP request in flight
//! is aborted, a back-off sleep is cut short); a second one exits on the spot.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::exit::ExitCode;

#[derive(Clone, Default)]
pub struct Interrupt {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    signals: AtomicU32,
    set: Mutex<bool>,
    wake: Condvar,
    agent: Mutex<Option<ureq::Agent>>,
}

impl Interrupt {
    /// An interrupt that only `trigger` sets (for code that installs no handler).
    pub fn new() -> Self {
        Self::default()
    }

    /// Installs the process's Ctrl-C / SIGTERM handler. `agent` is shut down on the first
    /// signal, which makes a request blocked in a long poll fail at once.
    pub fn install(agent: Option<ureq::Agent>) -> Self {
        let interrupt = Self::new();
        *lock(&interrupt.inner.agent) = agent;
        let handler = interrupt.clone();
        // Failing to install (a handler is already there) leaves the default: the signal kills us.
        let _ = ctrlc::set_handler(move || handler.trigger());
        interrupt
    }

    pub fn trigger(&self) {
        if self.inner.signals.fetch_add(1, Ordering::SeqCst) >= 1 {
            eprintln!("greenq: interrupted again, exiting at once");
            std::process::exit(ExitCode::Interrupted.code());
        }
        *lock(&self.inner.set) = true;
        self.inner.wake.notify_all();
        if let Some(agent) = lock(&self.inner.agent).take() {
            agent.shutdown();
        }
    }

    pub fn is_set(&self) -> bool {
        self.inner.signals.load(Ordering::SeqCst) > 0
    }

    /// Sleeps for `duration` unless interrupted first; returns true when interrupted.
    pub fn sleep(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        let mut set = lock(&self.inner.set);
        while !*set {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            set = match self.inner.wake.wait_timeout(set, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        true
    }
}

/// A poisoned lock only means another thread panicked; the data is still usable here.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_runs_its_course_without_a_signal() {
        let i = Interrupt::new();
        let t = Instant::now();
        assert!(!i.sleep(Duration::from_millis(30)));
        assert!(t.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn trigger_cuts_a_sleep_short() {
        let i = Interrupt::new();
        let other = i.clone();
        let t = Instant::now();
        let h = std::thread::spawn(move || other.sleep(Duration::from_secs(30)));
        std::thread::sleep(Duration::from_millis(20));
        i.trigger();
        assert!(h.join().unwrap());
        assert!(i.is_set());
        assert!(t.elapsed() < Duration::from_secs(5));
    }
}
