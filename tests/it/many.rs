//! Many instances in one tail (`--profile a --profile b`, `--all-profiles`): each drained
//! in order on its own thread, an instance that fails stops alone, `-n` counts across all,
//! the exit code is the most serious.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::*;

#[test]
fn a_bad_token_in_one_of_ten_profiles_stops_it_alone_and_the_other_nine_are_drained() {
    let fleet = Fleet::start(10, 0);
    fleet.write_profiles(Some(6));
    fleet.publish(5);
    let out = fleet
        .cmd()
        .args(["tail", "--all-profiles", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("greenq: error: profile p6 stopped: credentials rejected"),
        "{err}"
    );
    assert!(err.contains("the other instances go on"), "{err}");
    // Per instance, every notification once and in order; none of p6's.
    let got = by_instance(&out.stdout);
    assert_eq!(got.len(), 9, "{got:?}");
    for i in (0..10).filter(|i| *i != 6) {
        assert_eq!(got[&fleet_id(i)], vec![0, 1, 2, 3, 4], "p{i}");
        assert!(fleet.is_empty(i), "p{i} drained");
    }
    assert!(!got.contains_key(&fleet_id(6)));
    // A line per instance, and a total.
    assert!(err.contains("greenq: p6: 0 printed"), "{err}");
    assert!(err.contains("(stopped, exit 4)"), "{err}");
    assert!(
        err.contains(
            "greenq: total: 45 printed, 45 deleted, 0 retries; 10 instances, 1 stopped on an error"
        ),
        "{err}"
    );
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn json_lines_are_the_bodies_unchanged_and_text_lines_name_the_profile() {
    let fleet = Fleet::start(3, 0);
    fleet.write_profiles(None);
    fleet.publish(4);
    let out = fleet
        .cmd()
        .args([
            "tail",
            "--profile",
            "p0",
            "--profile",
            "p2",
            "-e",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let mut published: Vec<String> = [0, 2]
        .iter()
        .flat_map(|i| (0..4).map(move |seq| fleet_body(fleet_id(*i), seq)))
        .collect();
    let mut printed = lines(&out.stdout);
    published.sort();
    printed.sort();
    assert_eq!(printed, published, "byte for byte");
    assert!(!fleet.is_empty(1), "p1 was not asked for");

    fleet.publish(2);
    let out = fleet
        .cmd()
        .args(["tail", "--all-profiles", "-e", "--format", "text"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = lines(&out.stdout);
    // p1 had 4 + 2, the others 2 each; every line whole and naming its profile.
    assert_eq!(text.len(), 10, "{text:?}");
    for line in &text {
        assert!(
            ["[p0] ", "[p1] ", "[p2] "]
                .iter()
                .any(|p| line.starts_with(p))
                && line.contains("incomingMessageReceived"),
            "{line}"
        );
    }
    assert_eq!(text.iter().filter(|l| l.starts_with("[p1] ")).count(), 6);
}

#[test]
fn count_is_across_all_instances_and_the_rest_stays_queued() {
    let fleet = Fleet::start(3, 20);
    fleet.write_profiles(None);
    fleet.publish(5);
    let out = fleet
        .cmd()
        .args(["tail", "--all-profiles", "-n", "7", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let got = by_instance(&out.stdout);
    assert_eq!(got.values().map(Vec::len).sum::<usize>(), 7, "{got:?}");
    // What was not printed was not deleted: the rest comes next, in order.
    let rest = fleet
        .cmd()
        .args(["tail", "--all-profiles", "-n", "8", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&rest, 0);
    let rest = by_instance(&rest.stdout);
    for i in 0..3 {
        let id = fleet_id(i);
        let mut all = got.get(&id).cloned().unwrap_or_default();
        all.extend(rest.get(&id).cloned().unwrap_or_default());
        assert_eq!(all, vec![0, 1, 2, 3, 4], "p{i}: once each, in order");
    }
}

#[test]
fn exec_gets_the_profile_of_each_notification() {
    let fleet = Fleet::start(2, 0);
    fleet.write_profiles(None);
    fleet.publish(2);
    let seen = fleet.dir.path().join("seen.txt");
    let script = format!(
        "echo \"$GREENQ_PROFILE $GREENQ_ID_INSTANCE\" >> {}",
        seen.display()
    );
    let out = fleet
        .cmd()
        .args([
            "tail",
            "--all-profiles",
            "-e",
            "--exec",
            "--",
            "sh",
            "-c",
            &script,
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let mut lines: Vec<String> = std::fs::read_to_string(&seen)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    lines.sort();
    let p0 = format!("p0 {}", fleet_id(0));
    let p1 = format!("p1 {}", fleet_id(1));
    assert_eq!(lines, vec![p0.clone(), p0, p1.clone(), p1]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("greenq: total: 4 handled"));
}

#[test]
fn fail_fast_stops_every_instance_at_the_first_error() {
    // Long polls of an hour: without --fail-fast the good instances would never end.
    let fleet = Fleet::start(3, 60);
    fleet.write_profiles(Some(1));
    let mut child = fleet
        .std_cmd()
        .args([
            "tail",
            "--all-profiles",
            "--fail-fast",
            "--receive-timeout",
            "60",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_with_limit(&mut child, GUARD);
    let err = read_rest(child.stderr.take());
    assert_eq!(status.code(), Some(4), "{err}");
    assert!(
        err.contains("profile p1 stopped: credentials rejected") && err.contains("--fail-fast"),
        "{err}"
    );
    assert!(err.contains("greenq: p0: 0 printed"), "{err}");
}

#[test]
fn ctrl_c_stops_every_instance_and_says_what_each_did() {
    let fleet = Fleet::start(3, 1);
    fleet.write_profiles(None);
    fleet.publish(1);
    let mut child = fleet
        .std_cmd()
        .args(["-v", "tail", "--all-profiles", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Each instance has printed its notification and deleted it: all three loops run.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut deleted = std::collections::BTreeSet::new();
    let mut line = String::new();
    while deleted.len() < 3 {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "stderr ended");
        if line.contains("DELETE") && line.contains(" 200 ") {
            deleted.insert(
                line.split(':')
                    .nth(1)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            );
        }
    }
    let code = signal_and_wait(&mut child, libc::SIGINT);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert_eq!(code, Some(130), "{rest}");
    for p in ["p0", "p1", "p2"] {
        assert!(
            rest.contains(&format!("greenq: {p}: 1 printed")) && rest.contains("(interrupted)"),
            "{rest}"
        );
    }
    assert_eq!(
        by_instance(read_rest(child.stdout.take()).as_bytes()).len(),
        3
    );
}

#[test]
fn flags_that_name_one_instance_and_a_queue_followed_twice_are_refused() {
    let fleet = Fleet::start(2, 0);
    fleet.write_profiles(None);
    fleet.publish(1);
    for args in [
        &["tail", "--all-profiles", "-i", "5"][..],
        &["tail", "--profile", "p0", "--profile", "p0"],
        &["tail", "--all-profiles", "--profile", "p0"],
        &["receive", "--profile", "p0", "--profile", "p1"],
        &["tail", "--profile", "p0", "--profile", "nope"],
    ] {
        let out = fleet.cmd().args(args).output().unwrap();
        assert_exit(&out, 2);
    }
    // The same instance under two names: two consumers of one queue.
    let text = std::fs::read_to_string(&fleet.config).unwrap();
    std::fs::write(
        &fleet.config,
        text.replace("[profiles.p1]", "[profiles.p1]\n").replace(
            &format!("instance = {}", fleet_id(1)),
            &format!("instance = {}", fleet_id(0)),
        ),
    )
    .unwrap();
    let out = fleet
        .cmd()
        .args(["tail", "--all-profiles", "-e"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("are the same instance"));
    assert!(!fleet.is_empty(0), "nothing was received");
}

#[test]
fn demo_follows_several_instances_in_one_tail() {
    let out = greenq()
        .args(["demo", "--instances", "3", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let lines = lines(&out.stdout);
    assert_eq!(lines.len(), 24);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("greenq: total: 24 printed, 24 deleted"),
        "{err}"
    );
}

#[test]
fn forward_to_says_the_profile_in_a_header() {
    let fleet = Fleet::start(2, 0);
    fleet.write_profiles(None);
    fleet.publish(2);
    let hook = Scripted::start(Vec::new(), reply(200, "ok"));
    let out = fleet
        .cmd()
        .args(["tail", "--all-profiles", "-e", "--forward-to"])
        .arg(format!("{}/hook", hook.url()))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let seen = hook.seen();
    assert_eq!(seen.len(), 4);
    for post in &seen {
        let body: serde_json::Value = serde_json::from_slice(&post.body).unwrap();
        let id = body["instanceData"]["idInstance"].as_u64().unwrap();
        let profile = if id == fleet_id(0) { "p0" } else { "p1" };
        let headers = post.headers.to_ascii_lowercase();
        assert!(
            headers.contains(&format!("x-greenq-profile: {profile}\r\n")),
            "{headers}"
        );
        assert_no_token(&[post.headers.as_bytes()]);
    }
}

#[test]
fn the_most_serious_code_wins_and_each_stopped_instance_is_named() {
    let fleet = Fleet::start(3, 0);
    fleet.write_profiles(Some(1));
    fleet.publish(2);
    // p2's host answers 466: its quota is used up.
    let quota = Scripted::start(Vec::new(), reply(466, r#"{"message":"quota exceeded"}"#));
    fleet.point_profile_at(2, &quota.url());
    let out = fleet
        .cmd()
        .args(["tail", "--all-profiles", "-e", "--format", "json"])
        .output()
        .unwrap();
    // Credentials (4) before quota (5): the documented order.
    assert_exit(&out, 4);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("profile p1 stopped: credentials rejected"),
        "{err}"
    );
    assert!(err.contains("profile p2 stopped: quota exceeded"), "{err}");
    assert_eq!(by_instance(&out.stdout)[&fleet_id(0)], vec![0, 1]);
    // Without the bad token, the quota is the most serious.
    fleet.write_profiles(None);
    fleet.point_profile_at(2, &quota.url());
    let out = fleet
        .cmd()
        .args(["tail", "--all-profiles", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 5);
    assert_eq!(by_instance(&out.stdout)[&fleet_id(1)], vec![0, 1]);
}

#[test]
fn a_head_that_cannot_be_deleted_stops_its_instance_alone() {
    let fleet = Fleet::start(2, 0);
    fleet.write_profiles(None);
    fleet.publish(3);
    let head = envelope(7, &fleet_body(fleet_id(1), 7));
    let not_found = reply(200, r#"{"result":false}"#);
    let steps = (0..20)
        .flat_map(|_| [head.clone(), not_found.clone()])
        .collect();
    let stuck = Scripted::start(steps, reply(200, "null"));
    fleet.point_profile_at(1, &stuck.url());
    let out = fleet
        .cmd()
        .args(["tail", "--all-profiles", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("profile p1 stopped: the head of the queue cannot be deleted (receipt 7"),
        "{err}"
    );
    let got = by_instance(&out.stdout);
    assert_eq!(got[&fleet_id(0)], vec![0, 1, 2], "p0 drained");
    assert_eq!(got[&fleet_id(1)], vec![7], "printed once, never again");
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn metrics_have_a_series_per_profile_from_the_first_scrape_and_count_each_drain() {
    let fleet = Fleet::start(2, 1);
    fleet.write_profiles(None);
    fleet.publish(3);
    let mut child = Reaped(
        fleet
            .std_cmd()
            .args(["tail", "--all-profiles", "--metrics-listen", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = StderrLines::new(child.stderr.take().unwrap());
    let line = stderr.wait_for("metrics on http://", GUARD);
    let addr: std::net::SocketAddr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let key = |family: &str, i: usize| {
        format!("{family}{{instance=\"{}\",profile=\"p{i}\"}}", fleet_id(i))
    };
    // Served only once both instances were registered: both are there at once.
    let first = series(&http_get(addr, "/metrics").1);
    for i in 0..2 {
        assert!(
            first.contains_key(&key("greenq_notifications_deleted_total", i)),
            "{first:#?}"
        );
    }
    let mut all = Default::default();
    wait_until(GUARD, "3 deleted on each instance", || {
        all = series(&http_get(addr, "/metrics").1);
        (0..2).all(|i| all.get(&key("greenq_notifications_deleted_total", i)) == Some(&3.0))
    });
    for i in 0..2 {
        assert_eq!(all[&key("greenq_notifications_handled_total", i)], 3.0);
    }
    wait_until(GUARD, "ready once both answered", || {
        http_get(addr, "/readyz").0 == 200
    });
    signal_and_wait(&mut child, libc::SIGTERM);
    assert!(fleet.is_empty(0) && fleet.is_empty(1));
}

/// `tail --all-profiles -e --exec -- true` with its state in `state`.
fn exec_drain(fleet: &Fleet, state: &std::path::Path) -> std::process::Output {
    fleet
        .cmd()
        .env("GREENQ_STATE_DIR", state)
        .args(["tail", "--all-profiles", "-e", "--exec", "--", "true"])
        .timeout(GUARD)
        .output()
        .unwrap()
}

#[test]
fn a_multi_instance_exec_tail_removes_its_lock_files_when_it_ends() {
    let fleet = Fleet::start(2, 0);
    fleet.write_profiles(None);
    fleet.publish(2);
    let state = tempfile::tempdir().unwrap();
    let out = exec_drain(&fleet, state.path());
    assert_exit(&out, 0);
    let left = lock_files(state.path());
    assert!(left.is_empty(), "{left:?}");
    assert!(fleet.is_empty(0) && fleet.is_empty(1));
}

#[test]
fn each_instance_takes_its_own_lock_so_a_queue_already_consumed_refuses_the_whole_run() {
    let fleet = Fleet::start(2, 1);
    fleet.write_profiles(None);
    let state = tempfile::tempdir().unwrap();
    // One consumer holds p1's queue.
    let mut first = Reaped(
        fleet
            .std_cmd()
            .env("GREENQ_STATE_DIR", state.path())
            .args(["--profile", "p1", "tail", "--exec", "--", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let lock_of = |i: usize| {
        std::fs::read_dir(state.path()).unwrap().flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(&format!("-{}.lock", fleet_id(i)))
                && std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("command "))
        })
    };
    wait_until(GUARD, "p1's lock taken", || lock_of(1));
    fleet.publish(2);
    let out = exec_drain(&fleet, state.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "another greenq tail is consuming instance {}",
            fleet_id(1)
        )) && err.contains(&format!("pid {}", first.id())),
        "{err}"
    );
    // Refused before anything was received: p0's queue is whole, and the lock p0 took in
    // the same directory went with the run.
    assert!(!lock_of(0));
    assert!(!fleet.is_empty(0));
    signal_and_wait(&mut first, libc::SIGTERM);
}

/// A greenq killed while its command runs leaves the command to its keeper, which holds
/// the queue's lock until the command ends. A multi-instance tail started meanwhile waits
/// for that instance's lock, says so, and a Ctrl-C during the wait stops the whole run
/// with 130 before anything is received (the wait is inside the instance's build).
#[test]
fn ctrl_c_while_an_instance_waits_for_a_killed_greenqs_keeper_stops_the_run() {
    let fleet = Fleet::start(2, 1);
    fleet.write_profiles(None);
    let state = tempfile::tempdir().unwrap();
    let gate = state.path().join("go");
    let started = state.path().join("started");
    let ended = state.path().join("ended");
    let script = format!(
        "touch '{}'; while [ ! -e '{}' ]; do sleep 0.01; done; touch '{}'",
        started.display(),
        gate.display(),
        ended.display()
    );
    fleet.publish(1);
    let mut first = fleet
        .std_cmd()
        .env("GREENQ_STATE_DIR", state.path())
        .args([
            "--profile",
            "p1",
            "tail",
            "--exec",
            "--",
            "sh",
            "-c",
            &script,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until(GUARD, "p1's command to start", || started.exists());
    assert_eq!(signal_and_wait(&mut first, libc::SIGKILL), None);
    let mut all = fleet
        .std_cmd()
        .env("GREENQ_STATE_DIR", state.path())
        .args(["tail", "--all-profiles", "--exec", "--", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = {
        let (err, pipe) = (err.clone(), all.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                err.lock().unwrap().push_str(&(line + "\n"));
            }
        })
    };
    wait_until(GUARD, "the wait for the keeper", || {
        err.lock().unwrap().contains("waiting for greenq's keeper")
    });
    send_signal(&all, libc::SIGINT);
    let status = wait_with_limit(&mut all, GUARD);
    reader.join().unwrap();
    let err = err.lock().unwrap().clone();
    assert_eq!(status.code(), Some(130), "{err}");
    // Nothing was received: p0's notification waits, p1's is still the keeper's.
    assert!(!fleet.is_empty(0) && !fleet.is_empty(1), "{err}");
    // The command ends; its keeper with it.
    std::fs::write(&gate, "").unwrap();
    wait_until(GUARD, "the command to end", || ended.exists());
}

/// The start of a tail of many profiles grows with their number, not its square (1,000
/// took 7.5 s): the config file is read once for all the inline tokens, not once per
/// profile, and all instances share one ledger connection, not one each. Counted (opens
/// of the file, the ledger's descriptors), not timed, so that it holds under any load.
#[test]
fn many_profiles_read_the_config_file_once_and_share_one_ledger_connection() {
    let fleet = Fleet::start(20, 5);
    fleet.write_profiles_inline();
    fleet.publish(1);
    let state = tempfile::tempdir().unwrap();
    let opens = Opens::watch(&fleet.config);
    let mut child = fleet
        .std_cmd()
        .args(["tail", "--all-profiles", "--format", "json", "--state-dir"])
        .arg(state.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = Vec::new();
    for _ in 0..20 {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert!(
            !line.is_empty(),
            "tail ended early: {}",
            read_rest(child.stderr.take())
        );
        printed.extend_from_slice(line.as_bytes());
    }
    // Every instance printed its notification: all were built and follow their queues.
    let ledgers = descriptors_on(child.id(), "ledger.sqlite3");
    assert_eq!(signal_and_wait(&mut child, libc::SIGTERM), Some(130));
    assert_eq!(by_instance(&printed).len(), 20);
    // Once to list the profiles, once for their tokens.
    let opens = opens.count();
    assert!(
        opens <= 2,
        "the config file was opened {opens} times for 20 profiles"
    );
    assert_eq!(ledgers, 1, "connections to the ledger for 20 instances");
}

/// A tail of many profiles under systemd's default soft limit of open files (1,024, here
/// 64 for 40 profiles): it raises the limit to the hard one, as each instance holds a lock
/// file and a connection or two, instead of stopping on 'too many open files'.
#[test]
fn many_profiles_outgrow_a_low_soft_limit_of_open_files() {
    use std::os::unix::process::CommandExt;
    let fleet = Fleet::start(40, 5);
    fleet.write_profiles_inline();
    fleet.publish(1);
    let state = tempfile::tempdir().unwrap();
    let mut cmd = fleet.std_cmd();
    cmd.args([
        "tail",
        "--all-profiles",
        "-n",
        "40",
        "--format",
        "json",
        "--state-dir",
    ])
    .arg(state.path());
    // SAFETY: getrlimit(2) and setrlimit(2) only, in the child before exec.
    unsafe {
        cmd.pre_exec(|| {
            let mut limit: libc::rlimit = std::mem::zeroed();
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            limit.rlim_cur = 64;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let printed = std::thread::spawn(move || read_rest(stdout));
    let said = std::thread::spawn(move || read_rest(stderr));
    // Bounded by the guard: an instance short of descriptors retries without end.
    let deadline = std::time::Instant::now() + GUARD;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let (printed, said) = (printed.join().unwrap(), said.join().unwrap());
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{said}");
    assert_eq!(by_instance(printed.as_bytes()).len(), 40, "{said}");
}
