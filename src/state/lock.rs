//! One consumer per queue on a machine: `tail` holds an exclusive `flock` on a file named
//! after the queue (the API URL's scheme, host and port, and the instance), so two
//! emulators on two ports are two queues. The file says who holds it (pid, command, start
//! time) for the refusal. The kernel drops the lock with the process, kill -9 too.
//!
//! `--exec`'s keeper shares the lock and adds its own line to the file: after greenq was
//! killed, it holds the lock until the command it waits for has ended and is recorded. A
//! tail started meanwhile finds the greenq named gone and that keeper alive, and waits for
//! it instead of refusing. Any other holder it cannot see (another pid namespace, another
//! host on a shared disk) is refused as before.
//!
//! A tail removes its file when it ends, and the first tail of a process removes the files
//! nobody holds (left by a kill, or by queues long gone), so that they do not pile up. A
//! file is removed only while locked, and a lock counts only on the file that is still at
//! the path: one who opened a file just before it was removed locks it, sees that, and
//! opens the new one.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::exit::{Error, Result};
use crate::state::dir::StateDir;
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;

/// How often a tail waiting for a killed greenq's keeper tries the lock again: at first
/// soon (the command is usually done), then every quarter second.
const TRY_FIRST: std::time::Duration = std::time::Duration::from_millis(5);
const TRY_CAP: std::time::Duration = std::time::Duration::from_millis(250);

/// A lock held by no process that runs is tried again this many times, after 2, 4, ...
/// 64 ms (126 ms in all), before it is refused.
const BRIEF_TRIES: u32 = 6;
const BRIEF_FIRST: std::time::Duration = std::time::Duration::from_millis(1);

/// How often a file that was removed under the lock is opened again before giving up (a
/// remover each time: it does not happen twice in practice).
const REOPENS: u32 = 50;

/// The held lock; dropping it removes the file and releases the lock (the process ending
/// releases it too, and leaves the file for the next start to remove).
#[derive(Debug)]
pub struct Lock {
    file: File,
    pub path: PathBuf,
}

impl Lock {
    /// Its descriptor, for `--exec`'s keeper to inherit (it holds the lock while a command
    /// it waits for runs, after greenq was killed).
    pub fn fd(&self) -> std::os::fd::RawFd {
        self.file.as_raw_fd()
    }
}

