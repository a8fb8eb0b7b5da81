//! `tail --exec -- CMD [ARG...]`: one child per notification, run directly (no shell).
//! The body goes to its stdin, a few `GREENQ_*` variables describe it, its stdout and
//! stderr are its own. Exit 0 is done; anything else, a signal or running past the
//! timeout is a failed attempt. Nothing secret reaches the child.
//!
//! Each child leads a process group of its own, so that what it starts (`sh -c 'a & b;
//! wait'`) is signalled with it: on a timeout (SIGTERM, SIGKILL 5 s later) and on the
//! Ctrl-C that stops greenq, which greenq forwards (the child is not in the terminal's
//! foreground group). On Linux the child also gets SIGTERM if greenq dies first.

use std::ffi::OsString;
use std::io::{ErrorKind, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

use crate::consumer::handler::{Handler, Outcome};
use crate::exit::{Error, Result};
use crate::notification::Envelope;
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;

/// How long a child has after SIGTERM (on a timeout) before it is killed.
const KILL_AFTER: Duration = Duration::from_secs(5);
/// How often a wait looks at Ctrl-C and at what is left of a group (a child's exit ends
/// the wait at once).
const LOOK: Duration = Duration::from_millis(20);

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
            .chain([OsString::from("GREENQ_FORWARD_TOKEN")])
            .collect();
        Exec {
            argv,
            instance,
            timeout,
            withheld,
            status,
            profile: None,
            interrupt,
        }
    }

    /// The child gets `GREENQ_PROFILE=name` too.
    pub fn with_profile(mut self, name: &str) -> Exec {
        self.profile = Some(name.to_string());
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

    fn command(&self, envelope: &Envelope, attempt: u32) -> Command {
        let mut cmd = Command::new(&self.argv[0]);
        cmd.args(&self.argv[1..]);
        for name in &self.withheld {
            cmd.env_remove(name);
        }
        if let Some(profile) = &self.profile {
            cmd.env("GREENQ_PROFILE", profile);
        }
        let fields = Fields::of(envelope.body.get());
        cmd.env("GREENQ_RECEIPT_ID", envelope.receipt_id.to_string())
            .env("GREENQ_ID_INSTANCE", self.instance.to_string())
            .env("GREENQ_ATTEMPT", attempt.to_string())
            .env(
                "GREENQ_TYPE_WEBHOOK",
                fields.type_webhook.unwrap_or_default(),
            );
        // Absent means absent: a variable from greenq's own environment must not pose as one.
        match fields.id_message {
            Some(id) => cmd.env("GREENQ_ID_MESSAGE", id),
            None => cmd.env_remove("GREENQ_ID_MESSAGE"),
        };
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit());
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
            #[cfg(target_os = "linux")]
            // SAFETY: between fork and exec only async-signal-safe calls: prctl, getppid.
            unsafe {
                let parent = libc::getpid();
                cmd.pre_exec(move || {
                    // greenq killed (kill -9): the handler is told, not left running on.
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0
                        || libc::getppid() != parent
                    {
                        return Err(std::io::Error::other("greenq is gone"));
                    }
                    Ok(())
                });
            }
        }
        cmd
    }

    /// Waits for the child up to the timeout, passing a Ctrl-C on to its group; then
    /// SIGTERM to the group, and SIGKILL to what is left of it 5 s later.
    fn wait(&self, child: &mut Child) -> Outcome {
        let group = libc::pid_t::try_from(child.id()).ok();
        let deadline = Instant::now() + self.timeout;
        let mut forwarded = false;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match child.wait_timeout(left.min(LOOK)) {
                Ok(Some(status)) => return outcome_of(status),
                Ok(None) => {}
                Err(e) => {
                    signal_group(group, libc::SIGKILL);
                    let _ = child.wait();
                    return Outcome::Failed(format!("waiting for the command failed: {e}"));
                }
            }
            if !forwarded && self.interrupt.is_set() {
                forwarded = true;
                signal_group(group, libc::SIGINT);
            }
        }
        let secs = self.timeout.as_secs_f64();
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
                return Outcome::Failed(format!(
                    "timed out after {secs} s (--handler-timeout); stopped with SIGTERM"
                ));
            }
        }
        signal_group(group, libc::SIGKILL);
        let _ = child.kill();
        let _ = child.wait();
        Outcome::Failed(format!(
            "timed out after {secs} s (--handler-timeout); killed with SIGKILL {} s after SIGTERM",
            KILL_AFTER.as_secs()
        ))
    }
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

    fn name(&self) -> &str {
        "the command"
    }
}

impl Exec {
    fn run(&self, envelope: &Envelope, attempt: u32) -> Result<Outcome> {
        if self.argv.is_empty() {
            return Err(Error::usage("--exec has no command")
                .fix("give it after --, e.g. greenq tail --exec -- ./bot.py"));
        }
        let mut child = match self.command(envelope, attempt).spawn() {
            Ok(child) => child,
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::PermissionDenied) => {
                return Err(Error::usage(format!("cannot run `{}`", self.shown()))
                    .why(e.to_string())
                    .fix("check the command after `--exec --` (a path, or a program on PATH; no shell: use sh -c '...' for pipelines)"));
            }
            Err(e) => return Ok(Outcome::Failed(format!("the command could not start: {e}"))),
        };
        // Written from a thread: a child that does not read its stdin must not block us,
        // whatever the size of the body. A child that exits early closes the pipe: fine.
        if let Some(mut stdin) = child.stdin.take() {
            let mut bytes = Vec::with_capacity(envelope.body.get().len() + 1);
            bytes.extend_from_slice(envelope.body.get().as_bytes());
            bytes.push(b'\n');
            std::thread::spawn(move || {
                let _ = stdin.write_all(&bytes);
            });
        }
        Ok(self.wait(&mut child))
    }
}

fn outcome_of(status: ExitStatus) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    if status.success() {
        return Outcome::Done;
    }
    match (status.code(), status.signal()) {
        (Some(code), _) => Outcome::Failed(format!("the command exited with status {code}")),
        (None, Some(signal)) => Outcome::Failed(format!(
            "the command was killed by signal {signal}{}",
            signal_name(signal).map_or_else(String::new, |n| format!(" ({n})"))
        )),
        _ => Outcome::Failed(format!("the command failed ({status})")),
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

/// Signals the child's process group. The group keeps its id while any member lives,
/// so after the child was reaped it still names only what the child started.
fn signal_group(group: Option<libc::pid_t>, signal: i32) {
    if let Some(pgid) = group.filter(|&g| g > 1) {
        // SAFETY: killpg(2) on the group our child leads; no memory is shared.
        unsafe {
            libc::killpg(pgid, signal);
        }
    }
}

/// Whether anything of the child's group is still there (zombies waiting for their
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

    #[test]
    fn exit_statuses_are_outcomes() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(outcome_of(ExitStatus::from_raw(0)), Outcome::Done);
        assert_eq!(
            outcome_of(ExitStatus::from_raw(3 << 8)),
            Outcome::Failed("the command exited with status 3".into())
        );
        assert_eq!(
            outcome_of(ExitStatus::from_raw(9)),
            Outcome::Failed("the command was killed by signal 9 (SIGKILL)".into())
        );
    }
}
