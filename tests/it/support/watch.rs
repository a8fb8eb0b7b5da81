//! Fixtures for greenq as a watched service: a `tail --metrics-listen 127.0.0.1:0`
//! child and the address its status line names, a plain HTTP GET of its endpoints, and
//! the OpenMetrics text parsed into series.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::Duration;

use super::{GUARD, StderrLines, std_greenq};

/// A child killed when the test ends, also when it fails half-way.
pub struct Reaped(pub Child);

impl std::ops::Deref for Reaped {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Reaped {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `greenq tail --metrics-listen 127.0.0.1:0 ARGS` at `base`, and where it serves.
pub fn tail_with_metrics(base: &str, args: &[&str]) -> (Reaped, StderrLines, SocketAddr) {
    let mut child = Reaped(
        std_greenq(base)
            .args(["tail", "--metrics-listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn tail"),
    );
    let mut stderr = StderrLines::new(child.stderr.take().expect("stderr"));
    let line = stderr.wait_for("metrics on http://", GUARD);
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    (child, stderr, addr)
}

/// `GET path`: the status and the body.
pub fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect to the metrics endpoint");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").expect("request");
    let mut text = String::new();
    stream.read_to_string(&mut text).expect("answer");
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_string())
}

/// `name{labels} value` lines -> series name with labels -> value; comments left out.
pub fn series(exposition: &str) -> BTreeMap<String, f64> {
    exposition
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            Some((name.to_string(), value.parse().ok()?))
        })
        .collect()
}

/// The value of `family{instance="INSTANCE"}` (no other labels).
pub fn value_of(all: &BTreeMap<String, f64>, family: &str) -> f64 {
    let key = format!("{family}{{instance=\"{}\"}}", super::INSTANCE);
    *all.get(&key)
        .unwrap_or_else(|| panic!("no series {key} in {all:#?}"))
}
