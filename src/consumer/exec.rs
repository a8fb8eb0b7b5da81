//! `tail --exec -- CMD [ARG...]`: one child per notification, run directly (no shell).
//! The body goes to its stdin, a few `GREENQ_*` variables describe it, its stdout and
//! stderr are its own. Exit 0 is done; anything else, a signal or running past the
//! timeout is a failed attempt. Nothing secret reaches the child.
//!
//! The children are started and waited for by the keeper (`exec_keeper`), a helper
//! process that outlives greenq killed with SIGKILL and commits what succeeded to the
//! ledger itself. Each child leads a process group of its own: the Ctrl-C that stops
//! greenq is forwarded to it from here (the child is not in the terminal's foreground
//! group).

use std::ffi::OsString;
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::os::fd::{OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use crate::consumer::exec_keeper::{self, Answer, Record, Request, Setup};
use crate::consumer::handler::{Handler, Outcome};
use crate::consumer::record;
use crate::exit::{Error, Result};
use crate::notification::Envelope;
use crate::state::fingerprint;
use crate::state::lock::QueueId;
use crate::state::turn::Turn;
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;

/// How often a wait for the keeper's answer looks at Ctrl-C.
const LOOK: Duration = Duration::from_millis(20);
/// How long greenq, at its end, waits for an idle keeper to go.
const KEEPER_EXIT: Duration = Duration::from_secs(2);

/// What a run with a state directory gives the keeper: the ledger it commits to, and the
/// queue's lock, which it holds until its last command was waited for.
pub struct Kept {
    pub ledger: PathBuf,
    /// The queue's API origin, as the ledger names it.
    pub origin: String,
    pub lock_fd: RawFd,
    /// `--dedupe` is on: its key is committed too.
    pub dedupe: bool,
}

pub struct Exec {
    argv: Vec<OsString>,
    instance: u64,
    timeout: Duration,
    /// Variables the child must not inherit: their values hold a secret.
    withheld: Vec<OsString>,
    status: Arc<Status>,
    /// `GREENQ_PROFILE`, in a multi-instance tail.
    profile: Option<String>,
    interrupt: Interrupt,
    kept: Option<Kept>,
    /// Started at the first notification.
    keeper: Option<Keeper>,
    /// `--coordinate`: the queue's lease, whose epoch the child gets.
    turn: Option<Arc<dyn Turn>>,
}

struct Keeper {
    child: Child,
    socket: UnixStream,
    answers: BufReader<UnixStream>,
}

/// What `--exec` will run, checked before anything is received, as systemd checks
/// ExecStart: a name with a `/` is that file, else the first executable file of that
/// name on PATH (as execvp looks). A typo then fails at start, not at the first
/// notification, which may come hours later.
pub fn check_command(argv: &[OsString]) -> Result<()> {
    let Some(program) = argv.first() else {
        return Err(Error::usage("--exec has no command")
            .fix("give it after --, e.g. greenq tail --exec -- ./bot.py"));
    };
    if program.is_empty() {
        // execvp fails on it; a PATH search would find a directory named by PATH itself.
        return Err(Error::usage("the command after --exec -- is empty")
            .fix("give it after --, e.g. greenq tail --exec -- ./bot.py"));
    }
    let shown = program.to_string_lossy();
    let fix = "check the command after `--exec --` (a path, or a program on PATH; \
               no shell: use sh -c '...' for pipelines)";
    let why = if program.as_bytes().contains(&b'/') {
        match runnable(Path::new(program)) {
            Ok(()) => return Ok(()),
            Err(why) => why,
        }
    } else {
        let path = std::env::var_os("PATH").unwrap_or_else(|| "/bin:/usr/bin".into());
        let mut refused = None;
        for dir in std::env::split_paths(&path) {
            // An empty entry is the current directory, as for execvp.
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            };
            match runnable(&dir.join(program)) {
                Ok(()) => return Ok(()),
                Err(why) if why != NOT_FOUND => refused = refused.or(Some(why)),
                Err(_) => {}
            }
        }
        refused.unwrap_or_else(|| "not found on PATH".to_string())
    };
    Err(Error::usage(format!("cannot run `{shown}`"))
        .why(why)
        .fix(fix))
}

