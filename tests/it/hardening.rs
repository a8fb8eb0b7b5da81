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
    // An answer too large to read came from a server that took the POST.
    let huge_head = reply_with(200, &[("x-pad", &"x".repeat(1 << 20))], "{}");
    for (name, lost) in [
        ("dropped", Step::Drop),
        ("502", reply(502, "")),
        ("500", reply(500, "")),
        ("a head of 1 MiB", huge_head),
    ] {
        let server = Scripted::start(Vec::new(), lost);
        let out = publish_text(&server, &[]);
        assert_exit(&out, 1);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("publish of the --text message may have arrived")
                && err.contains("--at-least-once"),
            "{name}: {err}"
        );
        assert_eq!(posts(&server), 1, "{name}");
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

/// `tail -e --format json` in both modes (pipelined, the default, and `--no-pipeline`), each
/// against a server of its own running `steps`, side by side: (mode, requests, output).
fn tail_both_modes(
    steps: Vec<Step>,
    fallback: Step,
) -> Vec<(&'static str, Vec<Seen>, std::process::Output)> {
    std::thread::scope(|s| {
        let runs: Vec<_> = ["pipelined", "--no-pipeline"]
            .into_iter()
            .map(|mode| {
                let (steps, fallback) = (steps.clone(), fallback.clone());
                s.spawn(move || {
                    let server = Scripted::start(steps, fallback);
                    let mut cmd = server.cmd();
                    cmd.args(["tail", "-e", "--format", "json"]);
                    if mode != "pipelined" {
                        cmd.arg(mode);
                    }
                    let out = cmd.timeout(GUARD).output().unwrap();
                    assert_no_token(&[&out.stdout, &out.stderr]);
                    (mode, server.seen(), out)
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    })
}

/// A derived `Deserialize` takes a JSON array for a struct, its items as the fields in order:
/// `[7,{...}]` was printed as receipt 7 and deleted. It is a malformed answer, in both modes:
/// nothing printed, nothing deleted; and `[true]` is no answer to a delete.
#[test]
fn an_array_is_never_taken_for_an_envelope_nor_for_a_delete_answer() {
    let array = r#"[7,{"typeWebhook":"x","idMessage":"ARR"}]"#;
    for (mode, seen, out) in tail_both_modes(Vec::new(), reply(200, array)) {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_exit(&out, 1);
        assert!(out.stdout.is_empty(), "{mode}: {err}");
        assert!(seen.iter().all(|s| s.method == "GET"), "{mode}: {seen:?}");
        assert!(
            err.contains("not a notification envelope (an array, not an object): [7,{"),
            "{mode}: {err}"
        );
    }
    let server = Scripted::start(Vec::new(), reply(200, "[true]"));
    let out = server.cmd().args(["delete", "9"]).output().unwrap();
    assert_exit(&out, 1);
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not {\"result\": true|false} (an array, not an object): [true]"),
        "{err}"
    );
}

/// A 200 to a receive that is not an envelope (a receipt id of the wrong type, JSON cut
/// short, a head of 1 MiB, an HTML page) is a fault of the service, the same in both modes:
/// retried with the growing pause; four in a row stop tail with what came back; nothing
/// unparsed is deleted. Fewer in a row are only retries.
#[test]
fn malformed_answers_to_a_receive_are_retried_then_stop_tail_in_both_modes() {
    let huge_head = "x".repeat(1 << 20);
    let malformed = [
        reply(200, r#"{"receiptId":"1","body":{"typeWebhook":"x"}}"#),
        reply(200, r#"{"receiptId":1,"bo"#),
        reply_with(200, &[("x-pad", &huge_head)], "null"),
        reply(200, "<html>\u{1b}[2J proxy error</html>"),
    ];
    let ok = reply(200, r#"{"result":true}"#);
    // The first notification's delete goes out with the next receive (pipelined): that
    // receive is the first of the four.
    let mut steps = vec![envelope(1, &numbered("x", 1)), ok.clone()];
    steps.extend(malformed.iter().cloned());
    for (mode, seen, out) in tail_both_modes(steps, reply(200, "null")) {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_exit(&out, 1);
        assert_eq!(lines(&out.stdout).len(), 1, "{mode}: {err}");
        let deletes: Vec<&str> = seen
            .iter()
            .filter(|s| s.method == "DELETE")
            .map(|s| s.path.as_str())
            .collect();
        assert_eq!(deletes.len(), 1, "{mode}: {seen:?}");
        assert!(deletes[0].ends_with("/1"), "{mode}: {deletes:?}");
        assert_eq!(err.matches("retrying in").count(), 3, "{mode}: {err}");
        assert!(
            err.contains("receiveNotification failed (the service answered something it does not document: HTTP 200 with a body that is not a notification envelope")
                && err.contains("<html>\\u{1b}[2J proxy error</html>; 4 answers in a row like it)")
                && err.contains("`greenq delete RECEIPT_ID`"),
            "{mode}: {err}"
        );
        assert!(
            err.contains("1 printed, 0 skipped, 1 deleted, 3 retries"),
            "{mode}: {err}"
        );
        // Each retry waited longer than the one before.
        let receives: Vec<Seen> = seen.into_iter().filter(|s| s.method == "GET").collect();
        assert_growing_pauses(&receives[receives.len() - 4..]);
    }
    // Three in a row, then an envelope: delivered.
    let mut steps: Vec<Step> = malformed[..3].to_vec();
    steps.extend([envelope(1, &numbered("x", 1)), ok]);
    for (mode, _, out) in tail_both_modes(steps, reply(200, "null")) {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_exit(&out, 0);
        assert_eq!(lines(&out.stdout).len(), 1, "{mode}: {err}");
        assert!(
            err.contains("1 printed, 0 skipped, 1 deleted, 3 retries"),
            "{mode}: {err}"
        );
    }
}
