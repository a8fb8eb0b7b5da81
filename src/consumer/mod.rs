//! From `tail`'s flags to its `Delivery`: which handler (print, `--exec`, `--forward-to`)
//! and what happens around it (`--max-attempts`, `--dead-letter`, `--dedupe`). Every
//! flag is checked here, before anything is received.

pub mod dead_letter;
pub mod dedupe;
pub mod delivery;
pub mod exec;
pub mod exec_keeper;
pub mod forward;
pub mod handler;
pub mod other_consumer;
pub mod print;
pub mod print_shared;
pub mod record;

use std::time::Duration;

use crate::cli::{GlobalArgs, TailArgs};
use crate::consumer::dead_letter::DeadLetter;
use crate::consumer::dedupe::{DEFAULT_CAPACITY, Dedupe, Key};
use crate::consumer::delivery::{Delivery, Settings};
use crate::consumer::exec::{Exec, Kept};
use crate::consumer::forward::{Forward, ForwardOptions, ForwardToken, parse_header, parse_url};
use crate::consumer::handler::Handler;
use crate::consumer::print::Print;
use crate::consumer::print_shared::SharedPrint;
use crate::exit::Result;
use crate::secret::Secret;
use crate::service::session::Session;
use crate::state::turn::{Turn, Turns};
use crate::state::{self, State};
use crate::terminal::format::{Format, Printer, default_for_stdout};

/// One instance of several in one tail: its profile's name (`GREENQ_PROFILE`,
/// `X-Greenq-Profile`, the label of a printed notification), every token of the run (none
/// may reach a command), and a wrapper around the handler (the `-n` budget shared by all).
pub struct Many<'a> {
    pub profile: &'a str,
    pub secrets: &'a [Secret],
    pub wrap: &'a dyn Fn(Box<dyn Handler>) -> Box<dyn Handler>,
}

/// `state` is the run's state directory: `--dedupe` starts with the keys its ledger kept.
pub fn build(
    session: &Session,
    global: &GlobalArgs,
    tail: &TailArgs,
    state: Option<&State>,
) -> Result<Delivery> {
    build_with(session, global, tail, state, None)
}

pub fn build_with(
    session: &Session,
    global: &GlobalArgs,
    tail: &TailArgs,
    state: Option<&State>,
    many: Option<&Many>,
) -> Result<Delivery> {
    let args = &tail.consumer;
    let timeout = Duration::from_secs(args.handler_timeout);
    let secret = session.config.token.clone();
    let format = tail.format.unwrap_or_else(default_for_stdout);
    let forward_token = match &args.forward_to {
        Some(_) => {
            ForwardToken::resolve(args.forward_token_file.as_deref(), &crate::config::env_var)?
        }
        None => None,
    };
    let (handler, printing): (Box<dyn Handler>, bool) = if args.exec {
        let secrets: Vec<&str> = secret
            .iter()
            .chain(many.iter().flat_map(|m| m.secrets))
            .map(|s| s.expose())
            .chain(forward_token.iter().map(|t| t.expose()))
            .collect();
        let exec = Exec::new(
            args.command.clone(),
            session.config.instance.unwrap_or_default(),
            timeout,
            &secrets,
            session.status.clone(),
            session.interrupt.clone(),
        );
        let exec = match many {
            Some(m) => exec.with_profile(m.profile),
            None => exec,
        };
        let exec = exec.with_turn(turn_of(state));
        let exec = match state.and_then(|s| s.ledger.as_ref().map(|l| (l, &s.lock))) {
            Some((ledger, lock)) => exec.with_ledger(Kept {
                ledger: ledger.path().to_path_buf(),
                origin: ledger.origin().to_string(),
                lock_fd: lock.fd(),
                dedupe: args.dedupe,
            }),
            None => exec,
        };
        (Box::new(exec), false)
    } else if let Some(url) = &args.forward_to {
        let options = ForwardOptions {
            url: parse_url(url, global.allow_insecure_http)?,
            headers: args
                .headers
                .iter()
                .map(|h| parse_header(h))
                .chain(many.map(|m| parse_header(&format!("X-Greenq-Profile: {}", m.profile))))
                .collect::<Result<_>>()?,
            token: forward_token,
            timeout,
            json: format == Format::Json,
            turn: turn_of(state),
        };
        let forward = Forward::new(options, secret, session.status.clone())?;
        (Box::new(forward), false)
    } else if let Some(m) = many {
        let color = session.stdout_color();
        let print = SharedPrint::new(
            Printer::new(format, color),
            format,
            color,
            m.profile,
            session.status.clone(),
        );
        (Box::new(print), true)
    } else {
        let delivery = with_settings(
            session,
            Box::new(print_handler(session, format)),
            true,
            settings(tail, state)?,
        );
        return Ok(delivery.with_turn(turn_of(state)));
    };
    let handler = match many {
        Some(m) => (m.wrap)(handler),
        None => handler,
    };
    let delivery = with_settings(session, handler, printing, settings(tail, state)?);
    Ok(delivery.with_turn(turn_of(state)))
}

