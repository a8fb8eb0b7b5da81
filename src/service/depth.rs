//! What `tail` shows of the queue's depth on a terminal: with `-e` over a backlog, a bar
//! whose total is `getWebhooksCount` at start, read again at most every 10 s (arrivals
//! grow it); without `-e`, the spinner's `≈ N waiting`. Nothing in a pipe, with `-q`, or
//! when the count cannot be read: then the spinner as before, and no error.
//!
//! With `-e`, the depth also says when the backlog is consumed: the receive sent then is
//! the drain's last look at an empty queue, and asks the service for its shortest long
//! poll (receiveTimeout 5) instead of its default (20 s on the specification's server).
//! A queue that is not empty answers at once whatever the timeout, so a count that is
//! behind costs nothing; "empty" is still only ever the service's answer.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use crate::service::client::Client;
use crate::service::session::Session;
use crate::terminal::progress;
use crate::terminal::status::Status;

/// The service refreshes its count every 10 s: reading it more often shows nothing new.
const REFRESH: Duration = Duration::from_secs(10);

/// The shortest long poll the service accepts (receiveTimeout 5..60).
pub const SHORTEST_LONG_POLL: u32 = 5;

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
    exit_on_empty: bool,
    /// `--receive-timeout`: when given, every receive asks for it, the last look too.
    asked: Option<u32>,
    /// The last look asks for the shortest long poll (`tail::Options::short_last_look`).
    shortest: bool,
    /// The bar shows the last look (its total reached).
    last_look: bool,
    /// The bar's total as last set.
    shown_total: u64,
}

/// The figures behind what is shown, apart from the terminal and the service.
#[derive(Debug)]
struct Tally {
    /// Deleted since the start, and since the count was last read.
    done: u64,
    /// The bar's total: done + waiting when last read, grown by what came beyond it.
    total: u64,
    done_since_read: u64,
    last_read: u64,
    read_at: Instant,
}

impl Tally {
    fn new(count: u64, now: Instant) -> Tally {
        Tally {
            done: 0,
            total: count,
            done_since_read: 0,
            last_read: count,
            read_at: now,
        }
    }

    /// One more deleted; true when the count is due to be read again.
    fn deleted(&mut self, now: Instant) -> bool {
        self.done += 1;
        self.total = self.total.max(self.done);
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
        self.total = self.done + count;
        self.total
    }

    /// What still waits, as far as is known: the last count less what was done since.
    fn waiting(&self) -> u64 {
        self.waiting_after(0)
    }

    /// What will wait once `more` are deleted, as far as is known.
    fn waiting_after(&self, more: u64) -> u64 {
        self.last_read
            .saturating_sub(self.done_since_read.saturating_add(more))
    }
}

impl<'a> Depth<'a> {
    /// Starts `tail`'s spinner, or its bar when `exit_on_empty` and a backlog waits;
    /// `asked` is `--receive-timeout`; `shortest`: the last look asks for the shortest.
    pub fn start(
        session: &'a Session,
        exit_on_empty: bool,
        asked: Option<u32>,
        shortest: bool,
    ) -> Self {
        let mut depth = Depth {
            client: &session.client,
            status: &session.status,
            shown: Shown::Nothing,
            tally: Tally::new(0, Instant::now()),
            exit_on_empty,
            asked,
            shortest,
            last_look: false,
            shown_total: 0,
        };
        // indicatif draws on a real terminal only: no count is read where nothing shows
        // (nor for one instance of several: their run draws one line of its own).
        let visible = !session.status.is_quiet()
            && !session.status.is_one_of_many()
            && std::io::stderr().is_terminal();
        let count = if visible {
            session.client.webhooks_count().ok()
        } else {
            None
        };
        match count {
            Some(n) if exit_on_empty && n > 0 => {
                depth.shown = Shown::Bar;
                depth.tally = Tally::new(n, Instant::now());
                depth.shown_total = n;
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

    /// The receiveTimeout of the next receive, sent once `deleting` more were deleted
    /// (1 for a receive sent behind a delete): with `-e`, the service's shortest once the
    /// depth says nothing more waits; else `--receive-timeout` or the service's default.
    pub fn receive_timeout(&self, deleting: u64) -> Option<u32> {
        if self.asked.is_some()
            || !self.shortest
            || !self.exit_on_empty
            || self.shown == Shown::Nothing
        {
            return self.asked;
        }
        (self.tally.waiting_after(deleting) == 0).then_some(SHORTEST_LONG_POLL)
    }

    /// One notification was handled and deleted.
    pub fn deleted(&mut self) {
        if self.shown == Shown::Nothing {
            return;
        }
        // A count that cannot be read now keeps the last figure.
        let due = self.tally.deleted(Instant::now());
        if due && let Ok(n) = self.client.webhooks_count() {
            self.tally.read(n);
        }
        match self.shown {
            Shown::Bar => self.draw_bar(),
            Shown::Spinner => {
                let left = self.tally.waiting();
                self.status
                    .with_bar(|bar| bar.set_prefix(progress::waiting(left)));
            }
            Shown::Nothing => {}
        }
    }

    /// The bar at `done/total`; drawn at once when the total is reached, with what the
    /// drain does next (its last look), so that it never stands short of its end.
    fn draw_bar(&mut self) {
        let (done, total) = (self.tally.done, self.tally.total);
        let last_look = self.tally.waiting() == 0;
        let wait = self.asked.or(self.shortest.then_some(SHORTEST_LONG_POLL));
        let switch = last_look != self.last_look;
        let grown = total != self.shown_total;
        self.last_look = last_look;
        self.shown_total = total;
        self.status.with_bar(|bar| {
            if grown {
                bar.set_length(total);
            }
            bar.set_position(done);
            // Its steady tick redraws it from then on.
            if switch {
                progress::last_look(bar, last_look, wait);
                bar.force_draw();
            }
        });
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

    #[test]
    fn the_last_look_is_due_when_the_count_says_the_backlog_is_consumed() {
        let t0 = Instant::now();
        let mut tally = Tally::new(2, t0);
        assert_eq!(tally.waiting_after(1), 1);
        tally.deleted(t0);
        // The receive sent with the second delete is the last look.
        assert_eq!(tally.waiting_after(1), 0);
        tally.deleted(t0);
        assert_eq!((tally.done, tally.total, tally.waiting()), (2, 2, 0));
        // One more than the count knew: the total grows with it.
        tally.deleted(t0);
        assert_eq!((tally.done, tally.total), (3, 3));
    }
}
