//! The GREEN-API calls: URLs, one exchange per call over the process's agent, and
//! redaction. This is the one place that builds URLs, so it is the one place that
//! redacts them; what an answer means is decided in `answer`, whether to try again in `retry`.

use std::cell::Cell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::config::{BaseUrl, Config, Credentials};
use crate::notification::Envelope;
use crate::secret::Secret;
use crate::service::answer::{
    Answer, ApiError, Fault, classify_post_status, classify_status, classify_transport,
    code_refusal, read_object,
};
use crate::service::pace::Pace;
use crate::service::transport::Tracker;
use crate::service::whole_queue::{self, Cleared};
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;
use crate::text::escape_controls;

const MAX_ANSWER: u64 = 16 * 1024 * 1024;
/// Added to a long poll's wait for its overall deadline.
const LONG_POLL_MARGIN: Duration = Duration::from_secs(15);
/// The wait of a long poll that names none: the longest the service allows.
const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// The overall deadline of a delete or a publish, so that a server that trickles bytes
/// cannot hold greenq forever.
pub const CALL_DEADLINE: Duration = Duration::from_secs(30);
/// The queue's methods, as their URLs and the pace name them.
pub const RECEIVE: &str = "receiveNotification";
pub const DELETE: &str = "deleteNotification";
pub const SETTINGS: &str = "getSettings";

/// The overall deadline of a long poll: its wait plus a margin.
pub fn long_poll_deadline(receive_timeout: Option<u32>) -> Duration {
    receive_timeout.map_or(LONGEST_WAIT, |n| Duration::from_secs(n.into())) + LONG_POLL_MARGIN
}

pub struct Client {
    agent: ureq::Agent,
    tracker: Tracker,
    /// `{api}/waInstance{id}/`, with the credentials.
    api: Option<(String, Credentials)>,
    api_host: String,
    webhook_url: BaseUrl,
    webhook_host: String,
    status: Arc<Status>,
    interrupt: Interrupt,
    /// An answer of any kind came back in this run: the hosts exist.
    contacted: Cell<bool>,
    /// Requests sent again after a connection fault that may have let the first one
    /// arrive (a DELETE answered "not found" then is no sign of another reader).
    resent: Cell<u64>,
    /// Requests per method, below the service's rate limit once it said so.
    pace: Pace,
}

/// What a request is, for the exchange.
struct Request<'a> {
    method: &'static str,
    /// The API method (`receiveNotification`, `publish`, ...): what is paced.
    call: &'static str,
    url: &'a str,
    host: &'a str,
    body: Option<&'a str>,
    deadline: Duration,
    /// GET and DELETE may go out again when a kept-alive connection turns out closed.
    idempotent: bool,
}

impl Client {
    pub fn new(
        (agent, tracker): (ureq::Agent, Tracker),
        config: &Config,
        credentials: Option<Credentials>,
        status: Arc<Status>,
        interrupt: Interrupt,
    ) -> Self {
        let api = credentials.map(|c| (format!("{}/waInstance{}/", config.api_url, c.instance), c));
        Client {
            agent,
            tracker,
            api,
            api_host: host_of(&config.api_url),
            webhook_url: config.webhook_url.clone(),
            webhook_host: host_of(&config.webhook_url),
            status,
            interrupt,
            contacted: Cell::new(false),
            resent: Cell::new(0),
            pace: Pace::new(None),
        }
    }

    /// At most `n` requests per second of each method, from the start (`--max-rate`).
    pub fn set_max_rate(&self, n: Option<u32>) {
        self.pace.set_ceiling(n);
    }

