//! tail's options for following several instances at once (`--profile a --profile b`).

use clap::Args;

#[derive(Debug, Args)]
pub struct ManyArgs {
    /// Follow every profile of the config file, each instance in a thread of its own
    ///
    /// Example: greenq tail --all-profiles --exec -- ./bot
    #[arg(long)]
    pub all_profiles: bool,

    /// With several profiles: stop them all when one stops on an error (else the others go on)
    ///
    /// Example: greenq tail --profile a --profile b --fail-fast
    #[arg(long)]
    pub fail_fast: bool,
}
