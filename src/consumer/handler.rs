//! What a handler is: something that takes one notification on (prints it, runs a
//! command with it, posts it to a hook) and says how that went. Only `Done` lets the
//! notification be deleted.

use crate::exit::{Error, Result, is_broken_pipe};
use crate::notification::Envelope;

/// How handing one notification on went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handled: the notification may be deleted.
    Done,
    /// A failed attempt (the reason, for the log and the dead-letter file): try again later.
    Failed(String),
    /// The handler could not be reached at all (a hook that is down): not the
    /// notification's fault, so not an attempt. Wait and try again.
    Unreachable(String),
    /// Ctrl-C or SIGTERM came before it was handed on: nothing was done.
    Interrupted,
    /// Where the output goes was closed (`greenq tail | head`): stop quietly.
    Closed,
}

impl Outcome {
    /// A printed notification's write and flush: done, a closed pipe (stop quietly), or a
    /// failure of the output (the notification stays queued).
    pub fn of_write(written: std::io::Result<()>) -> Result<Outcome> {
        match written {
            Ok(()) => Ok(Outcome::Done),
            Err(e) if is_broken_pipe(&e) => Ok(Outcome::Closed),
            Err(e) => Err(Error::output(e)),
        }
    }
}

/// One way of handing notifications on. `attempt` counts from 1 for each notification.
/// An `Err` is a failure of greenq's own (a full disk, a command that cannot be run):
/// the notification stays queued and tail stops.
pub trait Handler {
    fn handle(&mut self, envelope: &Envelope, attempt: u32) -> Result<Outcome>;

    /// Whether a signal may cut the handler short. A printed line is written in
    /// microseconds; a command or a hook is waited for (up to its timeout) after Ctrl-C.
    fn waits_after_signal(&self) -> bool {
        false
    }

    /// Whether a `Done` was committed to the ledger already (by `--exec`'s keeper), so
    /// that tail does not write it again.
    fn records_handled(&self) -> bool {
        false
    }

    /// What a failed attempt is called in messages ("the command", "the hook").
    fn name(&self) -> &str;
}
