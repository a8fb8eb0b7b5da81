//! `greenq publish`.

use std::io::Write;

use crate::support::*;

fn file(content: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(content.as_bytes()).unwrap();
    f
}

fn seqs(bodies: &[serde_json::Value]) -> Vec<u64> {
    bodies.iter().map(|b| b["seq"].as_u64().unwrap()).collect()
}

#[test]
fn publishes_ndjson_in_order_and_prints_each_id_message() {
    let emu = Emulator::start(0);
    let input: String = (1..=5)
        .map(|n| numbered("incomingMessageReceived", n) + "\n")
        .collect();
    let f = file(&input);
    let out = emu.cmd().arg("publish").arg(f.path()).output().unwrap();
    assert_exit(&out, 0);
    let expected: Vec<String> = (1..=5).map(|n| format!("{n:032X}")).collect();
    assert_eq!(lines(&out.stdout), expected);
    assert_eq!(seqs(&emu.drain()), [1, 2, 3, 4, 5]);
}

#[test]
fn takes_one_pretty_object_or_concatenated_json_from_stdin() {
    let emu = Emulator::start(0);
    let pretty = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&example("hi")).unwrap(),
    )
    .unwrap();
    let out = emu
        .cmd()
        .args(["publish", "-"])
        .write_stdin(pretty.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out.stdout), ["F7AEC1B7086ECDC7E6E45923F5EDB825"]);
    let concatenated = format!("{}{} {}", numbered("a", 1), numbered("b", 2), pretty);
    let out = emu
        .cmd()
        .arg("publish")
        .write_stdin(concatenated)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out.stdout).len(), 3);
    let bodies = emu.drain();
    assert_eq!(bodies.len(), 4);
    assert_eq!(
        bodies[0]["messageData"]["textMessageData"]["textMessage"],
        "hi"
    );
    assert_eq!(bodies[2]["seq"], 2);
}

#[test]
fn a_notification_without_id_message_prints_a_dash() {
    let emu = Emulator::start(0);
    let body = format!(
        r#"{{"typeWebhook":"stateInstanceChanged","instanceData":{{"idInstance":{INSTANCE}}},"stateInstance":"authorized"}}"#
    );
    let out = emu.cmd().arg("publish").write_stdin(body).output().unwrap();
    assert_eq!(lines(&out.stdout), ["-"]);
}

