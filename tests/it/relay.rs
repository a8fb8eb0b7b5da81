//! `greenq publish -` from a pipe sends as it reads: a live relay `greenq tail | greenq
//! publish -` between two emulators, a bad notification in a stream, Ctrl-C in a stream,
//! and a file on stdin still checked whole.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdout, Stdio};
use std::time::Duration;

use crate::support::*;

const LIMIT: Duration = Duration::from_secs(30);

/// `greenq publish -` into `to`, reading the given stdin, stdout and stderr piped.
fn publish_into(to: &Emulator, stdin: Stdio, args: &[&str]) -> Child {
    std_greenq(&to.url())
        .arg("publish")
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn greenq publish")
}

fn next_line(lines: &mut BufReader<ChildStdout>) -> String {
    let mut line = String::new();
    lines.read_line(&mut line).expect("read publish's stdout");
    line.trim_end().to_string()
}

/// The seq numbers of bodies.
fn seqs(bodies: &[serde_json::Value]) -> Vec<u64> {
    bodies
        .iter()
        .map(|b| b["seq"].as_u64().expect("seq"))
        .collect()
}

#[test]
fn a_notification_crosses_the_relay_while_the_pipe_runs() {
    let a = Emulator::start(20);
    let b = Emulator::start(20);
    let mut tail = std_greenq(&a.url())
        .args(["tail", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn greenq tail");
    let piped = Stdio::from(tail.stdout.take().expect("tail's stdout"));
    let mut publish = publish_into(&b, piped, &["-"]);
    let mut ids = BufReader::new(publish.stdout.take().expect("publish's stdout"));

    for n in 1..=3 {
        a.publish_all(&[numbered("outgoingMessageReceived", n)]);
        // B's receive waits for it: it arrives while tail and publish still run.
        let (receipt, body) = b.head().expect("the notification reached B");
        assert_eq!(body["seq"], n as u64);
        assert!(b.delete(receipt));
        assert_eq!(
            next_line(&mut ids),
            format!("{n:032X}"),
            "publish's line, at once"
        );
    }
    assert!(tail.try_wait().expect("tail").is_none(), "tail still runs");
    assert!(
        publish.try_wait().expect("publish").is_none(),
        "publish still runs"
    );

    // Stopping tail ends publish's input: it ends well.
    assert_eq!(signal_and_wait(&mut tail, libc::SIGINT), Some(130));
    let status = wait_with_limit(&mut publish, LIMIT);
    let stderr = read_rest(publish.stderr.take());
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("published 3 notifications from <stdin>"),
        "{stderr}"
    );
    assert_no_token(&[stderr.as_bytes(), read_rest(tail.stderr.take()).as_bytes()]);
}

#[test]
fn a_bad_notification_stops_the_stream_where_it_is() {
    let b = Emulator::start(0);
    let mut publish = publish_into(&b, Stdio::piped(), &["-"]);
    let mut stdin = publish.stdin.take().expect("stdin");
    let mut ids = BufReader::new(publish.stdout.take().expect("publish's stdout"));
    for n in 1..=2 {
        writeln!(stdin, "{}", numbered("outgoingMessageReceived", n)).expect("write");
        stdin.flush().expect("flush");
        // Sent before the next is even written.
        assert_eq!(next_line(&mut ids), format!("{n:032X}"));
    }
    writeln!(
        stdin,
        "{{\"typeWebhook\": 5, \"instanceData\": {{\"idInstance\": 1}}}}"
    )
    .expect("write");
    let _ = writeln!(stdin, "{}", numbered("outgoingMessageReceived", 4));
    drop(stdin);
    let status = wait_with_limit(&mut publish, LIMIT);
    let stderr = read_rest(publish.stderr.take());
    assert_eq!(status.code(), Some(65), "{stderr}");
    assert!(
        stderr.contains("<stdin>:3: notification #3 is invalid"),
        "{stderr}"
    );
    assert!(
        stderr.contains("published 2 from <stdin> before it; nothing from #3 on was sent"),
        "{stderr}"
    );
    assert_eq!(
        read_rest(Some(ids.into_inner())),
        "",
        "nothing more was printed"
    );
    assert_eq!(
        seqs(&b.drain()),
        [1, 2],
        "what came before it, and nothing after"
    );
    assert_no_token(&[stderr.as_bytes()]);
}

#[test]
fn broken_json_in_a_stream_names_its_place() {
    let b = Emulator::start(0);
    let input = format!(
        "{}\n{{\"typeWebhook\": oops}}\n{}\n",
        numbered("outgoingMessageReceived", 1),
        numbered("outgoingMessageReceived", 3)
    );
    let out = b
        .cmd()
        .args(["publish", "--stream", "-"])
        .write_stdin(input)
        .timeout(LIMIT)
        .output()
        .expect("run");
    assert_exit(&out, 65);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("<stdin>:2:17: notification #2 is not valid JSON"),
        "{stderr}"
    );
    assert!(
        stderr.contains("published 1 from <stdin> before it"),
        "{stderr}"
    );
    assert_eq!(lines(&out.stdout), [format!("{:032X}", 1)]);
    assert_eq!(seqs(&b.drain()), [1]);
}

