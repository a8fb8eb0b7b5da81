//! Every class of answer, against a scripted server that misbehaves on purpose.

use std::process::Stdio;
use std::time::Duration;

use crate::support::*;

fn ok_envelope() -> Step {
    envelope(488645, &example("finally"))
}

/// Runs `greenq receive` against the script; returns (exit code, stdout, stderr, requests seen).
fn receive(steps: Vec<Step>) -> (Option<i32>, String, String, Vec<Seen>) {
    let server = Scripted::start(steps, reply(200, "null"));
    let out = server.cmd().arg("receive").output().unwrap();
    assert_no_token(&[&out.stdout, &out.stderr]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        server.seen(),
    )
}

#[test]
fn transient_statuses_are_retried_until_the_notification_comes() {
    for status in [429, 499, 500, 502, 503, 504] {
        let (code, out, err, seen) = receive(vec![
            reply_with(status, &[("retry-after", "0")], "busy"),
            ok_envelope(),
        ]);
        assert_eq!(code, Some(0), "HTTP {status}: {err}");
        assert!(out.contains("\"receiptId\":488645"), "{out}");
        assert!(
            err.contains("retrying in 0.") && err.contains(&format!(": HTTP {status}")),
            "{err}"
        );
        assert_eq!(seen.len(), 2);
        // `Retry-After: 0` is a floor, not a reason to go faster than the back-off.
        let gap = seen[1].at - seen[0].at;
        assert!(gap >= Duration::from_millis(250), "HTTP {status}: {gap:?}");
    }
}

#[test]
fn retry_after_is_honoured() {
    let (code, _, err, seen) = receive(vec![
        reply_with(429, &[("retry-after", "1")], ""),
        ok_envelope(),
    ]);
    assert_eq!(code, Some(0));
    // A lower bound only: a busy machine can make the pause longer, never shorter.
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_secs(1), "waited only {gap:?}");
    assert!(err.contains("retrying in 1."), "{err}");
}

#[test]
fn without_retry_after_the_back_off_grows() {
    let fail = || reply(502, "");
    let (code, _, _, seen) = receive(vec![fail(), fail(), fail(), ok_envelope()]);
    assert_eq!(code, Some(0));
    // Lower bounds only: a busy machine can make the pauses longer, never shorter.
    let gaps: Vec<Duration> = seen.windows(2).map(|w| w[1].at - w[0].at).collect();
    assert!(gaps[0] >= Duration::from_millis(240), "{gaps:?}");
    assert!(gaps[1] >= Duration::from_millis(490), "{gaps:?}");
    assert!(gaps[2] >= Duration::from_millis(990), "{gaps:?}");
}

