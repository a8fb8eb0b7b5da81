//! The fleet's options: `tail --coordinate` (one consumer per queue across machines,
//! through Redis) and `greenq fleet` (who owns what).

use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
#[command(next_help_heading = "Fleet options")]
pub struct CoordinateArgs {
    /// Share queues across machines via Redis leases [env: GREENQ_COORDINATE]
    ///
    /// URL: redis://HOST:PORT[/DB], or rediss:// for TLS (a single primary, or Valkey). Every
    /// member is given the same profiles (--all-profiles or several --profile); each takes up to
    /// its fair share of queue leases, renews them, and hands on only while it holds them. A
    /// member that dies or is cut off is taken over within the lease TTL. A password is accepted
    /// only in GREENQ_COORDINATE, never on the command line.
    /// Example: greenq tail --all-profiles --coordinate redis://10.0.0.5:6379 --exec -- ./bot
    #[arg(long, value_name = "URL")]
    pub coordinate: Option<String>,

    /// This member's name in the fleet [default: HOST:PID]
    ///
    /// Example: --member $(POD_NAME) in a Kubernetes Deployment
    #[arg(long, value_name = "NAME")]
    pub member: Option<String>,

    /// Seconds a lease lasts without renewal (1..300) [default: 15]
    ///
    /// Renewed every third of it; a member stops handing on by itself two thirds of it after
    /// its last renewal, so a dead member's queues are taken over within about TTL + a third.
    /// Example: --lease-ttl 5
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=300))]
    pub lease_ttl: Option<u64>,
}

#[derive(Debug, Args)]
pub struct FleetArgs {
    /// The coordinator's URL: redis://HOST:PORT[/DB] or rediss:// [env: GREENQ_COORDINATE]
    #[arg(long, value_name = "URL")]
    pub coordinate: Option<String>,

    /// Output format [default: table on a terminal, json in a pipe]
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<FleetFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FleetFormat {
    /// A table of queues (profile, owner, epoch, lease left) and of members
    Table,
    /// One JSON object per line: {"instance", "profile", "owner", "epoch", "lease_left_ms"}, then {"member", "queues", "given"}
    Json,
}
