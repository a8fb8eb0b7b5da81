//! The clock of the renew deadline: CLOCK_BOOTTIME on Linux, which runs on while the
//! machine is suspended. `Instant` (CLOCK_MONOTONIC) stands still then while the lease
//! in Redis keeps expiring: a member woken from a long suspend would think it still held
//! its queues.

use std::time::Duration;

/// A point in time since boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment(Duration);

#[cfg(target_os = "linux")]
const CLOCK: libc::clockid_t = libc::CLOCK_BOOTTIME;
// Elsewhere (macOS) CLOCK_MONOTONIC counts the time asleep too.
#[cfg(not(target_os = "linux"))]
const CLOCK: libc::clockid_t = libc::CLOCK_MONOTONIC;

impl Moment {
    pub fn now() -> Moment {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime(2) writes one timespec, which we own. It cannot fail for
        // a clock the system has; a failure would leave zero, a deadline long past.
        unsafe { libc::clock_gettime(CLOCK, &mut ts) };
        Moment(Duration::new(
            u64::try_from(ts.tv_sec).unwrap_or(0),
            u32::try_from(ts.tv_nsec).unwrap_or(0),
        ))
    }
}

impl std::ops::Add<Duration> for Moment {
    type Output = Moment;

    fn add(self, rhs: Duration) -> Moment {
        Moment(self.0.saturating_add(rhs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_forward_with_the_monotonic_clock() {
        let (a, started) = (Moment::now(), std::time::Instant::now());
        std::thread::sleep(Duration::from_millis(20));
        let (b, slept) = (Moment::now(), started.elapsed());
        assert!(b >= a + Duration::from_millis(20) && b <= a + slept + Duration::from_millis(5));
    }
}
