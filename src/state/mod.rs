//! tail's state directory and what it holds: where it is (`dir`), the lock that makes
//! one consumer per queue (`lock`), the ledger of handled notifications (`ledger`), and
//! the stable fingerprint both the ledger and `--dedupe` use (`fingerprint`); and, for
//! purge, when the service next allows a clear (`next_clear`).

pub mod dir;
pub mod fingerprint;
pub mod ledger;
pub mod lock;
pub mod next_clear;

use std::path::Path;

use crate::exit::Result;
use crate::state::dir::StateDir;
use crate::state::ledger::Ledger;
use crate::state::lock::{Lock, QueueId};
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;

/// What a tail run holds for its queue: the lock (for the whole run), and the ledger
/// where the mode needs one.
pub struct State {
    pub dir: StateDir,
    pub lock: Lock,
    pub ledger: Option<Ledger>,
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
}

/// Resolves, creates and locks the state directory, and opens the ledger; `None` with
/// `--no-state` (said once on stderr). Every failure comes before anything is received.
pub fn open(
    wanted: &Wanted,
    env: &dyn Fn(&str) -> Option<String>,
    status: &Status,
    interrupt: &Interrupt,
) -> Result<Option<State>> {
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
        Some(Ledger::open(&dir, ledger::FILE, &queue)?)
    } else {
        None
    };
    Ok(Some(State { dir, lock, ledger }))
}
