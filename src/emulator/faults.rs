//! `greenq serve --faults RATE [--seed N]`: a chaos mode. Each request meets, with
//! probability RATE, one of the transient faults the live service shows, so that a consumer
//! can be tested against them. Never a credentials or quota refusal: those stop a client
//! and belong to explicit tests.
//!
//! Connections of an emulator with faults are served here, by a service of their own;
//! without faults the emulator's path is the plain one in `mod.rs`, untouched.

use std::fmt;
use std::future::Future as _;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use super::routes::{redact_partner, redact_path, respond};
use super::shared::{Answer, State, http1};

/// How long a slow answer is held before it is sent.
pub const SLOW: Duration = Duration::from_secs(2);
/// The `Retry-After` of an injected 429, in seconds.
pub const RETRY_AFTER_SECS: u64 = 1;

/// The faults, in the order a draw picks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After`; nothing done.
    TooManyRequests,
    /// 500; nothing done.
    Internal,
    /// 502; nothing done.
    BadGateway,
    /// 503; nothing done.
    Unavailable,
    /// The connection is closed before the request is carried out.
    DropBefore,
    /// The request is carried out (a delete happened, a publish was queued), then the
    /// connection is closed with no answer.
    DropAfter,
    /// Carried out; the answer's head announces its whole length, half the body follows,
    /// then the connection is closed.
    CutShort,
    /// Carried out after a pause of `SLOW`, then answered in full.
    Slow,
}

impl Fault {
    pub const ALL: [Fault; 8] = [
        Fault::TooManyRequests,
        Fault::Internal,
        Fault::BadGateway,
        Fault::Unavailable,
        Fault::DropBefore,
        Fault::DropAfter,
        Fault::CutShort,
        Fault::Slow,
    ];

    /// The name in the `-v` log.
    pub fn name(self) -> &'static str {
        match self {
            Fault::TooManyRequests => "429 with Retry-After",
            Fault::Internal => "500",
            Fault::BadGateway => "502",
            Fault::Unavailable => "503",
            Fault::DropBefore => "connection dropped before processing",
            Fault::DropAfter => "connection dropped after processing (answer lost)",
            Fault::CutShort => "answer cut short",
            Fault::Slow => "slow answer",
        }
    }
}

/// The share of requests that meet a fault, and the generator that picks them.
pub struct Faults {
    rate: f64,
    seed: u64,
    rng: Mutex<fastrand::Rng>,
    /// Faults to inject first, one per request, before the draws (for tests).
    script: Mutex<std::collections::VecDeque<Option<Fault>>>,
}

impl Faults {
    /// `rate` in 0..=1; the same `seed` gives the same sequence of faults, request by
    /// request in the order they arrive.
    pub fn new(rate: f64, seed: u64) -> Faults {
        Faults {
            rate: rate.clamp(0.0, 1.0),
            seed,
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            script: Mutex::new(Default::default()),
        }
    }

    /// Requests meet these first, in order (`None`: no fault), then the draws.
    pub fn scripted(script: Vec<Option<Fault>>) -> Faults {
        let faults = Faults::new(0.0, 0);
        *lock(&faults.script) = script.into();
        faults
    }

    pub fn rate(&self) -> f64 {
        self.rate
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// One draw per request: whether it meets a fault and which.
    pub fn draw(&self) -> Option<Fault> {
        if let Some(next) = lock(&self.script).pop_front() {
            return next;
        }
        pick(self.rate, lock(&self.rng).f64())
    }
}

/// A draw `x` in [0, 1) below `rate` is a fault; where it falls below picks which, evenly.
fn pick(rate: f64, x: f64) -> Option<Fault> {
    if x >= rate {
        return None;
    }
    let i = (x / rate * Fault::ALL.len() as f64) as usize;
    Some(Fault::ALL[i.min(Fault::ALL.len() - 1)])
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock only means a panic elsewhere; the generator is still good.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Returned by the service to make hyper close the connection with no answer.
#[derive(Debug)]
struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped on purpose (--faults)")
    }
}

impl std::error::Error for Dropped {}

type FaultyBody = Either<Full<Bytes>, CutShort>;

