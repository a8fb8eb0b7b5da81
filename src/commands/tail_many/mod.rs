//! `greenq tail --profile a --profile b` / `--all-profiles`: several instances in one
//! process, each in a thread of its own running tail's one-instance loop unchanged, on its
//! own agent (its own keep-alive connection), so order is kept per instance. An instance
//! that stops on an error stops alone (a line names its profile) unless `--fail-fast`;
//! Ctrl-C stops all; `-n` counts across all (`budget`); the exit code is the most serious
//! (`outcome`).

mod budget;
mod outcome;
mod stop;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cli::{GlobalArgs, TailArgs};
use crate::commands::fleet;
use crate::commands::tail::{self, End};
use crate::config::profiles::{self, Profile};
use crate::config::{Config, Credentials, profile_names};
use crate::consumer::delivery::Delivery;
use crate::consumer::handler::Handler;
use crate::consumer::{self, Many};
use crate::exit::{Error, ExitCode, Result};
use crate::secret::Secret;
use crate::service::session::{Session, redact_panics_of};
use crate::state::turn::Turns;
use crate::state::{self, State};
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;
use crate::watch::Watch;
use crate::watch::fleet_metrics::FleetMetrics;

use budget::{Budget, Budgeted};
use outcome::Outcome;
use stop::{Reason, Stopper};

/// The profiles to follow when there are several (an empty list: every profile), or
/// `None` for the one-instance tail.
pub fn chosen(global: &GlobalArgs, args: &TailArgs) -> Option<Vec<String>> {
    if args.many.all_profiles {
        return Some(Vec::new());
    }
    let names = profile_names(global, &crate::config::env_var);
    (names.len() > 1).then_some(names)
}

pub fn run(global: &GlobalArgs, args: &TailArgs, names: &[String]) -> anyhow::Result<ExitCode> {
    let env = crate::config::env_var;
    check_flags(global, args, names)?;
    let profiles = profiles::load(&env, names)?;
    raise_open_files_limit();
    if profiles.is_empty() {
        return Err(Error::usage("--all-profiles found no profile")
            .why("the config file has no [profiles.NAME] table")
            .fix("add one with `greenq profile add NAME --instance ID --api-url URL --token-file PATH`")
            .into());
    }
    let mut options = tail::Options::from_args(args)?;
    // Counted across all instances by the budget, not by each loop.
    let count = options.count.take();
    // Every profile is resolved before anything is received: a usage error changes nothing.
    let mut resolved = Vec::with_capacity(profiles.len());
    // Read at once: the config file is parsed once, not once per profile.
    let tokens = profiles::read_tokens(&profiles)?;
    for (profile, token) in profiles.iter().zip(tokens) {
        let config = match token {
            Some(token) => Config::resolve_profile_token(global, &env, Some(profile), Some(token))?,
            None => Config::resolve_profile(global, &env, Some(profile))?,
        };
        let credentials = credentials_of(&config, profile)?;
        resolved.push((profile.name.clone(), config, credentials));
    }
    check_distinct(&resolved)?;
    let run = Run {
        options,
        count,
        fail_fast: args.many.fail_fast,
        printing: !is_consumer(args),
        quiet: global.quiet,
        verbose: global.verbose,
    };
    let status = Arc::new(Status::new(global.quiet, global.verbose));
    // `--coordinate`: one member for all the instances (one connection, one renewal).
    let fleet_metrics = FleetMetrics::default();
    let fleet = fleet::join(&args.fleet, status.clone(), &fleet_metrics)?;
    let mut watch = Watch::new(&status, args.service.metrics_listen.as_deref())?;
    if fleet.is_some() {
        watch = watch.with_fleet(&fleet_metrics);
    }
    // One ledger connection for all.
    let shared = state::Shared::default();
    let build = |session: &Session, many: &Many| -> Result<Built> {
        // Each instance's lock and ledger (and turn), before anything is received.
        let turns = fleet.as_ref().map(|f| f as &dyn Turns);
        let state =
            consumer::open_state_with(session, args, Some(&shared), turns, Some(many.profile))?;
        let mut delivery = consumer::build_with(session, global, args, state.as_ref(), Some(many))?;
        let instance = session.config.require_credentials()?.instance;
        tail::watched(
            &watch,
            session,
            &mut delivery,
            args,
            instance,
            Some(many.profile),
        );
        Ok((delivery, state))
    };
    follow_all(resolved, &run, &build, &|status| {
        watch.start(status);
        if let Some(fleet) = &fleet {
            fleet.start();
        }
    })
}

