//! `greenq tail --exec` and `--forward-to`: a notification is deleted only after the
//! command exited 0 or the hook answered 2xx (or it was set aside in the dead-letter
//! file); failed attempts are retried; nothing secret reaches the command or the hook.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::support::*;

const FORWARD_TOKEN: &str = "fwd-S3CRET-9d1e77a0";

fn seqs(bodies: &[serde_json::Value]) -> Vec<u64> {
    bodies.iter().map(|b| b["seq"].as_u64().unwrap()).collect()
}

fn publish_numbered(emu: &Emulator, kind: &str, n: usize) -> Vec<String> {
    let bodies: Vec<String> = (1..=n).map(|i| numbered(kind, i)).collect();
    emu.publish_all(&bodies);
    bodies
}

/// `sh -c SCRIPT` as the command of `--exec`, with `$D` the test's directory.
fn exec_args(dir: &Path, script: &str) -> Vec<String> {
    vec![
        "--exec".into(),
        "--".into(),
        "sh".into(),
        "-c".into(),
        format!("D='{}'; {script}", dir.display()),
    ]
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn exec_gives_the_command_the_body_and_its_variables_and_deletes_on_exit_0() {
    let emu = Emulator::numbered(0);
    let mut bodies = publish_numbered(&emu, "incomingMessageReceived", 2);
    let no_id = r#"{"typeWebhook":"stateInstanceChanged","instanceData":{"idInstance":1101000777},"timestamp":1,"stateInstance":"authorized"}"#;
    emu.publish_all(&[no_id.to_string()]);
    bodies.push(no_id.to_string());
    let dir = tempfile::tempdir().unwrap();
    let out = emu
        .cmd()
        .env("COPY_OF_THE_TOKEN", format!("x{TOKEN}x"))
        .env("GREENQ_ID_MESSAGE", "stale-from-the-parent")
        .env("GREENQ_FORWARD_TOKEN", FORWARD_TOKEN)
        .env("UNRELATED", "kept")
        .args(["tail", "-e"])
        .args(exec_args(
            dir.path(),
            r#"cat > "$D/$GREENQ_RECEIPT_ID.stdin"; env > "$D/$GREENQ_RECEIPT_ID.env"; echo "child stdout $GREENQ_RECEIPT_ID""#,
        ))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        lines(&out.stdout),
        ["child stdout 1", "child stdout 2", "child stdout 3"],
        "the child's stdout is its own"
    );
    for (i, body) in bodies.iter().enumerate() {
        let receipt = i + 1;
        let stdin = std::fs::read_to_string(dir.path().join(format!("{receipt}.stdin"))).unwrap();
        assert_eq!(
            stdin,
            format!("{body}\n"),
            "the body as the queue gave it, then a newline"
        );
        let env = std::fs::read_to_string(dir.path().join(format!("{receipt}.env"))).unwrap();
        let var = |name: &str| {
            env.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}=")))
                .map(str::to_string)
        };
        assert_eq!(var("GREENQ_RECEIPT_ID"), Some(receipt.to_string()));
        assert_eq!(var("GREENQ_ATTEMPT").as_deref(), Some("1"));
        assert_eq!(var("GREENQ_ID_INSTANCE"), Some(INSTANCE.to_string()));
        assert_eq!(var("UNRELATED").as_deref(), Some("kept"));
        let parsed: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            var("GREENQ_TYPE_WEBHOOK").as_deref(),
            parsed["typeWebhook"].as_str()
        );
        assert_eq!(
            var("GREENQ_ID_MESSAGE").as_deref(),
            parsed["idMessage"].as_str()
        );
        assert_no_token(&[env.as_bytes()]);
        assert!(!env.contains(FORWARD_TOKEN), "{env}");
        assert!(!env.contains("GREEN_API_TOKEN"), "{env}");
    }
    assert!(emu.drain().is_empty(), "all three deleted");
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "3 handled, 0 failed attempts, 0 dead-lettered, 0 duplicates, 0 skipped, 3 deleted"
        ),
        "{err}"
    );
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn failed_attempts_are_retried_after_a_growing_pause_until_the_command_succeeds() {
    let emu = Emulator::numbered(0);
    publish_numbered(&emu, "incomingMessageReceived", 2);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let out = emu
        .cmd()
        .args(["tail", "-e"])
        .args(exec_args(
            dir.path(),
            r#"echo "$GREENQ_RECEIPT_ID $GREENQ_ATTEMPT $(date +%s.%N)" >> "$D/log"; [ "$GREENQ_RECEIPT_ID" != 1 ] || [ "$GREENQ_ATTEMPT" -ge 3 ] || exit 4"#,
        ))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let seen: Vec<(String, String, f64)> = file_lines(&log)
        .iter()
        .map(|l| {
            let w: Vec<&str> = l.split(' ').collect();
            (w[0].to_string(), w[1].to_string(), w[2].parse().unwrap())
        })
        .collect();
    let order: Vec<(&str, &str)> = seen
        .iter()
        .map(|(r, a, _)| (r.as_str(), a.as_str()))
        .collect();
    assert_eq!(order, [("1", "1"), ("1", "2"), ("1", "3"), ("2", "1")]);
    let (first, second) = (seen[1].2 - seen[0].2, seen[2].2 - seen[1].2);
    assert!(first >= 0.7, "about 1 s after the first failure: {first}");
    assert!(second >= 1.45, "about 2 s after the second: {second}");
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "receipt 1: attempt 1 failed: the command exited with status 4; next attempt in"
        ),
        "{err}"
    );
    assert!(
        err.contains("2 handled, 2 failed attempts, 0 dead-lettered"),
        "{err}"
    );
    assert!(emu.drain().is_empty());
}

