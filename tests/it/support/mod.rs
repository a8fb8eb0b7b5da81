//! Shared test fixtures: the real emulator (`greenq serve`) on an ephemeral port, a
//! scripted server that misbehaves on purpose, and a proxy that injects random faults
//! between greenq and the emulator.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use assert_cmd::Command;

mod events;
pub use events::*;
mod account;
pub use account::*;
mod pipeline;
pub use pipeline::*;
mod hook;
pub use hook::*;
mod watch;
pub use watch::*;
mod pty;
pub use pty::*;
mod pauses;
pub use pauses::*;
mod fleet;
pub use fleet::*;
mod redis;
pub use redis::*;
mod chat;
pub use chat::*;

/// A token every test uses, so that any output can be searched for it.
pub const TOKEN: &str = "tok3n-S3CRET-4f9a2c71e0b8d5";
pub const INSTANCE: u64 = 1101000777;

/// The specification's example, with the test instance.
pub fn example(text: &str) -> String {
    serde_json::json!({
        "typeWebhook": "outgoingMessageReceived",
        "instanceData": {"idInstance": INSTANCE, "wid": "79001234567@c.us", "typeInstance": "whatsapp"},
        "timestamp": 1588091580,
        "idMessage": "F7AEC1B7086ECDC7E6E45923F5EDB825",
        "senderData": {"chatId": "79001234568@c.us", "sender": "79001234568@c.us", "senderName": "Green API"},
        "messageData": {"typeMessage": "textMessage", "textMessageData": {"textMessage": text}}
    })
    .to_string()
}

/// A notification of `kind` carrying a sequence number, for order checks.
pub fn numbered(kind: &str, n: usize) -> String {
    serde_json::json!({
        "typeWebhook": kind,
        "instanceData": {"idInstance": INSTANCE, "wid": "79001234567@c.us", "typeInstance": "whatsapp"},
        "timestamp": 1588091580 + n as i64,
        "idMessage": format!("{n:032X}"),
        "seq": n
    })
    .to_string()
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_greenq")
}

/// `greenq` with an environment that holds nothing of the developer's machine, and a
/// state directory of its own (see `state_home`).
pub fn greenq() -> Command {
    let mut cmd = Command::new(bin());
    strip_env(cmd.env("NO_PROXY", "*"));
    cmd.env("XDG_STATE_HOME", state_home());
    cmd
}

/// A fresh `XDG_STATE_HOME` for one greenq child, so that no test writes to the
/// developer's ~/.local/state and tests share no lock or ledger unless they name one
/// directory (`--state-dir`). Under target/tmp/states/PID; those of ended runs go.
pub fn state_home() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static CLEANED: std::sync::Once = std::sync::Once::new();
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("states");
    CLEANED.call_once(|| {
        for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            let alive = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
            if !alive {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    });
    let dir = root
        .join(std::process::id().to_string())
        .join(NEXT.fetch_add(1, Ordering::Relaxed).to_string());
    std::fs::create_dir_all(&dir).expect("a state home under target/tmp");
    dir
}

