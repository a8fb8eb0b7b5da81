//! `greenq demo --instances N`: the emulator hosts N instances, each gets the demo's
//! notifications, and one tail follows them all (a thread and a connection each), as
//! `greenq tail --profile a --profile b ...` does.

use clap::Parser;

use crate::cli::{Cli, Command, DemoArgs, GlobalArgs};
use crate::commands::demo::{demo_config, notifications, start_emulator};
use crate::commands::publish::{Source, check_all, send_all};
use crate::commands::tail;
use crate::commands::tail_many::{Run, follow_all};
use crate::config::Credentials;
use crate::consumer;
use crate::emulator::{DEMO_INSTANCE, DEMO_TOKEN};
use crate::exit::{Error, ExitCode};
use crate::secret::Secret;
use crate::service::retry::Repeat;
use crate::service::session::Session;
use crate::terminal::format;

pub fn run(global: &GlobalArgs, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let notifications = notifications();
    let ids: Vec<u64> = (0..args.instances).map(|i| DEMO_INSTANCE + i).collect();
    let url = start_emulator(&ids, global.verbose)?;
    let token = Secret::new(DEMO_TOKEN)?;
    let config = |id: u64| demo_config(&url, id, &token, global);
    let credentials = |id: u64| Credentials {
        instance: id,
        token: token.clone(),
    };
    // No signal handler of its own: the tail below installs the process's one.
    let publisher = Session::child(
        &config(DEMO_INSTANCE),
        credentials(DEMO_INSTANCE),
        std::sync::Arc::new(crate::terminal::status::Status::new(
            global.quiet,
            global.verbose,
        )),
    );
    publisher.status.line(format_args!(
        "demo: an emulator runs on {url} with {} instances; publishing to each, then following them all in one tail",
        ids.len()
    ));
    for id in &ids {
        // The example's instance id is the demo instance's: each gets its own.
        let text = notifications.replace(&DEMO_INSTANCE.to_string(), &id.to_string());
        let source = Source::memory("greenq's demo set", text);
        let total = check_all(&source)?;
        send_all(
            &publisher,
            &source,
            total,
            Repeat::OnlyIfNotCarriedOut,
            &mut std::io::sink(),
        )?;
    }
    let mut tail_args = match Cli::try_parse_from(["greenq", "tail", "-e"]).map(|c| c.command) {
        Ok(Command::Tail(tail_args)) => tail_args,
        _ => return Err(Error::failure("the demo's tail options do not parse").into()),
    };
    tail_args.format = Some(args.format.unwrap_or_else(format::default_for_stdout));
    let instances = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (format!("demo-{}", i + 1), config(*id), credentials(*id)))
        .collect();
    let run = Run {
        options: tail::Options::from_args(&tail_args)?,
        count: None,
        fail_fast: false,
        printing: true,
        quiet: global.quiet,
        verbose: global.verbose,
    };
    let code = follow_all(
        instances,
        &run,
        &|session, many| {
            let delivery = consumer::build_with(session, global, &tail_args, None, Some(many))?;
            Ok((delivery, None))
        },
        &|_| {},
    )?;
    if code == ExitCode::Success {
        publisher
            .status
            .line("demo: every queue is empty; `greenq tail --profile a --profile b` follows your own instances so");
    }
    Ok(code)
}
