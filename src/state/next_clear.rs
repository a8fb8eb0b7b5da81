//! When the service will next allow a clear of a queue, as far as this machine knows: the
//! service offers no way to ask without clearing, so purge remembers what it was told (a
//! refusal's `leftTime`) or what a clear implies (one a minute, or the emulator's
//! interval), and checks it before asking anyone to confirm. Best effort: a record that
//! cannot be read or written only means the service decides, as without it.

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
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

    /// How long until a clear is allowed, if the record says it is not yet. A record that
    /// cannot be read, or that a clock set back since makes doubtful, says nothing.
    pub fn wait(&self, now: SystemTime) -> Option<Duration> {
        let text = self.read()?;
        let (written, next) = text.trim().split_once(' ')?;
        let at = |secs: &str| {
            let secs = Duration::try_from_secs_f64(secs.parse().ok()?).ok()?;
            SystemTime::UNIX_EPOCH.checked_add(secs)
        };
        let (written, next) = (at(written)?, at(next)?);
        // Written in our future: the clock went back since, and the wait with it is unknown.
        now.duration_since(written).ok()?;
        // A record far ahead (not one of ours: the longest wait kept is an hour) is not trusted.
        next.duration_since(now)
            .ok()
            .filter(|left| *left <= Duration::from_secs(3600))
    }

    /// The next clear is allowed `after` from `now`.
    pub fn remember(&self, now: SystemTime, after: Duration) {
        let seconds = |t: SystemTime| t.duration_since(SystemTime::UNIX_EPOCH).ok();
        let (Some(written), Some(next)) = (seconds(now), now.checked_add(after).and_then(seconds))
        else {
            return;
        };
        if self.dir.create().is_err() {
            return;
        }
        // Cut to the millisecond, never rounded up: a record is never written in its future.
        let ms = |d: Duration| format!("{}.{:03}", d.as_secs(), d.subsec_millis());
        let text = format!("{} {}\n", ms(written), ms(next));
        // A new file of a random name (0600), renamed over the record: nothing planted at a
        // fixed name in a shared directory (a link to another file) is written through.
        if let Ok(mut temporary) = tempfile::NamedTempFile::new_in(&self.dir.path)
            && temporary.write_all(text.as_bytes()).is_ok()
        {
            let _ = temporary.persist(&self.path);
        }
    }

    /// The record's text: a few bytes of a regular file, never a link followed, nor a FIFO
    /// or a device waited on or read without end.
    fn read(&self) -> Option<String> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&self.path)
            .ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        let mut text = String::new();
        file.take(64).read_to_string(&mut text).ok()?;
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record of instance 1 on the emulator's default port, in `dir`.
    fn record_in(dir: &std::path::Path) -> NextClear {
        let state = StateDir {
            path: dir.to_path_buf(),
            explicit: true,
            origin: "test",
        };
        NextClear::new(&state, &QueueId::new("http://127.0.0.1:7700", 1))
    }

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

    #[test]
    fn a_clock_set_back_or_a_corrupt_record_means_the_service_decides() {
        let dir = tempfile::tempdir().unwrap();
        let record = record_in(dir.path());
        let now = SystemTime::now();
        record.remember(now, Duration::from_secs(60));
        // The clock set back ten minutes: the record is from the future, not a wait of 11 minutes.
        assert_eq!(record.wait(now - Duration::from_secs(600)), None);
        let path = dir.path().join(
            std::fs::read_dir(dir.path())
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .file_name(),
        );
        for corrupt in [
            "-1 -1",
            "nan nan",
            "inf inf",
            "1e300 1e300",
            "0 1e19",
            "1 -5",
            "",
            "x",
            "17",
            "\u{0}\u{0}",
            "1.5 2.5 3.5",
        ] {
            std::fs::write(&path, corrupt).unwrap();
            assert_eq!(record.wait(now), None, "{corrupt:?}");
        }
        // Nor a wait of more than an hour.
        let secs = |t: SystemTime| {
            t.duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64()
        };
        std::fs::write(
            &path,
            format!("{} {}", secs(now) - 1.0, secs(now) - 2.0 + 7200.0),
        )
        .unwrap();
        assert_eq!(record.wait(now), None);
    }

    #[test]
    fn nothing_planted_in_the_directory_is_written_through_or_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let record = record_in(dir.path());
        // A link where a temporary file of a fixed name would be, to someone else's file.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        let planted = record.path.with_extension("next-clear.tmp");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let now = SystemTime::now();
        record.remember(now, Duration::from_secs(30));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert!(record.wait(now).is_some(), "the record was written");
        // A FIFO where the record is: not waited on for a writer that never comes.
        std::fs::remove_file(&record.path).unwrap();
        let path = std::ffi::CString::new(record.path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo(3) reads a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
        let (done, waited) = std::sync::mpsc::channel();
        std::thread::spawn(move || done.send(record.wait(now)));
        // A guard only: the answer comes at once, or never.
        let answer = waited.recv_timeout(Duration::from_secs(30));
        assert_eq!(answer, Ok(None));
    }
}
