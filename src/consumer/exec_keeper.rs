//! The keeper: a helper process (greenq run again as `greenq __exec-keeper`) that starts
//! `tail --exec`'s commands, waits for each, and, when a command succeeded, commits it to
//! the ledger before it answers. It outlives a greenq killed with SIGKILL: a command that
//! was running then is still waited for and, if it succeeded, recorded; it also keeps the
//! queue's lock until then, so that the restarted tail waits for it instead of handing
//! the same notification on again. Without a ledger (`--no-state`) it dies with greenq
//! and its command gets SIGTERM (on Linux, through parent-death signals; elsewhere the
//! keeper finishes the command, and a restarted tail refuses while it holds the lock).
//!
//! It talks to greenq over its stdin, a Unix socket: a request is a JSON line, then the
//! body's bytes; each answer is a JSON line. Each command leads a process group of its
//! own (`sh -c 'a & b; wait'` is signalled whole); a timeout sends SIGTERM to the group,
//! then SIGKILL 5 s later. Ctrl-C is forwarded to the group by greenq, which knows it.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::os::fd::FromRawFd;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

use crate::state::ledger::{Entry, Ledger};
use crate::state::lock::{self, QueueId};

/// The first argument that makes greenq a keeper (not a command of users: no help shows it).
pub const ARG: &str = "__exec-keeper";

/// The process group of the command running now (0: none), for the stop signal.
static RUNNING: AtomicI32 = AtomicI32::new(0);

/// How long a command has after SIGTERM (on a timeout) before it is killed.
const KILL_AFTER: Duration = Duration::from_secs(5);
/// How often a wait past the timeout looks at what is left of a group.
const LOOK: Duration = Duration::from_millis(20);

/// One notification to hand to the command. The body follows the line: `len` bytes.
#[derive(Serialize, Deserialize)]
pub struct Request {
    pub len: usize,
    /// Variables set for this command (`GREENQ_RECEIPT_ID`, ...).
    pub env: Vec<(String, String)>,
    /// Variables removed for this command (an absent `GREENQ_ID_MESSAGE`).
    pub unset: Vec<String>,
    /// Committed to the ledger if the command succeeds, before the answer.
    pub record: Option<Record>,
}

/// A ledger entry, as the keeper commits it (outcome `handled`).
#[derive(Serialize, Deserialize)]
pub struct Record {
    pub receipt: u64,
    /// The fingerprints, as 32 hex digits (u128 is not JSON's).
    pub body: String,
    pub dedupe: Option<String>,
}

/// The keeper's answers: `Started` (or `CannotRun`), then one of the others.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The command runs; its process group, for Ctrl-C.
    Started(i32),
    /// The command could not be started; `missing`: not found or not executable.
    CannotRun {
        missing: bool,
        why: String,
    },
    Done,
    Failed(String),
    /// The ledger could not be opened (before the command ran) or written (after it
    /// succeeded): the error as greenq would say it, and its exit code.
    NotRecorded {
        message: String,
        code: i32,
    },
}

/// How greenq starts its keeper: `__exec-keeper TIMEOUT_MS LOCK_FD LEDGER ORIGIN INSTANCE
/// -- CMD...` (LOCK_FD `-`, LEDGER empty: none).
pub struct Setup {
    pub timeout: Duration,
    /// The queue's lock, a descriptor greenq lets the keeper inherit.
    pub lock_fd: Option<i32>,
    pub ledger: Option<PathBuf>,
    /// The queue whose notifications the ledger gets.
    pub queue: QueueId,
    pub argv: Vec<OsString>,
}

