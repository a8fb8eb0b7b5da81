//! The notifications this run saw confirmed deleted, so that one shown again (a server
//! whose reads lag its deletes, or that answered a pipelined receive before it applied the
//! delete sent with it) is deleted again and not handled twice.

use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::notification::Envelope;

/// How many confirmed deletes are remembered: a lagging read shows one of the last few.
pub const REMEMBERED: usize = 1024;

/// A receipt and a hash of its body: a receipt alone may come back with another body
/// (an emulator restarted, receipts counted again from 1).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    receipt: u64,
    body: u64,
}

impl Key {
    fn of(envelope: &Envelope) -> Key {
        let mut hasher = DefaultHasher::new();
        envelope.body.get().hash(&mut hasher);
        Key {
            receipt: envelope.receipt_id,
            body: hasher.finish(),
        }
    }
}

/// The last `REMEMBERED` confirmed deletes.
#[derive(Default)]
pub struct Deleted {
    order: VecDeque<Key>,
    keys: HashSet<Key>,
}

impl Deleted {
    /// Remembers `envelope` as deleted, forgetting the oldest beyond the bound.
    pub fn remember(&mut self, envelope: &Envelope) {
        let key = Key::of(envelope);
        if !self.keys.insert(key) {
            return;
        }
        self.order.push_back(key);
        if self.order.len() > REMEMBERED
            && let Some(old) = self.order.pop_front()
        {
            self.keys.remove(&old);
        }
    }

    /// True when `envelope` was confirmed deleted before.
    pub fn contains(&self, envelope: &Envelope) -> bool {
        // The receipt first: the body is hashed only when it matches.
        !self.keys.is_empty()
            && self.order.iter().any(|k| k.receipt == envelope.receipt_id)
            && self.keys.contains(&Key::of(envelope))
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(receipt: u64, body: &str) -> Envelope {
        serde_json::from_str(&format!("{{\"receiptId\":{receipt},\"body\":{body}}}")).unwrap()
    }

    #[test]
    fn a_confirmed_delete_is_known_by_receipt_and_body() {
        let mut deleted = Deleted::default();
        deleted.remember(&envelope(1, r#"{"a":1}"#));
        assert!(deleted.contains(&envelope(1, r#"{"a":1}"#)));
        assert!(
            !deleted.contains(&envelope(1, r#"{"a":2}"#)),
            "same receipt, other body"
        );
        assert!(
            !deleted.contains(&envelope(2, r#"{"a":1}"#)),
            "same body, other receipt"
        );
    }

    #[test]
    fn only_the_last_ones_are_remembered() {
        let mut deleted = Deleted::default();
        for i in 0..(REMEMBERED as u64 + 10) {
            deleted.remember(&envelope(i, "{}"));
        }
        assert_eq!(deleted.len(), REMEMBERED);
        assert!(!deleted.contains(&envelope(9, "{}")));
        assert!(deleted.contains(&envelope(10, "{}")));
        assert!(deleted.contains(&envelope(REMEMBERED as u64 + 9, "{}")));
        deleted.remember(&envelope(REMEMBERED as u64 + 9, "{}"));
        assert_eq!(
            deleted.len(),
            REMEMBERED,
            "a repeat is not remembered twice"
        );
    }
}
