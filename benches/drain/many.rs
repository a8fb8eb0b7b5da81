//! Section "many": several instances in one `greenq tail` (`--all-profiles`, a thread
//! and a connection per instance).
//!
//! - 20 instances behind the delay proxy (10 ms each way), 40 notifications each: the
//!   aggregate rate next to 20 x the rate of one instance alone through the same proxy,
//!   connections, peak RSS, and a check of every line: none lost, none twice, order kept
//!   per instance;
//! - 200 instances on loopback: peak RSS, and the official Python SDK's memory for the same
//!   200 instances (one process per instance, as it runs: 10 measured, times 20), skipped
//!   with the reason when the SDK cannot be installed;
//! - 1,000 instances on loopback, sharing a ledger (`--state-dir`), tokens inline in the
//!   config file: the first notification after the start (a member of a fleet that takes
//!   queues over must follow them at once), peak RSS (a thread and a connection each).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{
    DelayProxy, MIB, RawClient, Sizes, Table, greenq, progress, run_measured, run_measured_with,
    sdk, serve_hosting,
};

const ONE_WAY: Duration = Duration::from_millis(10);
const TOKEN: &str = "bench-many-token";

fn id(i: usize) -> u64 {
    1_101_100_000 + i as u64
}

fn token(i: usize) -> String {
    format!("{TOKEN}-{i}")
}

pub fn report(sizes: &Sizes, table: &mut Table) {
    let _ = sizes;
    delayed(table, 20, 40);
    loopback(table, 200, 5);
    start_of_many(table, 1_000);
}

/// `instances` instances with one notification each: how soon after the start the first
/// is printed, how long all take, and the peak RSS.
fn start_of_many(table: &mut Table, instances: usize) {
    let fleet = Fleet::start(instances, 1);
    let url = format!("http://{}", fleet.addr);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &url, instances);
    let state = dir.path().join("state");
    let mut cmd = greenq(&url);
    cmd.env("GREENQ_CONFIG", &config)
        .args([
            "tail",
            "--all-profiles",
            "-n",
            &instances.to_string(),
            "--format",
            "json",
            "--state-dir",
        ])
        .arg(&state)
        .stdout(Stdio::piped());
    let (first_tx, first_rx) = std::sync::mpsc::channel::<Instant>();
    let mut reader = None;
    let started = Instant::now();
    let run = run_measured_with(cmd, "greenq tail of 1,000 instances", |child| {
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        reader = Some(std::thread::spawn(move || {
            let mut all = Vec::new();
            let _ = stdout.read_until(b'\n', &mut all);
            let _ = first_tx.send(Instant::now());
            let _ = std::io::Read::read_to_end(&mut stdout, &mut all);
            all
        }));
    });
    let all = reader
        .map(|r| r.join().expect("reader"))
        .unwrap_or_default();
    let first = first_rx
        .try_recv()
        .map_or(f64::NAN, |at| (at - started).as_secs_f64());
    let seen = by_instance(&all);
    let wrong = (0..instances)
        .filter(|i| seen.get(&id(*i)).is_none_or(|got| *got != [0]))
        .count();
    let rss = run.max_rss / MIB;
    progress(format_args!(
        "many: {instances} instances: first after {first:.2} s, all after {:.2} s, {rss:.1} MiB, {:.2} s CPU, {wrong} wrong",
        run.elapsed.as_secs_f64(),
        run.cpu.as_secs_f64()
    ));
    table.row(
        format!("{instances} instances in one tail, one ledger: first notification after start"),
        format!("{first:.2} s"),
        "<= 1 s",
        Some(first <= 1.0 && wrong == 0),
    );
    table.row(
        format!("  all {instances} printed, one each"),
        format!("{:.2} s", run.elapsed.as_secs_f64()),
        "",
        None,
    );
    table.row(
        "  peak RSS",
        format!("{rss:.1} MiB"),
        "<= 96 MiB",
        Some(rss <= 96.0),
    );
    table.row(
        "  CPU time (user + system)",
        format!("{:.2} s", run.cpu.as_secs_f64()),
        "",
        None,
    );
    table.row(
        "  instances with their line lost or twice",
        wrong.to_string(),
        "0",
        Some(wrong == 0),
    );
}

