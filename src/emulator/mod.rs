//! `greenq serve`: a local emulator of the GREEN-API queue service, faithful to the
//! specification. hyper on a single-threaded tokio runtime: long polls are futures,
//! so a slow or stuck client never holds up another.

pub mod faults;
mod queue;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Deserialize;
use serde_json::json;

pub use queue::{Instance, MAX_QUEUE_BYTES, QueueFull, Queues, Refusal};

/// Bodies above this are refused with 413.
pub const MAX_BODY: usize = crate::notification::MAX_NOTIFICATION;
/// A client that takes longer than this to send its headers or body is cut off.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// The instance and token of the specification's examples, so that its example notification
/// can be published to the demo instance unchanged.
pub const DEMO_INSTANCE: u64 = 33012345;
/// Not a secret: it is printed in the specification, and the demo instance lives only in the emulator.
pub const DEMO_TOKEN: &str = "e8dc45b249b606615485432f5bb5e29166a7502e7e5ecfeb12";

pub struct Options {
    pub listen: SocketAddr,
    pub accept: Vec<(u64, String)>,
    /// The wait of a receive that sends no receiveTimeout.
    pub wait: Duration,
    pub verbose: bool,
}

pub struct Emulator {
    listener: std::net::TcpListener,
    state: Arc<State>,
    faults: Option<Arc<faults::Faults>>,
}

struct State {
    queues: Queues,
    wait: Duration,
    verbose: bool,
}

impl Emulator {
    /// Binds now, so that the caller knows the port (and any error) before serving.
    pub fn bind(options: Options) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(options.listen)?;
        listener.set_nonblocking(true)?;
        Ok(Emulator {
            listener,
            state: Arc::new(State {
                queues: Queues::new(&options.accept),
                wait: options.wait,
                verbose: options.verbose,
            }),
            faults: None,
        })
    }

    /// Injects faults into a share of the requests (`greenq serve --faults`).
    pub fn with_faults(mut self, faults: Option<faults::Faults>) -> Self {
        self.faults = faults.map(Arc::new);
        self
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes. Blocks the calling thread.
    pub fn run(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        runtime()?.block_on(self.serve(shutdown))
    }

    /// Serves until `shutdown` completes, inside a tokio runtime.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let listener = tokio::net::TcpListener::from_std(self.listener)?;
        tokio::select! {
            () = accept_loop(listener, self.state, self.faults) => {},
            () = shutdown => {},
        }
        Ok(())
    }
}

/// One thread is plenty: every request is a short piece of work or a waiting future.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    state: Arc<State>,
    faults: Option<Arc<faults::Faults>>,
) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: wait a little, never stop serving.
                eprintln!("greenq: serve: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Small answers must not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        if let Some(faults) = &faults {
            tokio::spawn(faults::serve_connection(stream, state, faults.clone()));
            continue;
        }
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(respond(&state, req).await) }
            });
            // A connection that breaks or sends garbage ends here, alone.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(CLIENT_TIMEOUT)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

type Answer = Response<Full<Bytes>>;