#[test]
fn invalid_json_names_file_line_and_column_and_sends_nothing() {
    let emu = Emulator::start(0);
    let f = file(&format!(
        "{}\n{}\n{{\"typeWebhook\": oops}}\n",
        numbered("a", 1),
        numbered("b", 2)
    ));
    let out = emu.cmd().arg("publish").arg(f.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = String::from_utf8_lossy(&out.stderr);
    let expected = format!(
        "greenq: error: {}:3:17: notification #3 is not valid JSON (expected value)",
        f.path().display()
    );
    assert!(err.starts_with(&expected), "{err}");
    assert!(out.stdout.is_empty());
    assert!(emu.drain().is_empty(), "nothing was sent");
}

#[test]
fn an_invalid_notification_is_named_by_index_and_line_and_nothing_is_sent() {
    let emu = Emulator::start(0);
    let bad = "{\n  \"instanceData\": {\"idInstance\": 5}\n}";
    let f = file(&format!(
        "{}\n\n{}\n{bad}\n",
        numbered("a", 1),
        numbered("b", 2)
    ));
    let out = emu.cmd().arg("publish").arg(f.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = String::from_utf8_lossy(&out.stderr);
    let expected = format!(
        "{}:4: notification #3 is invalid (typeWebhook is missing)",
        f.path().display()
    );
    assert!(err.contains(&expected), "{err}");
    assert!(err.contains("nothing was sent"));
    assert!(emu.drain().is_empty());
    for (input, problem) in [
        ("[1]", "expected a JSON object, found an array"),
        (
            r#"{"typeWebhook":"x","instanceData":{"idInstance":"1"}}"#,
            "instanceData.idInstance must be a positive integer",
        ),
        (
            r#"{"typeWebhook":7,"instanceData":{"idInstance":1}}"#,
            "typeWebhook must be a string",
        ),
    ] {
        let out = emu
            .cmd()
            .arg("publish")
            .write_stdin(input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(65), "{input}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(problem),
            "{input}"
        );
    }
}

#[test]
fn empty_input_and_missing_files_are_errors() {
    let emu = Emulator::start(0);
    let out = emu
        .cmd()
        .arg("publish")
        .write_stdin("  \n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&out.stderr).contains("<stdin> holds no notification"));
    let out = emu
        .cmd()
        .args(["publish", "/nonexistent/file.ndjson"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("greenq: error: cannot read /nonexistent/file.ndjson (")
            && err.ends_with("); check the FILE argument\n"),
        "{err}"
    );
    // The words, without the number that repeats them.
    assert!(
        err.contains("(No such file or directory); check") && !err.contains("os error"),
        "{err}"
    );
}

#[test]
fn text_builds_a_message_like_the_specification_example() {
    let emu = Emulator::start(0);
    let out = emu
        .cmd()
        .args([
            "publish",
            "--text",
            "hello from a script",
            "--chat-id",
            "79001234568",
            "--sender-name",
            "ops",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let id = lines(&out.stdout).pop().unwrap();
    assert_eq!(id.len(), 32);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)),
        "{id}"
    );
    let body = emu.drain().pop().unwrap();
    assert_eq!(body["typeWebhook"], "outgoingMessageReceived");
    assert_eq!(body["instanceData"]["idInstance"], INSTANCE);
    assert_eq!(body["idMessage"], id.as_str());
    assert_eq!(body["senderData"]["chatId"], "79001234568@c.us");
    assert_eq!(body["senderData"]["senderName"], "ops");
    assert_eq!(
        body["messageData"]["textMessageData"]["textMessage"],
        "hello from a script"
    );
    let age = jiff::Timestamp::now().as_second() - body["timestamp"].as_i64().unwrap();
    assert!((0..60).contains(&age));
    let out = emu
        .cmd()
        .args(["publish", "--text", "x", "--chat-id", "bob"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = greenq_at(&emu.url())
        .env_remove("GREEN_API_INSTANCE_ID")
        .args(["publish", "--text", "x", "--chat-id", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--text needs the instance");
}

#[test]
fn dry_run_prints_compact_notifications_and_sends_nothing() {
    let emu = Emulator::start(0);
    let pretty = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&numbered("a", 1)).unwrap(),
    )
    .unwrap();
    let out = emu
        .cmd()
        .args(["publish", "--dry-run"])
        .write_stdin(format!("{pretty}\n{}", numbered("b", 2)))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out.stdout), [numbered("a", 1), numbered("b", 2)]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was sent"));
    assert!(emu.drain().is_empty());
}

#[test]
fn a_dry_run_counts_in_words_not_with_a_parenthesised_s() {
    let emu = Emulator::start(0);
    for (input, said) in [
        (
            numbered("a", 1),
            "dry run: 1 valid notification in <stdin>; nothing was sent",
        ),
        (
            format!("{}\n{}", numbered("a", 1), numbered("b", 2)),
            "dry run: 2 valid notifications in <stdin>; nothing was sent",
        ),
    ] {
        let out = emu
            .cmd()
            .args(["publish", "--dry-run"])
            .write_stdin(input)
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{err}");
    }
    let f = file(&numbered("a", 1));
    let out = emu
        .cmd()
        .args(["publish", "--dry-run"])
        .arg(f.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dry run: 1 valid notification in "), "{err}");
}

#[test]
fn a_failure_that_outlives_the_retries_says_how_far_it_got() {
    let ok = reply(200, r#"{"result":true}"#);
    let server = Scripted::start(
        vec![ok.clone(), ok],
        reply_with(503, &[("retry-after", "0")], ""),
    );
    let input: String = (1..=4).map(|n| numbered("a", n) + "\n").collect();
    let f = file(&input);
    let out = server.cmd().arg("publish").arg(f.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        lines(&out.stdout).len(),
        2,
        "the two published ids are printed"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("published 2 of 4; #3 (line 3 of")
            && err.contains("was not published, nor anything after it"),
        "{err}"
    );
    assert!(
        !err.contains("may have arrived"),
        "503 + Retry-After refuses it: {err}"
    );
    assert!(err.contains("gave up after 3 retries"), "{err}");
    let seen = server.seen();
    assert_eq!(seen.len(), 2 + 4);
    assert!(seen.iter().all(|s| s.method == "POST" && s.path == "/"));
    let headers = seen[0].headers.to_ascii_lowercase();
    for header in [
        format!("host: {}\r\n", server.addr),
        "content-type: application/json\r\n".to_string(),
    ] {
        assert_eq!(
            headers.matches(&header).count(),
            1,
            "{header:?} in {headers}"
        );
    }
    assert_eq!(
        seen[0].body,
        numbered("a", 1).as_bytes(),
        "sent compact, as written"
    );
}

#[test]
fn credentials_and_quota_refusals_stop_publish_at_once() {
    let server = Scripted::start(
        vec![reply(200, r#"{"code":401,"description":"Unauthorized"}"#)],
        reply(466, "monthly quota exceeded"),
    );
    let out = server
        .cmd()
        .arg("publish")
        .write_stdin(numbered("a", 1))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let out = server
        .cmd()
        .arg("publish")
        .write_stdin(numbered("a", 1))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("monthly quota exceeded"));
    assert_eq!(server.seen().len(), 2, "no retries");
}

#[test]
fn large_notifications_arrive_whole() {
    // Larger than ureq's output buffer: the head and the body cannot share one write.
    let emu = Emulator::start(0);
    let texts = [
        "small".to_string(),
        "x".repeat(200 * 1024),
        "é".repeat(1024 * 1024),
    ];
    let input: String = texts.iter().map(|t| example(t) + "\n").collect();
    let out = emu
        .cmd()
        .arg("publish")
        .write_stdin(input)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let bodies = emu.drain();
    let got: Vec<&str> = bodies
        .iter()
        .map(|b| {
            b["messageData"]["textMessageData"]["textMessage"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(got, texts.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn ctrl_c_on_a_terminal_lifts_the_bar_before_the_error() {
    let ok = reply(200, r#"{"result":true}"#);
    let gate = Gate::default();
    // The second POST is answered only once greenq has said it took the signal.
    let server = Scripted::start(
        vec![ok.clone(), Step::Held(gate.clone(), Box::new(ok.clone()))],
        ok,
    );
    let input: String = (1..=50).map(|n| numbered("a", n) + "\n").collect();
    let f = file(&input);
    let mut pty = Pty::spawn(&server.url(), &["publish", f.path().to_str().unwrap()]);
    pty.wait_for("publishing [", GUARD);
    server.wait_for_requests(2, GUARD);
    pty.type_raw("\x03");
    pty.wait_for("stopping once the work in progress ends", GUARD);
    // Past indicatif's redraw limit (20 a second): the answer draws the bar once more
    // before the stop, so a bar left up would be seen. Load only lengthens the pause.
    std::thread::sleep(std::time::Duration::from_millis(100));
    gate.open();
    assert_eq!(pty.wait_exit(GUARD), 130, "{}", pty.output());
    let out = pty.output();
    // What follows the bar's last drawing starts with clearing its row: the ids and the
    // error are not written onto it.
    let last_bar = out.rfind("publishing [").expect("the bar");
    let rest = &out[last_bar..];
    let (cleared, first_id) = (rest.find("\x1b[2K"), rest.find(&format!("{:032X}", 1)));
    assert!(
        cleared.is_some() && first_id.is_some() && cleared < first_id,
        "the bar is cleared before the ids: {out:?}"
    );
    assert!(out.contains("published 2 of 50"), "{out}");
}

#[test]
fn a_publish_refused_with_a_4xx_says_it_arrived_nowhere_and_what_to_fix() {
    // The emulator hosts INSTANCE only: a notification for another one is answered 404.
    let emu = Emulator::start(0);
    let other = numbered("incomingMessageReceived", 1).replace(&INSTANCE.to_string(), "33012345");
    let f = file(&format!("{}\n{}\n", other, other));
    let out = emu.cmd().arg("publish").arg(f.path()).output().unwrap();
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("publish of #1 was rejected (HTTP 404:")
            && err.contains("#1 (line 1 of")
            && err.contains("was not published, nor anything after it")
            && err.contains("check --webhook-url"),
        "{err}"
    );
    assert!(!err.contains("may have arrived"), "{err}");
    // The body's instance decides, said once however many notifications name it.
    assert_eq!(
        err.matches(&format!(
            "#1 is for instance 33012345 (its instanceData.idInstance), not the configured {INSTANCE}: the body decides"
        ))
        .count(),
        1,
        "{err}"
    );
    assert!(emu.drain().is_empty());
    // A pipe goes the streaming way: the same verdict.
    let out = emu
        .cmd()
        .arg("publish")
        .arg("-")
        .write_stdin(other.clone())
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("#1 (line 1 of <stdin>) was not published"),
        "{err}"
    );
    assert!(!err.contains("may have arrived"), "{err}");
}

#[test]
fn a_text_publish_that_fails_gives_no_advice_about_a_file() {
    let server = Scripted::start(vec![], reply(400, r#"{"error":"bad chat"}"#));
    let out = server
        .cmd()
        .args(["publish", "--text", "hi", "--chat-id", "7900"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "publish of the --text message was rejected (HTTP 400: {\"error\":\"bad chat\"}); nothing was published;"
        ),
        "{err}"
    );
    assert!(
        !err.contains("resume") && !err.contains("FILE") && !err.contains("may have arrived"),
        "{err}"
    );
    assert_eq!(server.seen().len(), 1, "a definite refusal is not retried");
    // An answer lost after the POST went out: it may have arrived; look before sending again.
    let server = Scripted::start(vec![], Step::Drop);
    let out = server
        .cmd()
        .args(["publish", "--text", "hi", "--chat-id", "7900"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("may have arrived"), "{err}");
    assert!(!err.contains("resume") && !err.contains("FILE"), "{err}");
}
