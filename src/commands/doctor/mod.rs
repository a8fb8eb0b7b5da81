//! `greenq doctor`: why does the queue stay empty? Checks configuration, the API host,
//! credentials, the instance's state and settings, and the webhook endpoint, in that order.
//! It only reads (getStateInstance, getSettings): setSettings restarts a live instance.

mod checks;
mod depth;

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use crate::cli::{DoctorArgs, DoctorFormat, GlobalArgs};
use crate::commands::failure::api_failure;
use crate::config::Config;
use crate::exit::{Error, ExitCode};
use crate::service::agent::CONNECT_TIMEOUT;
use crate::service::answer::ApiError;
use crate::service::session::Session;
use crate::terminal::tty;
use checks::{Check, Outcome, host_port, ms, proxy_in_use, reach, report_json, unreachable};

pub fn run(global: &GlobalArgs, args: &DoctorArgs) -> anyhow::Result<ExitCode> {
    let mut checks = Vec::new();
    let code = diagnose(global, &mut checks);
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        DoctorFormat::Json => writeln!(out, "{}", report_json(&checks, code.code())),
        DoctorFormat::Text => {
            let is_terminal = tty::stdout_is_terminal();
            let color = tty::use_color(global.color, is_terminal);
            checks
                .iter()
                .try_for_each(|c| c.write_line(&mut out, is_terminal, color))
        }
    };
    written.and_then(|()| out.flush()).map_err(Error::output)?;
    Ok(code)
}

