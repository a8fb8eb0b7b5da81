//! The process's one HTTP agent: keep-alive, the system's trust store, proxies from the
//! environment, timeouts, no redirects.

use std::time::Duration;

use ureq::unversioned::transport::{Connector, DefaultConnector};

use crate::service::transport::{CachingResolver, Tracker, TrackingConnector};

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a read may block: the longest wait of a long poll (receiveTimeout ends at
/// 60 s) plus a margin. So a long poll is never cut short, and nothing hangs forever.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60 + 15);
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Statuses come back as values (the client classifies them). No redirects: one could
/// carry the token, a path segment, to another host.
pub fn build() -> (ureq::Agent, Tracker) {
    build_with_buffers(128 * 1024, 128 * 1024)
}

/// The same with small buffers: one instance's of hundreds in one tail, whose requests and
/// answer heads are small (ureq fills its buffers at their full size, 256 KiB by default,
/// which 200 instances would pay 50 MiB for). Bodies larger than the buffer still stream.
pub fn build_lean() -> (ureq::Agent, Tracker) {
    build_with_buffers(32 * 1024, 16 * 1024)
}

fn build_with_buffers(input: usize, output: usize) -> (ureq::Agent, Tracker) {
    use ureq::tls::{RootCerts, TlsConfig};
    let config = ureq::Agent::config_builder()
        .input_buffer_size(input)
        .output_buffer_size(output)
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("greenq/", env!("CARGO_PKG_VERSION")))
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_per_read(Some(READ_TIMEOUT))
        .timeout_per_write(Some(WRITE_TIMEOUT))
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::PlatformVerifier)
                .build(),
        )
        .build();
    let tracker = Tracker::default();
    let agent = ureq::Agent::with_parts(
        config,
        DefaultConnector::default().chain(TrackingConnector(tracker.clone())),
        CachingResolver::default(),
    );
    (agent, tracker)
}
