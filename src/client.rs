//! The GREEN-API client: one ureq Agent for the process (keep-alive), the three calls,
//! the classification of every answer, and retries with back-off. This is the one place
//! that builds URLs, so it is the one place that redacts them.

use std::cell::{Cell, RefCell};
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use ureq::http::header::{CONTENT_TYPE, HOST};
use ureq::http::{HeaderValue, Method, Uri};
use ureq::unversioned::transport::{Connector, DefaultConnector};

use crate::backoff::{Backoff, parse_retry_after};
use crate::config::{BaseUrl, Config, Credentials, Secret};
use crate::exit::{Error, ExitCode};
use crate::interrupt::Interrupt;
use crate::notification::Envelope;
use crate::status::Status;
use crate::text::snippet;
use crate::transport;

/// The longest a read may block: the longest wait of a long poll (receiveTimeout ends at
/// 60 s) plus a margin. So a long poll is never cut short, and nothing hangs forever.
const READ_TIMEOUT: Duration = Duration::from_secs(60 + 15);
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_ANSWER: u64 = 16 * 1024 * 1024;
/// Retries of one call for one-shot commands (receive, delete, publish).
pub const ONE_SHOT_RETRIES: Retries = Retries::Limited(3);

/// How a call failed, classified.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// Worth another try: 429, 499, 5xx, "instance starting", connection faults, timeouts.
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// A transient fault that outlived the retries.
    Exhausted { reason: String, retries: u32 },
    /// 401 / 403, or a 200 whose body says `{"code":401}`.
    Credentials { status: u16, detail: String },
    /// 466: the plan's quota is used up.
    Quota { detail: String },
    /// Anything else: an unexpected status or a body that is not the expected JSON.
    Unexpected { reason: String },
    /// Ctrl-C or SIGTERM arrived.
    Interrupted,
}

impl ApiError {
    /// The user-facing error for a failed `what` ("receiveNotification", ...).
    pub fn into_error(self, what: &str, instance: Option<u64>) -> Error {
        match self {
            ApiError::Transient { reason, .. } => Error::failure(format!("{what} failed"))
                .why(reason)
                .fix("check the network and the service, then try again"),
            ApiError::Exhausted { reason, retries } => Error::failure(format!("{what} failed"))
                .why(format!("{reason}; gave up after {retries} retries"))
                .fix("check the network and the service, then try again"),
            ApiError::Credentials { status, detail } => {
                let why = match status {
                    403 => format!(
                        "HTTP 403: instance {} is unknown to this host or not authorized: {detail}",
                        instance.map_or_else(|| "?".to_string(), |i| i.to_string())
                    ),
                    _ => format!("HTTP {status}: the token was not accepted: {detail}"),
                };
                Error::new(ExitCode::Credentials, "credentials rejected").why(why).fix(
                    "check the instance id (-i, GREEN_API_INSTANCE_ID), the token (GREEN_API_TOKEN, --token-file) \
                     and that --api-url is the host the console shows for this instance",
                )
            }
            ApiError::Quota { detail } => Error::new(ExitCode::Quota, "quota exceeded")
                .why(format!("HTTP 466: {detail}"))
                .fix("upgrade the instance's plan in the console, or wait until the quota renews"),
            ApiError::Unexpected { reason } => Error::failure(format!("{what} failed"))
                .why(reason)
                .fix("check --api-url / --webhook-url; run with -v to see the exchange"),
            ApiError::Interrupted => Error::interrupted(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retries {
    Limited(u32),
    Unlimited,
}

/// Builds the process's one agent: keep-alive, system trust store, proxies from the
/// environment, statuses as values (we classify them), no redirects (a redirect could
/// carry the token to another host).
pub fn build_agent() -> ureq::Agent {
    use ureq::tls::{RootCerts, TlsConfig};
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("greenq/", env!("CARGO_PKG_VERSION")))
        // Per read and per write, not per call: constant timeouts are set on a socket once,
        // where a shrinking per-call budget costs a setsockopt before every read and write.
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_per_read(Some(READ_TIMEOUT))
        .timeout_per_write(Some(WRITE_TIMEOUT))
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::PlatformVerifier)
                .build(),
        )
        .build();
    ureq::Agent::with_parts(
        config,
        DefaultConnector::default().chain(transport::CoalescingConnector),
        transport::CachingResolver::default(),
    )
}

pub struct Client {
    agent: ureq::Agent,
    /// `{api}/waInstance{id}/`, made once.
    api_head: String,
    webhook_url: BaseUrl,
    credentials: Option<Credentials>,
    status: Arc<Status>,
    interrupt: Interrupt,
    retries: Cell<u64>,
    /// The API's Host header, made once.
    api_host: Option<HeaderValue>,
    /// The receive URL (for one receiveTimeout) and the webhook URL, parsed once.
    receive_target: RefCell<Option<(Option<u32>, Target)>>,
    webhook_target: RefCell<Option<((), Target)>>,
}

/// A request URL, parsed, and its Host header: ureq would parse the URL and format the
/// header again for every request (5 % of tail's instructions).
#[derive(Clone)]
struct Target {
    uri: Uri,
    host: Option<HeaderValue>,
}

impl Target {
    fn parse(url: String, host: &Option<HeaderValue>) -> Result<Target, ApiError> {
        let uri = Uri::try_from(url).map_err(|e| ApiError::Unexpected {
            reason: format!("the request URL is not valid ({e})"),
        })?;
        Ok(Target {
            uri,
            host: host.clone(),
        })
    }

