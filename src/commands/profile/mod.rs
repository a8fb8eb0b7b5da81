//! `greenq profile list|add|set|remove|import`: the profiles of the config file. Every edit
//! keeps the rest of the file (comments, order) and is written atomically with mode 0600;
//! no output ever shows a token.

mod import;
mod urls;

use std::io::{Read, Write};
use std::path::Path;

use crate::cli::{
    DEFAULT_WEBHOOK_URL, GlobalArgs, ProfileAction, ProfileAddArgs, ProfileArgs, ProfileSetArgs,
};
use crate::commands::profile::urls::profile_urls;
use crate::config::profile_edit::{self, Added, Changes, Fields};
use crate::config::profiles::{self, TokenSource};
use crate::config::{BaseUrl, file, parse_token, read_token_file};
use crate::exit::{Error, ExitCode, Result};
use crate::text::parse_positive;

pub fn run(global: &GlobalArgs, args: &ProfileArgs) -> anyhow::Result<ExitCode> {
    let env = crate::config::env_var;
    let path = file::path(&env)?;
    match &args.action {
        ProfileAction::List => list(&path),
        ProfileAction::Add(add_args) => add(global, add_args, &path),
        ProfileAction::Set(set_args) => set(global, set_args, &path),
        ProfileAction::Remove { name } => remove(name, &path),
        ProfileAction::Import(import_args) => import::run(global, import_args, &path),
    }
}

/// One line per profile: name, instance, API host, where the token comes from.
fn list(path: &Path) -> anyhow::Result<ExitCode> {
    let Some(doc) = file::read(path)? else {
        crate::ewriteln!(
            "greenq: no config file at {}; add a profile with `greenq profile add`",
            path.display()
        );
        return Ok(ExitCode::NothingThere);
    };
    let all = profiles::all(&doc, path)?;
    if all.iter().any(|p| p.token == TokenSource::Inline)
        && let Err(e) = file::check_private(path, "the config file")
    {
        crate::ewriteln!("greenq: warning: {e}");
    }
    let rows: Vec<[String; 4]> = all
        .iter()
        .map(|p| {
            [
                p.name.clone(),
                p.instance.map_or_else(|| "-".into(), |i| i.to_string()),
                p.api_url.clone().unwrap_or_else(|| "-".into()),
                p.token_origin(),
            ]
        })
        .collect();
    let header = ["NAME", "INSTANCE", "API URL", "TOKEN"].map(String::from);
    let widths: Vec<usize> = (0..3)
        .map(|i| {
            std::iter::once(&header)
                .chain(&rows)
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    for row in std::iter::once(&header).chain(&rows) {
        writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        )
        .map_err(Error::output)?;
    }
    out.flush().map_err(Error::output)?;
    if rows.is_empty() {
        crate::ewriteln!("greenq: {} has no profiles", path.display());
    }
    Ok(ExitCode::Success)
}

fn add(global: &GlobalArgs, args: &ProfileAddArgs, path: &Path) -> anyhow::Result<ExitCode> {
    profiles::check_name(&args.name).map_err(|why| {
        Error::usage(format!("{:?} cannot be a profile name", args.name))
            .why(why)
            .fix("e.g. shop-1")
    })?;
    let fields = checked_fields(global)?;
    let token = match (&global.token_file, args.token_stdin) {
        (Some(_), true) => {
            return Err(
                Error::usage("--token-file and --token-stdin are given together")
                    .fix("give one: where the token is kept")
                    .into(),
            );
        }
        (None, false) => {
            return Err(Error::usage("profile add needs a token")
                .fix("give --token-file PATH (a file of mode 0600), or --token-stdin")
                .into());
        }
        // Checked now: a profile that cannot be used is no use.
        (Some(file), false) => Token::File(checked_token_file(file)?),
        (None, true) => Token::Inline(token_from_stdin()?),
    };
    let mut doc = file::read(path)?.unwrap_or_default();
    let written = Fields {
        api_url: fields.0.as_str(),
        webhook_url: fields.1.as_ref().map(BaseUrl::as_str),
        instance: fields.2,
        token_file: match &token {
            Token::File(f) => Some(f),
            Token::Inline(_) => None,
        },
        token: match &token {
            Token::Inline(t) => Some(t),
            Token::File(_) => None,
        },
    };
    let added = profile_edit::add(&mut doc, &args.name, &written, args.force)?;
    if added == Added::Kept {
        return Err(
            Error::usage(format!("profile {} exists already", args.name))
                .why(format!("in {}", path.display()))
                .fix("add --force to replace it, or choose another name")
                .into(),
        );
    }
    file::write(path, &doc)?;
    let verb = if added == Added::Replaced {
        "replaced"
    } else {
        "added"
    };
    println_or_fail(&format!(
        "{verb} profile {} (instance {}) in {}",
        args.name,
        fields.2,
        path.display()
    ))?;
    // A profile for `greenq serve` whose publish would go to the live webhook endpoint.
    let api = fields.0.as_str();
    let authority = api.split_once("://").map_or(api, |(_, rest)| rest);
    let authority = authority.split('/').next().unwrap_or(authority);
    if fields.1.is_none() && crate::config::is_loopback(crate::config::host_part(authority)) {
        crate::ewriteln!(
            "greenq: note: profile {name} has no webhook_url, so its publish goes to GREEN_API_WEBHOOK_URL, else {DEFAULT_WEBHOOK_URL}, not to {api}; for greenq serve: greenq profile set {name} --webhook-url {api}",
            name = args.name
        );
    }
    Ok(ExitCode::Success)
}

enum Token {
    File(String),
    Inline(String),
}

/// The first line of stdin, checked as a token.
fn token_from_stdin() -> Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .lock()
        .take(4096)
        .read_to_string(&mut text)
        .map_err(|e| Error::usage("cannot read the token from stdin").why(e.to_string()))?;
    let first = text.lines().next().unwrap_or_default();
    Ok(parse_token(first, "stdin")?.expose().to_string())
}

