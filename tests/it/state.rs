//! tail's state directory: one consumer per queue (the lock), the ledger that keeps a
//! crash from handing a notification on twice and `--dedupe` keys across runs, the signs
//! of another consumer elsewhere, an unusable directory refused before anything is
//! received, and `--exec` children in a process group of their own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::support::*;

/// `--exec -- sh -c SCRIPT` with `$D` the test's directory.
fn exec(dir: &Path, script: &str) -> Vec<String> {
    vec![
        "--exec".into(),
        "--".into(),
        "sh".into(),
        "-c".into(),
        format!("D='{}'; {script}", dir.display()),
    ]
}

/// A handler whose one act is appending the notification's idMessage (its seq in hex,
/// see `numbered`) to `$D/log`, with a shell builtin: the effect is its very last step.
const APPEND_SEQ: &str = r#"printf '%s\n' "$GREENQ_ID_MESSAGE" >> "$D/log""#;

/// `tail --state-dir STATE --exec SCRIPT` against `url`, in the background, quiet.
fn exec_tail(url: &str, state: &Path, dir: &Path, script: &str) -> std::process::Child {
    std_greenq(url)
        .arg("tail")
        .arg("--state-dir")
        .arg(state)
        .args(exec(dir, script))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Publishes `numbered` notifications `from..=to`.
fn publish_numbered(emu: &Emulator, from: usize, to: usize) {
    let bodies: Vec<String> = (from..=to)
        .map(|i| numbered("incomingMessageReceived", i))
        .collect();
    emu.publish_all(&bodies);
}

/// The seqs in the log, in order.
fn seqs(log: &Path) -> Vec<u64> {
    file_lines(log)
        .iter()
        .map(|l| u64::from_str_radix(l.trim(), 16).unwrap_or_else(|_| panic!("{l:?}")))
        .collect()
}

/// How often each seq is in the log.
fn handled(log: &Path) -> BTreeMap<u64, usize> {
    let mut times = BTreeMap::new();
    for seq in seqs(log) {
        *times.entry(seq).or_default() += 1;
    }
    times
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_second_tail_on_the_same_queue_is_refused_naming_the_first_and_nothing_is_handled_twice() {
    let emu = Emulator::start(1);
    let other = Emulator::start(0);
    publish_numbered(&emu, 1, 3);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("state-home");
    // The first holds the queue through the default directory ($XDG_STATE_HOME/greenq).
    let mut first = std_greenq(&emu.url())
        .env("XDG_STATE_HOME", &home)
        .arg("tail")
        .args(exec(dir.path(), APPEND_SEQ))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = dir.path().join("log");
    wait_until(GUARD, "the first tail to handle three", || {
        file_lines(&log).len() == 3
    });
    let second = emu
        .cmd()
        .env("XDG_STATE_HOME", &home)
        .args(["tail", "-e"])
        .args(exec(dir.path(), APPEND_SEQ))
        .timeout(GUARD)
        .output()
        .unwrap();
    assert_exit(&second, 1);
    let err = text(&second.stderr);
    assert!(
        err.contains("another greenq tail is consuming instance")
            && err.contains(&format!("pid {}", first.id()))
            && err.contains("--exec")
            && err.contains("started "),
        "{err}"
    );
    assert!(
        home.join("greenq").is_dir(),
        "the default directory was made"
    );
    // Another port is another queue: not refused.
    let elsewhere = other
        .cmd()
        .env("XDG_STATE_HOME", &home)
        .args(["tail", "-e"])
        .timeout(GUARD)
        .output()
        .unwrap();
    assert_exit(&elsewhere, 0);
    publish_numbered(&emu, 4, 8);
    wait_until(GUARD, "the first tail to handle five more", || {
        file_lines(&log).len() == 8
    });
    assert_eq!(signal_and_wait(&mut first, libc::SIGTERM), Some(130));
    assert_eq!(seqs(&log), [1, 2, 3, 4, 5, 6, 7, 8], "each once, in order");
}

#[test]
fn another_consumer_with_a_state_directory_of_its_own_is_said_once_and_counted() {
    let emu = Emulator::start(0);
    publish_numbered(&emu, 1, 1);
    let dir = tempfile::tempdir().unwrap();
    // Each handler waits until both consumers hold the same receipt: both then delete it,
    // and one of the deletes is answered "not found".
    let barrier = r#"touch "$D/$GREENQ_RECEIPT_ID.$$"; until [ "$(ls "$D" | grep -c "^$GREENQ_RECEIPT_ID\.")" -ge 2 ]; do sleep 0.01; done"#;
    let spawn = || {
        std_greenq(&emu.url())
            .args(["tail", "-e"])
            .args(exec(dir.path(), barrier))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    let (status_a, status_b) = (
        wait_with_limit(&mut a, GUARD),
        wait_with_limit(&mut b, GUARD),
    );
    let (err_a, err_b) = (read_rest(a.stderr.take()), read_rest(b.stderr.take()));
    assert!(status_a.success() && status_b.success(), "{err_a}\n{err_b}");
    let line = format!(
        "another consumer seems to be reading instance {INSTANCE}: each notification reaches only one of you; run one consumer per instance"
    );
    let saying: Vec<&String> = [&err_a, &err_b]
        .into_iter()
        .filter(|e| e.contains(&line))
        .collect();
    assert_eq!(saying.len(), 1, "{err_a}\n---\n{err_b}");
    assert_eq!(saying[0].matches(&line).count(), 1, "said once");
    assert!(
        saying[0].contains(", 1 signs of another consumer,"),
        "{}",
        saying[0]
    );
    assert!(emu.drain().is_empty());
}

#[test]
fn a_crash_between_the_ledger_and_the_delete_does_not_hand_it_on_again() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let body = numbered("incomingMessageReceived", 7);
    let fresh = numbered("incomingMessageReceived", 8);
    // The first run handles receipt 1; its delete never gets an answer, and greenq is
    // killed (-9) while it waits: the ledger has it, the queue still does too. The next
    // run is shown it again, then a new notification under the same receipt id (a
    // restarted service that reuses ids).
    let server = Scripted::start(
        vec![
            envelope(1, &body),
            hang(),
            envelope(1, &body),
            reply(200, r#"{"result":true}"#),
            envelope(1, &fresh),
            reply(200, r#"{"result":true}"#),
        ],
        reply(200, "null"),
    );
    let mut child = exec_tail(&server.url(), &state, dir.path(), APPEND_SEQ);
    server.wait_for_requests(2, GUARD);
    assert_eq!(server.seen()[1].method, "DELETE");
    assert_eq!(signal_and_wait(&mut child, libc::SIGKILL), None);
    // Shown again first: deleted without handing it on, counted a repeat. The new one
    // under the same receipt id is handed on.
    let out = server
        .cmd()
        .args(["tail", "-e", "--state-dir"])
        .arg(&state)
        .args(exec(dir.path(), APPEND_SEQ))
        .timeout(GUARD)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "receipt 1: handled before (the ledger says so); deleted without handing it on"
        ),
        "{err}"
    );
    assert!(
        err.contains("1 handled") && err.contains("1 repeats"),
        "{err}"
    );
    assert_eq!(seqs(&dir.path().join("log")), [7, 8]);
    // The ledger tells what happened, and that every delete was answered in the end.
    let db = rusqlite::Connection::open(state.join("ledger.sqlite3")).unwrap();
    let rows: Vec<(String, bool)> = db
        .prepare("SELECT outcome, deleted_at IS NOT NULL FROM handled ORDER BY rowid")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let rows: Vec<(&str, bool)> = rows.iter().map(|(o, d)| (o.as_str(), *d)).collect();
    assert_eq!(
        rows,
        [
            ("handled", false),
            ("handled-before", true),
            ("handled", true)
        ]
    );
}

/// Ten fixtures drained by `tail -e ARGS` with one state directory, then the emulator
/// restarted on the same port (receipt ids from 1 again, the same bodies) and the same
/// ten drained again: each run deletes all ten, none "handled before", and the ledger
/// marks every delete. Returns each run's output.
fn drained_in_two_lives_of_the_queue(state: &Path, args: &[String]) -> Vec<std::process::Output> {
    let mut emu = Emulator::numbered(0);
    let mut outs = Vec::new();
    for life in 0..2 {
        if life == 1 {
            emu.restart();
        }
        publish_numbered(&emu, 1, 10);
        let out = emu
            .cmd()
            .args(["tail", "-e", "--state-dir"])
            .arg(state)
            .args(args)
            .timeout(GUARD)
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let err = text(&out.stderr);
        assert!(
            err.contains(", 10 deleted") && !err.contains("handled before"),
            "life {life}: {err}"
        );
        assert!(emu.drain().is_empty(), "life {life}: the queue is empty");
        outs.push(out);
    }
    assert_eq!(undeleted_rows(state), (20, 0), "every delete is marked");
    outs
}

/// The ledger's rows, and how many of them have no delete marked.
fn undeleted_rows(state: &Path) -> (i64, i64) {
    ledger_rows(state).expect("the ledger's rows")
}

/// `undeleted_rows`, or `None` while there is no ledger with its table yet.
fn ledger_rows(state: &Path) -> Option<(i64, i64)> {
    let path = state.join("ledger.sqlite3");
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let db = rusqlite::Connection::open_with_flags(path, flags).ok()?;
    db.query_row(
        "SELECT count(*), count(*) - count(deleted_at) FROM handled",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ok()
}

#[test]
fn a_restarted_emulator_reusing_receipt_ids_gets_every_fixture_handed_on_by_exec() {
    for pipelining in [&[][..], &["--no-pipeline"][..]] {
        let dir = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = pipelining.iter().map(|a| a.to_string()).collect();
        args.extend(exec(dir.path(), APPEND_SEQ));
        drained_in_two_lives_of_the_queue(&dir.path().join("state"), &args);
        let ten: Vec<u64> = (1..=10).collect();
        assert_eq!(
            seqs(&dir.path().join("log")),
            [ten.clone(), ten].concat(),
            "{pipelining:?}"
        );
    }
}

#[test]
fn a_restarted_emulator_reusing_receipt_ids_gets_every_fixture_printed() {
    let dir = tempfile::tempdir().unwrap();
    let outs = drained_in_two_lives_of_the_queue(
        &dir.path().join("state"),
        &["--format".into(), "json".into()],
    );
    for out in outs {
        let printed: Vec<u64> = lines(&out.stdout)
            .iter()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(printed, (1..=10).collect::<Vec<_>>());
    }
}

#[test]
fn a_restarted_emulator_reusing_receipt_ids_gets_every_fixture_forwarded() {
    let hook = Scripted::start(Vec::new(), reply(200, "ok"));
    let dir = tempfile::tempdir().unwrap();
    drained_in_two_lives_of_the_queue(
        &dir.path().join("state"),
        &["--forward-to".into(), format!("{}/hook", hook.url())],
    );
    let posted: Vec<u64> = hook
        .seen()
        .iter()
        .map(|s| {
            serde_json::from_slice::<serde_json::Value>(&s.body).unwrap()["seq"]
                .as_u64()
                .unwrap()
        })
        .collect();
    let ten: Vec<u64> = (1..=10).collect();
    assert_eq!(posted, [ten.clone(), ten].concat());
}

#[test]
fn a_restarted_emulator_reusing_receipt_ids_gets_every_fixture_of_many_instances_handed_on() {
    let mut fleet = Fleet::numbered(2, 0);
    fleet.write_profiles(None);
    let state = fleet.dir.path().join("state");
    for life in 0..2 {
        if life == 1 {
            fleet.emulator.restart();
        }
        fleet.publish(10);
        let out = fleet
            .cmd()
            .args([
                "tail",
                "--all-profiles",
                "-e",
                "--format",
                "json",
                "--state-dir",
            ])
            .arg(&state)
            .timeout(GUARD)
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let got = by_instance(&out.stdout);
        for i in 0..2 {
            assert_eq!(
                got[&fleet_id(i)],
                (0..10).collect::<Vec<_>>(),
                "life {life}, p{i}"
            );
            assert!(fleet.is_empty(i));
        }
    }
    assert_eq!(undeleted_rows(&state), (40, 0));
}

/// A running `--exec` tail with a state directory (`dir`/state, its log `dir`/log) that has
/// handled three fixtures of an emulator counting from 1 and seen each delete confirmed.
/// Confirmed, not only handled: a delete still in flight when a test restarts the
/// emulator would be retried into the new queue and take its notification 3 there.
fn three_handled_and_deleted() -> (tempfile::TempDir, PathBuf, Emulator, std::process::Child) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let emu = Emulator::numbered(1);
    publish_numbered(&emu, 1, 3);
    let child = exec_tail(&emu.url(), &state, dir.path(), APPEND_SEQ);
    wait_until(GUARD, "three handled and deleted", || {
        ledger_rows(&state) == Some((3, 0))
    });
    (dir, state, emu, child)
}

#[test]
fn a_service_restarted_under_a_running_tail_with_the_same_ids_gets_its_fixtures_handed_on() {
    let (dir, state, mut emu, mut child) = three_handled_and_deleted();
    let log = dir.path().join("log");
    assert_eq!(file_lines(&log).len(), 3);
    // Same port, receipts from 1 again, the same bodies: a new queue, not repeats.
    emu.restart();
    publish_numbered(&emu, 1, 3);
    wait_until(GUARD, "the second three handled and deleted", || {
        ledger_rows(&state) == Some((6, 0))
    });
    assert_eq!(file_lines(&log).len(), 6);
    assert_eq!(signal_and_wait(&mut child, libc::SIGTERM), Some(130));
    assert_eq!(seqs(&log), [1, 2, 3, 1, 2, 3]);
    assert!(emu.drain().is_empty());
}

#[test]
fn a_tail_killed_while_the_queue_is_idle_has_marked_its_last_delete() {
    // The first empty answer marks the last delete: killed after it, nothing is left.
    let (dir, state, mut emu, mut child) = three_handled_and_deleted();
    assert_eq!(signal_and_wait(&mut child, libc::SIGKILL), None);
    emu.restart();
    publish_numbered(&emu, 1, 3);
    let out = emu
        .cmd()
        .args(["tail", "-n", "3", "--state-dir"])
        .arg(&state)
        .args(exec(dir.path(), APPEND_SEQ))
        .timeout(GUARD)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(seqs(&dir.path().join("log")), [1, 2, 3, 1, 2, 3]);
}

#[test]
fn lock_files_go_when_their_tail_ends_and_those_nobody_holds_at_the_next_start() {
    let (emu, held, killed) = (Emulator::start(0), Emulator::start(1), Emulator::start(1));
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let lock_of =
        |emu: &Emulator| format!("tail-http_127.0.0.1_{}-{INSTANCE}.lock", emu.addr.port());
    let spawn = |emu: &Emulator| {
        let child = std_greenq(&emu.url())
            .args(["tail", "--state-dir"])
            .arg(&state)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let file = state.join(lock_of(emu));
        // The holder's pid is written once the lock is taken.
        wait_until(GUARD, "the lock taken", || {
            std::fs::read_to_string(&file).is_ok_and(|t| t.contains("command "))
        });
        child
    };
    let mut holder = spawn(&held);
    let mut victim = spawn(&killed);
    assert_eq!(signal_and_wait(&mut victim, libc::SIGKILL), None);
    std::fs::write(state.join("tail-http_127.0.0.1_9-1.lock"), "pid 1\n").unwrap();
    assert_eq!(lock_files(&state).len(), 3, "{:?}", lock_files(&state));
    let out = emu
        .cmd()
        .args(["tail", "-e", "--state-dir"])
        .arg(&state)
        .timeout(GUARD)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        lock_files(&state),
        [lock_of(&held)],
        "the killed tail's and the old one went, as did this run's own; the held one stays"
    );
    assert_eq!(signal_and_wait(&mut holder, libc::SIGTERM), Some(130));
    assert!(lock_files(&state).is_empty());
}

#[test]
fn dedupe_keys_survive_a_restart_in_the_ledger() {
    let emu = Emulator::start(0);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let run = || {
        emu.cmd()
            .args(["tail", "-e", "--dedupe", "--state-dir"])
            .arg(&state)
            .args(exec(dir.path(), APPEND_SEQ))
            .timeout(GUARD)
            .output()
            .unwrap()
    };
    publish_numbered(&emu, 1, 2);
    let out = run();
    assert_exit(&out, 0);
    // The same two again (same idMessage: the service delivered them twice), and a third.
    publish_numbered(&emu, 1, 3);
    let out = run();
    assert_exit(&out, 0);
    let err = text(&out.stderr);
    assert!(
        err.contains("1 handled") && err.contains("2 duplicates"),
        "{err}"
    );
    assert_eq!(seqs(&dir.path().join("log")), [1, 2, 3]);
    assert!(emu.drain().is_empty());
    // What is in it can be read with sqlite3's SQL.
    let db = rusqlite::Connection::open(state.join("ledger.sqlite3")).unwrap();
    let rows: i64 = db
        .query_row(
            "SELECT count(*) FROM handled WHERE outcome = 'handled'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 3);
}

#[test]
fn an_unusable_or_damaged_state_directory_stops_tail_before_anything_is_received() {
    let server = Scripted::start(vec![], envelope(1, &numbered("x", 1)));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let damaged = dir.path().join("damaged");
    std::fs::create_dir(&damaged).unwrap();
    std::fs::write(damaged.join("ledger.sqlite3"), vec![b'x'; 4096]).unwrap();
    let cases = [
        (file.join("state"), "cannot be used", 2),
        (damaged.clone(), "is damaged", 2),
    ];
    for (path, what, code) in cases {
        let out = server
            .cmd()
            .args(["tail", "--state-dir"])
            .arg(&path)
            .args(exec(dir.path(), "cat > /dev/null"))
            .timeout(GUARD)
            .output()
            .unwrap();
        assert_exit(&out, code);
        let err = text(&out.stderr);
        assert!(
            err.contains(what) && err.contains(&path.display().to_string()),
            "{err}"
        );
        assert!(err.contains("--no-state"), "names a way out: {err}");
    }
    assert!(server.seen().is_empty(), "nothing was received");
    // --no-state goes without it, and says so once.
    let empty = Scripted::start(vec![], reply(200, "null"));
    let out = empty
        .cmd()
        .args(["tail", "-e", "--no-state"])
        .timeout(GUARD)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(text(&out.stderr).matches("--no-state: no lock").count(), 1);
}

#[test]
fn a_shell_handlers_children_are_all_gone_after_its_timeout() {
    let emu = Emulator::start(0);
    publish_numbered(&emu, 1, 1);
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let out = emu
        .cmd()
        .args([
            "tail",
            "-e",
            "--handler-timeout",
            "1",
            "--max-attempts",
            "1",
            "--dead-letter",
        ])
        .arg(&dead)
        // Two grandchildren; one ignores SIGTERM, so the group's SIGKILL is needed too.
        .args(exec(
            dir.path(),
            r#"sleep 60 & echo $! >> "$D/pids"; D="$D" sh -c 'trap "" TERM; echo $$ >> "$D/pids"; exec sleep 60' & wait"#,
        ))
        .timeout(GUARD)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let dead = std::fs::read_to_string(&dead).unwrap();
    assert!(
        dead.contains("killed with SIGKILL 5 s after SIGTERM"),
        "{dead}"
    );
    let pids = file_lines(&dir.path().join("pids"));
    assert_eq!(pids.len(), 2);
    for pid in pids {
        // Gone, or a zombie waiting for its new parent to reap it.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next());
        assert!(matches!(state, None | Some("Z")), "{pid} lives on: {stat}");
    }
}

/// kill -9 in a loop, restarted each time, at the three moments a kill can hit a
/// consumer mode: while the command runs; after the command's last act, before it has
/// exited (before greenq could know it succeeded); and after one notification was done,
/// while the next command runs. The commands left running finish after the kill: the
/// keeper waits for them and records them, and the restarted tail waits for the keeper.
/// Each kill waits for its event. Nothing lost, nothing handed on twice.
#[test]
fn kill_9_in_a_loop_loses_nothing_and_hands_nothing_on_twice() {
    const KILLS: usize = 40;
    const QUEUED: u64 = KILLS as u64 * 2 + 5;
    let emu = Emulator::numbered(0);
    publish_numbered(&emu, 1, QUEUED as usize);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let log = dir.path().join("log");
    // Marks its start, waits for the test's go, does its one act, marks that, and waits
    // for the test's word to exit.
    let gate = |name: &str| {
        format!(r#"while [ ! -e "$D/{name}.$GREENQ_RECEIPT_ID" ]; do sleep 0.005; done"#)
    };
    let gated = format!(
        r#"touch "$D/started.$GREENQ_RECEIPT_ID"; {}; {APPEND_SEQ}; touch "$D/acted.$GREENQ_RECEIPT_ID"; {}"#,
        gate("go"),
        gate("exit")
    );
    let mark = |name: &str, receipt: u64| dir.path().join(format!("{name}.{receipt}"));
    let release = |receipt: u64| {
        for name in ["go", "exit"] {
            std::fs::write(mark(name, receipt), "").unwrap();
        }
    };
    let mut rng = fastrand::Rng::with_seed(18);
    let mut receipt = 1;
    for _ in 0..KILLS {
        let mut child = exec_tail(&emu.url(), &state, dir.path(), &gated);
        wait_until(GUARD, "the command to start", || {
            mark("started", receipt).exists()
        });
        match rng.u8(0..3) {
            // While it runs.
            0 => {}
            // After its act, before its exit.
            1 => {
                std::fs::write(mark("go", receipt), "").unwrap();
                wait_until(GUARD, "the command's act", || {
                    mark("acted", receipt).exists()
                });
            }
            // Done, and the next one runs.
            _ => {
                release(receipt);
                receipt += 1;
                wait_until(GUARD, "the next command to start", || {
                    mark("started", receipt).exists()
                });
            }
        }
        assert_eq!(signal_and_wait(&mut child, libc::SIGKILL), None);
        release(receipt);
        receipt += 1;
    }
    for r in receipt..=QUEUED {
        release(r);
    }
    let out = emu
        .cmd()
        .args(["tail", "-e", "--state-dir"])
        .arg(&state)
        .args(exec(dir.path(), &gated))
        .timeout(GUARD)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let times = handled(&log);
    let lost: Vec<u64> = (1..=QUEUED).filter(|s| !times.contains_key(s)).collect();
    let twice: Vec<u64> = times
        .iter()
        .filter(|&(_, &n)| n > 1)
        .map(|(&s, _)| s)
        .collect();
    assert!(lost.is_empty(), "lost: {lost:?}");
    assert!(twice.is_empty(), "handled twice: {twice:?}");
    assert!(emu.drain().is_empty());
}

/// One notification queued, and `tail --exec` (with a state directory, or `--no-state`)
/// whose command notes "started", then each SIGINT ("INT", ignored) and SIGTERM ("TERM",
/// then exit 1) in `$D/events`, and otherwise runs on; started once the command has.
struct Lasting {
    emu: Emulator,
    dir: tempfile::TempDir,
    state: std::path::PathBuf,
    child: std::process::Child,
}

impl Lasting {
    fn start(with_state: bool) -> Lasting {
        let emu = Emulator::start(0);
        publish_numbered(&emu, 1, 1);
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let mut cmd = std_greenq(&emu.url());
        cmd.arg("tail");
        if with_state {
            cmd.arg("--state-dir").arg(&state);
        } else {
            cmd.arg("--no-state");
        }
        let child = cmd
            .args(exec(
                dir.path(),
                r#"trap 'echo INT >> "$D/events"' INT; trap 'echo TERM >> "$D/events"; exit 1' TERM; echo started >> "$D/events"; while :; do sleep 0.01; done"#,
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lasting = Lasting {
            emu,
            dir,
            state,
            child,
        };
        wait_until(GUARD, "the command to start", || {
            lasting.events().first().is_some_and(|e| e == "started")
        });
        lasting
    }

    fn events(&self) -> Vec<String> {
        file_lines(&self.dir.path().join("events"))
    }

    /// Waits for the command to be sent `event`.
    fn wait_for(&self, event: &str) {
        wait_until(GUARD, event, || self.events().iter().any(|e| e == event));
    }
}

/// Without a state directory, nothing records what the command did after greenq was
/// killed: the command is stopped with greenq (SIGTERM), not left running on its own.
#[test]
fn without_state_a_command_is_stopped_with_a_killed_greenq() {
    let mut t = Lasting::start(false);
    assert_eq!(signal_and_wait(&mut t.child, libc::SIGKILL), None);
    t.wait_for("TERM");
    assert_eq!(t.emu.drain().len(), 1, "still queued");
}

/// A second Ctrl-C exits at once, and ends the command with it: the keeper must not go on
/// waiting for it (and record it) behind greenq's back. The notification stays queued.
#[test]
fn a_second_ctrl_c_ends_the_command_too() {
    let mut t = Lasting::start(true);
    send_signal(&t.child, libc::SIGINT);
    // Forwarded to the command, which ignores it.
    t.wait_for("INT");
    // Signals closer than 100 ms apart are one stop; a sleep only ever lasts longer.
    std::thread::sleep(std::time::Duration::from_millis(150));
    send_signal(&t.child, libc::SIGINT);
    let status = wait_with_limit(&mut t.child, GUARD);
    let err = read_rest(t.child.stderr.take());
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted again, exiting at once"), "{err}");
    t.wait_for("TERM");
    assert_eq!(t.emu.drain().len(), 1, "still queued");
}

/// After greenq was killed, its keeper waits for the command; a SIGTERM to the keeper
/// (an operator's `kill`) is passed on to the command instead of being ignored.
#[test]
fn a_keeper_left_alone_passes_a_stop_signal_on_to_its_command() {
    let mut t = Lasting::start(true);
    assert_eq!(signal_and_wait(&mut t.child, libc::SIGKILL), None);
    let (dir, state, emu) = (t.dir.path(), &t.state, &t.emu);
    // The lock file names the keeper.
    let lock = std::fs::read_dir(state)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".lock"))
        .unwrap();
    let text = std::fs::read_to_string(lock.path()).unwrap();
    let keeper: i32 = text
        .lines()
        .find_map(|l| l.strip_prefix("keeper "))
        .and_then(|k| k.split(' ').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no keeper line: {text}"));
    // SAFETY: kill(2) on the keeper this test's greenq started.
    assert_eq!(unsafe { libc::kill(keeper, libc::SIGTERM) }, 0);
    t.wait_for("TERM");
    // Failed, so not recorded: the next tail hands it on.
    let out = emu
        .cmd()
        .args(["tail", "-e", "--state-dir"])
        .arg(state)
        .args(exec(dir, APPEND_SEQ))
        .timeout(GUARD)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(seqs(&dir.join("log")), [1]);
}
