//! The arguments of `greenq count` and `greenq purge`: the queue as a whole.

use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct CountArgs {
    /// Output format: the number alone, or {"count": N, "instance": ID}
    ///
    /// Example: greenq count --format json
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub format: CountFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CountFormat {
    /// The number alone: 37
    Text,
    /// One JSON object: {"count": 37, "instance": 1101000001}
    Json,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Clear without asking (needed when stdin is not a terminal)
    ///
    /// On a terminal, purge shows the count and asks for the instance id to be typed back.
    /// Example: greenq purge --yes
    #[arg(short, long)]
    pub yes: bool,

    /// When the service says it is too soon (one clear a minute), wait the time it names and try once more
    ///
    /// Example: greenq purge --yes --wait
    #[arg(long)]
    pub wait: bool,
}
