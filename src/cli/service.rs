//! `tail`'s options for running as a watched service (`--metrics-listen`).

use clap::Args;

#[derive(Debug, Args)]
#[command(next_help_heading = "Service options")]
pub struct ServiceArgs {
    /// Serve /metrics, /healthz and /readyz on ADDR (PORT alone: loopback)
    ///
    /// /metrics: Prometheus: OpenMetrics text (received, handled, deleted, failed attempts, retries by
    /// reason, handler durations, queue depth, last receive, up), every series there from the
    /// first scrape. /healthz: 200 while greenq runs. /readyz: 200 once the service answered,
    /// 503 with the reason before that and after the loop stopped. An address that is not
    /// loopback is served, with a warning. PORT 0 picks a free one (the status line names it).
    /// Example: greenq tail --metrics-listen 9464 --exec -- ./bot.py
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<String>,
}