impl Drop for Lock {
    /// Removed while still locked. Not while a keeper that shares the lock runs on (it
    /// holds the queue until its command is recorded): the next start removes it then.
    fn drop(&mut self) {
        let mut holder = String::new();
        let _ = self
            .file
            .rewind()
            .and_then(|()| self.file.read_to_string(&mut holder));
        if !keeper_may_run(&holder) && still_at(&self.file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether `file` is the one at `path` now (not removed, nor replaced by a new one).
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// Locks `file` without waiting: `Ok(false)` when another holds it.
fn try_lock(file: &File) -> std::io::Result<bool> {
    // SAFETY: flock(2) on a descriptor the caller owns; no memory is shared.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

/// Removes the other lock files in `dir` that nobody holds, once per process (a
/// multi-instance tail takes a lock per instance). A file held by a tail or by a keeper
/// finishing a command stays.
fn prune_unheld_once(dir: &Path, ours: &Path) {
    static PRUNED: std::sync::Once = std::sync::Once::new();
    PRUNED.call_once(|| prune_unheld(dir, ours));
}

fn prune_unheld(dir: &Path, ours: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path == ours || !name.starts_with("tail-") || !name.ends_with(".lock") {
            continue;
        }
        let Ok(file) = File::open(&path) else {
            continue;
        };
        if try_lock(&file).unwrap_or(false) && still_at(&file, &path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// The queue a lock (and a ledger row) is for: `https://host:443` and the instance id.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    let open = || {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| dir.unusable(&format!("cannot open {}: {e}", path.display())))
    };
    let mut file = open()?;
    let mut said = false;
    let mut brief = 0;
    let mut pause = TRY_FIRST;
    let mut reopened = 0;
    loop {
        let locked = try_lock(&file)
            .map_err(|e| dir.unusable(&format!("cannot lock {}: {e}", path.display())))?;
        if locked && still_at(&file, &path) {
            break;
        }
        if locked {
            // Removed (by a tail that ended, or a prune) after it was opened: the lock
            // holds a file nobody else will open. The one at the path now is the queue's.
            reopened += 1;
            if reopened > REOPENS {
                return Err(dir.unusable(&format!(
                    "cannot lock {}: the file was removed {REOPENS} times while it was being locked",
                    path.display()
                )));
            }
            file = open()?;
            continue;
        }
        let mut holder = String::new();
        let _ = file
            .rewind()
            .and_then(|()| file.read_to_string(&mut holder));
        let Some(keeper) = keeper_left(&holder) else {
            // Held by no process that runs: for an instant only (a keeper that ended between
            // the try and the look, a tail removing the files nobody holds, one just
            // starting). Tried again a few times, briefly, before refusing.
            if brief < BRIEF_TRIES && !holder_runs(&holder) {
                brief += 1;
                if interrupt.sleep(BRIEF_FIRST * (1 << brief)) {
                    return Err(Error::interrupted().fix("nothing was received"));
                }
                continue;
            }
            return Err(held(queue, &holder, &path));
        };
        brief = 0;
        if !said {
            said = true;
            status.line(format_args!(
                "waiting for greenq's keeper (pid {keeper}) to end the command that a stopped greenq tail (pid {}) left running on instance {}; what it handled is recorded first",
                field(&holder, "pid").unwrap_or_else(|| "?".into()),
                queue.instance
            ));
        }
        if interrupt.sleep(pause) {
            return Err(Error::interrupted().fix("nothing was received"));
        }
        pause = (pause * 2).min(TRY_CAP);
    }
    // In UTC: finding the system's zone name scans the zoneinfo tree, milliseconds at
    // every start.
    let started = jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M:%S UTC");
    let text = format!(
        "pid {}\nbirth {}\ncommand {}\nstarted {started}\n",
        std::process::id(),
        own_birth(),
        command.replace('\n', " ")
    );
    // Written over, then cut to its length: a file cut to 0 bytes is written to the disk
    // when it is closed (ext4's auto_da_alloc), a flush for every lock at the end.
    let written = file
        .rewind()
        .and_then(|()| file.write_all(text.as_bytes()))
        .and_then(|()| file.set_len(text.len() as u64));
    if let Err(e) = written {
        return Err(dir.unusable(&format!("cannot write {}: {e}", path.display())));
    }
    prune_unheld_once(&dir.path, &path);
    Ok(Lock { file, path })
}

/// A field of the lock file (`pid 12`), with control characters escaped.
fn field(holder: &str, name: &str) -> Option<String> {
    holder
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .map(|v| crate::text::escape_controls(v).into_owned())
}

/// A process's state and when it started (in clock ticks since boot), from
/// `/proc/PID/stat`: with the pid, the start tells a process from a later one that got the
/// same pid.
fn stat_of(pid: &str) -> Option<(String, String)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid ...: comm may hold spaces, so count after ')'.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.to_string();
    let birth = fields.nth(18)?.to_string();
    Some((state, birth))
}

fn birth(pid: &str) -> Option<String> {
    stat_of(pid).map(|(_, birth)| birth)
}

/// This process's start, read once: /proc/self/stat sums the CPU time of every thread, so
/// a read per lock of a 1,000-instance tail (a thread each) was quadratic.
fn own_birth() -> &'static str {
    static BIRTH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIRTH.get_or_init(|| birth("self").unwrap_or_default())
}

/// Whether `pid` (as the lock file names it) runs here, born at `born`: not gone, not a
/// zombie waiting for its parent, not a later process with the same pid.
fn runs(pid: &str, born: Option<&str>) -> bool {
    pid.parse::<u32>().is_ok()
        && stat_of(pid).is_some_and(|(state, birth)| {
            !matches!(state.as_str(), "Z" | "X") && born.is_none_or(|b| b == birth)
        })
}

/// Whether the greenq the lock file names runs here.
fn holder_runs(holder: &str) -> bool {
    field(holder, "pid").is_some_and(|pid| runs(&pid, field(holder, "birth").as_deref()))
}

/// The keeper to wait for, when the lock file names a greenq that is gone and a keeper of
/// its that still runs here. Anything else (a live holder, one this machine cannot see,
/// a file being written) is refused.
fn keeper_left(holder: &str) -> Option<String> {
    field(holder, "pid")?;
    if holder_runs(holder) {
        return None;
    }
    keeper_of(holder)
}

/// Whether the keeper the lock file names may still run: it does, or this system has no
/// `/proc` to tell.
fn keeper_may_run(holder: &str) -> bool {
    field(holder, "keeper").is_some()
        && (keeper_of(holder).is_some() || !Path::new("/proc/self/stat").exists())
}

/// The keeper the lock file names, if it still runs here (a zombie too: its last threads
/// may still hold the lock for a moment).
fn keeper_of(holder: &str) -> Option<String> {
    let keeper = field(holder, "keeper")?;
    let (keeper_pid, keeper_birth) = keeper.split_once(' ')?;
    stat_of(keeper_pid)
        .is_some_and(|(_, birth)| birth == keeper_birth)
        .then(|| keeper_pid.to_string())
}

/// Adds the keeper's line (`keeper PID BIRTH`) to the lock file it shares through `fd`:
/// it is what a tail started after greenq was killed waits for.
pub fn note_keeper(fd: std::os::fd::RawFd) {
    let line = format!(
        "keeper {} {}\n",
        std::process::id(),
        birth("self").unwrap_or_default()
    );
    // SAFETY: fstat(2) and pwrite(2) on a descriptor greenq passed; `st` is plain data.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut st) == 0 {
            libc::pwrite(fd, line.as_ptr().cast(), line.len(), st.st_size);
        }
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

    /// A state directory in `tmp`, a queue, and a quiet status.
    fn fixture(tmp: &tempfile::TempDir) -> (StateDir, QueueId, Status, Interrupt) {
        let dir = StateDir {
            path: tmp.path().to_path_buf(),
            explicit: true,
            origin: "--state-dir",
        };
        let queue = QueueId::new("http://127.0.0.1:7700", 5);
        (dir, queue, Status::new(true, false), Interrupt::new())
    }

    #[test]
    fn a_second_lock_is_refused_with_the_holder_named() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, queue, status, interrupt) = fixture(&tmp);
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
    fn a_lock_removes_its_file_when_dropped_unless_a_running_keeper_shares_it() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, queue, status, interrupt) = fixture(&tmp);
        let lock = take(&dir, &queue, "greenq tail", &status, &interrupt).unwrap();
        let path = lock.path.clone();
        assert!(path.exists());
        drop(lock);
        assert!(!path.exists(), "removed at the end");
        // The keeper's line names this test, which runs: the file stays for it.
        let lock = take(&dir, &queue, "greenq tail", &status, &interrupt).unwrap();
        note_keeper(lock.fd());
        drop(lock);
        assert!(path.exists(), "kept while its keeper runs");
        take(&dir, &queue, "greenq tail", &status, &interrupt).unwrap();
    }

    #[test]
    fn locks_taken_while_their_left_files_are_being_pruned_are_not_refused() {
        // A multi-instance tail restarted after kill -9: each instance takes its lock
        // while the files of the killed run are removed (here: again and again).
        for round in 0..50 {
            let tmp = tempfile::tempdir().unwrap();
            let (dir, _, status, interrupt) = fixture(&tmp);
            let queues: Vec<QueueId> = (0..16)
                .map(|i| QueueId::new("http://127.0.0.1:7700", 100 + i))
                .collect();
            for queue in &queues {
                std::fs::write(dir.join(&queue.lock_name()), "pid 4194305\nbirth 5\n").unwrap();
            }
            let done = std::sync::atomic::AtomicUsize::new(0);
            std::thread::scope(|scope| {
                scope.spawn(|| {
                    while done.load(std::sync::atomic::Ordering::SeqCst) < queues.len() {
                        prune_unheld(&dir.path, Path::new(""));
                    }
                });
                let taken: Vec<_> = queues
                    .iter()
                    .map(|queue| {
                        let (dir, status, interrupt, done) = (&dir, &status, &interrupt, &done);
                        scope.spawn(move || {
                            let lock = take(dir, queue, "greenq tail", status, interrupt);
                            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            lock.map(|_| ()).map_err(|e| e.to_string())
                        })
                    })
                    .collect();
                for t in taken {
                    let taken = t.join().unwrap();
                    assert!(taken.is_ok(), "round {round}: {taken:?}");
                }
            });
        }
    }

    #[test]
    fn a_lock_held_by_no_process_that_runs_is_refused_after_a_few_tries() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, queue, status, interrupt) = fixture(&tmp);
        let path = dir.join(&queue.lock_name());
        std::fs::write(&path, "pid 4194305\nbirth 5\ncommand greenq tail\n").unwrap();
        let held_here = File::open(&path).unwrap();
        assert!(try_lock(&held_here).unwrap());
        let e = take(&dir, &queue, "greenq tail", &status, &interrupt)
            .unwrap_err()
            .to_string();
        assert!(e.contains("pid 4194305"), "{e}");
    }

    #[test]
    fn a_file_counts_only_while_it_is_the_one_at_its_path() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("tail-x.lock");
        let file = File::create(&path).unwrap();
        assert!(still_at(&file, &path));
        std::fs::remove_file(&path).unwrap();
        assert!(!still_at(&file, &path), "removed");
        let _new = File::create(&path).unwrap();
        assert!(!still_at(&file, &path), "replaced by another file");
        assert!(try_lock(&file).unwrap());
        let again = File::open(&path).unwrap();
        assert!(
            try_lock(&again).unwrap(),
            "the new file is not locked by the old one"
        );
        let third = File::open(&path).unwrap();
        assert!(!try_lock(&third).unwrap());
    }

    #[test]
    fn only_a_running_keeper_of_a_gone_greenq_is_waited_for() {
        let me = std::process::id();
        let born = birth("self").unwrap();
        let gone = "pid 4194305\nbirth 5\n";
        assert!(runs(&me.to_string(), Some(&born)));
        assert!(
            !runs(&me.to_string(), Some("1")),
            "a later process with the pid"
        );
        assert!(!runs("4194305", None), "past pid_max");
        // The keeper is this test: it runs; the greenq is gone.
        let keeper = format!("keeper {me} {born}\n");
        assert_eq!(
            keeper_left(&format!("{gone}{keeper}")),
            Some(me.to_string())
        );
        assert_eq!(keeper_left(gone), None, "no keeper: refused");
        assert_eq!(
            keeper_left(&format!("{gone}keeper {me} 1\n")),
            None,
            "not that keeper"
        );
        assert_eq!(
            keeper_left(&format!("pid {me}\nbirth {born}\n{keeper}")),
            None,
            "the greenq runs"
        );
        assert_eq!(keeper_left(""), None, "a tail just starting");
    }

    #[test]
    fn a_zombie_is_gone() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id().to_string();
        // Not reaped yet: a zombie once it exited.
        while stat_of(&pid).is_some_and(|(state, _)| state != "Z") {
            std::thread::yield_now();
        }
        assert!(!runs(&pid, None));
        child.wait().unwrap();
    }
}
