//! The speed of greenq against its own emulator (`greenq serve`) on loopback, every
//! figure next to its target with a pass or miss mark:
//!
//!     cargo bench --bench drain                        # the issue's numbers, ~2.5 minutes
//!     GREENQ_BENCH_QUICK=1 cargo bench --bench drain   # smaller N, ~20 seconds
//!     GREENQ_BENCH_ONLY=drain,publish cargo bench --bench drain   # some sections only
//!
//! Sections, in the order they run:
//!
//! - drain: `greenq tail --count N --format json > /dev/null` over a pre-filled queue;
//! - publish: `greenq publish FILE` of an NDJSON file;
//! - latency: from a publish to the line on tail's stdout while tail waits in a long poll;
//! - memory: peak RSS of tail and publish (wait4's ru_maxrss);
//! - startup: `greenq --version`;
//! - round-trip: a drain through a proxy that adds 10 ms each way: the share of the time
//!   that is the network's round trips, and how many connections tail opened;
//! - sdk: the official Python SDK's drain next to tail's, on loopback and through the
//!   proxy (`drain/sdk.rs`);
//! - relay: publish to emulator A until a receive on emulator B has it, through
//!   `greenq tail` on A piped into `greenq publish -` to B;
//! - pipeline: the same delayed drain by `tail --no-pipeline` and by `tail --pipeline`:
//!   rates, ratio, the share of the time that is one round trip per notification, connections;
//! - default: tail's default (pipelined) against `--no-pipeline` through the 20 ms proxy,
//!   and a drain of 1,000 against `serve --rate-limit 100`: rate and 429s (`drain/pacing.rs`).
//! - watch: the drain plain and with `--metrics-listen` and `--log-format json`, side by side.
//! - bar: `tail -e` with stderr on a pseudo-terminal, with its progress bar and with `-q`
//!   (`drain/bar.rs`).
//! - many: 20 instances in one tail through the proxy against one alone, 200 on loopback,
//!   and the start of 1,000 (its first notification, its memory): rates, connections,
//!   memory, every line checked (`drain/many.rs`).
//! - ledger, kill9: tail's state directory: the drain rate of `--exec` and
//!   `--forward-to` with the ledger next to `--no-state`, and kill -9 in a loop
//!   (`drain/state.rs`).
//!
//! - fleet: `tail --coordinate` with a real redis-server: takeover after kill -9 and
//!   SIGTERM, Redis commands/s for 1,000 queues over 3 members, the drain rate with
//!   `--coordinate` against without (`drain/fleet.rs`).
//!
//! A new section is a `fn(&Sizes, &mut Table)` (in its own file under `drain/` when it
//! is more than a few lines) and one line in `SECTIONS`.
//!
//! Speed is checked here only, never by the tests: `cargo test --benches` runs nothing.

#[path = "drain/bar.rs"]
mod bar;
#[path = "drain/fleet.rs"]
mod fleet;
#[path = "drain/many.rs"]
mod many;
#[path = "drain/pacing.rs"]
mod pacing;
#[path = "drain/sdk.rs"]
mod sdk;
#[path = "drain/state.rs"]
mod state;
#[path = "drain/watch.rs"]
mod watch;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

const GREENQ: &str = env!("CARGO_BIN_EXE_greenq");
const INSTANCE: u64 = 1101000001;
const TOKEN: &str = "bench-token-5f2a9c0e7d";
const MIB: f64 = 1024.0 * 1024.0;

/// How many of each; `GREENQ_BENCH_QUICK=1` scales them down for a quick look.
struct Sizes {
    drain: usize,
    /// Rounds of the drains and of publish; the best counts.
    rounds: usize,
    publish: usize,
    latency: usize,
    memory_small: usize,
    memory_large: usize,
    startup: usize,
    round_trip: usize,
    /// The SDK's drain on loopback, and through the delay proxy.
    sdk: usize,
    sdk_delay: usize,
}