const NOT_FOUND: &str = "no such file";

/// Ok when `path` is a file this process may execute, else why not.
fn runnable(path: &Path) -> std::result::Result<(), String> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(NOT_FOUND.into()),
        Err(e) => return Err(e.to_string()),
    };
    if meta.is_dir() {
        return Err(format!("{} is a directory", path.display()));
    }
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return Err("the path holds a NUL byte".into());
    };
    // With the effective ids, as execve checks (access(2) uses the real ones).
    // SAFETY: faccessat(2) reads a NUL-terminated path and nothing else.
    if unsafe {
        libc::faccessat(
            libc::AT_FDCWD,
            c_path.as_ptr(),
            libc::X_OK,
            libc::AT_EACCESS,
        )
    } != 0
    {
        return Err(format!(
            "{} is not executable: chmod +x it, or run it with its interpreter",
            path.display()
        ));
    }
    Ok(())
}

impl Exec {
    /// `secrets` are texts no variable of the child may hold (the API token, the
    /// forward token): variables that hold one are not passed on.
    pub fn new(
        argv: Vec<OsString>,
        instance: u64,
        timeout: Duration,
        secrets: &[&str],
        status: Arc<Status>,
        interrupt: Interrupt,
    ) -> Exec {
        let withheld = std::env::vars_os()
            .filter(|(_, value)| {
                let value = value.to_string_lossy();
                secrets.iter().any(|s| !s.is_empty() && value.contains(s))
            })
            .map(|(name, _)| name)
            // The coordinator's URL may hold its password.
            .chain([
                OsString::from("GREENQ_FORWARD_TOKEN"),
                OsString::from("GREENQ_COORDINATE"),
            ])
            .collect();
        Exec {
            argv,
            instance,
            timeout,
            withheld,
            status,
            profile: None,
            interrupt,
            kept: None,
            keeper: None,
            turn: None,
        }
    }

    /// The child gets `GREENQ_LEASE_EPOCH`: the epoch of the queue's lease.
    pub fn with_turn(mut self, turn: Option<Arc<dyn Turn>>) -> Exec {
        self.turn = turn;
        self
    }

    /// The child gets `GREENQ_PROFILE=name` too.
    pub fn with_profile(mut self, name: &str) -> Exec {
        self.profile = Some(name.to_string());
        self
    }

    /// What succeeds is committed to this ledger by the keeper, which shares the lock.
    pub fn with_ledger(mut self, kept: Kept) -> Exec {
        self.kept = Some(kept);
        self
    }

