//! `tail`'s state options: where its state directory is (the lock, the ledger), or none.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
#[command(next_help_heading = "State options")]
pub struct StateArgs {
    /// Keep tail's lock and ledger in DIR [env: GREENQ_STATE_DIR]
    ///
    /// Else $GREENQ_STATE_DIR, $STATE_DIRECTORY, $XDG_STATE_HOME/greenq, ~/.local/state/greenq. Created 0700. It holds one lock file per queue (one consumer per instance on this
    /// machine; removed when tail ends) and ledger.sqlite3: the notifications handled, each
    /// marked once its delete was answered (so that the one a crash left undeleted is not
    /// handed on twice, while a restarted service's notifications under old ids are), and the
    /// --dedupe keys. The ledger is kept with --exec and --forward-to, and when printing with
    /// DIR named here or in GREENQ_STATE_DIR.
    /// Example: --state-dir /var/lib/greenq-bot
    #[arg(long, value_name = "DIR", conflicts_with = "no_state")]
    pub state_dir: Option<PathBuf>,

    /// Run without a state directory: no lock against a second consumer, no ledger
    ///
    /// A crash between handling and deleting then hands that notification on twice, and
    /// --dedupe forgets its keys when tail stops. Example: greenq tail --no-state -n 1
    #[arg(long)]
    pub no_state: bool,
}