#[test]
fn when_the_attempts_run_out_the_notification_goes_to_the_dead_letter_file_and_is_deleted() {
    let emu = Emulator::numbered(0);
    let bodies = publish_numbered(&emu, "incomingMessageReceived", 3);
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    std::fs::write(&dead, "{\"an\":\"earlier line\"}\n").unwrap();
    let out = emu
        .cmd()
        .args(["tail", "-e", "--max-attempts", "2", "--dead-letter"])
        .arg(&dead)
        .args(exec_args(
            dir.path(),
            r#"echo "$GREENQ_RECEIPT_ID/$GREENQ_ATTEMPT" >> "$D/log"; [ "$GREENQ_RECEIPT_ID" != 2 ] || exit 7"#,
        ))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        file_lines(&dir.path().join("log")),
        ["1/1", "2/1", "2/2", "3/1"]
    );
    let dead_lines = file_lines(&dead);
    assert_eq!(dead_lines.len(), 2, "appended: {dead_lines:?}");
    let line: serde_json::Value = serde_json::from_str(&dead_lines[1]).unwrap();
    assert_eq!(line["receiptId"], 2);
    assert_eq!(line["attempts"], 2);
    assert_eq!(line["typeWebhook"], "incomingMessageReceived");
    assert_eq!(line["error"], "the command exited with status 7");
    assert_eq!(
        line["body"],
        serde_json::from_str::<serde_json::Value>(&bodies[1]).unwrap()
    );
    assert!(line["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(
        emu.drain().is_empty(),
        "the dead-lettered one was deleted too"
    );
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "2 handled, 2 failed attempts, 1 dead-lettered, 0 duplicates, 0 skipped, 3 deleted"
        ),
        "{err}"
    );
    assert!(
        err.contains("receipt 2: not handled after 2 attempts"),
        "{err}"
    );
}

#[test]
fn a_shells_command_not_found_is_named_and_one_attempt_is_singular() {
    let emu = Emulator::numbered(0);
    publish_numbered(&emu, "incomingMessageReceived", 1);
    let dir = tempfile::tempdir().unwrap();
    let out = emu
        .cmd()
        .args(["tail", "-e", "--max-attempts", "1"])
        .args(exec_args(dir.path(), "greenq-no-such-command-30c"))
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let err = text(&out.stderr);
    assert!(
        err.contains("was not handled after 1 attempt (last: the command exited with status 127 (a shell's: command not found))"),
        "{err}"
    );
    assert_eq!(emu.drain().len(), 1, "it stays queued");
}

