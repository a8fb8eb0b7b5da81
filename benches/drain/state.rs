//! Sections "ledger" and "kill9": what tail's state directory costs and what it buys.
//!
//! - ledger: the drain rate of `tail --exec -- true` and of `tail --forward-to` (a local
//!   hook that answers 200 at once) with the ledger, next to the same with `--no-state`,
//!   rounds alternating, the best of each; the target is a ratio of at least 0.8. The
//!   rounds share one state directory, as a consumer's runs do (so the ledger's files
//!   exist after the first), with new notifications each round.
//! - kill9: `greenq tail --exec` killed with SIGKILL at a random moment and started
//!   again, 500 times (100 quick), with the ledger and with `--no-state`; then a last run
//!   drains the queue. Counts notifications lost and handed on twice (the handler appends
//!   the idMessage to a file, as its last act). Through a link that delays each way by
//!   10 ms, as a distant service does (kills 0 to 200 ms after the start), and on bare
//!   loopback (0 to 30 ms), where a delete takes no longer than a process's exit.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Stdio;
use std::thread;
use std::time::Duration;

use super::{DelayProxy, Emulator, Sizes, Table, assert_empty, greenq, progress, run_measured};

fn quick() -> bool {
    std::env::var("GREENQ_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

pub fn report_ledger(sizes: &Sizes, table: &mut Table) {
    let n = if quick() { 300 } else { 2_000 };
    let hook = Hook::start();
    let modes: [(&str, Vec<String>); 2] = [
        (
            "tail --exec -- true",
            ["--exec", "--", "true"].map(String::from).to_vec(),
        ),
        (
            "tail --forward-to (hook answers 200)",
            vec![
                "--forward-to".into(),
                hook.url.clone(),
                "--format".into(),
                "json".into(),
            ],
        ),
    ];
    // Rates swing with the machine's load: more rounds than elsewhere, each a pair run
    // back to back. The target is checked on the median of the pairs' ratios (the best of
    // each side alone favours the side that swings more); the best of each, and tail's
    // own CPU time per notification (the least of each), which load moves less, are shown.
    let rounds = sizes.rounds + 2;
    for (what, args) in modes {
        let (mut with, mut without) = (0.0f64, 0.0f64);
        let (mut cpu_with, mut cpu_without) = (f64::MAX, f64::MAX);
        let mut ratios = Vec::new();
        let state = tempfile::tempdir().expect("a state directory");
        for round in 1..=rounds {
            let first = n * round;
            let (a, ca) = drain_rate(first, n, &args, Some(state.path()));
            let (b, cb) = drain_rate(first, n, &args, None);
            progress(format_args!(
                "ledger round {round}: {what}: {a:.0}/s with the ledger, {b:.0}/s --no-state; CPU {ca:.0} / {cb:.0} µs each"
            ));
            ratios.push(a / b);
            with = with.max(a);
            without = without.max(b);
            cpu_with = cpu_with.min(ca);
            cpu_without = cpu_without.min(cb);
        }
        ratios.sort_by(f64::total_cmp);
        let median = ratios[ratios.len() / 2];
        let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
        table.row(
            format!("{what}, N={n}: ledger / --no-state, median of {rounds} pairs"),
            format!("{median:.2} ({})", shown.join(" ")),
            ">= 0.8",
            Some(median >= 0.8),
        );
        table.row(
            "  the best of each",
            format!("{with:.0} / {without:.0} /s = {:.2}", with / without),
            "",
            None,
        );
        table.row(
            "  tail's CPU per notification, ledger / --no-state",
            format!("{cpu_with:.0} / {cpu_without:.0} µs"),
            "",
            None,
        );
    }
}

/// One drain of `n` notifications (numbered from `first`) by `tail --count N ARGS`, with
/// the state directory `state`, or none: the rate, and tail's CPU time per notification
/// in µs.
fn drain_rate(first: usize, n: usize, args: &[String], state: Option<&Path>) -> (f64, f64) {
    let emulator = Emulator::start(0);
    prefill_from(&emulator, first, n);
    let mut cmd = greenq(&emulator.url());
    cmd.args(["tail", "--count", &n.to_string()]);
    match state {
        Some(dir) => cmd.arg("--state-dir").arg(dir),
        None => cmd.arg("--no-state"),
    };
    cmd.args(args).stdout(Stdio::null());
    let run = run_measured(cmd, "greenq tail (ledger section)");
    assert_empty(&emulator, "after the ledger section's drain");
    (
        n as f64 / run.elapsed.as_secs_f64(),
        run.cpu.as_secs_f64() * 1e6 / n as f64,
    )
}

/// Each way, as in the round-trip section.
const ONE_WAY: Duration = Duration::from_millis(10);

pub fn report_kill9(_: &Sizes, table: &mut Table) {
    let kills = if quick() { 100 } else { 500 };
    for (link, one_way, spread) in [
        ("a 10 ms link", Some(ONE_WAY), 200_000),
        ("loopback", None, 30_000),
    ] {
        for ledger in [true, false] {
            let (published, lost, twice) = kill_loop(kills, ledger, one_way, spread);
            let mode = if ledger { "the ledger" } else { "--no-state" };
            progress(format_args!(
                "kill9 over {link} with {mode}: {kills} kills, {published} notifications, {lost} lost, {twice} handled twice"
            ));
            // The target is the issue's, for the live service's kind of link.
            let target = match (ledger, one_way) {
                (true, Some(_)) => "0 / <= 2",
                _ => "0 / -",
            };
            table.row(
                format!("kill -9, {kills} kills, {published} queued, {link}, {mode}: lost / twice"),
                format!("{lost} / {twice}"),
                target,
                Some(lost == 0 && (target == "0 / -" || twice <= 2)),
            );
        }
    }
}

/// Kills a consumer `kills` times, each `0..spread` µs after its start. Returns
/// (published, lost, handled twice).
fn kill_loop(
    kills: usize,
    ledger: bool,
    one_way: Option<Duration>,
    spread: u64,
) -> (usize, usize, usize) {
    let emulator = Emulator::start(0);
    let proxy = one_way.map(|d| DelayProxy::start(emulator.addr, d));
    let url = match &proxy {
        Some(p) => format!("http://{}", p.addr),
        None => emulator.url(),
    };
    let dir = tempfile::tempdir().expect("a directory");
    let log = dir.path().join("log");
    let state = dir.path().join("state");
    let handler = format!(
        r#"printf '%s\n' "$GREENQ_ID_MESSAGE" >> '{}'"#,
        log.display()
    );
    let tail = |extra: &[&str]| {
        let mut cmd = greenq(&url);
        cmd.arg("tail").args(extra);
        if ledger {
            cmd.arg("--state-dir").arg(&state);
        } else {
            cmd.arg("--no-state");
        }
        cmd.args(["--exec", "--", "sh", "-c", &handler])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    };
    let mut rng = fastrand::Rng::with_seed(500);
    let mut published = 0;
    for _ in 0..kills {
        // Keep the queue from running dry, so that every kill can land mid-work.
        if published < lines(&log) + 40 {
            prefill_from(&emulator, published, 100);
            published += 100;
        }
        let mut child = tail(&[]).spawn().expect("start greenq tail");
        thread::sleep(Duration::from_micros(rng.u64(0..spread)));
        let _ = child.kill();
        let _ = child.wait();
    }
    let mut last = tail(&["-e"]);
    last.stderr(Stdio::piped());
    run_measured(last, "the last greenq tail of the kill9 section");
    assert_empty(&emulator, "after the kill9 section");
    let mut times: HashMap<String, usize> = HashMap::new();
    for line in std::fs::read_to_string(&log).unwrap_or_default().lines() {
        *times.entry(line.to_string()).or_default() += 1;
    }
    let lost = published.saturating_sub(times.len());
    let twice = times.values().filter(|&&n| n > 1).count();
    (published, lost, twice)
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

/// Queues notifications `from..from + n` (their idMessages are their numbers).
fn prefill_from(emulator: &Emulator, from: usize, n: usize) {
    let mut client = emulator.connect();
    for k in from..from + n {
        let (status, _) = client
            .call("POST", "/", super::notification(k).as_bytes())
            .expect("publish");
        assert_eq!(status, 200);
    }
}

/// A webhook handler on loopback that answers every POST 200 with an empty body, on
/// keep-alive connections, one thread each.
struct Hook {
    url: String,
}

impl Hook {
    fn start() -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the hook");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                thread::spawn(move || answer_all(stream));
            }
        });
        Hook { url }
    }
}

fn answer_all(stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        // The head, to its empty line.
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if writer
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .is_err()
        {
            return;
        }
    }
}