/// A token file given for a profile: absolute, private and readable, else an error now.
fn checked_token_file(file: &Path) -> anyhow::Result<String> {
    let path = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    file::check_private(&path, "the token file")?;
    read_token_file(&path)?;
    Ok(path.display().to_string())
}

/// Changes the fields given on the command line; the rest of the profile stays.
fn set(global: &GlobalArgs, args: &ProfileSetArgs, path: &Path) -> anyhow::Result<ExitCode> {
    if global.token_file.is_some() && args.token_stdin {
        return Err(
            Error::usage("--token-file and --token-stdin are given together")
                .fix("give one: where the token is kept")
                .into(),
        );
    }
    let parse_url = |url: &Option<String>, flag: &str, var: &str| {
        url.as_deref()
            .map(|u| BaseUrl::parse(u, flag, var, global.allow_insecure_http))
            .transpose()
    };
    let api = parse_url(&global.api_url, "--api-url", "GREEN_API_URL")?;
    let webhook = parse_url(
        &global.webhook_url,
        "--webhook-url",
        "GREEN_API_WEBHOOK_URL",
    )?;
    let instance = global
        .instance
        .as_deref()
        .map(|i| {
            parse_positive(i).map_err(|why| {
                Error::usage("-i/--instance is not a valid instance id")
                    .why(why)
                    .fix("give the idInstance from the console, a positive number")
            })
        })
        .transpose()?;
    if api.is_none()
        && webhook.is_none()
        && instance.is_none()
        && global.token_file.is_none()
        && !args.token_stdin
    {
        return Err(Error::usage("nothing to change")
            .fix(format!(
                "give what changes, e.g. greenq profile set {} --webhook-url URL (or --api-url, -i, --token-file, --token-stdin)",
                args.name
            ))
            .into());
    }
    let Some(mut doc) = file::read(path)? else {
        return Err(no_profile(
            &args.name,
            format!("there is no config file at {}", path.display()),
        )
        .into());
    };
    let token_file = global
        .token_file
        .as_deref()
        .map(checked_token_file)
        .transpose()?;
    let token = if args.token_stdin {
        Some(token_from_stdin()?)
    } else {
        None
    };
    let changes = Changes {
        api_url: api.as_ref().map(BaseUrl::as_str),
        webhook_url: webhook.as_ref().map(BaseUrl::as_str),
        instance,
        token_file: token_file.as_deref(),
        token: token.as_deref(),
    };
    if !profile_edit::set(&mut doc, &args.name, &changes)? {
        return Err(no_profile(&args.name, format!("in {}", path.display()))
            .fix(format!(
                "`greenq profile list` shows them; `greenq profile add {}` adds it",
                args.name
            ))
            .into());
    }
    file::write(path, &doc)?;
    let changed: Vec<&str> = [
        (api.is_some(), "api_url"),
        (webhook.is_some(), "webhook_url"),
        (instance.is_some(), "instance"),
        (token_file.is_some(), "token_file"),
        (token.is_some(), "token"),
    ]
    .iter()
    .filter_map(|(given, key)| given.then_some(*key))
    .collect();
    println_or_fail(&format!(
        "changed {} of profile {} in {}",
        changed.join(", "),
        args.name,
        path.display()
    ))?;
    Ok(ExitCode::Success)
}

fn no_profile(name: &str, why: String) -> Error {
    Error::new(ExitCode::NothingThere, format!("no profile named {name}")).why(why)
}

/// `--api-url` (required), `--webhook-url`, `-i` (required), checked as a command would.
fn checked_fields(global: &GlobalArgs) -> Result<(BaseUrl, Option<BaseUrl>, u64)> {
    let (api, webhook) = profile_urls(global, || {
        Error::usage("profile add needs --api-url")
            .fix("give the API host the console shows for the instance, e.g. --api-url https://7103.api.greenapi.com")
    })?;
    let instance = global.instance.as_deref().ok_or_else(|| {
        Error::usage("profile add needs -i/--instance")
            .fix("give the idInstance from the console, e.g. -i 1101000001")
    })?;
    let instance = parse_positive(instance).map_err(|why| {
        Error::usage("-i/--instance is not a valid instance id")
            .why(why)
            .fix("give the idInstance from the console, a positive number")
    })?;
    Ok((api, webhook, instance))
}

fn remove(name: &str, path: &Path) -> anyhow::Result<ExitCode> {
    let Some(mut doc) = file::read(path)? else {
        return Err(
            Error::new(ExitCode::NothingThere, format!("no profile named {name}"))
                .why(format!("there is no config file at {}", path.display()))
                .into(),
        );
    };
    if !profile_edit::remove(&mut doc, name)? {
        return Err(
            Error::new(ExitCode::NothingThere, format!("no profile named {name}"))
                .why(format!("in {}", path.display()))
                .fix("`greenq profile list` shows them")
                .into(),
        );
    }
    file::write(path, &doc)?;
    println_or_fail(&format!("removed profile {name} from {}", path.display()))?;
    Ok(ExitCode::Success)
}

fn println_or_fail(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(Error::output)
}