    /// The command as a user would type it, for messages.
    pub fn shown(&self) -> String {
        self.argv
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The keeper: greenq again, with a socket for its stdin, in a process group of its
    /// own (Ctrl-C is greenq's to forward), with the withheld variables gone already.
    fn start_keeper(&self) -> Result<Keeper> {
        let setup = Setup {
            timeout: self.timeout,
            lock_fd: self.kept.as_ref().map(|k| k.lock_fd),
            ledger: self.kept.as_ref().map(|k| k.ledger.clone()),
            queue: QueueId {
                origin: self
                    .kept
                    .as_ref()
                    .map(|k| k.origin.clone())
                    .unwrap_or_default(),
                instance: self.instance,
            },
            argv: self.argv.clone(),
        };
        let (socket, theirs) = UnixStream::pair().map_err(keeper_error)?;
        // This very binary, even if an upgrade replaced its file meanwhile.
        let proc_self = std::path::Path::new("/proc/self/exe");
        let program = if proc_self.exists() {
            proc_self.to_path_buf()
        } else {
            std::env::current_exe().map_err(keeper_error)?
        };
        let mut cmd = Command::new(program);
        cmd.args(setup.to_args())
            .stdin(Stdio::from(OwnedFd::from(theirs)))
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit());
        for name in &self.withheld {
            cmd.env_remove(name);
        }
        use std::os::unix::process::CommandExt;
        cmd.arg0("greenq").process_group(0);
        let lock_fd = setup.lock_fd;
        let parent = std::process::id();
        // SAFETY: between fork and exec only async-signal-safe calls: fcntl, prctl, getppid.
        unsafe {
            cmd.pre_exec(move || {
                match lock_fd {
                    // Inherited: the keeper holds the lock while a command it waits for runs.
                    Some(fd) => {
                        if libc::fcntl(fd, libc::F_SETFD, 0) != 0 {
                            return Err(std::io::Error::last_os_error());
                        }
                    }
                    // Nothing to commit: the keeper goes with greenq, its command gets SIGTERM.
                    #[cfg(target_os = "linux")]
                    None => {
                        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0
                            || u32::try_from(libc::getppid()).ok() != Some(parent)
                        {
                            // Not `io::Error::other`: it allocates, which is not safe here.
                            return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                        }
                    }
                    #[cfg(not(target_os = "linux"))]
                    None => {
                        let _ = parent;
                    }
                }
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(keeper_error)?;
        let answers = BufReader::new(socket.try_clone().map_err(keeper_error)?);
        Ok(Keeper {
            child,
            socket,
            answers,
        })
    }

    /// The request for `envelope`'s command: its variables, and what the ledger gets.
    fn request(&self, envelope: &Envelope, attempt: u32) -> Request {
        let fields = Fields::of(envelope.body.get());
        let mut env = vec![
            ("GREENQ_RECEIPT_ID".into(), envelope.receipt_id.to_string()),
            ("GREENQ_ID_INSTANCE".into(), self.instance.to_string()),
            ("GREENQ_ATTEMPT".into(), attempt.to_string()),
            (
                "GREENQ_TYPE_WEBHOOK".into(),
                fields.type_webhook.unwrap_or_default(),
            ),
        ];
        if let Some(profile) = &self.profile {
            env.push(("GREENQ_PROFILE".into(), profile.clone()));
        }
        // Absent means absent: a variable from greenq's own environment must not pose as one.
        let mut unset = Vec::new();
        match fields.id_message {
            Some(id) => env.push(("GREENQ_ID_MESSAGE".into(), id)),
            None => unset.push("GREENQ_ID_MESSAGE".into()),
        }
        match self.turn.as_ref().and_then(|t| t.epoch()) {
            Some(epoch) => env.push(("GREENQ_LEASE_EPOCH".into(), epoch.to_string())),
            None => unset.push("GREENQ_LEASE_EPOCH".into()),
        }
        let record = self.kept.as_ref().map(|kept| {
            let entry = record::handled(envelope, kept.dedupe);
            Record {
                receipt: entry.receipt,
                body: fingerprint::hex(entry.body),
                dedupe: entry.dedupe.map(fingerprint::hex),
            }
        });
        Request {
            len: envelope.body.get().len(),
            env,
            unset,
            record,
        }
    }

    fn run(&mut self, envelope: &Envelope, attempt: u32) -> Result<Outcome> {
        if self.argv.is_empty() {
            return Err(Error::usage("--exec has no command")
                .fix("give it after --, e.g. greenq tail --exec -- ./bot.py"));
        }
        if self.keeper.is_none() {
            self.keeper = Some(self.start_keeper()?);
        }
        let request = self.request(envelope, attempt);
        let Some(keeper) = self.keeper.as_mut() else {
            return Err(keeper_error("it did not start"));
        };
        let mut bytes = serde_json::to_vec(&request).map_err(keeper_error)?;
        bytes.push(b'\n');
        bytes.extend_from_slice(envelope.body.get().as_bytes());
        keeper.socket.write_all(&bytes).map_err(keeper_error)?;
        let group = match keeper.answer(&self.interrupt, None)? {
            Answer::Started(group) => group,
            Answer::CannotRun { missing: true, why } => {
                return Err(Error::usage(format!("cannot run `{}`", self.shown()))
                    .why(why)
                    .fix("check the command after `--exec --` (a path, or a program on PATH; no shell: use sh -c '...' for pipelines)"));
            }
            // The keeper could not open the ledger: the command did not run.
            Answer::NotRecorded { message, code } => {
                return Err(keeper_ledger_error(
                    code,
                    format!("nothing was handed on: {message}"),
                ));
            }
            Answer::CannotRun { why, .. } => {
                return Ok(Outcome::Failed(format!(
                    "the command could not start: {why}"
                )));
            }
            other => return Err(keeper_error(format!("it answered {other:?} first"))),
        };
        // A second Ctrl-C exits at once: this command is ended with it.
        let _running = crate::terminal::interrupt::Running::command(group);
        match keeper.answer(&self.interrupt, Some(group))? {
            Answer::Done => Ok(Outcome::Done),
            Answer::Failed(why) => Ok(Outcome::Failed(why)),
            Answer::NotRecorded { message, code } => Err(keeper_ledger_error(
                code,
                format!("the command succeeded, but {message}"),
            )),
            other => Err(keeper_error(format!("it answered {other:?}"))),
        }
    }
}

impl Keeper {
    /// The keeper's next answer. While a command runs (`group`), a Ctrl-C is passed on
    /// to its group, once.
    fn answer(&mut self, interrupt: &Interrupt, group: Option<i32>) -> Result<Answer> {
        let _ = self.socket.set_read_timeout(Some(LOOK));
        let mut forwarded = false;
        let mut line = Vec::new();
        loop {
            match self.answers.read_until(b'\n', &mut line) {
                Ok(0) => return Err(keeper_error("it ended")),
                Ok(_) if line.ends_with(b"\n") => break,
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(keeper_error(e)),
            }
            if !forwarded && group.is_some() && interrupt.is_set() {
                forwarded = true;
                exec_keeper::signal_group(group, libc::SIGINT);
            }
        }
        serde_json::from_slice(&line).map_err(keeper_error)
    }
}

impl Drop for Exec {
    /// Closes the keeper's socket and waits for it to go, so that the lock it shares is
    /// free when greenq ends.
    fn drop(&mut self) {
        if let Some(mut keeper) = self.keeper.take() {
            let _ = keeper.socket.shutdown(std::net::Shutdown::Both);
            use wait_timeout::ChildExt;
            let _ = keeper.child.wait_timeout(KEEPER_EXIT);
        }
    }
}

/// The keeper's ledger failed; `message` says it all, with its advice.
fn keeper_ledger_error(code: i32, message: String) -> Error {
    if code == crate::exit::ExitCode::Usage.code() {
        Error::usage(message)
    } else {
        Error::failure(message)
    }
}

fn keeper_error(e: impl std::fmt::Display) -> Error {
    Error::failure("the helper that runs --exec commands failed")
        .why(e.to_string())
        .fix("the notification stays queued; start greenq tail again (report this if it repeats)")
}

impl Handler for Exec {
    fn handle(&mut self, envelope: &Envelope, attempt: u32) -> Result<Outcome> {
        // The spinner stays off the screen while the child may write to it.
        let status = self.status.clone();
        status.suspend(|| self.run(envelope, attempt))
    }

    fn waits_after_signal(&self) -> bool {
        true
    }

    fn records_handled(&self) -> bool {
        self.kept.is_some()
    }

    fn name(&self) -> &str {
        "the command"
    }
}

/// The body's fields that become variables, read without building the whole tree.
#[derive(Default)]
struct Fields {
    type_webhook: Option<String>,
    id_message: Option<String>,
}

impl Fields {
    fn of(body: &str) -> Fields {
        #[derive(serde::Deserialize)]
        struct Shape {
            #[serde(rename = "typeWebhook", default)]
            type_webhook: Option<serde_json::Value>,
            #[serde(rename = "idMessage", default)]
            id_message: Option<serde_json::Value>,
        }
        let text = |v: Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) if !s.contains('\0') => Some(s),
            _ => None,
        };
        match serde_json::from_str::<Shape>(body) {
            Ok(shape) => Fields {
                type_webhook: text(shape.type_webhook),
                id_message: text(shape.id_message),
            },
            Err(_) => Fields::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_when_they_are_strings() {
        let f = Fields::of(r#"{"typeWebhook":"a","idMessage":"B1","x":[1]}"#);
        assert_eq!(f.type_webhook.as_deref(), Some("a"));
        assert_eq!(f.id_message.as_deref(), Some("B1"));
        let f = Fields::of(r#"{"typeWebhook":42}"#);
        assert_eq!((f.type_webhook, f.id_message), (None, None));
        let f = Fields::of("[1,2]");
        assert!(f.type_webhook.is_none());
    }
}
