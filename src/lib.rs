//! greenq: follow, publish and acknowledge GREEN-API notification queues.
//!
//! Folders by layer; a folder imports only the ones below it: `commands` -> `consumer`
//! (handing a notification on) -> `fleet` (queue leases in Redis, `--coordinate`) ->
//! `state` (tail's state directory: lock, ledger, the turn a lease gives) ->
//! `watch` (metrics, readiness, systemd) -> `service` (the GREEN-API calls, retries, the
//! pipelined queue) -> `config` -> `cli` (arguments) -> `terminal` (stdout, stderr,
//! signals) -> `notification` (the model) -> `exit`, `text`, `secret`, `stderr_log`. Data
//! flows from the arguments through the config and the client to the printer.
//! `emulator` stands apart: `serve` and `demo` run it. Commands return `anyhow::Result`;
//! `main.rs` only hands the result to `exit`, which prints the error and picks the exit
//! code.

/// `eprintln!` that never panics: a closed stderr (`greenq tail 2>&1 | head`) must not
/// crash greenq; what cannot be said is dropped. With `--log-format json` each line is a
/// JSON object (`stderr_log`).
#[macro_export]
macro_rules! ewriteln {
    ($($arg:tt)*) => {
        $crate::stderr_log::write_line(format_args!($($arg)*))
    };
}

pub mod cli;
pub mod commands;
pub mod config;
pub mod consumer;
pub mod emulator;
pub mod exit;
pub mod fleet;
pub mod notification;
pub mod secret;
pub mod service;
pub mod state;
pub mod stderr_log;
pub mod terminal;
pub mod text;
pub mod watch;

use cli::{Cli, Command};
use config::Config;
use exit::ExitCode;

/// Runs the parsed command line; the exit code on success, the error otherwise.
pub fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    stderr_log::set_format(cli.global.log_format);
    run_command(cli).map_err(|e| advice_for_profile(e, cli))
}

/// Credentials or URLs that came from one profile: the advice points at the profile, not
/// at the flags and environment variables it names in general.
fn advice_for_profile(mut err: anyhow::Error, cli: &Cli) -> anyhow::Error {
    use commands::failure::{API_OPTION, CREDENTIALS_ADVICE, WEBHOOK_OPTION};
    let names = config::profile_names(&cli.global, &config::env_var);
    if let [name] = names.as_slice()
        && !matches!(cli.command, Command::Doctor(_) | Command::Profile(_))
        && let Some(e) = err.downcast_mut::<exit::Error>()
    {
        if cli.global.api_url.is_none() {
            e.replace_in_fix(
                API_OPTION,
                &format!("api_url of profile {name} (`greenq profile set {name} --api-url URL`)"),
            );
        }
        if cli.global.webhook_url.is_none() {
            e.replace_in_fix(
                WEBHOOK_OPTION,
                &format!(
                    "webhook_url of profile {name} (`greenq profile set {name} --webhook-url URL`)"
                ),
            );
        }
        e.replace_in_fix(
            CREDENTIALS_ADVICE,
            &format!(
                "check the instance id, the token and the API host of profile {name} (flags given beat it): \
                 `greenq profile list` shows it, `greenq profile set {name} --token-stdin` (or -i, --api-url) changes it"
            ),
        );
    }
    err
}

fn run_command(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Serve(args) => commands::serve::run(&cli.global, args),
        // `--instances N`: one tail over N emulated instances.
        Command::Demo(args) if args.instances > 1 => commands::demo_many::run(&cli.global, args),
        Command::Demo(args) => commands::demo::run(&cli.global, args),
        Command::Doctor(args) => commands::doctor::run(&cli.global, args),
        Command::Receive(args) => commands::receive::run(&Config::resolve(&cli.global)?, args),
        Command::Delete(args) => commands::delete::run(&Config::resolve(&cli.global)?, args),
        Command::Publish(args) => commands::publish::run(&Config::resolve(&cli.global)?, args),
        // Several profiles: a thread per instance, each running tail's loop.
        Command::Tail(args) => match commands::tail_many::chosen(&cli.global, args) {
            Some(names) => commands::tail_many::run(&cli.global, args, &names),
            None => commands::tail::run(&cli.global, args),
        },
        Command::Profile(args) => commands::profile::run(&cli.global, args),
        Command::Fleet(args) => commands::fleet::run(&cli.global, args),
        Command::Count(args) => commands::count::run(&Config::resolve(&cli.global)?, args),
        Command::Purge(args) => commands::purge::run(&Config::resolve(&cli.global)?, args),
    }
}