impl Setup {
    pub fn to_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            ARG.into(),
            self.timeout.as_millis().to_string().into(),
            self.lock_fd.map_or("-".into(), |fd| fd.to_string()).into(),
            self.ledger.clone().unwrap_or_default().into(),
            self.queue.origin.clone().into(),
            self.queue.instance.to_string().into(),
            "--".into(),
        ];
        args.extend(self.argv.iter().cloned());
        args
    }

    fn from_args(mut args: impl Iterator<Item = OsString>) -> Option<Setup> {
        let timeout = args.next()?.to_str()?.parse().ok()?;
        let lock_fd = match args.next()?.to_str()? {
            "-" => None,
            fd => Some(fd.parse().ok()?),
        };
        let ledger = args.next()?;
        let origin = args.next()?.into_string().ok()?;
        let instance = args.next()?.to_str()?.parse().ok()?;
        if args.next()? != "--" {
            return None;
        }
        let argv: Vec<OsString> = args.collect();
        (!argv.is_empty()).then(|| Setup {
            timeout: Duration::from_millis(timeout),
            lock_fd,
            ledger: (!ledger.is_empty()).then(|| PathBuf::from(ledger)),
            queue: QueueId { origin, instance },
            argv,
        })
    }
}

/// Runs the keeper when greenq was started as one; the exit code. `None`: a user's
/// command line, for clap.
pub fn main_if_called() -> Option<i32> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != ARG {
        return None;
    }
    let Some(setup) = Setup::from_args(args) else {
        crate::ewriteln!("greenq: error: {ARG} is started by greenq tail --exec, not by hand");
        return Some(2);
    };
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(2) names this thread (ps -L, top); the string is NUL-terminated.
    unsafe {
        libc::prctl(libc::PR_SET_NAME, c"greenq-keeper".as_ptr());
    }
    // The stop signal (systemd sends it to the whole unit) is greenq's to act on while it
    // lives: the keeper goes on until greenq closes the socket. Once greenq is gone, the
    // signal is passed on to the command. Caught, not ignored, so that the commands it
    // starts get the default back.
    // SAFETY: getppid(2) has no preconditions.
    let parent = unsafe { libc::getppid() };
    let _ = ctrlc::set_handler(move || {
        // SAFETY: getppid(2) has no preconditions.
        if unsafe { libc::getppid() } != parent {
            signal_group(Some(RUNNING.load(Ordering::SeqCst)), libc::SIGTERM);
        }
    });
    if let Some(fd) = setup.lock_fd {
        // The lock is the keeper's, not its commands' (a child they leave must not hold it).
        // SAFETY: fcntl(2) on the descriptor greenq passed; it only sets close-on-exec.
        unsafe {
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
        lock::note_keeper(fd);
    }
    // SAFETY: greenq gives the keeper a Unix socket as its stdin, and nothing else here
    // uses descriptor 0.
    let socket = unsafe { UnixStream::from_raw_fd(0) };
    Some(serve(&setup, socket))
}

fn serve(setup: &Setup, socket: UnixStream) -> i32 {
    let Ok(mut writer) = socket.try_clone() else {
        return 1;
    };
    let mut reader = BufReader::new(socket);
    // Opened before any command runs: one that succeeded must find it writable.
    let mut ledger = setup
        .ledger
        .as_ref()
        .map(|path| Ledger::open_writer(path, &setup.queue).map_err(|e| not_recorded(&e)));
    let mut line = Vec::new();
    loop {
        line.clear();
        // End of input: greenq ended, or was killed. Whatever ran was waited for.
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return 0,
            Ok(_) => {}
        }
        let Ok(request) = serde_json::from_slice::<Request>(&line) else {
            return 2;
        };
        let mut body = vec![0; request.len];
        if reader.read_exact(&mut body).is_err() {
            return 0;
        }
        let answer = match &mut ledger {
            Some(Err(answer)) => answer.clone(),
            _ => hand_on(setup, &request, body, &mut writer),
        };
        let answer = match (answer, &request.record, &mut ledger) {
            (Answer::Done, Some(record), Some(Ok(ledger))) => commit(ledger, record),
            (answer, _, _) => answer,
        };
        // greenq may be gone: what mattered (the ledger) is done.
        let _ = send(&mut writer, &answer);
    }
}

fn send(writer: &mut UnixStream, answer: &Answer) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(answer).map_err(std::io::Error::other)?;
    line.push(b'\n');
    writer.write_all(&line)
}