#[test]
fn a_file_on_stdin_is_still_checked_whole() {
    let b = Emulator::start(0);
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    for n in 1..=3 {
        writeln!(file, "{}", numbered("outgoingMessageReceived", n)).expect("write");
    }
    writeln!(file, "{{\"no\": \"typeWebhook\"}}").expect("write");
    file.flush().expect("flush");
    let stdin = || Stdio::from(std::fs::File::open(file.path()).expect("open"));

    let out = std_greenq(&b.url())
        .args(["publish", "-"])
        .stdin(stdin())
        .output()
        .expect("run");
    assert_exit(&out, 65);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("<stdin>:4: notification #4 is invalid"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    assert!(
        b.drain().is_empty(),
        "a bad last line means nothing is sent"
    );

    // --stream sends as it reads, even from a file.
    let out = std_greenq(&b.url())
        .args(["publish", "--stream", "-"])
        .stdin(stdin())
        .output()
        .expect("run");
    assert_exit(&out, 65);
    assert_eq!(seqs(&b.drain()), [1, 2, 3]);
}

#[test]
fn check_first_makes_a_pipe_wait_for_its_end() {
    let b = Emulator::start(0);
    let input = format!(
        "{}\n{}\n[]\n",
        numbered("outgoingMessageReceived", 1),
        numbered("outgoingMessageReceived", 2)
    );
    let out = b
        .cmd()
        .args(["publish", "--check-first", "-"])
        .write_stdin(input)
        .timeout(LIMIT)
        .output()
        .expect("run");
    assert_exit(&out, 65);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was sent"));
    assert!(b.drain().is_empty());
}

#[test]
fn ctrl_c_in_a_stream_says_how_many_were_sent() {
    let b = Emulator::start(0);
    let mut publish = publish_into(&b, Stdio::piped(), &["-"]);
    let mut stdin = publish.stdin.take().expect("stdin");
    let mut ids = BufReader::new(publish.stdout.take().expect("publish's stdout"));
    for n in 1..=2 {
        writeln!(stdin, "{}", numbered("outgoingMessageReceived", n)).expect("write");
        stdin.flush().expect("flush");
        assert_eq!(next_line(&mut ids), format!("{n:032X}"));
    }
    // Waiting for input that does not come: Ctrl-C ends it, stdin still open.
    assert_eq!(signal_and_wait(&mut publish, libc::SIGINT), Some(130));
    let stderr = read_rest(publish.stderr.take());
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(
        stderr.contains("published 2 from <stdin>; nothing after them was sent"),
        "{stderr}"
    );
    assert_eq!(seqs(&b.drain()), [1, 2]);
    drop(stdin);
}

#[test]
fn a_dry_run_of_a_stream_prints_each_as_it_is_checked() {
    let b = Emulator::start(0);
    let mut publish = publish_into(&b, Stdio::piped(), &["--dry-run", "-"]);
    let mut stdin = publish.stdin.take().expect("stdin");
    let mut out = BufReader::new(publish.stdout.take().expect("publish's stdout"));
    writeln!(stdin, "{}", numbered("outgoingMessageReceived", 1)).expect("write");
    stdin.flush().expect("flush");
    let line = next_line(&mut out);
    assert!(line.contains("\"seq\":1"), "{line}");
    drop(stdin);
    assert_eq!(wait_with_limit(&mut publish, LIMIT).code(), Some(0));
    assert!(b.drain().is_empty(), "a dry run sends nothing");
}

#[test]
fn a_failure_in_a_stream_says_what_was_published_and_what_may_have_arrived() {
    let ok = reply(200, r#"{"result":true}"#);
    let server = Scripted::start(vec![ok], reply_with(503, &[("retry-after", "0")], ""));
    let input: String = (1..=3)
        .map(|n| numbered("outgoingMessageReceived", n) + "\n")
        .collect();
    let out = server
        .cmd()
        .args(["publish", "--stream", "-"])
        .write_stdin(input)
        .timeout(LIMIT)
        .output()
        .expect("run");
    assert_exit(&out, 1);
    assert_eq!(lines(&out.stdout), [format!("{:032X}", 1)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("published 1 from <stdin>; #2 (line 2 of <stdin>) was not published"),
        "{err}"
    );
    assert!(err.contains("nothing after it was sent"), "{err}");
    // The first, then the second with its retries; never the third.
    let seen = server.seen();
    assert!(
        seen.iter()
            .skip(1)
            .all(|s| s.body == numbered("outgoingMessageReceived", 2).as_bytes()),
        "{seen:?}"
    );
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn ctrl_c_lets_the_post_in_flight_finish() {
    let slow_ok = Step::Slow(
        Duration::from_millis(500),
        Box::new(reply(200, r#"{"result":true}"#)),
    );
    let server = Scripted::start(vec![slow_ok], reply(200, r#"{"result":true}"#));
    let mut publish = std_greenq(&server.url())
        .args(["publish", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn greenq publish");
    let mut stdin = publish.stdin.take().expect("stdin");
    writeln!(stdin, "{}", numbered("outgoingMessageReceived", 1)).expect("write");
    stdin.flush().expect("flush");
    // The POST has reached the server, whose answer is held back.
    let deadline = std::time::Instant::now() + LIMIT;
    while server.seen().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no POST came");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(signal_and_wait(&mut publish, libc::SIGINT), Some(130));
    let out = read_rest(publish.stdout.take());
    let err = read_rest(publish.stderr.take());
    assert_eq!(out.trim_end(), format!("{:032X}", 1), "{err}");
    assert!(err.contains("published 1 from <stdin>"), "{err}");
    assert_eq!(server.seen().len(), 1);
    assert_no_token(&[out.as_bytes(), err.as_bytes()]);
    drop(stdin);
}

#[test]
fn a_fifo_is_published_as_it_is_read() {
    let b = Emulator::start(0);
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("relay.fifo");
    let path = std::ffi::CString::new(fifo.to_str().expect("utf-8 path")).expect("path");
    // SAFETY: mkfifo(3) with a valid C string; no memory is shared.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0, "mkfifo");
    let mut publish = std_greenq(&b.url())
        .arg("publish")
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn greenq publish");
    let mut ids = BufReader::new(publish.stdout.take().expect("publish's stdout"));
    let mut writer = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("open the FIFO");
    writeln!(writer, "{}", numbered("outgoingMessageReceived", 1)).expect("write");
    writer.flush().expect("flush");
    assert_eq!(
        next_line(&mut ids),
        format!("{:032X}", 1),
        "sent before the FIFO ends"
    );
    writeln!(writer, "{}", numbered("outgoingMessageReceived", 2)).expect("write");
    drop(writer);
    let status = wait_with_limit(&mut publish, LIMIT);
    assert_eq!(
        status.code(),
        Some(0),
        "{}",
        read_rest(publish.stderr.take())
    );
    assert_eq!(seqs(&b.drain()), [1, 2]);
}
