//! `tail --forward-to URL`: each body is POSTed, byte for byte, to a local webhook
//! handler, on an agent of its own (the GREEN-API token never leaves for the hook).
//! Any 2xx is done; any other answer, or none within the timeout, is a failed attempt;
//! a hook that cannot be reached at all is not an attempt. Redirects are not followed.

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use ureq::http::header::{AUTHORIZATION, CONTENT_TYPE};
use ureq::http::{HeaderName, HeaderValue, Uri};
use ureq::unversioned::transport::DefaultConnector;

use crate::config::is_loopback;
use crate::consumer::handler::{Handler, Outcome};
use crate::exit::{Error, Result, is_broken_pipe};
use crate::notification::Envelope;
use crate::secret::Secret;
use crate::service::agent::CONNECT_TIMEOUT;
use crate::service::transport::CachingResolver;
use crate::state::turn::Turn;
use crate::terminal::status::Status;
use crate::text::snippet;

/// A pooled connection idle longer than this is not reused: hooks close idle
/// connections after a few seconds, and a POST on a closed one may or may not have arrived.
const MAX_IDLE: Duration = Duration::from_secs(4);
const MAX_ANSWER: u64 = 1024 * 1024;
/// Header names greenq sets itself.
const RESERVED: [&str; 6] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "x-greenq-receipt-id",
    "x-greenq-attempt",
];

/// The Bearer token for the hook. Never shown: not by Debug, not in any message.
#[derive(Clone)]
pub struct ForwardToken(String);

impl std::fmt::Debug for ForwardToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ForwardToken(***)")
    }
}

impl ForwardToken {
    /// From `--forward-token-file` (its first line), else `GREENQ_FORWARD_TOKEN`.
    pub fn resolve(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<ForwardToken>> {
        let (text, origin) = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Error::usage(format!(
                        "cannot read the forward token file {}",
                        path.display()
                    ))
                    .why(e.to_string())
                    .fix("check --forward-token-file; its first line must be the token")
                })?;
                let first = text.lines().next().unwrap_or("").to_string();
                (first, format!("the first line of {}", path.display()))
            }
            None => match env("GREENQ_FORWARD_TOKEN").filter(|v| !v.is_empty()) {
                Some(v) => (v, "GREENQ_FORWARD_TOKEN".to_string()),
                None => return Ok(None),
            },
        };
        let token = text.trim();
        if token.is_empty() {
            return Err(
                Error::usage(format!("the forward token from {origin} is empty"))
                    .fix("put the token your hook expects there, or leave it unset"),
            );
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::usage(format!(
                "the forward token from {origin} is malformed"
            ))
            .why("it holds a character that cannot stand in an HTTP header (white space, a control or non-ASCII character)")
            .fix("use the token your hook expects, in printable ASCII"));
        }
        Ok(Some(ForwardToken(token.to_string())))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    fn redact(&self, text: &str) -> String {
        text.replace(&self.0, "***")
    }
}

/// `-H 'Name: value'`, checked.
pub fn parse_header(text: &str) -> Result<(HeaderName, HeaderValue)> {
    let bad = |why: &str| {
        Error::usage(format!(
            "-H/--header {:?} is not a usable header",
            crate::text::truncate(text, 60)
        ))
        .why(why.to_string())
        .fix("write it as 'Name: value', e.g. -H 'X-Bot: support'")
    };
    let Some((name, value)) = text.split_once(':') else {
        return Err(bad("it has no `:` between name and value"));
    };
    let name = HeaderName::try_from(name.trim())
        .map_err(|_| bad("the name is not a valid header name"))?;
    if RESERVED.contains(&name.as_str()) {
        return Err(bad("greenq sets this header itself"));
    }
    let value = HeaderValue::try_from(value.trim())
        .map_err(|_| bad("the value holds a character a header cannot carry"))?;
    Ok((name, value))
}

