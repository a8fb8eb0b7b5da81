//! `greenq_queue_depth`: the queue's length from `getWebhooksCount`, read at once and
//! then once a minute on a thread and a connection of its own, so that it costs the
//! loop nothing and the rate limit next to nothing. A failed read keeps the last value.
//! It ends with its instance's loop: a multi-instance tail goes on without an instance
//! that stopped on bad credentials or an exhausted quota, and that one gets no more requests.

use std::sync::Arc;
use std::time::Duration;

use crate::service::agent;
use crate::service::client::Client;

use crate::service::session::Session;
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;
use crate::watch::probe::Probe;

const EVERY: Duration = Duration::from_secs(60);

pub fn spawn(session: &Session, probe: Probe) {
    let config = session.config.clone();
    let Ok(credentials) = config.require_credentials() else {
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("greenq-depth".into())
        .spawn(move || {
            // Quiet: a metric's read is not a status line, and never shows the token.
            // Small buffers: the answer is `{"count":N}`, and a tail may follow hundreds.
            let client = Client::new(
                agent::build_lean(),
                &config,
                Some(credentials),
                Arc::new(Status::new(true, false)),
                Interrupt::new(),
            );
            follow(
                &probe,
                || client.webhooks_count().ok(),
                || std::thread::sleep(EVERY),
            );
        });
    drop(spawned);
}

/// Reads the depth into `probe`, pausing between reads, until its instance stopped.
fn follow(probe: &Probe, mut read: impl FnMut() -> Option<u64>, mut pause: impl FnMut()) {
    while !probe.state.has_stopped() {
        if let Some(depth) = read() {
            probe.set_queue_depth(depth);
        }
        pause();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_that_stopped_gets_no_more_depth_reads() {
        let probe = Probe::detached();
        let mut reads = 0;
        follow(
            &probe,
            || {
                reads += 1;
                Some(7)
            },
            // The instance's loop ends on a 401 while the thread waits for its next read.
            || probe.stopped("HTTP 401"),
        );
        assert_eq!(reads, 1, "no read after the instance stopped");
        assert!(
            probe.status().ends_with("queue depth 7"),
            "{}",
            probe.status()
        );
    }
}
