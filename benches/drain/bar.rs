//! Section "bar": what the progress bar of `tail -e` costs. The same drain of a pre-filled
//! queue, stdout read and thrown away and stderr on a real pseudo-terminal (so that
//! indicatif draws), once with the bar and once with `-q` (no bar), in seven alternating
//! pairs; the best of each. Both ask for 5 s long polls (`--receive-timeout 5`: with the
//! bar the drain's last look would ask for it anyway, where this emulator, `--wait 0`,
//! answers `-q`'s at once), so that both end with the same wait; the rate is up to the
//! last notification written. Target: the bar keeps at least 98 % of the quiet drain's
//! rate.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;
use std::thread;
use std::time::Instant;

use super::{Emulator, Sizes, Table, assert_empty, greenq, prefill, progress};

pub fn report(sizes: &Sizes, table: &mut Table) {
    // A short drain is all fixed costs and noise: at least 20,000, and seven pairs.
    let n = sizes.drain.max(20_000);
    let (mut bar, mut quiet) = (Drain::default(), Drain::default());
    let mut ratios = Vec::new();
    for round in 1..=7 {
        // Which goes first alternates, so that neither always meets a warmer machine.
        let (with_bar, without) = if round % 2 == 1 {
            let b = drain_on_pty(n, false);
            (b, drain_on_pty(n, true))
        } else {
            let q = drain_on_pty(n, true);
            (drain_on_pty(n, false), q)
        };
        progress(format_args!(
            "bar round {round}: bar {:.0}/s, {:.1} µs CPU each; -q {:.0}/s, {:.1} µs CPU each",
            with_bar.rate, with_bar.cpu_us, without.rate, without.cpu_us
        ));
        ratios.push(with_bar.rate / without.rate);
        bar = bar.best(with_bar);
        quiet = quiet.best(without);
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    let ratio = bar.rate / quiet.rate;
    table.row(
        format!("tail -e on a terminal, N={n}: bar / -q, best of 7 each"),
        format!(
            "{:.0} / {:.0} /s ({:.1} %)",
            bar.rate,
            quiet.rate,
            ratio * 100.0
        ),
        ">= 98 %",
        Some(ratio >= 0.98),
    );
    table.row(
        "  the same, median of the 7 pairs' ratios",
        format!("{:.1} %", median * 100.0),
        "",
        None,
    );
    // greenq's own CPU per notification moves far less with the machine's load than the
    // wall time: the bar's extra CPU, as a share of the quiet drain's time per notification.
    let extra = (bar.cpu_us - quiet.cpu_us).max(0.0);
    let share = extra / (1e6 / quiet.rate);
    table.row(
        "  greenq's CPU per notification, bar / -q (least of 7)",
        format!(
            "{:.1} / {:.1} µs: +{extra:.1} µs, {:.1} % of the time of one",
            bar.cpu_us,
            quiet.cpu_us,
            share * 100.0
        ),
        "<= 2 %",
        Some(share <= 0.02),
    );
}

/// One drain: notifications per second (wall), greenq's CPU (user + system) per notification.
#[derive(Default, Clone, Copy)]
struct Drain {
    rate: f64,
    cpu_us: f64,
}

impl Drain {
    /// The best of two: the higher rate, the lower CPU.
    fn best(self, other: Drain) -> Drain {
        Drain {
            rate: self.rate.max(other.rate),
            cpu_us: if self.cpu_us == 0.0 {
                other.cpu_us
            } else {
                self.cpu_us.min(other.cpu_us)
            },
        }
    }
}

/// `greenq [-q] tail -e --format json > /dev/null` over `n` queued, stderr a pty.
// wait4 reaps the child, which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn drain_on_pty(n: usize, quiet: bool) -> Drain {
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
    cmd.args(["tail", "-e", "--format", "json", "--receive-timeout", "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave));
    let started = Instant::now();
    let mut child = cmd.spawn().expect("run greenq tail -e");
    // When the n-th line came: the drain's end, whatever its last look waits after it.
    let stdout = child.stdout.take().expect("tail's stdout");
    let last = thread::spawn(move || {
        let mut lines = BufReader::new(stdout).split(b'\n');
        let mut at = Instant::now();
        for _ in 0..n {
            if lines.next().is_none_or(|l| l.is_err()) {
                break;
            }
            at = Instant::now();
        }
        lines.for_each(drop);
        at
    });
    let (status, usage) = wait4(child.id() as libc::pid_t);
    let elapsed = last
        .join()
        .expect("the reader of stdout")
        .duration_since(started);
    drop(cmd);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "greenq tail -e on a pty failed: wait status {status:#x}"
    );
    let bytes = drawn.join().unwrap_or(0);
    if !quiet {
        assert!(bytes > 0, "the bar drew nothing on the terminal");
    }
    assert_empty(&emulator, "after greenq tail -e on a pty");
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    Drain {
        rate: n as f64 / elapsed.as_secs_f64(),
        cpu_us: cpu * 1e6 / n as f64,
    }
}

/// Waits for our child `pid`: its wait status and resource usage.
fn wait4(pid: libc::pid_t) -> (i32, libc::rusage) {
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills, for our own child, which std never
    // waits for afterwards.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid {
            return (status, usage);
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "wait4: {e}");
    }
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