fn strip_env(cmd: &mut Command) -> &mut Command {
    for var in [
        "GREEN_API_URL",
        "GREEN_API_WEBHOOK_URL",
        "GREEN_API_INSTANCE_ID",
        "GREEN_API_TOKEN",
        "ID_INSTANCE",
        "API_TOKEN_INSTANCE",
        "NO_COLOR",
        "GREENQ_TEST_TERMINAL",
        "GREENQ_PROFILE",
        "GREENQ_CONFIG",
        "GREENQ_STATE_DIR",
        "STATE_DIRECTORY",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// The same environment for a `std::process::Command` (for tests that signal the child).
pub fn std_greenq(base: &str) -> StdCommand {
    let mut cmd = StdCommand::new(bin());
    for var in [
        "GREEN_API_URL",
        "GREEN_API_WEBHOOK_URL",
        "NO_COLOR",
        "GREENQ_TEST_TERMINAL",
        "GREENQ_STATE_DIR",
        "STATE_DIRECTORY",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("XDG_STATE_HOME", state_home());
    cmd.env("GREEN_API_URL", base)
        .env("GREEN_API_WEBHOOK_URL", base)
        .env("GREEN_API_INSTANCE_ID", INSTANCE.to_string())
        .env("GREEN_API_TOKEN", TOKEN)
        .env("NO_PROXY", "*");
    cmd
}

/// `greenq` pointed at `base` with the test instance and token.
pub fn greenq_at(base: &str) -> Command {
    let mut cmd = greenq();
    cmd.env("GREEN_API_URL", base)
        .env("GREEN_API_WEBHOOK_URL", base)
        .env("GREEN_API_INSTANCE_ID", INSTANCE.to_string())
        .env("GREEN_API_TOKEN", TOKEN);
    cmd
}

pub fn send_signal(child: &Child, signal: i32) {
    send_signal_to(child.id(), signal);
}

/// `send_signal` by pid (a child spawned on a pty).
pub fn send_signal_to(pid: u32, signal: i32) {
    // SAFETY: kill(2) on our own child's pid has no memory effects.
    let rc = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill failed");
}

/// Sends `signal` and returns the exit code (a guard fails a child that never exits).
pub fn signal_and_wait(child: &mut Child, signal: i32) -> Option<i32> {
    send_signal(child, signal);
    wait_with_limit(child, GUARD).code()
}

/// Waits up to `limit` for the child to exit; kills it and fails the test otherwise.
pub fn wait_with_limit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the child did not exit within {limit:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Asserts that nothing in any of the texts holds the token.
pub fn assert_no_token(texts: &[&[u8]]) {
    for text in texts {
        let text = String::from_utf8_lossy(text);
        assert!(!text.contains(TOKEN), "the token leaked:\n{text}");
    }
}

/// Asserts the exit code, showing stderr when it is not the one expected.
pub fn assert_exit(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The lock files in a state directory, by name.
pub fn lock_files(state: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(state)
        .expect("the state directory")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".lock"))
        .collect();
    names.sort();
    names
}

/// All that is left on a child's pipe (stdout or stderr).
pub fn read_rest(pipe: Option<impl Read>) -> String {
    let mut text = String::new();
    if let Some(mut pipe) = pipe {
        pipe.read_to_string(&mut text)
            .expect("read the child's pipe");
    }
    text
}

pub fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::to_string)
        .collect()
}

/// `greenq serve` on an ephemeral port, killed when dropped.
pub struct Emulator {
    child: Child,
    pub addr: SocketAddr,
    agent: ureq::Agent,
    args: Vec<String>,
}

impl Emulator {
    /// Hosts the test instance; an empty receive answers after `wait` seconds.
    pub fn start(wait: u64) -> Emulator {
        Self::start_with(&[
            "--wait",
            &wait.to_string(),
            "--accept",
            &format!("{INSTANCE}:{TOKEN}"),
        ])
    }

    /// As `start`, with receipt ids from 1 (`--first-receipt 1`), for tests that name them.
    pub fn numbered(wait: u64) -> Emulator {
        Self::start_with(&[
            "--wait",
            &wait.to_string(),
            "--accept",
            &format!("{INSTANCE}:{TOKEN}"),
            "--first-receipt",
            "1",
        ])
    }

    pub fn start_with(args: &[&str]) -> Emulator {
        Self::spawn("127.0.0.1:0", args.iter().map(|a| a.to_string()).collect())
    }

    /// Stops this emulator (its queue goes with it) and starts a new one with the same
    /// arguments on the same port: a restarted service, as a test suite's next run sees it.
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        *self = Self::spawn(&self.addr.to_string(), self.args.clone());
    }

    fn spawn(listen: &str, args: Vec<String>) -> Emulator {
        let mut cmd = StdCommand::new(bin());
        cmd.args(["serve", "--listen", listen])
            .args(&args)
            .env_remove("GREEN_API_INSTANCE_ID")
            .env_remove("GREEN_API_TOKEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("spawn greenq serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).expect("first line");
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .parse()
            .expect("address");
        // Keep reading so that the emulator never blocks on a full pipe.
        thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = reader.read_to_end(&mut sink);
        });
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .new_agent();
        Emulator {
            child,
            addr,
            agent,
            args,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    pub fn cmd(&self) -> Command {
        greenq_at(&self.url())
    }

    /// Publishes straight over HTTP (not through greenq); returns the status.
    pub fn publish(&self, body: &str) -> u16 {
        let mut resp = self
            .agent
            .post(&self.url())
            .header("content-type", "application/json")
            .send(body)
            .expect("publish");
        let _ = resp.body_mut().read_to_vec();
        resp.status().as_u16()
    }

    pub fn publish_all(&self, bodies: &[String]) {
        for b in bodies {
            assert_eq!(self.publish(b), 200, "publish {b}");
        }
    }

    /// The head of the queue as (receiptId, body), without deleting it.
    pub fn head(&self) -> Option<(u64, serde_json::Value)> {
        let url = format!(
            "{}/waInstance{INSTANCE}/receiveNotification/{TOKEN}",
            self.url()
        );
        let text = self
            .agent
            .get(&url)
            .call()
            .expect("receive")
            .body_mut()
            .read_to_string()
            .expect("body");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        if v.is_null() {
            return None;
        }
        Some((
            v["receiptId"].as_u64().expect("receiptId"),
            v["body"].clone(),
        ))
    }

    pub fn delete(&self, receipt: u64) -> bool {
        let url = format!(
            "{}/waInstance{INSTANCE}/deleteNotification/{TOKEN}/{receipt}",
            self.url()
        );
        let text = self
            .agent
            .delete(&url)
            .call()
            .expect("delete")
            .body_mut()
            .read_to_string()
            .expect("body");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        v["result"].as_bool().expect("result")
    }

    /// Takes every queued body (receive + delete); needs an emulator started with wait 0.
    pub fn drain(&self) -> Vec<serde_json::Value> {
        let mut bodies = Vec::new();
        while let Some((receipt, body)) = self.head() {
            assert!(self.delete(receipt));
            bodies.push(body);
        }
        bodies
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request or response: head and body (Content-Length only).
pub struct Message {
    pub head: String,
    pub body: Vec<u8>,
}

/// Reads one message; `None` when the peer closed the connection first.
pub fn read_message(reader: &mut impl BufRead) -> Option<Message> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Message { head, body })
}

