//! Pipelining, `tail`'s default (`--no-pipeline` opts out): once a notification was
//! handled, its delete and the next receive go out in one write on one keep-alive
//! connection (HTTP/1.1 pipelining), and both answers are read in order: one round trip
//! per notification instead of two. ureq cannot pipeline, so this has a connection of its
//! own (`connection`); the answers are classified by the client, as its own are.
//!
//! A pair is sent only when the connection is healthy; the first receive of a run and any
//! request after a fault go out alone. When a pair fails (the server closed the
//! connection after the first answer, sent something unexpected, or cannot be pipelined),
//! the request left unanswered goes again through the client (a GET or a DELETE: both are
//! safe to repeat), and the rest of the run does without pipelining. The settings read
//! at start goes over the same connection, so an instance has one connection. Every
//! request waits for the client's pace first.

mod connection;
mod response;

use std::sync::Arc;
use std::time::Instant;

use ureq::http::Uri;

use crate::config::Credentials;
use crate::notification::Envelope;
use crate::secret::Secret;
use crate::service::answer::{Answer, ApiError, Arrival};
use crate::service::client::{
    CALL_DEADLINE, Client, DELETE, RECEIVE, SETTINGS, long_poll_deadline,
};
use crate::service::queue::{Plain, Queue, Settings};
use crate::service::retry::{Repeat, Retry};
use crate::service::session::Session;
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;

use connection::{Connection, Endpoint, Fault};

/// The queue for `tail`: pipelined where it can be, else plain, with one line saying why.
pub fn queue<'a>(
    session: &'a Session,
    credentials: &Credentials,
    receive_timeout: Option<u32>,
) -> Box<dyn Queue + 'a> {
    let plain = |why: &str| -> Box<dyn Queue + 'a> {
        session.status.line(format_args!(
            "pipelining: {why}; going on without pipelining"
        ));
        Box::new(Plain::new(&session.client, receive_timeout))
    };
    let base = session.config.api_url.as_str();
    let Ok(uri) = base.parse::<Uri>() else {
        return plain("the API URL cannot be read");
    };
    if let Some(proxy) = ureq::Proxy::try_from_env()
        && !proxy.is_no_proxy(&uri)
    {
        return plain("requests go through a proxy (HTTPS_PROXY / ALL_PROXY)");
    }
    let tls = uri.scheme_str() == Some("https");
    let tls = if tls {
        match connection::tls_config() {
            Ok(config) => Some(config),
            Err(e) => return plain(&format!("TLS cannot be set up ({e})")),
        }
    } else {
        None
    };
    let Some(host) = uri.host() else {
        return plain("the API URL has no host");
    };
    let default_port = if tls.is_some() { 443 } else { 80 };
    let port = uri.port_u16().unwrap_or(default_port);
    let host_header = if port == default_port {
        host.to_string()
    } else {
        format!("{host}:{port}")
    };
    let prefix = uri.path().trim_end_matches('/');
    let head = format!("{prefix}/waInstance{}/", credentials.instance);
    let token = credentials.token.expose();
    Box::new(Pipelined {
        client: &session.client,
        status: session.status.clone(),
        interrupt: session.interrupt.clone(),
        secret: credentials.token.clone(),
        endpoint: Endpoint {
            // Brackets belong in the URL and the Host header, not in an address or a name.
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port,
            tls,
        },
        origin: format!("{}://{host_header}", uri.scheme_str().unwrap_or("http")),
        host_header,
        receive_target: format!("{head}receiveNotification/{token}"),
        delete_prefix: format!("{head}deleteNotification/{token}/"),
        settings_target: format!("{head}getSettings/{token}"),
        receive_timeout,
        connection: None,
        in_flight: None,
        off: false,
        request: Vec::with_capacity(1024),
    })
}

pub struct Pipelined<'a> {
    client: &'a Client,
    status: Arc<Status>,
    interrupt: Interrupt,
    secret: Secret,
    endpoint: Endpoint,
    /// `scheme://host[:port]`, for -v.
    origin: String,
    host_header: String,
    /// The request targets; they hold the token.
    receive_target: String,
    delete_prefix: String,
    settings_target: String,
    receive_timeout: Option<u32>,
    connection: Option<Connection>,
    /// A receive sent behind a delete, when, and with what receiveTimeout: its answer is
    /// the next to read.
    in_flight: Option<(Instant, Option<u32>)>,
    /// Pipelining failed once: the rest of the run goes through the client.
    off: bool,
    request: Vec<u8>,
}

