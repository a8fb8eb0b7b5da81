//! `greenq_queue_depth`: the queue's length from `getWebhooksCount`, read at once and
//! then once a minute on a thread and a connection of its own, so that it costs the
//! loop nothing and the rate limit next to nothing. A failed read keeps the last value.

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
            let client = Client::new(
                agent::build(),
                &config,
                Some(credentials),
                Arc::new(Status::new(true, false)),
                Interrupt::new(),
            );
            loop {
                if let Ok(depth) = client.webhooks_count() {
                    probe.set_queue_depth(depth);
                }
                std::thread::sleep(EVERY);
            }
        });
    drop(spawned);
}