    /// Waits until requests of `calls` may go out together. A signal cuts the wait short
    /// unless the work is protected (a delete after a write goes out, a moment late).
    pub fn wait_for_pace(&self, calls: &[&'static str]) -> Result<(), ApiError> {
        let at = self.pace.reserve(calls, Instant::now());
        let wait = at.saturating_duration_since(Instant::now());
        if wait.is_zero() {
            return Ok(());
        }
        if self.interrupt.sleep(wait) {
            if self.interrupt.stops_requests() {
                return Err(ApiError::Interrupted);
            }
            std::thread::sleep(at.saturating_duration_since(Instant::now()));
        }
        Ok(())
    }

    /// Notes an answer of a `call`: a 429 paces that method from now on.
    fn note_answer(&self, call: &'static str, status: u16) {
        if status == 429 {
            self.pace.refused(call, Instant::now());
        }
    }

    /// An answer of any kind came back in this run.
    pub fn contacted(&self) -> bool {
        self.contacted.get()
    }

    /// How many requests went out again after one that may have arrived (see `resent`).
    pub fn resent(&self) -> u64 {
        self.resent.get()
    }

    /// The pipelined connection sends a request again through the client: counted too.
    pub fn note_resent(&self) {
        self.resent.set(self.resent.get() + 1);
    }

    pub fn instance(&self) -> Option<u64> {
        self.api.as_ref().map(|(_, c)| c.instance)
    }

    fn secret(&self) -> Option<&Secret> {
        self.api.as_ref().map(|(_, c)| &c.token)
    }

    fn redact(&self, text: String) -> String {
        match self.secret() {
            Some(secret) => secret.redact(&text),
            None => text,
        }
    }

    /// `{api}/waInstance{id}/{method}/{token}{rest}`.
    fn api_url(&self, method: &str, rest: &str) -> Result<String, ApiError> {
        let Some((head, c)) = &self.api else {
            return Err(ApiError::Unexpected {
                reason: "no instance id and token configured".into(),
            });
        };
        Ok(format!("{head}{method}/{}{rest}", c.token.expose()))
    }

    /// One long poll: the head of the queue, or `None` when the wait ended empty.
    pub fn receive(&self, receive_timeout: Option<u32>) -> Result<Option<Envelope>, ApiError> {
        let rest = receive_timeout.map_or_else(String::new, |n| format!("?receiveTimeout={n}"));
        let url = self.api_url(RECEIVE, &rest)?;
        let answer = self.exchange(Request {
            method: "GET",
            call: RECEIVE,
            url: &url,
            host: &self.api_host,
            body: None,
            deadline: long_poll_deadline(receive_timeout),
            idempotent: true,
        })?;
        self.envelope_of(&answer)
    }

    fn envelope_of(&self, answer: &Answer) -> Result<Option<Envelope>, ApiError> {
        let body = answer.body.trim_ascii();
        if body.is_empty() || body == b"null" {
            return Ok(None);
        }
        self.read(answer, "a notification envelope").map(Some)
    }

    /// Acknowledges a receipt: `true` when it was deleted, `false` when the service
    /// did not know it (already deleted, or never there).
    pub fn delete(&self, receipt_id: u64) -> Result<bool, ApiError> {
        let url = self.api_url(DELETE, &format!("/{receipt_id}"))?;
        let answer = self.exchange(Request {
            method: "DELETE",
            call: DELETE,
            url: &url,
            host: &self.api_host,
            body: None,
            deadline: CALL_DEADLINE,
            idempotent: true,
        })?;
        self.deleted_of(&answer)
    }

    fn deleted_of(&self, answer: &Answer) -> Result<bool, ApiError> {
        #[derive(Deserialize)]
        struct Deleted {
            result: bool,
        }
        self.read::<Deleted>(answer, "{\"result\": true|false}")
            .map(|d| d.result)
    }

    /// An answer to a receive that came another way (a pipelined connection), classified and
    /// read as `receive` reads its own.
    pub fn receive_answer(&self, answer: &Answer) -> Result<Option<Envelope>, ApiError> {
        self.contacted.set(true);
        self.note_answer(RECEIVE, answer.status);
        classify_status(answer, self.secret())
            .map_err(|e| self.redacted(e))
            .and_then(|()| self.envelope_of(answer))
    }

    /// The same for a delete's answer.
    pub fn delete_answer(&self, answer: &Answer) -> Result<bool, ApiError> {
        self.contacted.set(true);
        self.note_answer(DELETE, answer.status);
        classify_status(answer, self.secret())
            .map_err(|e| self.redacted(e))
            .and_then(|()| self.deleted_of(answer))
    }

    /// Posts one notification (compact JSON) to the webhook endpoint.
    pub fn publish(&self, notification: &str) -> Result<(), ApiError> {
        let answer = self.exchange(Request {
            method: "POST",
            call: "publish",
            url: self.webhook_url.as_str(),
            host: &self.webhook_host,
            body: Some(notification),
            deadline: CALL_DEADLINE,
            idempotent: false,
        })?;
        // The endpoint's answer is not specified; only a `{"code": ...}` refusal means anything.
        match code_refusal(&answer.body, self.secret()) {
            Some(e) => Err(self.redacted(e)),
            None => Ok(()),
        }
    }

    /// A 2xx body as the object `T` (`answer::read_object`), its error redacted.
    fn read<T: serde::de::DeserializeOwned>(
        &self,
        answer: &Answer,
        expected: &str,
    ) -> Result<T, ApiError> {
        read_object(answer, expected, self.secret()).map_err(|e| self.redacted(e))
    }

    /// Sends one request and reads the whole answer; anything but a 2xx is an error.
    /// A kept-alive connection that the server closed meanwhile is replaced quietly.
    fn exchange(&self, request: Request) -> Result<Answer, ApiError> {
        let mut fresh_connection_tried = false;
        loop {
            if self.interrupt.stops_requests() {
                return Err(ApiError::Interrupted);
            }
            self.wait_for_pace(&[request.call])?;
            self.tracker.begin();
            let started = Instant::now();
            let result = self.send(&request);
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let shown = || self.redact(request.url.to_string());
            let e = match result {
                Ok(answer) => {
                    self.contacted.set(true);
                    self.note_answer(request.call, answer.status);
                    self.status.exchange(format_args!(
                        "{} {} {} {ms:.0} ms",
                        request.method,
                        shown(),
                        answer.status
                    ));
                    let classified = if request.method == "POST" {
                        classify_post_status(&answer, self.secret())
                    } else {
                        classify_status(&answer, self.secret())
                    };
                    return classified.map(|()| answer).map_err(|e| self.redacted(e));
                }
                Err(e) => e,
            };
            if self.interrupt.is_set() {
                return Err(ApiError::Interrupted);
            }
            let progress = self.tracker.progress();
            let text = self.redact(e.to_string());
            // The server closed the connection between two requests: nothing of this
            // one was carried out unless it went out whole, and GET and DELETE may go again.
            let stale = progress.reused
                && !progress.answered
                && (request.idempotent || !progress.sent)
                && is_connection_drop(&e);
            if stale && !fresh_connection_tried {
                fresh_connection_tried = true;
                if progress.sent {
                    self.note_resent();
                }
                self.status.exchange(format_args!(
                    "{} {} on a kept-alive connection that the server closed ({text}); sending it on a new one",
                    request.method,
                    shown()
                ));
                continue;
            }
            let error = classify_transport(
                &e,
                Fault {
                    text,
                    host: request.host,
                    first_contact: !self.contacted.get(),
                    progress,
                },
            );
            self.status.exchange(format_args!(
                "{} {} failed after {ms:.0} ms: {error}",
                request.method,
                shown()
            ));
            return Err(self.redacted(error));
        }
    }

    fn send(&self, request: &Request) -> Result<Answer, ureq::Error> {
        let timeout = Some(request.deadline);
        let response = match (request.method, request.body) {
            ("POST", Some(body)) => self
                .agent
                .post(request.url)
                .content_type("application/json")
                .config()
                .timeout_global(timeout)
                .build()
                .send(body)?,
            ("DELETE", _) => self
                .agent
                .delete(request.url)
                .config()
                .timeout_global(timeout)
                .build()
                .call()?,
            _ => self
                .agent
                .get(request.url)
                .config()
                .timeout_global(timeout)
                .build()
                .call()?,
        };
        Answer::read(response, MAX_ANSWER)
    }

    // Account methods, for `greenq doctor` and the webhookUrl warning of tail and receive:
    // one attempt each, no retries (the caller decides), redacted like the rest.

    /// `getStateInstance`: the instance's `stateInstance` (`authorized`, `starting`, ...).
    pub fn get_state_instance(&self) -> Result<String, ApiError> {
        let answer = self.account_get("getStateInstance")?;
        self.state_of(&answer)
    }

    fn state_of(&self, answer: &Answer) -> Result<String, ApiError> {
        #[derive(Deserialize)]
        struct State {
            #[serde(rename = "stateInstance")]
            state_instance: String,
        }
        // Server text, shown by doctor: without the token, and harmless to a terminal.
        self.read::<State>(answer, "{\"stateInstance\": ...}")
            .map(|s| escape_controls(&self.redact(s.state_instance)).into_owned())
    }

    /// `getSettings`: the instance's settings object, as the service sends it.
    pub fn get_settings(&self) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
        let answer = self.account_get(SETTINGS)?;
        self.settings_of(&answer)
    }

