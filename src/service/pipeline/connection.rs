//! One keep-alive HTTP/1.1 connection, plain or over rustls with the platform's
//! certificate verifier (as ureq's agent has it), with the agent's timeouts. Requests are
//! written as given, several at once if need be; answers are read back in order.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use super::response::{self, Chunked, Framing};
use crate::service::agent::{CONNECT_TIMEOUT, READ_TIMEOUT, WRITE_TIMEOUT};
use crate::terminal::interrupt::Interrupt;

/// The client's limit on an answer.
pub const MAX_ANSWER: u64 = 16 * 1024 * 1024;
const MAX_HEAD: usize = 64 * 1024;

/// Where the connection goes.
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    /// Set for https.
    pub tls: Option<Arc<ClientConfig>>,
}

/// The TLS client configuration ureq builds for `RootCerts::PlatformVerifier`, built once
/// per process: its verifier loads the system's roots at its first handshake, which a
/// tail of 1,000 instances over https did 1,000 times (time and a root store each).
pub fn tls_config() -> Result<Arc<ClientConfig>, rustls::Error> {
    static CONFIG: std::sync::OnceLock<Result<Arc<ClientConfig>, rustls::Error>> =
        std::sync::OnceLock::new();
    CONFIG.get_or_init(build_tls_config).clone()
}

fn build_tls_config() -> Result<Arc<ClientConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())?;
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)?
        .dangerous()
        // Not dangerous: the platform verifier verifies.
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Why an exchange on the connection failed. No variant holds a URL.
#[derive(Debug)]
pub enum Fault {
    Io(io::Error),
    /// The server closed the connection before the answer was complete.
    Closed {
        partial: bool,
    },
    /// Bytes that are not the HTTP/1.1 answer expected.
    Malformed(String),
    /// An answer head larger than `MAX_HEAD`.
    HeadTooLarge,
    TooLarge,
}

impl Fault {
    /// The peer closed or reset the connection: what a server does to an idle kept-alive
    /// connection (a timeout, a limit of requests per connection) just as a request comes.
    pub fn is_drop(&self) -> bool {
        match self {
            Fault::Closed { partial: false } => true,
            Fault::Io(e) => matches!(
                e.kind(),
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof
            ),
            _ => false,
        }
    }

    pub fn is_timeout(&self) -> bool {
        matches!(self, Fault::Io(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock))
    }

    /// The TLS error inside, if that is what failed.
    pub fn tls(&self) -> Option<&rustls::Error> {
        match self {
            Fault::Io(e) => e.get_ref()?.downcast_ref::<rustls::Error>(),
            _ => None,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Io(e) if self.is_timeout() => write!(f, "no answer in time ({e})"),
            Fault::Io(e) => write!(f, "{e}"),
            Fault::Closed { partial: false } => {
                f.write_str("the server closed the connection without an answer")
            }
            Fault::Closed { partial: true } => {
                f.write_str("the server closed the connection in the middle of an answer")
            }
            Fault::Malformed(why) => write!(f, "the server sent {why}"),
            Fault::HeadTooLarge => f.write_str("the server sent an answer head larger than 64 KiB"),
            Fault::TooLarge => f.write_str(&response::too_large(MAX_ANSWER)),
        }
    }
}

impl From<io::Error> for Fault {
    fn from(e: io::Error) -> Self {
        Fault::Io(e)
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// An answer read whole: status, Retry-After, body, and whether the server closes after it.
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
    pub close: bool,
}

pub struct Connection {
    stream: Stream,
    /// Bytes read and not yet used, from `start` on.
    input: Vec<u8>,
    start: usize,
    /// Kept for the connection's life: a fresh buffer per read would be zeroed each time.
    scratch: Box<[u8]>,
    /// Bytes read in the connection's life: whether anything came back since a request.
    received: u64,
    /// An answer was read whole on it: it is a kept-alive connection being reused.
    answered: bool,
}

impl Connection {
    /// Connects (and shakes hands, for TLS); a signal shuts the socket down from then on.
    pub fn open(endpoint: &Endpoint, interrupt: &Interrupt) -> Result<Connection, Fault> {
        let addrs = (endpoint.host.as_str(), endpoint.port).to_socket_addrs()?;
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
        let mut tcp = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    tcp = Some(stream);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let tcp = tcp.ok_or(last)?;
        tcp.set_nodelay(true)?;
        tcp.set_read_timeout(Some(READ_TIMEOUT))?;
        tcp.set_write_timeout(Some(WRITE_TIMEOUT))?;
        interrupt.watch_socket(tcp.try_clone()?);
        let stream = match &endpoint.tls {
            None => Stream::Plain(tcp),
            Some(config) => {
                let name = ServerName::try_from(endpoint.host.clone()).map_err(|e| {
                    io::Error::new(io::ErrorKind::InvalidInput, format!("the host name: {e}"))
                })?;
                let tls = ClientConnection::new(config.clone(), name).map_err(io::Error::other)?;
                let mut stream = StreamOwned::new(tls, tcp);
                // The handshake now: a certificate problem is a connection fault, not an answer's.
                while stream.conn.is_handshaking() {
                    stream.conn.complete_io(&mut stream.sock)?;
                }
                Stream::Tls(Box::new(stream))
            }
        };
        Ok(Connection {
            stream,
            input: Vec::with_capacity(16 * 1024),
            start: 0,
            scratch: vec![0; 16 * 1024].into_boxed_slice(),
            received: 0,
            answered: false,
        })
    }