async fn respond(state: &State, req: Request<Incoming>) -> Answer {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let answer = route(state, req).await;
    if state.verbose {
        eprintln!(
            "greenq: serve: {method} {} {} {:.1} ms",
            redact_path(&path, &state.queues),
            answer.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    answer
}

/// The path for the log: the segment where a token goes (two after `waInstance{id}`,
/// wherever that is) as `***`, and any hosted token elsewhere too.
fn redact_path(path: &str, queues: &Queues) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    if let Some(i) = parts.iter().position(|p| p.starts_with("waInstance"))
        && let Some(token) = parts.get_mut(i + 2)
    {
        *token = "***";
    }
    queues.redact(&parts.join("/"))
}

async fn route(state: &State, req: Request<Incoming>) -> Answer {
    let path = req.uri().path().to_string();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        [""] => match *req.method() {
            Method::POST => publish(state, req).await,
            _ => wrong_method("POST"),
        },
        [instance, "receiveNotification", token] => {
            if req.method() != Method::GET {
                return wrong_method("GET");
            }
            let receive_timeout = match receive_timeout(req.uri().query()) {
                Ok(t) => t,
                Err(e) => return error(StatusCode::BAD_REQUEST, &e),
            };
            match authorize(state, instance, token) {
                Ok(instance) => receive(instance, receive_timeout.unwrap_or(state.wait)).await,
                Err(answer) => *answer,
            }
        }
        [instance, "deleteNotification", token, receipt] => {
            if req.method() != Method::DELETE {
                return wrong_method("DELETE");
            }
            let instance = match authorize(state, instance, token) {
                Ok(instance) => instance,
                Err(answer) => return *answer,
            };
            match receipt.parse::<u64>() {
                Ok(receipt) => json_answer(
                    StatusCode::OK,
                    json!({"result": instance.delete(receipt)}).to_string(),
                ),
                Err(_) => error(
                    StatusCode::BAD_REQUEST,
                    "receiptId must be a positive integer",
                ),
            }
        }
        _ => error(
            StatusCode::NOT_FOUND,
            "no such method; the emulator serves receiveNotification, deleteNotification and POST /",
        ),
    }
}

fn authorize<'a>(
    state: &'a State,
    instance: &str,
    token: &str,
) -> Result<&'a Instance, Box<Answer>> {
    let id = instance
        .strip_prefix("waInstance")
        .and_then(|id| id.parse::<u64>().ok());
    let Some(id) = id else {
        return Err(Box::new(error(
            StatusCode::NOT_FOUND,
            "the path must start with /waInstance{idInstance}/",
        )));
    };
    state.queues.authorize(id, token).map_err(|refusal| {
        Box::new(match refusal {
            Refusal::UnknownInstance => error(
                StatusCode::FORBIDDEN,
                &format!("instance {id} is not hosted here"),
            ),
            Refusal::WrongToken => error(StatusCode::UNAUTHORIZED, "wrong apiTokenInstance"),
        })
    })
}

/// `receiveTimeout=N` (5..60, as the live service), or none.
fn receive_timeout(query: Option<&str>) -> Result<Option<Duration>, String> {
    let Some(value) = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|p| p.strip_prefix("receiveTimeout="))
    else {
        return Ok(None);
    };
    match value.parse::<u64>() {
        Ok(n @ 5..=60) => Ok(Some(Duration::from_secs(n))),
        _ => Err("receiveTimeout must be a whole number of seconds from 5 to 60".into()),
    }
}

async fn receive(instance: &Instance, wait: Duration) -> Answer {
    match instance.wait_for_head(wait).await {
        Some((receipt, body)) => {
            let mut out = Vec::with_capacity(body.len() + 40);
            out.extend_from_slice(b"{\"receiptId\":");
            out.extend_from_slice(receipt.to_string().as_bytes());
            out.extend_from_slice(b",\"body\":");
            out.extend_from_slice(&body);
            out.push(b'}');
            json_answer(StatusCode::OK, out)
        }
        None => json_answer(StatusCode::OK, "null"),
    }
}

async fn publish(state: &State, req: Request<Incoming>) -> Answer {
    let collected = tokio::time::timeout(
        CLIENT_TIMEOUT,
        Limited::new(req.into_body(), MAX_BODY).collect(),
    )
    .await;
    let body = match collected {
        Ok(Ok(body)) => body.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the body is larger than {} MiB", MAX_BODY >> 20),
            );
        }
        Ok(Err(_)) => return error(StatusCode::BAD_REQUEST, "the body could not be read"),
        Err(_) => {
            return error(
                StatusCode::REQUEST_TIMEOUT,
                "the body took too long to arrive",
            );
        }
    };
    let id = match instance_of(&body) {
        Ok(id) => id,
        Err(problem) => return error(StatusCode::BAD_REQUEST, &problem),
    };
    let Some(instance) = state.queues.get(id) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("instance {id} is not hosted here"),
        );
    };
    // Stored as sent (field order and all), without the white space around it. Copied:
    // a slice would keep hyper's whole read buffer alive, about 12 times the body.
    let trimmed = Bytes::copy_from_slice(body.trim_ascii());
    match instance.push(trimmed) {
        Ok(receipt) => json_answer(
            StatusCode::OK,
            json!({"result": true, "receiptId": receipt}).to_string(),
        ),
        Err(QueueFull) => error(
            StatusCode::INSUFFICIENT_STORAGE,
            &format!(
                "the queue of instance {id} is full ({} MiB); receive and delete first",
                MAX_QUEUE_BYTES >> 20
            ),
        ),
    }
}

