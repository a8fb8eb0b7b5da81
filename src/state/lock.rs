//! One consumer per queue on a machine: `tail` holds an exclusive `flock` on a file named
//! after the queue (the API URL's scheme, host and port, and the instance), so two
//! emulators on two ports are two queues. The file says who holds it (pid, command, start
//! time) for the refusal. The kernel drops the lock with the process, kill -9 too.
//!
//! `--exec`'s keeper shares the lock: after greenq was killed, it holds it until the
//! command it waits for has ended and is recorded. A tail started meanwhile finds the
//! holder it names gone, and waits for the lock instead of refusing.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use crate::exit::{Error, Result};
use crate::state::dir::StateDir;
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;

/// How often a tail waiting for a killed greenq's keeper tries the lock again.
const TRY_AGAIN: std::time::Duration = std::time::Duration::from_millis(10);

/// The held lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct Lock {
    _file: File,
    pub path: PathBuf,
}

impl Lock {
    /// Its descriptor, for `--exec`'s keeper to inherit (it holds the lock while a command
    /// it waits for runs, after greenq was killed).
    pub fn fd(&self) -> std::os::fd::RawFd {
        self._file.as_raw_fd()
    }
}

/// The queue a lock is for: `https://host:443` and the instance id.
pub struct QueueId {
    pub origin: String,
    pub instance: u64,
}

impl QueueId {
    /// `api_url` is a checked base URL (`config::BaseUrl`); its path is not part of the queue.
    pub fn new(api_url: &str, instance: u64) -> QueueId {
        let origin = match api_url.parse::<ureq::http::Uri>() {
            Ok(uri) => {
                let scheme = uri.scheme_str().unwrap_or("https");
                let port = uri
                    .port_u16()
                    .unwrap_or(if scheme == "http" { 80 } else { 443 });
                format!("{scheme}://{}:{port}", uri.host().unwrap_or(""))
            }
            Err(_) => api_url.to_string(),
        };
        QueueId { origin, instance }
    }

    /// `tail-https_host_443-1101000001.lock`: the lock file.
    pub fn lock_name(&self) -> String {
        format!("{}.lock", self.stem())
    }

    /// `tail-https_host_443-1101000001`: letters, digits, dots, dashes and underscores.
    fn stem(&self) -> String {
        let safe: String = self
            .origin
            .replace("://", "_")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("tail-{safe}-{}", self.instance)
    }
}

/// Takes the lock of `queue`, or says who holds it. `command` is this process's command
/// line, written into the file for a second tail's message. A lock whose holder is gone
/// is kept by its keeper, finishing a command: that is waited for (Ctrl-C stops it).
pub fn take(
    dir: &StateDir,
    queue: &QueueId,
    command: &str,
    status: &Status,
    interrupt: &Interrupt,
) -> Result<Lock> {
    let path = dir.join(&queue.lock_name());
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| dir.unusable(&format!("cannot open {}: {e}", path.display())))?;
    let mut said = false;
    loop {
        // SAFETY: flock(2) on a descriptor this function owns; no memory is shared.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc == 0 {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EWOULDBLOCK) {
            return Err(dir.unusable(&format!("cannot lock {}: {e}", path.display())));
        }
        let mut holder = String::new();
        let _ = file
            .rewind()
            .and_then(|()| file.read_to_string(&mut holder));
        if holder_lives(&holder) {
            return Err(held(queue, &holder, &path));
        }
        if !said {
            said = true;
            status.line(format_args!(
                "waiting for the command that a stopped greenq tail (pid {}) left running on instance {} to end; its outcome is recorded first",
                field(&holder, "pid").unwrap_or_else(|| "?".into()),
                queue.instance
            ));
        }
        if interrupt.sleep(TRY_AGAIN) {
            return Err(Error::interrupted().fix("nothing was received"));
        }
    }
    let started = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M:%S %Z");
    let text = format!(
        "pid {}\nbirth {}\ncommand {}\nstarted {started}\n",
        std::process::id(),
        birth("self").unwrap_or_default(),
        command.replace('\n', " ")
    );
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(text.as_bytes()));
    if let Err(e) = written {
        return Err(dir.unusable(&format!("cannot write {}: {e}", path.display())));
    }
    Ok(Lock { _file: file, path })
}

