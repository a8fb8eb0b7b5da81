//! When the service will next allow a clear of a queue, as far as this machine knows: the
//! service offers no way to ask without clearing, so purge remembers what it was told (a
//! refusal's `leftTime`) or what a clear implies (one a minute, or the emulator's
//! interval), and checks it before asking anyone to confirm. Best effort: a record that
//! cannot be read or written only means the service decides, as without it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::state::dir::StateDir;
use crate::state::lock::QueueId;

/// The record of one queue: a file of the state directory holding Unix seconds.
pub struct NextClear {
    dir: StateDir,
    path: PathBuf,
}

impl NextClear {
    pub fn new(dir: &StateDir, queue: &QueueId) -> NextClear {
        // `purge-https_host_443-1101000001.next-clear`, beside tail's lock of that queue.
        let lock = queue.lock_name();
        let stem = lock.strip_suffix(".lock").unwrap_or(&lock);
        let name = format!(
            "purge-{}.next-clear",
            stem.strip_prefix("tail-").unwrap_or(stem)
        );
        NextClear {
            dir: dir.clone(),
            path: dir.join(&name),
        }
    }

    /// How long until a clear is allowed, if the record says it is not yet.
    pub fn wait(&self, now: SystemTime) -> Option<Duration> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs_f64(text.trim().parse().ok()?);
        // A record far ahead (a clock set back) is not trusted.
        at.duration_since(now)
            .ok()
            .filter(|left| *left <= Duration::from_secs(3600))
    }

    /// The next clear is allowed `after` from `now`.
    pub fn remember(&self, now: SystemTime, after: Duration) {
        let Ok(since_epoch) = (now + after).duration_since(SystemTime::UNIX_EPOCH) else {
            return;
        };
        if self.dir.create().is_err() {
            return;
        }
        let temporary = self.path.with_extension("next-clear.tmp");
        let written = std::fs::write(&temporary, format!("{:.3}\n", since_epoch.as_secs_f64()))
            .and_then(|()| std::fs::rename(&temporary, &self.path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_time_is_waited_for_until_it_passed() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir {
            path: dir.path().join("state"),
            explicit: true,
            origin: "test",
        };
        let record = NextClear::new(&state, &QueueId::new("http://127.0.0.1:7700", 1));
        let now = SystemTime::now();
        assert_eq!(record.wait(now), None, "nothing known: the service decides");
        record.remember(now, Duration::from_secs(46));
        let left = record.wait(now).unwrap();
        // Kept to the millisecond.
        let ms = Duration::from_millis(1);
        let secs = Duration::from_secs(46);
        assert!(left + ms >= secs && left <= secs + ms, "{left:?}");
        assert_eq!(record.wait(now + Duration::from_secs(47)), None);
        let other = NextClear::new(&state, &QueueId::new("http://127.0.0.1:7700", 2));
        assert_eq!(other.wait(now), None, "one record per queue");
    }
}
