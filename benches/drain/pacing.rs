//! The `default` section: tail's default (pipelined) against `--no-pipeline` through the
//! proxy that adds 10 ms each way, and a drain of 1,000 against an emulator that allows
//! 100 requests per second per method (`serve --rate-limit 100`): the rate, and the 429s
//! it drew, counted in the emulator's -v log.

use super::*;

/// The service's limit, per method per instance.
const LIMIT: u32 = 100;
/// The drain against it.
const PACED: usize = 1_000;

pub fn report(sizes: &Sizes, table: &mut Table) {
    let n = sizes.round_trip;
    let one_way = Duration::from_millis(10);
    let (plain, _) = delayed_drain(n, one_way, &["--no-pipeline"]);
    let (default, connections) = delayed_drain(n, one_way, &[]);
    let rate = |t: Duration| n as f64 / t.as_secs_f64();
    let ratio = plain.as_secs_f64() / default.as_secs_f64();
    progress(format_args!(
        "default: tail --no-pipeline {:.1}/s, tail {:.1}/s, ratio {ratio:.2}, {connections} connection(s)",
        rate(plain),
        rate(default)
    ));
    table.row(
        format!("tail --no-pipeline via 20 ms RTT proxy, N={n}"),
        format!("{:.1} /s", rate(plain)),
        "",
        None,
    );
    table.row(
        format!("tail (default) via 20 ms RTT proxy, N={n}"),
        format!("{:.1} /s", rate(default)),
        "",
        None,
    );
    table.row(
        "  default / --no-pipeline",
        format!("{ratio:.2}"),
        ">= 1.7",
        Some(ratio >= 1.7),
    );
    table.row(
        "  TCP connections (settings read + queue)",
        connections.to_string(),
        "1",
        Some(connections == 1),
    );

    let (elapsed, refused) = rate_limited_drain(PACED, LIMIT);
    let share = PACED as f64 / elapsed.as_secs_f64() / f64::from(LIMIT);
    progress(format_args!(
        "default: {PACED} at --rate-limit {LIMIT}: {:.1} s, {:.0} % of the limit, {refused} 429s",
        elapsed.as_secs_f64(),
        share * 100.0
    ));
    table.row(
        format!("tail against serve --rate-limit {LIMIT}, N={PACED}: share of the limit"),
        format!("{:.0} %", share * 100.0),
        ">= 85 %",
        Some(share >= 0.85),
    );
    table.row(
        "  429s drawn",
        refused.to_string(),
        "<= 3",
        Some(refused <= 3),
    );
}

/// `greenq tail --count n` against an emulator allowing `limit` requests per second per
/// method: the time taken and the requests the emulator refused with 429.
fn rate_limited_drain(n: usize, limit: u32) -> (Duration, usize) {
    let mut child = Command::new(GREENQ)
        .args(["serve", "--listen", "127.0.0.1:0", "--wait", "1", "-v"])
        .arg("--accept")
        .arg(format!("{INSTANCE}:{TOKEN}"))
        .args(["--rate-limit", &limit.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start greenq serve --rate-limit");
    let mut stdout = BufReader::new(child.stdout.take().expect("serve's stdout is piped"));
    let mut first = String::new();
    stdout
        .read_line(&mut first)
        .expect("read the first line of greenq serve");
    let addr = first
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("greenq serve's first line is {first:?}"));
    thread::spawn(move || io::copy(&mut stdout, &mut io::sink()));
    let log = collect(child.stderr.take().expect("serve's stderr is piped"));
    let emulator = Emulator { child, addr };
    prefill(&emulator, n);
    let mut cmd = greenq(&emulator.url());
    cmd.args(["tail", "--count", &n.to_string(), "--format", "json"])
        .stdout(Stdio::null());
    let run = run_measured(cmd, "greenq tail against the rate limit");
    // Out of the drain's last second, so that this receive is not refused.
    thread::sleep(Duration::from_millis(1100));
    assert_empty(&emulator, "after greenq tail against the rate limit");
    drop(emulator);
    let log = log.join().unwrap_or_default();
    // `greenq: serve: GET /waInstance1/receiveNotification/*** 429 0.0 ms`
    let refused = log
        .lines()
        .filter(|l| l.split_whitespace().nth(4) == Some("429"))
        .count();
    (run.elapsed, refused)
}