/// Raises this process's limit of open files to the most it may have: each instance holds
/// its lock file and a connection or two, and systemd's default soft limit (1,024) ran
/// out at several hundred profiles ('too many open files' on a lock, taken for an unusable state
/// directory). The hard limit stays the administrator's; Go's runtime does the same.
fn raise_open_files_limit() {
    // SAFETY: getrlimit(2) and setrlimit(2) with a plain struct on our stack.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// How the instances are followed.
pub struct Run {
    pub options: tail::Options,
    /// `-n`: across all instances.
    pub count: Option<u64>,
    pub fail_fast: bool,
    /// Printing (not --exec / --forward-to): the summary says "printed".
    pub printing: bool,
    pub quiet: bool,
    pub verbose: bool,
}

/// One instance's delivery, and its state directory (`None`: `--no-state`, or `demo`).
pub type Built = (Delivery, Option<State>);

/// Builds one instance's delivery in its own thread.
pub type Build<'a> = dyn Fn(&Session, &Many) -> Result<Built> + Sync + 'a;

/// Follows every instance (its name, config, credentials) in a thread of its own until
/// all have ended; prints a summary line per instance and a total; the most serious code.
/// `on_start` runs once every instance was built, before anything is received (the
/// metrics are served from then on, with every instance's series in place).
pub fn follow_all(
    resolved: Vec<(String, Config, Credentials)>,
    run: &Run,
    build: &Build,
    on_start: &dyn Fn(&Status),
) -> anyhow::Result<ExitCode> {
    let names: Vec<String> = resolved.iter().map(|(n, _, _)| n.clone()).collect();
    let (options, count) = (&run.options, run.count);
    let secrets: Vec<Secret> = resolved.iter().map(|(_, _, c)| c.token.clone()).collect();
    redact_panics_of(secrets.clone());

    let verb = if run.printing { "printed" } else { "handled" };
    // The run's status alone draws: one line over every instance.
    let status = Arc::new(Status::with_board(run.quiet, run.verbose, verb));
    let stopper = Arc::new(Stopper::default());
    let budget = count.map(|n| Budget::new(n, stopper.clone()));
    let wrap = |handler: Box<dyn Handler>| -> Box<dyn Handler> {
        match &budget {
            Some(budget) => Box::new(Budgeted::new(handler, budget.clone())),
            None => handler,
        }
    };
    // The process's one Ctrl-C / SIGTERM handler stops every instance; a second one
    // exits at once, as in the one-instance tail.
    let signal = Interrupt::install(None);
    let watcher = stopper.clone();
    std::thread::spawn(move || {
        while !signal.sleep(Duration::from_secs(3600)) {}
        watcher.stop(Reason::Signal);
    });

    let started = Instant::now();
    let fail_fast = run.fail_fast;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Option<Error>>();
    let go = Go::default();
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = resolved
            .into_iter()
            .map(|(name, config, credentials)| {
                let (stopper, wrap, secrets, go, status) =
                    (&stopper, &wrap, &secrets, &go, &status);
                let ready = ready_tx.clone();
                let thread = std::thread::Builder::new().name(format!("tail {name}"));
                let spawned = thread.spawn_scoped(scope, move || {
                    // A handler is not Send (the printing one holds stdout): each thread
                    // builds its own, and all wait until every one was built.
                    let labelled = Arc::new(Status::instance(status, &name));
                    let session = Session::child(&config, credentials, labelled);
                    // From here: the build may wait (for a killed greenq's keeper).
                    stopper.watch(session.interrupt.clone());
                    let many = Many {
                        profile: &name,
                        secrets,
                        wrap,
                    };
                    // Kept whole: its delivery (with `--exec`'s keeper, which shares the
                    // lock) is dropped before its state, whose lock removes its file.
                    let mut built = match build(&session, &many) {
                        Ok(built) => built,
                        Err(e) => {
                            let _ = ready.send(Some(e));
                            return None;
                        }
                    };
                    let _ = ready.send(None);
                    // Dropped now: the count below ends even if another thread panicked.
                    drop(ready);
                    if !go.wait() {
                        return None;
                    }
                    let (delivery, state) = (&mut built.0, &mut built.1);
                    let ledger = state.as_mut().and_then(|s| s.ledger.as_mut());
                    let (ended, summary) =
                        tail::follow_summarised(&session, options, delivery, ledger);
                    let code = end_code(&name, ended, stopper, fail_fast, status);
                    Some(Outcome {
                        profile: name,
                        code,
                        summary: summary.line,
                        handled: delivery.counts().handled,
                        deleted: summary.deleted,
                        retries: summary.retries,
                    })
                });
                spawned.map_err(|e| e.to_string())
            })
            .collect();
        drop(ready_tx);
        // Every instance built, or the first problem: nothing was received yet.
        let mut problem = None;
        let spawned = handles.iter().filter(|h| h.is_ok()).count();
        for _ in 0..spawned {
            match ready_rx.recv() {
                Ok(None) => {}
                Ok(Some(e)) => {
                    problem.get_or_insert(e);
                }
                Err(_) => break,
            }
        }
        if problem.is_none() {
            on_start(&status);
            status.show_board();
        }
        go.set(problem.is_none());
        let outcomes: Vec<Option<Outcome>> = handles
            .into_iter()
            .zip(names.iter())
            .map(|(handle, name)| joined(handle, name, &status))
            .collect();
        match problem {
            Some(e) => Err(e),
            None => Ok(outcomes.into_iter().flatten().collect()),
        }
    })?;

    status.clear();
    for outcome in &outcomes {
        status.line(outcome.line());
    }
    status.line(outcome::total(
        &outcomes,
        verb,
        started.elapsed().as_secs_f64(),
    ));
    let code = outcome::worst(outcomes.iter().map(|o| o.code));
    Ok(match stopper.reason() {
        // Ctrl-C with no error: 130, as the one-instance tail.
        Some(Reason::Signal) if code == ExitCode::Success => ExitCode::Interrupted,
        _ => code,
    })
}

