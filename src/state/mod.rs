//! tail's state directory and what it holds: where it is (`dir`), the lock that makes
//! one consumer per queue (`lock`), the ledger of handled notifications (`ledger`), and
//! the stable fingerprint both the ledger and `--dedupe` use (`fingerprint`); for purge,
//! when the service next allows a clear (`next_clear`); and the lock's cross-machine
//! form, a turn to consume the queue (`turn`, `--coordinate`).

pub mod dir;
pub mod fingerprint;
pub mod ledger;
pub mod lock;
pub mod next_clear;
pub mod turn;

use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;

use crate::exit::Result;
use crate::state::dir::StateDir;
use crate::state::ledger::{Ledger, Opened};
use crate::state::lock::{Lock, QueueId};
use crate::state::turn::{Turn, Turns};
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;

/// What a tail run holds for its queue: the lock (for the whole run), the ledger where
/// the mode needs one, and with `--coordinate` its turn (the queue's lease).
pub struct State {
    pub dir: StateDir,
    pub lock: Lock,
    pub ledger: Option<Ledger>,
    pub turn: Option<Arc<dyn Turn>>,
}

pub struct Wanted<'a> {
    /// `--state-dir`.
    pub flag: Option<&'a Path>,
    /// `--no-state`.
    pub none: bool,
    /// A consumer mode (`--exec`, `--forward-to`): the ledger is kept even when the
    /// directory was not named.
    pub consumer: bool,
    pub api_url: &'a str,
    pub instance: u64,
    /// This process's command line, for a second tail's refusal.
    pub command: &'a str,
    /// `--coordinate`: the fleet that gives the queue its turn.
    pub turns: Option<&'a dyn Turns>,
    /// The queue's profile (a multi-instance tail), for `greenq fleet`.
    pub profile: Option<&'a str>,
}

/// What the instances of a multi-instance tail share: one connection to the ledger,
/// opened by the first instance that needs it; the others, and an instance started later,
/// take their queue's `Ledger` on it (a few µs, not an open, a check and a write each).
#[derive(Default)]
pub struct Shared {
    ledger: Mutex<Option<Opened>>,
}

impl Shared {
    fn ledger(&self, dir: &StateDir, queue: &QueueId) -> Result<Ledger> {
        let mut opened = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        match &*opened {
            Some(o) if o.path() == dir.join(ledger::FILE) => o.ledger(dir, queue),
            _ => opened
                .insert(Opened::open(dir, ledger::FILE)?)
                .ledger(dir, queue),
        }
    }
}

/// Resolves, creates and locks the state directory, and opens the ledger; `None` with
/// `--no-state` (said once on stderr). Every failure comes before anything is received.
pub fn open(
    wanted: &Wanted,
    env: &dyn Fn(&str) -> Option<String>,
    status: &Status,
    interrupt: &Interrupt,
) -> Result<Option<State>> {
    open_in(wanted, env, status, interrupt, None)
}

/// The same for one instance of several, on the ledger connection they `shared`.
pub fn open_in(
    wanted: &Wanted,
    env: &dyn Fn(&str) -> Option<String>,
    status: &Status,
    interrupt: &Interrupt,
    shared: Option<&Shared>,
) -> Result<Option<State>> {
    if wanted.none && wanted.turns.is_some() {
        return Err(
            crate::exit::Error::usage("--coordinate is given with --no-state")
                .why("a fleet member keeps the lock and the ledger of the queues it holds")
                .fix("drop --no-state (give each member its own --state-dir)"),
        );
    }
    if wanted.none {
        status.warning(
            "--no-state: no lock keeps a second consumer off this instance, and no ledger \
             remembers what was handled (a crash may hand a notification on twice)",
        );
        return Ok(None);
    }
    let dir = dir::resolve(wanted.flag, env)?;
    dir.create()?;
    let queue = QueueId::new(wanted.api_url, wanted.instance);
    let lock = lock::take(&dir, &queue, wanted.command, status, interrupt)?;
    let ledger = if wanted.consumer || dir.explicit {
        Some(match shared {
            Some(shared) => shared.ledger(&dir, &queue)?,
            None => Ledger::open(&dir, ledger::FILE, &queue)?,
        })
    } else {
        None
    };
    let turn = wanted
        .turns
        .map(|turns| turns.turn(wanted.instance, wanted.profile));
    Ok(Some(State {
        dir,
        lock,
        ledger,
        turn,
    }))
}
