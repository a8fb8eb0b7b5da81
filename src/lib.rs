//! greenq: follow, publish and acknowledge GREEN-API notification queues.
//!
//! Data flows one way: `cli` (arguments) -> `config` -> `session` (`client` over `agent`
//! and `transport`; `answer` classifies, `retry` decides) -> `format` (stdout), with
//! `status` for everything on stderr. Commands return `anyhow::Result`; `main.rs` only
//! hands the result to `exit`, which prints the error and picks the exit code.

/// `eprintln!` that never panics: a closed stderr (`greenq tail 2>&1 | head`) must not
/// crash greenq; what cannot be said is dropped.
#[macro_export]
macro_rules! ewriteln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub mod agent;
pub mod answer;
pub mod backoff;
pub mod checks;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod consumer;
pub mod dead_letter;
pub mod dedupe;
pub mod delivery;
pub mod emulator;
pub mod exec;
pub mod exit;
pub mod format;
pub mod forward;
pub mod handler;
pub mod input;
pub mod interrupt;
#[cfg(test)]
mod json_strategy;
pub mod known_types;
pub mod notification;
pub mod pipeline;
pub mod print;
pub mod queue;
pub mod retry;
pub mod secret;
pub mod session;
pub mod status;
pub mod terminal;
pub mod text;
pub mod transport;
pub mod webhook_warning;

use cli::{Cli, Command};
use config::Config;
use exit::ExitCode;

/// Runs the parsed command line; the exit code on success, the error otherwise.
pub fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Serve(args) => commands::serve::run(&cli.global, args),
        Command::Demo(args) => commands::demo::run(&cli.global, args),
        Command::Doctor(args) => commands::doctor::run(&cli.global, args),
        Command::Receive(args) => commands::receive::run(&Config::resolve(&cli.global)?, args),
        Command::Delete(args) => commands::delete::run(&Config::resolve(&cli.global)?, args),
        Command::Publish(args) => commands::publish::run(&Config::resolve(&cli.global)?, args),
        Command::Tail(args) => commands::tail::run(&cli.global, args),
    }
}
