//! `greenq serve`: run the emulator until Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use anyhow::Context;

use crate::cli::{GlobalArgs, ServeArgs};
use crate::config::{Config, parse_token};
use crate::emulator::faults::Faults;
use crate::emulator::{DEMO_INSTANCE, DEMO_TOKEN, Emulator, InstanceState, Options, runtime};
use crate::exit::{Error, ExitCode, Result};
use crate::text::parse_positive;

pub fn run(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let listen = parse_listen(&args.listen)?;
    let (accept, names, demo) = hosted_instances(global, args)?;
    let partner = args
        .partner_token
        .as_deref()
        .map(|t| parse_token(t, "--partner-token"))
        .transpose()?;
    let faults = faults(args);
    let note = faults.as_ref().map(faults_note);
    let emulator = Emulator::bind(Options {
        listen,
        accept: accept.clone(),
        wait: Duration::from_secs(args.wait),
        verbose: global.verbose,
        first_receipt: args
            .first_receipt
            .unwrap_or_else(crate::emulator::first_receipt_now),
    })
    .map(|emulator| emulator.with_faults(faults))
    .map(|emulator| match &partner {
        Some(token) => emulator.with_partner(token.expose().to_string(), &accept, &names),
        None => emulator,
    })
    .map_err(|e| {
        // Most often the emulator started earlier, in another terminal.
        let fix = if e.kind() == std::io::ErrorKind::AddrInUse {
            "another greenq serve (or another program) listens there already: stop it, or pick another address with --listen (port 0 picks a free one)"
        } else {
            "pick another address with --listen (port 0 picks a free one)"
        };
        anyhow::Error::new(e).context(Error::failure(format!("cannot listen on {listen}")).fix(fix))
    })?
    .with_instance_state(
        InstanceState::parse(&args.instance_state).unwrap_or(InstanceState::Authorized),
    )
    .with_push_timing(args.push_retry, args.push_timeout)
    .with_whole_queue(args.count_refresh, args.clear_interval)
    .with_rate_limit(args.rate_limit)
    .with_status_delay(args.status_delay)
    .with_idle_banner(args.idle_banner);
    let addr = emulator.local_addr().with_context(|| {
        Error::failure("cannot read the bound address").fix("try another --listen address")
    })?;
    let failed =
        || Error::failure("the emulator failed").fix("run it again; with -v it logs each request");
    let runtime = runtime().with_context(failed)?;
    runtime.block_on(async {
        // Signals are caught before the banner: whoever read it may signal at once.
        let stop = stop_signal().with_context(failed)?;
        print_banner(addr, &accept, demo).map_err(Error::output)?;
        if !global.quiet {
            crate::ewriteln!("greenq: serve: the queue is in memory; Ctrl-C stops the emulator");
            if let Some(note) = &note {
                crate::ewriteln!("greenq: serve: {note}");
            }
            if let Some(n) = args.rate_limit {
                crate::ewriteln!(
                    "greenq: serve: at most {n} requests per second of each method per instance; 429 above"
                );
            }
        }
        emulator.serve(stop).await.with_context(failed)
    })?;
    if !global.quiet {
        crate::ewriteln!("greenq: serve: stopped");
    }
    Ok(ExitCode::Success)
}

/// `--faults RATE [--seed N]`; without a seed, one is drawn (and told, to replay a run).
fn faults(args: &ServeArgs) -> Option<Faults> {
    let rate = args.faults?;
    Some(Faults::new(
        rate,
        args.seed.unwrap_or_else(|| fastrand::u64(..)),
    ))
}

fn faults_note(faults: &Faults) -> String {
    let seed = faults.seed();
    format!(
        "injecting faults into {} % of requests (seed {seed}: --seed {seed} replays them; -v logs each)",
        // 0.3 * 100 is 30.000000000000004 in binary.
        (faults.rate() * 10_000.0).round() / 100.0
    )
}

