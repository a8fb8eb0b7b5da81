//! `greenq delete`: acknowledge receipts by id, from arguments or stdin.

use std::io::{BufRead, Write};

use anyhow::Context;
use serde::Deserialize;

use crate::cli::DeleteArgs;
use crate::commands::failure::api_failure;
use crate::config::Config;
use crate::exit::{Error, ExitCode, is_broken_pipe};
use crate::service::answer::ApiError;
use crate::service::retry::{Limit, Repeat};
use crate::service::session::Session;
use crate::text::parse_positive;

/// Retries of each delete before the batch stops.
const ONE_SHOT: Limit = Limit::Retries(3);

pub fn run(config: &Config, args: &DeleteArgs) -> anyhow::Result<ExitCode> {
    let credentials = config.require_credentials()?;
    let instance = credentials.instance;
    // Every id is checked before the first delete: bad input changes nothing.
    let receipts = collect_receipts(&args.receipts, &mut std::io::stdin().lock())?;
    if receipts.is_empty() {
        return Err(Error::usage("no receipt ids to delete")
            .why("stdin held none")
            .fix("give receipt ids as arguments, or one per line on stdin")
            .into());
    }
    let session = Session::new(config, Some(credentials));
    let mut out = std::io::stdout().lock();
    let mut any_missing = false;
    let mut retry = session.retry(ONE_SHOT);
    for (done, &receipt) in receipts.iter().enumerate() {
        let retries_before = retry.retries();
        // A signal lets the delete in flight finish, so that the report below is exact.
        let result = if session.interrupt.is_set() {
            Err(ApiError::Interrupted)
        } else {
            let client = &session.client;
            session
                .interrupt
                .protect(|| retry.run(Repeat::Safe, || client.delete(receipt)))
        };
        let note = |done: usize| {
            let rest: Vec<String> = receipts[done..].iter().map(u64::to_string).collect();
            format!(
                "{done} of {} done; not done: {}",
                receipts.len(),
                rest.join(" ")
            )
        };
        let deleted = result.map_err(|e| {
            let note = note(done);
            match e {
                ApiError::Interrupted => Error::interrupted().fix_prefix(note),
                e => api_failure(
                    e,
                    &format!("deleteNotification of receipt {receipt}"),
                    Some(instance),
                )
                .fix_prefix(note),
            }
        })?;
        // "Not found" after a retry may be our own earlier try, whose answer was lost.
        let retried = retry.retries() > retries_before;
        retry.progress();
        let line = match (deleted, retried) {
            (true, _) => format!("deleted {receipt}"),
            (false, false) => format!("not found {receipt}"),
            (false, true) => {
                format!("gone {receipt} (an earlier try whose answer was lost may have deleted it)")
            }
        };
        any_missing |= !deleted && !retried;
        // A closed stdout does not stop the deletes: they are the job, the lines a report.
        if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush())
            && !is_broken_pipe(&e)
        {
            return Err(Error::output(e).fix_prefix(note(done + 1)).into());
        }
    }
    Ok(if any_missing {
        ExitCode::NothingThere
    } else {
        ExitCode::Success
    })
}

/// The receipts named by `args`, with `-` replaced by stdin's lines.
fn collect_receipts(args: &[String], stdin: &mut dyn BufRead) -> anyhow::Result<Vec<u64>> {
    let mut receipts = Vec::new();
    let mut stdin_used = false;
    for (n, arg) in args.iter().enumerate() {
        if arg == "-" {
            if stdin_used {
                return Err(Error::usage("`-` is given twice")
                    .why("stdin can be read only once")
                    .fix("give `-` once")
                    .into());
            }
            stdin_used = true;
            read_stdin(stdin, &mut receipts)?;
            continue;
        }
        let receipt = parse_positive(arg).map_err(|why| {
            Error::usage(format!("argument {} is not a receipt id", n + 1))
                .why(why)
                .fix("give receipt ids as positive integers, as `receive` prints them")
        })?;
        receipts.push(receipt);
    }
    Ok(receipts)
}

