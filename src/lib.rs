//! greenq: follow, publish and acknowledge GREEN-API notification queues.
//!
//! Data flows one way: `cli` (arguments) -> `config` -> `session` (`client` over `agent`
//! and `transport`; `answer` classifies, `retry` decides) -> `format` (stdout), with
//! `status` for everything on stderr. `main.rs` only maps the result to an exit code.

pub mod agent;
pub mod answer;
pub mod backoff;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod emulator;
pub mod exit;
pub mod format;
pub mod input;
pub mod interrupt;
pub mod known_types;
pub mod notification;
pub mod retry;
pub mod session;
pub mod status;
pub mod terminal;
pub mod text;
pub mod transport;

use cli::{Cli, Command};
use config::Config;
use exit::{ExitCode, Result};

/// Runs the parsed command line; the exit code on success, the error otherwise.
pub fn run(cli: &Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Serve(args) => commands::serve::run(&cli.global, args),
        Command::Demo(args) => commands::demo::run(&cli.global, args),
        Command::Receive(args) => commands::receive::run(&Config::resolve(&cli.global)?, args),
        Command::Delete(args) => commands::delete::run(&Config::resolve(&cli.global)?, args),
        Command::Publish(args) => commands::publish::run(&Config::resolve(&cli.global)?, args),
        Command::Tail(args) => commands::tail::run(&Config::resolve(&cli.global)?, args),
    }
}
