//! Checking greenq's pauses from the gaps between the requests a server saw, against the
//! back-off's lower bounds: load can stretch a pause, never shorten it, so these checks
//! hold on a busy machine without any timing margin.

use std::time::Duration;

use super::Seen;

/// The least pause after the `i`-th request in a row that made no progress: the lower half
/// of the back-off's step (0.5, 1, 2, 4 s ...), so 0.25, 0.5, 1, 2 s ...
pub fn least_pause(i: usize) -> Duration {
    Duration::from_millis(250 << i.min(6))
}

/// Each gap between two requests seen is at least the back-off's step: three gaps show
/// growth (the third is at least 1 s, twice the most the first can be).
pub fn assert_growing_pauses(seen: &[Seen]) {
    assert!(seen.len() >= 4, "three pauses at least: {seen:?}");
    for (i, pair) in seen.windows(2).enumerate() {
        let gap = pair[1].at - pair[0].at;
        let least = least_pause(i);
        assert!(gap >= least, "pause {i} was {gap:?}, less than {least:?}");
    }
}
