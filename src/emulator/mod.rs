//! `greenq serve`: a local emulator of the GREEN-API queue service, faithful to the
//! specification. hyper on a single-threaded tokio runtime: long polls are futures,
//! so a slow or stuck client never holds up another.

pub mod accept_file;
mod body;
mod chat;
pub mod faults;
mod partner;
mod push;
mod queue;
mod rate_limit;
mod routes;
mod settings;
mod shared;
mod whole_queue;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;

pub use push::{DEFAULT_RETRY as DEFAULT_PUSH_RETRY, DEFAULT_TIMEOUT as DEFAULT_PUSH_TIMEOUT};
pub use queue::{Instance, MAX_QUEUE_BYTES, QueueFull, Queues, Refusal, first_receipt_now};
pub use settings::InstanceState;

pub use shared::MAX_BODY;
pub use whole_queue::DEFAULT_CLEAR_INTERVAL;

use push::Pusher;
use routes::respond;
use settings::Accounts;
use shared::{State, http1};

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
    /// The first receipt id of every queue (`first_receipt_now()` unless told).
    pub first_receipt: u64,
}

pub struct Emulator {
    listener: std::net::TcpListener,
    state: Arc<State>,
    faults: Option<Arc<faults::Faults>>,
}

/// How many connections may wait to be accepted. std listens with 128: a tail of 1,000
/// instances connecting at once overflowed it, and each connection dropped waited 1 s (then
/// 3 s) for its SYN to be sent again.
const BACKLOG: libc::c_int = 4096;

fn widen_backlog(listener: &std::net::TcpListener) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: listen(2) again on a socket we own and listen on changes only its backlog
    // (the kernel caps it at net.core.somaxconn).
    if unsafe { libc::listen(listener.as_raw_fd(), BACKLOG) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

impl Emulator {
    /// Binds now, so that the caller knows the port (and any error) before serving.
    pub fn bind(options: Options) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(options.listen)?;
        widen_backlog(&listener)?;
        listener.set_nonblocking(true)?;
        let queues = Arc::new(Queues::new(&options.accept, options.first_receipt));
        let accounts = Arc::new(Accounts::new(options.accept.iter().map(|(id, _)| *id)));
        Ok(Emulator {
            listener,
            state: Arc::new(State {
                push: Pusher::new(accounts.clone(), queues.clone(), options.verbose),
                queues,
                wait: options.wait,
                verbose: options.verbose,
                accounts,
                instance_state: InstanceState::Authorized,
                whole: whole_queue::WholeQueue::default(),
                partner: None,
                rate_limit: None,
                chats: chat::Chats::new(options.accept.iter().map(|(id, _)| *id)),
                me: std::sync::OnceLock::new(),
            }),
            faults: None,
        })
    }

    /// The state every hosted instance reports (getStateInstance); `authorized` unless set.
    pub fn with_instance_state(mut self, state: InstanceState) -> Self {
        if let Some(s) = Arc::get_mut(&mut self.state) {
            s.instance_state = state;
        }
        self
    }

    /// The pause before a push is sent again, and the wait for a webhook's answer.
    pub fn with_push_timing(mut self, retry: Duration, timeout: Duration) -> Self {
        if let Some(s) = Arc::get_mut(&mut self.state) {
            s.push.retry = retry;
            s.push.timeout = timeout;
        }
        self
    }

    /// `getWebhooksCount` refreshed only this often (`None`: exact), and one
    /// `clearWebhooksQueue` per `clear_interval`.
    pub fn with_whole_queue(
        mut self,
        count_refresh: Option<Duration>,
        clear_interval: Duration,
    ) -> Self {
        if let Some(s) = Arc::get_mut(&mut self.state) {
            s.whole.count_refresh = count_refresh;
            s.whole.clear_interval = clear_interval;
        }
        self
    }

    /// Serves the Partner API's getInstances for every hosted instance (`--partner-token`);
    /// `names` gives instances a name (else `instance ID`).
    pub fn with_partner(
        mut self,
        token: String,
        hosted: &[(u64, String)],
        names: &[(u64, String)],
    ) -> Self {
        let instances = hosted
            .iter()
            .map(|(id, tok)| {
                let name = names
                    .iter()
                    .find(|(n, _)| n == id)
                    .map_or_else(|| format!("instance {id}"), |(_, name)| name.clone());
                (*id, tok.clone(), name)
            })
            .collect();
        if let Some(s) = Arc::get_mut(&mut self.state) {
            s.partner = Some(partner::Partner::new(token, instances));
        }
        self
    }

    /// At most `n` requests per second of each method per instance (`serve --rate-limit`).
    pub fn with_rate_limit(mut self, n: Option<u32>) -> Self {
        if let Some(s) = Arc::get_mut(&mut self.state) {
            s.rate_limit = n.map(rate_limit::RateLimit::new);
        }
        self
    }

    /// The pause before each status of a sent message (`serve --status-delay`).
    pub fn with_status_delay(mut self, delay: Duration) -> Self {
        if let Some(s) = Arc::get_mut(&mut self.state) {
            s.chats.delay = delay;
        }
        self
    }

    /// Seconds without a receive before the chat page's banner (`serve --idle-banner`).
    pub fn with_idle_banner(mut self, secs: u64) -> Self {
        if let Some(s) = Arc::get_mut(&mut self.state) {
            s.chats.idle_banner = secs;
        }
        self
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
        let _ = self.state.me.set(Arc::downgrade(&self.state));
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
                crate::ewriteln!("greenq: serve: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Small answers must not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        // The chat page checks the Host against the address this connection came to.
        let local = stream.local_addr().ok();
        if let Some(faults) = &faults {
            tokio::spawn(faults::serve_connection(
                stream,
                local,
                state,
                faults.clone(),
            ));
            continue;
        }
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move {
                    Ok::<_, Infallible>(if chat::page::is_page(&req) {
                        chat::page::respond(&state, local, req).await
                    } else {
                        respond(&state, req).await.map(http_body_util::Either::Left)
                    })
                }
            });
            // A connection that breaks or sends garbage ends here, alone.
            let _ = http1()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