/// Why `send_and_read` failed: no connection, or no answer on it.
enum Failed {
    Connect(Fault),
    Read(Fault),
}

#[derive(Clone, Copy)]
enum Call {
    /// With its receiveTimeout.
    Receive(Option<u32>),
    Delete(u64),
    Settings,
}

impl Call {
    /// The API method, as the pace knows it.
    fn method(self) -> &'static str {
        match self {
            Call::Receive(_) => RECEIVE,
            Call::Delete(_) => DELETE,
            Call::Settings => SETTINGS,
        }
    }
}

impl Queue for Pipelined<'_> {
    fn receive(&mut self, retry: &mut Retry) -> Result<Option<Envelope>, ApiError> {
        retry.run(Repeat::Safe, || self.receive_once())
    }

    fn delete(&mut self, retry: &mut Retry, receipt: u64) -> Result<bool, ApiError> {
        retry.run(Repeat::Safe, || self.delete_alone(receipt))
    }

    fn delete_then_receive(&mut self, retry: &mut Retry, receipt: u64) -> Result<bool, ApiError> {
        let mut first = true;
        // Only the first try goes out as a pair: a retry follows a fault, and goes alone.
        retry.run(Repeat::Safe, || {
            if std::mem::take(&mut first) {
                self.pair(receipt)
            } else {
                self.delete_alone(receipt)
            }
        })
    }

    fn set_receive_timeout(&mut self, timeout: Option<u32>) {
        self.receive_timeout = timeout;
    }

    fn settings(&mut self) -> Result<Settings, ApiError> {
        if self.off {
            return self.client.get_settings();
        }
        let answer = self.alone(Call::Settings)?;
        self.client.settings_answer(&answer)
    }
}