/// 20 instances through the delay proxy against one alone.
fn delayed(table: &mut Table, instances: usize, each: usize) {
    let fleet = Fleet::start(instances, each);
    let proxy = DelayProxy::start(fleet.addr, ONE_WAY);
    let url = format!("http://{}", proxy.addr);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &url, instances);

    // One instance alone, through the same link.
    let alone_out = dir.path().join("alone.ndjson");
    let mut cmd = greenq(&url);
    cmd.env("GREENQ_CONFIG", &config)
        .args([
            "--profile",
            "p0",
            "tail",
            "--count",
            &each.to_string(),
            "--format",
            "json",
        ])
        .stdout(std::fs::File::create(&alone_out).expect("output file"));
    let alone = run_measured(cmd, "greenq tail of one instance through the proxy");
    let alone_rate = each as f64 / alone.elapsed.as_secs_f64();
    // p0 gets as many again, so that all 20 have `each` queued.
    fleet.fill_one(0, each, each);
    let before = proxy.connections.load(Ordering::SeqCst);

    let out = dir.path().join("many.ndjson");
    let total = instances * each;
    let mut cmd = greenq(&url);
    cmd.env("GREENQ_CONFIG", &config)
        .args([
            "tail",
            "--all-profiles",
            "-n",
            &total.to_string(),
            "--format",
            "json",
        ])
        .stdout(std::fs::File::create(&out).expect("output file"));
    let many = run_measured(cmd, "greenq tail --all-profiles through the proxy");
    let connections = proxy.connections.load(Ordering::SeqCst) - before;
    let rate = total as f64 / many.elapsed.as_secs_f64();
    let target = 0.8 * instances as f64 * alone_rate;

    // p0's first `each` came out in the run alone, its next `each` here with the others'.
    let mut seen = by_instance(&std::fs::read(&alone_out).expect("read"));
    for (k, v) in by_instance(&std::fs::read(&out).expect("read")) {
        seen.entry(k).or_default().extend(v);
    }
    let expected = |i: usize| -> Vec<u64> {
        let n = if i == 0 { 2 * each } else { each };
        (0..n as u64).collect()
    };
    let lost_or_twice = (0..instances)
        .filter(|i| seen.get(&id(*i)).is_none_or(|got| *got != expected(*i)))
        .count();
    let left = fleet.left();
    progress(format_args!(
        "many: alone {alone_rate:.1}/s, {instances} together {rate:.1}/s (target {target:.1}), {connections} connections, {:.1} MiB, {lost_or_twice} instances wrong, {left} left",
        many.max_rss / MIB
    ));
    table.row(
        format!("one instance alone via 20 ms RTT proxy, N={each}"),
        format!("{alone_rate:.1} /s"),
        "",
        None,
    );
    table.row(
        format!("{instances} instances in one tail via the proxy, {each} each"),
        format!("{rate:.1} /s"),
        &format!(">= {target:.1} /s"),
        Some(rate >= target),
    );
    table.row(
        format!("  / ({instances} x alone)"),
        format!("{:.2}", rate / (instances as f64 * alone_rate)),
        ">= 0.8",
        Some(rate >= target),
    );
    table.row(
        "  TCP connections opened",
        connections.to_string(),
        &instances.to_string(),
        Some(connections == instances),
    );
    table.row(
        "  peak RSS",
        format!("{:.1} MiB", many.max_rss / MIB),
        "<= 32 MiB",
        Some(many.max_rss <= 32.0 * MIB),
    );
    table.row(
        "  instances with a line lost, twice or out of order; queues not empty",
        format!("{lost_or_twice}; {left}"),
        "0; 0",
        Some(lost_or_twice == 0 && left == 0),
    );
}

/// 200 instances on loopback: memory, and the SDK's for the same.
fn loopback(table: &mut Table, instances: usize, each: usize) {
    let fleet = Fleet::start(instances, each);
    let url = format!("http://{}", fleet.addr);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &url, instances);
    let total = instances * each;
    let out = dir.path().join("many.ndjson");
    let mut cmd = greenq(&url);
    cmd.env("GREENQ_CONFIG", &config)
        .args([
            "tail",
            "--all-profiles",
            "-n",
            &total.to_string(),
            "--format",
            "json",
        ])
        .stdout(std::fs::File::create(&out).expect("output file"));
    let run = run_measured(cmd, "greenq tail of 200 instances");
    let seen = by_instance(&std::fs::read(&out).expect("read"));
    let expected: Vec<u64> = (0..each as u64).collect();
    let wrong = (0..instances)
        .filter(|i| seen.get(&id(*i)).is_none_or(|got| *got != expected))
        .count();
    progress(format_args!(
        "many: {instances} instances on loopback: {:.1} MiB, {:.2} s, {wrong} wrong",
        run.max_rss / MIB,
        run.elapsed.as_secs_f64()
    ));
    table.row(
        format!("{instances} instances in one tail, loopback: peak RSS"),
        format!("{:.1} MiB", run.max_rss / MIB),
        "<= 64 MiB",
        Some(run.max_rss <= 64.0 * MIB && wrong == 0),
    );
    match sdk_memory(10) {
        Ok(per_process) => {
            let all = per_process * instances as f64;
            progress(format_args!(
                "many: the SDK idles at {:.1} MiB a process",
                per_process / MIB
            ));
            table.row(
                format!("  official Python SDK, {instances} processes (10 measured x 20)"),
                format!("{:.0} MiB", all / MIB),
                "",
                None,
            );
            table.row(
                "  SDK / greenq",
                format!("{:.0} x", all / run.max_rss),
                "",
                None,
            );
        }
        Err(why) => {
            progress(format_args!("many: the SDK comparison is skipped: {why}"));
            table.row("  official Python SDK comparison", "skipped", "", None);
            table.row(format!("  {why}"), "", "", None);
        }
    }
}

