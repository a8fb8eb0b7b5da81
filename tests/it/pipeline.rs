//! Pipelining, tail's default (a delete and the next receive in one write; `--pipeline`
//! is still accepted, `--no-pipeline` opts out) and the rule
//! that a receipt confirmed deleted is never printed again, against the emulator and
//! against a queue server that misbehaves on purpose.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::*;

const FALLBACK: &str = "going on without pipelining";

fn bodies(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| numbered("incomingMessageReceived", i))
        .collect()
}

/// The `seq` of every printed line, in order.
fn printed_seqs(stdout: &[u8]) -> Vec<u64> {
    lines(stdout)
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            v["seq"].as_u64().expect("seq")
        })
        .collect()
}

fn all_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_emulator_answers_pipelined_requests_in_order() {
    let emu = Emulator::numbered(0);
    emu.publish_all(&bodies(2));
    let receive = format!("/waInstance{INSTANCE}/receiveNotification/{TOKEN}");
    let delete = format!("/waInstance{INSTANCE}/deleteNotification/{TOKEN}/1");
    let host = emu.addr;
    let requests = format!(
        "GET {receive} HTTP/1.1\r\nhost: {host}\r\n\r\n\
         DELETE {delete} HTTP/1.1\r\nhost: {host}\r\n\r\n\
         GET {receive} HTTP/1.1\r\nhost: {host}\r\n\r\n"
    );
    let mut stream = TcpStream::connect(emu.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // All three in one write: the server has them before it answers the first.
    stream.write_all(requests.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut answer = || {
        let m = read_message(&mut reader).expect("an answer");
        assert!(m.head.starts_with("HTTP/1.1 200"), "{}", m.head);
        serde_json::from_slice::<serde_json::Value>(&m.body).unwrap()
    };
    let first = answer();
    assert_eq!(
        (first["receiptId"].as_u64(), first["body"]["seq"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(answer(), serde_json::json!({"result": true}));
    let third = answer();
    assert_eq!(
        (third["receiptId"].as_u64(), third["body"]["seq"].as_u64()),
        (Some(2), Some(1))
    );
}

#[test]
fn a_pipelined_drain_on_the_emulator_keeps_order_and_loses_nothing() {
    // `--pipeline`, the default now, is still accepted.
    let emu = Emulator::start(0);
    emu.publish_all(&bodies(40));
    let out = emu
        .cmd()
        .args(["-v", "tail", "--pipeline", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(printed_seqs(&out.stdout), (0..40).collect::<Vec<_>>());
    assert_eq!(emu.head(), None, "everything printed was deleted");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(", pipelined"), "{err}");
    assert!(!err.contains(FALLBACK), "{err}");
    assert!(
        err.contains("40 printed, 0 skipped, 40 deleted, 0 retries"),
        "{err}"
    );
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn each_delete_goes_out_with_the_next_receive_on_one_connection() {
    let server = QueueServer::start(&bodies(5), Behaviour::default());
    let out = server
        .cmd()
        .args(["tail", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(printed_seqs(&out.stdout), vec![0, 1, 2, 3, 4]);
    let seen = server.seen();
    let shape: Vec<(&str, bool)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.pipelined))
        .collect();
    // The first receive alone, then (delete N, receive N+1) pairs, the last receive empty.
    let mut expected = vec![("GET", false)];
    for _ in 0..5 {
        expected.extend([("DELETE", false), ("GET", true)]);
    }
    assert_eq!(shape, expected);
    // The settings read at start and the whole queue: one connection.
    assert_eq!(server.connections(), 1);
    assert_eq!(server.queued(), 0);
}

#[test]
fn with_count_the_last_delete_goes_alone() {
    let server = QueueServer::start(&bodies(5), Behaviour::default());
    let out = server
        .cmd()
        .args(["tail", "-n", "2", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(printed_seqs(&out.stdout), vec![0, 1]);
    let methods: Vec<String> = server.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(methods, ["GET", "DELETE", "GET", "DELETE"]);
    assert_eq!(server.queued(), 3);
}

#[test]
fn a_server_that_lags_its_deletes_gets_each_printed_once() {
    for pipeline in [false, true] {
        let lag = Behaviour {
            lag_deletes: true,
            ..Behaviour::default()
        };
        let server = QueueServer::start(&bodies(5), lag);
        let mut cmd = server.cmd();
        cmd.args(["tail", "-e", "--format", "json"]);
        if !pipeline {
            cmd.arg("--no-pipeline");
        }
        let out = cmd.output().unwrap();
        assert_exit(&out, 0);
        assert_eq!(
            printed_seqs(&out.stdout),
            vec![0, 1, 2, 3, 4],
            "pipeline: {pipeline}"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("5 printed, 0 skipped, 5 deleted"), "{err}");
        assert!(err.contains("5 repeats"), "{err}");
        // Each repeat was deleted again rather than left at the head.
        let deletes = server
            .seen()
            .iter()
            .filter(|s| s.method == "DELETE")
            .count();
        assert_eq!(deletes, 10, "pipeline: {pipeline}");
        assert_eq!(server.queued(), 0);
        assert_no_token(&[&out.stdout, &out.stderr]);
    }
}

/// Runs `tail -e -v` (pipelined) against a server that misbehaves as `behaviour` says, and
/// checks that everything was delivered once, in order, with one line about the fallback.
fn falls_back_and_delivers_all(behaviour: Behaviour) -> QueueServer {
    let server = QueueServer::start(&bodies(4), behaviour);
    let out = server
        .cmd()
        .args(["-v", "tail", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(printed_seqs(&out.stdout), vec![0, 1, 2, 3]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches(FALLBACK).count(), 1, "{err}");
    assert!(err.contains("4 printed, 0 skipped, 4 deleted"), "{err}");
    assert_eq!(server.queued(), 0);
    assert_no_token(&[&out.stdout, &out.stderr]);
    // After the fallback, no request is pipelined.
    let seen = server.seen();
    let pipelined = seen.iter().filter(|s| s.pipelined).count();
    assert!(pipelined <= 1, "{seen:?}");
    server
}

#[test]
fn a_server_that_closes_after_every_answer_gets_everything_without_pipelining() {
    falls_back_and_delivers_all(Behaviour {
        close_after_every_answer: true,
        ..Behaviour::default()
    });
}

#[test]
fn a_server_that_answers_only_the_first_of_a_pair_gets_everything() {
    let server = falls_back_and_delivers_all(Behaviour {
        first_of_pair_only: true,
        ..Behaviour::default()
    });
    // The server dropped the receive behind the delete; it was sent again, on its own,
    // on a new connection.
    let seen = server.seen();
    let methods: Vec<&str> = seen.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(&methods[..3], ["GET", "DELETE", "GET"]);
    assert!(!seen[2].pipelined, "{seen:?}");
    assert_ne!(seen[2].connection, seen[1].connection, "{seen:?}");
    assert_eq!(server.queued(), 0);
}

#[test]
fn an_unexpected_answer_to_the_pipelined_receive_falls_back_and_never_shows_the_token() {
    // The answer echoes the request line, token and all.
    falls_back_and_delivers_all(Behaviour {
        echo_second_of_pair: true,
        ..Behaviour::default()
    });
}

#[test]
fn ctrl_c_during_a_pipelined_long_poll_exits_130_at_once() {
    let hold = Behaviour {
        hold_empty: true,
        ..Behaviour::default()
    };
    let server = QueueServer::start(&bodies(1), hold);
    let mut child = std_greenq(&server.url())
        .args(["-v", "tail", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The delete of the one notification and the receive behind it, which is held.
    let waiting = server.wait_for(Duration::from_secs(30), |seen| {
        seen.iter().any(|s| s.method == "GET" && s.pipelined)
    });
    assert!(waiting, "no pipelined receive: {:?}", server.seen());
    let t = Instant::now();
    send_signal(&child, libc::SIGINT);
    let status = wait_with_limit(&mut child, GUARD);
    assert_eq!(status.code(), Some(130));
    // The held receive never answers: an exit at all proves it was cut. Before the 2 s
    // a protected request gets proves it was cut at once, not treated as protected work.
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    let out = read_rest(child.stdout.take());
    let err = read_rest(child.stderr.take());
    assert_eq!(printed_seqs(out.as_bytes()), vec![0]);
    assert!(
        err.contains("interrupted: 1 printed, 0 skipped, 1 deleted"),
        "{err}"
    );
    assert_eq!(server.queued(), 0);
    assert_no_token(&[out.as_bytes(), err.as_bytes()]);
}

#[test]
fn a_host_that_does_not_speak_tls_fails_as_without_pipeline() {
    // Answers plain HTTP to whatever comes, then closes: no TLS handshake can succeed.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let out = greenq_at(&format!("https://{addr}"))
        .args(["tail", "--format", "json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TLS failed"), "{err}");
    assert!(!err.contains(FALLBACK), "{err}");
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn through_a_proxy_tail_runs_without_pipelining_and_says_so() {
    let emu = Emulator::start(0);
    emu.publish_all(&bodies(2));
    // A proxy that is set but not used for this host (NO_PROXY) does not count...
    let out = emu
        .cmd()
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .args(["tail", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(!all_text(&out).contains(FALLBACK));
    // ...one that is used turns pipelining off, with one line, before any request.
    let mut child = std_greenq(&emu.url())
        .env_remove("NO_PROXY")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .args(["tail", "--format", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.contains("proxy") && line.contains(FALLBACK), "{line}");
    assert_no_token(&[line.as_bytes()]);
}

#[test]
fn ctrl_c_during_a_fast_pipelined_drain_loses_nothing_and_repeats_nothing() {
    let emu = Emulator::start(0);
    let total = 1000;
    emu.publish_all(&bodies(total));
    let mut child = std_greenq(&emu.url())
        .args(["tail", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = Vec::new();
    for _ in 0..100 {
        let before = printed.len();
        stdout.read_until(b'\n', &mut printed).unwrap();
        assert!(printed.len() > before, "tail ended early");
    }
    send_signal(&child, libc::SIGINT);
    std::io::Read::read_to_end(&mut stdout, &mut printed).unwrap();
    assert_eq!(
        wait_with_limit(&mut child, Duration::from_secs(5)).code(),
        Some(130)
    );
    let err = read_rest(child.stderr.take());
    let printed = printed_seqs(&printed);
    let queued: Vec<u64> = emu
        .drain()
        .iter()
        .map(|b| b["seq"].as_u64().expect("seq"))
        .collect();
    assert!(printed.len() < total, "the signal came mid-drain");
    let all: Vec<u64> = printed.iter().chain(queued.iter()).copied().collect();
    assert_eq!(
        all,
        (0..total as u64).collect::<Vec<_>>(),
        "in order, nothing lost, nothing twice"
    );
    assert!(!err.contains(FALLBACK), "{err}");
    assert_no_token(&[err.as_bytes()]);
}

#[test]
fn transient_answers_to_a_pair_are_retried_alone_and_deliver_everything_once() {
    let flaky = Behaviour {
        fail_every: Some(3),
        ..Behaviour::default()
    };
    let server = QueueServer::start(&bodies(10), flaky);
    let out = server
        .cmd()
        .args(["-v", "tail", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(printed_seqs(&out.stdout), (0..10).collect::<Vec<_>>());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains(FALLBACK), "{err}");
    assert!(
        err.contains("retrying in 0.") && err.contains(": HTTP 503"),
        "{err}"
    );
    assert!(server.failed() > 0);
    assert_eq!(server.queued(), 0);
    // Pipelining went on after the faults.
    let seen = server.seen();
    assert!(seen.iter().rev().take(4).any(|s| s.pipelined), "{seen:?}");
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn through_a_faulty_proxy_everything_is_printed_once_in_order() {
    let emu = Emulator::start(0);
    // 15 notifications and a seed that meets every kind of fault: each fault costs a real
    // back-off pause, so a few of each show the rule.
    emu.publish_all(&bodies(15));
    let proxy = FaultProxy::start(emu.addr, 1080, 0.3);
    let out = greenq_at(&proxy.url())
        .args(["tail", "-e", "--format", "json"])
        .timeout(Duration::from_secs(180))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        printed_seqs(&out.stdout),
        (0..15).collect::<Vec<_>>(),
        "nothing lost, nothing printed twice, order kept"
    );
    assert!(
        emu.drain().is_empty(),
        "every printed notification was acknowledged"
    );
    let c = proxy.counts();
    assert!(
        c.status_502 > 0
            && c.status_429 > 0
            && c.status_503 > 0
            && c.dropped_before > 0
            && c.dropped_after > 0
            && c.cut_after > 0,
        "every kind of fault happened: {c:?}"
    );
    // A pair whose delete may have been carried out has it sent again: no other reader.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("another consumer"), "{err}");
    assert_no_token(&[&out.stdout, &out.stderr]);
}

/// A server that closes each connection as the next request on it comes, without an answer
/// and without `Connection: close`: the receive behind the settings read, and the one
/// behind each answered delete, were never answered. Each goes again at once on a new
/// connection, quietly: no retry is shown, none is counted, all is delivered once.
#[test]
fn a_request_the_server_closed_the_connection_on_unanswered_is_sent_again_quietly() {
    let server = QueueServer::start(
        &bodies(4),
        Behaviour {
            close_as_the_next_request_comes: true,
            ..Behaviour::default()
        },
    );
    let out = server
        .cmd()
        .args(["-v", "tail", "-e", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(printed_seqs(&out.stdout), vec![0, 1, 2, 3]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("retrying"), "{err}");
    assert!(
        err.contains("4 printed, 0 skipped, 4 deleted, 0 retries"),
        "{err}"
    );
    // -v says so: the receive behind the settings read, and the pair's delete, went again.
    for resent in [
        "receiveNotification/*** on a kept-alive connection that the server closed",
        "deleteNotification/***/1 on a kept-alive connection that the server closed",
    ] {
        assert!(err.contains(resent), "{resent}: {err}");
    }
    assert!(server.unanswered() >= 2, "{}", server.unanswered());
    assert_eq!(server.queued(), 0);
    assert_no_token(&[&out.stdout, &out.stderr]);
}
