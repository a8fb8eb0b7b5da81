//! The one status line of a tail of several instances, drawn by one owner (the run's
//! status): the total handed on, and how many instances wait, fail (retrying) or stopped
//! (`⠋ 45 printed · 3 instances: 2 waiting, 1 failing · 12s`). One line, not one per
//! instance: a run may follow a thousand. Each instance reports to its slot (atomics)
//! and never draws; the line reads the slots when it is drawn, ten times a second.

use std::fmt::Write;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// What one instance is doing, as the line counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum State {
    /// Following its queue: a long poll, or handing one on.
    Waiting = 0,
    /// Retrying after faults, with no progress since.
    Failing = 1,
    /// Stopped on an error (the others go on).
    Stopped = 2,
    /// Ended without an error (`-e`, `-n`, Ctrl-C).
    Done = 3,
}

/// One instance's figures.
#[derive(Debug, Default)]
pub struct Slot {
    handled: AtomicU64,
    state: AtomicU8,
}

impl Slot {
    /// Its count of notifications handed on.
    pub fn handled(&self, count: u64) {
        self.handled.store(count, Ordering::Relaxed);
    }

    /// It retries after a fault (`true`), or made progress again; an ended instance stays so.
    pub fn failing(&self, failing: bool) {
        let (from, to) = if failing {
            (State::Waiting, State::Failing)
        } else {
            (State::Failing, State::Waiting)
        };
        let _ =
            self.state
                .compare_exchange(from as u8, to as u8, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// Its loop ended, on an error or not.
    pub fn ended(&self, on_error: bool) {
        let state = if on_error {
            State::Stopped
        } else {
            State::Done
        };
        self.state.store(state as u8, Ordering::Relaxed);
    }

    fn state(&self) -> State {
        match self.state.load(Ordering::Relaxed) {
            1 => State::Failing,
            2 => State::Stopped,
            3 => State::Done,
            _ => State::Waiting,
        }
    }
}

/// Every instance's slot, and the words of the line.
#[derive(Debug)]
pub struct Board {
    slots: Mutex<Vec<Arc<Slot>>>,
    /// `printed`, or `handled` for `--exec` and `--forward-to`.
    verb: &'static str,
}

impl Board {
    pub fn new(verb: &'static str) -> Arc<Board> {
        Arc::new(Board {
            slots: Mutex::new(Vec::new()),
            verb,
        })
    }

    /// A slot for one more instance.
    pub fn slot(&self) -> Arc<Slot> {
        let slot = Arc::new(Slot::default());
        if let Ok(mut slots) = self.slots.lock() {
            slots.push(slot.clone());
        }
        slot
    }

    /// `45 printed · 3 instances: 2 waiting, 1 failing, 1 stopped`; a state no instance
    /// is in is left out, but for `waiting`.
    pub fn line(&self) -> String {
        let slots = self.slots.lock().map(|s| s.clone()).unwrap_or_default();
        let mut by_state = [0usize; 4];
        let mut handled = 0u64;
        for slot in &slots {
            by_state[slot.state() as usize] += 1;
            handled = handled.saturating_add(slot.handled.load(Ordering::Relaxed));
        }
        let mut line = format!(
            "{handled} {} · {} instances: {} waiting",
            self.verb,
            slots.len(),
            by_state[State::Waiting as usize]
        );
        for (state, word) in [
            (State::Failing, "failing"),
            (State::Stopped, "stopped"),
            (State::Done, "done"),
        ] {
            let n = by_state[state as usize];
            if n > 0 {
                let _ = write!(line, ", {n} {word}");
            }
        }
        line
    }

    /// The spinner that draws the line, on `bar` (whose draw target decides whether it
    /// shows at all).
    pub fn draw_on(self: &Arc<Self>, bar: &ProgressBar) {
        let board = self.clone();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {board} · {elapsed}") {
            bar.set_style(
                style.with_key("board", move |_: &ProgressState, w: &mut dyn Write| {
                    let _ = w.write_str(&board.line());
                }),
            );
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_sums_the_instances_and_counts_their_states() {
        let board = Board::new("printed");
        let (a, b, c) = (board.slot(), board.slot(), board.slot());
        assert_eq!(board.line(), "0 printed · 3 instances: 3 waiting");
        a.handled(2);
        b.handled(3);
        b.failing(true);
        assert_eq!(
            board.line(),
            "5 printed · 3 instances: 2 waiting, 1 failing"
        );
        c.ended(true);
        b.failing(false);
        assert_eq!(
            board.line(),
            "5 printed · 3 instances: 2 waiting, 1 stopped"
        );
        c.failing(false);
        a.ended(false);
        a.failing(true);
        assert_eq!(
            board.line(),
            "5 printed · 3 instances: 1 waiting, 1 stopped, 1 done",
            "an ended instance stays ended"
        );
    }
}
