//! The emulator's methods on the queue as a whole: `getWebhooksCount` (exact, or refreshed
//! only every `--count-refresh` seconds as the live service does) and `clearWebhooksQueue`
//! (once per `--clear-interval`, else `isCleared: false` with `leftTime`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::queue::Instance;

/// The live service allows one clear a minute per instance.
pub const DEFAULT_CLEAR_INTERVAL: Duration = Duration::from_secs(60);

pub struct WholeQueue {
    /// `None`: the count is exact at every call.
    pub count_refresh: Option<Duration>,
    pub clear_interval: Duration,
    /// Per instance: the count last given out and when it was read.
    counts: Mutex<HashMap<u64, (usize, Instant)>>,
    /// Per instance: when it was last cleared.
    clears: Mutex<HashMap<u64, Instant>>,
}

impl Default for WholeQueue {
    fn default() -> Self {
        WholeQueue {
            count_refresh: None,
            clear_interval: DEFAULT_CLEAR_INTERVAL,
            counts: Mutex::default(),
            clears: Mutex::default(),
        }
    }
}

impl WholeQueue {
    /// `{"count": N}`: what waits (queued, and `pushing` to webhookUrl, as the live
    /// service counts them), or the figure read within the last refresh.
    pub fn count(&self, id: u64, instance: &Instance, pushing: usize, now: Instant) -> Value {
        let waiting = instance.queued() + pushing;
        let Some(refresh) = self.count_refresh else {
            return json!({ "count": waiting });
        };
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let entry = counts.entry(id).or_insert((waiting, now));
        if now.duration_since(entry.1) >= refresh {
            *entry = (waiting, now);
        }
        json!({ "count": entry.0 })
    }

    /// Clears the queue unless the last clear was less than an interval ago.
    pub fn clear(&self, id: u64, instance: &Instance, now: Instant) -> Value {
        let mut clears = self.clears.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(last) = clears.get(&id) {
            let since = now.duration_since(*last);
            if since < self.clear_interval {
                let left = (self.clear_interval - since).as_secs_f64().ceil() as u64;
                return json!({"isCleared": false, "reason": "Too many requests", "leftTime": left});
            }
        }
        clears.insert(id, now);
        instance.clear();
        // Not in the live answer: the interval is the emulator's own (--clear-interval), so
        // it says it; greenq assumes the live service's minute without it.
        json!({"isCleared": true, "reason": "", "clearInterval": self.clear_interval.as_secs_f64()})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::Queues;
    use bytes::Bytes;

    #[test]
    fn a_stale_count_and_one_clear_per_interval() {
        let queues = Queues::new(&[(1, "t".into())], 1);
        let i = queues.get(1).unwrap();
        let whole = WholeQueue {
            count_refresh: Some(Duration::from_secs(10)),
            ..WholeQueue::default()
        };
        let t0 = Instant::now();
        i.push(Bytes::from_static(b"a")).unwrap();
        assert_eq!(whole.count(1, i, 0, t0)["count"], 1);
        i.push(Bytes::from_static(b"b")).unwrap();
        assert_eq!(
            whole.count(1, i, 0, t0 + Duration::from_secs(9))["count"],
            1
        );
        assert_eq!(
            whole.count(1, i, 0, t0 + Duration::from_secs(10))["count"],
            2
        );
        assert_eq!(whole.clear(1, i, t0)["isCleared"], true);
        assert_eq!(i.queued(), 0);
        i.push(Bytes::from_static(b"c")).unwrap();
        let again = whole.clear(1, i, t0 + Duration::from_secs(14));
        assert_eq!(again["isCleared"], false);
        assert_eq!(again["leftTime"], 46);
        assert_eq!(i.queued(), 1, "a refused clear takes nothing");
        assert_eq!(
            whole.clear(1, i, t0 + Duration::from_secs(60))["isCleared"],
            true
        );
    }
}