/// What a scripted server does with one request.
#[derive(Clone, Debug)]
pub enum Step {
    Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Close the connection without an answer.
    Drop,
    /// Announce a longer body than is sent, then close.
    CutShort { status: u16, body: String },
    /// Raw bytes that are not HTTP, then close.
    Garbage(Vec<u8>),
    /// Wait, then do the step.
    Slow(Duration, Box<Step>),
    /// Do the step, then close the connection (with no `Connection: close` said).
    Close(Box<Step>),
    /// Wait until the test opens the gate, then do the step.
    Held(Gate, Box<Step>),
}

/// A latch that a test opens once the event it waits for has happened.
#[derive(Clone, Debug, Default)]
pub struct Gate(Arc<(Mutex<bool>, std::sync::Condvar)>);

impl Gate {
    pub fn open(&self) {
        let (open, opened) = &*self.0;
        *open.lock().expect("gate") = true;
        opened.notify_all();
    }

    pub fn wait(&self) {
        let (open, opened) = &*self.0;
        let mut is_open = open.lock().expect("gate");
        while !*is_open {
            is_open = opened.wait(is_open).expect("gate");
        }
    }

    /// As `wait`, for at most `limit`: whether the gate opened.
    pub fn wait_for(&self, limit: Duration) -> bool {
        let (open, opened) = &*self.0;
        let is_open = open.lock().expect("gate");
        let (is_open, _) = opened
            .wait_timeout_while(is_open, limit, |open| !*open)
            .expect("gate");
        *is_open
    }
}