#[test]
fn without_a_dead_letter_file_a_poison_notification_stops_tail_and_stays_at_the_head() {
    let emu = Emulator::numbered(0);
    publish_numbered(&emu, "incomingMessageReceived", 2);
    let dir = tempfile::tempdir().unwrap();
    let out = emu
        .cmd()
        .args(["tail", "-e", "--max-attempts", "1"])
        .args(exec_args(
            dir.path(),
            r#"echo "$GREENQ_RECEIPT_ID" >> "$D/log"; exit 3"#,
        ))
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_eq!(
        file_lines(&dir.path().join("log")),
        ["1"],
        "the second was never handed on"
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("greenq: error: receipt 1 (incomingMessageReceived) was not handled after 1 attempt (last: the command exited with status 3); it stays at the head of the queue"),
        "{err}"
    );
    assert!(
        err.contains("`greenq receive`")
            && err.contains("greenq delete 1")
            && err.contains("--dead-letter FILE"),
        "{err}"
    );
    assert!(
        err.contains("0 handled, 1 failed attempts, 0 dead-lettered"),
        "{err}"
    );
    assert_eq!(
        seqs(&emu.drain()),
        [1, 2],
        "nothing deleted, the poison still first"
    );
}

#[test]
fn a_command_past_its_timeout_gets_sigterm_then_sigkill_and_the_attempt_fails() {
    let emu = Emulator::numbered(0);
    publish_numbered(&emu, "incomingMessageReceived", 2);
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    // The first one stops on SIGTERM; the second ignores it and must be killed.
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
        .args(exec_args(
            dir.path(),
            r#"[ "$GREENQ_RECEIPT_ID" = 1 ] || trap '' TERM; exec sleep 60"#,
        ))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let errors: Vec<String> = file_lines(&dead)
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["error"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        errors,
        [
            "timed out after 1 s (--handler-timeout); stopped with SIGTERM",
            "timed out after 1 s (--handler-timeout); killed with SIGKILL 5 s after SIGTERM"
        ]
    );
    assert!(emu.drain().is_empty());
}