fn read_stdin(stdin: &mut dyn BufRead, receipts: &mut Vec<u64>) -> anyhow::Result<()> {
    for (n, line) in stdin.lines().enumerate() {
        let line = line.with_context(|| {
            Error::usage("cannot read receipt ids from stdin")
                .fix("give one receipt id per line, as UTF-8 text")
        })?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let receipt = parse_line(line).map_err(|why| {
            Error::usage(format!("stdin line {} is not a receipt id", n + 1))
                .why(why)
                .fix("give one receipt id, or one envelope as `greenq receive` prints it, per line")
        })?;
        receipts.push(receipt);
    }
    Ok(())
}

/// A line of stdin: a receipt id, or a `{"receiptId": ...}` envelope.
fn parse_line(line: &str) -> std::result::Result<u64, String> {
    if !line.starts_with('{') {
        return parse_positive(line);
    }
    #[derive(Deserialize)]
    struct Receipt {
        #[serde(rename = "receiptId")]
        receipt_id: serde_json::Value,
    }
    let envelope: Receipt = serde_json::from_str(line)
        .map_err(|e| format!("a JSON line without a usable receiptId ({e})"))?;
    match envelope.receipt_id.as_u64() {
        Some(id) if id > 0 => Ok(id),
        _ => Err(format!(
            "receiptId {} is not a positive integer",
            envelope.receipt_id
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect_bytes(args: &[&str], stdin: &[u8]) -> Result<Vec<u64>, (ExitCode, String)> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        collect_receipts(&args, &mut &stdin[..]).map_err(|e| {
            (
                crate::exit::code_of(&e),
                crate::exit::render(&e).unwrap_or_default(),
            )
        })
    }

    fn collect(args: &[&str], stdin: &str) -> Result<Vec<u64>, (ExitCode, String)> {
        collect_bytes(args, stdin.as_bytes())
    }

    #[test]
    fn ids_from_arguments_and_stdin_in_order() {
        let stdin = "5\n\n {\"receiptId\":6,\"body\":{}} \n7\n";
        assert_eq!(
            collect(&["1", "-", "2"], stdin).unwrap(),
            vec![1, 5, 6, 7, 2]
        );
    }

    #[test]
    fn bad_ids_are_usage_errors_that_say_where() {
        let (code, e) = collect(&["1", "x"], "").unwrap_err();
        assert_eq!(code, ExitCode::Usage);
        assert_eq!(
            e,
            "argument 2 is not a receipt id (\"x\" is not a positive integer); \
             give receipt ids as positive integers, as `receive` prints them"
        );
        let (code, e) = collect(&["-"], "1\n0\n").unwrap_err();
        assert_eq!(code, ExitCode::Usage);
        assert!(
            e.starts_with("stdin line 2 is not a receipt id (0 is not a valid id); "),
            "{e}"
        );
        let (_, e) = collect(&["-"], "{\"receiptId\":\"9\"}").unwrap_err();
        assert!(
            e.contains("receiptId \"9\" is not a positive integer"),
            "{e}"
        );
        assert_eq!(collect(&["-1"], "").unwrap_err().0, ExitCode::Usage);
        assert_eq!(
            collect(&["-", "-"], "").unwrap_err(),
            (
                ExitCode::Usage,
                "`-` is given twice (stdin can be read only once); give `-` once".into()
            )
        );
    }

    #[test]
    fn unreadable_stdin_is_a_usage_error_with_its_cause() {
        let (code, e) = collect_bytes(&["-"], b"1\n\xff\xfe\n").unwrap_err();
        assert_eq!(code, ExitCode::Usage);
        assert_eq!(
            e,
            "cannot read receipt ids from stdin (stream did not contain valid UTF-8); \
             give one receipt id per line, as UTF-8 text"
        );
    }
}
