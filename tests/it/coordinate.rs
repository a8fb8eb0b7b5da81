//! `tail --coordinate`: one consumer per queue across members, through leases in a real
//! `redis-server` on a free loopback port, over one emulator hosting many instances. Each
//! member is a separate greenq process with its own state directory (as on its own
//! machine); `--exec` appends "instance idMessage member epoch time" to one file per
//! test, which is what "handled" means here. Every wait is for an event (an owner seen in
//! Redis, a line written); the fault tests bound time only by what the leases promise.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::support::*;

const TTL: u64 = 3;

/// The line each handled notification appends (the time in ns since the epoch).
const RECORD: &str = r#"printf '%s %s %s %s %s\n' "$GREENQ_ID_INSTANCE" "$GREENQ_ID_MESSAGE" "$MEMBER" "${GREENQ_LEASE_EPOCH:-none}" "$(date +%s%N)" >> "$HANDLED""#;

struct Member {
    child: Child,
    stderr: StderrLines,
}

impl Drop for Member {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Member {
    /// `greenq tail --coordinate URL --member NAME --lease-ttl 3 PROFILES --exec RECORD`.
    fn start(fleet: &Fleet, url: &str, name: &str, profiles: &[&str], handled: &Path) -> Member {
        let state = fleet.dir.path().join(format!("state-{name}"));
        let mut child = fleet
            .std_cmd()
            .args(["tail", "--coordinate", url, "--member", name])
            .args(["--lease-ttl", &TTL.to_string(), "--state-dir"])
            .arg(&state)
            .args(profiles)
            .args(["--exec", "--", "sh", "-c", RECORD])
            .env("MEMBER", name)
            .env("HANDLED", handled)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn a member");
        let stderr = StderrLines::new(child.stderr.take().expect("stderr"));
        Member { child, stderr }
    }

    fn all(fleet: &Fleet, url: &str, name: &str, handled: &Path) -> Member {
        Member::start(fleet, url, name, &["--all-profiles"], handled)
    }
}

#[derive(Debug, Clone)]
struct Record {
    instance: u64,
    id: String,
    member: String,
    epoch: u64,
    ns: u128,
}

fn records(path: &Path) -> Vec<Record> {
    file_lines(path)
        .iter()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(' ').collect();
            Some(Record {
                instance: f.first()?.parse().ok()?,
                id: f.get(1)?.to_string(),
                member: f.get(2)?.to_string(),
                epoch: f.get(3)?.parse().ok()?,
                ns: f.get(4)?.parse().ok()?,
            })
        })
        .collect()
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos()
}

/// Each queue's owner as Redis says (instance -> member), for `instances`.
fn owners(url: &str, instances: &[u64]) -> BTreeMap<u64, Option<String>> {
    let client = redis::Client::open(url).expect("client");
    let Ok(mut con) = client.get_connection_with_timeout(Duration::from_secs(2)) else {
        return instances.iter().map(|i| (*i, None)).collect();
    };
    let keys: Vec<String> = instances
        .iter()
        .map(|i| format!("greenq:lease:{i}"))
        .collect();
    let values: Vec<Option<String>> = redis::cmd("MGET")
        .arg(&keys)
        .query(&mut con)
        .unwrap_or_default();
    instances
        .iter()
        .zip(values.into_iter().chain(std::iter::repeat(None)))
        .map(|(i, v)| {
            let owner = v.and_then(|v| v.split_once(' ').map(|(_, m)| m.to_string()));
            (*i, owner)
        })
        .collect()
}

/// Waits until `member` owns every one of `queues`, as Redis says.
fn wait_owned_by(url: &str, queues: &[u64], member: &str, limit: Duration) {
    wait_until(limit, &format!("{member} owns every queue"), || {
        owners(url, queues)
            .values()
            .all(|o| o.as_deref() == Some(member))
    });
}

fn counts(owners: &BTreeMap<u64, Option<String>>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for owner in owners.values().flatten() {
        *counts.entry(owner.clone()).or_default() += 1;
    }
    counts
}

/// Every queue owned, each of `members` holding `share` ± 1.
fn balanced(owners: &BTreeMap<u64, Option<String>>, members: &[&str], share: usize) -> bool {
    let counts = counts(owners);
    owners.values().all(Option::is_some)
        && members.iter().all(|m| {
            let n = counts.get(*m).copied().unwrap_or(0);
            n + 1 >= share && n <= share + 1
        })
}

fn ids(size: usize) -> Vec<u64> {
    (0..size).map(fleet_id).collect()
}

/// Publishes notification `seq` to every instance.
fn publish_round(fleet: &Fleet, seq: usize) {
    for i in 0..fleet.size {
        assert_eq!(fleet.emulator.publish(&fleet_body(fleet_id(i), seq)), 200);
    }
}