impl Sizes {
    fn from_env() -> Sizes {
        let quick = std::env::var("GREENQ_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        if quick {
            Sizes {
                drain: 2_000,
                rounds: 1,
                publish: 2_000,
                latency: 100,
                memory_small: 1_000,
                memory_large: 10_000,
                startup: 20,
                round_trip: 20,
                sdk: 200,
                sdk_delay: 50,
            }
        } else {
            Sizes {
                drain: 20_000,
                rounds: 3,
                publish: 20_000,
                latency: 1_000,
                memory_small: 10_000,
                memory_large: 100_000,
                startup: 200,
                round_trip: 200,
                sdk: 2_000,
                sdk_delay: 200,
            }
        }
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not, and gets nothing.
    if !std::env::args().any(|a| a == "--bench") {
        println!("drain: a benchmark; run it with `cargo bench --bench drain`");
        return;
    }
    let sizes = Sizes::from_env();
    let started = Instant::now();
    progress(format_args!("greenq is {GREENQ}"));
    let mut table = Table::default();
    let sections = SECTIONS;
    let only = std::env::var("GREENQ_BENCH_ONLY").unwrap_or_default();
    let wanted: Vec<&str> = only
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(unknown) = wanted
        .iter()
        .find(|w| !sections.iter().any(|(n, _)| n == *w))
    {
        eprintln!("drain: unknown section {unknown:?} in GREENQ_BENCH_ONLY");
        std::process::exit(2);
    }
    for &(name, report) in sections {
        if wanted.is_empty() || wanted.contains(&name) {
            report(&sizes, &mut table);
        }
    }
    println!();
    println!(
        "greenq {} against `greenq serve` on loopback; {} cores; {:.0} s",
        env!("CARGO_PKG_VERSION"),
        thread::available_parallelism().map_or(0, |n| n.get()),
        started.elapsed().as_secs_f64()
    );
    table.print();
}

/// One section of the run: measures, then adds its rows.
type Report = fn(&Sizes, &mut Table);

/// Every section, by the name `GREENQ_BENCH_ONLY` knows it by, in the order they run.
const SECTIONS: &[(&str, Report)] = &[
    ("drain", report_drain),
    ("publish", report_publish),
    ("latency", report_latency),
    ("memory", report_memory),
    ("startup", report_startup),
    ("round-trip", report_round_trips),
    ("sdk", sdk::report),
    ("relay", report_relay),
    ("pipeline", report_pipeline),
    ("watch", watch::report),
    ("bar", bar::report),
    ("many", many::report),
    ("ledger", state::report_ledger),
    ("kill9", state::report_kill9),
    ("default", pacing::report),
    ("fleet", fleet::report),
];

/// tail's drain rate, the best round.
fn report_drain(sizes: &Sizes, table: &mut Table) {
    let n = sizes.drain;
    let mut best = 0.0f64;
    for round in 1..=sizes.rounds {
        let rate = tail_rate(n);
        progress(format_args!("drain round {round}: {rate:.0}/s"));
        best = best.max(rate);
    }
    table.row(
        format!("tail drain, N={n}"),
        format!("{best:.0} /s"),
        ">= 5000 /s",
        Some(best >= 5000.0),
    );
}

/// publish's rate, the best round.
fn report_publish(sizes: &Sizes, table: &mut Table) {
    let n = sizes.publish;
    let mut best = 0.0f64;
    for round in 1..=sizes.rounds {
        let rate = n as f64 / publish(n).elapsed.as_secs_f64();
        progress(format_args!("publish round {round}: {rate:.0}/s"));
        best = best.max(rate);
    }
    table.row(
        format!("publish FILE, N={n}"),
        format!("{best:.0} /s"),
        ">= 10000 /s",
        Some(best >= 10_000.0),
    );
}

/// publish -> line on tail's stdout.
fn report_latency(sizes: &Sizes, table: &mut Table) {
    let n = sizes.latency;
    let (p50, p99) = latency(n);
    progress(format_args!(
        "latency: p50 {:.3} ms, p99 {:.3} ms",
        ms(p50),
        ms(p99)
    ));
    table.row(
        format!("publish -> tail line p50, {n} samples"),
        format!("{:.3} ms", ms(p50)),
        "<= 1 ms",
        Some(p50 <= Duration::from_millis(1)),
    );
    table.row(
        format!("publish -> tail line p99, {n} samples"),
        format!("{:.3} ms", ms(p99)),
        "<= 5 ms",
        Some(p99 <= Duration::from_millis(5)),
    );
}

/// Peak RSS of tail at two sizes (it must not grow with N) and of publish.
fn report_memory(sizes: &Sizes, table: &mut Table) {
    let (small, large) = (sizes.memory_small, sizes.memory_large);
    let tail_small = tail_drain(small).max_rss;
    let tail_large = tail_drain(large).max_rss;
    let publish_large = publish(large).max_rss;
    progress(format_args!(
        "memory: tail {:.1} / {:.1} MiB, publish {:.1} MiB",
        tail_small / MIB,
        tail_large / MIB,
        publish_large / MIB
    ));
    table.row(
        format!("tail peak RSS, N={small}"),
        format!("{:.1} MiB", tail_small / MIB),
        "<= 16 MiB",
        Some(tail_small <= 16.0 * MIB),
    );
    // Flat: the large drain may not use more than 10 % (or 1 MiB) over the small one.
    let flat = tail_large <= (tail_small * 1.10).max(tail_small + MIB);
    table.row(
        format!("tail peak RSS, N={large}"),
        format!("{:.1} MiB", tail_large / MIB),
        "<= 16 MiB, flat (+10 %)",
        Some(tail_large <= 16.0 * MIB && flat),
    );
    table.row(
        format!("publish peak RSS, N={large}"),
        format!("{:.1} MiB", publish_large / MIB),
        "<= 32 MiB",
        Some(publish_large <= 32.0 * MIB),
    );
}

/// `greenq --version`.
fn report_startup(sizes: &Sizes, table: &mut Table) {
    let median = startup(sizes.startup);
    progress(format_args!("start-up: {:.2} ms", ms(median)));
    table.row(
        format!("greenq --version, median of {}", sizes.startup),
        format!("{:.2} ms", ms(median)),
        "<= 3 ms",
        Some(median <= Duration::from_millis(3)),
    );
}

/// A drain through a proxy with a 20 ms round trip.
fn report_round_trips(sizes: &Sizes, table: &mut Table) {
    let n = sizes.round_trip;
    let (efficiency, connections) = round_trips(n, Duration::from_millis(10));
    progress(format_args!(
        "round trips: efficiency {efficiency:.3}, {connections} connection(s)"
    ));
    table.row(
        format!("drain via 20 ms RTT proxy, N={n}"),
        format!("{efficiency:.3}"),
        ">= 0.95",
        Some(efficiency >= 0.95),
    );
    table.row(
        "  TCP connections opened",
        connections.to_string(),
        "1",
        Some(connections == 1),
    );
}

/// 8: `tail` against `tail --pipeline` through the 20 ms round-trip proxy. The floor of
/// a pipelined drain is one round trip per notification.
fn report_pipeline(sizes: &Sizes, table: &mut Table) {
    let n = sizes.round_trip;
    let one_way = Duration::from_millis(10);
    let (plain, _) = delayed_drain(n, one_way, &["--no-pipeline"]);
    let (pipelined, connections) = delayed_drain(n, one_way, &["--pipeline"]);
    let rate = |t: Duration| n as f64 / t.as_secs_f64();
    let ratio = plain.as_secs_f64() / pipelined.as_secs_f64();
    let efficiency = (2.0 * one_way.as_secs_f64() * n as f64) / pipelined.as_secs_f64();
    progress(format_args!(
        "pipeline: tail {:.1}/s, tail --pipeline {:.1}/s, ratio {ratio:.2}, efficiency {efficiency:.3}, {connections} connection(s)",
        rate(plain),
        rate(pipelined)
    ));
    table.row(
        format!("tail via 20 ms RTT proxy, N={n}"),
        format!("{:.1} /s", rate(plain)),
        "",
        None,
    );
    table.row(
        format!("tail --pipeline via 20 ms RTT proxy, N={n}"),
        format!("{:.1} /s", rate(pipelined)),
        "",
        None,
    );
    table.row(
        "  --pipeline / plain",
        format!("{ratio:.2}"),
        ">= 1.8",
        Some(ratio >= 1.8),
    );
    table.row(
        "  --pipeline efficiency (1 RTT each)",
        format!("{efficiency:.3}"),
        ">= 0.9",
        Some(efficiency >= 0.9),
    );
    // The settings read at start goes over the queue's connection.
    table.row(
        "  --pipeline TCP connections (settings read + queue)",
        connections.to_string(),
        "1",
        Some(connections == 1),
    );
}

/// Drains `n` through a proxy that delays each direction by `one_way`: the time taken,
/// and the connections tail opened.
fn delayed_drain(n: usize, one_way: Duration, flags: &[&str]) -> (Duration, usize) {
    let emulator = Emulator::start(0);
    prefill(&emulator, n);
    let proxy = DelayProxy::start(emulator.addr, one_way);
    let mut cmd = greenq(&format!("http://{}", proxy.addr));
    cmd.args(["tail", "--count", &n.to_string(), "--format", "json"])
        .args(flags)
        .stdout(Stdio::null());
    let run = run_measured(cmd, "greenq tail through the delaying proxy");
    assert_empty(&emulator, "after greenq tail through the proxy");
    (run.elapsed, proxy.connections.load(Ordering::SeqCst))
}

/// Notifications per second of `greenq tail --count N --format json > /dev/null`.
fn tail_rate(n: usize) -> f64 {
    n as f64 / tail_drain(n).elapsed.as_secs_f64()
}

/// Runs `greenq tail --count N` over a queue of `n`; checks that it emptied the queue.
fn tail_drain(n: usize) -> Run {
    let emulator = Emulator::start(0);
    prefill(&emulator, n);
    let mut cmd = greenq(&emulator.url());
    cmd.args(["tail", "--count", &n.to_string(), "--format", "json"])
        .stdout(Stdio::null());
    let run = run_measured(cmd, "greenq tail");
    assert_empty(&emulator, "after greenq tail --count N");
    run
}

/// Runs `greenq publish FILE` of `n` notifications; checks that all `n` arrived.
fn publish(n: usize) -> Run {
    let mut file = tempfile::NamedTempFile::new().expect("create a temporary NDJSON file");
    {
        let mut out = io::BufWriter::new(file.as_file_mut());
        for i in 0..n {
            writeln!(out, "{}", notification(i)).expect("write the NDJSON file");
        }
        out.flush().expect("write the NDJSON file");
    }
    let emulator = Emulator::start(0);
    let mut cmd = greenq(&emulator.url());
    cmd.arg("publish").arg(file.path()).stdout(Stdio::null());
    let run = run_measured(cmd, "greenq publish");
    // Receipts count up from 1: one more publish tells how many came before it.
    let mut client = emulator.connect();
    let (status, body) = client
        .call("POST", "/", notification(n).as_bytes())
        .expect("publish one after greenq publish");
    assert_eq!(status, 200, "publish one after greenq publish");
    assert_eq!(
        receipt_id(body),
        Some(n as u64 + 1),
        "greenq publish did not queue all {n}"
    );
    run
}

/// p50 and p99 of the time from a publish (raw client) to its line on the stdout of a
/// `greenq tail` that waits in a long poll.
fn latency(samples: usize) -> (Duration, Duration) {
    const WARM_UP: usize = 10;
    let emulator = Emulator::start(20);
    let mut tail = greenq(&emulator.url())
        .args(["tail", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start greenq tail");
    let watchdog = watchdog(tail.id() as libc::pid_t, CHILD_LIMIT);
    let mut lines = BufReader::new(tail.stdout.take().expect("tail's stdout is piped"));
    let mut stderr = Some(collect(tail.stderr.take().expect("tail's stderr is piped")));
    let mut client = emulator.connect();
    let mut line = String::new();
    let mut times = Vec::with_capacity(samples);
    for i in 0..WARM_UP + samples {
        // Time for tail to delete the last one and wait in its next long poll.
        thread::sleep(Duration::from_millis(5));
        let body = notification(i);
        let started = Instant::now();
        client
            .send("POST", "/", body.as_bytes())
            .expect("latency: publish");
        line.clear();
        let read = lines.read_line(&mut line).expect("read tail's stdout");
        let elapsed = started.elapsed();
        if read == 0 {
            let _ = tail.wait();
            let said = stderr
                .take()
                .and_then(|h| h.join().ok())
                .unwrap_or_default();
            panic!("greenq tail ended early:\n{said}");
        }
        assert!(
            line.contains(&format!("{i:032X}")),
            "tail printed another notification: {line}"
        );
        let (status, _) = client.read_response().expect("latency: publish answer");
        assert_eq!(status, 200, "latency: publish status");
        if i >= WARM_UP {
            times.push(elapsed);
        }
    }
    terminate(&mut tail);
    drop(watchdog);
    times.sort();
    (percentile(&times, 50), percentile(&times, 99))
}

/// A live relay, `greenq tail` on emulator A piped into `greenq publish -` to emulator B:
/// the time from a publish to A until a long-polling receive on B has it.
fn report_relay(sizes: &Sizes, table: &mut Table) {
    let n = sizes.latency.min(300);
    let (p50, p99) = relay(n);
    progress(format_args!(
        "relay: p50 {:.3} ms, p99 {:.3} ms",
        ms(p50),
        ms(p99)
    ));
    table.row(
        format!("relay A -> tail | publish - -> B, p50 of {n}"),
        format!("{:.3} ms", ms(p50)),
        "<= 5 ms",
        Some(p50 <= Duration::from_millis(5)),
    );
    table.row(
        format!("relay A -> tail | publish - -> B, p99 of {n}"),
        format!("{:.3} ms", ms(p99)),
        "",
        None,
    );
}

fn relay(samples: usize) -> (Duration, Duration) {
    const WARM_UP: usize = 10;
    let (a, b) = (Emulator::start(20), Emulator::start(20));
    let mut tail = greenq(&a.url())
        .args(["tail", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start greenq tail");
    let tail_watchdog = watchdog(tail.id() as libc::pid_t, CHILD_LIMIT);
    let tail_stderr = collect(tail.stderr.take().expect("tail's stderr is piped"));
    let mut publish = greenq(&b.url())
        .args(["publish", "-"])
        .stdin(Stdio::from(
            tail.stdout.take().expect("tail's stdout is piped"),
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start greenq publish -");
    let publish_watchdog = watchdog(publish.id() as libc::pid_t, CHILD_LIMIT);
    let publish_stderr = collect(publish.stderr.take().expect("publish's stderr is piped"));
    let (mut to_a, mut from_b) = (a.connect(), b.connect());
    let receive = format!("/waInstance{INSTANCE}/receiveNotification/{TOKEN}");
    let mut times = Vec::with_capacity(samples);
    for i in 0..WARM_UP + samples {
        // Time for tail to delete the last one and wait in its next long poll.
        thread::sleep(Duration::from_millis(5));
        from_b
            .send("GET", &receive, b"")
            .expect("relay: receive on B");
        let body = notification(i);
        let started = Instant::now();
        to_a.send("POST", "/", body.as_bytes())
            .expect("relay: publish to A");
        let (status, got) = from_b.read_response().expect("relay: B's answer");
        let elapsed = started.elapsed();
        assert_eq!(status, 200, "relay: receive on B");
        if !got.windows(32).any(|w| w == format!("{i:032X}").as_bytes()) {
            let _ = tail.kill();
            let _ = publish.kill();
            panic!(
                "relay: B received {:?}\ntail: {}\npublish: {}",
                String::from_utf8_lossy(got),
                tail_stderr.join().unwrap_or_default(),
                publish_stderr.join().unwrap_or_default()
            );
        }
        let receipt = receipt_id(got).expect("relay: a receipt on B");
        let (status, _) = to_a.read_response().expect("relay: A's answer");
        assert_eq!(status, 200, "relay: publish to A");
        let delete = format!("/waInstance{INSTANCE}/deleteNotification/{TOKEN}/{receipt}");
        let (status, _) = from_b
            .call("DELETE", &delete, b"")
            .expect("relay: delete on B");
        assert_eq!(status, 200, "relay: delete on B");
        if i >= WARM_UP {
            times.push(elapsed);
        }
    }
    // Stopping tail closes publish's input: publish ends by itself.
    terminate(&mut tail);
    let _ = publish.wait();
    drop((tail_watchdog, publish_watchdog));
    times.sort();
    (percentile(&times, 50), percentile(&times, 99))
}

/// The median wall time of `greenq --version`.
fn startup(runs: usize) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs + 5 {
        let started = Instant::now();
        let status = Command::new(GREENQ)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run greenq --version");
        let elapsed = started.elapsed();
        assert!(status.success(), "greenq --version failed: {status}");
        if i >= 5 {
            times.push(elapsed);
        }
    }
    times.sort();
    percentile(&times, 50)
}

/// Drains `n` through a proxy that delays each direction by `one_way`: the share of the
/// time that is round trips (2 per notification), and the connections tail opened.
fn round_trips(n: usize, one_way: Duration) -> (f64, usize) {
    let (run, connections) = tail_through_delay(n, one_way);
    let ideal = 2.0 * (2.0 * one_way.as_secs_f64()) * n as f64;
    (ideal / run.elapsed.as_secs_f64(), connections)
}

/// `greenq tail --count N` over a queue of `n` through a proxy that delays each direction
/// by `one_way`; checks that it emptied the queue. The run and the connections tail opened.
fn tail_through_delay(n: usize, one_way: Duration) -> (Run, usize) {
    let emulator = Emulator::start(0);
    prefill(&emulator, n);
    let proxy = DelayProxy::start(emulator.addr, one_way);
    let mut cmd = greenq(&format!("http://{}", proxy.addr));
    // Two round trips per notification: the loop without pipelining.
    cmd.args(["tail", "--count", &n.to_string(), "--format", "json"])
        .arg("--no-pipeline")
        .stdout(Stdio::null());
    let run = run_measured(cmd, "greenq tail through the delaying proxy");
    assert_empty(&emulator, "after greenq tail through the proxy");
    (run, proxy.connections.load(Ordering::SeqCst))
}

/// A notification like the specification's example, numbered by its idMessage.
/// `greenq serve` hosting the instances of an accept file, its stdout and stderr drained;
/// the child and the URL it listens on.
fn serve_hosting(accept: &std::path::Path, wait: &str) -> (Child, String) {
    let mut child = Command::new(GREENQ)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--wait",
            wait,
            "--accept-file",
        ])
        .arg(accept)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start greenq serve");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("greenq serve's first line is {first:?}"))
        .to_string();
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let _ = collect(child.stderr.take().expect("piped"));
    (child, url)
}

fn notification(i: usize) -> String {
    format!(
        concat!(
            r#"{{"typeWebhook":"incomingMessageReceived","#,
            r#""instanceData":{{"idInstance":{},"wid":"79001234567@c.us","typeInstance":"whatsapp"}},"#,
            r#""timestamp":1588091580,"idMessage":"{:032X}","#,
            r#""senderData":{{"chatId":"79001234568@c.us","sender":"79001234568@c.us","senderName":"Green API"}},"#,
            r#""messageData":{{"typeMessage":"textMessage","textMessageData":{{"textMessage":"benchmark notification {}"}}}}}}"#
        ),
        INSTANCE, i, i
    )
}

/// Queues `n` notifications (not timed): POSTs pipelined in batches on one connection.
fn prefill(emulator: &Emulator, n: usize) {
    const BATCH: usize = 100;
    let mut client = emulator.connect();
    let mut i = 0;
    while i < n {
        let batch = BATCH.min(n - i);
        for k in i..i + batch {
            client
                .send("POST", "/", notification(k).as_bytes())
                .expect("pre-fill: publish");
        }
        for _ in 0..batch {
            let (status, body) = client.read_response().expect("pre-fill: publish answer");
            assert_eq!(status, 200, "pre-fill: {}", String::from_utf8_lossy(body));
        }
        i += batch;
    }
}

fn assert_empty(emulator: &Emulator, when: &str) {
    let path = format!("/waInstance{INSTANCE}/receiveNotification/{TOKEN}");
    let mut client = emulator.connect();
    let (status, body) = client.call("GET", &path, b"").expect("receiveNotification");
    assert_eq!(
        (status, body),
        (200, &b"null"[..]),
        "the queue is not empty {when}"
    );
}

/// The number after `"receiptId":` in an answer.
fn receipt_id(body: &[u8]) -> Option<u64> {
    const KEY: &[u8] = b"\"receiptId\":";
    let at = find(body, KEY)? + KEY.len();
    let digits = body[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&body[at..at + digits])
        .ok()?
        .parse()
        .ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Nearest rank of sorted `times`.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    assert!(!sorted.is_empty(), "no samples");
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn progress(message: std::fmt::Arguments) {
    static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let since = STARTED.get_or_init(Instant::now).elapsed().as_secs_f64();
    eprintln!("bench: [{since:5.1} s] {message}");
}

/// `greenq` with the test instance, pointed at `url`, with nothing of the caller's setup.
fn greenq(url: &str) -> Command {
    let mut cmd = Command::new(GREENQ);
    for var in [
        "ID_INSTANCE",
        "API_TOKEN_INSTANCE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("GREEN_API_URL", url)
        .env("GREEN_API_WEBHOOK_URL", url)
        .env("GREEN_API_INSTANCE_ID", INSTANCE.to_string())
        .env("GREEN_API_TOKEN", TOKEN)
        .env("NO_PROXY", "*")
        // tail's lock (and ledger) under target/, never the user's ~/.local/state.
        .env(
            "XDG_STATE_HOME",
            concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-state"),
        )
        .env_remove("GREENQ_STATE_DIR")
        .env_remove("STATE_DIRECTORY")
        .stdin(Stdio::null());
    cmd
}

/// A finished child: wall time from spawn to exit, and its peak resident set.
struct Run {
    elapsed: Duration,
    /// Bytes.
    max_rss: f64,
    /// User + system CPU time.
    cpu: Duration,
}

/// Spawns `cmd`, waits for it with wait4 (for ru_maxrss); panics unless it exits 0.
// wait4 reaps the child, which clippy cannot see.
fn run_measured(cmd: Command, what: &str) -> Run {
    run_measured_with(cmd, what, |_| ())
}

/// The same, `spawned` given the child at once (to read its stdout while it runs).
#[allow(clippy::zombie_processes)]
fn run_measured_with(mut cmd: Command, what: &str, spawned: impl FnOnce(&mut Child)) -> Run {
    cmd.stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    spawned(&mut child);
    let stderr = collect(child.stderr.take().expect("stderr is piped"));
    let pid = child.id() as libc::pid_t;
    let watchdog = watchdog(pid, CHILD_LIMIT);
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it and `status` for our own child, which
    // std never waits for afterwards (Child's drop neither waits nor kills).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid {
            break;
        }
        let e = io::Error::last_os_error();
        assert_eq!(
            e.kind(),
            io::ErrorKind::Interrupted,
            "wait4 for {what}: {e}"
        );
    }
    let elapsed = started.elapsed();
    drop(watchdog);
    let stderr = stderr.join().unwrap_or_default();
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    assert_eq!(
        code,
        Some(0),
        "{what} failed (wait status {status:#x}):\n{stderr}"
    );
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Run {
        elapsed,
        // Linux gives ru_maxrss in KiB.
        max_rss: usage.ru_maxrss as f64 * 1024.0,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
    }
}

/// No child may run longer than this: the bench always ends by itself.
const CHILD_LIMIT: Duration = Duration::from_secs(180);

/// Kills `pid` unless the returned sender is dropped within `limit`.
fn watchdog(pid: libc::pid_t, limit: Duration) -> mpsc::Sender<()> {
    let (done, wait) = mpsc::channel::<()>();
    thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(limit) {
            eprintln!("bench: a child ran longer than {limit:?}; killing it");
            // SAFETY: kill(2) on our own child's pid has no memory effects; it is not
            // reaped until it exits, so the pid cannot have been reused.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    });
    done
}

/// SIGTERM, then wait: tail ends its long poll and exits.
fn terminate(child: &mut Child) {
    // SAFETY: kill(2) on our own child's pid has no memory effects.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let _ = child.wait();
}

/// Reads a child's stderr to its end on a thread, so that the child never blocks on it.
fn collect(mut stderr: ChildStderr) -> JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    })
}

/// `greenq serve --wait SECS` on an ephemeral port, killed when dropped.
struct Emulator {
    child: Child,
    addr: SocketAddr,
}

impl Emulator {
    fn start(wait_secs: u64) -> Emulator {
        let mut child = Command::new(GREENQ)
            .args(["serve", "--listen", "127.0.0.1:0", "--wait"])
            .arg(wait_secs.to_string())
            .arg("--accept")
            .arg(format!("{INSTANCE}:{TOKEN}"))
            // Ids from 1: the publish round checks the count by the last id.
            .args(["--first-receipt", "1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start greenq serve");
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
        // Keep both pipes drained, so that the emulator never blocks on them.
        thread::spawn(move || io::copy(&mut stdout, &mut io::sink()));
        let _ = collect(child.stderr.take().expect("serve's stderr is piped"));
        Emulator { child, addr }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn connect(&self) -> RawClient {
        RawClient::connect(self.addr)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 client on one keep-alive connection: requests written whole,
/// answers framed by Content-Length (all the emulator sends).
struct RawClient {
    stream: TcpStream,
    host: String,
    request: Vec<u8>,
    input: Vec<u8>,
    buffer: Vec<u8>,
    /// Bytes of `input` that belong to the answer already returned.
    consumed: usize,
}

impl RawClient {
    fn connect(addr: SocketAddr) -> RawClient {
        let stream = TcpStream::connect(addr).expect("connect to the emulator");
        stream.set_nodelay(true).expect("set TCP_NODELAY");
        // An emulator that stops answering fails the bench instead of hanging it.
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("set a read timeout");
        RawClient {
            stream,
            host: addr.to_string(),
            request: Vec::with_capacity(1024),
            input: Vec::with_capacity(16 * 1024),
            buffer: vec![0; 16 * 1024],
            consumed: 0,
        }
    }

    fn call(&mut self, method: &str, path: &str, body: &[u8]) -> io::Result<(u16, &[u8])> {
        self.send(method, path, body)?;
        self.read_response()
    }

    fn send(&mut self, method: &str, path: &str, body: &[u8]) -> io::Result<()> {
        self.request.clear();
        write!(
            self.request,
            "{method} {path} HTTP/1.1\r\nhost: {}\r\n",
            self.host
        )?;
        if !body.is_empty() {
            write!(
                self.request,
                "content-type: application/json\r\ncontent-length: {}\r\n",
                body.len()
            )?;
        }
        self.request.extend_from_slice(b"\r\n");
        self.request.extend_from_slice(body);
        self.stream.write_all(&self.request)
    }

    /// The next answer's status and body.
    fn read_response(&mut self) -> io::Result<(u16, &[u8])> {
        self.input.drain(..self.consumed);
        self.consumed = 0;
        let head_end = loop {
            if let Some(i) = find(&self.input, b"\r\n\r\n") {
                break i + 4;
            }
            self.fill()?;
        };
        let head = std::str::from_utf8(&self.input[..head_end]).map_err(invalid)?;
        let status = head
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid("no status"))?;
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .ok_or_else(|| invalid("no Content-Length"))?;
        while self.input.len() < head_end + length {
            self.fill()?;
        }
        self.consumed = head_end + length;
        Ok((status, &self.input[head_end..self.consumed]))
    }

    fn fill(&mut self) -> io::Result<()> {
        // Into a buffer kept for the run, not a fresh zeroed one per read.
        let read = self.stream.read(&mut self.buffer)?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.input.extend_from_slice(&self.buffer[..read]);
        Ok(())
    }
}

fn invalid(why: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.to_string())
}

/// A TCP proxy that delivers each direction's bytes `one_way` after they arrived (a
/// delay line, not a throttle), counting the connections it accepted.
struct DelayProxy {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl DelayProxy {
    fn start(upstream: SocketAddr, one_way: Duration) -> DelayProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        // Lives as long as the bench: the listener only ever waits in accept.
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let (Ok(client2), Ok(server2)) = (client.try_clone(), server.try_clone()) else {
                    continue;
                };
                thread::spawn(move || delay_line(client, server, one_way));
                thread::spawn(move || delay_line(server2, client2, one_way));
            }
        });
        DelayProxy { addr, connections }
    }
}

/// Copies `from` to `to`, each chunk written `delay` after it was read.
fn delay_line(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let (chunks, due) = mpsc::channel::<(Instant, Vec<u8>)>();
    let writer = thread::spawn(move || {
        for (at, bytes) in due {
            thread::sleep(at.saturating_duration_since(Instant::now()));
            if to.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
    let mut buf = vec![0; 64 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if chunks
                    .send((Instant::now() + delay, buf[..n].to_vec()))
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    drop(chunks);
    let _ = writer.join();
}

/// The printed result: one row per figure, with its target and a pass or MISS mark.
#[derive(Default)]
struct Table {
    rows: Vec<[String; 4]>,
}

impl Table {
    fn row(
        &mut self,
        what: impl Into<String>,
        figure: impl Into<String>,
        target: &str,
        pass: Option<bool>,
    ) {
        let mark = match pass {
            Some(true) => "pass",
            Some(false) => "MISS",
            None => "",
        };
        self.rows.push([
            what.into(),
            figure.into(),
            target.to_string(),
            mark.to_string(),
        ]);
    }

    fn print(&self) {
        let header = ["measurement", "figure", "target", ""].map(String::from);
        let mut widths = [0; 4];
        for row in std::iter::once(&header).chain(&self.rows) {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |row: &[String; 4]| {
            let text = format!(
                "{:<w0$}  {:>w1$}  {:<w2$}  {}",
                row[0],
                row[1],
                row[2],
                row[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            );
            println!("{}", text.trim_end());
        };
        line(&header);
        println!("{}", "-".repeat(widths.iter().sum::<usize>() + 6));
        for row in &self.rows {
            line(row);
        }
        let count = |mark: &str| self.rows.iter().filter(|r| r[3] == mark).count();
        println!(
            "{} of {} targets met, {} missed",
            count("pass"),
            count("pass") + count("MISS"),
            count("MISS")
        );
    }
}
