//! Resolving flags, a profile, environment and the token file into a validated `Config`
//! (in that order of precedence). The token lives in a `Secret` (`secret`), whose Debug and
//! Display never show it.

pub mod file;
pub mod profile_edit;
pub mod profiles;
mod token;

pub use token::{parse_token, read_token_file};

use std::fmt;
use std::net::IpAddr;
use std::path::Path;

use crate::cli::{DEFAULT_API_URL, DEFAULT_WEBHOOK_URL, GlobalArgs};
use crate::config::profiles::Profile;
use crate::exit::{Error, Result};
use crate::secret::Secret;
use crate::terminal::tty::ColorChoice;
use crate::text::parse_positive;

/// A checked `http(s)://host[:port][/prefix]` with no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// `option` and `variable` name where the value came from, for the error message.
    pub fn parse(
        text: &str,
        option: &str,
        variable: &str,
        allow_insecure: bool,
    ) -> Result<BaseUrl> {
        let bad = |why: String| {
            Error::usage(format!("{option} is not a usable URL"))
                .why(why)
                .fix(format!("give an https:// URL with {option} or {variable}"))
        };
        let trimmed = text.trim().trim_end_matches('/');
        // `127.0.0.1:7700` or `7103.api.greenapi.com`: say the URL that was meant.
        if !trimmed.is_empty() && !trimmed.contains("://") {
            let authority = trimmed.split('/').next().unwrap_or(trimmed);
            let scheme = if is_loopback(host_part(authority)) {
                "http"
            } else {
                "https"
            };
            return Err(Error::usage(format!("{option} is not a usable URL"))
                .why(format!("{trimmed:?} has no http:// or https://"))
                .fix(format!(
                    "give it as {scheme}://{trimmed} with {option} or {variable}"
                )));
        }
        let uri: ureq::http::Uri = trimmed
            .parse()
            .map_err(|e| bad(format!("{trimmed:?}: {e}")))?;
        let scheme = uri.scheme_str().unwrap_or("");
        let Some(host) = uri.host().filter(|h| !h.is_empty()) else {
            return Err(bad(format!("{trimmed:?} has no host")));
        };
        if uri.query().is_some() || trimmed.contains('#') {
            return Err(bad(format!("{trimmed:?} has a query or fragment")));
        }
        if uri.path().contains("/waInstance") {
            // A whole request URL (with the token in it) pasted where the host belongs.
            return Err(Error::usage(format!("{option} is a request URL, not a host"))
                .why("it holds /waInstance...; greenq adds the instance and token itself")
                .fix(format!("give only the host with {option} or {variable}, e.g. https://7103.api.greenapi.com")));
        }
        if trimmed.contains('@') {
            return Err(bad(format!("{trimmed:?} holds user information")));
        }
        match scheme {
            "https" => {}
            "http" if allow_insecure || is_loopback(host) => {}
            "http" => {
                return Err(
                    Error::usage(format!("{option} uses plain http:// to {host}"))
                        .why("the token would cross the network in clear")
                        .fix("use https://, or pass --allow-insecure-http if you really mean it"),
                );
            }
            _ => return Err(bad(format!("{trimmed:?} is not http:// or https://"))),
        }
        Ok(BaseUrl(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The host of `host[:port]` (`[::1]:7700` -> `[::1]`); a bare IPv6 address as it is.
pub fn host_part(authority: &str) -> &str {
    if authority.parse::<IpAddr>().is_ok() {
        return authority;
    }
    if authority.starts_with('[') {
        return authority.split_inclusive(']').next().unwrap_or(authority);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// `localhost` or a loopback address, bracketed or not.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Instance id and token: what receive, delete and tail need.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub instance: u64,
    pub token: Secret,
}

/// Everything resolved and checked, before any request is made.
#[derive(Clone, Debug)]
pub struct Config {
    pub api_url: BaseUrl,
    pub webhook_url: BaseUrl,
    pub instance: Option<u64>,
    pub token: Option<Secret>,
    pub color: ColorChoice,
    pub verbose: bool,
    pub quiet: bool,
}

/// The process's environment, as the resolvers here read it (`resolve_with` and the
/// others take a lookup, so that tests hand in their own): commands pass this one rather
/// than reading the environment themselves.
pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl Config {
    pub fn resolve(args: &GlobalArgs) -> anyhow::Result<Config> {
        Self::resolve_with(args, &env_var)
    }

    /// `env` looks up a variable; tests hand in their own. One profile at most
    /// (`--profile` or `GREENQ_PROFILE`); only `tail` follows several.
    pub fn resolve_with(
        args: &GlobalArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Config> {
        let names = profile_names(args, env);
        if names.len() > 1 {
            return Err(
                Error::usage(format!("--profile is given {} times", names.len()))
                    .why("only `greenq tail` follows several instances")
                    .fix("give one --profile")
                    .into(),
            );
        }
        let profile = match names.is_empty() {
            true => None,
            false => profiles::load(env, &names)?.pop(),
        };
        Self::resolve_profile(args, env, profile.as_ref())
    }

    /// Flags beat the profile, the profile beats the environment, which beats the defaults.
    pub fn resolve_profile(
        args: &GlobalArgs,
        env: &dyn Fn(&str) -> Option<String>,
        profile: Option<&Profile>,
    ) -> anyhow::Result<Config> {
        let token = match (&args.token_file, profile) {
            (Some(path), _) => Some(read_token_file(path)?),
            (None, Some(p)) if p.token != profiles::TokenSource::None => p.read_token()?,
            (None, _) => resolve_token(None, env)?,
        };
        Self::resolve_profile_token(args, env, profile, token)
    }

    /// The same with the token read already (`profiles::read_tokens` reads many at once).
    pub fn resolve_profile_token(
        args: &GlobalArgs,
        env: &dyn Fn(&str) -> Option<String>,
        profile: Option<&Profile>,
        token: Option<Secret>,
    ) -> anyhow::Result<Config> {
        let in_profile = |key: &str| match profile {
            Some(p) => format!("{key} of profile {} in {}", p.name, p.file.display()),
            None => String::new(),
        };
        // A URL pasted whole from a request would carry the token: redact before echoing it.
        let url = |flag: &Option<String>,
                   from_profile: Option<&String>,
                   option: &str,
                   key: &str,
                   variable: &str,
                   default: &str| {
            // An empty value (`GREEN_API_URL=`) means the default, as if it were unset.
            let given = |v: &&String| !v.trim().is_empty();
            let (text, option) = match (flag.as_ref().filter(given), from_profile.filter(given)) {
                (Some(v), _) => (v.clone(), option.to_string()),
                (None, Some(v)) => (v.clone(), in_profile(key)),
                (None, None) => match env(variable).filter(|v| !v.trim().is_empty()) {
                    Some(v) => (v, option.to_string()),
                    None => (default.to_string(), option.to_string()),
                },
            };
            BaseUrl::parse(&text, &option, variable, args.allow_insecure_http).map_err(|e| {
                match &token {
                    Some(secret) => e.redacted(secret),
                    None => e,
                }
            })
        };
        let instance = match (&args.instance, profile.and_then(|p| p.instance)) {
            (None, Some(id)) => Some(id),
            (flag, _) => resolve_instance(flag.as_deref(), env)?,
        };
        Ok(Config {
            api_url: url(
                &args.api_url,
                profile.and_then(|p| p.api_url.as_ref()),
                "--api-url",
                "api_url",
                "GREEN_API_URL",
                DEFAULT_API_URL,
            )?,
            webhook_url: url(
                &args.webhook_url,
                profile.and_then(|p| p.webhook_url.as_ref()),
                "--webhook-url",
                "webhook_url",
                "GREEN_API_WEBHOOK_URL",
                DEFAULT_WEBHOOK_URL,
            )?,
            instance,
            token,
            color: args.color,
            verbose: args.verbose,
            quiet: args.quiet,
        })
    }

    /// The instance id, or a usage error that says how to give one.
    pub fn require_instance(&self) -> Result<u64> {
        self.instance.ok_or_else(|| {
            Error::usage("no instance id")
                .why("neither -i/--instance nor GREEN_API_INSTANCE_ID (or ID_INSTANCE) is set")
                .fix("pass -i ID or export GREEN_API_INSTANCE_ID=ID (the idInstance from the console)")
        })
    }

    pub fn require_credentials(&self) -> Result<Credentials> {
        let instance = self.require_instance()?;
        let token = self.token.clone().ok_or_else(|| {
            Error::usage("no token")
                .why("neither --token-file nor GREEN_API_TOKEN (or API_TOKEN_INSTANCE) is set")
                .fix("export GREEN_API_TOKEN=... or pass --token-file PATH (the apiTokenInstance from the console)")
        })?;
        Ok(Credentials { instance, token })
    }
}

fn resolve_instance(
    flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<u64>> {
    let (text, origin) = match flag {
        Some(v) => (v.to_string(), "-i/--instance"),
        None => match env("GREEN_API_INSTANCE_ID").filter(|v| !v.is_empty()) {
            Some(v) => (v, "GREEN_API_INSTANCE_ID"),
            None => match env("ID_INSTANCE").filter(|v| !v.is_empty()) {
                Some(v) => (v, "ID_INSTANCE"),
                None => return Ok(None),
            },
        },
    };
    parse_positive(&text).map(Some).map_err(|why| {
        Error::usage(format!("{origin} is not a valid instance id"))
            .why(why)
            .fix(
                "give the idInstance from the GREEN-API console, a positive number like 1101000001",
            )
    })
}

fn resolve_token(
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<Secret>> {
    if let Some(path) = file {
        return read_token_file(path).map(Some);
    }
    for name in ["GREEN_API_TOKEN", "API_TOKEN_INSTANCE"] {
        if let Some(value) = env(name).filter(|v| !v.is_empty()) {
            return Ok(Some(parse_token(&value, name)?));
        }
    }
    Ok(None)
}

/// The profiles asked for: every `--profile`, else `GREENQ_PROFILE`.
pub fn profile_names(args: &GlobalArgs, env: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    if !args.profile.is_empty() {
        return args.profile.clone();
    }
    env("GREENQ_PROFILE")
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;
    use std::collections::HashMap;

    fn resolve(argv: &[&str], vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let mut full = vec!["greenq"];
        full.extend_from_slice(argv);
        full.push("receive");
        let cli = Cli::try_parse_from(full).expect("parses");
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::resolve_with(&cli.global, &|name| vars.get(name).cloned())
    }

    #[test]
    fn malformed_token_is_a_usage_error_naming_its_origin_not_its_text() {
        let e = parse_token("abc/def", "GREEN_API_TOKEN").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the token from GREEN_API_TOKEN is malformed (it holds '/'; a token is letters, \
             digits, - _ . ~); copy the apiTokenInstance again from the GREEN-API console"
        );
        assert_eq!(e.code.code(), 2);
        let e = parse_token("  ", "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the token from x is empty; put the apiTokenInstance from the GREEN-API console there"
        );
        let e = resolve(&[], &[("GREEN_API_TOKEN", "sec ret")]).unwrap_err();
        assert_eq!(crate::exit::code_of(&e), crate::exit::ExitCode::Usage);
        let shown = crate::exit::render(&e).unwrap();
        assert!(
            shown.starts_with("the token from GREEN_API_TOKEN is malformed (it holds white space"),
            "{shown}"
        );
        assert!(!shown.contains("sec"), "{shown}");
    }

    #[test]
    fn an_unreadable_token_file_is_a_usage_error_with_its_cause() {
        let e = resolve(&["--token-file", "/nonexistent/token"], &[]).unwrap_err();
        assert_eq!(crate::exit::code_of(&e), crate::exit::ExitCode::Usage);
        let shown = crate::exit::render(&e).unwrap();
        assert!(
            shown.starts_with("cannot read the token file /nonexistent/token (No such file"),
            "{shown}"
        );
        assert!(
            shown.ends_with(
                "; check --token-file; the file's first line must be the apiTokenInstance"
            ),
            "{shown}"
        );
    }

    #[test]
    fn instance_falls_back_to_id_instance() {
        let c = resolve(&[], &[("ID_INSTANCE", "42")]).unwrap();
        assert_eq!(c.instance, Some(42));
        let c = resolve(
            &[],
            &[("ID_INSTANCE", "42"), ("GREEN_API_INSTANCE_ID", "7")],
        )
        .unwrap();
        assert_eq!(c.instance, Some(7));
        let c = resolve(&["-i", "9"], &[("GREEN_API_INSTANCE_ID", "7")]).unwrap();
        assert_eq!(c.instance, Some(9));
    }

    #[test]
    fn bad_instance_names_its_origin() {
        let e = resolve(&[], &[("GREEN_API_INSTANCE_ID", "abc")]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("GREEN_API_INSTANCE_ID is not a valid instance id"),
            "{e}"
        );
        let e = resolve(&["-i", "0"], &[]).unwrap_err();
        assert!(e.to_string().contains("-i/--instance"), "{e}");
    }

    #[test]
    fn token_falls_back_to_api_token_instance() {
        let c = resolve(&[], &[("API_TOKEN_INSTANCE", "tok")]).unwrap();
        assert_eq!(c.token.unwrap().expose(), "tok");
        let c = resolve(
            &[],
            &[("API_TOKEN_INSTANCE", "a"), ("GREEN_API_TOKEN", "b")],
        )
        .unwrap();
        assert_eq!(c.token.unwrap().expose(), "b");
    }

    #[test]
    fn missing_credentials_are_usage_errors_naming_option_and_variable() {
        let c = resolve(&[], &[]).unwrap();
        let e = c.require_credentials().unwrap_err();
        assert_eq!(e.code.code(), 2);
        assert!(e.to_string().contains("GREEN_API_INSTANCE_ID"), "{e}");
        let c = resolve(&["-i", "1"], &[]).unwrap();
        let e = c.require_credentials().unwrap_err();
        assert!(
            e.to_string().contains("GREEN_API_TOKEN") && e.to_string().contains("--token-file")
        );
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        for ok in [
            "http://127.0.0.1:7700",
            "http://localhost:1",
            "http://[::1]:8080",
            "https://api.green-api.com/",
        ] {
            assert!(
                BaseUrl::parse(ok, "--api-url", "GREEN_API_URL", false).is_ok(),
                "{ok}"
            );
        }
        let e =
            BaseUrl::parse("http://example.com", "--api-url", "GREEN_API_URL", false).unwrap_err();
        assert!(e.to_string().contains("--allow-insecure-http"), "{e}");
        assert!(BaseUrl::parse("http://example.com", "--api-url", "GREEN_API_URL", true).is_ok());
    }

    #[test]
    fn an_empty_url_variable_means_the_default() {
        let cli = Cli::try_parse_from(["greenq", "--api-url", " ", "receive"]).unwrap();
        let c = Config::resolve_with(&cli.global, &|_| None).unwrap();
        assert_eq!(c.api_url.as_str(), DEFAULT_API_URL);
    }

    #[test]
    fn malformed_urls_are_usage_errors() {
        for bad in [
            "",
            "api.green-api.com",
            "ftp://x",
            "https://",
            "https://h/?a=1",
            "https://u:p@h",
        ] {
            let e = BaseUrl::parse(bad, "--api-url", "GREEN_API_URL", false).unwrap_err();
            assert_eq!(e.code.code(), 2, "{bad}");
            assert!(e.to_string().contains("--api-url"), "{e}");
        }
        assert_eq!(
            BaseUrl::parse("https://h.example/prefix/", "--api-url", "X", false)
                .unwrap()
                .as_str(),
            "https://h.example/prefix"
        );
    }

    #[test]
    fn flags_beat_the_profile_which_beats_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[profiles.p]\napi_url = \"https://p.example\"\ninstance = 5\n",
        )
        .unwrap();
        let config = path.to_str().unwrap();
        let env = [
            ("GREENQ_CONFIG", config),
            ("GREEN_API_URL", "https://env.example"),
            ("GREEN_API_INSTANCE_ID", "6"),
            ("GREEN_API_WEBHOOK_URL", "https://hook.example"),
        ];
        let c = resolve(&["--profile", "p"], &env).unwrap();
        assert_eq!(c.api_url.as_str(), "https://p.example");
        assert_eq!(c.instance, Some(5));
        assert_eq!(c.webhook_url.as_str(), "https://hook.example");
        let c = resolve(
            &[
                "--profile",
                "p",
                "--api-url",
                "https://flag.example",
                "-i",
                "7",
            ],
            &env,
        )
        .unwrap();
        assert_eq!(
            (c.api_url.as_str(), c.instance),
            ("https://flag.example", Some(7))
        );
        let mut with_var = env.to_vec();
        with_var.push(("GREENQ_PROFILE", "p"));
        assert_eq!(resolve(&[], &with_var).unwrap().instance, Some(5));
        assert_eq!(resolve(&[], &env).unwrap().instance, Some(6));
        let e = resolve(&["--profile", "nope"], &env).unwrap_err();
        assert!(e.to_string().starts_with("no profile named nope"), "{e}");
        let e = resolve(&["--profile", "p", "--profile", "p"], &env).unwrap_err();
        assert_eq!(crate::exit::code_of(&e), crate::exit::ExitCode::Usage);
    }
}
