//! `tail`'s consumer options (`--exec`, `--forward-to` and what goes with them).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Args;

/// `tail`'s consumer modes: hand each notification to a command or a hook, delete it
/// when that said done.
#[derive(Debug, Args)]
#[command(next_help_heading = "Consumer options")]
pub struct ConsumerArgs {
    /// Run CMD (after --) per notification; delete it when CMD exits 0
    ///
    /// The body goes to CMD's stdin. One child per notification, one at a time, in queue order, run directly (no shell: use
    /// sh -c '...' for pipelines). Its stdin is the body as JSON and a newline; its environment
    /// adds GREENQ_RECEIPT_ID, GREENQ_TYPE_WEBHOOK, GREENQ_ID_MESSAGE, GREENQ_ID_INSTANCE and
    /// GREENQ_ATTEMPT, and leaves out every variable that holds the token. Any other exit, a
    /// signal or --handler-timeout is a failed attempt.
    /// Example: greenq tail --exec -- ./bot.py --reply
    #[arg(long, group = "consumer", requires = "command", conflicts_with_all = ["forward_to", "format"])]
    pub exec: bool,

    /// POST each body to URL (a webhook handler); delete it on a 2xx
    ///
    /// Sent byte for byte as the queue gave it, with Content-Type: application/json,
    /// X-Greenq-Receipt-Id, X-Greenq-Attempt, -H headers, and Authorization: Bearer from
    /// GREENQ_FORWARD_TOKEN or --forward-token-file. Redirects are not followed. A hook that
    /// cannot be reached is waited for, without counting attempts. Prints one line per delivery.
    /// Example: greenq tail --forward-to http://127.0.0.1:8080/webhook
    #[arg(long, value_name = "URL", group = "consumer")]
    pub forward_to: Option<String>,

    /// Seconds CMD or the hook may take per notification
    ///
    /// Past it, the attempt fails. A command past its time gets SIGTERM, and SIGKILL 5 s later (with all it started: its process group). The default is the live
    /// service's own wait for a webhook. Example: --handler-timeout 30
    #[arg(long, value_name = "SECS", requires = "consumer", default_value_t = 180, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub handler_timeout: u64,

    /// Attempts each, then --dead-letter or exit 1 [default: no limit]
    ///
    /// When a notification's attempts ran out: --dead-letter sets it aside, else tail stops with exit 1.
    ///
    /// Failed attempts are retried after about 1 s, doubling up to 60 s. Example: --max-attempts 5
    #[arg(long, value_name = "N", requires = "consumer", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attempts: Option<u32>,

    /// Append one whose attempts ran out to FILE, then delete it
    ///
    /// One JSON line per notification.
    /// Each line holds receiptId, typeWebhook, attempts, the last error, the time and the body,
    /// and is on the disk before the delete. Example: --max-attempts 5 --dead-letter dead.ndjson
    #[arg(long, value_name = "FILE", requires = "max_attempts")]
    pub dead_letter: Option<PathBuf>,

    /// Do not hand on again what was handled already; just delete it
    ///
    /// A notification already handled in this run is deleted without handing it on again.
    /// Same typeWebhook and idMessage (and status, when there is one); the last 100,000 are
    /// remembered, in the ledger too (see --state-dir), so they hold across restarts. Counted as
    /// duplicates in the summary.
    #[arg(long)]
    pub dedupe: bool,

    /// Bearer token file for the hook [else env: GREENQ_FORWARD_TOKEN]
    ///
    /// The file's first line is the token.
    /// Example: --forward-token-file ~/.config/greenq/hook-token
    #[arg(long, value_name = "PATH", requires = "forward_to")]
    pub forward_token_file: Option<PathBuf>,

    /// Extra header for the hook, 'Name: value' (repeatable)
    ///
    /// Example: -H 'X-Bot: support'
    #[arg(
        short = 'H',
        long = "header",
        value_name = "HEADER",
        requires = "forward_to"
    )]
    pub headers: Vec<String>,

    /// The command for --exec, and its arguments
    #[arg(last = true, value_name = "CMD", requires = "exec", value_parser = clap::value_parser!(OsString))]
    pub command: Vec<OsString>,
}
