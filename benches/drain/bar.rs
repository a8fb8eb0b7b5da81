//! Section "bar": what the progress bar of `tail -e` costs. The same drain of a pre-filled
//! queue, stdout to /dev/null and stderr on a real pseudo-terminal (so that indicatif
//! draws), once with the bar and once with `-q` (no bar), alternating rounds; the best of
//! each. Target: the bar keeps at least 98 % of the quiet drain's rate.

use std::fs::File;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;
use std::thread;
use std::time::Instant;

use super::{Emulator, Sizes, Table, assert_empty, greenq, prefill, progress};

pub fn report(sizes: &Sizes, table: &mut Table) {
    let n = sizes.drain;
    let (mut bar, mut quiet) = (0.0f64, 0.0f64);
    // At least three pairs: one round each says little on a shared machine.
    for round in 1..=sizes.rounds.max(3) {
        let with_bar = drain_on_pty(n, false);
        let without = drain_on_pty(n, true);
        progress(format_args!(
            "bar round {round}: bar {with_bar:.0}/s, -q {without:.0}/s"
        ));
        bar = bar.max(with_bar);
        quiet = quiet.max(without);
    }
    let ratio = bar / quiet;
    table.row(
        format!("tail -e on a terminal, N={n}: bar / -q"),
        format!("{bar:.0} / {quiet:.0} /s ({:.1} %)", ratio * 100.0),
        ">= 98 %",
        Some(ratio >= 0.98),
    );
}

/// Notifications per second of `greenq [-q] tail -e --format json > /dev/null`, stderr a pty.
fn drain_on_pty(n: usize, quiet: bool) -> f64 {
    let emulator = Emulator::start(0);
    prefill(&emulator, n);
    let (master, slave) = open_pty();
    // Read what is drawn, so that the child never blocks on a full terminal.
    let drawn = thread::spawn(move || {
        let mut master = File::from(master);
        let mut sink = Vec::new();
        let _ = master.read_to_end(&mut sink);
        sink.len()
    });
    let mut cmd = greenq(&emulator.url());
    if quiet {
        cmd.arg("-q");
    }
    cmd.args(["tail", "-e", "--format", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::from(slave));
    let started = Instant::now();
    let status = cmd
        .spawn()
        .and_then(|mut child| child.wait())
        .expect("run greenq tail -e");
    let elapsed = started.elapsed();
    drop(cmd);
    assert!(status.success(), "greenq tail -e on a pty failed: {status}");
    let bytes = drawn.join().unwrap_or(0);
    if !quiet {
        assert!(bytes > 0, "the bar drew nothing on the terminal");
    }
    assert_empty(&emulator, "after greenq tail -e on a pty");
    n as f64 / elapsed.as_secs_f64()
}

/// A pseudo-terminal of 40 rows and 160 columns: (master, slave).
fn open_pty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 40,
        ws_col: 160,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two descriptors that we then own; the name and termios
    // arguments may be null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors are open and ours alone.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}