/// The idMessage `fleet_body` gives.
fn id_of(instance: u64, seq: usize) -> String {
    format!("{instance:016X}{seq:016X}")
}

/// Waits until every (instance, seq) of `published` rounds is in the records.
fn wait_all_handled(
    handled: &Path,
    fleet: &Fleet,
    rounds: std::ops::Range<usize>,
    limit: Duration,
) {
    let wanted: BTreeSet<String> = rounds
        .flat_map(|seq| ids(fleet.size).into_iter().map(move |i| id_of(i, seq)))
        .collect();
    wait_until(limit, "every published notification handled", || {
        let seen: BTreeSet<String> = records(handled).into_iter().map(|r| r.id).collect();
        wanted.is_subset(&seen)
    });
}

/// How many times each notification was handed on beyond the first, by instance.
fn twice(records: &[Record]) -> BTreeMap<u64, usize> {
    let mut per_id: BTreeMap<&str, (u64, usize)> = BTreeMap::new();
    for r in records {
        per_id.entry(&r.id).or_insert((r.instance, 0)).1 += 1;
    }
    let mut out = BTreeMap::new();
    for (instance, n) in per_id.into_values() {
        if n > 1 {
            *out.entry(instance).or_default() += n - 1;
        }
    }
    out
}

/// Publishes a round to every instance every `every` until stopped; the rounds sent.
struct Publisher {
    stop: Arc<AtomicBool>,
    rounds: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Publisher {
    fn start(fleet: &Fleet, first: usize, every: Duration) -> Publisher {
        let stop = Arc::new(AtomicBool::new(false));
        let rounds = Arc::new(AtomicUsize::new(first));
        let url = fleet.emulator.url();
        let size = fleet.size;
        let (s, r) = (stop.clone(), rounds.clone());
        let thread = std::thread::spawn(move || {
            let agent = ureq::Agent::new_with_defaults();
            while !s.load(Ordering::SeqCst) {
                let seq = r.load(Ordering::SeqCst);
                for i in 0..size {
                    let id = fleet_id(i);
                    let post = agent
                        .post(&url)
                        .header("content-type", "application/json")
                        .send(fleet_body(id, seq).as_str());
                    match post {
                        Ok(mut answer) if answer.status() == 200 => {
                            let _ = answer.body_mut().read_to_vec();
                        }
                        other => panic!("publish {id}: {other:?}"),
                    }
                }
                r.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(every);
            }
        });
        Publisher {
            stop,
            rounds,
            thread: Some(thread),
        }
    }

    /// Stops; the rounds published, from `first`.
    fn stop(mut self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().expect("the publisher");
        }
        self.rounds.load(Ordering::SeqCst)
    }
}

/// Waits until `member` has renewed for a whole TTL more (each renewal pushes its
/// registration's expiry, its score in `greenq:members`, on).
fn a_ttl_of_renewals(redis: &Redis, member: &str) {
    let score = || -> u64 {
        redis
            .cli(&["ZSCORE", "greenq:members", member])
            .trim()
            .parse()
            .unwrap_or(0)
    };
    let from = score();
    wait_until(Duration::from_secs(TTL + 2), "a TTL of renewals", || {
        score() >= from + TTL * 1000
    });
}

fn setup(size: usize) -> (Fleet, Redis, PathBuf) {
    let fleet = Fleet::start(size, 1);
    fleet.write_profiles(None);
    let redis = Redis::start(fleet.dir.path());
    let handled = fleet.dir.path().join("handled");
    (fleet, redis, handled)
}

#[test]
fn three_members_share_thirty_queues_and_take_over_a_killed_one() {
    let (fleet, redis, handled) = setup(30);
    let url = redis.url();
    let queues = ids(30);
    let started = Instant::now();
    let mut members: Vec<Member> = ["a", "b", "c"]
        .iter()
        .map(|name| Member::all(&fleet, &url, name, &handled))
        .collect();
    wait_until(
        Duration::from_secs(15),
        "30 queues owned, 10 ± 1 each",
        || balanced(&owners(&url, &queues), &["a", "b", "c"], 10),
    );
    eprintln!(
        "balanced {:.1} s after the start",
        started.elapsed().as_secs_f64()
    );
    publish_round(&fleet, 0);
    publish_round(&fleet, 1);
    wait_all_handled(&handled, &fleet, 0..2, Duration::from_secs(60));

    let before = owners(&url, &queues);
    let moved: BTreeSet<u64> = before
        .iter()
        .filter(|(_, o)| o.as_deref() == Some("a"))
        .map(|(i, _)| *i)
        .collect();
    assert!(!moved.is_empty());
    let killed = Instant::now();
    members[0].child.kill().expect("kill -9");
    // Owned by the other two within TTL + 2 s.
    wait_until(
        Duration::from_secs(TTL + 2),
        "a's queues taken over by b and c",
        || {
            let now = owners(&url, &queues);
            now.values()
                .all(|o| o.as_deref().is_some_and(|m| m == "b" || m == "c"))
        },
    );
    eprintln!(
        "taken over {:.2} s after kill -9",
        killed.elapsed().as_secs_f64()
    );
    publish_round(&fleet, 2);
    publish_round(&fleet, 3);
    wait_all_handled(&handled, &fleet, 0..4, Duration::from_secs(60));
    let all = records(&handled);
    for (instance, extra) in twice(&all) {
        assert!(
            moved.contains(&instance) && extra <= 1,
            "instance {instance} handled {extra} twice (moved: {moved:?})"
        );
    }
    drop(members);
}