    /// The target kept in `cell` if it was made for `key`, else a new one, kept.
    fn cached<K: Copy + PartialEq>(
        cell: &RefCell<Option<(K, Target)>>,
        key: K,
        make: impl FnOnce() -> Result<Target, ApiError>,
    ) -> Result<Target, ApiError> {
        if let Some((k, target)) = &*cell.borrow()
            && *k == key
        {
            return Ok(target.clone());
        }
        let target = make()?;
        *cell.borrow_mut() = Some((key, target.clone()));
        Ok(target)
    }
}

/// The Host header for requests to `base`, by ureq's rule: the port only when it is not
/// the scheme's default. `None` leaves it to ureq.
fn host_header(base: &BaseUrl) -> Option<HeaderValue> {
    let uri = Uri::try_from(base.as_str()).ok()?;
    let host = uri.host()?;
    let default = if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    };
    match uri.port_u16() {
        Some(port) if port != default => HeaderValue::try_from(format!("{host}:{port}")),
        _ => HeaderValue::try_from(host),
    }
    .ok()
}

/// An answer read whole: status, `Retry-After`, body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Vec<u8>,
}

impl Client {
    pub fn new(
        agent: ureq::Agent,
        config: &Config,
        credentials: Option<Credentials>,
        status: Arc<Status>,
        interrupt: Interrupt,
    ) -> Self {
        let api_head = credentials.as_ref().map_or_else(String::new, |c| {
            format!("{}/waInstance{}/", config.api_url, c.instance)
        });
        Client {
            agent,
            api_head,
            webhook_url: config.webhook_url.clone(),
            credentials,
            status,
            interrupt,
            retries: Cell::new(0),
            api_host: host_header(&config.api_url),
            receive_target: RefCell::new(None),
            webhook_target: RefCell::new(None),
        }
    }

    pub fn instance(&self) -> Option<u64> {
        self.credentials.as_ref().map(|c| c.instance)
    }

    /// Retries made so far, for summaries.
    pub fn retries(&self) -> u64 {
        self.retries.get()
    }

    fn secret(&self) -> Option<&Secret> {
        self.credentials.as_ref().map(|c| &c.token)
    }

    fn redact(&self, text: String) -> String {
        match self.secret() {
            Some(secret) => secret.redact(&text),
            None => text,
        }
    }

