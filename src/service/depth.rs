//! What `tail` shows of the queue's depth on a terminal: with `-e` over a backlog, a bar
//! whose total is `getWebhooksCount` at start, read again at most every 10 s (arrivals
//! grow it); without `-e`, the spinner's `≈ N waiting`. Nothing in a pipe, with `-q`, or
//! when the count cannot be read: then the spinner as before, and no error.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use crate::service::client::Client;
use crate::service::session::Session;
use crate::terminal::progress;
use crate::terminal::status::Status;

/// The service refreshes its count every 10 s: reading it more often shows nothing new.
const REFRESH: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    Nothing,
    Bar,
    Spinner,
}

pub struct Depth<'a> {
    client: &'a Client,
    status: &'a Status,
    shown: Shown,
    /// Deleted since the start, and since the count was last read.
    done: u64,
    done_since_read: u64,
    last_read: u64,
    read_at: Instant,
}

impl<'a> Depth<'a> {
    /// Starts `tail`'s spinner, or its bar when `exit_on_empty` and a backlog waits.
    pub fn start(session: &'a Session, exit_on_empty: bool) -> Self {
        let mut depth = Depth {
            client: &session.client,
            status: &session.status,
            shown: Shown::Nothing,
            done: 0,
            done_since_read: 0,
            last_read: 0,
            read_at: Instant::now(),
        };
        // indicatif draws on a real terminal only: no count is read where nothing shows.
        let visible = !session.status.is_quiet() && std::io::stderr().is_terminal();
        let count = if visible {
            session.client.webhooks_count().ok()
        } else {
            None
        };
        match count {
            Some(n) if exit_on_empty && n > 0 => {
                depth.shown = Shown::Bar;
                session.status.show(progress::drain_bar(n));
            }
            Some(n) => {
                depth.shown = Shown::Spinner;
                depth.last_read = n;
                let spinner = progress::depth_spinner("waiting");
                spinner.set_prefix(progress::waiting(n));
                session.status.show(spinner);
            }
            None => session.spinner("waiting"),
        }
        depth
    }

    /// One notification was handled and deleted.
    pub fn deleted(&mut self) {
        match self.shown {
            Shown::Nothing => return,
            Shown::Bar => self.status.with_bar(|bar| bar.inc(1)),
            Shown::Spinner => {}
        }
        self.done += 1;
        self.done_since_read += 1;
        if self.read_at.elapsed() >= REFRESH {
            self.read_at = Instant::now();
            // A count that cannot be read now keeps the last figure.
            if let Ok(n) = self.client.webhooks_count() {
                self.last_read = n;
                self.done_since_read = 0;
                if self.shown == Shown::Bar {
                    let total = self.done + n;
                    self.status.with_bar(|bar| bar.set_length(total));
                }
            }
        }
        if self.shown == Shown::Spinner {
            let left = self.last_read.saturating_sub(self.done_since_read);
            self.status
                .with_bar(|bar| bar.set_prefix(progress::waiting(left)));
        }
    }
}
