//! The small HTTP server of `--metrics-listen`: `/metrics` (OpenMetrics text),
//! `/healthz` (200 while the process runs) and `/readyz` (200, or 503 with a one-line
//! reason). One thread, one short request at a time, `Connection: close`: a scraper
//! every few seconds is all it serves, and a client that stalls is cut off.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::watch::metrics::Metrics;
use crate::watch::readiness::Readiness;

/// A request head larger than this is refused; a scrape's is a few hundred bytes.
const MAX_HEAD: usize = 8 * 1024;
/// A client that sends or reads slower than this is dropped.
const STALL: Duration = Duration::from_secs(5);
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub fn spawn(listener: TcpListener, metrics: Arc<Metrics>, readiness: Arc<Readiness>) {
    let spawned = std::thread::Builder::new()
        .name("greenq-metrics".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &metrics, &readiness);
            }
        });
    // No thread, no endpoint: the loop itself goes on.
    drop(spawned);
}

fn serve(mut stream: TcpStream, metrics: &Metrics, readiness: &Readiness) {
    let _ = stream.set_write_timeout(Some(STALL));
    let Some(head) = read_head(&mut stream) else {
        return;
    };
    let (status, kind, body) = answer(&head, metrics, readiness);
    let head_only = head.starts_with("HEAD ");
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if !head_only {
        out.push_str(&body);
    }
    let _ = stream.write_all(out.as_bytes());
}

/// The head within `STALL` in all: one byte every few seconds must not hold the one
/// thread (and every scrape behind it) for hours.
fn read_head(stream: &mut TcpStream) -> Option<String> {
    read_head_within(stream, STALL)
}

fn read_head_within(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let deadline = Instant::now() + within;
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let left = deadline.checked_duration_since(Instant::now())?;
        stream.set_read_timeout(Some(left)).ok()?;
        let n = stream.read(&mut buf).ok()?;
        if n == 0 || head.len() + n > MAX_HEAD {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// Status, content type and body for a request head.
fn answer(head: &str, metrics: &Metrics, readiness: &Readiness) -> (u16, &'static str, String) {
    const TEXT: &str = "text/plain; charset=utf-8";
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if method != "GET" && method != "HEAD" {
        return (405, TEXT, "only GET and HEAD\n".into());
    }
    let path = target.split('?').next().unwrap_or("");
    match path {
        "/metrics" => (200, OPENMETRICS, metrics.encode()),
        "/healthz" => (200, TEXT, "ok\n".into()),
        "/readyz" => match readiness.verdict() {
            Ok(()) => (200, TEXT, "ready\n".into()),
            Err(why) => (503, TEXT, format!("not ready: {why}\n")),
        },
        _ => (
            404,
            TEXT,
            "greenq serves /metrics, /healthz and /readyz\n".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::{Ipv4Addr, TcpListener, TcpStream};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn a_client_that_sends_its_head_a_byte_at_a_time_is_cut_off() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut served, _) = listener.accept().unwrap();
        let sent = Arc::new(AtomicUsize::new(0));
        let counted = sent.clone();
        // Each byte well within a read's wait, and the head never ends.
        let dribbler = std::thread::spawn(move || {
            while client.write_all(b"G").is_ok() {
                counted.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        assert_eq!(
            read_head_within(&mut served, Duration::from_millis(300)),
            None
        );
        // Not cut off by the size limit, which a byte at a time takes minutes to reach.
        assert!(sent.load(Ordering::SeqCst) < MAX_HEAD);
        drop(served);
        dribbler.join().unwrap();
    }
}
