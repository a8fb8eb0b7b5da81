//! Waiting for events instead of sleeping: a counter that tests block on, and a look at
//! what a child process is blocked in. Limits are failure guards, never the expectation.

use std::process::Child;
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::{Step, reply};

/// A generous limit for a wait that should end at once: only there to fail a hung test.
pub const GUARD: Duration = Duration::from_secs(60);

/// A count that can be waited for.
#[derive(Default)]
pub struct Counter {
    count: Mutex<usize>,
    changed: Condvar,
}

impl Counter {
    pub fn bump(&self) {
        *self.count.lock().expect("lock") += 1;
        self.changed.notify_all();
    }

    /// Blocks until the count reaches `n`; panics when `limit` passes first.
    pub fn wait_for(&self, n: usize, limit: Duration, what: &str) -> usize {
        let deadline = Instant::now() + limit;
        let mut count = self.count.lock().expect("lock");
        while *count < n {
            let now = Instant::now();
            assert!(now < deadline, "{what}: {count} of {n} within {limit:?}");
            count = self
                .changed
                .wait_timeout(count, deadline - now)
                .expect("lock")
                .0;
        }
        *count
    }
}

/// A step that never answers within any test's lifetime: a long poll in progress.
pub fn hang() -> Step {
    Step::Slow(Duration::from_secs(3600), Box::new(reply(200, "null")))
}

/// True when a thread of `child` is blocked writing into a pipe (Linux: its wait channel).
pub fn blocked_in_pipe_write(child: &Child) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", child.id())) else {
        return false;
    };
    tasks.flatten().any(|task| {
        std::fs::read_to_string(task.path().join("wchan")).is_ok_and(|w| w.contains("pipe_write"))
    })
}

/// How many threads of process `pid` are blocked in system call `nr` with `first` as its
/// first argument (Linux: `/proc/PID/task/*/syscall`), e.g. write(2) (1) to fd 2.
pub fn threads_in_syscall(pid: u32, nr: u64, first: u64) -> usize {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    let wanted = format!("{nr} {first:#x} ");
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("syscall"))
                .is_ok_and(|s| s.starts_with(&wanted))
        })
        .count()
}

/// How many threads of process `pid` have the name `name` (Linux: `/proc/PID/task/*/comm`).
pub fn threads_named(pid: u32, name: &str) -> usize {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|c| c.trim_end() == name)
        })
        .count()
}

/// Waits until `child` is blocked writing into a pipe; panics after `limit`.
pub fn wait_until_blocked_in_pipe_write(child: &Child, limit: Duration) {
    let deadline = Instant::now() + limit;
    while !blocked_in_pipe_write(child) {
        assert!(
            Instant::now() < deadline,
            "the child did not block in a pipe write within {limit:?}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// Counts the opens of a file from now on (inotify's IN_OPEN): how often a run read it,
/// whatever the machine's load.
pub struct Opens {
    fd: std::os::fd::OwnedFd,
}

impl Opens {
    pub fn watch(path: &std::path::Path) -> Opens {
        use std::os::fd::FromRawFd;
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("a path");
        // SAFETY: inotify_init1(2) returns a new descriptor we own; inotify_add_watch(2)
        // reads a NUL-terminated path.
        unsafe {
            let fd = libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC);
            assert!(fd >= 0, "inotify_init1");
            let fd = std::os::fd::OwnedFd::from_raw_fd(fd);
            let wd = libc::inotify_add_watch(
                std::os::fd::AsRawFd::as_raw_fd(&fd),
                name.as_ptr(),
                // Closes too: inotify merges an event into the same one unread before
                // it, so that opens alone would count as one.
                libc::IN_OPEN | libc::IN_CLOSE_NOWRITE | libc::IN_CLOSE_WRITE,
            );
            assert!(wd >= 0, "inotify_add_watch");
            Opens { fd }
        }
    }

    /// The opens seen so far (read after the process that opened it ended).
    pub fn count(&self) -> usize {
        let mut count = 0;
        let mut buf = [0u8; 4096];
        loop {
            // SAFETY: read(2) into a buffer we own, of its length.
            let n = unsafe {
                libc::read(
                    std::os::fd::AsRawFd::as_raw_fd(&self.fd),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                )
            };
            if n <= 0 {
                return count;
            }
            // Each event: wd, mask, cookie, len (4 bytes each), then `len` bytes of name.
            let mut at = 0;
            while at + 16 <= n as usize {
                let field = |i: usize| {
                    u32::from_ne_bytes(buf[at + i..at + i + 4].try_into().expect("4 bytes"))
                };
                if field(4) & libc::IN_OPEN != 0 {
                    count += 1;
                }
                at += 16 + field(12) as usize;
            }
        }
    }
}

/// How many of a process's descriptors are open on a file named `name`.
pub fn descriptors_on(pid: u32, name: &str) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("the process's descriptors")
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter(|target| target.file_name().is_some_and(|n| n == name))
        .count()
}
