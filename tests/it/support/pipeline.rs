//! A queue server for tail's pipelining: it keeps a real queue (receive shows the head,
//! delete removes it), answers pipelined requests in order, records what it saw (and
//! whether a request came in the same read as the one before it: a pipelined pair), and
//! misbehaves as asked.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::{greenq_at, read_message};

#[derive(Clone, Copy, Debug, Default)]
pub struct Behaviour {
    /// A delete answers true, and the next receive still shows what it deleted (once).
    pub lag_deletes: bool,
    /// Close the connection after every answer, without saying so.
    pub close_after_every_answer: bool,
    /// The same, but only once the next request came on it (read, never answered): the
    /// close crosses the request, as a server's keep-alive timeout or limit of requests
    /// per connection can, so the client cannot see it coming.
    pub close_as_the_next_request_comes: bool,
    /// Answer only the first request of a pipelined pair, then close.
    pub first_of_pair_only: bool,
    /// Answer the second request of a pipelined pair with a 200 that echoes the request
    /// line (so its path and token): not what the request expects.
    pub echo_second_of_pair: bool,
    /// An empty receive is never answered (a long poll that lasts until the client goes).
    pub hold_empty: bool,
    /// Every Nth request (1-based) is answered 503 with `retry-after: 0`, not carried out.
    pub fail_every: Option<usize>,
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct QueueSeen {
    pub method: String,
    pub connection: usize,
    /// It came after another request in the same read: the second of a pipelined pair.
    pub pipelined: bool,
    /// When the server read it.
    pub at: Instant,
}

#[derive(Default)]
struct State {
    queue: VecDeque<(u64, String)>,
    next: u64,
    /// A deleted head that a lagging read shows once more.
    lagging: Option<(u64, String)>,
    seen: Vec<QueueSeen>,
    failed: usize,
    /// The connection of each settings read (`getSettings`).
    settings_on: Vec<usize>,
    /// Requests read and never answered (`close_as_the_next_request_comes`).
    unanswered: usize,
}

pub struct QueueServer {
    pub addr: SocketAddr,
    state: Arc<(Mutex<State>, Condvar)>,
    connections: Arc<AtomicUsize>,
}

impl QueueServer {
    pub fn start(bodies: &[String], behaviour: Behaviour) -> QueueServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut state = State {
            next: 1,
            ..State::default()
        };
        for body in bodies {
            let receipt = state.next;
            state.next += 1;
            state.queue.push_back((receipt, body.clone()));
        }
        let state = Arc::new((Mutex::new(state), Condvar::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (s, c) = (state.clone(), connections.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let id = c.fetch_add(1, Ordering::SeqCst);
                let state = s.clone();
                thread::spawn(move || serve(stream, id, state, behaviour));
            }
        });
        QueueServer {
            addr,
            state,
            connections,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn cmd(&self) -> assert_cmd::Command {
        greenq_at(&self.url())
    }

    pub fn seen(&self) -> Vec<QueueSeen> {
        self.lock().seen.clone()
    }

    /// Bodies still queued.
    pub fn queued(&self) -> usize {
        self.lock().queue.len()
    }

    /// The connection each settings read came on.
    pub fn settings_on(&self) -> Vec<usize> {
        self.lock().settings_on.clone()
    }

    /// Requests read and never answered (`close_as_the_next_request_comes`).
    pub fn unanswered(&self) -> usize {
        self.lock().unanswered
    }

    /// Requests answered 503 (`fail_every`).
    pub fn failed(&self) -> usize {
        self.lock().failed
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Waits until `done` holds for what the server saw; false after `limit`.
    pub fn wait_for(&self, limit: Duration, done: impl Fn(&[QueueSeen]) -> bool) -> bool {
        let deadline = Instant::now() + limit;
        let (lock, changed) = &*self.state;
        let mut state = lock.lock().expect("lock");
        while !done(&state.seen) {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = changed.wait_timeout(state, deadline - now).expect("lock").0;
        }
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.0.lock().expect("lock")
    }
}

fn serve(stream: TcpStream, connection: usize, state: Arc<(Mutex<State>, Condvar)>, b: Behaviour) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    let mut after_another = false;
    while let Some(message) = read_message(&mut reader) {
        // Bytes already buffered behind this request: the client did not wait for its answer.
        let more_behind = !reader.buffer().is_empty();
        let pipelined = after_another;
        after_another = more_behind;
        let mut words = message.head.split_whitespace();
        let method = words.next().unwrap_or("").to_string();
        let path = words.next().unwrap_or("").to_string();
        // The settings read of tail's start is not the queue's business: not recorded.
        if path.contains("/getSettings/") {
            state.0.lock().expect("lock").settings_on.push(connection);
            let none = "HTTP/1.1 404 X\r\ncontent-length: 0\r\n\r\n";
            if writer.write_all(none.as_bytes()).is_err() {
                return;
            }
            if b.close_as_the_next_request_comes {
                return close_at_the_next_request(&mut reader, &writer, &state);
            }
            continue;
        }
        let answer = {
            let (lock, changed) = &*state;
            let mut state = lock.lock().expect("lock");
            state.seen.push(QueueSeen {
                method: method.clone(),

                connection,
                pipelined,
                at: Instant::now(),
            });
            changed.notify_all();
            if b.fail_every.is_some_and(|n| state.seen.len() % n == 0) {
                state.failed += 1;
                Err(())
            } else {
                Ok(handle(&mut state, &method, &path, b))
            }
        };
        let answer = match answer {
            Ok(answer) => answer,
            Err(()) => {
                let busy = "HTTP/1.1 503 Busy\r\nretry-after: 0\r\ncontent-length: 0\r\n\r\n";
                if writer.write_all(busy.as_bytes()).is_err() {
                    return;
                }
                continue;
            }
        };
        let body = match answer {
            Some(body) if pipelined && b.echo_second_of_pair => {
                format!("{method} {path}: {body}")
            }
            Some(body) => body,
            None => {
                // Held: wait for the client to go away.
                let _ = reader.fill_buf();
                while read_message(&mut reader).is_some() {}
                return;
            }
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        if writer
            .write_all(format!("{head}{body}").as_bytes())
            .is_err()
        {
            return;
        }
        if b.close_after_every_answer || (b.first_of_pair_only && more_behind) {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
        if b.close_as_the_next_request_comes {
            return close_at_the_next_request(&mut reader, &writer, &state);
        }
    }
}

/// Reads the next request on the connection (already there, or when it comes), answers
/// nothing, and closes.
fn close_at_the_next_request(
    reader: &mut BufReader<TcpStream>,
    writer: &TcpStream,
    state: &Arc<(Mutex<State>, Condvar)>,
) {
    if read_message(reader).is_some() {
        let (lock, changed) = &**state;
        lock.lock().expect("lock").unanswered += 1;
        changed.notify_all();
    }
    let _ = writer.shutdown(Shutdown::Both);
}

/// The answer's body; `None` for an empty receive that is held.
fn handle(state: &mut State, method: &str, path: &str, b: Behaviour) -> Option<String> {
    let envelope =
        |(receipt, body): &(u64, String)| format!("{{\"receiptId\":{receipt},\"body\":{body}}}");
    if method == "GET" && path.contains("/receiveNotification/") {
        if let Some(lagging) = state.lagging.take() {
            return Some(envelope(&lagging));
        }
        return match state.queue.front() {
            Some(head) => Some(envelope(head)),
            None if b.hold_empty => None,
            None => Some("null".into()),
        };
    }
    if method == "DELETE" && path.contains("/deleteNotification/") {
        let receipt: Option<u64> = path.rsplit('/').next().and_then(|r| r.parse().ok());
        let at_head = state
            .queue
            .front()
            .is_some_and(|(r, _)| Some(*r) == receipt);
        if at_head {
            let head = state.queue.pop_front();
            if b.lag_deletes {
                state.lagging = head;
            }
        }
        return Some(format!("{{\"result\":{at_head}}}"));
    }
    Some("{\"unknown\":true}".into())
}
