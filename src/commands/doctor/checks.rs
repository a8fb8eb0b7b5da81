//! The results of `greenq doctor`: one check per line with a mark, what was found and,
//! for a failure, what to do; or one JSON object with every check, for scripts.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::config::BaseUrl;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// Worth knowing; does not fail the run.
    Warn,
    Fail,
    /// Not run: an earlier check failed.
    Skip,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Skip => "skip",
        }
    }

    /// The mark on a terminal, and the plain ASCII one for pipes and logs.
    fn mark(self, terminal: bool) -> &'static str {
        match (self, terminal) {
            (Outcome::Pass, true) => "✓",
            (Outcome::Warn, true) => "!",
            (Outcome::Fail, true) => "✗",
            (Outcome::Skip, true) => "-",
            (Outcome::Pass, false) => "ok  ",
            (Outcome::Warn, false) => "warn",
            (Outcome::Fail, false) => "FAIL",
            (Outcome::Skip, false) => "skip",
        }
    }

    fn color(self) -> &'static str {
        match self {
            Outcome::Pass => "\x1b[32m",
            Outcome::Warn => "\x1b[33m",
            Outcome::Fail => "\x1b[31m",
            Outcome::Skip => "\x1b[2m",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Outcome,
    pub found: String,
    /// What to do, for a failure or a warning.
    pub fix: Option<String>,
    /// Figures and values for scripts (`--format json`).
    pub data: Value,
}

impl Check {
    pub fn new(name: &'static str, outcome: Outcome, found: impl Into<String>) -> Self {
        Check {
            name,
            outcome,
            found: found.into(),
            fix: None,
            data: Value::Null,
        }
    }

    pub fn pass(name: &'static str, found: impl Into<String>) -> Self {
        Self::new(name, Outcome::Pass, found)
    }

    pub fn fail(name: &'static str, found: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(name, Outcome::Fail, found).fix(fix)
    }

    pub fn skip(name: &'static str, why: impl Into<String>) -> Self {
        Self::new(name, Outcome::Skip, why)
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    pub fn data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }

    /// `✓ name: found` or `✗ name: found; fix`.
    pub fn write_line(&self, out: &mut impl Write, terminal: bool, color: bool) -> io::Result<()> {
        let mark = self.outcome.mark(terminal);
        if color {
            write!(out, "{}{mark}\x1b[0m ", self.outcome.color())?;
        } else {
            write!(out, "{mark} ")?;
        }
        write!(out, "{}: {}", self.name, self.found)?;
        match &self.fix {
            Some(fix) => writeln!(out, "; {fix}"),
            None => writeln!(out),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "status": self.outcome.name(),
            "found": self.found,
            "fix": self.fix,
            "data": self.data,
        })
    }
}

/// Every check's JSON, with `ok` (no failure) and the exit code.
pub fn report_json(checks: &[Check], exit: i32) -> Value {
    json!({
        "ok": !checks.iter().any(|c| c.outcome == Outcome::Fail),
        "exit": exit,
        "checks": checks.iter().map(Check::to_json).collect::<Vec<_>>(),
    })
}

/// Name resolution and a TCP connect to `host:port`, timed apart.
#[derive(Debug)]
pub struct Reach {
    pub addr: SocketAddr,
    pub resolve: Duration,
    pub connect: Duration,
}

/// What failed on the way to a host.
#[derive(Debug)]
pub enum Unreachable {
    Resolve(String),
    /// The first address, the last error, and whether that error was a refusal.
    Connect(SocketAddr, String, bool),
}

pub fn reach(host: &str, port: u16, timeout: Duration) -> Result<Reach, Unreachable> {
    let started = Instant::now();
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| Unreachable::Resolve(e.to_string()))?
        .collect();
    let resolve = started.elapsed();
    let Some(&first) = addrs.first() else {
        return Err(Unreachable::Resolve("it resolves to no address".into()));
    };
    // The first address that answers, as a client would try them.
    let mut last = String::new();
    let mut refused = false;
    for addr in addrs {
        let started = Instant::now();
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(_) => {
                return Ok(Reach {
                    addr,
                    resolve,
                    connect: started.elapsed(),
                });
            }
            Err(e) => {
                refused = e.kind() == std::io::ErrorKind::ConnectionRefused;
                last = e.to_string();
            }
        }
    }
    Err(Unreachable::Connect(first, last, refused))
}

