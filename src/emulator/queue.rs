//! The emulator's state: one FIFO queue per hosted instance, each behind its own lock,
//! and a wake-up for long polls waiting on it (no polling, no sleeps).
//!
//! Receipt ids start at the start's time in microseconds, unless told (`--first-receipt`):
//! the live service never reuses one, so a restarted emulator must not either. A ledger
//! that keeps the receipts a tail handled then never meets an old one in a new queue.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;

use crate::notification::MAX_EXACT_RECEIPT;
use tokio::sync::Notify;

pub struct Queues {
    instances: HashMap<u64, Instance>,
}

pub struct Instance {
    token: String,
    queue: Mutex<Queue>,
    arrived: Notify,
}

/// A queue holds at most this many bytes of notifications: publishing in a loop must not
/// take the machine's memory.
pub const MAX_QUEUE_BYTES: usize = 512 * 1024 * 1024;

#[derive(Default)]
struct Queue {
    last_receipt: u64,
    items: VecDeque<(u64, Bytes)>,
    bytes: usize,
}

/// The queue is at `MAX_QUEUE_BYTES`.
#[derive(Debug, PartialEq, Eq)]
pub struct QueueFull;

#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    UnknownInstance,
    WrongToken,
}

/// The first receipt id of a start: the time in microseconds (1.8e15 in 2026, below
/// `MAX_EXACT_RECEIPT` until the 2250s). A later start begins above every id an earlier
/// one gave out, unless that one published more than a notification per microsecond.
pub fn first_receipt_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| {
            u64::try_from(d.as_micros())
                .map_or(MAX_EXACT_RECEIPT, |us| us.clamp(1, MAX_EXACT_RECEIPT))
        })
}

impl Queues {
    /// Hosts `accept`; each queue's first receipt id is `first`.
    pub fn new(accept: &[(u64, String)], first: u64) -> Self {
        let instances = accept
            .iter()
            .map(|(id, token)| {
                let instance = Instance {
                    token: token.clone(),
                    queue: Mutex::new(Queue {
                        last_receipt: first.saturating_sub(1),
                        ..Queue::default()
                    }),
                    arrived: Notify::new(),
                };
                (*id, instance)
            })
            .collect();
        Queues { instances }
    }

    /// `text` with every hosted token as `***`.
    pub fn redact(&self, text: &str) -> String {
        self.instances
            .values()
            .fold(text.to_string(), |text, i| text.replace(&i.token, "***"))
    }

    pub fn get(&self, id: u64) -> Option<&Instance> {
        self.instances.get(&id)
    }

    /// The instance, if it is hosted and `token` is its token.
    pub fn authorize(&self, id: u64, token: &str) -> Result<&Instance, Refusal> {
        let instance = self.get(id).ok_or(Refusal::UnknownInstance)?;
        if instance.token == token {
            Ok(instance)
        } else {
            Err(Refusal::WrongToken)
        }
    }
}

impl Instance {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends a notification; returns its receipt id (positive, only ever growing).
    pub fn push(&self, body: Bytes) -> Result<u64, QueueFull> {
        let receipt = {
            let mut q = self.lock();
            if q.bytes + body.len() > MAX_QUEUE_BYTES {
                return Err(QueueFull);
            }
            q.last_receipt += 1;
            let receipt = q.last_receipt;
            q.bytes += body.len();
            q.items.push_back((receipt, body));
            receipt
        };
        self.arrived.notify_waiters();
        Ok(receipt)
    }

    /// The head of the queue; it stays there until deleted.
    pub fn head(&self) -> Option<(u64, Bytes)> {
        self.lock().items.front().cloned()
    }

