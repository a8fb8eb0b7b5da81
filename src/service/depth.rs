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
    tally: Tally,
}

/// The figures behind what is shown, apart from the terminal and the service.
#[derive(Debug)]
struct Tally {
    /// Deleted since the start, and since the count was last read.
    done: u64,
    done_since_read: u64,
    last_read: u64,
    read_at: Instant,
}

impl Tally {
    fn new(count: u64, now: Instant) -> Tally {
        Tally {
            done: 0,
            done_since_read: 0,
            last_read: count,
            read_at: now,
        }
    }

    /// One more deleted; true when the count is due to be read again.
    fn deleted(&mut self, now: Instant) -> bool {
        self.done += 1;
        self.done_since_read += 1;
        if now.duration_since(self.read_at) < REFRESH {
            return false;
        }
        self.read_at = now;
        true
    }

    /// A count just read: the bar's new total (done + waiting; arrivals grow it).
    fn read(&mut self, count: u64) -> u64 {
        self.last_read = count;
        self.done_since_read = 0;
        self.done + count
    }

    /// What still waits, as far as is known: the last count less what was done since.
    fn waiting(&self) -> u64 {
        self.last_read.saturating_sub(self.done_since_read)
    }
}

impl<'a> Depth<'a> {
    /// Starts `tail`'s spinner, or its bar when `exit_on_empty` and a backlog waits.
    pub fn start(session: &'a Session, exit_on_empty: bool) -> Self {
        let mut depth = Depth {
            client: &session.client,
            status: &session.status,
            shown: Shown::Nothing,
            tally: Tally::new(0, Instant::now()),
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
                depth.tally = Tally::new(n, Instant::now());
                session.status.show(progress::drain_bar(n));
            }
            Some(n) => {
                depth.shown = Shown::Spinner;
                depth.tally = Tally::new(n, Instant::now());
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
        // A count that cannot be read now keeps the last figure.
        if self.tally.deleted(Instant::now())
            && let Ok(n) = self.client.webhooks_count()
        {
            let total = self.tally.read(n);
            if self.shown == Shown::Bar {
                self.status.with_bar(|bar| bar.set_length(total));
            }
        }
        if self.shown == Shown::Spinner {
            let left = self.tally.waiting();
            self.status
                .with_bar(|bar| bar.set_prefix(progress::waiting(left)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_is_read_again_every_10_s_and_arrivals_grow_the_total() {
        let t0 = Instant::now();
        let mut tally = Tally::new(5, t0);
        assert!(!tally.deleted(t0 + Duration::from_secs(1)));
        assert!(!tally.deleted(t0 + Duration::from_secs(9)));
        assert_eq!(tally.waiting(), 3);
        assert!(tally.deleted(t0 + REFRESH), "due after 10 s");
        // 3 done; 2 of the first 5 left, and 4 arrived: 6 wait.
        assert_eq!(tally.read(6), 9, "the total grew from 5 to 9");
        assert_eq!(tally.waiting(), 6);
        assert!(
            !tally.deleted(t0 + REFRESH + Duration::from_secs(9)),
            "not again within 10 s of the last read"
        );
        assert_eq!(tally.waiting(), 5);
    }
}