pub fn reply(status: u16, body: &str) -> Step {
    Step::Reply {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

pub fn reply_with(status: u16, headers: &[(&str, &str)], body: &str) -> Step {
    Step::Reply {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.to_string(),
    }
}

pub fn envelope(receipt: u64, body: &str) -> Step {
    reply(200, &format!("{{\"receiptId\":{receipt},\"body\":{body}}}"))
}

/// A request as the scripted server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: String,
    pub body: Vec<u8>,
    pub at: Instant,
}

/// An HTTP server that answers request N with step N of its script, then with `fallback`.
pub struct Scripted {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    requests: Arc<Counter>,
}

impl Scripted {
    pub fn start(steps: Vec<Step>, fallback: Step) -> Scripted {
        Self::serve(
            TcpListener::bind("127.0.0.1:0").expect("bind"),
            steps,
            fallback,
        )
    }

    /// For a `tail --metrics-listen`, whose depth thread reads getWebhooksCount on a
    /// connection of its own at times of its own: those reads take no step of the script.
    pub fn start_beside_metrics(steps: Vec<Step>, fallback: Step) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        Self::serve_script(listener, steps, fallback, true)
    }

    /// Serves the script on `listener`.
    pub fn serve(listener: TcpListener, steps: Vec<Step>, fallback: Step) -> Scripted {
        Self::serve_script(listener, steps, fallback, false)
    }

    fn serve_script(
        listener: TcpListener,
        steps: Vec<Step>,
        fallback: Step,
        counts_unscripted: bool,
    ) -> Scripted {
        let addr = listener.local_addr().expect("addr");
        let script = Arc::new(Mutex::new(
            steps.into_iter().collect::<std::collections::VecDeque<_>>(),
        ));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Counter::default());
        let (s, r) = (seen.clone(), requests.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (script, seen, fallback) = (script.clone(), s.clone(), fallback.clone());
                let requests = r.clone();
                thread::spawn(move || {
                    serve_scripted(stream, script, seen, &requests, fallback, counts_unscripted)
                });
            }
        });
        Scripted {
            addr,
            seen,
            requests,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn cmd(&self) -> Command {
        greenq_at(&self.url())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }

    /// Blocks until the server has read `n` requests in all; panics after `limit`.
    pub fn wait_for_requests(&self, n: usize, limit: Duration) -> usize {
        self.requests
            .wait_for(n, limit, "requests seen by the scripted server")
    }
}

fn serve_scripted(
    stream: TcpStream,
    script: Arc<Mutex<std::collections::VecDeque<Step>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    requests: &Counter,
    fallback: Step,
    counts_unscripted: bool,
) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    while let Some(message) = read_message(&mut reader) {
        let mut words = message.head.split_whitespace();
        let method = words.next().unwrap_or("").to_string();
        let path = words.next().unwrap_or("").to_string();
        if let Some(step) = unscripted_answer(&path, counts_unscripted) {
            if perform(&mut writer, step) {
                continue;
            } else {
                return;
            }
        }
        seen.lock().expect("lock").push(Seen {
            method,
            path,
            headers: message.head.clone(),
            body: message.body,
            at: Instant::now(),
        });
        requests.bump();
        let step = script
            .lock()
            .expect("lock")
            .pop_front()
            .unwrap_or_else(|| fallback.clone());
        if !perform(&mut writer, step) {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// Writes the step's answer; false when the connection must close.
fn perform(writer: &mut TcpStream, step: Step) -> bool {
    match step {
        Step::Reply {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\ncontent-type: application/json\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            writer
                .write_all(head.as_bytes())
                .and_then(|()| writer.write_all(body.as_bytes()))
                .is_ok()
        }
        Step::Drop => false,
        Step::CutShort { status, body } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\n\r\n",
                body.len() + 100
            );
            let _ = writer
                .write_all(head.as_bytes())
                .and_then(|()| writer.write_all(body.as_bytes()));
            false
        }
        Step::Garbage(bytes) => {
            let _ = writer.write_all(&bytes);
            false
        }
        Step::Slow(delay, step) => {
            thread::sleep(delay);
            perform(writer, *step)
        }
        Step::Held(gate, step) => {
            gate.wait();
            perform(writer, *step)
        }
        Step::Close(step) => {
            perform(writer, *step);
            false
        }
    }
}

/// Faults the proxy can inject, and how many of each it did.
#[derive(Debug, Default, Clone)]
pub struct FaultCounts {
    pub passed: usize,
    pub status_502: usize,
    pub status_429: usize,
    pub status_503: usize,
    pub dropped_before: usize,
    pub dropped_after: usize,
    pub cut_after: usize,
}

impl FaultCounts {
    pub fn faults(&self) -> usize {
        self.status_502
            + self.status_429
            + self.status_503
            + self.dropped_before
            + self.dropped_after
            + self.cut_after
    }
}

/// Forwards requests to `upstream`, injecting a fault into a `rate` share of them, drawn
/// from a seeded generator: error statuses, connections dropped before the request
/// reached the upstream or after it was carried out (the answer is lost), answers cut short.
pub struct FaultProxy {
    pub addr: SocketAddr,
    counts: Arc<Mutex<FaultCounts>>,
    forwarded: Arc<Counter>,
}