/// Host, port (the scheme's default when none is given) and whether it speaks TLS.
pub fn host_port(url: &BaseUrl) -> (String, u16, bool) {
    let uri: Option<ureq::http::Uri> = url.as_str().parse().ok();
    let tls = url.as_str().starts_with("https://");
    let host = uri
        .as_ref()
        .and_then(|u| u.host())
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = uri
        .and_then(|u| u.port_u16())
        .unwrap_or(if tls { 443 } else { 80 });
    (host, port, tls)
}

pub fn unreachable(
    name: &'static str,
    host: &str,
    port: u16,
    e: Unreachable,
    option: &str,
) -> Check {
    match e {
        Unreachable::Resolve(why) => Check::fail(
            name,
            format!("{host} does not resolve ({why})"),
            format!("check {option} and the network's DNS"),
        ),
        // On loopback, most often the emulator on another port or not started: said as
        // the other commands say it.
        Unreachable::Connect(addr, _, true) if addr.ip().is_loopback() => Check::fail(
            name,
            format!(
                "{host}:{port} ({}) refuses the connection (connection refused; is greenq serve running on {host}:{port}?)",
                addr.ip()
            ),
            format!("start it, or check {option}"),
        ),
        Unreachable::Connect(addr, why, _) => Check::fail(
            name,
            format!(
                "{host}:{port} ({}) refuses or does not answer a connection ({why})",
                addr.ip()
            ),
            format!("check {option}, the network and any firewall or proxy"),
        ),
    }
}

/// Whether requests go through a proxy, as ureq reads the environment: the first of
/// ALL_PROXY, HTTPS_PROXY, HTTP_PROXY (either case), unless NO_PROXY is `*`.
pub fn proxy_in_use() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    let no_proxy = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .is_ok_and(|v| v.trim() == "*");
    !no_proxy
        && [
            "ALL_PROXY",
            "all_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
        ]
        .into_iter()
        .any(set)
}

pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_mark_found_and_fix() {
        let mut out = Vec::new();
        Check::fail(
            "state",
            "notAuthorized (the phone is not linked)",
            "scan the QR code",
        )
        .write_line(&mut out, false, false)
        .unwrap();
        Check::pass("credentials", "accepted")
            .write_line(&mut out, true, false)
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "FAIL state: notAuthorized (the phone is not linked); scan the QR code\n✓ credentials: accepted\n"
        );
    }

    #[test]
    fn json_report_is_ok_only_without_failures() {
        let checks = [Check::pass("a", "x"), Check::new("b", Outcome::Warn, "y")];
        assert_eq!(report_json(&checks, 0)["ok"], true);
        let checks = [Check::pass("a", "x"), Check::fail("b", "y", "z")];
        let report = report_json(&checks, 1);
        assert_eq!(report["ok"], false);
        assert_eq!(report["checks"][1]["status"], "fail");
        assert_eq!(report["checks"][1]["fix"], "z");
    }

    #[test]
    fn hosts_get_the_scheme_default_port() {
        let url = |t: &str| BaseUrl::parse(t, "--api-url", "X", false).unwrap();
        assert_eq!(
            host_port(&url("https://h.example")),
            ("h.example".into(), 443, true)
        );
        assert_eq!(
            host_port(&url("http://127.0.0.1:8")),
            ("127.0.0.1".into(), 8, false)
        );
        assert_eq!(
            host_port(&url("http://[::1]:9/p")),
            ("::1".into(), 9, false)
        );
    }

    #[test]
    fn a_closed_port_is_unreachable_and_a_listener_is_reached() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let reached = reach("127.0.0.1", port, Duration::from_secs(5)).unwrap();
        assert_eq!(reached.addr.port(), port);
        drop(listener);
        assert!(matches!(
            reach("127.0.0.1", port, Duration::from_secs(5)),
            Err(Unreachable::Connect(..))
        ));
    }
}
