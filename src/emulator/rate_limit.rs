//! `serve --rate-limit N`: at most N requests of one method for one instance in any one
//! second (a sliding window), as the live service limits each method; above it the answer
//! is 429 with `Retry-After: 1` and nothing is done. A refused request is not counted, so
//! a client that waits the second it was told is let through.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(1);
/// The `Retry-After` of a refusal, in seconds: the window is free again by then.
pub const RETRY_AFTER_SECS: u64 = 1;

pub struct RateLimit {
    limit: usize,
    /// Accepted requests of the last second, per instance and method.
    seen: Mutex<HashMap<(u64, String), VecDeque<Instant>>>,
}

impl RateLimit {
    pub fn new(limit: u32) -> Self {
        RateLimit {
            limit: limit as usize,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request of `method` for `instance`; false when it is over the limit.
    pub fn admit(&self, instance: u64, method: &str, now: Instant) -> bool {
        // A poisoned lock only means a panic elsewhere; the counts are still good.
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let times = seen.entry((instance, method.to_string())).or_default();
        while times
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= self.limit {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_n_per_method_and_instance_in_any_second() {
        let limit = RateLimit::new(3);
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let admitted: Vec<bool> = [0, 10, 20, 30]
            .into_iter()
            .map(|ms| limit.admit(1, "receiveNotification", at(ms)))
            .collect();
        assert_eq!(admitted, [true, true, true, false]);
        assert!(limit.admit(1, "deleteNotification", at(30)), "per method");
        assert!(
            limit.admit(2, "receiveNotification", at(30)),
            "per instance"
        );
        // Sliding: the first leaves the window a second after it came.
        assert!(!limit.admit(1, "receiveNotification", at(999)));
        assert!(limit.admit(1, "receiveNotification", at(1000)));
        assert!(!limit.admit(1, "receiveNotification", at(1001)));
        // After Retry-After: 1, the window is free.
        assert!(limit.admit(1, "receiveNotification", at(2001)));
    }
}