    /// False when the server closed the connection (or sent something unasked) while it
    /// was quiet (a keep-alive timeout while a handler was slow).
    pub fn is_open(&self) -> bool {
        let socket = self.socket();
        if socket.set_nonblocking(true).is_err() {
            return false;
        }
        let probe = socket.peek(&mut [0; 1]);
        let restored = socket.set_nonblocking(false).is_ok();
        restored
            && self.input.len() == self.start
            && matches!(probe, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    /// Bytes read so far, in the connection's life.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// An answer came on it before: a new request on it reuses a kept-alive connection.
    pub fn reused(&self) -> bool {
        self.answered
    }

    fn socket(&self) -> &TcpStream {
        match &self.stream {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        }
    }

    /// Writes `requests` (one or more, complete) in one go.
    pub fn send(&mut self, requests: &[u8]) -> Result<(), Fault> {
        self.stream.write_all(requests)?;
        self.stream.flush()?;
        Ok(())
    }

    /// The next answer, whole, by `deadline` (so that a server that trickles bytes cannot
    /// hold it forever). Interim (1xx) answers are skipped.
    pub fn read_answer(&mut self, deadline: Instant) -> Result<Answer, Fault> {
        loop {
            let head = loop {
                match response::parse_head(&self.input[self.start..]).map_err(Fault::Malformed)? {
                    Some(head) => break head,
                    None if self.input.len() - self.start > MAX_HEAD => {
                        return Err(Fault::HeadTooLarge);
                    }
                    None => self.fill(deadline)?,
                }
            };
            self.start += head.len;
            if (100..200).contains(&head.status) {
                continue;
            }
            let body = match head.framing {
                Framing::Empty => Vec::new(),
                Framing::Length(n) => {
                    if n > MAX_ANSWER {
                        return Err(Fault::TooLarge);
                    }
                    let n = n as usize;
                    while self.input.len() - self.start < n {
                        self.fill(deadline)?;
                    }
                    let body = self.input[self.start..self.start + n].to_vec();
                    self.start += n;
                    body
                }
                Framing::Chunked => {
                    let mut chunked = Chunked::default();
                    loop {
                        let used = chunked
                            .feed(&self.input[self.start..], MAX_ANSWER)
                            .map_err(|why| {
                                // Too large is the same fault whatever the framing.
                                if why == response::too_large(MAX_ANSWER) {
                                    Fault::TooLarge
                                } else {
                                    Fault::Malformed(why)
                                }
                            })?;
                        self.start += used;
                        if chunked.is_done() {
                            break chunked.into_body();
                        }
                        self.fill(deadline)?;
                    }
                }
                Framing::UntilClose => {
                    loop {
                        if (self.input.len() - self.start) as u64 > MAX_ANSWER {
                            return Err(Fault::TooLarge);
                        }
                        match self.fill(deadline) {
                            Ok(()) => {}
                            Err(Fault::Closed { .. }) => break,
                            Err(e) => return Err(e),
                        }
                    }
                    let body = self.input[self.start..].to_vec();
                    self.start = self.input.len();
                    body
                }
            };
            if self.start == self.input.len() {
                self.input.clear();
                self.start = 0;
            }
            self.answered = true;
            return Ok(Answer {
                status: head.status,
                retry_after: head.retry_after,
                body,
                close: head.close,
            });
        }
    }

    fn fill(&mut self, deadline: Instant) -> Result<(), Fault> {
        if self.start > 0 && self.start == self.input.len() {
            self.input.clear();
            self.start = 0;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Fault::Io(io::ErrorKind::TimedOut.into()));
        }
        self.socket()
            .set_read_timeout(Some(left.min(READ_TIMEOUT)))?;
        let read = loop {
            match self.stream.read(&mut self.scratch) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // A TLS peer that closes without close_notify: the same as a plain close.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break 0,
                Err(e) => return Err(Fault::Io(e)),
            }
        };
        if read == 0 {
            return Err(Fault::Closed {
                partial: self.input.len() > self.start,
            });
        }
        self.input.extend_from_slice(&self.scratch[..read]);
        self.received += read as u64;
        Ok(())
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // A request may still be in flight (a long poll): end it now, not when the server answers.
        let _ = self.socket().shutdown(Shutdown::Both);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }
    use std::net::TcpListener;
    use std::thread;

