//! Section "fleet": `tail --coordinate` (queue leases in a real `redis-server` on
//! loopback).
//!
//! - takeover: an active/standby pair on one instance (`--lease-ttl 3`): after kill -9 of
//!   the active member, and after its SIGTERM, how soon the standby holds the lease and
//!   prints the next notification, and how soon after its lease it follows the queue
//!   (`greenq_fleet_takeover_seconds`);
//! - commands: 1,000 queues over 3 members (300 with GREENQ_BENCH_QUICK): how soon all are
//!   owned, and Redis's commands per second once they are (INFO commandstats over one
//!   TTL): the renewals are one round trip per member per renew interval;
//! - drain: tail's drain rate with `--coordinate` against without.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{
    Emulator, Sizes, Table, assert_empty, greenq, prefill, progress, run_measured, serve_hosting,
    tail_rate,
};

struct Redis {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Redis {
    fn start() -> Redis {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (apt install redis-server)");
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        for line in lines.by_ref() {
            if line
                .expect("redis-server's log")
                .contains("Ready to accept")
            {
                break;
            }
        }
        std::thread::spawn(move || lines.for_each(drop));
        let redis = Redis {
            child,
            port,
            _dir: dir,
        };
        // An epoch count: no fresh-fleet wait of one TTL before the first lease.
        redis.query::<()>(redis::cmd("SET").arg("greenq:epoch").arg(1));
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn con(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection())
            .expect("a connection to the bench's redis")
    }

    fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> T {
        cmd.query(&mut self.con()).expect("redis")
    }