    /// The head, waiting up to `wait` for one to arrive.
    pub async fn wait_for_head(&self, wait: Duration) -> Option<(u64, Bytes)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Register interest before looking, so that a push between the look and
            // the wait still wakes us.
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if let Some(head) = self.head() {
                return Some(head);
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.head();
            }
        }
    }

    /// How many notifications are queued.
    pub fn queued(&self) -> usize {
        self.lock().items.len()
    }

    /// Drops every queued notification; how many there were.
    pub fn clear(&self) -> usize {
        let mut q = self.lock();
        q.bytes = 0;
        std::mem::take(&mut q.items).len()
    }

    /// Deletes a receipt; true when it was queued.
    pub fn delete(&self, receipt: u64) -> bool {
        let mut q = self.lock();
        // Nearly always the head; a search keeps any other queued receipt deletable too.
        let Some(i) = q.items.iter().position(|(r, _)| *r == receipt) else {
            return false;
        };
        if let Some((_, body)) = q.items.remove(i) {
            q.bytes -= body.len();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queues() -> Queues {
        Queues::new(&[(1, "t1".into()), (2, "t2".into())], 1)
    }

    #[test]
    fn receipts_start_where_told_and_a_later_start_begins_higher() {
        let q = Queues::new(&[(1, "t".into())], 1_000);
        assert_eq!(q.get(1).unwrap().push(Bytes::from_static(b"a")), Ok(1_000));
        assert_eq!(q.get(1).unwrap().push(Bytes::from_static(b"b")), Ok(1_001));
        let first = first_receipt_now();
        assert!(
            first > 1_700_000_000_000_000 && first <= MAX_EXACT_RECEIPT,
            "{first}"
        );
        let mut later = first_receipt_now();
        while later == first {
            later = first_receipt_now();
        }
        assert!(later > first);
    }

    #[test]
    fn fifo_with_growing_receipts_and_head_until_deleted() {
        let q = queues();
        let i = q.get(1).unwrap();
        assert_eq!(i.push(Bytes::from_static(b"a")), Ok(1));
        assert_eq!(i.push(Bytes::from_static(b"b")), Ok(2));
        assert_eq!(i.head().unwrap().0, 1);
        assert_eq!(i.head().unwrap().0, 1);
        assert!(i.delete(1));
        assert!(!i.delete(1));
        assert_eq!(i.head(), Some((2, Bytes::from_static(b"b"))));
        assert!(i.delete(2));
        assert_eq!(i.push(Bytes::from_static(b"c")), Ok(3));
        assert!(q.get(2).unwrap().head().is_none());
    }

    #[test]
    fn a_full_queue_refuses_until_it_is_drained() {
        let q = queues();
        let i = q.get(1).unwrap();
        let half = Bytes::from(vec![b' '; MAX_QUEUE_BYTES / 2]);
        assert_eq!(i.push(half.clone()), Ok(1));
        assert_eq!(i.push(half.clone()), Ok(2));
        assert_eq!(i.push(Bytes::from_static(b"x")), Err(QueueFull));
        assert!(i.delete(1));
        assert_eq!(i.push(Bytes::from_static(b"x")), Ok(3));
    }

    #[test]
    fn authorization() {
        let q = queues();
        assert!(q.authorize(1, "t1").is_ok());
        assert_eq!(q.authorize(1, "t2").err(), Some(Refusal::WrongToken));
        assert_eq!(q.authorize(3, "t1").err(), Some(Refusal::UnknownInstance));
    }

    #[test]
    fn a_push_wakes_a_waiting_receive_at_once() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let q = std::sync::Arc::new(queues());
            let waiter = {
                let q = q.clone();
                tokio::spawn(async move {
                    q.get(1)
                        .unwrap()
                        .wait_for_head(Duration::from_secs(30))
                        .await
                })
            };
            tokio::task::yield_now().await;
            let started = std::time::Instant::now();
            q.get(1).unwrap().push(Bytes::from_static(b"x")).unwrap();
            let head = waiter.await.unwrap();
            assert_eq!(head.map(|h| h.0), Some(1));
            assert!(started.elapsed() < Duration::from_secs(1));
            let empty = q
                .get(2)
                .unwrap()
                .wait_for_head(Duration::from_millis(20))
                .await;
            assert_eq!(empty, None);
        });
    }
}