    /// A server that writes `wire` after reading a request, and the connection to it.
    fn serve(wire: &[u8]) -> Connection {
        serve_bytes(wire.to_vec())
    }

    #[test]
    fn answers_are_read_in_order_whatever_their_framing() {
        let mut c = serve(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnullHTTP/1.1 503 X\r\nretry-after: 3\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n\r\nto the end",
        );
        let a = c.read_answer(far()).unwrap();
        assert_eq!((a.status, &a.body[..], a.close), (200, &b"null"[..], false));
        let a = c.read_answer(far()).unwrap();
        assert_eq!((a.status, &a.body[..]), (503, &b"ab"[..]));
        assert_eq!(a.retry_after, Some(Duration::from_secs(3)));
        let a = c.read_answer(far()).unwrap();
        assert_eq!(
            (a.status, &a.body[..], a.close),
            (200, &b"to the end"[..], true)
        );
        assert!(matches!(
            c.read_answer(far()),
            Err(Fault::Closed { partial: false })
        ));
    }

    #[test]
    fn a_connection_the_server_closed_while_quiet_is_not_open() {
        let mut c = serve(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        c.read_answer(far()).unwrap();
        // The server has closed (its thread ended).
        let closed = (0..200).any(|_| {
            let open = c.is_open();
            if open {
                thread::sleep(Duration::from_millis(10));
            }
            !open
        });
        assert!(closed);
    }

    #[test]
    fn a_quiet_connection_that_is_still_open_is_open() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let endpoint = Endpoint {
            host: "127.0.0.1".into(),
            port,
            tls: None,
        };
        let c = Connection::open(&endpoint, &Interrupt::new()).unwrap();
        let _server = listener.accept().unwrap();
        assert!(c.is_open());
    }

    #[test]
    fn an_answer_too_large_is_the_same_fault_in_every_framing() {
        let mut c = serve(b"HTTP/1.1 200 OK\r\ncontent-length: 99999999\r\n\r\n");
        assert!(matches!(c.read_answer(far()), Err(Fault::TooLarge)));
        let mut c = serve(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5f5e0ff\r\n");
        assert!(matches!(c.read_answer(far()), Err(Fault::TooLarge)));
        let head = format!("HTTP/1.1 200 OK\r\nx: {}\r\n", "y".repeat(70_000));
        let mut c = serve_bytes(head.into_bytes());
        assert!(matches!(c.read_answer(far()), Err(Fault::HeadTooLarge)));
    }

    #[test]
    fn a_cut_answer_is_a_fault() {
        let mut c = serve(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc");
        assert!(matches!(
            c.read_answer(far()),
            Err(Fault::Closed { partial: true })
        ));
        let mut c = serve(b"SSH-2.0-OpenSSH\r\n\r\n");
        assert!(matches!(c.read_answer(far()), Err(Fault::Malformed(_))));
    }

    /// A server that writes `wire` after reading a request, then closes; the connection to it.
    fn serve_bytes(wire: Vec<u8>) -> Connection {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(&wire);
        });
        let endpoint = Endpoint {
            host: "127.0.0.1".into(),
            port,
            tls: None,
        };
        let mut c = Connection::open(&endpoint, &Interrupt::new()).unwrap();
        c.send(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
        c
    }

    /// Valid answers in every framing, one after another, with a byte changed and cut
    /// anywhere; or any bytes.
    fn wires() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        const ANSWERS: &[&[u8]] = &[
            b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnull",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{}x\r\n0\r\n\r\n",
            b"HTTP/1.1 100 Continue\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\ncontent-length: 9\r\n\r\n",
            b"HTTP/1.1 503 X\r\nretry-after: 1\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.0 200 OK\r\n\r\nuntil the end",
        ];
        let mutated = (
            prop::collection::vec(prop::sample::select(ANSWERS), 1..5),
            any::<prop::sample::Index>(),
            any::<u8>(),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(answers, at, byte, cut)| {
                let mut wire = answers.concat();
                let i = at.index(wire.len());
                wire[i] = byte;
                wire.truncate(cut.index(wire.len() + 1));
                wire
            });
        prop_oneof![prop::collection::vec(any::<u8>(), 0..512), mutated]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Whatever the server sends, the pipelined reader gives whole answers within the
        /// limit, then a fault; never a panic, never a hang.
        #[test]
        fn any_bytes_from_the_server_give_answers_then_a_fault(wire in wires()) {
            let mut c = serve_bytes(wire);
            let mut answers = 0;
            let ended = loop {
                match c.read_answer(Instant::now() + Duration::from_secs(20)) {
                    Ok(a) => {
                        proptest::prop_assert!(a.body.len() as u64 <= MAX_ANSWER);
                        answers += 1;
                        // Every answer takes bytes: at most one per byte sent.
                        proptest::prop_assert!(answers <= 512);
                    }
                    Err(fault) => break fault,
                }
            };
            proptest::prop_assert!(!ended.is_timeout(), "{ended}");
        }
    }
}
