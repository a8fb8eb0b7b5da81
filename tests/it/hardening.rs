//! greenq against servers that misbehave on purpose: no request storms, a head that cannot
//! be deleted, a misspelt `--type`, a POST whose answer is lost, a server that closes every
//! connection, a host that does not exist.

use std::process::Stdio;
use std::time::Duration;

use crate::support::*;

/// Waits until the server saw `n` requests (an event, not a delay).
fn wait_for_requests(server: &Scripted, n: usize) -> Vec<Seen> {
    server.wait_for_requests(n, GUARD);
    server.seen()
}

/// `greenq tail` against `server` until it made `n` requests; then SIGTERM. Returns stderr.
fn tail_until(server: &Scripted, args: &[&str], n: usize) -> (Vec<Seen>, String) {
    let mut child = std_greenq(&server.url())
        .arg("tail")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let seen = wait_for_requests(server, n);
    assert_eq!(signal_and_wait(&mut child, libc::SIGTERM), Some(130));
    let err = read_rest(child.stderr.take());
    assert_no_token(&[err.as_bytes()]);
    (seen, err)
}

/// `tail` against a server that refuses every receive with `status` and `Retry-After: 0`:
/// four requests, three pauses that grow (0 is a floor, never a reason to go faster).
fn refusals_are_followed_by_growing_pauses(status: u16) {
    let server = Scripted::start(
        Vec::new(),
        reply_with(status, &[("retry-after", "0")], "busy"),
    );
    let (seen, err) = tail_until(&server, &[], 4);
    assert_growing_pauses(&seen[..4]);
    assert!(
        err.matches(&format!(": HTTP {status}")).count() >= 3,
        "each retry is said: {err}"
    );
}

#[test]
fn refusals_with_retry_after_zero_are_followed_by_growing_pauses() {
    refusals_are_followed_by_growing_pauses(503);
}

#[test]
fn too_many_requests_with_retry_after_zero_are_followed_by_growing_pauses() {
    refusals_are_followed_by_growing_pauses(429);
}

/// `tail` against a server that meets every request with `step`.
fn faults_are_followed_by_growing_pauses(step: Step) {
    let server = Scripted::start(Vec::new(), step.clone());
    // The first receive may go out on the connection that read the settings, and be
    // sent again at once on a new one when that one was closed: count from the second.
    let (seen, err) = tail_until(&server, &[], 5);
    assert_growing_pauses(&seen[1..5]);
    assert!(err.matches("retrying in").count() >= 3, "{step:?}: {err}");
}

#[test]
fn a_502_with_an_unreadable_retry_after_is_followed_by_growing_pauses() {
    faults_are_followed_by_growing_pauses(reply_with(502, &[("retry-after", "soon")], ""));
}

#[test]
fn an_answer_that_is_not_http_is_followed_by_growing_pauses() {
    faults_are_followed_by_growing_pauses(Step::Garbage(b"not http\r\n\r\n".to_vec()));
}

#[test]
fn a_connection_closed_without_an_answer_is_followed_by_growing_pauses() {
    faults_are_followed_by_growing_pauses(Step::Drop);
}

