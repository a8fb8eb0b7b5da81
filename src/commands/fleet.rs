//! `greenq fleet`: who owns what in a fleet of `tail --coordinate` members; and how a
//! tail joins the fleet (`join`).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use crate::cli::{CoordinateArgs, FleetArgs, FleetFormat, GlobalArgs};
use crate::config::profiles;
use crate::exit::{Error, ExitCode, Result};
use crate::fleet::address::{Address, ENV};
use crate::fleet::view::{self, View};
use crate::fleet::{self, Fleet, Options};
use crate::terminal::status::Status;
use crate::terminal::tty::stdout_is_terminal;
use crate::watch::fleet_metrics::FleetMetrics;

/// The fleet this tail is a member of, with `--coordinate` (or `GREENQ_COORDINATE`);
/// `None` without. Nothing is held until `Fleet::start`.
pub fn join(
    args: &CoordinateArgs,
    status: Arc<Status>,
    metrics: &FleetMetrics,
) -> Result<Option<Fleet>> {
    let Some(address) = Address::resolve(args.coordinate.as_deref(), &crate::config::env_var)?
    else {
        if args.member.is_some() || args.lease_ttl.is_some() {
            return Err(
                Error::usage("--member or --lease-ttl is given without --coordinate")
                    .why(format!(
                        "they belong to a fleet, and neither --coordinate nor {ENV} names one"
                    ))
                    .fix("add --coordinate redis://HOST:PORT, or drop them"),
            );
        }
        return Ok(None);
    };
    let member = match &args.member {
        Some(name) if name.trim().is_empty() || name.contains(char::is_whitespace) => {
            return Err(Error::usage("--member is empty or holds white space")
                .fix("give a name such as web-1, or drop --member for HOST:PID"));
        }
        Some(name) => name.clone(),
        None => fleet::default_member(),
    };
    let ttl = Duration::from_secs(args.lease_ttl.unwrap_or(fleet::DEFAULT_TTL));
    let options = Options {
        address,
        member,
        ttl,
    };
    Fleet::new(options, status, metrics.clone()).map(Some)
}

pub fn run(global: &GlobalArgs, args: &FleetArgs) -> anyhow::Result<ExitCode> {
    let env = crate::config::env_var;
    let Some(address) = Address::resolve(args.coordinate.as_deref(), &env)? else {
        return Err(Error::usage("greenq fleet needs the coordinator's URL")
            .fix(format!("give --coordinate redis://HOST:PORT, or set {ENV}"))
            .into());
    };
    let unreachable = |e: redis::RedisError| {
        Error::failure(format!("cannot read the fleet from {}", address.shown()))
            .why(address.redact(&e.to_string()))
            .fix(format!(
                "check that Redis runs there, and --coordinate or {ENV}"
            ))
    };
    let client = redis::Client::open(address.expose()).map_err(unreachable)?;
    let mut con = client
        .get_connection_with_timeout(Duration::from_secs(5))
        .map_err(unreachable)?;
    let _ = con.set_read_timeout(Some(Duration::from_secs(10)));
    let view = view::read(&mut con, &config_queues(global)).map_err(unreachable)?;
    let format = args.format.unwrap_or(if stdout_is_terminal() {
        FleetFormat::Table
    } else {
        FleetFormat::Json
    });
    let text = match format {
        FleetFormat::Json => json_lines(&view),
        FleetFormat::Table => table(&view),
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if !crate::exit::is_broken_pipe(&e) => Err(Error::output(e).into()),
        _ => Ok(ExitCode::Success),
    }
}

/// The config file's profiles (instance, name), when there is a config file.
fn config_queues(global: &GlobalArgs) -> Vec<(u64, Option<String>)> {
    let env = crate::config::env_var;
    let Ok(all) = profiles::load(&env, &[]) else {
        return Vec::new();
    };
    all.iter()
        .filter_map(|p| {
            let config = crate::config::Config::resolve_profile(global, &env, Some(p)).ok()?;
            Some((config.instance?, Some(p.name.clone())))
        })
        .collect()
}

fn json_lines(view: &View) -> String {
    let mut out = String::new();
    for q in &view.queues {
        let line = serde_json::json!({
            "instance": q.instance,
            "profile": q.profile,
            "owner": q.owner,
            "epoch": q.epoch,
            "lease_left_ms": q.lease_left_ms,
        });
        out.push_str(&format!("{line}\n"));
    }
    for m in &view.members {
        let line = serde_json::json!({"member": m.member, "queues": m.queues, "given": m.given});
        out.push_str(&format!("{line}\n"));
    }
    out
}

fn table(view: &View) -> String {
    let mut rows = vec![[
        "QUEUE".to_string(),
        "PROFILE".into(),
        "OWNER".into(),
        "EPOCH".into(),
        "LEASE LEFT".into(),
    ]];
    for q in &view.queues {
        rows.push([
            q.instance.to_string(),
            q.profile.clone().unwrap_or_else(|| "-".into()),
            q.owner.clone().unwrap_or_else(|| "(nobody)".into()),
            q.epoch.map_or("-".into(), |e| e.to_string()),
            q.lease_left_ms
                .map_or("-".into(), |ms| format!("{:.1} s", ms as f64 / 1000.0)),
        ]);
    }
    let mut out = columns(&rows);
    let unowned = view.queues.iter().filter(|q| q.owner.is_none()).count();
    out.push_str(&format!(
        "\n{} queues, {} owned, {unowned} unowned\n\n",
        view.queues.len(),
        view.queues.len() - unowned
    ));
    let mut rows = vec![["MEMBER".to_string(), "HOLDS".into(), "GIVEN".into()]];
    for m in &view.members {
        rows.push([m.member.clone(), m.queues.to_string(), m.given.to_string()]);
    }
    out.push_str(&columns(&rows));
    out
}

fn columns<const N: usize>(rows: &[[String; N]]) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
