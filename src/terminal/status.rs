//! Everything greenq says on stderr: status lines, warnings, `--verbose` exchanges,
//! and the indicatif spinner or progress bar, which only ever draw on a terminal.

use std::fmt::Display;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

use crate::terminal::board::{Board, Slot};

pub struct Status {
    quiet: bool,
    verbose: bool,
    bar: Mutex<Option<ProgressBar>>,
    /// One instance's of several (its profile): named in every line; it draws no spinner.
    label: Option<String>,
    /// The run's status (`instance`): it draws the one line; this one's lines lift it.
    owner: Option<Arc<Status>>,
    /// This instance's figures on the owner's line.
    slot: Option<Arc<Slot>>,
    /// The owner's line, over every instance (`with_board`).
    board: Option<Arc<Board>>,
}

impl Status {
    pub fn new(quiet: bool, verbose: bool) -> Self {
        Status {
            quiet,
            verbose,
            bar: Mutex::new(None),
            label: None,
            owner: None,
            slot: None,
            board: None,
        }
    }

    /// A reporter whose lines start with `label: ` (one instance of several: `instance`).
    fn labelled(quiet: bool, verbose: bool, label: &str) -> Self {
        let mut status = Status::new(quiet, verbose);
        status.label = Some(format!("{label}: "));
        status
    }

    /// The status of a run of several instances, which alone draws: one line over all of
    /// them (`show_board`), whose `verb` is `printed` or `handled`.
    pub fn with_board(quiet: bool, verbose: bool, verb: &'static str) -> Self {
        let mut status = Status::new(quiet, verbose);
        status.board = Some(Board::new(verb));
        status
    }

    /// One instance's status in a run of several: its lines start with `label: ` and lift
    /// the run's line; it draws nothing, and reports its figures to the run's line.
    pub fn instance(owner: &Arc<Status>, label: &str) -> Self {
        let mut status = Status::labelled(owner.quiet, owner.verbose, label);
        status.owner = Some(owner.clone());
        status.slot = owner.board.as_ref().map(|b| b.slot());
        status
    }

    /// Starts drawing the run's one line (`with_board`), on a terminal only.
    pub fn show_board(&self) {
        if let Some(board) = &self.board {
            let bar = self.make_bar(None, "{spinner}");
            // Hidden (a pipe, -q, a JSON log): no ticking thread for nothing.
            if bar.is_hidden() {
                return;
            }
            board.draw_on(&bar);
            self.replace(Some(bar));
        }
    }

    /// `count` notifications handed on so far (`verb`: printed, handled): on the spinner,
    /// or on the run's line for one instance of several. A drain's bar counts for itself.
    pub fn handed_on(&self, count: u64, verb: &str) {
        if let Some(slot) = &self.slot {
            slot.handled(count);
            return;
        }
        self.with_bar(|bar| {
            if bar.length().is_some() {
                return;
            }
            bar.set_message(format!("{count} {verb} · waiting"));
            bar.reset_elapsed();
        });
    }

    /// Retries after a fault go on (`true`), or progress was made: counted on the run's
    /// line for one instance of several.
    pub fn failing(&self, failing: bool) {
        if let Some(slot) = &self.slot {
            slot.failing(failing);
        }
    }

    /// This instance's loop ended, on an error or not (the run's line counts it).
    pub fn ended(&self, on_error: bool) {
        if let Some(slot) = &self.slot {
            slot.ended(on_error);
        }
    }

    fn label(&self) -> &str {
        self.label.as_deref().unwrap_or("")
    }

    pub fn is_verbose(&self) -> bool {
        self.verbose
    }

    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// One instance's of several: it draws nothing of its own.
    pub fn is_one_of_many(&self) -> bool {
        self.label.is_some()
    }

    /// A warning: shown even with `--quiet`.
    pub fn warning(&self, message: impl Display) {
        self.suspend(|| crate::ewriteln!("greenq: warning: {}{message}", self.label()));
    }

    /// A status line (`retrying in 4.2 s: HTTP 502`), unless `--quiet`.
    pub fn line(&self, message: impl Display) {
        if !self.quiet {
            self.suspend(|| crate::ewriteln!("greenq: {}{message}", self.label()));
        }
    }