/// A field of the lock file (`pid 12`), with control characters escaped.
fn field(holder: &str, name: &str) -> Option<String> {
    holder
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .map(|v| crate::text::escape_controls(v).into_owned())
}

/// When a process started, in clock ticks since boot (`/proc/PID/stat`'s 22nd field):
/// with the pid, it tells a process from a later one that got the same pid.
fn birth(pid: &str) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid ...: comm may hold spaces, so count after ')'.
    let rest = stat.rsplit_once(')')?.1;
    rest.split_whitespace().nth(19).map(str::to_string)
}

/// Whether the greenq the lock file names still runs. A file without a pid is one being
/// written by a tail just starting; without /proc, every holder counts as alive.
fn holder_lives(holder: &str) -> bool {
    let Some(pid) = field(holder, "pid").filter(|p| p.parse::<u32>().is_ok()) else {
        return true;
    };
    if !std::path::Path::new("/proc/self/stat").exists() {
        return true;
    }
    match (birth(&pid), field(holder, "birth")) {
        (None, _) => false,
        (Some(now), Some(then)) => now == then,
        (Some(_), None) => true,
    }
}

/// The refusal of a second tail: who has the queue, and what to do.
fn held(queue: &QueueId, holder: &str, path: &std::path::Path) -> Error {
    let who = match field(holder, "pid") {
        Some(pid) => format!(
            "pid {pid}, `{}`, started {}",
            field(holder, "command").unwrap_or_else(|| "?".into()),
            field(holder, "started").unwrap_or_else(|| "?".into())
        ),
        None => "a process that is just starting".to_string(),
    };
    Error::failure(format!(
        "another greenq tail is consuming instance {} at {}",
        queue.instance, queue.origin
    ))
    .why(format!("{who}; lock {}", path.display()))
    .fix("each notification would reach only one of you: stop the other one first (one consumer per instance); to look at the queue meanwhile, use `greenq receive`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_names_keep_ports_apart() {
        let a = QueueId::new("http://127.0.0.1:7700", 1);
        let b = QueueId::new("http://127.0.0.1:7701", 1);
        assert_eq!(a.origin, "http://127.0.0.1:7700");
        assert_ne!(a.lock_name(), b.lock_name());
        let c = QueueId::new("https://7103.api.greenapi.com/prefix", 1101);
        assert_eq!(c.origin, "https://7103.api.greenapi.com:443");
        assert_eq!(
            c.lock_name(),
            "tail-https_7103.api.greenapi.com_443-1101.lock"
        );
        let v6 = QueueId::new("http://[::1]:80", 2);
        assert_eq!(v6.lock_name(), "tail-http____1__80-2.lock");
    }

    #[test]
    fn a_second_lock_is_refused_with_the_holder_named() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = StateDir {
            path: tmp.path().to_path_buf(),
            explicit: true,
            origin: "--state-dir",
        };
        let queue = QueueId::new("http://127.0.0.1:7700", 5);
        let (status, interrupt) = (Status::new(true, false), Interrupt::new());
        let first = take(
            &dir,
            &queue,
            "greenq tail --exec -- ./bot",
            &status,
            &interrupt,
        )
        .unwrap();
        let e = take(&dir, &queue, "greenq tail", &status, &interrupt)
            .unwrap_err()
            .to_string();
        let pid = std::process::id().to_string();
        assert!(e.contains(&format!("pid {pid}")), "{e}");
        assert!(e.contains("greenq tail --exec -- ./bot"), "{e}");
        drop(first);
        take(&dir, &queue, "greenq tail", &status, &interrupt).unwrap();
    }

    #[test]
    fn a_holder_is_alive_while_its_pid_has_the_same_birth() {
        let me = std::process::id();
        let born = birth("self").unwrap();
        assert!(holder_lives(&format!("pid {me}\nbirth {born}\n")));
        assert!(
            !holder_lives(&format!("pid {me}\nbirth 1{born}\n")),
            "a later process with the pid"
        );
        assert!(!holder_lives("pid 4194305\nbirth 5\n"), "past pid_max");
        assert!(holder_lives(""), "a tail just starting");
        assert!(
            holder_lives(&format!("pid {me}\n")),
            "a file without a birth"
        );
    }
}