/// `body.instanceData.idInstance` of a JSON object; the problem otherwise.
fn instance_of(body: &[u8]) -> Result<u64, String> {
    #[derive(Deserialize)]
    struct Notification {
        #[serde(rename = "instanceData")]
        instance_data: Option<InstanceData>,
    }
    #[derive(Deserialize)]
    struct InstanceData {
        #[serde(rename = "idInstance")]
        id_instance: Option<serde_json::Value>,
    }
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_string())?;
    if !text.trim_start().starts_with('{') {
        return Err("the body must be a JSON object".into());
    }
    let n: Notification =
        serde_json::from_str(text).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    let id = n
        .instance_data
        .and_then(|d| d.id_instance)
        .ok_or("instanceData.idInstance is missing")?;
    id.as_u64()
        .filter(|&id| id > 0)
        .ok_or_else(|| "instanceData.idInstance must be a positive integer".to_string())
}

fn json_answer(status: StatusCode, body: impl Into<Bytes>) -> Answer {
    let mut answer = Response::new(Full::new(body.into()));
    *answer.status_mut() = status;
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    answer
}

fn error(status: StatusCode, message: &str) -> Answer {
    json_answer(status, json!({"error": message}).to_string())
}

fn wrong_method(allowed: &'static str) -> Answer {
    let mut answer = error(StatusCode::METHOD_NOT_ALLOWED, &format!("use {allowed}"));
    answer
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allowed));
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_redacted_for_the_log() {
        let queues = Queues::new(&[(1, "secret".to_string())]);
        let cases = [
            (
                "/waInstance1/receiveNotification/secret",
                "/waInstance1/receiveNotification/***",
            ),
            (
                "/waInstance1/deleteNotification/wrong/5",
                "/waInstance1/deleteNotification/***/5",
            ),
            (
                "//waInstance1/receiveNotification/secret",
                "//waInstance1/receiveNotification/***",
            ),
            (
                "/prefix/waInstance1/receiveNotification/x",
                "/prefix/waInstance1/receiveNotification/***",
            ),
            ("/other/secret/path", "/other/***/path"),
            ("/", "/"),
        ];
        for (path, logged) in cases {
            assert_eq!(redact_path(path, &queues), logged);
        }
    }

    #[test]
    fn receive_timeout_range() {
        assert_eq!(receive_timeout(None), Ok(None));
        assert_eq!(
            receive_timeout(Some("receiveTimeout=5")),
            Ok(Some(Duration::from_secs(5)))
        );
        assert_eq!(
            receive_timeout(Some("x=1&receiveTimeout=60")),
            Ok(Some(Duration::from_secs(60)))
        );
        assert!(receive_timeout(Some("receiveTimeout=4")).is_err());
        assert!(receive_timeout(Some("receiveTimeout=61")).is_err());
        assert!(receive_timeout(Some("receiveTimeout=abc")).is_err());
    }

    #[test]
    fn published_bodies_need_an_integer_instance() {
        assert_eq!(instance_of(br#"{"instanceData":{"idInstance":5}}"#), Ok(5));
        assert!(instance_of(b"[{}]").is_err());
        assert!(instance_of(b"{}").is_err());
        assert!(instance_of(br#"{"instanceData":{"idInstance":"5"}}"#).is_err());
        assert!(instance_of(br#"{"instanceData":{"idInstance":0}}"#).is_err());
        assert!(instance_of(b"{oops").is_err());
        assert!(instance_of(&[b'{', 0xff, b'}']).is_err());
    }
}
