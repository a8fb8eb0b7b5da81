//! `greenq tail`: follow a queue, print, acknowledge, lose nothing.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::*;

fn seqs_of_lines(lines: &[String]) -> Vec<u64> {
    lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{e}: {l}"))["seq"].as_u64().unwrap())
        .collect()
}

fn seqs_of_bodies(bodies: &[serde_json::Value]) -> Vec<u64> {
    bodies.iter().map(|b| b["seq"].as_u64().unwrap()).collect()
}

fn published(emu: &Emulator, kind: &str, n: usize) -> Vec<u64> {
    let bodies: Vec<String> = (1..=n).map(|i| numbered(kind, i)).collect();
    emu.publish_all(&bodies);
    (1..=n as u64).collect()
}

#[test]
fn drains_in_fifo_order_as_ndjson_in_a_pipe_and_leaves_the_queue_empty() {
    let emu = Emulator::start(0);
    let expected = published(&emu, "incomingMessageReceived", 50);
    let out = emu.cmd().args(["tail", "-e"]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(seqs_of_lines(&lines(&out.stdout)), expected);
    assert!(emu.drain().is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("50 printed, 0 skipped, 50 deleted, 0 retries"),
        "{err}"
    );
}

#[test]
fn count_stops_after_n_and_leaves_the_rest() {
    let emu = Emulator::start(0);
    published(&emu, "incomingMessageReceived", 10);
    let out = emu.cmd().args(["tail", "-n", "3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(seqs_of_lines(&lines(&out.stdout)), [1, 2, 3]);
    assert_eq!(seqs_of_bodies(&emu.drain()), (4..=10).collect::<Vec<_>>());
}

#[test]
fn count_waits_for_notifications_that_have_not_come_yet() {
    let emu = Emulator::start(20);
    let relay = FaultProxy::relay(emu.addr);
    let mut child = std_greenq(&relay.url())
        .args(["tail", "-n", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    relay.wait_for_requests(1, GUARD);
    published(&emu, "incomingMessageReceived", 2);
    let status = wait_with_limit(&mut child, GUARD);
    assert!(status.success());
    let out = read_rest(child.stdout.take());
    assert_eq!(out.lines().count(), 2);
}

#[test]
fn a_server_that_answers_empty_at_once_is_not_hammered() {
    let server = Scripted::start(vec![], reply(200, "null"));
    let mut child = std_greenq(&server.url())
        .arg("tail")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    server.wait_for_requests(4, GUARD);
    assert_eq!(signal_and_wait(&mut child, libc::SIGINT), Some(130));
    // Not a spin: each quick empty answer is followed by a longer pause, checked from the
    // gaps the server saw against the back-off's lower bounds (load only stretches them).
    assert_growing_pauses(&server.seen()[..4]);
}

#[test]
fn type_filter_prints_only_those_and_deletes_and_counts_the_others() {
    let emu = Emulator::start(0);
    let kinds = [
        "outgoingMessageReceived",
        "outgoingMessageStatus",
        "outgoingMessageReceived",
        "stateInstanceChanged",
        "incomingCall",
    ];
    let bodies: Vec<String> = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| numbered(k, i + 1))
        .collect();
    emu.publish_all(&bodies);
    let out = emu
        .cmd()
        .args([
            "tail",
            "-e",
            "--type",
            "outgoingMessageReceived",
            "--type",
            "incomingCall",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(seqs_of_lines(&lines(&out.stdout)), [1, 3, 5]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 printed, 2 skipped, 5 deleted"));
    assert!(emu.drain().is_empty());
}

#[test]
fn json_output_is_what_publish_accepts_so_a_queue_can_be_moved() {
    let from = Emulator::start(0);
    let mut bodies: Vec<String> = (1..=5)
        .map(|i| numbered("incomingMessageReceived", i))
        .collect();
    bodies.push(example("pretty\nmulti-line \u{1b} text"));
    from.publish_all(&bodies);
    let backup = from
        .cmd()
        .args(["tail", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(backup.status.code(), Some(0));
    let to = Emulator::start(0);
    let out = to
        .cmd()
        .arg("publish")
        .write_stdin(backup.stdout.clone())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let again = to
        .cmd()
        .args(["tail", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(again.stdout, backup.stdout, "the same bytes after the move");
    assert_eq!(
        lines(&backup.stdout)[5],
        bodies[5],
        "byte for byte as published"
    );
}

#[test]
fn text_format_gives_one_safe_line_per_notification() {
    let emu = Emulator::start(0);
    emu.publish_all(&[
        example("first line\nsecond line \u{1b}[31mred\u{1b}[0m \u{7}"),
        numbered("brandNewWebhookType", 2),
    ]);
    let out = emu
        .cmd()
        .args(["tail", "-e", "--format", "text"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(
        lines[0].ends_with("outgoingMessageReceived 79001234568@c.us (Green API): first line\\nsecond line \\u{1b}[31mred\\u{1b}[0m \\u{7}"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("brandNewWebhookType {\"typeWebhook\":\"brandNewWebhookType\""),
        "{}",
        lines[1]
    );
}

#[test]
fn pretty_format_has_a_header_and_an_indented_body() {
    let emu = Emulator::numbered(0);
    emu.publish_all(&[example("hello there"), numbered("stateInstanceChanged", 2)]);
    let out = emu
        .cmd()
        .env("GREENQ_TEST_TERMINAL", "1")
        .args(["--color", "never", "tail", "-e"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("── 1 · outgoingMessageReceived · 2020-04-28 "),
        "{text}"
    );
    assert!(text.contains("\n79001234568@c.us (Green API): hello there\n{\n  \"typeWebhook\": \"outgoingMessageReceived\",\n"), "{text}");
    assert!(text.contains("── 2 · stateInstanceChanged · "), "{text}");
    assert!(!text.contains('\u{1b}'), "--color never: {text:?}");
    emu.publish_all(&[example("hello in colour")]);
    let coloured = emu
        .cmd()
        .env("GREENQ_TEST_TERMINAL", "1")
        .args(["tail", "-e"])
        .output()
        .unwrap();
    assert_exit(&coloured, 0);
    let text = String::from_utf8(coloured.stdout).unwrap();
    assert!(text.contains("hello in colour"), "{text:?}");
    assert!(text.contains("\u{1b}["), "coloured on a terminal: {text:?}");
    emu.publish_all(&[example("hello without colour")]);
    let plain = emu
        .cmd()
        .env("GREENQ_TEST_TERMINAL", "1")
        .env("NO_COLOR", "1")
        .args(["tail", "-e"])
        .output()
        .unwrap();
    assert_exit(&plain, 0);
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.contains("hello without colour"), "{text:?}");
    assert!(!text.contains('\u{1b}'), "NO_COLOR: {text:?}");
}

#[test]
fn odd_bodies_are_printed_raw_never_skipped_never_fatal() {
    for format in ["json", "text", "pretty"] {
        let server = Scripted::start(
            vec![
                envelope(1, r#"{"typeWebhook":42,"timestamp":"yesterday"}"#),
                reply(200, r#"{"result":true}"#),
                envelope(2, r#"{"typeWebhook":"x","messageData":[1,"two",null]}"#),
                reply(200, r#"{"result":true}"#),
            ],
            reply(200, "null"),
        );
        let out = server
            .cmd()
            .args(["tail", "-e", "--format", format])
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("yesterday") && text.contains("two"),
            "{format}: {text}"
        );
        if format == "json" {
            assert_eq!(
                lines(&out.stdout),
                [
                    r#"{"typeWebhook":42,"timestamp":"yesterday"}"#,
                    r#"{"typeWebhook":"x","messageData":[1,"two",null]}"#
                ]
            );
        }
    }
}

/// The body of an envelope is documented as an object: an array or a string there is a
/// malformed answer (retried, then reported), never printed, never deleted.
#[test]
fn a_body_that_is_not_an_object_is_no_notification() {
    let steps = vec![
        envelope(1, "[1,2]"),
        envelope(1, r#""just a string""#),
        envelope(1, "7"),
        envelope(1, "null"),
    ];
    let server = Scripted::start(steps, reply(200, "null"));
    let out = server
        .cmd()
        .args(["tail", "-e", "--no-pipeline"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("body must be an object, found an array"),
        "{err}"
    );
    assert!(err.contains("body must be an object, found null"), "{err}");
    assert!(server.seen().iter().all(|s| s.method == "GET"));
}

#[test]
fn a_redelivered_receipt_is_deleted_not_printed_twice() {
    let a = example("A");
    let server = Scripted::start(
        vec![
            envelope(5, &a),
            reply(200, r#"{"result":false}"#),
            envelope(5, &a),
            reply(200, r#"{"result":true}"#),
            envelope(6, &numbered("x", 6)),
            reply(200, r#"{"result":true}"#),
        ],
        reply(200, "null"),
    );
    let out = server.cmd().args(["tail", "-e"]).output().unwrap();
    assert_exit(&out, 0);
    let printed = lines(&out.stdout);
    assert_eq!(printed.len(), 2, "{printed:?}");
    assert_eq!(printed[0], a);
    let deletes: Vec<String> = server
        .seen()
        .iter()
        .filter(|s| s.method == "DELETE")
        .map(|s| s.path.clone())
        .collect();
    assert_eq!(deletes.len(), 3);
    assert!(
        deletes[1].ends_with("/5"),
        "the redelivery was acknowledged"
    );
}

#[test]
fn a_receipt_id_seen_before_with_a_new_body_is_a_new_notification() {
    // As after an emulator restart: receipt ids start again, the notifications are new.
    let server = Scripted::start(
        vec![
            envelope(1, &numbered("x", 1)),
            reply(200, r#"{"result":true}"#),
            envelope(1, &numbered("x", 2)),
            reply(200, r#"{"result":true}"#),
        ],
        reply(200, "null"),
    );
    let out = server.cmd().args(["tail", "-e"]).output().unwrap();
    assert_eq!(seqs_of_lines(&lines(&out.stdout)), [1, 2]);
}

#[test]
fn ctrl_c_while_a_delete_hangs_ends_within_the_grace_period() {
    // The delete hangs for an hour: an exit within the guard is the grace period's doing.
    let server = Scripted::start(vec![envelope(1, &numbered("x", 1)), hang()], hang());
    let mut child = std_greenq(&server.url())
        .arg("tail")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    server.wait_for_requests(2, GUARD);
    assert_eq!(server.seen()[1].method, "DELETE");
    let t = Instant::now();
    send_signal(&child, libc::SIGINT);
    assert_eq!(wait_with_limit(&mut child, GUARD).code(), Some(130));
    // A lower bound only: the delete in flight was given its grace period.
    let waited = t.elapsed();
    assert!(waited >= Duration::from_millis(1500), "{waited:?}");
}

#[test]
fn transient_faults_are_retried_without_limit_and_each_is_printed_once() {
    let fast = |status: u16| reply_with(status, &[("retry-after", "0")], "");
    let server = Scripted::start(
        vec![
            fast(502),
            reply_with(429, &[("retry-after", "1")], ""),
            Step::Drop,
            Step::CutShort {
                status: 200,
                body: r#"{"receiptId":1,"bo"#.into(),
            },
            fast(500),
            envelope(1, &numbered("x", 1)),
            reply(200, r#"{"result":true}"#),
            // After progress, the pauses start small again.
            fast(503),
            fast(499),
            envelope(2, &numbered("x", 2)),
            fast(503),
            reply(200, r#"{"result":true}"#),
        ],
        reply(200, "null"),
    );
    // The script answers requests in order, one at a time: a pipelined pair would take
    // two steps at once (pipeline.rs has the pairs' faults).
    let out = server
        .cmd()
        .args(["tail", "-e", "--no-pipeline"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(seqs_of_lines(&lines(&out.stdout)), [1, 2]);
    let err = String::from_utf8_lossy(&out.stderr);
    // A connection dropped between two requests is replaced quietly; every other fault
    // is a retry with its line, the first four more than the one-shot limit of 3.
    assert!(!err.contains("another consumer"), "{err}");
    let retries = err.matches("retrying in").count();
    assert!((7..=8).contains(&retries), "{err}");
    assert!(
        err.contains("retrying in 1.") && err.contains(": HTTP 429"),
        "{err}"
    );
    assert!(err.contains(&format!("{retries} retries")), "{err}");
    let seen = server.seen();
    let gap = seen[2].at - seen[1].at;
    assert!(
        gap >= Duration::from_secs(1),
        "Retry-After honoured: {gap:?}"
    );
    let quiet = Scripted::start(
        vec![
            fast(502),
            envelope(1, &numbered("x", 1)),
            reply(200, r#"{"result":true}"#),
        ],
        reply(200, "null"),
    );
    let out = quiet.cmd().args(["-q", "tail", "-e"]).output().unwrap();
    assert!(
        out.stderr.is_empty(),
        "--quiet: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn retries_through_a_faulty_proxy_print_everything_once_and_empty_the_queue() {
    // 12 notifications and a seed that injects every kind of fault, one of them twice in
    // a row: each fault costs a real back-off pause, so a few of each show the rule.
    let c = drain_through_faults(12, 4591, 0.3);
    assert!(
        c.status_502 > 0
            && c.status_429 > 0
            && c.status_503 > 0
            && c.dropped_before > 0
            && c.dropped_after > 0
            && c.cut_after > 0,
        "every kind of fault happened: {c:?}"
    );
}

/// Publishes `n`, drains them with `tail -e --no-pipeline` (the plain client's retries;
/// `pipeline.rs` drains through the same proxy pipelined) through a proxy injecting faults
/// at `rate` (seeded: the same faults each run), and checks that every notification was
/// printed once, in order, and acknowledged, with one retry per fault, and that a delete
/// sent again after a lost answer is not taken for another consumer.
fn drain_through_faults(n: usize, seed: u64, rate: f64) -> FaultCounts {
    let emu = Emulator::start(0);
    let expected = published(&emu, "incomingMessageReceived", n);
    let proxy = FaultProxy::start(emu.addr, seed, rate);
    let out = greenq_at(&proxy.url())
        .args(["tail", "-e", "--no-pipeline"])
        .timeout(Duration::from_secs(180))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let printed = seqs_of_lines(&lines(&out.stdout));
    assert_eq!(
        printed, expected,
        "nothing lost, nothing printed twice, order kept"
    );
    assert!(
        emu.drain().is_empty(),
        "every printed notification was acknowledged"
    );
    let c = proxy.counts();
    let err = String::from_utf8_lossy(&out.stderr);
    // A fault with an answer is always a retry; a connection dropped between two requests
    // may be replaced quietly instead.
    assert!(!err.contains("another consumer"), "{err}");
    let retries = err.matches("retrying in").count();
    let answered = c.status_502 + c.status_429 + c.status_503 + c.cut_after;
    assert!(
        (answered..=c.faults()).contains(&retries),
        "between one retry per answered fault and one per fault: {c:?}\n{err}"
    );
    assert!(err.contains(&format!("{retries} retries")), "{err}");
    c
}

#[test]
fn permanent_faults_stop_at_once_with_their_exit_code() {
    for (step, code) in [
        (reply(401, ""), 4),
        (reply(403, ""), 4),
        (
            reply(200, r#"{"code":401,"description":"Unauthorized"}"#),
            4,
        ),
        (reply(466, "quota"), 5),
    ] {
        let server = Scripted::start(vec![step.clone()], reply(200, "null"));
        let out = server.cmd().args(["tail"]).timeout(GUARD).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{step:?}");
        assert_eq!(server.seen().len(), 1);
        // Nothing came: the error alone, no summary of a run that never started.
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("printed") && err.contains("greenq: error:"),
            "{err}"
        );
    }
    // A delete refused for good stops too, after the print.
    let server = Scripted::start(
        vec![envelope(1, &numbered("x", 1)), reply(401, "")],
        reply(200, "null"),
    );
    let out = server.cmd().args(["tail"]).timeout(GUARD).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(lines(&out.stdout).len(), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("greenq: 1 printed"), "{err}");
}

#[test]
fn ctrl_c_during_a_long_poll_stops_at_once_with_130_and_a_summary() {
    // The server holds the poll for an hour: exiting within the guard means at once.
    let server = Scripted::start(vec![], hang());
    let mut child = std_greenq(&server.url())
        .arg("tail")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    server.wait_for_requests(1, GUARD);
    send_signal(&child, libc::SIGINT);
    let status = wait_with_limit(&mut child, GUARD);
    assert_eq!(status.code(), Some(130));
    let err = read_rest(child.stderr.take());
    assert!(
        err.contains("interrupted: 0 printed, 0 skipped, 0 deleted"),
        "{err}"
    );
}

#[test]
fn sigterm_stops_tail_like_ctrl_c() {
    let server = Scripted::start(vec![], hang());
    let mut child = std_greenq(&server.url())
        .arg("tail")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    server.wait_for_requests(1, GUARD);
    assert_eq!(signal_and_wait(&mut child, libc::SIGTERM), Some(130));
}

#[test]
fn ctrl_c_during_a_fast_drain_loses_nothing_and_repeats_nothing() {
    let emu = Emulator::start(0);
    let total = 3000;
    published(&emu, "incomingMessageReceived", total);
    let mut child = std_greenq(&emu.url())
        .args(["tail", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = Vec::new();
    let mut line = String::new();
    while printed.len() < 200 {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0);
        printed.push(line.trim_end().to_string());
    }
    send_signal(&child, libc::SIGINT);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    printed.extend(rest.lines().map(str::to_string));
    assert_eq!(wait_with_limit(&mut child, GUARD).code(), Some(130));
    let printed = seqs_of_lines(&printed);
    let queued = seqs_of_bodies(&emu.drain());
    assert!(printed.len() < total, "the signal came mid-drain");
    assert_eq!(
        printed.len() + queued.len(),
        total,
        "printed + still queued == published"
    );
    let all: Vec<u64> = printed.iter().chain(queued.iter()).copied().collect();
    assert_eq!(
        all,
        (1..=total as u64).collect::<Vec<_>>(),
        "in order, nothing lost, nothing twice"
    );
}

#[test]
fn a_second_ctrl_c_exits_even_when_the_terminal_is_stuck() {
    let emu = Emulator::start(0);
    let big = "x".repeat(2000);
    let bodies: Vec<String> = (1..=100).map(|_| example(&big)).collect();
    emu.publish_all(&bodies);
    // Nothing reads the terminal: once its buffer is full, every write to it blocks,
    // stdout's and stderr's alike, so the first signal's line cannot be written either.
    let mut pty = Pty::spawn_unread(&emu.url(), &["tail", "--format", "json"]);
    let pid = pty.pid();
    wait_until(GUARD, "greenq blocked writing to the terminal", || {
        threads_in_syscall(pid, 1, 1) + threads_in_syscall(pid, 1, 2) > 0
    });
    send_signal_to(pid, libc::SIGINT);
    // The first signal was taken: its line is being said on a thread of its own.
    wait_until(GUARD, "the first signal's line", || {
        threads_named(pid, "greenq-say") > 0
    });
    // Past the 100 ms in which two signals count as one stop; load only lengthens it.
    std::thread::sleep(Duration::from_millis(150));
    send_signal_to(pid, libc::SIGINT);
    assert_eq!(pty.wait_exit(GUARD), 130);
    pty.read();
    let queued = emu.drain().len();
    assert!(queued >= 1, "the one being written stays queued: {queued}");
}

#[test]
fn a_second_ctrl_c_exits_even_when_the_output_is_stuck() {
    let emu = Emulator::start(0);
    let big = "x".repeat(2000);
    let bodies: Vec<String> = (1..=100).map(|_| example(&big)).collect();
    emu.publish_all(&bodies);
    // Nobody reads stdout: the pipe fills and tail blocks in a write.
    let mut child = std_greenq(&emu.url())
        .args(["tail", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = StderrLines::new(child.stderr.take().unwrap());
    wait_until_blocked_in_pipe_write(&child, GUARD);
    send_signal(&child, libc::SIGINT);
    err.wait_for("Ctrl-C again exits at once", GUARD);
    // A negative check: the pause only gives a wrong exit the chance to show (a busy
    // machine can hide one, never invent one). It also puts the second signal past the
    // 100 ms in which two signals count as one stop; load can only lengthen it.
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the first signal waits for the write in progress"
    );
    assert_eq!(signal_and_wait(&mut child, libc::SIGINT), Some(130));
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    let complete_lines = out
        .split(|&b| b == b'\n')
        .filter(|l| l.ends_with(b"}"))
        .count();
    let queued = emu.drain().len();
    assert!(
        complete_lines + queued >= 100,
        "nothing lost: {complete_lines} printed + {queued} queued"
    );
}

#[test]
fn a_closed_stdout_ends_quietly_with_0_and_keeps_the_unwritten_notification() {
    let emu = Emulator::start(20);
    let relay = FaultProxy::relay(emu.addr);
    let mut child = std_greenq(&relay.url())
        .args(["tail", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    relay.wait_for_requests(1, GUARD);
    emu.publish_all(&[numbered("x", 1)]);
    let status = wait_with_limit(&mut child, GUARD);
    assert_eq!(status.code(), Some(0));
    let err = read_rest(child.stderr.take());
    assert_eq!(err, "", "quiet");
    assert_eq!(
        emu.head().map(|h| h.1["seq"].as_u64()),
        Some(Some(1)),
        "not deleted"
    );
}

#[test]
fn head_takes_three_and_greenq_ends_with_0() {
    let emu = Emulator::start(0);
    published(&emu, "x", 20);
    let script = format!(
        "'{}' tail -e --format json | head -n 3; echo \"status=${{PIPESTATUS[0]}}\"",
        bin()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .env("GREEN_API_URL", emu.url())
        .env("GREEN_API_INSTANCE_ID", INSTANCE.to_string())
        .env("GREEN_API_TOKEN", TOKEN)
        .env("XDG_STATE_HOME", state_home())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.ends_with("status=0\n"), "{text}");
}

#[test]
fn fault_injection_over_a_long_drain_nothing_lost_nothing_twice_order_kept() {
    // A low rate: each fault costs a real pause, and a 429 paces the rest of the drain.
    let c = drain_through_faults(150, 281, 0.05);
    assert!(c.faults() >= 8, "the faults really happened: {c:?}");
}
