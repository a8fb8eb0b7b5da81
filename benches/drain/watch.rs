//! Section "watch": what running as a watched service costs a drain. The same queue is
//! drained by plain `greenq tail` and by `greenq --log-format json tail --metrics-listen
//! 127.0.0.1:0` (metrics updated per notification, the depth thread, JSON stderr lines),
//! in alternating rounds so that the shared machine's drift hits both alike; best of each.

use std::process::Stdio;

use super::{Emulator, Sizes, Table, assert_empty, greenq, prefill, progress, run_measured};

/// At least this many pairs, even in quick mode: one pair is all noise.
const MIN_PAIRS: usize = 5;

pub fn report(sizes: &Sizes, table: &mut Table) {
    let n = sizes.drain;
    let (mut plain, mut watched) = (0.0f64, 0.0f64);
    for round in 1..=sizes.rounds.max(MIN_PAIRS) {
        // Alternate which goes first.
        let order = if round % 2 == 1 {
            [false, true]
        } else {
            [true, false]
        };
        for with_watch in order {
            let rate = drain_rate(n, with_watch);
            let which = if with_watch { "watched" } else { "plain" };
            progress(format_args!("watch round {round}: {which} {rate:.0}/s"));
            if with_watch {
                watched = watched.max(rate);
            } else {
                plain = plain.max(rate);
            }
        }
    }
    let ratio = watched / plain;
    table.row(
        format!("tail drain, N={n}: plain / --metrics-listen + --log-format json"),
        format!(
            "{plain:.0} / {watched:.0} /s ({:+.1} %)",
            (ratio - 1.0) * 100.0
        ),
        ">= -3 %",
        Some(ratio >= 0.97),
    );
}

fn drain_rate(n: usize, with_watch: bool) -> f64 {
    let emulator = Emulator::start(0);
    prefill(&emulator, n);
    let mut cmd = greenq(&emulator.url());
    if with_watch {
        cmd.args(["--log-format", "json"]);
    }
    cmd.args(["tail", "--count", &n.to_string(), "--format", "json"]);
    if with_watch {
        cmd.args(["--metrics-listen", "127.0.0.1:0"]);
    }
    cmd.stdout(Stdio::null());
    let run = run_measured(cmd, "greenq tail");
    assert_empty(&emulator, "after greenq tail --count N");
    n as f64 / run.elapsed.as_secs_f64()
}
