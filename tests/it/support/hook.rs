//! Fixtures for `tail`'s consumer modes: a webhook handler (a `Scripted` server) that
//! starts late on a port chosen beforehand, a child's log to wait on, and greenq's
//! stderr read line by line as it comes.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::ChildStderr;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};

use std::thread;
use std::time::{Duration, Instant};

use super::{Scripted, Step};

/// A loopback address nobody listens on (yet): connections to it are refused.
pub fn unused_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr")
}

impl Scripted {
    /// A scripted server on `addr` (from `unused_addr`), for a hook that comes up late.
    pub fn start_on(addr: SocketAddr, steps: Vec<Step>, fallback: Step) -> Scripted {
        let listener = TcpListener::bind(addr).expect("bind the chosen port");
        Scripted::serve(listener, steps, fallback)
    }
}

/// Polls `done` until it is true; fails the test after `limit` (a generous bound for a
/// loaded machine, not a timing the behaviour depends on).
pub fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// The lines of a file a child writes to (none when it does not exist yet).
pub fn file_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// greenq's stderr, line by line, as it comes; everything read is kept for later checks.
pub struct StderrLines {
    rx: Receiver<String>,
    pub seen: Vec<String>,
}

impl StderrLines {
    pub fn new(stderr: ChildStderr) -> StderrLines {
        let (tx, rx) = channel();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        StderrLines {
            rx,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `needle`; returns it.
    pub fn wait_for(&mut self, needle: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no stderr line with {needle:?} within {limit:?}: {:?}",
                        self.seen
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("stderr closed without {needle:?}: {:?}", self.seen)
                }
            }
        }
    }

    /// Everything, once the process has exited.
    pub fn rest(&mut self) -> String {
        while let Ok(line) = self.rx.recv_timeout(Duration::from_secs(5)) {
            self.seen.push(line);
        }
        self.seen.join("\n")
    }
}
