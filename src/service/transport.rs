//! Under ureq, through its public but unversioned transport API (hence `ureq = "~3.5"`):
//! a resolver that remembers its answer, and a transport that notes how far each request
//! got, so that a failure can be told apart: never sent (safe to send again) or sent and
//! unanswered (a POST may have arrived).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

const RESOLVE_TTL: Duration = Duration::from_secs(60);

/// ureq resolves the host before every request, even one that goes out on a pooled
/// connection (in a new thread when a timeout is set): this reuses the last answer for a
/// minute, or until `forget` (a clone shares the answer: the agent has one, its owner another).
#[derive(Debug, Default, Clone)]
pub struct CachingResolver {
    inner: Arc<DefaultResolver>,
    last: Arc<Mutex<Option<(String, Instant, ResolvedSocketAddrs)>>>,
}

impl CachingResolver {
    /// Looks the host up again next time: the address it gave failed (a hook that moved).
    pub fn forget(&self) {
        if let Ok(mut last) = self.last.lock() {
            *last = None;
        }
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or(""),
            uri.authority().map_or("", |a| a.as_str())
        );
        if let Ok(last) = self.last.lock()
            && let Some((k, at, addrs)) = last.as_ref()
            && *k == key
            && at.elapsed() < RESOLVE_TTL
        {
            return Ok(addrs.clone());
        }
        // The system's lookup fails with a bare I/O error: say what it is.
        let addrs = self
            .inner
            .resolve(uri, config, timeout)
            .map_err(|e| match e {
                ureq::Error::Io(_) => ureq::Error::HostNotFound,
                other => other,
            })?;
        if let Ok(mut last) = self.last.lock() {
            *last = Some((key, Instant::now(), addrs.clone()));
        }
        Ok(addrs)
    }
}

/// How far the request in flight got. One request at a time goes through an agent of ours,
/// so one record per agent is enough.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Some bytes of the request were handed to the connection.
    pub writing: bool,
    /// It went out whole: the answer was being awaited.
    pub sent: bool,
    /// Bytes of an answer came back.
    pub answered: bool,
    /// It went out on a connection that had carried an earlier request.
    pub reused: bool,
}

/// Shared between the connector (which writes it) and the client (which reads it).
#[derive(Clone, Debug, Default)]
pub struct Tracker(Arc<Mutex<Progress>>);

impl Tracker {
    fn lock(&self) -> MutexGuard<'_, Progress> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Called before each request.
    pub fn begin(&self) {
        *self.lock() = Progress::default();
    }

    pub fn progress(&self) -> Progress {
        *self.lock()
    }
}

/// Wraps whatever the default chain made (TCP, or TLS over it) in a `Tracked` transport.
#[derive(Debug)]
pub struct TrackingConnector(pub Tracker);

impl<In: Transport> Connector<In> for TrackingConnector {
    type Out = Tracked<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| Tracked {
            inner,
            tracker: self.0.clone(),
            requests: 0,
            awaiting: true,
        }))
    }
}

#[derive(Debug)]
pub struct Tracked<T> {
    inner: T,
    tracker: Tracker,
    /// Requests started on this connection.
    requests: u32,
    /// The last I/O was a read: the next write starts a new request.
    awaiting: bool,
}

impl<T: Transport> Transport for Tracked<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.awaiting {
            self.awaiting = false;
            self.requests += 1;
            let mut progress = self.tracker.lock();
            progress.writing = true;
            progress.reused = self.requests > 1;
        }
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if !self.awaiting {
            self.awaiting = true;
            self.tracker.lock().sent = true;
        }
        let progress = self.inner.await_input(timeout)?;
        if progress {
            self.tracker.lock().answered = true;
        }
        Ok(progress)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
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
    fn a_forgotten_answer_is_looked_up_again_by_every_clone() {
        let resolver = CachingResolver::default();
        let agents = resolver.clone();
        let uri: ureq::http::Uri = "http://127.0.0.1:7001/".parse().unwrap();
        let config = ureq::config::Config::default();
        agents
            .resolve(&uri, &config, NextTimeout::default())
            .unwrap();
        assert!(resolver.last.lock().unwrap().is_some(), "shared");
        resolver.forget();
        assert!(agents.last.lock().unwrap().is_none());
    }
}