    /// The same for a settings answer that came another way (a pipelined connection).
    pub fn settings_answer(
        &self,
        answer: &Answer,
    ) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
        self.contacted.set(true);
        self.note_answer(SETTINGS, answer.status);
        classify_status(answer, self.secret())
            .map_err(|e| self.redacted(e))
            .and_then(|()| self.settings_of(answer))
    }

    fn settings_of(
        &self,
        answer: &Answer,
    ) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
        // A settings object never holds `code`: one that does is a `{"code":401}` refusal.
        // Server text, shown by doctor: the token taken out before anything is read of it.
        let redacted = Answer {
            status: answer.status,
            retry_after: answer.retry_after,
            body: self
                .redact(String::from_utf8_lossy(&answer.body).into_owned())
                .into_bytes(),
        };
        self.read(&redacted, "a settings object")
    }

    /// `getWebhooksCount`: how many notifications wait (the service's figure may be 10 s old).
    pub fn webhooks_count(&self) -> Result<u64, ApiError> {
        let answer = self.account_get("getWebhooksCount")?;
        whole_queue::count_of(&answer, self.secret()).map_err(|e| self.redacted(e))
    }

    /// `clearWebhooksQueue`: one DELETE that drops every queued notification. Not
    /// idempotent: a second clear would take what arrived since, so a kept-alive connection
    /// found closed gets it again only when it was not sent whole.
    pub fn clear_webhooks_queue(&self) -> Result<Cleared, ApiError> {
        let url = self.api_url("clearWebhooksQueue", "")?;
        let answer = self.exchange(Request {
            call: "clearWebhooksQueue",
            method: "DELETE",
            url: &url,
            host: &self.api_host,
            body: None,
            deadline: CALL_DEADLINE,
            idempotent: false,
        })?;
        whole_queue::cleared_of(&answer, self.secret()).map_err(|e| self.redacted(e))
    }

    fn account_get(&self, method: &'static str) -> Result<Answer, ApiError> {
        let url = self.api_url(method, "")?;
        self.exchange(Request {
            method: "GET",
            call: method,
            url: &url,
            host: &self.api_host,
            body: None,
            deadline: CALL_DEADLINE,
            idempotent: true,
        })
    }

    /// Every error the client returns passes here: answers and ureq's messages may quote the token.
    fn redacted(&self, e: ApiError) -> ApiError {
        let Some(secret) = self.secret() else {
            return e;
        };
        let r = |text: String| secret.redact(&text);
        match e {
            ApiError::Transient {
                reason,
                retry_after,
                arrival,
            } => ApiError::Transient {
                reason: r(reason),
                retry_after,
                arrival,
            },
            ApiError::Unreachable { host, reason } => ApiError::Unreachable {
                host: r(host),
                reason: r(reason),
            },
            ApiError::Exhausted { reason, retries } => ApiError::Exhausted {
                reason: r(reason),
                retries,
            },
            ApiError::MayHaveArrived { reason } => ApiError::MayHaveArrived { reason: r(reason) },
            ApiError::Credentials { status, detail } => ApiError::Credentials {
                status,
                detail: r(detail),
            },
            ApiError::Quota { detail } => ApiError::Quota { detail: r(detail) },
            ApiError::Rejected { status, detail } => ApiError::Rejected {
                status,
                detail: r(detail),
            },
            ApiError::Unexpected { reason } => ApiError::Unexpected { reason: r(reason) },
            ApiError::Malformed { reason } => ApiError::Malformed { reason: r(reason) },
            ApiError::Interrupted => ApiError::Interrupted,
        }
    }
}

