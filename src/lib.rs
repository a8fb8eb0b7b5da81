//! greenq: follow, publish and acknowledge GREEN-API notification queues.
//!
//! Data flows one way: `cli` (arguments) -> `config` -> `client` -> `format` (stdout),
//! with `status` for everything on stderr. `main.rs` only maps the result to an exit code.

pub mod backoff;
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
pub mod notification;
pub mod print;
pub mod status;
pub mod tail;
pub mod terminal;
pub mod text;
pub mod transport;

use cli::{Cli, Command};
use commands::Session;
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
        Command::Tail(args) => {
            let config = Config::resolve(&cli.global)?;
            let credentials = config.require_credentials()?;
            let session = Session::new(&config, Some(credentials));
            let format = args.format.unwrap_or_else(format::default_for_stdout);
            let options = tail::Options {
                count: args.count,
                exit_on_empty: args.exit_on_empty,
                types: args.types.clone(),
                receive_timeout: args.receive_timeout,
                format,
            };
            let mut delivery = consumer::build(&session, &cli.global, args)?;
            tail::run_with(&session, &options, &mut delivery)
        }
    }
}