    /// `{api}/waInstance{id}/{method}/{token}{rest}`.
    fn api_url(&self, method: &str, rest: &str) -> Result<String, ApiError> {
        let Some(c) = &self.credentials else {
            return Err(ApiError::Unexpected {
                reason: "no instance id and token configured".into(),
            });
        };
        // Plain pushes: format! costs more than the rest of building a request.
        let token = c.token.expose();
        let mut url = String::with_capacity(
            self.api_head.len() + method.len() + token.len() + rest.len() + 1,
        );
        url.push_str(&self.api_head);
        url.push_str(method);
        url.push('/');
        url.push_str(token);
        url.push_str(rest);
        Ok(url)
    }

    /// Every error text the client returns passes here: answers may quote the token.
    fn redacted<T>(&self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        result.map_err(|e| match e {
            ApiError::Transient {
                reason,
                retry_after,
            } => ApiError::Transient {
                reason: self.redact(reason),
                retry_after,
            },
            ApiError::Exhausted { reason, retries } => ApiError::Exhausted {
                reason: self.redact(reason),
                retries,
            },
            ApiError::Credentials { status, detail } => ApiError::Credentials {
                status,
                detail: self.redact(detail),
            },
            ApiError::Quota { detail } => ApiError::Quota {
                detail: self.redact(detail),
            },
            ApiError::Unexpected { reason } => ApiError::Unexpected {
                reason: self.redact(reason),
            },
            ApiError::Interrupted => ApiError::Interrupted,
        })
    }

    /// One long poll: the head of the queue, or `None` when the wait ended empty.
    pub fn receive(&self, receive_timeout: Option<u32>) -> Result<Option<Envelope>, ApiError> {
        self.redacted(self.receive_once(receive_timeout))
    }

    /// Acknowledges a receipt: `true` when it was deleted, `false` when the service
    /// did not know it (already deleted, or never there).
    pub fn delete(&self, receipt_id: u64) -> Result<bool, ApiError> {
        self.redacted(self.delete_once(receipt_id))
    }

    /// Posts one notification (compact JSON) to the webhook endpoint.
    pub fn publish(&self, notification: &str) -> Result<(), ApiError> {
        self.redacted(self.publish_once(notification))
    }

    fn receive_once(&self, receive_timeout: Option<u32>) -> Result<Option<Envelope>, ApiError> {
        let target = Target::cached(&self.receive_target, receive_timeout, || {
            let rest = receive_timeout.map_or_else(String::new, |n| format!("?receiveTimeout={n}"));
            Target::parse(self.api_url("receiveNotification", &rest)?, &self.api_host)
        })?;
        let answer = self.exchange(Method::GET, target, None)?;
        self.envelope_of(&answer)
    }

    fn envelope_of(&self, answer: &Answer) -> Result<Option<Envelope>, ApiError> {
        let body = answer.body.trim_ascii();
        if body.is_empty() || body == b"null" {
            return Ok(None);
        }
        match serde_json::from_slice::<Envelope>(body) {
            Ok(envelope) => Ok(Some(envelope)),
            Err(e) => Err(self.odd_answer(answer, "a notification envelope", &e)),
        }
    }

    fn delete_once(&self, receipt_id: u64) -> Result<bool, ApiError> {
        let mut rest = String::with_capacity(21);
        rest.push('/');
        rest.push_str(itoa::Buffer::new().format(receipt_id));
        let target = Target::parse(self.api_url("deleteNotification", &rest)?, &self.api_host)?;
        let answer = self.exchange(Method::DELETE, target, None)?;
        self.deleted_of(&answer)
    }

    fn deleted_of(&self, answer: &Answer) -> Result<bool, ApiError> {
        #[derive(Deserialize)]
        struct Deleted {
            result: bool,
        }
        match serde_json::from_slice::<Deleted>(&answer.body) {
            Ok(d) => Ok(d.result),
            Err(e) => Err(self.odd_answer(answer, "{\"result\": true|false}", &e)),
        }
    }