/// The queue's turn (`--coordinate`), shared by the loop and the handler.
fn turn_of(state: Option<&State>) -> Option<std::sync::Arc<dyn Turn>> {
    state.and_then(|s| s.turn.clone())
}

/// tail's state directory (the lock, and the ledger in the consumer modes), or `None`
/// with `--no-state`. Opened before anything is received.
pub fn open_state(session: &Session, tail: &TailArgs) -> Result<Option<State>> {
    open_state_in(session, tail, None)
}

/// The same for one instance of a multi-instance tail, on the ledger connection `shared`
/// by all.
pub fn open_state_in(
    session: &Session,
    tail: &TailArgs,
    shared: Option<&state::Shared>,
) -> Result<Option<State>> {
    open_state_with(session, tail, shared, None, None)
}

/// As `open_state_in`, with the queue's turn from `turns` (`--coordinate`) and its profile.
pub fn open_state_with(
    session: &Session,
    tail: &TailArgs,
    shared: Option<&state::Shared>,
    turns: Option<&dyn Turns>,
    profile: Option<&str>,
) -> Result<Option<State>> {
    let command = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let command = match &session.config.token {
        Some(secret) => secret.redact(&command),
        None => command,
    };
    let wanted = state::Wanted {
        flag: tail.state.state_dir.as_deref(),
        none: tail.state.no_state,
        consumer: tail.consumer.exec || tail.consumer.forward_to.is_some(),
        api_url: session.config.api_url.as_str(),
        instance: session.config.require_instance()?,
        command: &command,
        turns,
        profile,
    };
    state::open_in(
        &wanted,
        &crate::config::env_var,
        &session.status,
        &session.interrupt,
        shared,
    )
}

/// Plain printing, as `demo` and `tail` without consumer flags do it.
pub fn printing(session: &Session, format: Format, types: Vec<String>) -> Delivery {
    let settings = Settings {
        types,
        max_attempts: None,
        dead_letter: None,
        dedupe: None,
    };
    with_settings(
        session,
        Box::new(print_handler(session, format)),
        true,
        settings,
    )
}

fn print_handler(session: &Session, format: Format) -> Print {
    Print::new(
        Printer::new(format, session.stdout_color()),
        session.status.clone(),
    )
}

fn settings(tail: &TailArgs, state: Option<&State>) -> Result<Settings> {
    let args = &tail.consumer;
    let dedupe = match (args.dedupe, state.and_then(|s| s.ledger.as_ref())) {
        (false, _) => None,
        (true, None) => Some(Dedupe::new(DEFAULT_CAPACITY)),
        (true, Some(ledger)) => {
            let mut dedupe = Dedupe::new(DEFAULT_CAPACITY);
            // Newest first: inserted oldest first, so the oldest are forgotten first.
            for key in ledger.dedupe_keys(DEFAULT_CAPACITY)?.into_iter().rev() {
                dedupe.insert(Key(key));
            }
            Some(dedupe)
        }
    };
    Ok(Settings {
        types: tail.types.clone(),
        max_attempts: args.max_attempts,
        dead_letter: args
            .dead_letter
            .as_deref()
            .map(DeadLetter::open)
            .transpose()?,
        dedupe,
    })
}

fn with_settings(
    session: &Session,
    handler: Box<dyn Handler>,
    printing: bool,
    settings: Settings,
) -> Delivery {
    Delivery::new(
        handler,
        printing,
        settings,
        session.status.clone(),
        session.interrupt.clone(),
    )
}
