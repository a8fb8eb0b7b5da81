//! The lock's cross-machine form, as the tail loop sees it: whether it is this process's
//! turn to consume a queue. Without `--coordinate` there is no turn (the lock alone
//! holds). With it, `fleet` gives one per queue, backed by a lease the loop never sees.

use std::sync::Arc;

use crate::terminal::interrupt::Interrupt;

pub trait Turn: Send + Sync {
    /// Blocks until this process may consume the queue; false when `interrupt` came first.
    fn wait(&self, interrupt: &Interrupt) -> bool;

    /// Begins handing one notification on: its lease's epoch while the queue is still
    /// held, else `None` (hand nothing on; the queue keeps it).
    fn begin(&self) -> Option<u64>;

    /// The work begun was acknowledged: true to go on, false when the queue was given
    /// back meanwhile (then wait for the next turn, with a fresh connection).
    fn end(&self) -> bool;

    /// The epoch of the lease held now, for a command (`GREENQ_LEASE_EPOCH`) or a hook
    /// (`X-Greenq-Lease-Epoch`).
    fn epoch(&self) -> Option<u64>;
}

/// Gives each queue of a run its turn (one coordinator for all of them).
pub trait Turns: Sync {
    fn turn(&self, instance: u64, profile: Option<&str>) -> Arc<dyn Turn>;
}