impl Pipelined<'_> {
    fn receive_once(&mut self) -> Result<Option<Envelope>, ApiError> {
        // Until the service answered once, receives go through the client, which ends the
        // run at once on a host that cannot be reached (a wrong URL, not an outage).
        if self.off || !self.client.contacted() {
            return self.client.receive(self.receive_timeout);
        }
        if let Some((sent, timeout)) = self.in_flight.take() {
            let deadline = sent + self.deadline(Call::Receive(timeout));
            let read = match self.connection.as_mut() {
                Some(connection) => connection.read_answer(deadline),
                None => Err(Fault::Closed { partial: false }),
            };
            return match read {
                Ok(answer) => {
                    self.answered(Call::Receive(timeout), &answer, sent, true);
                    match self.client.receive_answer(&answer.into()) {
                        Err(ApiError::Unexpected { reason }) => {
                            self.give_up(&format!("the pipelined receive was answered {reason}"));
                            self.client.note_resent();
                            self.client.receive(self.receive_timeout)
                        }
                        // Pipelining may be what garbled it: it stops; the answer is retried
                        // as a malformed one, as without pipelining.
                        Err(e @ ApiError::Malformed { .. }) => {
                            self.give_up(&format!("the pipelined receive was answered {e}"));
                            Err(e)
                        }
                        other => other,
                    }
                }
                Err(_) if self.interrupt.is_set() => {
                    self.connection = None;
                    Err(ApiError::Interrupted)
                }
                Err(fault) => {
                    self.give_up(&format!("the pipelined receive failed: {fault}"));
                    match self.classify(fault) {
                        e @ ApiError::Malformed { .. } => Err(e),
                        // Never answered: sent again at once, quietly (a receive only shows
                        // the head). The service may have gone away (and come back) meanwhile.
                        _ => {
                            self.client.note_resent();
                            self.client.receive(self.receive_timeout)
                        }
                    }
                }
            };
        }
        let answer = self.alone(Call::Receive(self.receive_timeout))?;
        self.client.receive_answer(&answer)
    }

    fn delete_alone(&mut self, receipt: u64) -> Result<bool, ApiError> {
        if self.off {
            return self.client.delete(receipt);
        }
        // A receive still in flight would answer before this delete: it is dropped with
        // the connection, and the next receive goes alone.
        if self.in_flight.take().is_some() {
            self.connection = None;
        }
        let answer = self.alone(Call::Delete(receipt))?;
        self.client.delete_answer(&answer)
    }

    /// The delete of `receipt` and the next receive in one write; reads the delete's answer.
    fn pair(&mut self, receipt: u64) -> Result<bool, ApiError> {
        if self.off {
            return self.client.delete(receipt);
        }
        if self.interrupt.stops_requests() {
            return Err(ApiError::Interrupted);
        }
        if self.in_flight.take().is_some() {
            self.connection = None;
        }
        self.client.wait_for_pace(&[DELETE, RECEIVE])?;
        let mut request = std::mem::take(&mut self.request);
        request.clear();
        self.push_request(&mut request, Call::Delete(receipt));
        let timeout = self.receive_timeout;
        self.push_request(&mut request, Call::Receive(timeout));
        let read = self.send_and_read(&request, Call::Delete(receipt));
        self.request = request;
        let (answer, sent) = match read {
            Ok(read) => read,
            // A server that cannot be reached is a fault like any other, not pipelining's.
            Err(Failed::Connect(fault)) => return Err(self.lone_fault(fault)),
            Err(Failed::Read(_)) if self.interrupt.is_set() => {
                self.connection = None;
                return Err(ApiError::Interrupted);
            }
            Err(Failed::Read(fault)) => {
                self.give_up(&format!("a pipelined delete failed: {fault}"));
                if let e @ ApiError::Malformed { .. } = self.classify(fault) {
                    return Err(e);
                }
                // The pair may have been carried out: its delete goes again.
                self.client.note_resent();
                return self.client.delete(receipt);
            }
        };
        let open = self.answered(Call::Delete(receipt), &answer, sent, true);
        match self.client.delete_answer(&answer.into()) {
            Ok(deleted) => {
                if open {
                    self.in_flight = Some((sent, timeout));
                }
                Ok(deleted)
            }
            Err(ApiError::Unexpected { reason }) => {
                self.give_up(&format!("the pipelined delete was answered {reason}"));
                self.client.note_resent();
                self.client.delete(receipt)
            }
            Err(e @ ApiError::Malformed { .. }) => {
                self.give_up(&format!("the pipelined delete was answered {e}"));
                Err(e)
            }
            Err(e) => {
                // Not deleted for sure: the receive behind it may show the same head again,
                // so its answer is not waited for.
                self.connection = None;
                Err(e)
            }
        }
    }

    /// One request on its own, answered.
    fn alone(&mut self, call: Call) -> Result<Answer, ApiError> {
        if self.interrupt.stops_requests() {
            return Err(ApiError::Interrupted);
        }
        self.client.wait_for_pace(&[call.method()])?;
        let mut request = std::mem::take(&mut self.request);
        request.clear();
        self.push_request(&mut request, call);
        let read = self.send_and_read(&request, call);
        self.request = request;
        match read {
            Ok((answer, sent)) => {
                self.answered(call, &answer, sent, false);
                Ok(answer.into())
            }
            Err(Failed::Connect(fault) | Failed::Read(fault)) => Err(self.lone_fault(fault)),
        }
    }

    /// Sends `request` (`call` alone, or a pair that starts with it) and reads the first
    /// answer. The server may close a kept-alive connection just as a request comes (a
    /// keep-alive timeout, a limit of requests per connection): when no byte of answer came,
    /// the request goes again once, quietly, on a new connection, as the client does with
    /// its own (and Go's net/http with an idempotent request); only a second failure is one.
    /// Every request here is a GET or a DELETE: safe to repeat.
    fn send_and_read(
        &mut self,
        request: &[u8],
        call: Call,
    ) -> Result<(connection::Answer, Instant), Failed> {
        let mut fresh_connection_tried = false;
        let wait = self.deadline(call);
        loop {
            let connection = self.connect().map_err(Failed::Connect)?;
            let (reused, before) = (connection.reused(), connection.received());
            let sent = Instant::now();
            let read = connection
                .send(request)
                .and_then(|()| connection.read_answer(sent + wait));
            let fault = match read {
                Ok(answer) => return Ok((answer, sent)),
                Err(fault) => fault,
            };
            let unanswered = self
                .connection
                .as_ref()
                .is_some_and(|c| c.received() == before);
            if !(reused
                && unanswered
                && fault.is_drop()
                && !fresh_connection_tried
                && !self.interrupt.is_set())
            {
                return Err(Failed::Read(fault));
            }
            fresh_connection_tried = true;
            self.connection = None;
            self.client.note_resent();
            if self.status.is_verbose() {
                // Redacted whole, as every line that quotes a fault is.
                let line = self.secret.redact(&format!(
                    "{} on a kept-alive connection that the server closed ({fault}); sending it on a new one",
                    self.shown(call)
                ));
                self.status.exchange(format_args!("{line}"));
            }
        }
    }

    /// A request sent alone failed: the connection goes, and the fault is classified.
    fn lone_fault(&mut self, fault: Fault) -> ApiError {
        self.connection = None;
        if self.interrupt.is_set() {
            return ApiError::Interrupted;
        }
        self.classify(fault)
    }

    /// How long the answer to `call` may take, as the client allows it.
    fn deadline(&self, call: Call) -> std::time::Duration {
        match call {
            Call::Receive(timeout) => long_poll_deadline(timeout),
            Call::Delete(_) | Call::Settings => CALL_DEADLINE,
        }
    }

    fn connect(&mut self) -> Result<&mut Connection, Fault> {
        let connection = match self.connection.take() {
            Some(connection) if connection.is_open() => connection,
            _ => Connection::open(&self.endpoint, &self.interrupt)?,
        };
        Ok(self.connection.insert(connection))
    }

    fn push_request(&self, request: &mut Vec<u8>, call: Call) {
        match call {
            Call::Receive(timeout) => {
                request.extend_from_slice(b"GET ");
                request.extend_from_slice(self.receive_target.as_bytes());
                if let Some(n) = timeout {
                    request.extend_from_slice(format!("?receiveTimeout={n}").as_bytes());
                }
            }
            Call::Delete(receipt) => {
                request.extend_from_slice(b"DELETE ");
                request.extend_from_slice(self.delete_prefix.as_bytes());
                request.extend_from_slice(receipt.to_string().as_bytes());
            }
            Call::Settings => {
                request.extend_from_slice(b"GET ");
                request.extend_from_slice(self.settings_target.as_bytes());
            }
        }
        request.extend_from_slice(b" HTTP/1.1\r\nhost: ");
        request.extend_from_slice(self.host_header.as_bytes());
        request.extend_from_slice(
            concat!(
                "\r\nuser-agent: greenq/",
                env!("CARGO_PKG_VERSION"),
                "\r\naccept: */*\r\n\r\n"
            )
            .as_bytes(),
        );
    }

    /// Notes an answer: -v shows it; a closing server drops the connection. Returns
    /// whether the connection stays open.
    fn answered(
        &mut self,
        call: Call,
        answer: &connection::Answer,
        sent: Instant,
        paired: bool,
    ) -> bool {
        if self.status.is_verbose() {
            let how = if paired { ", pipelined" } else { "" };
            self.status.exchange(format_args!(
                "{} {} {:.0} ms{how}",
                self.shown(call),
                answer.status,
                sent.elapsed().as_secs_f64() * 1000.0
            ));
        }
        if answer.close {
            self.connection = None;
            self.in_flight = None;
        }
        !answer.close
    }

    /// `METHOD URL` of `call`, the token redacted: for -v.
    fn shown(&self, call: Call) -> String {
        let (method, target) = match call {
            Call::Receive(timeout) => {
                let query = timeout.map_or_else(String::new, |n| format!("?receiveTimeout={n}"));
                ("GET", format!("{}{query}", self.receive_target))
            }
            Call::Delete(receipt) => ("DELETE", format!("{}{receipt}", self.delete_prefix)),
            Call::Settings => ("GET", self.settings_target.clone()),
        };
        let shown = self.secret.redact(&format!("{}{target}", self.origin));
        format!("{method} {shown}")
    }

    /// No more pipelining in this run; one line says why.
    fn give_up(&mut self, why: &str) {
        self.connection = None;
        self.in_flight = None;
        if !self.off {
            self.off = true;
            self.status.line(fallback_line(why, &self.secret));
        }
    }

    fn classify(&self, fault: Fault) -> ApiError {
        classify(fault, &self.secret)
    }
}

