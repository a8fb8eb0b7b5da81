//! How requests reach the wire, tuned under ureq's public but unversioned transport API
//! (hence `ureq = "~3.5"`): a resolver that remembers its answer, and a transport that
//! sends a request's head and small body in one write and does not probe a connection
//! it used a moment ago. Found by profiling `tail` and `publish` (see the README).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

const RESOLVE_TTL: Duration = Duration::from_secs(60);
/// A connection that did I/O this recently is taken to be open without a probe.
const FRESH: Duration = Duration::from_millis(50);

/// ureq asks its resolver before every request, even one that goes out on a pooled
/// connection, and with a timeout set the default resolver spawns a thread per lookup.
/// This one reuses the last lookup of the same scheme and authority for a minute.
#[derive(Debug, Default)]
pub struct CachingResolver {
    inner: DefaultResolver,
    last: Mutex<Option<(String, Instant, ResolvedSocketAddrs)>>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        // Compared in place: this runs before every request.
        let scheme = uri.scheme_str().unwrap_or("");
        let authority = uri.authority().map_or("", |a| a.as_str());
        if let Ok(last) = self.last.lock()
            && let Some((key, at, addrs)) = last.as_ref()
            && key.strip_prefix(scheme).and_then(|k| k.strip_prefix("://")) == Some(authority)
            && at.elapsed() < RESOLVE_TTL
        {
            return Ok(addrs.clone());
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        if let Ok(mut last) = self.last.lock() {
            *last = Some((
                format!("{scheme}://{authority}"),
                Instant::now(),
                addrs.clone(),
            ));
        }
        Ok(addrs)
    }
}

/// Wraps whatever the default chain made (TCP, or TLS over it) in a `Coalescing` transport.
#[derive(Debug)]
pub struct CoalescingConnector;

impl<In: Transport> Connector<In> for CoalescingConnector {
    type Out = Coalescing<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| Coalescing {
            inner,
            held: Vec::new(),
            last_io: Instant::now(),
        }))
    }
}

/// ureq writes a request's head and its body separately, so a POST costs two TCP
/// segments and the server two reads. This holds back a head that announces a body and
/// sends it together with the body, in one write.
///
/// ureq also probes a connection (three system calls) each time it goes back to the pool
/// and each time it comes out, which is most of its cost per request on loopback. A
/// connection that answered less than `FRESH` ago is known to be open; an older one is
/// probed as before. Should the server close it in that instant, the request fails like
/// any dropped connection and is retried.
#[derive(Debug)]
pub struct Coalescing<T> {
    inner: T,
    held: Vec<u8>,
    last_io: Instant,
}

impl<T: Transport> Coalescing<T> {
    fn flush_held(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.held.is_empty() {
            return Ok(());
        }
        let head = std::mem::take(&mut self.held);
        self.inner.buffers().output()[..head.len()].copy_from_slice(&head);
        self.inner.transmit_output(head.len(), timeout)
    }
}

impl<T: Transport> Transport for Coalescing<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.held.is_empty() {
            let written = &self.inner.buffers().output()[..amount];
            if announces_body(written) {
                self.held.extend_from_slice(written);
                return Ok(());
            }
            return self.inner.transmit_output(amount, timeout);
        }
        let held = self.held.len();
        let output = self.inner.buffers().output();
        if held + amount <= output.len() {
            // Body moves up behind the head: one write for both.
            output.copy_within(..amount, held);
            output[..held].copy_from_slice(&self.held);
            self.held.clear();
            return self.inner.transmit_output(held + amount, timeout);
        }
        // A body too large to join the head: head first, then the body as it was.
        let body = output[..amount].to_vec();
        self.flush_held(timeout)?;
        self.inner.buffers().output()[..amount].copy_from_slice(&body);
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.flush_held(timeout)?;
        let progress = self.inner.await_input(timeout)?;
        self.last_io = Instant::now();
        Ok(progress)
    }

    fn is_open(&mut self) -> bool {
        self.last_io.elapsed() < FRESH || self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// A complete request head with a non-zero content-length and no `Expect: 100-continue`
/// (which must wait for the server before the body goes).
fn announces_body(bytes: &[u8]) -> bool {
    // Cheap tests first: this runs on every write, and GET and DELETE carry no body.
    let with_body = [&b"POST "[..], b"PUT ", b"PATCH "];
    if !with_body.iter().any(|m| bytes.starts_with(m)) || !bytes.ends_with(b"\r\n\r\n") {
        return false;
    }
    let Ok(head) = std::str::from_utf8(bytes) else {
        return false;
    };
    let mut length = None;
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("expect") && value.eq_ignore_ascii_case("100-continue") {
            return false;
        }
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<u64>().ok();
        }
    }
    length.is_some_and(|n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resolver_remembers_per_scheme_and_authority() {
        let resolver = CachingResolver::default();
        let config = ureq::config::Config::default();
        let port = |uri: &str| {
            let uri: ureq::http::Uri = uri.parse().unwrap();
            resolver
                .resolve(&uri, &config, NextTimeout::default())
                .unwrap()[0]
                .port()
        };
        assert_eq!(port("http://127.0.0.1:7001/a"), 7001);
        assert_eq!(port("http://127.0.0.1:7001/b"), 7001);
        assert_eq!(
            port("http://127.0.0.1:7002/a"),
            7002,
            "another authority is looked up"
        );
        assert_eq!(port("https://127.0.0.1/"), 443, "another scheme too");
    }

    #[test]
    fn only_a_head_with_a_body_to_follow_is_held() {
        assert!(announces_body(
            b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 12\r\n\r\n"
        ));
        assert!(announces_body(
            b"PUT /a HTTP/1.1\r\nContent-Length:5\r\n\r\n"
        ));
        assert!(!announces_body(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n"));
        assert!(!announces_body(
            b"POST / HTTP/1.1\r\ncontent-length: 0\r\n\r\n"
        ));
        assert!(!announces_body(
            b"POST / HTTP/1.1\r\ncontent-length: 9\r\nexpect: 100-continue\r\n\r\n"
        ));
        assert!(!announces_body(
            b"{\"body\":\"POST / HTTP/1.1\r\ncontent-length: 9\r\n\r\n"
        ));
        assert!(!announces_body(
            b"POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"
        ));
    }
}
