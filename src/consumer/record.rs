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

/// The ledger entry of `envelope`, handed on with `before` and `after` as the delivery's
/// counts around it; `dedupe` says whether `--dedupe` is on.
pub fn entry(envelope: &Envelope, before: Counts, after: Counts, dedupe: bool) -> Entry<'static> {
    let outcome = if after.dead_lettered > before.dead_lettered {
        "dead-lettered"
    } else if after.duplicates > before.duplicates {
        "duplicate"
    } else if after.skipped > before.skipped {
        "skipped"
    } else {
        "handled"
    };
    Entry {
        outcome,
        ..handled(envelope, dedupe && outcome == "handled")
    }
}

/// The entry of `envelope` handed on successfully, as `--exec`'s keeper commits it.
pub fn handled(envelope: &Envelope, dedupe: bool) -> Entry<'static> {
    let key = dedupe
        .then(|| Dedupe::key_of(envelope.body.get()))
        .flatten();
    Entry {
        receipt: envelope.receipt_id,
        body: body_of(envelope),
        outcome: "handled",
        dedupe: key.map(|k| k.0),
    }
}