/// Serves one connection, injecting faults. The builder's settings are the plain path's.
/// The chat page's own routes never meet a fault.
pub(super) async fn serve_connection(
    stream: tokio::net::TcpStream,
    local: Option<std::net::SocketAddr>,
    state: Arc<State>,
    faults: Arc<Faults>,
) {
    let service = hyper::service::service_fn(move |req| {
        let (state, faults) = (state.clone(), faults.clone());
        async move {
            if super::chat::page::is_page(&req) {
                let answer = super::chat::page::respond(&state, local, req).await;
                return Ok(answer.map(|body| match body {
                    Either::Left(full) => Either::Left(Either::Left(full)),
                    Either::Right(events) => Either::Right(events),
                }));
            }
            answer(&state, &faults, req)
                .await
                .map(|answer| answer.map(Either::Left))
        }
    });
    let _ = http1()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn answer(
    state: &State,
    faults: &Faults,
    req: Request<Incoming>,
) -> Result<Response<FaultyBody>, Dropped> {
    let Some(fault) = faults.draw() else {
        return Ok(respond(state, req).await.map(Either::Left));
    };
    if state.verbose {
        crate::ewriteln!(
            "greenq: serve: fault: {} {}: {}",
            req.method(),
            redact_partner(state, redact_path(req.uri().path(), &state.queues)),
            fault.name()
        );
    }
    let refuse = |status: StatusCode, message: &str| Ok(error(status, message).map(Either::Left));
    match fault {
        Fault::TooManyRequests => {
            let mut answer = error(
                StatusCode::TOO_MANY_REQUESTS,
                "too many requests (injected by --faults)",
            );
            answer
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
            Ok(answer.map(Either::Left))
        }
        Fault::Internal => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error (injected by --faults)",
        ),
        Fault::BadGateway => refuse(
            StatusCode::BAD_GATEWAY,
            "bad gateway (injected by --faults)",
        ),
        Fault::Unavailable => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "service unavailable (injected by --faults)",
        ),
        Fault::DropBefore => Err(Dropped),
        Fault::DropAfter => {
            let _ = respond(state, req).await;
            Err(Dropped)
        }
        Fault::CutShort => {
            let (mut parts, body) = respond(state, req).await.into_parts();
            // A `Full` body is ready at once and cannot fail.
            let whole = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            parts
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(whole.len()));
            let half = whole.slice(..whole.len() / 2);
            Ok(Response::from_parts(
                parts,
                Either::Right(CutShort::new(half)),
            ))
        }
        Fault::Slow => {
            tokio::time::sleep(SLOW).await;
            Ok(respond(state, req).await.map(Either::Left))
        }
    }
}

/// `{"error": message}` with `status`.
fn error(status: StatusCode, message: &str) -> Answer {
    let body = serde_json::json!({ "error": message }).to_string();
    let mut answer = Response::new(Full::new(Bytes::from(body)));
    *answer.status_mut() = status;
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    answer
}