    /// Each queue's owner.
    fn owners(&self, con: &mut redis::Connection, ids: &[u64]) -> Vec<Option<String>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let keys: Vec<String> = chunk.iter().map(|i| format!("greenq:lease:{i}")).collect();
            let values: Vec<Option<String>> = redis::cmd("MGET")
                .arg(&keys)
                .query(con)
                .unwrap_or_else(|_| vec![None; chunk.len()]);
            out.extend(
                values
                    .into_iter()
                    .map(|v| v.and_then(|v| v.split_once(' ').map(|(_, m)| m.to_string()))),
            );
        }
        out
    }

    fn wait_owner(&self, id: u64, member: &str, limit: Duration) -> Duration {
        let started = Instant::now();
        let mut con = self.con();
        loop {
            if self.owners(&mut con, &[id])[0].as_deref() == Some(member) {
                return started.elapsed();
            }
            assert!(started.elapsed() < limit, "{member} never held {id}");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn report(sizes: &Sizes, table: &mut Table) {
    takeover(table);
    commands(sizes, table);
    drain(sizes, table);
}

/// A member: `greenq tail --coordinate` of the one bench instance, printing JSON lines.
struct Member {
    child: Child,
    lines: mpsc::Receiver<Instant>,
    metrics: Option<String>,
}

impl Member {
    fn start(url: &str, redis: &Redis, name: &str, state: &Path, ttl: u64) -> Member {
        let mut child = greenq(url)
            .args(["tail", "--format", "json", "--coordinate", &redis.url()])
            .args(["--member", name, "--lease-ttl", &ttl.to_string()])
            .args(["--metrics-listen", "127.0.0.1:0", "--state-dir"])
            .arg(state.join(name))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("a member");
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped");
        std::thread::spawn(move || {
            for _ in BufReader::new(stdout).lines() {
                if tx.send(Instant::now()).is_err() {
                    return;
                }
            }
        });
        let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
        let mut metrics = None;
        let mut line = String::new();
        while stderr.read_line(&mut line).unwrap_or(0) > 0 {
            if let Some(rest) = line.split("metrics on http://").nth(1) {
                metrics = rest.split('/').next().map(String::from);
                break;
            }
            line.clear();
        }
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        Member {
            child,
            lines,
            metrics,
        }
    }

    /// `greenq_fleet_takeover_seconds` sum / count, in ms.
    fn followed_ms(&self) -> Option<f64> {
        let addr = self.metrics.as_ref()?;
        let mut stream = TcpStream::connect(addr).ok()?;
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut text = String::new();
        stream.read_to_string(&mut text).ok()?;
        let value = |name: &str| -> Option<f64> {
            text.lines()
                .find(|l| l.starts_with(name))?
                .rsplit_once(' ')?
                .1
                .parse()
                .ok()
        };
        let (sum, count) = (
            value("greenq_fleet_takeover_seconds_sum")?,
            value("greenq_fleet_takeover_seconds_count")?,
        );
        (count > 0.0).then(|| sum / count * 1000.0)
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn takeover(table: &mut Table) {
    const TTL: u64 = 3;
    let redis = Redis::start();
    let emulator = Emulator::start(5);
    let url = emulator.url();
    let state = tempfile::tempdir().expect("tempdir");
    let id = super::INSTANCE;
    let mut active = Member::start(&url, &redis, "active", state.path(), TTL);
    redis.wait_owner(id, "active", Duration::from_secs(30));
    let standby = Member::start(&url, &redis, "standby", state.path(), TTL);
    prefill(&emulator, 1);
    active
        .lines
        .recv_timeout(Duration::from_secs(30))
        .expect("the active member prints");

    // kill -9, then a notification: how soon the standby holds the lease and prints it.
    active.child.kill().expect("kill -9");
    let killed = Instant::now();
    prefill(&emulator, 1);
    let lease = redis.wait_owner(id, "standby", Duration::from_secs(30));
    let printed = standby
        .lines
        .recv_timeout(Duration::from_secs(30))
        .expect("the standby prints")
        - killed;
    progress(format_args!(
        "kill -9: lease after {:.2} s, printed after {:.2} s",
        lease.as_secs_f64(),
        printed.as_secs_f64()
    ));
    table.row(
        format!("takeover after kill -9, --lease-ttl {TTL}: lease, next printed"),
        format!(
            "{:.2} s, {:.2} s",
            lease.as_secs_f64(),
            printed.as_secs_f64()
        ),
        "<= TTL + 2 s",
        Some(printed <= Duration::from_secs(TTL + 2)),
    );
    let followed = standby.followed_ms();
    table.row(
        "a queue taken over is followed after its lease",
        followed.map_or("?".into(), |ms| format!("{ms:.3} ms")),
        "<= 100 ms",
        followed.map(|ms| ms <= 100.0),
    );

    // SIGTERM of the holder with a third member waiting: it gives the lease back at once.
    let third = Member::start(&url, &redis, "third", state.path(), TTL);
    let mut con = redis.con();
    let started = Instant::now();
    while redis::cmd("ZSCORE")
        .arg("greenq:members")
        .arg("third")
        .query::<Option<f64>>(&mut con)
        .ok()
        .flatten()
        .is_none()
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "third never joined"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut standby = standby;
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(standby.child.id() as libc::pid_t, libc::SIGTERM) };
    let stopped = Instant::now();
    prefill(&emulator, 1);
    let lease = redis.wait_owner(id, "third", Duration::from_secs(30));
    let printed = third
        .lines
        .recv_timeout(Duration::from_secs(30))
        .expect("the third member prints")
        - stopped;
    let _ = standby.child.wait();
    progress(format_args!(
        "SIGTERM: lease after {:.2} s, printed after {:.2} s",
        lease.as_secs_f64(),
        printed.as_secs_f64()
    ));
    table.row(
        format!("takeover after SIGTERM, --lease-ttl {TTL}: lease, next printed"),
        format!(
            "{:.2} s, {:.2} s",
            lease.as_secs_f64(),
            printed.as_secs_f64()
        ),
        "<= TTL / 3 + 0.5 s",
        Some(printed <= Duration::from_millis(TTL * 1000 / 3 + 500)),
    );
}

/// An emulator of `n` instances and a config file with a profile for each.
fn many(n: usize, dir: &Path) -> (Child, String, PathBuf, Vec<u64>) {
    let ids: Vec<u64> = (0..n).map(|i| 1_101_200_000 + i as u64).collect();
    let accept = dir.join("accept.txt");
    let lines: String = ids
        .iter()
        .map(|id| format!("{id}:fleet-token-{id}\n"))
        .collect();
    std::fs::write(&accept, lines).expect("accept file");
    let (child, url) = serve_hosting(&accept, "5");
    let mut text = String::new();
    for (i, id) in ids.iter().enumerate() {
        text.push_str(&format!(
            "[profiles.p{i}]\napi_url = \"{url}\"\nwebhook_url = \"{url}\"\ninstance = {id}\ntoken = \"fleet-token-{id}\"\n\n"
        ));
    }
    let config = dir.join("config.toml");
    std::fs::write(&config, text).expect("config");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    (child, url, config, ids)
}

fn commands(sizes: &Sizes, table: &mut Table) {
    const TTL: u64 = 15;
    let n = if sizes.rounds == 1 { 300 } else { 1_000 };
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut emulator, url, config, ids) = many(n, dir.path());
    let redis = Redis::start();
    let started = Instant::now();
    let mut members: Vec<Child> = ["m1", "m2", "m3"]
        .iter()
        .map(|name| {
            greenq(&url)
                .env("GREENQ_CONFIG", &config)
                .args(["tail", "--all-profiles", "--format", "json"])
                .args(["--coordinate", &redis.url(), "--member", name])
                .args(["--lease-ttl", &TTL.to_string(), "--state-dir"])
                .arg(dir.path().join(name))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("a member")
        })
        .collect();
    let mut con = redis.con();
    let mut joined = None;
    let balanced = loop {
        if joined.is_none()
            && redis::cmd("ZCARD")
                .arg("greenq:members")
                .query::<u64>(&mut con)
                .is_ok_and(|n| n == 3)
        {
            joined = Some(started.elapsed());
        }
        let owners = redis.owners(&mut con, &ids);
        let per = |m: &str| owners.iter().filter(|o| o.as_deref() == Some(m)).count();
        let share = n.div_ceil(3);
        // A share is ceil(n / 3): two members at it leave the third up to 2 below.
        if owners.iter().all(Option::is_some)
            && ["m1", "m2", "m3"].iter().all(|m| per(m) + 2 >= share)
        {
            break started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(170),
            "{n} queues not balanced over 3 members"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // Registered once each process has started (its threads, its ledger): the start-up
    // of 1,000 profiles is measured by the `many` and `startup` sections.
    let joined = joined.unwrap_or(balanced);
    let settled = balanced.saturating_sub(joined);
    progress(format_args!(
        "{n} queues balanced over 3 members {:.1} s after the start, {:.1} s after the last joined",
        balanced.as_secs_f64(),
        settled.as_secs_f64()
    ));
    table.row(
        format!("{n} queues over 3 members: all joined, then balanced"),
        format!(
            "{:.1} s, then {:.1} s",
            joined.as_secs_f64(),
            settled.as_secs_f64()
        ),
        "balanced <= 15 s",
        Some(balanced <= Duration::from_secs(15)),
    );
    let _: () = redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query(&mut con)
        .expect("CONFIG RESETSTAT");
    let window = Duration::from_secs(TTL);
    std::thread::sleep(window);
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query(&mut con)
        .expect("INFO");
    let calls = |line: &str| -> u64 {
        line.split("calls=")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    };
    let mut total = 0;
    let mut scripts = 0;
    for line in info.lines().filter(|l| l.starts_with("cmdstat_")) {
        // The bench's own INFO and CONFIG are not the fleet's.
        if line.starts_with("cmdstat_info") || line.starts_with("cmdstat_config") {
            continue;
        }
        total += calls(line);
        if line.starts_with("cmdstat_evalsha") || line.starts_with("cmdstat_eval:") {
            scripts += calls(line);
        }
    }
    let per_second = total as f64 / window.as_secs_f64();
    let trips = scripts as f64 / window.as_secs_f64();
    // One renewal per member every TTL / 3 (it takes free leases too), nothing else.
    let renewals = 3.0 * 3.0 / TTL as f64;
    progress(format_args!(
        "{total} commands in {:.0} s ({scripts} scripts): {per_second:.1}/s\n{info}",
        window.as_secs_f64()
    ));
    table.row(
        format!("Redis round trips/s, {n} queues over 3 members, --lease-ttl {TTL}"),
        format!("{trips:.2} /s"),
        &format!("one per member per renewal: {renewals:.1} /s"),
        Some(trips <= renewals * 1.1),
    );
    table.row(
        format!("Redis commands/s (inside the scripts too), {n} queues over 3 members"),
        format!("{per_second:.0} /s"),
        "",
        None,
    );
    for mut member in members.drain(..) {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(member.id() as libc::pid_t, libc::SIGTERM) };
        let _ = member.wait();
    }
    let _ = emulator.kill();
    let _ = emulator.wait();
}

fn drain(sizes: &Sizes, table: &mut Table) {
    let n = sizes.drain;
    let redis = Redis::start();
    let (mut plain, mut coordinated) = (0.0f64, 0.0f64);
    for round in 1..=sizes.rounds {
        let rate = tail_rate(n);
        plain = plain.max(rate);
        let emulator = Emulator::start(0);
        prefill(&emulator, n);
        // The state directory as the plain drain has it (not named: no ledger when printing).
        let mut cmd = greenq(&emulator.url());
        cmd.args(["tail", "--count", &n.to_string(), "--format", "json"])
            .args(["--coordinate", &redis.url(), "--member", "bench"])
            .stdout(Stdio::null());
        let run = run_measured(cmd, "greenq tail --coordinate");
        assert_empty(&emulator, "after greenq tail --coordinate --count N");
        let with = n as f64 / run.elapsed.as_secs_f64();
        coordinated = coordinated.max(with);
        progress(format_args!(
            "drain round {round}: {rate:.0}/s alone, {with:.0}/s with --coordinate"
        ));
    }
    let ratio = coordinated / plain;
    table.row(
        format!("tail drain with --coordinate / without, N={n}"),
        format!("{coordinated:.0} / {plain:.0} = {ratio:.2}"),
        ">= 0.95",
        Some(ratio >= 0.95),
    );
}