/// Runs the checks in order, pushing each; the exit code.
fn diagnose(global: &GlobalArgs, checks: &mut Vec<Check>) -> ExitCode {
    let later = [
        "API host",
        "credentials",
        "instance state",
        "webhookUrl",
        "notification kinds",
        depth::NAME,
        "webhook endpoint",
    ];
    let skip_from = |checks: &mut Vec<Check>, from: usize, why: &str| {
        checks.extend(later[from..].iter().map(|name| Check::skip(name, why)));
    };
    let (config, check) = configuration(global);
    let failed = check.outcome == Outcome::Fail;
    checks.push(check);
    let Some(config) = config.filter(|_| !failed) else {
        skip_from(checks, 0, "the configuration is incomplete");
        return ExitCode::Failure;
    };
    let Ok(credentials) = config.require_credentials() else {
        skip_from(checks, 0, "the configuration is incomplete");
        return ExitCode::Failure;
    };
    let instance = credentials.instance;
    let session = Session::new(&config, Some(credentials));
    let client = &session.client;

    // The host: name and connection apart, then TLS and a request through the client.
    let (host, port, tls) = host_port(&config.api_url);
    let proxy = proxy_in_use();
    let reached = match reach(&host, port, CONNECT_TIMEOUT) {
        Ok(reached) => Some(reached),
        // Through a proxy the direct way may well be closed: the request below decides.
        Err(_) if proxy => None,
        Err(e) => {
            checks.push(unreachable("API host", &host, port, e, "--api-url"));
            skip_from(checks, 1, "the API host is unreachable");
            return ExitCode::Failure;
        }
    };
    let started = Instant::now();
    let state = client.get_state_instance();
    let first = started.elapsed();
    // Ctrl-C: the checks done so far are printed, the rest is not run.
    if session.interrupt.is_set() {
        return ExitCode::Interrupted;
    }
    if let Err(e) = &state
        && !answered(e)
    {
        checks.push(Check::fail(
            "API host",
            format!("{host}:{port}: the request failed: {}", reason(e)),
            "check --api-url (the console shows the instance's host), proxies and the system's CA certificates",
        ));
        skip_from(checks, 1, "the API host gave no answer");
        return ExitCode::Failure;
    }
    let started = Instant::now();
    let settings = match &state {
        Err(e) if !is_starting(e) => None,
        _ => Some(client.get_settings()),
    };
    let round_trip = settings.as_ref().map(|_| started.elapsed());
    if session.interrupt.is_set() {
        return ExitCode::Interrupted;
    }
    checks.push(host_check(
        &host,
        port,
        tls,
        reached.as_ref(),
        first,
        round_trip,
    ));

    // Credentials and state, from the one getStateInstance.
    let state = match state {
        Ok(state) => {
            checks.push(Check::pass(
                "credentials",
                format!("instance {instance}: the token is accepted"),
            ));
            state
        }
        Err(e) if is_starting(&e) => {
            checks.push(
                Check::new(
                    "credentials",
                    Outcome::Warn,
                    "not confirmed: getStateInstance answered that the instance is starting",
                )
                .fix("run greenq doctor again once it has started"),
            );
            "starting".to_string()
        }
        Err(e @ ApiError::Credentials { .. }) => {
            let error = api_failure(e, "getStateInstance", Some(instance));
            // "rejected (HTTP 401: ...)", not "rejected; credentials rejected (...)".
            let found = match error.why_text() {
                Some(why) => format!("rejected ({why})"),
                None => "rejected".to_string(),
            };
            let fix = error
                .fix_text()
                .unwrap_or("check the instance id and the token");
            checks.push(Check::fail("credentials", found, fix));
            skip_from(checks, 2, "the credentials were rejected");
            return ExitCode::Credentials;
        }
        Err(e) => {
            checks.push(Check::fail(
                "credentials",
                format!("getStateInstance failed: {}", reason(&e)),
                "run greenq doctor -v to see the exchange",
            ));
            skip_from(checks, 2, "getStateInstance failed");
            return ExitCode::Failure;
        }
    };
    checks.push(state_check(&state));

    let mut webhook_set = None;
    match settings {
        Some(Ok(settings)) => {
            webhook_set = Some(
                settings
                    .get("webhookUrl")
                    .and_then(Value::as_str)
                    .is_some_and(|url| !url.is_empty()),
            );
            let secret = config.token.as_ref();
            checks.push(webhook_url_check(&settings, |t| {
                secret.map_or_else(|| t.to_string(), |s| s.redact(t))
            }));
            checks.push(kinds_check(&settings));
        }
        Some(Err(e)) => {
            checks.push(Check::fail(
                "webhookUrl",
                format!("getSettings failed: {}", reason(&e)),
                "run greenq doctor -v to see the exchange; the console shows the settings too",
            ));
            checks.push(Check::skip("notification kinds", "getSettings failed"));
        }
        None => {
            checks.push(Check::skip("webhookUrl", "getStateInstance failed"));
            checks.push(Check::skip("notification kinds", "getStateInstance failed"));
        }
    }
    checks.push(if state == "starting" {
        Check::skip(depth::NAME, "the instance is starting")
    } else {
        depth::depth_check(client, webhook_set)
    });

    let (host, port, _) = host_port(&config.webhook_url);
    checks.push(match reach(&host, port, CONNECT_TIMEOUT) {
        Ok(r) => Check::pass(
            "webhook endpoint",
            format!(
                "{host}:{port} is reachable ({}, resolved in {} ms, TCP connect {} ms; nothing posted)",
                r.addr.ip(),
                ms(r.resolve),
                ms(r.connect)
            ),
        )
        .data(json!({"address": r.addr.to_string(), "resolve_ms": ms(r.resolve), "connect_ms": ms(r.connect)})),
        Err(e) if proxy => Check::new(
            "webhook endpoint",
            Outcome::Warn,
            format!(
                "{host}:{port} is not reachable directly ({}); publish goes through the proxy, which doctor does not test",
                unreachable("", &host, port, e, "").found
            ),
        ),
        Err(e) => unreachable("webhook endpoint", &host, port, e, "--webhook-url"),
    });

    if checks.iter().any(|c| c.outcome == Outcome::Fail) {
        ExitCode::Failure
    } else {
        ExitCode::Success
    }
}

/// Instance, token source (and the file's permissions), URLs; the config when it resolves.
fn configuration(global: &GlobalArgs) -> (Option<Config>, Check) {
    let config = match Config::resolve(global) {
        Ok(config) => config,
        Err(e) => {
            return (
                None,
                Check::fail(
                    "configuration",
                    e.to_string(),
                    "fix the configuration first",
                ),
            );
        }
    };
    let (source, loose) = token_source(global);
    let instance = config
        .instance
        .map_or_else(|| "no instance id".to_string(), |i| format!("instance {i}"));
    let found = format!(
        "{instance}, token {source}, API {}, webhook {}",
        config.api_url, config.webhook_url
    );
    let data = json!({
        "instance": config.instance,
        "token_source": source,
        "api_url": config.api_url.as_str(),
        "webhook_url": config.webhook_url.as_str(),
    });
    let check = if let Err(e) = config.require_credentials() {
        Check::fail("configuration", found, e.to_string())
    } else if loose {
        Check::new("configuration", Outcome::Warn, found)
            .fix("the token file is readable by group or others: chmod 600 it")
    } else {
        Check::pass("configuration", found)
    };
    (Some(config), check.data(data))
}