#[test]
fn duplicates_are_handed_on_again_without_dedupe_and_deleted_unhandled_with_it() {
    let status = |s: &str| {
        serde_json::json!({
            "typeWebhook": "outgoingMessageStatus",
            "instanceData": {"idInstance": INSTANCE},
            "timestamp": 1, "idMessage": "BAE5F4886F3D5AC0", "status": s
        })
        .to_string()
    };
    let message = example("once");
    let queue = [
        message.clone(),
        status("sent"),
        message.clone(),
        status("delivered"),
        status("sent"),
    ];
    for dedupe in [false, true] {
        let emu = Emulator::numbered(0);
        emu.publish_all(&queue);
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = emu.cmd();
        cmd.args(["tail", "-e"]);
        if dedupe {
            cmd.arg("--dedupe");
        }
        let out = cmd
            .args(exec_args(
                dir.path(),
                r#"echo "$GREENQ_RECEIPT_ID" >> "$D/log""#,
            ))
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let handed: Vec<String> = file_lines(&dir.path().join("log"));
        let err = text(&out.stderr);
        if dedupe {
            assert_eq!(
                handed,
                ["1", "2", "4"],
                "sent and delivered differ; the repeats do not"
            );
            assert!(err.contains("3 handled, 0 failed attempts, 0 dead-lettered, 2 duplicates, 0 skipped, 5 deleted"), "{err}");
            assert!(err.contains("receipt 3: a duplicate"), "{err}");
        } else {
            assert_eq!(handed, ["1", "2", "3", "4", "5"]);
            assert!(
                err.contains("5 handled, 0 failed attempts, 0 dead-lettered, 0 duplicates"),
                "{err}"
            );
        }
        assert!(emu.drain().is_empty());
    }
    // Printing dedupes too.
    let emu = Emulator::numbered(0);
    emu.publish_all(&[message.clone(), message.clone()]);
    let out = emu.cmd().args(["tail", "-e", "--dedupe"]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(lines(&out.stdout), [message]);
    assert!(text(&out.stderr).contains("1 printed, 0 skipped, 1 duplicates, 2 deleted"));
}

#[test]
fn count_counts_handled_and_type_skips_unhandled_in_exec_mode() {
    let emu = Emulator::numbered(0);
    emu.publish_all(&[
        numbered("stateInstanceChanged", 1),
        numbered("incomingMessageReceived", 2),
        numbered("incomingMessageReceived", 3),
        numbered("incomingMessageReceived", 4),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let out = emu
        .cmd()
        .args(["tail", "-n", "2", "--type", "incomingMessageReceived"])
        .args(exec_args(
            dir.path(),
            r#"echo "$GREENQ_RECEIPT_ID" >> "$D/log""#,
        ))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(file_lines(&dir.path().join("log")), ["2", "3"]);
    assert!(text(&out.stderr).contains(
        "2 handled, 0 failed attempts, 0 dead-lettered, 0 duplicates, 1 skipped, 3 deleted"
    ));
    assert_eq!(seqs(&emu.drain()), [4]);
}

#[test]
fn forward_posts_each_body_byte_for_byte_with_its_headers_and_never_the_api_token() {
    let emu = Emulator::numbered(0);
    let bodies = publish_numbered(&emu, "incomingMessageReceived", 2);
    let hook = Scripted::start(Vec::new(), reply(200, "ok"));
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("hook-token");
    std::fs::write(
        &token_file,
        format!("{FORWARD_TOKEN}\nsecond line ignored\n"),
    )
    .unwrap();
    for (how, json) in [("env", true), ("file", false)] {
        if how == "env" {
            emu.publish_all(&[]);
        } else {
            emu.publish_all(&bodies);
        }
        let mut cmd = emu.cmd();
        cmd.args(["-v", "tail", "-e", "--forward-to"])
            .arg(format!("{}/webhook?k=1", hook.url()))
            .args(["-H", "X-Bot: support", "--header", "X-Other:two"]);
        cmd.args(["--format", if json { "json" } else { "text" }]);
        match how {
            "env" => cmd.env("GREENQ_FORWARD_TOKEN", FORWARD_TOKEN),
            _ => cmd.arg("--forward-token-file").arg(&token_file),
        };
        let out = cmd.output().unwrap();
        assert_exit(&out, 0);
        let seen = hook.seen();
        let posts = &seen[seen.len() - 2..];
        for (i, post) in posts.iter().enumerate() {
            assert_eq!(post.method, "POST");
            assert_eq!(post.path, "/webhook?k=1");
            assert_eq!(post.body, bodies[i].as_bytes(), "byte for byte");
            let h = post.headers.to_ascii_lowercase();
            for expected in [
                "content-type: application/json\r\n".to_string(),
                format!(
                    "authorization: bearer {}\r\n",
                    FORWARD_TOKEN.to_ascii_lowercase()
                ),
                "x-bot: support\r\n".into(),
                "x-other: two\r\n".into(),
                format!(
                    "x-greenq-receipt-id: {}\r\n",
                    if how == "env" { i + 1 } else { i + 3 }
                ),
                "x-greenq-attempt: 1\r\n".into(),
                "user-agent: greenq/".into(),
            ] {
                assert!(h.contains(&expected), "{expected:?} in {h}");
            }
            assert_no_token(&[post.headers.as_bytes()]);
            assert!(!post.headers.contains("waInstance"));
        }
        let stdout = lines(&out.stdout);
        assert_eq!(stdout.len(), 2, "one line per delivery: {stdout:?}");
        if json {
            let line: serde_json::Value = serde_json::from_str(&stdout[0]).unwrap();
            assert_eq!(line["receiptId"], 1);
            assert_eq!(line["status"], 200);
            assert_eq!(line["attempt"], 1);
            assert_eq!(line["typeWebhook"], "incomingMessageReceived");
            assert!(line["ms"].is_u64() && line["time"].is_string());
        } else {
            assert!(
                stdout[0].contains(" incomingMessageReceived 3 200 "),
                "{}",
                stdout[0]
            );
            assert!(stdout[0].ends_with(" ms"), "{}", stdout[0]);
        }
        let err = text(&out.stderr);
        assert!(
            err.contains("POST http://") && err.contains("/webhook 200"),
            "-v: {err}"
        );
        assert!(!err.contains("k=1"), "the query is not shown: {err}");
        assert!(err.contains("2 handled, 0 failed attempts"), "{err}");
        for output in [&out.stdout, &out.stderr] {
            assert_no_token(&[output]);
            assert!(!text(output).contains(FORWARD_TOKEN), "{}", text(output));
        }
        assert!(emu.drain().is_empty());
    }
}

#[test]
fn a_refusing_hook_is_retried_then_dead_lettered_and_its_answer_is_redacted() {
    let emu = Emulator::numbered(0);
    publish_numbered(&emu, "incomingMessageReceived", 2);
    let hook = Scripted::start(
        vec![
            reply(500, &format!("echoing {TOKEN} and Bearer {FORWARD_TOKEN}")),
            reply_with(302, &[("location", "http://elsewhere.example/")], ""),
        ],
        reply(204, ""),
    );
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let out = emu
        .cmd()
        .env("GREENQ_FORWARD_TOKEN", FORWARD_TOKEN)
        .args([
            "tail",
            "-e",
            "--max-attempts",
            "2",
            "--format",
            "json",
            "--dead-letter",
        ])
        .arg(&dead)
        .arg("--forward-to")
        .arg(format!("{}/hook", hook.url()))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let attempts: Vec<(String, String)> = hook
        .seen()
        .iter()
        .map(|s| {
            let h = s.headers.to_ascii_lowercase();
            let get = |name: &str| {
                h.lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                    .unwrap_or("")
                    .to_string()
            };
            (get("x-greenq-receipt-id"), get("x-greenq-attempt"))
        })
        .collect();
    let want = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        attempts,
        [want("1", "1"), want("1", "2"), want("2", "1")],
        "the redirect was not followed"
    );
    let dead_text = std::fs::read_to_string(&dead).unwrap();
    let line: serde_json::Value = serde_json::from_str(dead_text.trim()).unwrap();
    assert_eq!(line["receiptId"], 1);
    assert_eq!(
        line["error"],
        "HTTP 302 from the hook (redirects are not followed)"
    );
    let statuses: Vec<u64> = lines(&out.stdout)
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["status"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(statuses, [500, 302, 204]);
    let err = text(&out.stderr);
    assert!(
        err.contains("attempt 1 failed: HTTP 500 from the hook: echoing *** and Bearer ***"),
        "{err}"
    );
    assert!(
        err.contains("1 handled, 2 failed attempts, 1 dead-lettered"),
        "{err}"
    );
    for output in [&out.stdout, &out.stderr, dead_text.as_bytes()] {
        assert_no_token(&[output]);
        assert!(!text(output).contains(FORWARD_TOKEN));
    }
    assert!(emu.drain().is_empty());
}

#[test]
fn a_hook_that_does_not_answer_within_the_handler_timeout_fails_the_attempt() {
    let emu = Emulator::start(0);
    publish_numbered(&emu, "incomingMessageReceived", 1);
    let hook = Scripted::start(
        vec![Step::Slow(
            Duration::from_secs(30),
            Box::new(reply(200, "late")),
        )],
        reply(200, "ok"),
    );
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
        .arg("--forward-to")
        .arg(format!("{}/hook", hook.url()))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let line: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&dead).unwrap().trim()).unwrap();
    assert_eq!(
        line["error"],
        "the hook did not answer within 1 s (--handler-timeout)"
    );
    assert!(emu.drain().is_empty());
}

#[test]
fn a_hook_that_is_down_at_first_is_waited_for_without_counting_attempts() {
    let emu = Emulator::start(0);
    publish_numbered(&emu, "incomingMessageReceived", 1);
    let addr = unused_addr();
    let mut child = std_greenq(&emu.url())
        .args(["tail", "-e", "--max-attempts", "1", "--forward-to"])
        .arg(format!("http://{addr}/hook"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = StderrLines::new(child.stderr.take().unwrap());
    let line = err.wait_for("is unreachable", Duration::from_secs(20));
    assert!(
        line.contains("not counted as an attempt") && line.contains(&addr.to_string()),
        "{line}"
    );
    // Said plainly, not as "io: Connection refused (os error 111)".
    assert!(
        line.contains(&format!(
            "the hook is unreachable (http://{addr}/hook: connection refused; is your handler listening there?); trying again in "
        )),
        "{line}"
    );
    err.wait_for("is unreachable", Duration::from_secs(20));
    let hook = Scripted::start_on(addr, Vec::new(), reply(200, "ok"));
    let status = wait_with_limit(&mut child, Duration::from_secs(30));
    let rest = err.rest();
    assert_eq!(status.code(), Some(0), "{rest}");
    let seen = hook.seen();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0]
            .headers
            .to_ascii_lowercase()
            .contains("x-greenq-attempt: 1\r\n")
    );
    assert!(
        rest.contains("1 handled, 0 failed attempts, 0 dead-lettered"),
        "{rest}"
    );
    assert!(emu.drain().is_empty());
}

#[test]
fn ctrl_c_lets_a_post_in_flight_finish_and_deletes_what_the_hook_accepted() {
    let emu = Emulator::start(0);
    publish_numbered(&emu, "incomingMessageReceived", 2);
    // The hook answers the first POST only once greenq has taken the signal.
    let gate = Gate::default();
    let hook = Scripted::start(
        vec![Step::Held(gate.clone(), Box::new(reply(200, "ok")))],
        reply(200, "ok"),
    );
    let mut child = std_greenq(&emu.url())
        .args(["tail", "--forward-to"])
        .arg(format!("{}/hook", hook.url()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = StderrLines::new(child.stderr.take().unwrap());
    wait_until(GUARD, "the first POST", || !hook.seen().is_empty());
    send_signal(&child, libc::SIGINT);
    lines.wait_for("stopping once the work in progress ends", GUARD);
    // Past the 2 s in which the API's requests may finish: the hook's POST is not cut.
    // A lower bound only (load can lengthen it, never shorten it).
    std::thread::sleep(Duration::from_millis(2500));
    gate.open();
    let status = wait_with_limit(&mut child, GUARD);
    let err = lines.rest();
    assert_eq!(status.code(), Some(130), "{err}");
    assert_eq!(hook.seen().len(), 1, "nothing more was posted");
    assert!(err.contains("interrupted: 1 handled, 0 failed attempts, 0 dead-lettered, 0 duplicates, 0 skipped, 1 deleted"), "{err}");
    let out = read_rest(child.stdout.take());
    assert_eq!(out.lines().count(), 1, "{out}");
    assert_eq!(seqs(&emu.drain()), [2]);
}

#[test]
fn ctrl_c_on_a_terminal_says_the_stop_waits_for_the_command_before_the_summary() {
    let emu = Emulator::start(0);
    publish_numbered(&emu, "incomingMessageReceived", 1);
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "D='{}'; touch \"$D/started\"; exec sleep 60",
        dir.path().display()
    );
    let mut pty = Pty::spawn(&emu.url(), &["tail", "--exec", "--", "sh", "-c", &script]);
    wait_until(GUARD, "the command to start", || {
        dir.path().join("started").exists()
    });
    pty.type_raw("\x03");
    assert_eq!(pty.wait_exit(GUARD), 130, "{}", pty.output());
    let out = pty.output();
    let said = out.find("stopping once the work in progress ends; Ctrl-C again exits at once");
    let summary = out.find("interrupted: 0 handled");
    assert!(
        said.is_some() && summary.is_some() && said < summary,
        "said first, then the summary:\n{out}"
    );
    assert_eq!(
        seqs(&emu.drain()),
        [1],
        "the stopped command's notification stays"
    );
}

/// greenq in a process group of its own, as a shell runs a foreground job, so that
/// Ctrl-C (SIGINT to the group) reaches greenq and its command alike.
fn exec_in_own_group(emu: &Emulator, dir: &Path, script: &str) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    std_greenq(&emu.url())
        .args(["tail"])
        .args(exec_args(dir, script))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn ctrl_c_to_group(child: &std::process::Child) {
    // SAFETY: kill(2) on the process group our child leads; no memory effects.
    let rc = unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGINT) };
    assert_eq!(rc, 0);
}

