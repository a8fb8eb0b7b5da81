//! `greenq purge`: clears the queue (clearWebhooksQueue), after the instance id was typed
//! back on a terminal, or with `--yes`. A clear whose answer was lost is never sent again:
//! a second one would drop what arrived since. On a terminal, a clear known to be too
//! soon (one a minute) is said before asking, not after.

use std::io::{BufRead, Write};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use crate::cli::PurgeArgs;
use crate::commands::failure::api_failure;
use crate::config::Config;
use crate::exit::{Error, ExitCode};
use crate::service::answer::ApiError;
use crate::service::retry::{Limit, Repeat};
use crate::service::session::Session;
use crate::service::whole_queue::Cleared;
use crate::state::dir;
use crate::state::lock::QueueId;
use crate::state::next_clear::NextClear;
use crate::terminal::tty;

/// How often a prompt looks for Ctrl-C while it waits for the typed answer.
const PROMPT_POLL: Duration = Duration::from_millis(50);

pub fn run(config: &Config, args: &PurgeArgs) -> anyhow::Result<ExitCode> {
    let credentials = config.require_credentials()?;
    let instance = credentials.instance;
    let asking = !args.yes && tty::stdin_is_terminal();
    if !args.yes && !asking {
        return Err(Error::usage("purge needs --yes when stdin is not a terminal")
            .why("clearing drops every waiting notification unread, and there is no terminal to confirm on")
            .fix("run `greenq purge --yes` to clear without asking; nothing was cleared")
            .into());
    }
    let session = Session::new(config, Some(credentials));
    let client = &session.client;
    let next_clear = dir::resolve(None, &crate::config::env_var)
        .ok()
        .map(|dir| NextClear::new(&dir, &QueueId::new(config.api_url.as_str(), instance)));
    let mut waited = false;
    // With --yes nothing is asked and the service decides, as it alone knows for sure.
    if asking && let Some(left) = next_clear.as_ref().and_then(|n| n.wait(SystemTime::now())) {
        let secs = (left.as_secs_f64().ceil() as u64).max(1);
        if !args.wait {
            let why = "as the service said at the last clear from this machine".to_string();
            return Err(too_soon(secs, why).into());
        }
        waited = true;
        session.status.line(format_args!(
            "the service allows one clear a minute: waiting {secs} s before asking"
        ));
        if session.interrupt.sleep(left) {
            return Err(Error::interrupted().why("nothing was cleared").into());
        }
    }
    let waiting = session
        .retry(Limit::Retries(3))
        .run(Repeat::Safe, || client.webhooks_count())
        .map_err(|e| api_failure(e, "getWebhooksCount", Some(instance)))?;
    if asking {
        match confirm(&session, instance, waiting)? {
            Some(ExitCode::Success) => {}
            Some(code) => return Ok(code),
            None => {
                return Err(Error::usage("purge was not confirmed; nothing was cleared")
                    .why(format!("what was typed is not the instance id {instance}"))
                    .fix("type the instance id exactly, or run with --yes")
                    .into());
            }
        }
    }
    loop {
        let cleared = session
            .retry(Limit::Retries(3))
            .run(Repeat::OnlyIfNotCarriedOut, || {
                client.clear_webhooks_queue()
            });
        match &cleared {
            Ok(Cleared::Yes { interval }) => {
                let interval = interval.unwrap_or(Duration::from_secs(60));
                remember(&next_clear, interval);
            }
            Ok(Cleared::TooSoon { left, .. }) => {
                remember(&next_clear, left.unwrap_or(Duration::from_secs(60)));
            }
            Err(_) => {}
        }
        match cleared {
            Ok(Cleared::Yes { .. }) => {
                let mut out = std::io::stdout().lock();
                let were = if waiting == 1 { "was" } else { "were" };
                writeln!(
                    out,
                    "cleared the queue of instance {instance} ({waiting} {were} waiting just before)"
                )
                .and_then(|()| out.flush())
                .map_err(Error::output)?;
                return Ok(ExitCode::Success);
            }
            Ok(Cleared::TooSoon { left, reason }) => {
                // "0 s left" is no reason to send the next clear at once.
                let secs = left.map_or(60, |d| d.as_secs_f64().ceil() as u64).max(1);
                if args.wait && !waited {
                    waited = true;
                    session.status.line(format_args!(
                        "the service allows one clear a minute: waiting {secs} s, then trying once more"
                    ));
                    if session.interrupt.sleep(Duration::from_secs(secs)) {
                        return Err(Error::interrupted().why("nothing was cleared").into());
                    }
                    continue;
                }
                let why = if reason.is_empty() {
                    "isCleared: false".to_string()
                } else {
                    format!("isCleared: false, {reason}")
                };
                return Err(too_soon(secs, why).into());
            }
            // A 2xx that is not the documented answer may be a clear done: as a lost answer.
            Err(e @ (ApiError::MayHaveArrived { .. } | ApiError::Malformed { .. })) => {
                let what = match e {
                    ApiError::Malformed { reason } => {
                        format!("the clear was answered with something undocumented: {reason}")
                    }
                    other => format!("the clear was sent and its answer was lost: {other}"),
                };
                return Err(Error::failure("the queue may have been cleared")
                    .why(format!(
                        "{what}; greenq does not send it again, which would drop notifications that arrived since"
                    ))
                    .fix("run `greenq count` to check, and `greenq purge` again if it still holds what should go")
                    .into());
            }
            Err(e) => return Err(api_failure(e, "clearWebhooksQueue", Some(instance)).into()),
        }
    }
}

