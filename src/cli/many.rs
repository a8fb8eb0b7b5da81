//! tail's options for following several instances at once (`--profile a --profile b`).

use clap::Args;

#[derive(Debug, Args)]
#[command(next_help_heading = "Multi-instance options")]
pub struct ManyArgs {
    /// Follow every profile of the config file, each instance in a thread of its own
    ///
    /// With several profiles (this, or --profile given more than once) an instance that stops
    /// on an error stops alone; -n counts across all; the exit code is the most serious of
    /// the instances', in this order: 2, 4, 5, 1, 130, 0.
    /// Example: greenq tail --all-profiles --exec -- ./bot
    #[arg(long)]
    pub all_profiles: bool,

    /// With several profiles: stop all when one stops on an error
    ///
    /// Without it, the others go on.
    /// Example: greenq tail --profile a --profile b --fail-fast
    #[arg(long)]
    pub fail_fast: bool,
}
