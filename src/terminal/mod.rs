//! The terminal side: rendering notifications on stdout (`format`), everything said on
//! stderr (`status`), whether a stream is a terminal and coloured (`tty`), and Ctrl-C
//! (`interrupt`); the drain's bar and depth (`progress`); the one line of a tail of
//! several instances (`board`).

pub mod board;
pub mod format;
pub mod interrupt;
pub mod progress;
pub mod status;
pub mod tty;
