//! Ctrl-C and SIGTERM. The first signal stops the work at once: a long poll in flight is
//! aborted (the agent is shut down) and a back-off sleep is cut short. Work inside
//! `protect` (writing a notification and acknowledging it, one publish, one delete) is let
//! finish, for up to two seconds, so that what was done can be told exactly. A second
//! signal exits on the spot.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::exit::ExitCode;

/// How long a signal lets protected work (a write and its delete, one publish) finish.
const GRACE: Duration = Duration::from_secs(2);
/// Signals this close together are one stop, not a second Ctrl-C.
const SAME_STOP: Duration = Duration::from_millis(100);
/// How long a line said on a signal may hold the handler up: a stuck terminal must not
/// keep the next Ctrl-C from being taken. Shorter than `SAME_STOP`, so that one stop
/// signalled twice at once still counts once.
pub const SAY_WAIT: Duration = Duration::from_millis(50);

/// The process groups of the commands running now (`tail --exec`, one per instance).
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// A command running while it is held: a second signal, which exits at once, ends it with
/// SIGTERM first (its keeper would otherwise wait for it, and record it, after greenq left).
pub struct Running(i32);

impl Running {
    pub fn command(group: i32) -> Running {
        lock_running().push(group);
        Running(group)
    }

    fn end_all() {
        for &group in lock_running().iter().filter(|&&g| g > 1) {
            // SAFETY: killpg(2) on the group of a command of ours; no memory is shared.
            unsafe {
                libc::killpg(group, libc::SIGTERM);
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let mut running = lock_running();
        if let Some(at) = running.iter().position(|&g| g == self.0) {
            running.swap_remove(at);
        }
    }
}

fn lock_running() -> MutexGuard<'static, Vec<i32>> {
    RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Clone, Default)]
pub struct Interrupt {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    signals: AtomicU32,
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    set: bool,
    protected: bool,
    /// When the first signal came.
    first: Option<Instant>,
    agent: Option<ureq::Agent>,
    /// The pipelined connection of `tail` (ureq's agent does not carry it).
    socket: Option<std::net::TcpStream>,
    /// Says that a signal's stop waits for protected work (`on_deferred_stop`).
    announce: Option<Announce>,
}

type Announce = Arc<dyn Fn() + Send + Sync>;