/// The hook's URL: http(s) with a host, no user information (use the forward token);
/// plain http to a host other than loopback only with --allow-insecure-http.
pub fn parse_url(text: &str, allow_insecure: bool) -> Result<Uri> {
    let bad = |why: String| {
        Error::usage("--forward-to is not a usable URL")
            .why(why)
            .fix("give the hook's http(s) URL, e.g. --forward-to http://127.0.0.1:8080/webhook")
    };
    let uri: Uri = text.trim().parse().map_err(|e| bad(format!("{e}")))?;
    let Some(host) = uri.host().filter(|h| !h.is_empty()) else {
        return Err(bad("it has no host".into()));
    };
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(Error::usage("--forward-to holds user information")
            .why("a password in a URL shows in process lists and logs")
            .fix("put the hook's token in GREENQ_FORWARD_TOKEN or --forward-token-file; it is sent as Authorization: Bearer"));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if allow_insecure || is_loopback(host) => {}
        Some("http") => {
            return Err(
                Error::usage(format!("--forward-to uses plain http:// to {host}"))
                    .why("the notifications (private messages) would cross the network in clear")
                    .fix("use https://, or pass --allow-insecure-http if you really mean it"),
            );
        }
        _ => return Err(bad("it is not http:// or https://".into())),
    }
    Ok(uri)
}

/// The URL as messages show it: no query (it may hold a key).
fn shown(uri: &Uri) -> String {
    format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or("http"),
        uri.authority().map_or("", |a| a.as_str()),
        uri.path()
    )
}

pub struct Forward {
    agent: ureq::Agent,
    /// The agent's resolver: its answer is dropped when a request fails.
    resolver: CachingResolver,
    url: Uri,
    shown: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    authorization: Option<HeaderValue>,
    token: Option<ForwardToken>,
    /// The GREEN-API token, taken out of anything quoted from the hook.
    secret: Option<Secret>,
    timeout: Duration,
    json: bool,
    turn: Option<Arc<dyn Turn>>,
    status: Arc<Status>,
    tz: Option<jiff::tz::TimeZone>,
    closed: bool,
}

/// One delivery line in NDJSON.
#[derive(Serialize)]
struct Line<'a> {
    time: String,
    #[serde(rename = "typeWebhook")]
    type_webhook: Option<&'a str>,
    #[serde(rename = "receiptId")]
    receipt_id: u64,
    attempt: u32,
    status: Option<u16>,
    ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

pub struct ForwardOptions {
    pub url: Uri,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub token: Option<ForwardToken>,
    pub timeout: Duration,
    /// NDJSON delivery lines on stdout, else one human line each.
    pub json: bool,
    /// `--coordinate`: the queue's lease, whose epoch each post carries.
    pub turn: Option<Arc<dyn Turn>>,
}

