//! greenq: follow, publish and acknowledge GREEN-API notification queues.
//!
//! Folders by layer; data flows one way, and a folder imports only the ones below it:
//! `commands` -> `consumer` (handing a notification on) -> `state` (tail's state
//! directory: lock, ledger) -> `cli` (arguments) and `config` -> `service` (the GREEN-API calls, retries, the pipelined queue) -> `terminal` (stdout,
//! stderr, signals) -> `notification` (the model) -> `exit`, `text`, `secret`. The
//! `emulator` stands apart: `serve` and `demo` run it. Commands return `anyhow::Result`;
//! `main.rs` only hands the result to `exit`, which prints the error and picks the exit
//! code.

/// `eprintln!` that never panics: a closed stderr (`greenq tail 2>&1 | head`) must not
/// crash greenq; what cannot be said is dropped.
#[macro_export]
macro_rules! ewriteln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub mod cli;
pub mod commands;
pub mod config;
pub mod consumer;
pub mod emulator;
pub mod exit;
pub mod notification;
pub mod secret;
pub mod service;
pub mod state;
pub mod terminal;
pub mod text;

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