#[test]
fn ctrl_c_reaches_the_command_and_what_it_finished_is_deleted_with_130() {
    // The command finishes its work on SIGINT: at once, and after the grace the API
    // connection gets (the delete then goes on a connection of its own).
    for finish in ["", "sleep 3;"] {
        let emu = Emulator::numbered(0);
        publish_numbered(&emu, "incomingMessageReceived", 2);
        let dir = tempfile::tempdir().unwrap();
        let script = format!(
            r#"trap '{finish} echo finished >> "$D/log"; exit 0' INT; echo "started $GREENQ_RECEIPT_ID" >> "$D/log"; while :; do sleep 0.05; done"#
        );
        let mut child = exec_in_own_group(&emu, dir.path(), &script);
        let log = dir.path().join("log");
        wait_until(Duration::from_secs(20), "the command to start", || {
            file_lines(&log).contains(&"started 1".to_string())
        });
        ctrl_c_to_group(&child);
        let status = wait_with_limit(&mut child, Duration::from_secs(20));
        let err = read_rest(child.stderr.take());
        assert_eq!(status.code(), Some(130), "{err}");
        assert_eq!(file_lines(&log), ["started 1", "finished"]);
        assert!(err.contains("interrupted: 1 handled, 0 failed attempts, 0 dead-lettered, 0 duplicates, 0 skipped, 1 deleted"), "{finish}: {err}");
        assert_eq!(
            seqs(&emu.drain()),
            [2],
            "the finished one deleted, the next not handed on"
        );
    }
}