#[test]
fn an_instance_that_is_starting_is_waited_for() {
    let starting = reply_with(
        400,
        &[("retry-after", "0")],
        r#"{"message":"Instance in starting process, try later"}"#,
    );
    let (code, _, err, _) = receive(vec![starting, ok_envelope()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("starting"), "{err}");
}

#[test]
fn dropped_cut_short_and_garbage_connections_are_retried() {
    for fault in [
        Step::Drop,
        Step::CutShort {
            status: 200,
            body: r#"{"receiptId":1,"bo"#.into(),
        },
        Step::Garbage(b"\x00\x13 this is not HTTP\r\n\r\n".to_vec()),
    ] {
        let (code, out, err, seen) = receive(vec![fault.clone(), ok_envelope()]);
        assert_eq!(code, Some(0), "{fault:?}: {err}");
        assert!(out.contains("488645"));
        assert!(err.contains("retrying in"), "{err}");
        assert_eq!(seen.len(), 2);
    }
}

#[test]
fn a_slow_answer_is_waited_for() {
    let (code, out, _, _) = receive(vec![Step::Slow(
        Duration::from_secs(2),
        Box::new(ok_envelope()),
    )]);
    assert_eq!(code, Some(0));
    assert!(out.contains("488645"));
}

#[test]
fn transient_faults_give_up_after_three_retries() {
    let fail = || reply_with(503, &[("retry-after", "0")], "");
    let (code, out, err, seen) = receive(vec![fail(), fail(), fail(), fail(), ok_envelope()]);
    assert_eq!(code, Some(1));
    assert!(out.is_empty());
    assert!(
        err.contains(
            "receiveNotification failed (HTTP 503 (unavailable); gave up after 3 retries)"
        ),
        "{err}"
    );
    assert_eq!(seen.len(), 4);
}

#[test]
fn bad_credentials_stop_at_once_with_exit_4() {
    for step in [
        reply(401, ""),
        reply(403, ""),
        reply(200, r#"{"code":401,"description":"Unauthorized"}"#),
    ] {
        let (code, _, err, seen) = receive(vec![step.clone()]);
        assert_eq!(code, Some(4), "{step:?}");
        assert!(
            err.starts_with("greenq: error: credentials rejected ("),
            "{err}"
        );
        assert!(
            err.contains("GREEN_API_TOKEN") && err.contains("--api-url"),
            "{err}"
        );
        assert_eq!(seen.len(), 1, "no retries");
    }
    let (_, _, err, _) = receive(vec![reply(403, "")]);
    assert!(
        err.contains(&format!("instance {INSTANCE} is unknown to this host")),
        "{err}"
    );
}

#[test]
fn quota_stops_at_once_with_exit_5_and_the_services_explanation() {
    let (code, _, err, seen) = receive(vec![reply(
        466,
        r#"{"description":"Monthly quota has been exceeded"}"#,
    )]);
    assert_eq!(code, Some(5));
    assert!(
        err.contains("quota exceeded (HTTP 466:")
            && err.contains("Monthly quota has been exceeded"),
        "{err}"
    );
    assert_eq!(seen.len(), 1);
}

#[test]
fn anything_else_shows_the_status_and_the_start_of_the_body() {
    let long = format!("<html>{}</html>", "x".repeat(500));
    let (code, _, err, seen) = receive(vec![reply(418, &long)]);
    assert_eq!(code, Some(1));
    assert!(err.contains("HTTP 418: <html>xxx"), "{err}");
    assert!(
        err.len() < 600,
        "the body is cut to 200 characters: {}",
        err.len()
    );
    assert_eq!(seen.len(), 1);
    // A malformed 200 is asked again three times (one-shot commands), then reported.
    let page = reply(200, "<html>\u{1b}[2J proxy error</html>");
    let (code, _, err, seen) = receive(vec![page; 4]);
    assert_eq!(code, Some(1));
    assert_eq!(seen.len(), 4, "{err}");
    assert!(
        err.contains("HTTP 200 with a body that is not a notification envelope"),
        "{err}"
    );
    assert!(
        err.contains("\\u{1b}[2J proxy error"),
        "control characters are escaped: {err}"
    );
    let (code, _, err, _) = receive(vec![reply_with(
        302,
        &[("location", "http://elsewhere.example/")],
        "",
    )]);
    assert_eq!(code, Some(1), "redirects are not followed: {err}");
}

#[test]
fn a_refused_loopback_connection_ends_at_once_asking_for_the_emulator() {
    // A wrong port on loopback, as a wrong host elsewhere: exit 1 before any retry, for
    // receive, tail (pipelined or not) and publish alike.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    for args in [
        &["receive"][..],
        &["tail"],
        &["tail", "--no-pipeline"],
        &["publish", "--text", "hi", "--chat-id", "7900"],
    ] {
        let mut child = std_greenq(&base)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_with_limit(&mut child, Duration::from_secs(20));
        let err = read_rest(child.stderr.take());
        assert_eq!(status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("retrying in"), "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "cannot reach 127.0.0.1:{port} (connection refused; is greenq serve running on 127.0.0.1:{port}?); "
            )) && err.contains("start it, or check --"),
            "{args:?}: {err}"
        );
        assert_no_token(&[err.as_bytes()]);
    }
}

#[test]
fn deletes_are_classified_the_same_way() {
    let server = Scripted::start(
        vec![
            reply_with(502, &[("retry-after", "0")], ""),
            reply(200, r#"{"result":true,"reason":""}"#),
        ],
        reply(200, "garbage"),
    );
    let out = server.cmd().args(["delete", "9"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out.stdout), ["deleted 9"]);
    assert_eq!(server.seen()[1].method, "DELETE");
    assert_eq!(
        server.seen()[1].path,
        format!("/waInstance{INSTANCE}/deleteNotification/{TOKEN}/9")
    );
    let out = server.cmd().args(["delete", "9"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not {\"result\": true|false}"));
}
