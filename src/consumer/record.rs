//! What the ledger is told of a notification about to be deleted: how it went (read from
//! the delivery's counts before and after handing it on) and its `--dedupe` key.

use crate::consumer::dedupe::Dedupe;
use crate::consumer::delivery::Counts;
use crate::notification::Envelope;
use crate::state::fingerprint;
use crate::state::ledger::Entry;

/// The body's fingerprint, as the ledger knows a notification by it.
pub fn body_of(envelope: &Envelope) -> u128 {
    fingerprint::of(&[envelope.body.get().as_bytes()])
}

/// The ledger entry of `envelope` (whose `body_of` is `body`), handed on with `before`
/// and `after` as the delivery's counts around it; `dedupe` says whether `--dedupe` is on.
pub fn entry(
    envelope: &Envelope,
    body: u128,
    before: Counts,
    after: Counts,
    dedupe: bool,
) -> Entry<'static> {
    let outcome = if after.dead_lettered > before.dead_lettered {
        "dead-lettered"
    } else if after.duplicates > before.duplicates {
        "duplicate"
    } else if after.skipped > before.skipped {
        "skipped"
    } else {
        "handled"
    };
    let key = (dedupe && outcome == "handled")
        .then(|| Dedupe::key_of(envelope.body.get()))
        .flatten();
    Entry {
        receipt: envelope.receipt_id,
        body,
        outcome,
        dedupe: key.map(|k| k.0),
    }
}

/// The entry of a notification the run before handled and did not see deleted: deleted
/// now without being handed on.
pub fn handled_before(receipt: u64, body: u128) -> Entry<'static> {
    Entry {
        receipt,
        body,
        outcome: "handled-before",
        dedupe: None,
    }
}

/// The entry of `envelope` handed on successfully, as `--exec`'s keeper commits it.
pub fn handled(envelope: &Envelope, dedupe: bool) -> Entry<'static> {
    entry(
        envelope,
        body_of(envelope),
        Counts::default(),
        Counts::default(),
        dedupe,
    )
}