#[test]
fn ctrl_c_that_kills_the_command_keeps_its_notification() {
    let emu = Emulator::start(0);
    publish_numbered(&emu, "incomingMessageReceived", 2);
    let dir = tempfile::tempdir().unwrap();
    let mut child = exec_in_own_group(
        &emu,
        dir.path(),
        r#"echo "started $GREENQ_ATTEMPT" >> "$D/log"; exec sleep 60"#,
    );
    let log = dir.path().join("log");
    wait_until(Duration::from_secs(20), "the command to start", || {
        !file_lines(&log).is_empty()
    });
    ctrl_c_to_group(&child);
    let status = wait_with_limit(&mut child, Duration::from_secs(20));
    let err = read_rest(child.stderr.take());
    assert_eq!(status.code(), Some(130), "{err}");
    assert_eq!(
        file_lines(&log),
        ["started 1"],
        "no further attempt after Ctrl-C"
    );
    // Killed by the same Ctrl-C that stops greenq: not the command's fault, so not a failed
    // attempt (with --max-attempts it would otherwise be set aside and deleted).
    assert!(
        err.contains("interrupted: 0 handled, 0 failed attempts"),
        "{err}"
    );
    assert_eq!(seqs(&emu.drain()), [1, 2], "nothing deleted");
}