/// Commits a succeeded command's notification.
fn commit(ledger: &mut Ledger, record: &Record) -> Answer {
    let hex = |h: &str| u128::from_str_radix(h, 16).ok();
    let (Some(body), dedupe) = (hex(&record.body), record.dedupe.as_deref().map(hex)) else {
        return Answer::NotRecorded {
            message: "a malformed fingerprint from greenq".into(),
            code: 1,
        };
    };
    let entry = Entry {
        receipt: record.receipt,
        body,
        outcome: "handled",
        dedupe: dedupe.flatten(),
    };
    match ledger.record(&entry) {
        Ok(()) => Answer::Done,
        Err(e) => not_recorded(&e),
    }
}

fn not_recorded(e: &crate::exit::Error) -> Answer {
    Answer::NotRecorded {
        message: e.to_string(),
        code: e.code.code(),
    }
}

/// Starts the command, says so, writes the body to its stdin and waits for it.
fn hand_on(setup: &Setup, request: &Request, body: Vec<u8>, writer: &mut UnixStream) -> Answer {
    let mut cmd = command(setup, request);
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            let missing = matches!(e.kind(), ErrorKind::NotFound | ErrorKind::PermissionDenied);
            return Answer::CannotRun {
                missing,
                why: e.to_string(),
            };
        }
    };
    let group = libc::pid_t::try_from(child.id()).unwrap_or(0);
    RUNNING.store(group, Ordering::SeqCst);
    let _ = send(writer, &Answer::Started(group));
    // Written from a thread: a command that does not read its stdin must not block us,
    // whatever the size of the body. One that exits early closes the pipe: fine.
    if let Some(mut stdin) = child.stdin.take() {
        std::thread::spawn(move || {
            let mut bytes = body;
            bytes.push(b'\n');
            let _ = stdin.write_all(&bytes);
        });
    }
    let answer = wait(&mut child, setup.timeout);
    RUNNING.store(0, Ordering::SeqCst);
    answer
}