fn too_soon(secs: u64, why: String) -> Error {
    Error::failure(format!(
        "the service allows one clear a minute: try again in {secs} s"
    ))
    .why(why)
    .fix("nothing was cleared; --wait waits and tries once more")
}

fn remember(next_clear: &Option<NextClear>, after: Duration) {
    if let Some(record) = next_clear {
        record.remember(SystemTime::now(), after);
    }
}

/// Shows the count and asks for the instance id. `Success` when it was typed back,
/// `None` when something else was, `Interrupted` on Ctrl-C.
fn confirm(session: &Session, instance: u64, waiting: u64) -> anyhow::Result<Option<ExitCode>> {
    {
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "greenq: instance {instance} holds {} (the service's count, up to 10 s old); clearing drops {}, unread.\n\
             greenq: type the instance id ({instance}) to clear it: ",
            crate::text::count_of(waiting, "notification", "notifications"),
            if waiting == 1 { "it" } else { "them all" }
        );
        let _ = err.flush();
    }
    let (send, typed) = mpsc::channel();
    // The read blocks; a thread of its own lets Ctrl-C end the wait.
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = std::io::stdin().lock().read_line(&mut line).map(|_| line);
        let _ = send.send(read);
    });
    loop {
        if session.interrupt.is_set() {
            // Ends the prompt's line, which is the terminal's, never a log record.
            let _ = writeln!(std::io::stderr());
            return Ok(Some(ExitCode::Interrupted));
        }
        match typed.recv_timeout(PROMPT_POLL) {
            // End of input: nothing was typed, and nothing is cleared.
            Ok(Ok(line)) if line.is_empty() => {
                return Err(Error::usage("purge was not confirmed; nothing was cleared")
                    .why("stdin ended before the instance id was typed")
                    .fix("type the instance id at the prompt, or run with --yes to clear without asking")
                    .into());
            }
            Ok(Ok(line)) => {
                return Ok((line.trim() == instance.to_string()).then_some(ExitCode::Success));
            }
            Ok(Err(e)) => {
                return Err(Error::usage("purge was not confirmed; nothing was cleared")
                    .why(format!("stdin could not be read: {e}"))
                    .fix("run with --yes to clear without asking")
                    .into());
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(None),
        }
    }
}