#[test]
fn bad_consumer_flags_are_usage_errors_that_change_nothing() {
    let emu = Emulator::start(0);
    publish_numbered(&emu, "incomingMessageReceived", 1);
    let dir = tempfile::tempdir().unwrap();
    let missing_dir: PathBuf = dir.path().join("no/such/dir/dead.ndjson");
    type Case<'a> = (Vec<String>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (vec!["--exec".into()], vec![], "<CMD>"),
        (vec!["--".into(), "true".into()], vec![], "--exec"),
        (
            vec!["--max-attempts".into(), "2".into()],
            vec![],
            "--exec|--forward-to",
        ),
        (
            vec![
                "--forward-to".into(),
                "http://127.0.0.1:9/".into(),
                "--dead-letter".into(),
                "x".into(),
            ],
            vec![],
            "--max-attempts",
        ),
        (
            vec!["--forward-to".into(), "ftp://127.0.0.1/".into()],
            vec![],
            "--forward-to is not a usable URL",
        ),
        (
            vec!["--forward-to".into(), "http://hooks.example/".into()],
            vec![],
            "plain http://",
        ),
        (
            vec![
                "--forward-to".into(),
                "http://127.0.0.1:9/".into(),
                "-H".into(),
                "no colon".into(),
            ],
            vec![],
            "-H/--header",
        ),
        (
            vec!["--forward-to".into(), "http://127.0.0.1:9/".into()],
            vec![("GREENQ_FORWARD_TOKEN", "has space")],
            "the forward token from GREENQ_FORWARD_TOKEN is malformed",
        ),
        (
            vec![
                "--forward-to".into(),
                "http://127.0.0.1:9/".into(),
                "-H".into(),
                "Authorization: x".into(),
            ],
            vec![("GREENQ_FORWARD_TOKEN", FORWARD_TOKEN)],
            "two Authorization headers",
        ),
        (
            vec![
                "--max-attempts".into(),
                "1".into(),
                "--dead-letter".into(),
                missing_dir.display().to_string(),
                "--exec".into(),
                "--".into(),
                "true".into(),
            ],
            vec![],
            "cannot open the dead-letter file",
        ),
        (
            vec!["--exec".into(), "--".into(), "/no/such/command".into()],
            vec![],
            "cannot run `/no/such/command`",
        ),
    ];
    for (args, env, needle) in cases {
        let mut cmd = emu.cmd();
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let out = cmd.args(["tail", "-e"]).args(&args).output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(
            !err.contains(FORWARD_TOKEN) && !err.contains("has space"),
            "{err}"
        );
        assert_no_token(&[&out.stdout, &out.stderr]);
    }
    assert_eq!(seqs(&emu.drain()), [1], "nothing was deleted");
}

#[test]
fn an_exec_command_that_cannot_run_fails_at_start_before_any_receive() {
    // The queue is empty and would stay so: the old tail waited here until a notification came.
    let server = Scripted::start(vec![], hang());
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("handler.sh");
    std::fs::write(&plain, "#!/bin/sh\nexit 0\n").unwrap();
    let plain = plain.display().to_string();
    let cases: [(&str, &str); 5] = [
        ("./typo.sh", "cannot run `./typo.sh` (no such file)"),
        (
            "greenq-no-such-program",
            "cannot run `greenq-no-such-program` (not found on PATH)",
        ),
        (&plain, "is not executable"),
        ("/", "is a directory"),
        ("", "the command after --exec -- is empty"),
    ];
    for (command, needle) in cases {
        let mut child = std_greenq(&server.url())
            .current_dir(dir.path())
            .args(["tail", "--exec", "--", command])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_with_limit(&mut child, Duration::from_secs(20));
        let err = read_rest(child.stderr.take());
        assert_eq!(status.code(), Some(2), "{command}: {err}");
        assert!(
            err.contains(needle) && err.contains("--exec --"),
            "{command}: {err}"
        );
    }
    assert!(server.seen().is_empty(), "nothing was received");
}