/// Where the token comes from, in the order `config` looks; and whether its file is
/// readable by others.
fn token_source(global: &GlobalArgs) -> (String, bool) {
    if let Some(path) = &global.token_file {
        let mode = file_mode(path);
        let loose = mode.is_some_and(|m| m & 0o044 != 0);
        let shown = mode.map_or_else(String::new, |m| format!(", mode {:o}", m & 0o777));
        return (format!("from the file {}{shown}", path.display()), loose);
    }
    let env = crate::config::env_var;
    let names = crate::config::profile_names(global, &env);
    if !names.is_empty()
        && let Ok(profiles) = crate::config::profiles::load(&env, &names)
        && let [profile] = profiles.as_slice()
        && profile.token != crate::config::profiles::TokenSource::None
    {
        let origin = profile.token_origin();
        return (format!("from profile {} ({origin})", profile.name), false);
    }
    for name in ["GREEN_API_TOKEN", "API_TOKEN_INSTANCE"] {
        if crate::config::env_var(name).is_some_and(|v| !v.is_empty()) {
            return (format!("from {name}"), false);
        }
    }
    ("not set".to_string(), false)
}

#[cfg(unix)]
fn file_mode(path: &std::path::Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode())
}

#[cfg(not(unix))]
fn file_mode(_path: &std::path::Path) -> Option<u32> {
    None
}

fn host_check(
    host: &str,
    port: u16,
    tls: bool,
    reached: Option<&crate::commands::doctor::checks::Reach>,
    first: Duration,
    round_trip: Option<Duration>,
) -> Check {
    let first_what = if tls {
        "TLS + first request"
    } else {
        "first request (plain http, no TLS)"
    };
    let mut found = match reached {
        Some(r) => format!(
            "{host}:{port} ({}): resolved in {} ms, TCP connect {} ms, ",
            r.addr.ip(),
            ms(r.resolve),
            ms(r.connect)
        ),
        None => format!("{host}:{port} through the proxy (not reachable directly): "),
    };
    found.push_str(&format!("{first_what} {} ms", ms(first)));
    if let Some(rt) = round_trip {
        found.push_str(&format!(", round trip {} ms", ms(rt)));
    }
    Check::pass("API host", found).data(json!({
        "address": reached.map(|r| r.addr.to_string()),
        "tls": tls,
        "resolve_ms": reached.map(|r| ms(r.resolve)),
        "connect_ms": reached.map(|r| ms(r.connect)),
        "first_request_ms": ms(first),
        "round_trip_ms": round_trip.map(ms),
    }))
}

/// The live service may answer 400 "starting" to any method while the instance starts.
fn is_starting(e: &ApiError) -> bool {
    matches!(e, ApiError::Transient { reason, .. } if reason.contains("starting"))
}

/// Whether the service answered at all (an HTTP status), as opposed to a failure on the way.
fn answered(e: &ApiError) -> bool {
    match e {
        ApiError::Credentials { .. }
        | ApiError::Quota { .. }
        | ApiError::Malformed { .. }
        | ApiError::Rejected { .. } => true,
        ApiError::Transient { reason, .. } | ApiError::Unexpected { reason } => {
            reason.starts_with("HTTP ")
        }
        ApiError::Exhausted { .. }
        | ApiError::Unreachable { .. }
        | ApiError::MayHaveArrived { .. }
        | ApiError::Interrupted => false,
    }
}

fn reason(e: &ApiError) -> String {
    match e {
        ApiError::Quota { detail } => format!("HTTP 466 (quota exceeded): {detail}"),
        other => other.to_string(),
    }
}