/// A body that sends its part, waits a moment (so that hyper flushes the head and the
/// part: it does not flush before failing), then fails, which makes hyper close the
/// connection short of the announced length.
struct CutShort {
    part: Option<Bytes>,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl CutShort {
    fn new(part: Bytes) -> CutShort {
        CutShort {
            part: Some(part),
            pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
        }
    }
}

impl Body for CutShort {
    type Data = Bytes;
    type Error = Dropped;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Dropped>>> {
        if let Some(part) = self.part.take().filter(|p| !p.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(part))));
        }
        match self.pause.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Dropped))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        false
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_below_the_rate_are_faults_spread_over_every_kind() {
        assert_eq!(pick(0.0, 0.0), None);
        assert_eq!(pick(0.3, 0.3), None);
        assert_eq!(pick(0.3, 0.99), None);
        assert_eq!(pick(1.0, 0.0), Some(Fault::TooManyRequests));
        assert_eq!(pick(1.0, 0.999_999), Some(Fault::Slow));
        let kinds: Vec<_> = (0..8).map(|i| pick(0.5, (i as f64 + 0.5) / 16.0)).collect();
        assert_eq!(kinds, Fault::ALL.map(Some).to_vec());
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let run = |seed| {
            let faults = Faults::new(0.3, seed);
            (0..500).map(|_| faults.draw()).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let share = run(7).iter().filter(|f| f.is_some()).count();
        assert!((100..200).contains(&share), "{share} faults in 500 at 0.3");
    }

    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{SocketAddr, TcpStream};

    use crate::emulator::{Emulator, Options};

    const PATH_TOKEN: &str = "s3cret-faults-token";
    const NOTIFICATION: &str = r#"{"typeWebhook":"x","instanceData":{"idInstance":1}}"#;

    /// An emulator in this process whose requests meet `script`, then no fault.
    fn start(script: Vec<Option<Fault>>) -> SocketAddr {
        let emulator = Emulator::bind(Options {
            listen: "127.0.0.1:0".parse().expect("address"),
            accept: vec![(1, PATH_TOKEN.to_string())],
            wait: Duration::ZERO,
            verbose: false,
            first_receipt: 1,
        })
        .expect("bind")
        .with_faults(Some(Faults::scripted(script)));
        let addr = emulator.local_addr().expect("address");
        std::thread::spawn(move || emulator.run(std::future::pending()));
        addr
    }

    fn request(method: &str, path: &str, body: &str) -> String {
        format!(
            "{method} {path} HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    }

    fn receive() -> String {
        request(
            "GET",
            &format!("/waInstance1/receiveNotification/{PATH_TOKEN}"),
            "",
        )
    }

    fn publish() -> String {
        request("POST", "/", NOTIFICATION)
    }

    /// Status, headers (lower case), and the body as far as it came; reads one answer.
    fn read_answer(reader: &mut impl BufRead) -> Option<(u16, String, Vec<u8>)> {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            head.push_str(&line.to_ascii_lowercase());
            if line == "\r\n" {
                break;
            }
        }
        let status = head.split_whitespace().nth(1)?.parse().ok()?;
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let mut body = Vec::new();
        let _ = reader.take(length as u64).read_to_end(&mut body);
        Some((status, head, body))
    }

    /// Sends one request on a new connection; the answer, or `None` when the connection
    /// was closed with nothing sent back.
    fn once(addr: SocketAddr, raw: &str) -> Option<(u16, String, Vec<u8>)> {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.write_all(raw.as_bytes()).expect("send");
        read_answer(&mut BufReader::new(stream))
    }

    #[test]
    fn refusals_are_answers_on_a_connection_that_stays_open() {
        let addr = start(vec![
            Some(Fault::TooManyRequests),
            Some(Fault::Internal),
            Some(Fault::BadGateway),
            Some(Fault::Unavailable),
        ]);
        let stream = TcpStream::connect(addr).expect("connect");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut writer = stream;
        let mut statuses = Vec::new();
        for _ in 0..5 {
            writer.write_all(receive().as_bytes()).expect("send");
            let (status, head, body) = read_answer(&mut reader).expect("an answer");
            if status == 429 {
                assert!(head.contains("retry-after: 1\r\n"), "{head}");
            }
            assert!(!String::from_utf8_lossy(&body).contains(PATH_TOKEN));
            statuses.push(status);
        }
        assert_eq!(statuses, [429, 500, 502, 503, 200]);
    }

    #[test]
    fn a_drop_before_processing_does_nothing_and_a_drop_after_did_it() {
        let addr = start(vec![Some(Fault::DropBefore), Some(Fault::DropAfter)]);
        assert!(
            once(addr, &publish()).is_none(),
            "dropped before: no answer"
        );
        assert!(once(addr, &publish()).is_none(), "dropped after: no answer");
        // Exactly one was queued: the second.
        let (status, _, body) = once(addr, &receive()).expect("receive");
        assert_eq!(status, 200);
        let envelope: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(envelope["receiptId"], 1);
        let delete = |receipt: u64| {
            request(
                "DELETE",
                &format!("/waInstance1/deleteNotification/{PATH_TOKEN}/{receipt}"),
                "",
            )
        };
        assert_eq!(
            once(addr, &delete(1)).expect("delete").2,
            br#"{"result":true}"#
        );
        assert_eq!(once(addr, &receive()).expect("receive").2, b"null");
    }

    #[test]
    fn a_cut_short_answer_announces_more_than_it_sends_and_was_carried_out() {
        let addr = start(vec![None, Some(Fault::CutShort), Some(Fault::CutShort)]);
        assert_eq!(once(addr, &publish()).expect("publish").0, 200);
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.write_all(receive().as_bytes()).expect("send");
        let mut all = Vec::new();
        // Reads to the close: the connection ends short of the announced length.
        let _ = stream.read_to_end(&mut all);
        let text = String::from_utf8_lossy(&all).to_string();
        let (head, body) = text.split_once("\r\n\r\n").expect("a head came");
        let length: usize = head
            .to_ascii_lowercase()
            .lines()
            .find_map(|l| {
                l.strip_prefix("content-length:")
                    .map(|v| v.trim().to_string())
            })
            .and_then(|v| v.parse().ok())
            .expect("content-length");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(length > 10, "the whole envelope is announced: {length}");
        assert_eq!(body.len(), length / 2, "half the body: {body}");
        // A cut-short publish was queued all the same.
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.write_all(publish().as_bytes()).expect("send");
        let _ = stream.read_to_end(&mut Vec::new());
        let (_, _, body) = once(addr, &receive()).expect("receive");
        assert!(String::from_utf8_lossy(&body).contains("\"receiptId\":1"));
        let second = request(
            "DELETE",
            &format!("/waInstance1/deleteNotification/{PATH_TOKEN}/2"),
            "",
        );
        assert_eq!(
            once(addr, &second).expect("delete").2,
            br#"{"result":true}"#
        );
    }

    #[test]
    fn a_slow_answer_comes_in_full_after_the_pause() {
        let addr = start(vec![Some(Fault::Slow)]);
        let started = std::time::Instant::now();
        let (status, _, body) = once(addr, &receive()).expect("an answer");
        assert!(started.elapsed() >= SLOW);
        assert_eq!((status, body.as_slice()), (200, &b"null"[..]));
    }

    #[test]
    fn a_script_comes_first() {
        let faults = Faults::scripted(vec![Some(Fault::Slow), None]);
        assert_eq!(faults.draw(), Some(Fault::Slow));
        assert_eq!(faults.draw(), None);
        assert_eq!(faults.draw(), None);
    }
}