impl Forward {
    pub fn new(
        options: ForwardOptions,
        secret: Option<Secret>,
        status: Arc<Status>,
    ) -> Result<Forward> {
        let authorization = match &options.token {
            Some(token) => {
                if options.headers.iter().any(|(n, _)| *n == AUTHORIZATION) {
                    return Err(Error::usage("two Authorization headers for the hook")
                        .why("a forward token is set (GREENQ_FORWARD_TOKEN or --forward-token-file) and -H gives Authorization too")
                        .fix("drop the -H 'Authorization: ...', or unset the forward token"));
                }
                let mut value = HeaderValue::try_from(format!("Bearer {}", token.expose()))
                    .map_err(|_| {
                        Error::usage("the forward token cannot stand in an HTTP header")
                    })?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        // A hook on this machine is never reached through a proxy from the environment.
        let local = options.url.host().is_some_and(is_loopback);
        let resolver = CachingResolver::default();
        let agent = {
            use ureq::tls::{RootCerts, TlsConfig};
            let builder = ureq::Agent::config_builder();
            let builder = if local { builder.proxy(None) } else { builder };
            let config = builder
                .http_status_as_error(false)
                .max_redirects(0)
                .user_agent(concat!("greenq/", env!("CARGO_PKG_VERSION")))
                .timeout_connect(Some(CONNECT_TIMEOUT))
                .timeout_global(Some(options.timeout))
                .max_idle_age(MAX_IDLE)
                .tls_config(
                    TlsConfig::builder()
                        .root_certs(RootCerts::PlatformVerifier)
                        .build(),
                )
                .build();
            // ureq resolves the hook's host before every request (in a thread of its own):
            // once a minute is enough.
            ureq::Agent::with_parts(config, DefaultConnector::default(), resolver.clone())
        };
        Ok(Forward {
            agent,
            resolver,
            shown: shown(&options.url),
            url: options.url,
            headers: options.headers,
            authorization,
            token: options.token,
            secret,
            timeout: options.timeout,
            json: options.json,
            turn: options.turn,
            status,
            tz: None,
            closed: false,
        })
    }

    fn clean(&self, text: String) -> String {
        let text = match &self.secret {
            Some(s) => s.redact(&text),
            None => text,
        };
        match &self.token {
            Some(t) => t.redact(&text),
            None => text,
        }
    }

    /// The hook's status and (the start of) its answer.
    fn post(
        &self,
        envelope: &Envelope,
        attempt: u32,
    ) -> std::result::Result<(u16, Vec<u8>), ureq::Error> {
        let mut request = ureq::http::Request::post(self.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header("x-greenq-receipt-id", envelope.receipt_id.to_string())
            .header("x-greenq-attempt", attempt.to_string());
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if let Some(auth) = &self.authorization {
            request = request.header(AUTHORIZATION, auth);
        }
        if let Some(epoch) = self.turn.as_ref().and_then(|t| t.epoch()) {
            request = request.header("x-greenq-lease-epoch", epoch.to_string());
        }
        let mut response = self.agent.run(request.body(envelope.body.get())?)?;
        let status = response.status().as_u16();
        // Read whole, so that the connection can be used again.
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_vec()
            .unwrap_or_default();
        Ok((status, body))
    }

    /// What a transport error means for the notification.
    fn outcome_of_error(&self, e: ureq::Error) -> Outcome {
        use ureq::Error as E;
        // The hook may have moved (a container restarted elsewhere): ask again next time.
        self.resolver.forget();
        use ureq::Timeout;
        let text = self.clean(e.to_string());
        let unreachable = |why: String| Outcome::Unreachable(format!("{}: {why}", self.shown));
        match e {
            E::HostNotFound => unreachable("name not found".into()),
            E::ConnectionFailed => unreachable("connection failed".into()),
            E::Timeout(Timeout::Connect) | E::Timeout(Timeout::Resolve) => unreachable(format!(
                "no connection within {} s",
                CONNECT_TIMEOUT.as_secs()
            )),
            // Nothing listens there: most often the handler is not started yet.
            E::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused => {
                unreachable("connection refused; is your handler listening there?".into())
            }
            E::Io(io)
                if matches!(
                    io.kind(),
                    io::ErrorKind::HostUnreachable
                        | io::ErrorKind::NetworkUnreachable
                        | io::ErrorKind::NetworkDown
                        | io::ErrorKind::AddrNotAvailable
                ) =>
            {
                unreachable(text)
            }
            // A certificate problem is the setup's fault, not the notification's.
            E::Tls(_) | E::Rustls(_) | E::Pem(_) => unreachable(format!("TLS failed: {text}")),
            E::Timeout(_) => Outcome::Failed(format!(
                "the hook did not answer within {} s (--handler-timeout)",
                self.timeout.as_secs_f64()
            )),
            _ => Outcome::Failed(format!("the hook's connection failed: {text}")),
        }
    }

    /// One line per delivery on stdout; a closed stdout ends tail quietly after this one.
    fn report(
        &mut self,
        envelope: &Envelope,
        attempt: u32,
        status: Option<u16>,
        ms: u64,
        error: Option<&str>,
    ) {
        let kind = envelope.type_webhook();
        let line = if self.json {
            let line = Line {
                time: jiff::Timestamp::now().to_string(),
                type_webhook: kind.as_deref(),
                receipt_id: envelope.receipt_id,
                attempt,
                status,
                ms,
                error,
            };
            serde_json::to_string(&line).unwrap_or_default()
        } else {
            let tz = self
                .tz
                .get_or_insert_with(jiff::tz::TimeZone::system)
                .clone();
            let time = jiff::Timestamp::now()
                .to_zoned_datetime(tz)
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string();
            let kind = crate::text::escape_controls(kind.as_deref().unwrap_or("-")).into_owned();
            let status = status.map_or_else(|| "-".to_string(), |s| s.to_string());
            let mut line = format!("{time} {kind} {} {status} {ms} ms", envelope.receipt_id);
            if let Some(error) = error {
                line.push_str(" (");
                line.push_str(&crate::text::escape_controls(error));
                line.push(')');
            }
            line
        };
        let written = self.status.suspend(|| {
            let mut out = io::stdout().lock();
            out.write_all(line.as_bytes())
                .and_then(|()| out.write_all(b"\n"))
                .and_then(|()| out.flush())
        });
        if let Err(e) = written
            && is_broken_pipe(&e)
        {
            self.closed = true;
        }
    }
}

impl Handler for Forward {
    fn handle(&mut self, envelope: &Envelope, attempt: u32) -> Result<Outcome> {
        if self.closed {
            return Ok(Outcome::Closed);
        }
        let started = Instant::now();
        let result = self.post(envelope, attempt);
        let ms = started.elapsed().as_millis() as u64;
        let (outcome, status) = match result {
            Ok((status @ 200..=299, _)) => (Outcome::Done, Some(status)),
            Ok((status @ 300..=399, _)) => (
                Outcome::Failed(format!(
                    "HTTP {status} from the hook (redirects are not followed)"
                )),
                Some(status),
            ),
            Ok((status, body)) => {
                let said = self.clean(snippet(&body, self.secret.as_ref()));
                (
                    Outcome::Failed(format!("HTTP {status} from the hook: {said}")),
                    Some(status),
                )
            }
            Err(e) => (self.outcome_of_error(e), None),
        };
        self.status.exchange(format_args!(
            "POST {} {} {ms} ms",
            self.shown,
            status.map_or_else(|| "failed".to_string(), |s| s.to_string())
        ));
        match &outcome {
            Outcome::Done => self.report(envelope, attempt, status, ms, None),
            Outcome::Failed(why) => {
                let why = why.clone();
                self.report(envelope, attempt, status, ms, Some(&why));
            }
            _ => {}
        }
        Ok(outcome)
    }

    fn waits_after_signal(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "the hook"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_checked() {
        let (n, v) = parse_header("X-Bot:  support ").unwrap();
        assert_eq!((n.as_str(), v.to_str().unwrap()), ("x-bot", "support"));
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
        assert!(parse_header("Host: evil").is_err());
        assert!(parse_header("X-Greenq-Attempt: 9").is_err());
        assert_eq!(parse_header("X-A: b\u{7}").err().unwrap().code.code(), 2);
    }

    #[test]
    fn urls_are_checked() {
        assert!(parse_url("http://127.0.0.1:8080/hook", false).is_ok());
        assert!(parse_url("http://localhost/hook", false).is_ok());
        assert!(parse_url("https://bot.example/hook?k=1", false).is_ok());
        assert!(parse_url("http://bot.example/hook", false).is_err());
        assert!(parse_url("http://bot.example/hook", true).is_ok());
        assert!(parse_url("ftp://bot.example/", true).is_err());
        assert!(parse_url("/hook", true).is_err());
        let e = parse_url("http://user:pw@127.0.0.1/", true).err().unwrap();
        assert!(!e.to_string().contains("pw"), "{e}");
        assert_eq!(
            shown(&parse_url("https://bot.example/hook?key=s3cret", false).unwrap()),
            "https://bot.example/hook"
        );
    }

    #[test]
    fn the_forward_token_is_never_echoed() {
        let env = |v: &'static str| {
            move |name: &str| (name == "GREENQ_FORWARD_TOKEN").then(|| v.to_string())
        };
        let t = ForwardToken::resolve(None, &env("abc+/="))
            .unwrap()
            .unwrap();
        assert_eq!(format!("{t:?}"), "ForwardToken(***)");
        let e = ForwardToken::resolve(None, &env("sec ret")).unwrap_err();
        assert!(!e.to_string().contains("sec"), "{e}");
        assert!(ForwardToken::resolve(None, &env("")).unwrap().is_none());
    }
}