impl State {
    fn abort_requests(&mut self) {
        if let Some(agent) = self.agent.take() {
            agent.shutdown();
        }
        if let Some(socket) = self.socket.take() {
            let _ = socket.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Interrupt {
    /// An interrupt that only `trigger` sets (for code that installs no handler).
    pub fn new() -> Self {
        Self::default()
    }

    /// An interrupt that aborts `agent`'s requests when triggered, with no signal handler:
    /// one instance's of a multi-instance tail, triggered by the process's own.
    pub fn with_agent(agent: ureq::Agent) -> Self {
        let interrupt = Self::new();
        interrupt.lock().agent = Some(agent);
        interrupt
    }

    /// Installs the process's Ctrl-C / SIGTERM handler. `agent` is shut down on the first
    /// signal outside `protect`, which makes a request blocked in a long poll fail at once.
    pub fn install(agent: Option<ureq::Agent>) -> Self {
        let interrupt = Self::new();
        interrupt.lock().agent = agent;
        let handler = interrupt.clone();
        // ctrlc takes one handler per process: a second install fails with MultipleHandlers
        // and the first handler stays, so signals reach the Interrupt installed first, not
        // this one. Only a system error leaves the default, where the signal kills us.
        let _ = ctrlc::set_handler(move || handler.trigger());
        interrupt
    }

    /// `announce` runs when a signal's stop has to wait for protected work, so that a
    /// person (and a test) knows the signal was heard.
    pub fn on_deferred_stop(&self, announce: impl Fn() + Send + Sync + 'static) {
        self.lock().announce = Some(Arc::new(announce));
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked; the flags are still good.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn trigger(&self) {
        // Said before the signal is seen, so that it comes before whatever the stop
        // prints; protected work that ends in between only makes the stop quicker.
        if !self.is_set() {
            let announce = {
                let mut state = self.lock();
                state.first = Some(Instant::now());
                state.announce.clone().filter(|_| state.protected)
            };
            if let Some(announce) = announce {
                say_without_waiting(move || announce());
            }
        }
        if self.inner.signals.fetch_add(1, Ordering::SeqCst) >= 1 {
            // One stop can arrive twice at once (`timeout` signals us and our process
            // group): only a second signal a moment later means "now".
            if self.lock().first.is_some_and(|at| at.elapsed() < SAME_STOP) {
                return;
            }
            say_without_waiting(|| crate::ewriteln!("greenq: interrupted again, exiting at once"));
            Running::end_all();
            std::process::exit(ExitCode::Interrupted.code());
        }
        let mut state = self.lock();
        state.set = true;
        if state.first.is_none() {
            state.first = Some(Instant::now());
        }
        if state.protected {
            // Protected work is quick on a healthy server; on a stalled one it gets a
            // moment, not a whole read timeout.
            let interrupt = self.clone();
            std::thread::spawn(move || {
                std::thread::sleep(GRACE);
                interrupt.lock().abort_requests();
            });
        } else {
            state.abort_requests();
        }
        self.inner.wake.notify_all();
    }

    /// Shuts `socket` (a clone of a connection's) down with the agent's requests.
    pub fn watch_socket(&self, socket: std::net::TcpStream) {
        let mut state = self.lock();
        state.socket = Some(socket);
        if state.set && !state.protected {
            state.abort_requests();
        }
    }

    pub fn is_set(&self) -> bool {
        self.inner.signals.load(Ordering::SeqCst) > 0
    }

    /// True when a signal came and no `protect` holds the work in progress.
    pub fn stops_requests(&self) -> bool {
        let state = self.lock();
        state.set && !state.protected
    }

    /// Runs `f` so that a signal does not abort its request in flight; retries and
    /// back-off sleeps inside still stop at once.
    pub fn protect<R>(&self, f: impl FnOnce() -> R) -> R {
        self.lock().protected = true;
        let result = f();
        let mut state = self.lock();
        state.protected = false;
        if state.set {
            state.abort_requests();
        }
        result
    }

    /// Sleeps for `duration` unless interrupted first; returns true when interrupted.
    pub fn sleep(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        let mut state = self.lock();
        while !state.set {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = match self.inner.wake.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        true
    }
}

/// Runs `say` on a thread of its own and waits for it up to `SAY_WAIT`: in order with
/// what follows on a healthy stderr, never stuck behind a stuck one.
fn say_without_waiting(say: impl FnOnce() + Send + 'static) {
    let (said, heard) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("greenq-say".into())
        .spawn(move || {
            say();
            let _ = said.send(());
        });
    if spawned.is_ok() {
        let _ = heard.recv_timeout(SAY_WAIT);
    }
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

    #[test]
    fn a_signal_shuts_a_watched_socket_down() {
        use std::io::Read;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let _server = listener.accept().unwrap();
        let i = Interrupt::new();
        i.watch_socket(client.try_clone().unwrap());
        i.trigger();
        // Blocked reads end: the read side is shut.
        assert_eq!(client.read(&mut [0; 8]).unwrap(), 0);
    }

    #[test]
    fn protected_work_runs_to_its_end() {
        let i = Interrupt::new();
        let seen = i.protect(|| {
            i.trigger();
            // Still inside: the flag is up, but nothing was cut.
            i.is_set()
        });
        assert!(seen);
        assert!(i.sleep(Duration::from_secs(30)));
    }

    #[test]
    fn a_stop_that_waits_for_protected_work_is_announced() {
        // One signal each: a second one a moment later would exit the test process.
        let waits = Interrupt::new();
        let (said, heard) = std::sync::mpsc::channel();
        waits.on_deferred_stop(move || {
            let _ = said.send(());
        });
        waits.protect(|| waits.trigger());
        // Said on a thread of its own, which a busy machine may run late.
        assert!(heard.recv_timeout(Duration::from_secs(60)).is_ok());
        // Outside protected work the stop is at once: nothing to say, no thread.
        let free = Interrupt::new();
        let (said, heard) = std::sync::mpsc::channel();
        free.on_deferred_stop(move || {
            let _ = said.send(());
        });
        free.trigger();
        assert!(heard.try_recv().is_err());
    }
}
