//! Webhook push: while an instance's `webhookUrl` is set, a published notification is
//! POSTed there instead of queued, as the live service does. One lane per instance
//! delivers in order, one at a time; a notification that was not answered with 200 (or
//! not at all within the timeout) is sent again after a pause.
//!
//! The HTTP client is hyper's own (hyper-util's pooled client over HTTP/1), running as a
//! task on the emulator's single-threaded runtime: a waiting push is a future like a long
//! poll, so it needs no thread of its own and holds up no request; a blocking client
//! (ureq) would need a thread per instance to do the same.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::mpsc;

use super::queue::{MAX_QUEUE_BYTES, QueueFull, Queues};
use super::settings::Accounts;

/// The live service's pause before it sends a refused notification again.
pub const DEFAULT_RETRY: Duration = Duration::from_secs(60);
/// The live service's wait for a webhook's answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(180);

pub struct Pusher {
    shared: Arc<Shared>,
    pub retry: Duration,
    pub timeout: Duration,
    lanes: Mutex<HashMap<u64, Lane>>,
}

/// What every lane reads: the current settings, the queues (a notification whose URL was
/// cleared meanwhile is queued instead), the client.
struct Shared {
    accounts: Arc<Accounts>,
    queues: Arc<Queues>,
    client: Client<HttpConnector, Full<Bytes>>,
    verbose: bool,
}

struct Lane {
    sender: mpsc::UnboundedSender<Bytes>,
    /// Notifications handed to the lane and not yet delivered or queued, and their bytes
    /// (held to the queue's limit: a dead webhook must not take the machine's memory).
    pending: Arc<Pending>,
}

#[derive(Default)]
struct Pending {
    count: AtomicUsize,
    bytes: AtomicUsize,
}

impl Pusher {
    pub fn new(accounts: Arc<Accounts>, queues: Arc<Queues>, verbose: bool) -> Self {
        let client = Client::builder(TokioExecutor::new()).build_http();
        Pusher {
            shared: Arc::new(Shared {
                accounts,
                queues,
                client,
                verbose,
            }),
            retry: DEFAULT_RETRY,
            timeout: DEFAULT_TIMEOUT,
            lanes: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the instance's lane still holds notifications: new ones must go behind them,
    /// even when `webhookUrl` was cleared meanwhile, to keep the order.
    pub fn busy(&self, id: u64) -> bool {
        self.lock()
            .get(&id)
            .is_some_and(|lane| lane.pending.count.load(Ordering::SeqCst) > 0)
    }

    /// How many notifications wait in the instance's lane to be pushed.
    pub fn pending(&self, id: u64) -> usize {
        self.lock()
            .get(&id)
            .map_or(0, |lane| lane.pending.count.load(Ordering::SeqCst))
    }

    /// Hands a notification to the instance's lane (started on first use; needs the runtime).
    pub fn enqueue(&self, id: u64, body: Bytes) -> Result<(), QueueFull> {
        let mut lanes = self.lock();
        let lane = lanes.entry(id).or_insert_with(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            let pending = Arc::new(Pending::default());
            tokio::spawn(run_lane(
                id,
                receiver,
                pending.clone(),
                self.shared.clone(),
                self.retry,
                self.timeout,
            ));
            Lane { sender, pending }
        });
        let size = body.len();
        if lane.pending.bytes.load(Ordering::SeqCst) + size > MAX_QUEUE_BYTES {
            return Err(QueueFull);
        }
        lane.pending.count.fetch_add(1, Ordering::SeqCst);
        lane.pending.bytes.fetch_add(size, Ordering::SeqCst);
        if lane.sender.send(body).is_err() {
            // The lane's task is gone (the runtime is stopping): nothing will deliver.
            lane.pending.count.fetch_sub(1, Ordering::SeqCst);
            lane.pending.bytes.fetch_sub(size, Ordering::SeqCst);
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Lane>> {
        self.lanes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Marks a push, so that an emulator whose webhookUrl points at itself refuses it instead
/// of queueing (and pushing) it again, in an endless loop.
pub const PUSHED: &str = "x-greenq-pushed";

async fn run_lane(
    id: u64,
    mut receiver: mpsc::UnboundedReceiver<Bytes>,
    pending: Arc<Pending>,
    shared: Arc<Shared>,
    retry: Duration,
    timeout: Duration,
) {
    while let Some(body) = receiver.recv().await {
        let mut attempt = 1u32;
        loop {
            let outcome = match shared.accounts.webhook(id) {
                Some((url, token)) => {
                    let started = Instant::now();
                    let result = post(&shared.client, &url, token, body.clone(), timeout).await;
                    shared.log(id, &url, attempt, started, &result);
                    result.map(|_| ())
                }
                // webhookUrl was cleared: the notification goes to the queue after all.
                None => match shared.queues.get(id).map(|i| i.push(body.clone())) {
                    Some(Err(_)) => Err(format!("instance {id}: the queue is full")),
                    _ => Ok(()),
                },
            };
            if outcome.is_ok() {
                break;
            }
            // The live service waits a constant 60 s; a shorter --push-retry doubles up to
            // that, so that a tuned emulator never storms a webhook that keeps failing.
            let pause = retry
                .saturating_mul(1u32 << (attempt - 1).min(12))
                .min(retry.max(DEFAULT_RETRY));
            attempt = attempt.saturating_add(1);
            tokio::time::sleep(pause).await;
        }
        pending.bytes.fetch_sub(body.len(), Ordering::SeqCst);
        pending.count.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One POST; the status when it is 200, what went wrong otherwise.
async fn post(
    client: &Client<HttpConnector, Full<Bytes>>,
    url: &str,
    token: Option<String>,
    body: Bytes,
    timeout: Duration,
) -> Result<StatusCode, String> {
    let mut request = Request::post(url)
        .header(CONTENT_TYPE, "application/json")
        .header(PUSHED, "1");
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let request = request
        .body(Full::new(body))
        .map_err(|_| "the webhookUrl is not a usable URL".to_string())?;
    let exchange = async {
        let answer = client.request(request).await.map_err(|e| {
            // hyper-util's message alone ("client error (Connect)") hides the cause.
            let cause = std::error::Error::source(&e)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            format!("{e}{cause}")
        })?;
        let status = answer.status();
        answer
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("the answer broke off: {e}"))?;
        Ok(status)
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(Ok(StatusCode::OK)) => Ok(StatusCode::OK),
        Ok(Ok(status)) => Err(format!("HTTP {}", status.as_u16())),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs_f64())),
    }
}

impl Shared {
    fn log(
        &self,
        id: u64,
        url: &str,
        attempt: u32,
        started: Instant,
        result: &Result<StatusCode, String>,
    ) {
        if !self.verbose {
            return;
        }
        let outcome = match result {
            Ok(_) => "200 delivered".to_string(),
            Err(e) => format!("failed ({e}); sent again after the pause"),
        };
        crate::ewriteln!(
            "greenq: serve: push instance {id} attempt {attempt} POST {} {outcome} {:.1} ms",
            self.queues.redact(url),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}