impl FaultProxy {
    pub fn start(upstream: SocketAddr, seed: u64, rate: f64) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let counts = Arc::new(Mutex::new(FaultCounts::default()));
        let rng = Arc::new(Mutex::new(fastrand::Rng::with_seed(seed)));
        let forwarded = Arc::new(Counter::default());
        let (c, f) = (counts.clone(), forwarded.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (counts, rng, forwarded) = (c.clone(), rng.clone(), f.clone());
                thread::spawn(move || {
                    proxy_connection(stream, upstream, rng, rate, counts, &forwarded)
                });
            }
        });
        FaultProxy {
            addr,
            counts,
            forwarded,
        }
    }

    /// A proxy that passes everything: a relay whose requests can be waited for.
    pub fn relay(upstream: SocketAddr) -> FaultProxy {
        Self::start(upstream, 0, 0.0)
    }

    /// Blocks until `n` requests in all were written to the upstream; panics after `limit`.
    pub fn wait_for_requests(&self, n: usize, limit: Duration) -> usize {
        self.forwarded
            .wait_for(n, limit, "requests forwarded by the proxy")
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn counts(&self) -> FaultCounts {
        self.counts.lock().expect("lock").clone()
    }
}

fn proxy_connection(
    client: TcpStream,
    upstream: SocketAddr,
    rng: Arc<Mutex<fastrand::Rng>>,
    rate: f64,
    counts: Arc<Mutex<FaultCounts>>,
    forwarded: &Counter,
) {
    let _ = client.set_nodelay(true);
    let mut from_client = BufReader::new(client.try_clone().expect("clone"));
    let mut to_client = client;
    let mut up: Option<(BufReader<TcpStream>, TcpStream)> = None;
    while let Some(request) = read_message(&mut from_client) {
        let fault = {
            let mut rng = rng.lock().expect("lock");
            if rng.f64() < rate {
                Some(rng.u8(0..6))
            } else {
                None
            }
        };
        let count = |f: fn(&mut FaultCounts)| f(&mut counts.lock().expect("lock"));
        let status = |code: u16, retry_after: bool| {
            let extra = if retry_after {
                "retry-after: 0\r\n"
            } else {
                ""
            };
            format!("HTTP/1.1 {code} X\r\ncontent-length: 0\r\n{extra}\r\n")
        };
        match fault {
            Some(0) => {
                count(|c| c.status_502 += 1);
                if to_client.write_all(status(502, true).as_bytes()).is_err() {
                    return;
                }
                continue;
            }
            Some(1) => {
                count(|c| c.status_429 += 1);
                if to_client.write_all(status(429, true).as_bytes()).is_err() {
                    return;
                }
                continue;
            }
            Some(2) => {
                count(|c| c.status_503 += 1);
                if to_client.write_all(status(503, true).as_bytes()).is_err() {
                    return;
                }
                continue;
            }
            Some(3) => {
                count(|c| c.dropped_before += 1);
                let _ = to_client.shutdown(Shutdown::Both);
                return;
            }
            _ => {}
        }
        if up.is_none() {
            let stream = TcpStream::connect(upstream).expect("connect upstream");
            let _ = stream.set_nodelay(true);
            up = Some((BufReader::new(stream.try_clone().expect("clone")), stream));
        }
        let Some((up_reader, up_writer)) = up.as_mut() else {
            return;
        };
        let mut raw = request.head.into_bytes();
        raw.extend_from_slice(&request.body);
        if up_writer.write_all(&raw).is_err() {
            return;
        }
        forwarded.bump();
        let Some(response) = read_message(up_reader) else {
            return;
        };
        match fault {
            Some(4) => {
                // Carried out upstream, answer lost.
                count(|c| c.dropped_after += 1);
                let _ = to_client.shutdown(Shutdown::Both);
                return;
            }
            Some(5) => {
                count(|c| c.cut_after += 1);
                let _ = to_client.write_all(response.head.as_bytes());
                let half = response.body.len() / 2;
                let _ = to_client.write_all(&response.body[..half]);
                let _ = to_client.shutdown(Shutdown::Both);
                return;
            }
            _ => {
                count(|c| c.passed += 1);
                let mut raw = response.head.into_bytes();
                raw.extend_from_slice(&response.body);
                if to_client.write_all(&raw).is_err() {
                    return;
                }
            }
        }
    }
}