#[test]
fn a_rolling_restart_repeats_nothing_and_leaves_no_queue_unowned_for_long() {
    let (fleet, redis, handled) = setup(9);
    let url = redis.url();
    let queues = ids(9);
    let names = ["a", "b", "c"];
    let mut members: Vec<Member> = names
        .iter()
        .map(|n| Member::all(&fleet, &url, n, &handled))
        .collect();
    wait_until(
        Duration::from_secs(15),
        "9 queues owned, 3 ± 1 each",
        || balanced(&owners(&url, &queues), &names, 3),
    );
    // Watches Redis: the longest time any queue was unowned.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, url, queues) = (stop.clone(), url.clone(), queues.clone());
        std::thread::spawn(move || {
            let mut since: BTreeMap<u64, Instant> = BTreeMap::new();
            let mut longest = Duration::ZERO;
            while !stop.load(Ordering::SeqCst) {
                for (q, owner) in owners(&url, &queues) {
                    match owner {
                        Some(_) => {
                            if let Some(t) = since.remove(&q) {
                                longest = longest.max(t.elapsed());
                            }
                        }
                        None => {
                            since.entry(q).or_insert_with(Instant::now);
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            longest
        })
    };
    let publisher = Publisher::start(&fleet, 0, Duration::from_millis(100));
    for _round in 0..3 {
        for (i, name) in names.iter().enumerate() {
            let member = &mut members[i];
            assert_eq!(signal_and_wait(&mut member.child, libc::SIGTERM), Some(130));
            members[i] = Member::all(&fleet, &url, name, &handled);
            wait_until(Duration::from_secs(20), "balanced after a restart", || {
                balanced(&owners(&url, &queues), &names, 3)
            });
        }
    }
    let rounds = publisher.stop();
    stop.store(true, Ordering::SeqCst);
    let longest = watcher.join().expect("the watcher");
    wait_all_handled(&handled, &fleet, 0..rounds, Duration::from_secs(60));
    let all = records(&handled);
    assert!(twice(&all).is_empty(), "handled twice: {:?}", twice(&all));
    assert!(
        longest <= Duration::from_secs(3),
        "a queue was unowned for {longest:?}"
    );
    assert!(balanced(&owners(&url, &queues), &names, 3));
}

#[test]
fn a_member_cut_off_from_redis_stops_before_its_queues_move() {
    let (fleet, redis, handled) = setup(6);
    let url = redis.url();
    let queues = ids(6);
    let link = Link::start(redis.port);
    let mut a = Member::all(&fleet, &link.url(), "a", &handled);
    let _b = Member::all(&fleet, &url, "b", &handled);
    wait_until(Duration::from_secs(15), "6 queues owned, 3 each", || {
        balanced(&owners(&url, &queues), &["a", "b"], 3)
    });
    let publisher = Publisher::start(&fleet, 0, Duration::from_millis(50));
    wait_until(Duration::from_secs(30), "a hands on", || {
        records(&handled).iter().any(|r| r.member == "a")
    });
    let moved: BTreeSet<u64> = owners(&url, &queues)
        .into_iter()
        .filter(|(_, o)| o.as_deref() == Some("a"))
        .map(|(i, _)| i)
        .collect();
    let cut = now_ns();
    link.cut();
    wait_owned_by(&url, &queues, "b", Duration::from_secs(TTL + 3));
    a.stderr
        .wait_for("cannot be reached", Duration::from_secs(TTL + 3));
    // Notifications keep coming a second past the promised bound, and b hands them on:
    // a, cut off, must not.
    let bound = cut + u128::from(TTL) * 1_000_000_000 + 500_000_000;
    let seen = records(&handled).len();
    wait_until(
        Duration::from_secs(30),
        "b hands on after the bound",
        || now_ns() > bound + 1_000_000_000 && records(&handled).len() > seen,
    );
    let rounds = publisher.stop();
    wait_all_handled(&handled, &fleet, 0..rounds, Duration::from_secs(60));
    let all = records(&handled);
    let a_last = all.iter().filter(|r| r.member == "a").map(|r| r.ns).max();
    assert!(
        a_last.is_some_and(|t| t <= bound),
        "a handed on {:.2} s after the cut",
        (a_last.unwrap_or(0) as f64 - cut as f64) / 1e9
    );
    for q in &moved {
        let a_last = all
            .iter()
            .filter(|r| r.member == "a" && r.instance == *q)
            .map(|r| r.ns)
            .max();
        let b_first = all
            .iter()
            .filter(|r| r.member == "b" && r.instance == *q && r.ns > cut)
            .map(|r| r.ns)
            .min();
        if let (Some(a_last), Some(b_first)) = (a_last, b_first) {
            assert!(a_last < b_first, "queue {q}: a after b took it over");
        }
    }
    let said = a
        .stderr
        .seen
        .iter()
        .filter(|l| l.contains("cannot be reached"))
        .count();
    assert_eq!(said, 1, "said once: {:?}", a.stderr.seen);
}

#[test]
fn redis_killed_and_restarted_empty_stops_every_member_in_time_and_loses_nothing() {
    let (fleet, mut redis, handled) = setup(4);
    let url = redis.url();
    let queues = ids(4);
    let mut a = Member::all(&fleet, &url, "a", &handled);
    let mut b = Member::all(&fleet, &url, "b", &handled);
    wait_until(Duration::from_secs(15), "4 queues owned, 2 each", || {
        balanced(&owners(&url, &queues), &["a", "b"], 2)
    });
    let publisher = Publisher::start(&fleet, 0, Duration::from_millis(50));
    wait_until(Duration::from_secs(30), "both hand on", || {
        let all = records(&handled);
        all.iter().any(|r| r.member == "a") && all.iter().any(|r| r.member == "b")
    });
    let gone = now_ns();
    redis.kill();
    a.stderr
        .wait_for("cannot be reached", Duration::from_secs(TTL + 3));
    b.stderr
        .wait_for("cannot be reached", Duration::from_secs(TTL + 3));
    // The promised bound, and a second to see that nothing came after it.
    let bound = gone + u128::from(TTL) * 1_000_000_000 + 500_000_000;
    while now_ns() < bound + 1_000_000_000 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let back = now_ns();
    redis.restart();
    let late: Vec<Record> = records(&handled)
        .into_iter()
        .filter(|r| r.ns > bound && r.ns < back)
        .collect();
    assert!(late.is_empty(), "handed on while Redis was gone: {late:?}");
    a.stderr
        .wait_for("reachable again", Duration::from_secs(TTL * 2 + 3));
    b.stderr
        .wait_for("reachable again", Duration::from_secs(TTL * 2 + 3));
    let rounds = publisher.stop();
    wait_all_handled(&handled, &fleet, 0..rounds, Duration::from_secs(60));
    // Epochs only grow, although Redis lost its count.
    let all = records(&handled);
    let before = all.iter().filter(|r| r.ns < gone).map(|r| r.epoch).max();
    let after = all.iter().filter(|r| r.ns > back).map(|r| r.epoch).min();
    assert!(before < after, "epochs {before:?} then {after:?}");
}

#[test]
fn a_standby_takes_over_one_profile_when_the_active_member_is_killed() {
    let (fleet, redis, handled) = setup(1);
    let url = redis.url();
    let queues = ids(1);
    let mut one = Member::start(&fleet, &url, "one", &["--profile", "p0"], &handled);
    wait_owned_by(&url, &queues, "one", Duration::from_secs(15));
    let _two = Member::start(&fleet, &url, "two", &["--profile", "p0"], &handled);
    publish_round(&fleet, 0);
    wait_all_handled(&handled, &fleet, 0..1, Duration::from_secs(30));
    one.child.kill().expect("kill -9");
    wait_owned_by(&url, &queues, "two", Duration::from_secs(TTL + 2));
    publish_round(&fleet, 1);
    wait_all_handled(&handled, &fleet, 0..2, Duration::from_secs(30));
    let all = records(&handled);
    let by = |m: &str| all.iter().filter(|r| r.member == m).map(|r| r.epoch).max();
    assert!(
        by("one") < by("two"),
        "a new owner has a higher epoch: {all:?}"
    );
    assert!(all.iter().all(|r| r.epoch > 0));
}

#[test]
fn a_redis_password_is_refused_on_the_command_line_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start_with(dir.path(), &["--requirepass", "Pa55-w0rd-XYZ"]);
    let emu = Emulator::start(1);
    let on_line = format!("redis://:Pa55-w0rd-XYZ@127.0.0.1:{}", redis.port);
    let out = emu
        .cmd()
        .args(["tail", "--coordinate", &on_line, "-n", "1"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--coordinate holds a password"), "{err}");
    assert!(!err.contains("Pa55"), "{err}");
    // A wrong one in the environment: refused before anything is received, not shown.
    let wrong = format!("redis://:Wr0ng-pa55@127.0.0.1:{}", redis.port);
    let out = emu
        .cmd()
        .env("GREENQ_COORDINATE", &wrong)
        .args(["tail", "-n", "1"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refused greenq"), "{err}");
    assert!(!err.contains("Wr0ng"), "{err}");
    // The right one: the command gets its lease's epoch, never the coordinator's URL.
    let right = format!("redis://:Pa55-w0rd-XYZ@127.0.0.1:{}/0", redis.port);
    emu.publish(&example("one"));
    let env_file = dir.path().join("env");
    let out = emu
        .cmd()
        .env("GREENQ_COORDINATE", &right)
        .args([
            "--log-format",
            "json",
            "tail",
            "-n",
            "1",
            "--lease-ttl",
            "1",
        ])
        .args(["--member", "solo", "--exec", "--", "sh", "-c"])
        .arg(format!("env > {}", env_file.display()))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let env = std::fs::read_to_string(&env_file).unwrap();
    assert!(env.contains("GREENQ_LEASE_EPOCH="), "{env}");
    assert!(
        !env.contains("Pa55") && !env.contains("GREENQ_COORDINATE"),
        "{env}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("Pa55"), "{err}");
    assert!(
        err.contains("\"member\":\"solo\""),
        "JSON logs name the member: {err}"
    );
    // Unreachable: said without the password.
    let down = format!("redis://:Pa55-w0rd-XYZ@127.0.0.1:{}", unused_addr().port());
    let mut child = std_greenq(&emu.url())
        .env("GREENQ_COORDINATE", &down)
        .args(["tail", "--lease-ttl", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = StderrLines::new(child.stderr.take().unwrap());
    let line = stderr.wait_for("cannot be reached", GUARD);
    assert!(line.contains("redis://127.0.0.1:"), "{line}");
    assert_eq!(signal_and_wait(&mut child, libc::SIGTERM), Some(130));
    let rest = stderr.rest();
    assert!(!rest.contains("Pa55"), "{rest}");
    // greenq fleet, with the password in the environment only.
    let out = greenq()
        .env("GREENQ_COORDINATE", &right)
        .args(["fleet", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Pa55"));
    // greenq fleet refused, or with Redis gone: said without the password either way.
    for (url, secret) in [(&wrong, "Wr0ng"), (&down, "Pa55")] {
        let out = greenq()
            .env("GREENQ_COORDINATE", url)
            .args(["fleet", "--format", "table"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{out:?}");
        let all = format!("{out:?}");
        assert!(all.contains("127.0.0.1:") && !all.contains(secret), "{all}");
    }
}

/// Member "a" given p0 and p1 only (p2 is in the config file, given to nobody), once it
/// owns both.
fn member_a_owning_p0_and_p1(fleet: &Fleet, url: &str, queues: &[u64], handled: &Path) -> Member {
    let a = Member::start(
        fleet,
        url,
        "a",
        &["--profile", "p0", "--profile", "p1"],
        handled,
    );
    wait_until(Duration::from_secs(15), "a owns p0 and p1", || {
        let o = owners(url, queues);
        o[&queues[0]].is_some() && o[&queues[1]].is_some()
    });
    a
}

#[test]
fn fleet_lists_owners_and_unowned_queues_and_flags_are_checked() {
    let (fleet, redis, handled) = setup(3);
    let url = redis.url();
    let queues = ids(3);
    // p2 is given to nobody: the config file still lists it.
    let _a = member_a_owning_p0_and_p1(&fleet, &url, &queues, &handled);
    let out = fleet
        .cmd()
        .args(["fleet", "--coordinate", &url, "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let lines: Vec<serde_json::Value> = lines(&out.stdout)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let queue = |i: u64| lines.iter().find(|l| l["instance"] == i).cloned().unwrap();
    assert_eq!(queue(queues[0])["owner"], "a");
    assert!(queue(queues[0])["epoch"].as_u64().is_some());
    assert_eq!(queue(queues[2])["owner"], serde_json::Value::Null);
    assert_eq!(queue(queues[2])["profile"], "p2");
    let member = lines.iter().find(|l| l["member"] == "a").unwrap();
    assert_eq!(member["queues"], 2);
    // Flags that make no sense are refused before anything is received.
    for args in [
        vec!["tail", "--member", "x", "--profile", "p0"],
        vec![
            "tail",
            "--coordinate",
            &url,
            "--no-state",
            "--profile",
            "p0",
        ],
        vec!["tail", "--coordinate", "localhost:6379", "--profile", "p0"],
        vec![
            "tail",
            "--coordinate",
            &url,
            "--lease-ttl",
            "0",
            "--profile",
            "p0",
        ],
    ] {
        let out = fleet.cmd().args(&args).output().unwrap();
        assert_exit(&out, 2);
    }
}

/// On a terminal `greenq fleet` draws its table (no --format): a row per queue under
/// QUEUE, PROFILE, OWNER, EPOCH, LEASE LEFT, each cell under its heading; an unowned queue
/// says so; a line of totals; then a row per member under MEMBER, HOLDS, GIVEN.
#[test]
fn fleet_draws_a_table_of_queues_and_members_on_a_terminal() {
    let (fleet, redis, handled) = setup(3);
    let url = redis.url();
    let queues = ids(3);
    let _a = member_a_owning_p0_and_p1(&fleet, &url, &queues, &handled);
    let config = fleet.config.to_str().expect("path");
    let mut pty = Pty::spawn_configured_by(
        &[("GREENQ_CONFIG", config)],
        &["fleet", "--coordinate", &url],
    );
    assert_eq!(
        pty.wait_exit(Duration::from_secs(15)),
        0,
        "{}",
        pty.output()
    );
    let screen = pty.screen();
    let at = |start: &str| {
        screen
            .iter()
            .position(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("a line starting {start:?}: {screen:#?}"))
    };
    // Each row's cells start where their headings do.
    let cells = |header: &str, row: &str| -> Vec<String> {
        let mut starts: Vec<usize> = Vec::new();
        for name in header.split("  ").map(str::trim).filter(|n| !n.is_empty()) {
            starts.push(header.find(name).expect("a heading"));
        }
        let chars: Vec<char> = row.chars().collect();
        starts
            .iter()
            .enumerate()
            .map(|(i, &from)| {
                let to = starts.get(i + 1).copied().unwrap_or(chars.len());
                assert!(
                    from == 0 || chars.get(from - 1) == Some(&' '),
                    "a cell starts under its heading: {header:?} / {row:?}"
                );
                chars
                    .get(from..to.min(chars.len()))
                    .map_or(String::new(), |c| c.iter().collect::<String>())
                    .trim()
                    .to_string()
            })
            .collect()
    };
    let header = &screen[at("QUEUE")];
    let names: Vec<&str> = header
        .split("  ")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    assert_eq!(
        names,
        ["QUEUE", "PROFILE", "OWNER", "EPOCH", "LEASE LEFT"],
        "{screen:#?}"
    );
    for (i, queue) in queues.iter().enumerate() {
        let row = cells(header, &screen[at(&queue.to_string())]);
        assert_eq!(row[0], queue.to_string(), "{screen:#?}");
        assert_eq!(row[1], format!("p{i}"), "{screen:#?}");
        if i < 2 {
            // The lease as Redis holds it: "EPOCH MEMBER".
            let lease = redis.cli(&["GET", &format!("greenq:lease:{queue}")]);
            let epoch = lease.split_whitespace().next().expect("the lease's epoch");
            assert_eq!(row[2], "a", "{screen:#?}");
            assert_eq!(row[3], epoch, "{screen:#?}");
            let left: f64 = row[4]
                .strip_suffix(" s")
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("a lease left in seconds: {screen:#?}"));
            assert!(left > 0.0 && left <= TTL as f64, "{screen:#?}");
        } else {
            assert_eq!(row[2..], ["(nobody)", "-", "-"], "unowned: {screen:#?}");
        }
    }
    assert!(
        screen.iter().any(|l| l == "3 queues, 2 owned, 1 unowned"),
        "{screen:#?}"
    );
    let members = &screen[at("MEMBER")];
    let names: Vec<&str> = members.split_whitespace().collect();
    assert_eq!(names, ["MEMBER", "HOLDS", "GIVEN"], "{screen:#?}");
    assert_eq!(
        cells(members, &screen[at("a ")]),
        ["a", "2", "2"],
        "{screen:#?}"
    );
    assert_eq!(screen.len(), at("a ") + 1, "one member: {screen:#?}");
}

#[test]
fn a_command_longer_than_the_lease_keeps_it_and_the_metrics_say_so() {
    let (fleet, redis, handled) = setup(1);
    let url = redis.url();
    let queues = ids(1);
    let done = fleet.dir.path().join("done");
    // A command that runs longer than the TTL: the lease is renewed meanwhile.
    let slow = format!(
        "{RECORD}; sleep {}; echo done >> {}",
        TTL + 1,
        done.display()
    );
    let mut one = fleet
        .std_cmd()
        .args([
            "tail",
            "--coordinate",
            &url,
            "--member",
            "one",
            "--profile",
            "p0",
        ])
        .args([
            "--lease-ttl",
            &TTL.to_string(),
            "--metrics-listen",
            "127.0.0.1:0",
        ])
        .arg("--state-dir")
        .arg(fleet.dir.path().join("state-one"))
        .args(["--exec", "--", "sh", "-c", &slow])
        .env("MEMBER", "one")
        .env("HANDLED", &handled)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = StderrLines::new(one.stderr.take().unwrap());
    let line = stderr.wait_for("metrics on http://", GUARD);
    let addr: std::net::SocketAddr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap();
    wait_owned_by(&url, &queues, "one", Duration::from_secs(15));
    let _two = Member::start(&fleet, &url, "two", &["--profile", "p0"], &handled);
    publish_round(&fleet, 0);
    wait_until(Duration::from_secs(30), "the command ran", || {
        !file_lines(&done).is_empty()
    });
    publish_round(&fleet, 1);
    wait_all_handled(&handled, &fleet, 0..2, Duration::from_secs(30));
    let all = records(&handled);
    assert!(all.iter().all(|r| r.member == "one"), "{all:?}");
    assert!(twice(&all).is_empty(), "{all:?}");
    let (status, body) = http_get(addr, "/metrics");
    assert_eq!(status, 200);
    let all = series(&body);
    assert_eq!(all.get("greenq_fleet_leases_held"), Some(&1.0), "{body}");
    assert_eq!(all.get("greenq_fleet_coordinator_up"), Some(&1.0), "{body}");
    assert_eq!(all.get("greenq_fleet_members"), Some(&2.0), "{body}");
    assert_eq!(
        all.get("greenq_fleet_leases_acquired_total"),
        Some(&1.0),
        "{body}"
    );
    assert_eq!(
        all.get("greenq_fleet_leases_lost_total{reason=\"expired\"}"),
        Some(&0.0),
        "{body}"
    );
    assert_eq!(
        all.get("greenq_fleet_takeover_seconds_count"),
        Some(&1.0),
        "{body}"
    );
    let _ = one.kill();
    let _ = one.wait();
}

#[test]
fn a_hook_gets_the_lease_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start(dir.path());
    let emu = Emulator::start(1);
    emu.publish(&example("fenced"));
    let hook = Scripted::start(vec![], reply(200, "ok"));
    let out = emu
        .cmd()
        .args([
            "tail",
            "-n",
            "1",
            "--coordinate",
            &redis.url(),
            "--lease-ttl",
            "1",
        ])
        .arg("--forward-to")
        .arg(format!("{}/hook", hook.url()))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let seen = hook.seen();
    assert_eq!(seen.len(), 1);
    let epoch = seen[0]
        .headers
        .to_ascii_lowercase()
        .lines()
        .find_map(|l| l.strip_prefix("x-greenq-lease-epoch: ").map(str::to_string));
    assert!(
        epoch.is_some_and(|e| e.trim().parse::<u64>().is_ok_and(|e| e > 0)),
        "{:?}",
        seen[0].headers
    );
}

#[test]
fn a_frozen_member_that_wakes_after_its_lease_hands_nothing_new_on() {
    let (fleet, redis, handled) = setup(1);
    let url = redis.url();
    let queues = ids(1);
    let mut a = Member::start(&fleet, &url, "a", &["--profile", "p0"], &handled);
    wait_owned_by(&url, &queues, "a", Duration::from_secs(15));
    let _b = Member::start(&fleet, &url, "b", &["--profile", "p0"], &handled);
    let publisher = Publisher::start(&fleet, 0, Duration::from_millis(50));
    wait_until(Duration::from_secs(30), "a hands on", || {
        records(&handled).iter().any(|r| r.member == "a")
    });
    send_signal(&a.child, libc::SIGSTOP);
    wait_owned_by(&url, &queues, "b", Duration::from_secs(TTL + 3));
    wait_until(Duration::from_secs(30), "b hands on", || {
        records(&handled).iter().any(|r| r.member == "b")
    });
    let woke = now_ns();
    send_signal(&a.child, libc::SIGCONT);
    a.stderr.wait_for("lost the lease of instance", GUARD);
    let rounds = publisher.stop();
    wait_all_handled(&handled, &fleet, 0..rounds, Duration::from_secs(60));
    let late: Vec<Record> = records(&handled)
        .into_iter()
        .filter(|r| r.member == "a" && r.ns > woke)
        .collect();
    assert!(late.is_empty(), "a handed on after it woke: {late:?}");
}

#[test]
fn a_member_that_lost_a_queue_stops_polling_it() {
    let (fleet, redis, handled) = setup(1);
    // The member reaches its one queue through a relay that counts its requests.
    let relay = FaultProxy::relay(fleet.emulator.addr);
    fleet.point_profile_at(0, &relay.url());
    let url = redis.url();
    let queues = ids(1);
    let mut a = Member::start(&fleet, &url, "a", &["--profile", "p0"], &handled);
    wait_owned_by(&url, &queues, "a", Duration::from_secs(15));
    relay.wait_for_requests(2, GUARD);
    // Another member's lease, as after a partition: a's next renewal finds it lost.
    let key = format!("greenq:lease:{}", queues[0]);
    redis.cli(&["SET", &key, "999999999 thief", "PX", "600000"]);
    a.stderr.wait_for("lost the lease of instance", GUARD);
    let at_loss = relay.wait_for_requests(0, GUARD);
    // A whole TTL of a's renewals later (each pushes its registration's expiry on)...
    a_ttl_of_renewals(&redis, "a");
    // ...it has sent at most the receive that was in flight (empty ones answer after 1 s).
    let after = relay.wait_for_requests(0, GUARD);
    assert!(
        after <= at_loss + 1,
        "a kept polling a queue it no longer holds: {at_loss} requests at the loss, {after} a TTL later"
    );
}

#[test]
fn a_coordinator_that_may_evict_leases_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::start(1);
    emu.publish(&example("one"));
    let tail = |redis: &Redis| {
        emu.cmd()
            .args(["tail", "-n", "1", "--coordinate", &redis.url()])
            .args(["--lease-ttl", "1", "--state-dir"])
            .arg(dir.path().join("state"))
            .output()
            .unwrap()
    };
    let evicting = Redis::start_with(
        dir.path(),
        &["--maxmemory", "64mb", "--maxmemory-policy", "volatile-lru"],
    );
    let out = tail(&evicting);
    assert_exit(&out, 0);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("may evict keys when full (maxmemory-policy volatile-lru)"),
        "{err}"
    );
    drop(evicting);
    // A limit with noeviction (or no limit): nothing said.
    emu.publish(&example("two"));
    let safe = Redis::start_with(
        dir.path(),
        &["--maxmemory", "64mb", "--maxmemory-policy", "noeviction"],
    );
    let out = tail(&safe);
    assert_exit(&out, 0);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("evict"));
}

#[test]
fn a_standby_is_ready_while_another_member_holds_its_queue() {
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start(dir.path());
    let emu = Emulator::start(1);
    // Another member's live lease on the one queue.
    redis.cli(&["SET", "greenq:epoch", "5"]);
    let key = format!("greenq:lease:{INSTANCE}");
    redis.cli(&["SET", &key, "5 other", "PX", "600000"]);
    let state = dir.path().join("state");
    let (_standby, _stderr, addr) = tail_with_metrics(
        &emu.url(),
        &[
            "--coordinate",
            &redis.url(),
            "--member",
            "standby",
            "--lease-ttl",
            "1",
            "--state-dir",
            state.to_str().unwrap(),
        ],
    );
    // Registered, so its turn was asked for: from then on it stands by, and says it is ready.
    wait_until(GUARD, "the standby registered", || {
        !redis
            .cli(&["ZSCORE", "greenq:members", "standby"])
            .trim()
            .is_empty()
    });
    wait_until(Duration::from_secs(5), "/readyz 200", || {
        http_get(addr, "/readyz").0 == 200
    });
    assert_eq!(
        redis.cli(&["GET", &key]).trim(),
        "5 other",
        "the live lease is never taken"
    );
}

#[test]
fn a_lease_lost_between_attempts_leaves_the_notification_to_the_new_owner() {
    let (fleet, redis, _) = setup(1);
    let url = redis.url();
    let queues = ids(1);
    // A command that always fails: attempt after attempt, a second or more apart.
    let runs = fleet.dir.path().join("runs");
    let mut a = fleet
        .std_cmd()
        .args(["tail", "--coordinate", &url, "--member", "a"])
        .args(["--lease-ttl", &TTL.to_string(), "--state-dir"])
        .arg(fleet.dir.path().join("state-a"))
        .args(["--profile", "p0", "--exec", "--", "sh", "-c"])
        .arg(format!("echo run >> {}; exit 1", runs.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = StderrLines::new(a.stderr.take().unwrap());
    wait_owned_by(&url, &queues, "a", Duration::from_secs(15));
    publish_round(&fleet, 0);
    stderr.wait_for("attempt 1 failed", GUARD);
    // Another member's lease, as after a partition, while a pauses between attempts.
    let key = format!("greenq:lease:{}", queues[0]);
    redis.cli(&["SET", &key, "999999999 thief", "PX", "600000"]);
    stderr.wait_for("left queued for the member that holds it now", GUARD);
    let tried = file_lines(&runs).len();
    // A whole TTL of a's renewals later, it has not tried again, and the queue keeps it.
    a_ttl_of_renewals(&redis, "a");
    assert_eq!(
        file_lines(&runs).len(),
        tried,
        "tried again without the lease"
    );
    assert!(!fleet.is_empty(0), "the notification stays queued");
    let _ = a.kill();
    let _ = a.wait();
}