/// `host:port`, resolved once (`localhost:7700` works too).
fn parse_listen(text: &str) -> Result<SocketAddr> {
    let bad = |why: String| {
        Error::usage(format!("--listen {text:?} is not an address to listen on"))
            .why(why)
            .fix("give HOST:PORT, e.g. 127.0.0.1:7700 (port 0 picks a free one)")
    };
    text.to_socket_addrs()
        .map_err(|e| bad(e.to_string()))?
        .next()
        .ok_or_else(|| bad("it resolves to no address".into()))
}

/// Instances with their tokens, names, and whether it is the demo instance (whose token
/// is no secret and may be shown).
type Hosted = (Vec<(u64, String)>, Vec<(u64, String)>, bool);

/// `--accept ID:TOKEN`s and `--accept-file`; else the configured instance and token; else
/// the demo instance.
fn hosted_instances(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<Hosted> {
    let mut hosted = args
        .accept
        .iter()
        .map(|a| parse_accept(a))
        .collect::<Result<Vec<_>>>()?;
    let mut names = Vec::new();
    if let Some(path) = &args.accept_file {
        for (id, token, name) in crate::emulator::accept_file::read(path)? {
            if let Some(name) = name {
                names.push((id, name));
            }
            hosted.push((id, token));
        }
    }
    if !hosted.is_empty() {
        return Ok((hosted, names, false));
    }
    let config = Config::resolve(global)?;
    match (config.instance, config.token) {
        (Some(id), Some(token)) => Ok((vec![(id, token.expose().to_string())], names, false)),
        _ => Ok((vec![(DEMO_INSTANCE, DEMO_TOKEN.to_string())], names, true)),
    }
}

fn parse_accept(text: &str) -> Result<(u64, String)> {
    let bad = |why: String| {
        Error::usage("--accept takes ID:TOKEN")
            .why(why)
            .fix("e.g. --accept 1101000001:my-test-token")
    };
    let (id, token) = text
        .split_once(':')
        .ok_or_else(|| bad("there is no `:`".into()))?;
    let id = parse_positive(id).map_err(bad)?;
    let token = parse_token(token, "--accept")?;
    Ok((id, token.expose().to_string()))
}

/// The first line says where it listens (scripts read the port from it); then the lines to paste.
fn print_banner(addr: SocketAddr, accept: &[(u64, String)], demo: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{addr}")?;
    writeln!(out, "export GREEN_API_URL=http://{addr}")?;
    writeln!(out, "export GREEN_API_WEBHOOK_URL=http://{addr}")?;
    if let Some((id, token)) = accept.first() {
        writeln!(out, "export GREEN_API_INSTANCE_ID={id}")?;
        if demo {
            writeln!(out, "export GREEN_API_TOKEN={token}")?;
        } else {
            writeln!(
                out,
                "# GREEN_API_TOKEN: the token you gave for instance {id}"
            )?;
        }
    }
    out.flush()
}

/// Registers for Ctrl-C and SIGTERM now; the future completes on either.
#[cfg(unix)]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_is_id_colon_token() {
        assert_eq!(parse_accept("7:tok").unwrap(), (7, "tok".into()));
        assert!(parse_accept("7").is_err());
        assert!(parse_accept("x:tok").is_err());
        assert!(parse_accept("7:").is_err());
        let e = parse_accept("7:a/b").unwrap_err();
        assert_eq!(e.code, ExitCode::Usage);
        assert!(
            e.to_string()
                .starts_with("the token from --accept is malformed (it holds '/'"),
            "{e}"
        );
    }

    #[test]
    fn the_faults_note_says_rate_and_seed() {
        let note = faults_note(&Faults::new(0.3, 42));
        assert!(
            note.starts_with("injecting faults into 30 % of requests (seed 42:"),
            "{note}"
        );
        assert!(faults_note(&Faults::new(0.125, 1)).contains("12.5 %"));
    }

    #[test]
    fn listen_addresses() {
        assert_eq!(parse_listen("127.0.0.1:0").unwrap().port(), 0);
        assert!(parse_listen("nonsense").is_err());
    }
}