fn command(setup: &Setup, request: &Request) -> Command {
    let mut cmd = Command::new(&setup.argv[0]);
    cmd.args(&setup.argv[1..]);
    for (name, value) in &request.env {
        cmd.env(name, value);
    }
    for name in &request.unset {
        cmd.env_remove(name);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: between fork and exec only async-signal-safe calls: prctl, getppid.
    unsafe {
        let parent = libc::getpid();
        cmd.pre_exec(move || {
            // The keeper killed (with greenq, under --no-state): the command is told.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 || libc::getppid() != parent
            {
                // Not `io::Error::other`: it allocates, which is not safe here.
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
    cmd
}

/// Waits for the command up to the timeout; then SIGTERM to its group, and SIGKILL to
/// what is left of it 5 s later.
fn wait(child: &mut Child, timeout: Duration) -> Answer {
    let group = libc::pid_t::try_from(child.id()).ok();
    match child.wait_timeout(timeout) {
        Ok(Some(status)) => return answer_of(status),
        Ok(None) => {}
        Err(e) => {
            signal_group(group, libc::SIGKILL);
            let _ = child.wait();
            return Answer::Failed(format!("waiting for the command failed: {e}"));
        }
    }
    let secs = timeout.as_secs_f64();
    signal_group(group, libc::SIGTERM);
    let kill_at = Instant::now() + KILL_AFTER;
    let mut reaped = false;
    while Instant::now() < kill_at {
        if reaped {
            std::thread::sleep(LOOK);
        } else {
            let left = kill_at.saturating_duration_since(Instant::now());
            reaped = matches!(child.wait_timeout(left.min(LOOK)), Ok(Some(_)) | Err(_));
        }
        if reaped && !group_alive(group) {
            return Answer::Failed(format!(
                "timed out after {secs} s (--handler-timeout); stopped with SIGTERM"
            ));
        }
    }
    signal_group(group, libc::SIGKILL);
    let _ = child.kill();
    let _ = child.wait();
    Answer::Failed(format!(
        "timed out after {secs} s (--handler-timeout); killed with SIGKILL {} s after SIGTERM",
        KILL_AFTER.as_secs()
    ))
}

fn answer_of(status: ExitStatus) -> Answer {
    use std::os::unix::process::ExitStatusExt;
    if status.success() {
        return Answer::Done;
    }
    match (status.code(), status.signal()) {
        // What a shell's 127 and 126 mean (`sh -c 'jqq ...'`), said as the shell's line above did.
        (Some(127), _) => Answer::Failed(
            "the command exited with status 127 (a shell's: command not found)".into(),
        ),
        (Some(126), _) => Answer::Failed(
            "the command exited with status 126 (a shell's: command not executable)".into(),
        ),
        (Some(code), _) => Answer::Failed(format!("the command exited with status {code}")),
        (None, Some(signal)) => Answer::Failed(format!(
            "the command was killed by signal {signal}{}",
            signal_name(signal).map_or_else(String::new, |n| format!(" ({n})"))
        )),
        _ => Answer::Failed(format!("the command failed ({status})")),
    }
}

fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGHUP => "SIGHUP",
        _ => return None,
    })
}

/// Signals a command's process group. The group keeps its id while any member lives,
/// so after the command was reaped it still names only what the command started.
pub fn signal_group(group: Option<libc::pid_t>, signal: i32) {
    if let Some(pgid) = group.filter(|&g| g > 1) {
        // SAFETY: killpg(2) on a group a command of ours leads; no memory is shared.
        unsafe {
            libc::killpg(pgid, signal);
        }
    }
}

/// Whether anything of the command's group is still there (zombies waiting for their
/// reaper count as gone).
fn group_alive(group: Option<libc::pid_t>) -> bool {
    let Some(pgid) = group.filter(|&g| g > 1) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the group exists.
    if unsafe { libc::killpg(pgid, 0) } != 0 {
        return false;
    }
    // Members that are zombies are dead; look for a live one in /proc where there is one.
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return true;
    };
    entries.flatten().any(|entry| {
        std::fs::read_to_string(entry.path().join("stat")).is_ok_and(|stat| {
            // pid (comm) state ppid pgrp ...: comm may hold spaces, so read after ')'.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                return false;
            };
            let mut fields = rest.split_whitespace();
            let state = fields.next();
            let pgrp = fields.nth(1).and_then(|p| p.parse::<libc::pid_t>().ok());
            pgrp == Some(pgid) && state != Some("Z")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_are_answers() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(answer_of(ExitStatus::from_raw(0)), Answer::Done);
        assert_eq!(
            answer_of(ExitStatus::from_raw(3 << 8)),
            Answer::Failed("the command exited with status 3".into())
        );
        assert_eq!(
            answer_of(ExitStatus::from_raw(9)),
            Answer::Failed("the command was killed by signal 9 (SIGKILL)".into())
        );
    }

    #[test]
    fn the_setup_survives_its_trip_through_the_arguments() {
        let setup = Setup {
            timeout: Duration::from_millis(1500),
            lock_fd: Some(5),
            ledger: Some(PathBuf::from("/s/ledger.sqlite3")),
            queue: QueueId::new("http://127.0.0.1:7700", 7),
            argv: vec!["sh".into(), "-c".into(), "echo -- $1".into()],
        };
        let back = Setup::from_args(setup.to_args().into_iter().skip(1)).unwrap();
        assert_eq!(back.timeout, setup.timeout);
        assert_eq!((back.ledger, back.lock_fd), (setup.ledger.clone(), Some(5)));
        assert_eq!((&back.queue, &back.argv), (&setup.queue, &setup.argv));
        let none = Setup {
            ledger: None,
            lock_fd: None,
            ..setup
        };
        let back = Setup::from_args(none.to_args().into_iter().skip(1)).unwrap();
        assert_eq!((back.ledger, back.lock_fd), (None, None));
        assert!(
            Setup::from_args(
                ["1", "-", "", "", "7", "--"]
                    .map(OsString::from)
                    .into_iter()
            )
            .is_none()
        );
    }
}
