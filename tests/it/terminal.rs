//! What greenq leaves on a terminal (a real pty, read back through a terminal emulator):
//! the spinner and the drain's bar redrawn in place, cleared before the summary, and one
//! status line for a tail of several instances.

use std::time::Duration;

use crate::support::*;

const LIMIT: Duration = Duration::from_secs(30);

/// The lines of `screen` that hold `text`.
fn holding<'a>(screen: &'a [String], text: &str) -> Vec<&'a String> {
    screen.iter().filter(|l| l.contains(text)).collect()
}

#[test]
fn ctrl_c_leaves_the_summary_and_no_spinner_line_above_it() {
    // The terminal echoes ^C where the cursor is; the spinner must still clear its line.
    let emu = Emulator::start(20);
    let mut pty = Pty::spawn(&emu.url(), &["tail", "--format", "text"]);
    pty.wait_for("waiting", LIMIT);
    pty.type_raw("\x03");
    assert_eq!(pty.wait_exit(LIMIT), 130, "{}", pty.output());
    let screen = pty.screen();
    assert!(holding(&screen, "waiting").is_empty(), "{screen:#?}");
    assert_eq!(
        holding(&screen, "greenq: interrupted: 0 printed").len(),
        1,
        "{screen:#?}"
    );
}
