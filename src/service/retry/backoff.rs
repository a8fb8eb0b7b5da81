//! Exponential back-off with jitter, and the reading of `Retry-After`.

use std::time::Duration;

const BASE: Duration = Duration::from_millis(500);
const CAP: Duration = Duration::from_secs(30);
/// A `Retry-After` longer than this is clamped: a typo on the server must not park greenq for a day.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// Delays of about 0.5, 1, 2, 4 ... 30 s; each one is drawn from the upper half of
/// its step ("equal jitter"), so that many clients do not retry in lockstep.
#[derive(Debug)]
pub struct Backoff {
    attempt: u32,
    rng: fastrand::Rng,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    pub fn new() -> Self {
        Backoff {
            attempt: 0,
            rng: fastrand::Rng::new(),
        }
    }

    /// The delay before the next attempt: the next exponential step, or the server's
    /// `Retry-After` (plus up to 10 % jitter) when that is longer. `Retry-After` is a floor,
    /// never a reason to go faster: a `Retry-After: 0` still waits our own step.
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Duration {
        let step = BASE
            .saturating_mul(1u32.checked_shl(self.attempt.min(16)).unwrap_or(u32::MAX))
            .min(CAP);
        self.attempt = self.attempt.saturating_add(1);
        let half = step.as_millis() as u64 / 2;
        let own = Duration::from_millis(half + self.rng.u64(0..=half));
        match retry_after.map(|wait| wait.min(MAX_RETRY_AFTER)) {
            Some(wait) if wait > own => {
                let extra = wait.as_millis() as u64 / 10;
                wait + Duration::from_millis(self.rng.u64(0..=extra))
            }
            _ => own,
        }
    }

    /// Progress was made: the next fault starts small again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// `Retry-After` as delta-seconds or as an HTTP date; `None` when unreadable.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    let secs = when.as_second().saturating_sub(now.as_second());
    Some(Duration::from_secs(secs.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_under_the_cap() {
        let mut b = Backoff::new();
        let mut previous_step_max = Duration::ZERO;
        for n in 0..20 {
            let d = b.next_delay(None);
            let step = (BASE * 2u32.pow(n.min(10))).min(CAP);
            assert!(
                d >= step / 2 && d <= step,
                "attempt {n}: {d:?} vs step {step:?}"
            );
            assert!(step >= previous_step_max);
            previous_step_max = step;
        }
        assert!(
            Backoff::new().next_delay(None) <= BASE,
            "each call's retries start small"
        );
    }

    #[test]
    fn retry_after_is_a_floor_with_a_little_jitter() {
        let mut b = Backoff::new();
        let d = b.next_delay(Some(Duration::from_secs(2)));
        assert!(
            d >= Duration::from_secs(2) && d <= Duration::from_millis(2200),
            "{d:?}"
        );
        let d = b.next_delay(Some(Duration::from_secs(99_999)));
        assert!(d <= MAX_RETRY_AFTER + MAX_RETRY_AFTER / 10);
    }

    #[test]
    fn retry_after_zero_never_speeds_up_and_reset_starts_over() {
        let mut b = Backoff::new();
        let delays: Vec<Duration> = (0..6).map(|_| b.next_delay(Some(Duration::ZERO))).collect();
        for (n, d) in delays.iter().enumerate() {
            let step = BASE * 2u32.pow(n as u32);
            assert!(*d >= step / 2, "attempt {n}: {d:?}");
        }
        b.reset();
        assert!(b.next_delay(None) <= BASE);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-5"), None);
    }
}