/// The host of a base URL and its port when it names one, for messages (never the
/// token: that is in the path; nor a user:password before an `@`).
fn host_of(url: &BaseUrl) -> String {
    url.as_str()
        .parse::<ureq::http::Uri>()
        .ok()
        .and_then(|u| {
            u.authority().map(|a| {
                a.as_str()
                    .rsplit('@')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
        })
        .unwrap_or_default()
}

/// The peer closed or reset the connection (as opposed to a timeout or a protocol error).
fn is_connection_drop(e: &ureq::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(e, ureq::Error::Io(io) if matches!(
        io.kind(),
        K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    use crate::terminal::tty::ColorChoice;

    /// A server that answers each request with a head announcing 1000 bytes, then sends
    /// one byte every 50 ms: every read succeeds, only an overall deadline ends the call.
    fn trickler() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                        line.clear();
                    }
                    let head = b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n";
                    let mut ok = stream.write_all(head).is_ok();
                    while ok {
                        std::thread::sleep(Duration::from_millis(50));
                        ok = stream.write_all(b" ").is_ok();
                    }
                });
            }
        });
        format!("http://{addr}")
    }

    fn client_for(url: &str) -> Client {
        let url = BaseUrl::parse(url, "test", "", true).expect("url");
        let config = Config {
            api_url: url.clone(),
            webhook_url: url,
            instance: None,
            token: None,
            color: ColorChoice::Never,
            verbose: false,
            quiet: true,
        };
        Client::new(
            crate::service::agent::build(),
            &config,
            None,
            Arc::new(Status::new(true, false)),
            Interrupt::new(),
        )
    }

    /// The rule `tail` and `receive` rely on: a server that trickles its answer is cut off
    /// at the call's deadline with a transient fault (retried), not read for ever. The
    /// deadline here is short; greenq's own (`long_poll_deadline`, `CALL_DEADLINE`) are
    /// checked below, so that the suite needs no 20 s wait.
    #[test]
    fn a_server_that_trickles_is_cut_off_at_the_deadline_as_a_transient_fault() {
        let base = trickler();
        let client = client_for(&base);
        let url = format!("{base}/waInstance1/receiveNotification/x");
        let deadline = Duration::from_millis(600);
        let started = Instant::now();
        let result = client.exchange(Request {
            call: RECEIVE,
            method: "GET",
            url: &url,
            host: "127.0.0.1",
            body: None,
            deadline,
            idempotent: true,
        });
        let took = started.elapsed();
        match result {
            Err(ApiError::Transient { reason, .. }) => {
                assert!(reason.contains("timed out"), "{reason}")
            }
            Err(other) => panic!("expected a transient timeout, got {other:?}"),
            Ok(answer) => panic!("expected a transient timeout, got HTTP {}", answer.status),
        }
        // 1000 bytes at one per 50 ms would take 50 s: the deadline cut it.
        assert!(
            took >= deadline && took < Duration::from_secs(30),
            "{took:?}"
        );
    }

    #[test]
    fn a_long_poll_may_take_its_wait_plus_a_margin_and_other_calls_thirty_seconds() {
        assert_eq!(long_poll_deadline(Some(5)), Duration::from_secs(20));
        assert_eq!(long_poll_deadline(None), Duration::from_secs(75));
        assert_eq!(CALL_DEADLINE, Duration::from_secs(30));
    }

    /// What a service could answer: any bytes; any JSON value; the documented shapes with
    /// any values in their fields; the array form of an envelope; valid JSON cut short.
    fn bodies() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use crate::notification::json_strategy::{object, value};
        use proptest::prelude::*;
        use serde_json::json;
        let text = |v: serde_json::Value| v.to_string().into_bytes();
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            value().prop_map(text),
            (value(), value()).prop_map(move |(r, b)| text(json!({"receiptId": r, "body": b}))),
            (any::<u64>(), object())
                .prop_map(move |(r, b)| text(json!({"receiptId": r, "body": b}))),
            (any::<u64>(), object()).prop_map(move |(r, b)| text(json!([r, b]))),
            value().prop_map(move |v| text(json!({"result": v}))),
            value().prop_map(move |v| text(json!({"count": v}))),
            (value(), value(), value()).prop_map(move |(c, r, l)| text(
                json!({"isCleared": c, "reason": r, "leftTime": l})
            )),
            value().prop_map(move |v| text(json!({"stateInstance": v}))),
            value().prop_map(move |v| text(json!({"code": v}))),
            (value(), any::<prop::sample::Index>()).prop_map(move |(v, at)| {
                let mut bytes = text(v);
                bytes.truncate(at.index(bytes.len() + 1));
                bytes
            }),
        ]
    }

    fn parsed(body: &[u8]) -> Option<serde_json::Value> {
        serde_json::from_slice(body).ok()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

        /// Every parser of a service answer gives an answer or a typed error, never a
        /// panic; and each answer is what the body says, read from an object only.
        #[test]
        fn every_answer_parser_reads_only_the_documented_object(
            body in bodies(),
            status in proptest::prop_oneof![proptest::strategy::Just(200u16), 100u16..600],
        ) {
            use proptest::prop_assert;
            let client = client_for("http://127.0.0.1:9");
            let answer = Answer { status, retry_after: None, body: body.clone() };
            let value = parsed(&body);
            let field = |name: &str| value.as_ref().filter(|v| v.is_object()).and_then(|v| v.get(name)).cloned();
            match client.receive_answer(&answer) {
                Ok(Some(envelope)) => {
                    let receipt = field("receiptId").and_then(|r| r.as_u64());
                    prop_assert!(receipt == Some(envelope.receipt_id), "{envelope:?}");
                    let inner = field("body");
                    prop_assert!(inner.as_ref().is_some_and(serde_json::Value::is_object));
                    prop_assert!(parsed(envelope.body.get().as_bytes()) == inner);
                }
                Ok(None) => {
                    let trimmed = body.trim_ascii();
                    prop_assert!(trimmed.is_empty() || trimmed == b"null");
                }
                Err(_) => {}
            }
            if let Ok(deleted) = client.delete_answer(&answer) {
                prop_assert!(field("result") == Some(serde_json::Value::Bool(deleted)));
            }
            if let Ok(settings) = client.settings_answer(&answer) {
                prop_assert!(value.as_ref().and_then(|v| v.as_object()) == Some(&settings));
            }
            let ok = (200..300).contains(&status);
            if let Ok(state) = client.state_of(&answer) {
                prop_assert!(field("stateInstance").is_some_and(|s| s.is_string()), "{state}");
            }
            if let (true, Ok(count)) = (ok, whole_queue::count_of(&answer, None)) {
                prop_assert!(field("count").and_then(|c| c.as_u64()) == Some(count));
            }
            if let (true, Ok(_)) = (ok, whole_queue::cleared_of(&answer, None)) {
                prop_assert!(field("isCleared").is_some_and(|c| c.is_boolean()));
            }
            if code_refusal(&body, None).is_some() {
                prop_assert!(field("code").and_then(|c| c.as_u64()).is_some_and(|c| matches!(c, 401 | 403 | 466)));
            }
        }

        /// A documented envelope is always read, and read as it is.
        #[test]
        fn every_documented_envelope_is_read(receipt in proptest::prelude::any::<u64>(), body in crate::notification::json_strategy::object()) {
            let client = client_for("http://127.0.0.1:9");
            let text = serde_json::json!({"receiptId": receipt, "body": body}).to_string();
            let answer = Answer { status: 200, retry_after: None, body: text.into_bytes() };
            let envelope = client.receive_answer(&answer);
            proptest::prop_assert!(
                matches!(&envelope, Ok(Some(e)) if e.receipt_id == receipt && parsed(e.body.get().as_bytes()) == Some(body.clone())),
                "{envelope:?}"
            );
        }
    }
}