/// The mean peak RSS of `n` SDK processes, each following an instance of its own and
/// waiting in a long poll after its first notification.
fn sdk_memory(n: usize) -> Result<f64, String> {
    let python = sdk::python_with_sdk()?;
    let fleet = Fleet::start(n, 1);
    let url = format!("http://{}", fleet.addr);
    let mut children: Vec<Child> = Vec::new();
    for i in 0..n {
        let child = Command::new(&python)
            .arg(sdk::SCRIPT)
            .args([&url, &id(i).to_string(), &token(i), "2"])
            .env("NO_PROXY", "*")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run the SDK: {e}"))?;
        children.push(child);
    }
    // Each took its first notification: it is following its queue.
    let deadline = Instant::now() + Duration::from_secs(60);
    while fleet.left() > 0 {
        if Instant::now() > deadline {
            for c in &mut children {
                let _ = c.kill();
            }
            return Err("the SDK processes did not take their notifications".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let hwm: Vec<f64> = children.iter().filter_map(|c| vm_hwm(c.id())).collect();
    // The second notification ends each SDK loop.
    fleet.fill(1, 1);
    for c in &mut children {
        let _ = c.wait();
    }
    if hwm.len() != n {
        return Err("cannot read the SDK processes' memory".into());
    }
    Ok(hwm.iter().sum::<f64>() / n as f64)
}

/// A process's peak resident set (VmHWM), in bytes.
fn vm_hwm(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// A config file with profiles p0, p1, ... for the fleet's instances (tokens inline, 0600).
fn write_config(dir: &Path, url: &str, instances: usize) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let mut text = String::new();
    for i in 0..instances {
        text.push_str(&format!(
            "[profiles.p{i}]\napi_url = \"{url}\"\nwebhook_url = \"{url}\"\ninstance = {}\ntoken = \"{}\"\n\n",
            id(i),
            token(i)
        ));
    }
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("config");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    path
}

/// Instance id -> the sequence numbers of its lines, in the order printed.
fn by_instance(ndjson: &[u8]) -> BTreeMap<u64, Vec<u64>> {
    let mut map = BTreeMap::<u64, Vec<u64>>::new();
    for line in ndjson.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_slice(line).expect("a JSON line");
        let id = v["instanceData"]["idInstance"]
            .as_u64()
            .expect("idInstance");
        map.entry(id)
            .or_default()
            .push(v["seq"].as_u64().expect("seq"));
    }
    map
}

/// An emulator hosting `instances` instances (`--accept-file`), each pre-filled.
struct Fleet {
    child: Child,
    addr: SocketAddr,
    instances: usize,
    _dir: tempfile::TempDir,
}

impl Fleet {
    fn start(instances: usize, each: usize) -> Fleet {
        let dir = tempfile::tempdir().expect("tempdir");
        let accept = dir.path().join("accept.txt");
        let lines: String = (0..instances)
            .map(|i| format!("{}:{}\n", id(i), token(i)))
            .collect();
        std::fs::write(&accept, lines).expect("accept file");
        let (child, url) = serve_hosting(&accept, "0");
        let addr = url
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("greenq serve listens on {url:?}"));
        let fleet = Fleet {
            child,
            addr,
            instances,
            _dir: dir,
        };
        fleet.fill(0, each);
        fleet
    }

    /// Publishes sequence numbers `from..from + n` to every instance.
    fn fill(&self, from: usize, n: usize) {
        for i in 0..self.instances {
            self.fill_one(i, from, n);
        }
    }

    /// Publishes sequence numbers `from..from + n` to instance `i`.
    fn fill_one(&self, i: usize, from: usize, n: usize) {
        let mut client = RawClient::connect(self.addr);
        for seq in from..from + n {
            let body = format!(
                r#"{{"typeWebhook":"incomingMessageReceived","instanceData":{{"idInstance":{},"wid":"79001234567@c.us","typeInstance":"whatsapp"}},"timestamp":1588091580,"idMessage":"{:016X}{seq:016X}","seq":{seq},"messageData":{{"typeMessage":"textMessage","textMessageData":{{"textMessage":"many {seq}"}}}}}}"#,
                id(i),
                id(i)
            );
            let (status, _) = client.call("POST", "/", body.as_bytes()).expect("publish");
            assert_eq!(status, 200, "pre-fill");
        }
    }

    /// How many instances still have something queued (a receive, which does not
    /// delete, shows whether a queue has a head).
    fn left(&self) -> usize {
        let mut client = RawClient::connect(self.addr);
        (0..self.instances)
            .filter(|i| {
                let path = format!("/waInstance{}/receiveNotification/{}", id(*i), token(*i));
                let (_, body) = client.call("GET", &path, b"").expect("receive");
                body != b"null"
            })
            .count()
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