    /// A status line from a thread that must never wait (the signal handler's): the loop
    /// holds the spinner lifted for as long as a command runs or a write is stuck, so this
    /// line clears the spinner's row instead of waiting to lift it.
    pub fn line_at_once(&self, message: impl Display) {
        if self.quiet {
            return;
        }
        let clear = if crate::terminal::tty::stderr_is_terminal() && !crate::stderr_log::is_json() {
            "\r\x1b[2K"
        } else {
            ""
        };
        crate::ewriteln!("{clear}greenq: {}{message}", self.label());
    }

    /// One line per HTTP exchange with `--verbose`; the caller redacts.
    pub fn exchange(&self, message: impl Display) {
        if self.verbose {
            self.suspend(|| crate::ewriteln!("greenq: {}{message}", self.label()));
        }
    }

    /// Shows a spinner (`{elapsed}` counts from now) with `message`, on a terminal only.
    pub fn spinner(&self, message: impl Into<String>) {
        if self.label.is_some() {
            return;
        }
        let bar = self.make_bar(None, "{spinner} {msg} {elapsed}");
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(100));
        self.replace(Some(bar));
    }

    /// A progress bar of `len` steps, on a terminal only.
    pub fn progress(&self, len: u64, what: &str) {
        let bar = self.make_bar(Some(len), "{msg} [{bar:30}] {pos}/{len} {rate} eta {eta}");
        bar.set_message(what.to_string());
        self.replace(Some(bar));
    }

    /// Shows a bar made elsewhere (`progress`), unless `--quiet`.
    pub fn show(&self, bar: ProgressBar) {
        if !self.quiet {
            self.replace(Some(bar));
        }
    }

    fn make_bar(&self, len: Option<u64>, template: &str) -> ProgressBar {
        // A JSON log has no room for a drawing.
        let target = if self.quiet || crate::stderr_log::is_json() {
            ProgressDrawTarget::hidden()
        } else {
            stderr_target()
        };
        let bar = ProgressBar::with_draw_target(len, target);
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(crate::terminal::progress::with_rate(style).progress_chars("=> "));
        }
        bar
    }

    /// Runs `f` with the spinner or bar lifted off the screen, so that lines do not mix.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        if let Some(owner) = &self.owner {
            return owner.suspend(f);
        }
        let bar = self.bar.lock().ok().and_then(|b| b.clone());
        match bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Applies `f` to the spinner or bar, if one is shown.
    pub fn with_bar(&self, f: impl FnOnce(&ProgressBar)) {
        if let Some(bar) = self.bar.lock().ok().and_then(|b| b.clone()) {
            f(&bar);
        }
    }

    pub fn clear(&self) {
        self.replace(None);
    }

    fn replace(&self, new: Option<ProgressBar>) {
        if let Ok(mut slot) = self.bar.lock()
            && let Some(old) = std::mem::replace(&mut *slot, new)
        {
            old.finish_and_clear();
        }
    }
}

/// Where spinners and bars draw: stderr when it is a terminal (not TERM=dumb), at most 20
/// times a second, as indicatif's own `stderr()`, but a few columns short of the width.
/// indicatif pads its line to the last column; the terminal's echo of ^C then wrapped
/// onto a new line, and the spinner's clear took that line, leaving the spinner in the
/// scrollback above the summary. With room to spare the echo stays on the spinner's line.
pub fn stderr_target() -> ProgressDrawTarget {
    let term = console::Term::buffered_stderr();
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    if !term.is_term() || dumb {
        return ProgressDrawTarget::hidden();
    }
    ProgressDrawTarget::term_like_with_hz(Box::new(EchoRoom(term)), 20)
}

/// Columns left free at the end of the line: `^C` twice.
const ECHO_ROOM: u16 = 4;

#[derive(Debug)]
struct EchoRoom(console::Term);

impl TermLike for EchoRoom {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(ECHO_ROOM).max(1)
    }
    fn height(&self) -> u16 {
        self.0.size().0
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.0.write_line(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.write_str(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.0.clear_line()
    }
    fn flush(&self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl Drop for Status {
    fn drop(&mut self) {
        self.clear();
    }
}