/// The one line that says pipelining stopped, and why.
fn fallback_line(why: &str, secret: &Secret) -> String {
    format!(
        "pipelining: {}; going on without pipelining",
        secret.redact(why)
    )
}

/// A fault of a request sent alone, classified as the client classifies ureq's after
/// the first answer (pipelining starts only then): an outage, retried.
fn classify(fault: Fault, secret: &Secret) -> ApiError {
    let text = secret.redact(&fault.to_string());
    if fault.tls().is_some() {
        return ApiError::Transient {
            reason: format!(
                "TLS failed: {text}; if a corporate CA signs this host, add it to the system's trust store"
            ),
            retry_after: None,
            arrival: Arrival::Unknown,
        };
    }
    match fault {
        // The service answered, too much to be the documented answer.
        Fault::TooLarge | Fault::HeadTooLarge => ApiError::Malformed { reason: text },
        _ if fault.is_timeout() => ApiError::Transient {
            reason: format!("timed out ({text})"),
            retry_after: None,
            arrival: Arrival::Unknown,
        },
        _ => ApiError::Transient {
            reason: format!("connection failed: {text}"),
            retry_after: None,
            arrival: Arrival::Unknown,
        },
    }
}

impl From<connection::Answer> for Answer {
    fn from(answer: connection::Answer) -> Self {
        Answer {
            status: answer.status,
            retry_after: answer.retry_after,
            body: answer.body,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    const TOKEN: &str = "tok3n-S3CRET-4f9a2c71e0b8d5";

    fn reason(e: &ApiError) -> String {
        format!("{e:?}")
    }

    #[test]
    fn no_message_of_the_pipeline_carries_the_token() {
        let secret = Secret::new(TOKEN).unwrap();
        let path = format!("/waInstance1/receiveNotification/{TOKEN}");
        let faults = [
            Fault::Malformed(format!("an answer quoting {path}")),
            Fault::Io(io::Error::other(format!("refused for {path}"))),
            Fault::Io(io::Error::new(io::ErrorKind::TimedOut, path.clone())),
            Fault::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                rustls::Error::General(path.clone()),
            )),
            Fault::Closed { partial: true },
            Fault::TooLarge,
        ];
        for fault in faults {
            let shown = reason(&classify(fault, &secret));
            assert!(!shown.contains(TOKEN), "{shown}");
            assert!(
                shown.contains("***") || !shown.contains("waInstance"),
                "{shown}"
            );
        }
        let line = fallback_line(
            &format!("the pipelined receive was answered {path}"),
            &secret,
        );
        assert!(!line.contains(TOKEN) && line.contains("***"), "{line}");
    }

    #[test]
    fn faults_are_classified_as_the_client_classifies_ureqs() {
        let secret = Secret::new(TOKEN).unwrap();
        let timeout = Fault::Io(io::Error::new(io::ErrorKind::WouldBlock, "x"));
        assert!(
            matches!(classify(timeout, &secret), ApiError::Transient { reason, .. } if reason.starts_with("timed out"))
        );
        let tls = Fault::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::General("bad certificate".into()),
        ));
        assert!(
            matches!(classify(tls, &secret), ApiError::Transient { reason, .. } if reason.starts_with("TLS failed"))
        );
        assert!(matches!(
            classify(Fault::Closed { partial: false }, &secret),
            ApiError::Transient { .. }
        ));
        assert!(matches!(
            classify(Fault::TooLarge, &secret),
            ApiError::Malformed { .. }
        ));
        assert!(matches!(
            classify(Fault::HeadTooLarge, &secret),
            ApiError::Malformed { .. }
        ));
    }

    #[test]
    fn the_tls_configuration_builds() {
        assert!(connection::tls_config().is_ok());
    }
}