    fn publish_once(&self, notification: &str) -> Result<(), ApiError> {
        let target = Target::cached(&self.webhook_target, (), || {
            let host = host_header(&self.webhook_url);
            Target::parse(self.webhook_url.as_str().to_string(), &host)
        })?;
        let answer = self.exchange(Method::POST, target, Some(notification))?;
        // The endpoint's answer is not specified; only a `{"code": ...}` refusal means anything.
        match code_refusal(&answer.body, self.secret()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Runs `call` until it succeeds, fails for good, or the retries run out; transient
    /// faults wait with back-off and jitter (or as `Retry-After` says), one status line each.
    pub fn retrying<T>(
        &self,
        retries: Retries,
        mut call: impl FnMut(&Self) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        // Made on the first fault: most calls never need one.
        let mut backoff: Option<Backoff> = None;
        let mut done = 0u32;
        loop {
            match call(self) {
                Err(ApiError::Transient {
                    reason,
                    retry_after,
                }) => {
                    if matches!(retries, Retries::Limited(max) if done >= max) {
                        return Err(ApiError::Exhausted {
                            reason,
                            retries: done,
                        });
                    }
                    let delay = backoff
                        .get_or_insert_with(Backoff::new)
                        .next_delay(retry_after);
                    self.status.line(format_args!(
                        "retrying in {:.1} s: {reason}",
                        delay.as_secs_f64()
                    ));
                    done += 1;
                    self.retries.set(self.retries.get() + 1);
                    if self.interrupt.sleep(delay) {
                        return Err(ApiError::Interrupted);
                    }
                }
                other => return other,
            }
        }
    }

    /// Sends one request, reads the whole answer, and sorts out everything but a 2xx.
    fn exchange(
        &self,
        method: Method,
        target: Target,
        body: Option<&str>,
    ) -> Result<Answer, ApiError> {
        if self.interrupt.stops_requests() {
            return Err(ApiError::Interrupted);
        }
        // For -v only: the URL (made before the URI moves into the request) and the time
        // taken; a clock read costs a notable share of a request in a VM.
        let verbose = self
            .status
            .is_verbose()
            .then(|| (target.uri.to_string(), Instant::now()));
        let result = self.send(method.clone(), target, body);
        let verbose = verbose.map(|(url, started)| (url, started.elapsed().as_secs_f64() * 1000.0));
        let answer = match result {
            Ok(answer) => answer,
            Err(e) => {
                let error = self.transport_error(e);
                if let Some((url, ms)) = verbose {
                    let shown = self.redact(url);
                    let reason = match &error {
                        ApiError::Transient { reason, .. } | ApiError::Unexpected { reason } => {
                            reason.as_str()
                        }
                        _ => "interrupted",
                    };
                    self.status.exchange(format_args!(
                        "{method} {shown} failed after {ms:.0} ms: {reason}"
                    ));
                }
                return Err(error);
            }
        };
        if let Some((url, ms)) = verbose {
            let shown = self.redact(url);
            self.status.exchange(format_args!(
                "{method} {shown} {} {ms:.0} ms",
                answer.status
            ));
        }
        classify_status(&answer, self.secret()).map(|()| answer)
    }

    fn send(
        &self,
        method: Method,
        target: Target,
        body: Option<&str>,
    ) -> Result<Answer, ureq::Error> {
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(target.uri);
        if let Some(host) = target.host {
            request = request.header(HOST, host);
        }
        let mut response = match body {
            Some(body) => self.agent.run(
                request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body)?,
            )?,
            None => self.agent.run(request.body(())?)?,
        };
        let status = response.status().as_u16();
        // Only a refusal's Retry-After matters; a success is not looked through for one.
        let retry_after = (status >= 300)
            .then(|| response.headers().get("retry-after"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        // Sized from Content-Length (within reason): growing the buffer step by step
        // costs more than the rest of reading a notification.
        let length = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = Vec::with_capacity(length.min(1 << 20));
        response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .reader()
            .read_to_end(&mut body)?;
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }

    /// Connection-level faults are transient, except TLS and configuration problems.
    /// Every message is redacted: ureq's errors may quote the URL.
    fn transport_error(&self, e: ureq::Error) -> ApiError {
        use ureq::Error as E;
        if self.interrupt.is_set() {
            return ApiError::Interrupted;
        }
        let text = self.redact(e.to_string());
        match e {
            E::Timeout(_) => ApiError::Transient {
                reason: format!("timed out ({text})"),
                retry_after: None,
            },
            E::Io(_) | E::ConnectionFailed | E::HostNotFound | E::Protocol(_) => {
                ApiError::Transient {
                    reason: format!("connection failed: {text}"),
                    retry_after: None,
                }
            }
            E::BodyExceedsLimit(_) => ApiError::Unexpected {
                reason: format!("the answer is larger than {} MiB", MAX_ANSWER >> 20),
            },
            E::Tls(_) | E::Rustls(_) | E::Pem(_) => ApiError::Unexpected {
                reason: format!(
                    "TLS failed: {text}; if a corporate CA signs this host, add it to the system's trust store"
                ),
            },
            _ => ApiError::Unexpected { reason: text },
        }
    }

    /// A 2xx whose body is not `expected`: a `{"code":401}` refusal, or an unexpected answer.
    fn odd_answer(&self, answer: &Answer, expected: &str, e: &serde_json::Error) -> ApiError {
        code_refusal(&answer.body, self.secret()).unwrap_or_else(|| ApiError::Unexpected {
            reason: format!(
                "HTTP {} with a body that is not {expected} ({e}): {}",
                answer.status,
                snippet(&answer.body, self.secret())
            ),
        })
    }

    /// An answer to a receive that came another way (`crate::pipeline`), classified and
    /// read as `receive` reads its own.
    pub(crate) fn receive_answer(&self, answer: &Answer) -> Result<Option<Envelope>, ApiError> {
        self.redacted(
            classify_status(answer, self.secret()).and_then(|()| self.envelope_of(answer)),
        )
    }

    /// The same for a delete's answer.
    pub(crate) fn delete_answer(&self, answer: &Answer) -> Result<bool, ApiError> {
        self.redacted(classify_status(answer, self.secret()).and_then(|()| self.deleted_of(answer)))
    }
}

/// Everything but a 2xx, sorted into the classes of the service's documentation.
fn classify_status(answer: &Answer, secret: Option<&Secret>) -> Result<(), ApiError> {
    let status = answer.status;
    let detail = || snippet(&answer.body, secret);
    match status {
        200..=299 => Ok(()),
        401 | 403 => Err(ApiError::Credentials {
            status,
            detail: detail(),
        }),
        466 => Err(ApiError::Quota { detail: detail() }),
        429 => Err(ApiError::Transient {
            reason: "HTTP 429 (too many requests)".into(),
            retry_after: answer.retry_after,
        }),
        499..=599 => Err(ApiError::Transient {
            reason: format!("HTTP {status}"),
            retry_after: answer.retry_after,
        }),
        400 if String::from_utf8_lossy(&answer.body)
            .to_ascii_lowercase()
            .contains("starting") =>
        {
            Err(ApiError::Transient {
                reason: "HTTP 400 (the instance is starting)".into(),
                retry_after: answer.retry_after,
            })
        }
        _ => Err(ApiError::Unexpected {
            reason: format!("HTTP {status}: {}", detail()),
        }),
    }
}

/// The live service has answered HTTP 200 with `{"code":401,"description":"Unauthorized"}`.
fn code_refusal(body: &[u8], secret: Option<&Secret>) -> Option<ApiError> {
    #[derive(Deserialize)]
    struct Coded {
        code: u16,
    }
    let coded: Coded = serde_json::from_slice(body).ok()?;
    let detail = snippet(body, secret);
    match coded.code {
        401 | 403 => Some(ApiError::Credentials {
            status: coded.code,
            detail,
        }),
        466 => Some(ApiError::Quota { detail }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_headers_carry_the_port_only_when_it_is_not_the_default() {
        let host = |url: &str| {
            let base = BaseUrl::parse(url, "--api-url", "GREEN_API_URL", true).unwrap();
            host_header(&base).map(|h| h.to_str().unwrap().to_string())
        };
        assert_eq!(
            host("https://7103.api.greenapi.com").as_deref(),
            Some("7103.api.greenapi.com")
        );
        assert_eq!(
            host("https://api.example:443/prefix").as_deref(),
            Some("api.example")
        );
        assert_eq!(
            host("https://api.example:8443").as_deref(),
            Some("api.example:8443")
        );
        assert_eq!(
            host("http://127.0.0.1:7700").as_deref(),
            Some("127.0.0.1:7700")
        );
        assert_eq!(host("http://localhost:80").as_deref(), Some("localhost"));
        assert_eq!(host("http://[::1]:7700").as_deref(), Some("[::1]:7700"));
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            retry_after: Some(Duration::from_secs(2)),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn statuses_are_classified_as_documented() {
        assert_eq!(classify_status(&answer(200, ""), None), Ok(()));
        assert!(matches!(
            classify_status(&answer(401, ""), None),
            Err(ApiError::Credentials { status: 401, .. })
        ));
        assert!(matches!(
            classify_status(&answer(403, ""), None),
            Err(ApiError::Credentials { status: 403, .. })
        ));
        assert!(
            matches!(classify_status(&answer(466, "limit"), None), Err(ApiError::Quota { detail }) if detail == "limit")
        );
        for transient in [429, 499, 500, 502, 503, 504] {
            assert!(
                matches!(
                    classify_status(&answer(transient, ""), None),
                    Err(ApiError::Transient {
                        retry_after: Some(_),
                        ..
                    })
                ),
                "{transient}"
            );
        }
        assert!(matches!(
            classify_status(
                &answer(
                    400,
                    "{\"message\":\"Instance in starting process, try later\"}"
                ),
                None
            ),
            Err(ApiError::Transient { .. })
        ));
        assert!(matches!(
            classify_status(&answer(400, "bad"), None),
            Err(ApiError::Unexpected { .. })
        ));
        assert!(
            matches!(classify_status(&answer(404, "nope"), None), Err(ApiError::Unexpected { reason }) if reason == "HTTP 404: nope")
        );
    }

    #[test]
    fn a_200_with_code_401_is_a_credentials_error() {
        assert!(matches!(
            code_refusal(br#"{"code":401,"description":"Unauthorized"}"#, None),
            Some(ApiError::Credentials { status: 401, .. })
        ));
        assert!(matches!(
            code_refusal(br#"{"code":466}"#, None),
            Some(ApiError::Quota { .. })
        ));
        assert_eq!(code_refusal(br#"{"result":true}"#, None), None);
        assert_eq!(code_refusal(b"garbage", None), None);
    }

    #[test]
    fn exit_codes_follow_the_class() {
        let code = |e: ApiError| e.into_error("x", Some(1)).code;
        assert_eq!(
            code(ApiError::Credentials {
                status: 401,
                detail: String::new()
            }),
            ExitCode::Credentials
        );
        assert_eq!(
            code(ApiError::Quota {
                detail: String::new()
            }),
            ExitCode::Quota
        );
        assert_eq!(
            code(ApiError::Exhausted {
                reason: String::new(),
                retries: 3
            }),
            ExitCode::Failure
        );
        assert_eq!(
            code(ApiError::Unexpected {
                reason: String::new()
            }),
            ExitCode::Failure
        );
        assert_eq!(code(ApiError::Interrupted), ExitCode::Interrupted);
    }
}
