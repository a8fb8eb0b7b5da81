//! `--dedupe`: a bounded memory of the notifications handled in this run. The key is
//! `typeWebhook` + `idMessage`, plus `status` when the body has one (a "sent" and a
//! "delivered" status of one message are different notifications). A body without an
//! `idMessage` has no key and is never taken for a duplicate.

use std::collections::{HashSet, VecDeque};

use serde::Deserialize;

use crate::state::fingerprint;

/// How many keys are remembered; the oldest are forgotten first.
pub const DEFAULT_CAPACITY: usize = 100_000;

/// A key's fingerprint: 128 bits, so that two different keys never pass for one in
/// practice (a false "duplicate" would lose a notification), in 16 bytes instead of
/// the whole key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Key(pub u128);

pub struct Dedupe {
    seen: HashSet<Key>,
    order: VecDeque<Key>,
    capacity: usize,
}

impl Dedupe {
    pub fn new(capacity: usize) -> Dedupe {
        Dedupe {
            seen: HashSet::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// The body's key, or `None` when it has no `typeWebhook` and `idMessage` strings.
    pub fn key_of(body: &str) -> Option<Key> {
        #[derive(Deserialize)]
        struct Shape<'a> {
            #[serde(rename = "typeWebhook", borrow)]
            type_webhook: std::borrow::Cow<'a, str>,
            #[serde(rename = "idMessage", borrow)]
            id_message: std::borrow::Cow<'a, str>,
            #[serde(borrow, default)]
            status: Option<std::borrow::Cow<'a, str>>,
        }
        if !body.trim_start().starts_with('{') {
            return None;
        }
        let shape: Shape = serde_json::from_str(body).ok()?;
        // A status of "" and no status are told apart by the marker byte.
        let status = match &shape.status {
            Some(s) => [b"s".as_slice(), s.as_bytes()].concat(),
            None => Vec::new(),
        };
        Some(Key(fingerprint::of(&[
            shape.type_webhook.as_bytes(),
            shape.id_message.as_bytes(),
            &status,
        ])))
    }

    pub fn contains(&self, key: &Key) -> bool {
        self.seen.contains(key)
    }

    /// Remembers `key`, forgetting the oldest one when full.
    pub fn insert(&mut self, key: Key) {
        if !self.seen.insert(key) {
            return;
        }
        self.order.push_back(key);
        if self.order.len() > self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
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

    #[test]
    fn keys_follow_type_id_and_status() {
        let k = |s: &str| Dedupe::key_of(s);
        let a = k(r#"{"typeWebhook":"incomingMessageReceived","idMessage":"A1","timestamp":1}"#);
        assert!(a.is_some());
        assert_eq!(
            a,
            k(r#"{"timestamp":2,"idMessage":"A1","typeWebhook":"incomingMessageReceived"}"#),
            "other fields and their order do not matter"
        );
        assert_ne!(
            a,
            k(r#"{"typeWebhook":"outgoingMessageReceived","idMessage":"A1"}"#)
        );
        assert_ne!(
            a,
            k(r#"{"typeWebhook":"incomingMessageReceived","idMessage":"A2"}"#)
        );
        let sent = k(r#"{"typeWebhook":"outgoingMessageStatus","idMessage":"A1","status":"sent"}"#);
        let delivered =
            k(r#"{"typeWebhook":"outgoingMessageStatus","idMessage":"A1","status":"delivered"}"#);
        assert!(sent.is_some() && delivered.is_some());
        assert_ne!(sent, delivered);
        assert_eq!(k(r#"{"typeWebhook":"stateInstanceChanged"}"#), None);
        assert_eq!(k("[1]"), None);
        assert_eq!(k(r#"{"typeWebhook":1,"idMessage":"x"}"#), None);
    }

    #[test]
    fn memory_is_bounded_and_forgets_the_oldest() {
        let mut d = Dedupe::new(3);
        let keys: Vec<Key> = (0..5)
            .map(|i| {
                Dedupe::key_of(&format!(r#"{{"typeWebhook":"t","idMessage":"{i}"}}"#)).unwrap()
            })
            .collect();
        for k in &keys {
            d.insert(*k);
            d.insert(*k);
        }
        assert_eq!(d.len(), 3);
        assert!(!d.contains(&keys[0]) && !d.contains(&keys[1]));
        assert!(keys[2..].iter().all(|k| d.contains(k)));
    }
}