#[test]
fn a_head_that_cannot_be_deleted_stops_tail_with_the_commands_to_fix_it() {
    let head = envelope(7, &numbered("incomingMessageReceived", 7));
    let not_found = reply(200, r#"{"result":false}"#);
    let steps = (0..20)
        .flat_map(|_| [head.clone(), not_found.clone()])
        .collect();
    let server = Scripted::start(steps, reply(200, "null"));
    let out = server
        .cmd()
        .args(["tail", "-n", "5"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_no_token(&[&out.stdout, &out.stderr]);
    assert_exit(&out, 1);
    assert_eq!(lines(&out.stdout).len(), 1, "printed once, never again");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the head of the queue cannot be deleted (receipt 7 ")
            && err.contains("`greenq receive`")
            && err.contains("`greenq delete 7`"),
        "{err}"
    );
    let seen = server.seen();
    assert!(seen.len() <= 12, "{} requests", seen.len());
    // After the first round, each receive of the same head waited longer than the last.
    let receives: Vec<Seen> = seen.into_iter().filter(|s| s.method == "GET").collect();
    assert_growing_pauses(&receives[1..]);
}

#[test]
fn a_misspelt_type_deletes_nothing_and_suggests_the_known_one() {
    let emu = Emulator::start(0);
    emu.publish_all(&[
        numbered("incomingMessageReceived", 1),
        numbered("outgoingMessageStatus", 2),
    ]);
    let out = emu
        .cmd()
        .args(["tail", "-e", "--type", "incomingMessageRecieved"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("did you mean incomingMessageReceived?")
            && err.contains("--allow-unknown-type"),
        "{err}"
    );
    assert_eq!(emu.drain().len(), 2, "nothing was deleted");
}

#[test]
fn an_unknown_type_is_accepted_on_purpose() {
    let emu = Emulator::start(0);
    emu.publish_all(&[
        numbered("someFutureWebhook", 1),
        numbered("incomingMessageReceived", 2),
    ]);
    let out = emu
        .cmd()
        .args(["tail", "-e", "--type", "someFutureWebhook"])
        .arg("--allow-unknown-type")
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(lines(&out.stdout).len(), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 printed, 1 skipped, 2 deleted"));
}

fn publish_text(server: &Scripted, extra: &[&str]) -> std::process::Output {
    let out = server
        .cmd()
        .args(["publish", "--text", "hi", "--chat-id", "7900"])
        .args(extra)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_no_token(&[&out.stdout, &out.stderr]);
    out
}

fn posts(server: &Scripted) -> usize {
    server.seen().iter().filter(|s| s.method == "POST").count()
}

#[test]
fn a_post_whose_answer_was_lost_is_not_sent_again() {
    for lost in [Step::Drop, reply(502, ""), reply(500, "")] {
        let server = Scripted::start(Vec::new(), lost.clone());
        let out = publish_text(&server, &[]);
        assert_exit(&out, 1);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("publish of the --text message may have arrived")
                && err.contains("--at-least-once"),
            "{lost:?}: {err}"
        );
        assert_eq!(posts(&server), 1, "{lost:?}");
    }
}

#[test]
fn at_least_once_sends_again_after_a_lost_answer() {
    let server = Scripted::start(vec![Step::Drop], reply(200, "{}"));
    let out = publish_text(&server, &["--at-least-once"]);
    assert_exit(&out, 0);
    assert_eq!(posts(&server), 2);
}

#[test]
fn a_refused_post_is_sent_again() {
    for refusal in [
        reply_with(429, &[("retry-after", "0")], ""),
        reply_with(503, &[("retry-after", "0")], ""),
    ] {
        let server = Scripted::start(vec![refusal.clone()], reply(200, "{}"));
        let out = publish_text(&server, &[]);
        assert_exit(&out, 0);
        assert_eq!(posts(&server), 2, "{refusal:?}");
    }
}

#[test]
fn a_server_that_closes_every_connection_is_reconnected_to_quietly() {
    let closing = |step: Step| Step::Close(Box::new(step));
    let steps = (1..=20)
        .flat_map(|n| {
            [
                closing(envelope(
                    n,
                    &numbered("incomingMessageReceived", n as usize),
                )),
                closing(reply(200, r#"{"result":true}"#)),
            ]
        })
        .collect();
    let server = Scripted::start(steps, closing(reply(200, "null")));
    let out = server.cmd().args(["tail", "-e"]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(lines(&out.stdout).len(), 20);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("retrying"), "{err}");
    assert!(
        err.contains("20 printed, 0 skipped, 20 deleted, 0 retries"),
        "{err}"
    );
}

#[test]
fn a_host_that_does_not_resolve_ends_at_once_naming_it() {
    for pipeline in [&[][..], &["--no-pipeline"]] {
        let out = greenq()
            .args(["--api-url", "https://apii.green-api.invalid", "tail"])
            .args(pipeline)
            .env("GREEN_API_INSTANCE_ID", INSTANCE.to_string())
            .env("GREEN_API_TOKEN", TOKEN)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert_no_token(&[&out.stdout, &out.stderr]);
        assert_exit(&out, 1);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("cannot reach apii.green-api.invalid") && err.contains("--api-url"),
            "{pipeline:?}: {err}"
        );
        assert!(!err.contains("retrying"), "{pipeline:?}: {err}");
    }
}

#[test]
fn a_closed_stderr_never_makes_greenq_panic() {
    let emu = Emulator::start(0);
    emu.publish_all(&[numbered("incomingMessageReceived", 1)]);
    let mut child = std_greenq(&emu.url())
        .args(["tail", "-e"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = wait_with_limit(&mut child, Duration::from_secs(60));
    assert_eq!(status.code(), Some(0));
}

// A server that trickles its answer is cut off at the call deadline: a unit test in
// `service::client` (with a short deadline; greenq's own is 20 s or more, too long here).
