//! One consumer per queue on a machine: `tail` holds an exclusive `flock` on a file named
//! after the queue (the API URL's scheme, host and port, and the instance), so two
//! emulators on two ports are two queues. The file says who holds it (pid, command, start
//! time) for the refusal. The kernel drops the lock with the process, kill -9 too.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use crate::exit::{Error, Result};
use crate::state::dir::StateDir;

/// The held lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct Lock {
    _file: File,
    pub path: PathBuf,
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
/// line, written into the file for a second tail's message.
pub fn take(dir: &StateDir, queue: &QueueId, command: &str) -> Result<Lock> {
    let path = dir.join(&queue.lock_name());
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| dir.unusable(&format!("cannot open {}: {e}", path.display())))?;
    // SAFETY: flock(2) on a descriptor this function owns; no memory is shared.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EWOULDBLOCK) {
            return Err(dir.unusable(&format!("cannot lock {}: {e}", path.display())));
        }
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        return Err(held(queue, &holder, &path));
    }
    let started = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M:%S %Z");
    let text = format!(
        "pid {}\ncommand {}\nstarted {started}\n",
        std::process::id(),
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

/// The refusal of a second tail: who has the queue, and what to do.
fn held(queue: &QueueId, holder: &str, path: &std::path::Path) -> Error {
    let field = |name: &str| {
        holder
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .map(|v| crate::text::escape_controls(v).into_owned())
    };
    let who = match field("pid") {
        Some(pid) => format!(
            "pid {pid}, `{}`, started {}",
            field("command").unwrap_or_else(|| "?".into()),
            field("started").unwrap_or_else(|| "?".into())
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
        let first = take(&dir, &queue, "greenq tail --exec -- ./bot").unwrap();
        let e = take(&dir, &queue, "greenq tail").unwrap_err().to_string();
        let pid = std::process::id().to_string();
        assert!(e.contains(&format!("pid {pid}")), "{e}");
        assert!(e.contains("greenq tail --exec -- ./bot"), "{e}");
        drop(first);
        take(&dir, &queue, "greenq tail").unwrap();
    }
}