/// `authorized` passes; every other state fails with what it means and what to do.
fn state_check(state: &str) -> Check {
    let (meaning, fix) = match state {
        "authorized" => {
            return Check::pass("instance state", "authorized").data(json!({"state": state}));
        }
        "notAuthorized" => (
            "the phone is not linked to the instance",
            "link the phone again: scan the QR code in the GREEN-API console",
        ),
        "blocked" => (
            "the number is banned by WhatsApp",
            "nothing arrives for a banned number; contact GREEN-API support",
        ),
        "sleepMode" => (
            "the phone is off or offline",
            "turn the phone on and connect it; the instance wakes within 5 minutes",
        ),
        "starting" => (
            "the instance is starting or in maintenance; the queue's methods answer 400 meanwhile",
            "wait for start-up (up to 5 minutes), then run greenq doctor again",
        ),
        "yellowCard" => (
            "sending is suspended for spam-like activity",
            "stop mass sending; the console says when the suspension ends",
        ),
        _ => (
            "a state greenq does not know",
            "look at the instance in the GREEN-API console",
        ),
    };
    Check::fail("instance state", format!("{state} ({meaning})"), fix).data(json!({"state": state}))
}

fn webhook_url_check(settings: &Map<String, Value>, redact: impl Fn(&str) -> String) -> Check {
    let url = settings
        .get("webhookUrl")
        .and_then(Value::as_str)
        .unwrap_or("");
    if url.is_empty() {
        return Check::pass(
            "webhookUrl",
            "empty: notifications go to the HTTP API queue",
        )
        .data(json!({"webhookUrl": ""}));
    }
    let url = redact(url);
    Check::fail(
        "webhookUrl",
        format!(
            "set to {url}: the queue receives nothing while webhookUrl is set (the service pushes each notification there)"
        ),
        "clear webhookUrl in the console's instance settings (or POST {\"webhookUrl\": \"\"} to setSettings: that restarts the instance; it takes effect within minutes)",
    )
    .data(json!({"webhookUrl": url}))
}

/// Which notification kinds (the `...Webhook` switches) are on; a warning when incoming
/// messages are off.
fn kinds_check(settings: &Map<String, Value>) -> Check {
    let switch = |want: &str| -> Vec<String> {
        settings
            .iter()
            .filter(|(k, v)| k.ends_with("Webhook") && v.as_str() == Some(want))
            .map(|(k, _)| crate::text::escape_controls(k).into_owned())
            .collect()
    };
    let (on, off) = (switch("yes"), switch("no"));
    let list = |names: &[String]| {
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    let found = format!("on: {}; off: {}", list(&on), list(&off));
    let data = json!({"on": on, "off": off});
    if off.iter().any(|k| k == "incomingWebhook") {
        Check::new(
            "notification kinds",
            Outcome::Warn,
            format!("incomingWebhook is off, so incoming messages never reach the queue ({found})"),
        )
        .fix("switch incomingWebhook on in the console's instance settings")
        .data(data)
    } else {
        Check::pass("notification kinds", found).data(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect()
    }

    #[test]
    fn every_state_but_authorized_fails_with_advice() {
        assert_eq!(state_check("authorized").outcome, Outcome::Pass);
        for state in [
            "notAuthorized",
            "blocked",
            "sleepMode",
            "starting",
            "yellowCard",
            "odd",
        ] {
            let check = state_check(state);
            assert_eq!(check.outcome, Outcome::Fail, "{state}");
            assert!(check.found.starts_with(state) && check.fix.is_some());
        }
    }

    #[test]
    fn a_set_webhook_url_fails_and_incoming_off_warns() {
        let s = settings(&[("webhookUrl", "https://h/x"), ("incomingWebhook", "no")]);
        let check = webhook_url_check(&s, |t| t.to_string());
        assert_eq!(check.outcome, Outcome::Fail);
        assert!(check.found.contains("the queue receives nothing"));
        assert_eq!(kinds_check(&s).outcome, Outcome::Warn);
        let s = settings(&[
            ("webhookUrl", ""),
            ("incomingWebhook", "yes"),
            ("stateWebhook", "no"),
        ]);
        assert_eq!(
            webhook_url_check(&s, |t| t.to_string()).outcome,
            Outcome::Pass
        );
        let kinds = kinds_check(&s);
        assert_eq!(kinds.outcome, Outcome::Pass);
        assert_eq!(kinds.found, "on: incomingWebhook; off: stateWebhook");
    }
}