fn is_consumer(args: &TailArgs) -> bool {
    args.consumer.exec || args.consumer.forward_to.is_some()
}

/// An instance's exit code from how its loop ended; an error is said at once, naming
/// the profile, and with `--fail-fast` stops the others.
fn end_code(
    name: &str,
    ended: Result<End>,
    stopper: &Stopper,
    fail_fast: bool,
    status: &Status,
) -> ExitCode {
    match ended {
        Ok(End::Done | End::Yielded) => ExitCode::Success,
        // stdout closed, or `-n` reached: the others stop too.
        Ok(End::PipeClosed) => {
            stopper.stop(Reason::Done);
            ExitCode::Success
        }
        Ok(End::Interrupted) => match stopper.reason() {
            Some(Reason::Done | Reason::FailFast) => ExitCode::Success,
            _ => ExitCode::Interrupted,
        },
        Err(e) if e.silent => {
            stopper.stop(Reason::Done);
            e.code
        }
        Err(e) => {
            let rest = if fail_fast {
                "stopping the others (--fail-fast)"
            } else {
                "the other instances go on"
            };
            status
                .suspend(|| crate::ewriteln!("greenq: error: profile {name} stopped: {e}; {rest}"));
            if fail_fast {
                stopper.stop(Reason::FailFast);
            }
            e.code
        }
    }
}

/// A thread that could not start, or ended in a panic (whose message the hook printed).
fn joined(
    handle: std::result::Result<std::thread::ScopedJoinHandle<'_, Option<Outcome>>, String>,
    profile: &str,
    status: &Status,
) -> Option<Outcome> {
    let failed = |why: String| {
        status.suspend(|| crate::ewriteln!("greenq: error: profile {profile} stopped ({why})"));
        Some(Outcome {
            profile: profile.to_string(),
            code: ExitCode::Failure,
            summary: why,
            handled: 0,
            deleted: 0,
            retries: 0,
        })
    };
    match handle {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|_| failed("a bug in greenq; please report it".into())),
        Err(e) => failed(format!("no thread could be started: {e}")),
    }
}

/// Whether the threads, each with its handler built, may start receiving.
#[derive(Default)]
struct Go {
    state: std::sync::Mutex<Option<bool>>,
    changed: std::sync::Condvar,
}

impl Go {
    fn set(&self, go: bool) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *state = Some(go);
        self.changed.notify_all();
    }

    fn wait(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(go) = *state {
                return go;
            }
            state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// Flags that name one instance make no sense for several.
fn check_flags(global: &GlobalArgs, args: &TailArgs, names: &[String]) -> Result<()> {
    if args.consumer.exec {
        crate::consumer::exec::check_command(&args.consumer.command)?;
    }
    if args.many.all_profiles && !global.profile.is_empty() {
        return Err(
            Error::usage("--all-profiles and --profile are given together")
                .fix("give --all-profiles alone, or name the profiles with --profile"),
        );
    }
    if global.instance.is_some() || global.token_file.is_some() {
        return Err(
            Error::usage("-i/--instance or --token-file is given with several profiles")
                .why("they name one instance, and each profile names its own")
                .fix(
                    "put the instance and token in each profile, or follow one with --profile NAME",
                ),
        );
    }
    if let Some(name) = names
        .iter()
        .enumerate()
        .find_map(|(i, n)| names[..i].contains(n).then_some(n))
    {
        return Err(Error::usage(format!("profile {name} is given twice"))
            .why("a queue has one consumer")
            .fix("give each --profile once"));
    }
    Ok(())
}

fn credentials_of(config: &Config, profile: &Profile) -> Result<Credentials> {
    config.require_credentials().map_err(|e| {
        Error::usage(format!(
            "profile {} in {} names no instance or token",
            profile.name,
            profile.file.display()
        ))
        .why(e.to_string())
        .fix(format!(
            "add `instance` and `token_file` to [profiles.{}]",
            profile.name
        ))
    })
}

/// Two profiles of one instance would be two consumers of one queue, each taking the
/// other's notifications.
fn check_distinct(resolved: &[(String, Config, Credentials)]) -> Result<()> {
    for (i, (name, config, credentials)) in resolved.iter().enumerate() {
        let same = resolved[..i]
            .iter()
            .find(|(_, c, k)| k.instance == credentials.instance && c.api_url == config.api_url);
        if let Some((first, _, _)) = same {
            return Err(Error::usage(format!(
                "profiles {first} and {name} are the same instance {}",
                credentials.instance
            ))
            .why("a queue has exactly one consumer: two would each take the other's notifications")
            .fix("follow each instance once"));
        }
    }
    Ok(())
}
