//! What the parts of the emulator share: its state, the type of an answer, the limits on
//! what a client sends, and how a connection is served.

use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::server::conn::http1;
use hyper_util::rt::TokioTimer;

use super::chat::Chats;
use super::partner::Partner;
use super::push::Pusher;
use super::queue::Queues;
use super::rate_limit::RateLimit;
use super::settings::{Accounts, InstanceState};
use super::whole_queue::WholeQueue;

/// Bodies above this are refused with 413.
pub const MAX_BODY: usize = crate::notification::MAX_NOTIFICATION;
/// A client that takes longer than this to send its headers or body is cut off.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

pub struct State {
    pub queues: Arc<Queues>,
    pub wait: Duration,
    pub verbose: bool,
    pub accounts: Arc<Accounts>,
    pub instance_state: InstanceState,
    pub push: Pusher,
    pub whole: WholeQueue,
    /// `serve --partner-token`: the Partner API's getInstances.
    pub partner: Option<Partner>,
    /// `--rate-limit`: requests per second per method per instance.
    pub rate_limit: Option<RateLimit>,
    /// Contacts, messages and the trace of what each one caused (the chat page's model).
    pub chats: Chats,
    /// The state itself, for tasks that outlive a request (a sent message's statuses);
    /// set when serving starts.
    pub me: OnceLock<Weak<State>>,
}

pub type Answer = Response<Full<Bytes>>;

/// One connection's HTTP/1.1 server: keep-alive, and a client that is slow to send its
/// headers is cut off.
pub fn http1() -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(CLIENT_TIMEOUT)
        .keep_alive(true);
    builder
}
