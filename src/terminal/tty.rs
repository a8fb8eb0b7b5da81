//! Is this stream a terminal, and should it be coloured?

use std::io::IsTerminal;

use clap::ValueEnum;

/// Tests cannot give the binary a real terminal; this variable makes it act as if
/// stdout and stderr were one (the way xh's tests do with XH_TEST_MODE_TERM).
const FAKE_TERMINAL: &str = "GREENQ_TEST_TERMINAL";

/// `--color`: when stdout and stderr are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn faked() -> bool {
    std::env::var_os(FAKE_TERMINAL).is_some_and(|v| v == "1")
}

pub fn stdout_is_terminal() -> bool {
    faked() || std::io::stdout().is_terminal()
}

pub fn stderr_is_terminal() -> bool {
    faked() || std::io::stderr().is_terminal()
}

pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// `--color` wins over NO_COLOR (no-color.org); `auto` colours terminals only.
pub fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}
