//! The queue as a whole: `greenq count`, `greenq purge` (its confirmation on a real
//! terminal, the once-a-minute answer, a lost answer never sent again), and the bar of
//! `tail -e` over a backlog.

use std::time::Duration;

use crate::support::*;

const LIMIT: Duration = Duration::from_secs(30);

fn emulator_with(n: usize, extra: &[&str]) -> Emulator {
    let accept = format!("{INSTANCE}:{TOKEN}");
    let mut args = vec!["--wait", "0", "--accept", &accept];
    args.extend_from_slice(extra);
    let emu = Emulator::start_with(&args);
    let bodies: Vec<String> = (0..n)
        .map(|i| numbered("incomingMessageReceived", i))
        .collect();
    emu.publish_all(&bodies);
    emu
}

fn queued(emu: &Emulator) -> usize {
    emu.drain().len()
}

fn clears(server: &Scripted) -> usize {
    server
        .seen()
        .iter()
        .filter(|s| s.path.contains("/clearWebhooksQueue/"))
        .count()
}

#[test]
fn count_prints_the_number_alone_or_json() {
    let emu = emulator_with(3, &[]);
    let out = emu.cmd().arg("count").output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "3\n");
    let out = emu
        .cmd()
        .args(["count", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, serde_json::json!({"count": 3, "instance": INSTANCE}));
    assert_eq!(queued(&emu), 3, "count takes nothing");
}

#[test]
fn the_emulator_can_give_a_stale_count_as_the_service_does() {
    let emu = emulator_with(0, &["--count-refresh", "3600"]);
    let count =
        || String::from_utf8_lossy(&emu.cmd().arg("count").output().unwrap().stdout).into_owned();
    assert_eq!(count(), "0\n");
    emu.publish_all(&[example("late")]);
    assert_eq!(count(), "0\n", "refreshed once an hour");
}

#[test]
fn count_with_a_wrong_token_exits_4() {
    let emu = emulator_with(0, &[]);
    let out = emu
        .cmd()
        .env("GREEN_API_TOKEN", "wrong-token")
        .arg("count")
        .output()
        .unwrap();
    assert_exit(&out, 4);
}

#[test]
fn count_says_what_an_odd_answer_was() {
    // The look-alike spelling of one translation of the docs is not what the service sends.
    let server = Scripted::start(vec![reply(200, "{\"\u{441}ount\": 3}")], reply(500, ""));
    let out = server.cmd().arg("count").output().unwrap();
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\u{441}ount") && err.contains("getWebhooksCount"),
        "{err}"
    );
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn purge_without_a_terminal_needs_yes_and_clears_nothing() {
    let emu = emulator_with(2, &[]);
    let out = emu.cmd().arg("purge").output().unwrap();
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--yes") && err.contains("nothing was cleared"),
        "{err}"
    );
    assert_eq!(queued(&emu), 2);
}

#[test]
fn purge_yes_clears_and_says_how_many_waited() {
    let emu = emulator_with(3, &[]);
    let out = emu.cmd().args(["purge", "--yes"]).output().unwrap();
    assert_exit(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("cleared") && text.contains("3 were waiting"),
        "{text}"
    );
    assert_eq!(queued(&emu), 0);
}

#[test]
fn a_second_clear_within_the_minute_is_refused_and_takes_nothing() {
    let emu = emulator_with(1, &[]);
    assert_exit(&emu.cmd().args(["purge", "--yes"]).output().unwrap(), 0);
    emu.publish_all(&[example("after")]);
    let out = emu.cmd().args(["purge", "--yes"]).output().unwrap();
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the service allows one clear a minute: try again in ")
            && err.contains("--wait"),
        "{err}"
    );
    assert_eq!(queued(&emu), 1);
}

#[test]
fn wait_waits_out_the_interval_and_tries_once_more() {
    let emu = emulator_with(1, &["--clear-interval", "1"]);
    assert_exit(&emu.cmd().args(["purge", "--yes"]).output().unwrap(), 0);
    emu.publish_all(&[example("after")]);
    let out = emu
        .cmd()
        .args(["purge", "--yes", "--wait"])
        .timeout(LIMIT)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("waiting 1 s"), "{err}");
    assert_eq!(queued(&emu), 0);
}

#[test]
fn wait_after_no_time_left_still_pauses_a_second_before_the_next_clear() {
    let server = Scripted::start(
        vec![
            reply(200, r#"{"count":5}"#),
            reply(
                200,
                r#"{"isCleared":false,"reason":"Too many requests","leftTime":0}"#,
            ),
        ],
        reply(200, r#"{"isCleared":true,"reason":""}"#),
    );
    let out = server
        .cmd()
        .args(["purge", "--yes", "--wait"])
        .timeout(LIMIT)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let sent: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|s| s.path.contains("/clearWebhooksQueue/"))
        .map(|s| s.at)
        .collect();
    assert_eq!(sent.len(), 2, "once more after the wait");
    let gap = sent[1] - sent[0];
    assert!(
        gap >= Duration::from_secs(1),
        "the second clear came {gap:?} after the first"
    );
}

#[test]
fn a_clear_whose_answer_was_lost_is_sent_once_and_may_have_cleared() {
    let lost = [
        ("dropped", Step::Drop),
        (
            "cut short",
            Step::CutShort {
                status: 200,
                body: "{\"isCleared\"".into(),
            },
        ),
        ("502", reply(502, "")),
        // A 2xx, so perhaps done, that is not the documented answer.
        ("an HTML page", reply(200, "<html>proxy</html>")),
        ("an array", reply(200, "[true]")),
    ];
    for (name, step) in lost {
        let server = Scripted::start(
            vec![reply(200, r#"{"count":5}"#), step],
            reply(200, r#"{"isCleared":true,"reason":""}"#),
        );
        let out = server
            .cmd()
            .args(["purge", "--yes"])
            .timeout(LIMIT)
            .output()
            .unwrap();
        assert_exit(&out, 1);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("the queue may have been cleared") && err.contains("greenq count"),
            "{name}: {err}"
        );
        assert_eq!(clears(&server), 1, "{name}: the clear is never sent again");
        assert_no_token(&[&out.stdout, &out.stderr]);
    }
}

#[test]
fn a_clear_refused_with_429_is_sent_again() {
    let server = Scripted::start(
        vec![
            reply(200, r#"{"count":5}"#),
            reply_with(429, &[("retry-after", "0")], ""),
        ],
        reply(200, r#"{"isCleared":true,"reason":""}"#),
    );
    let out = server
        .cmd()
        .args(["purge", "--yes"])
        .timeout(LIMIT)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(clears(&server), 2);
}

#[test]
fn purge_on_a_terminal_clears_once_the_instance_id_is_typed_back() {
    let emu = emulator_with(4, &[]);
    let head = emu.head().map(|h| h.0);
    assert!(head.is_some());
    let mut pty = Pty::spawn(&emu.url(), &["purge"]);
    pty.wait_for("type the instance id", LIMIT);
    assert!(
        pty.output().contains("holds 4 notifications"),
        "{}",
        pty.output()
    );
    assert_eq!(
        emu.head().map(|h| h.0),
        head,
        "nothing cleared before the answer"
    );
    pty.type_line(&INSTANCE.to_string());
    assert_eq!(pty.wait_exit(LIMIT), 0, "{}", pty.output());
    pty.wait_for("4 were waiting", LIMIT);
    assert_eq!(queued(&emu), 0);
    assert_no_token(&[pty.output().as_bytes()]);
}

#[test]
fn purges_prompt_for_one_notification_reads_in_the_singular() {
    let emu = emulator_with(1, &[]);
    let mut pty = Pty::spawn(&emu.url(), &["purge"]);
    pty.wait_for("type the instance id", LIMIT);
    assert!(
        pty.output().contains(
            "holds 1 notification (the service's count, up to 10 s old); clearing drops it, unread."
        ),
        "{}",
        pty.output()
    );
    pty.type_line("1101000001");
    assert_eq!(pty.wait_exit(LIMIT), 2, "{}", pty.output());
    assert_eq!(queued(&emu), 1);
}

#[test]
fn purge_on_a_terminal_keeps_the_queue_when_another_id_is_typed() {
    let emu = emulator_with(2, &[]);
    let mut pty = Pty::spawn(&emu.url(), &["purge"]);
    pty.wait_for("type the instance id", LIMIT);
    pty.type_line("1101000001");
    assert_eq!(pty.wait_exit(LIMIT), 2, "{}", pty.output());
    pty.wait_for("nothing was cleared", LIMIT);
    assert_eq!(queued(&emu), 2);
}

#[test]
fn tail_e_on_a_terminal_shows_done_of_total() {
    let emu = emulator_with(40, &[]);
    let mut pty = Pty::spawn(&emu.url(), &["tail", "-e", "--format", "text"]);
    assert_eq!(pty.wait_exit(LIMIT), 0, "{}", pty.output());
    let out = pty.output();
    assert!(out.contains("draining [") && out.contains("/40 "), "{out}");
    assert_eq!(queued(&emu), 0);
}

#[test]
fn the_bar_counts_what_was_done_while_the_next_receive_waits() {
    // 40 waiting; one comes and is deleted, then the long poll waits (for good): the bar
    // is up with 1/40 however slowly the machine draws it.
    let server = Scripted::start(
        vec![
            reply(200, r#"{"count":40}"#),
            envelope(1, &example("x")),
            reply(200, r#"{"result":true}"#),
        ],
        hang(),
    );
    let mut pty = Pty::spawn(&server.url(), &["tail", "-e", "--format", "text"]);
    pty.wait_for("1/40", LIMIT);
    pty.type_raw("\x03");
    assert_eq!(pty.wait_exit(LIMIT), 130, "{}", pty.output());
    assert!(pty.output().contains("draining ["), "{}", pty.output());
}

#[test]
fn tail_without_e_shows_the_depth_on_its_spinner() {
    // The count says 1,234; the long poll then waits (for good), so the spinner is up
    // however slowly the machine draws it.
    let server = Scripted::start(vec![reply(200, r#"{"count":1234}"#)], hang());
    let mut pty = Pty::spawn(&server.url(), &["tail", "--format", "text"]);
    pty.wait_for("≈ 1,234 waiting", LIMIT);
    pty.type_raw("\x03");
    assert_eq!(pty.wait_exit(LIMIT), 130, "{}", pty.output());
    let seen = server.seen();
    assert!(
        seen[0].path.contains("/getWebhooksCount/"),
        "{}",
        seen[0].path
    );
}

#[test]
fn no_bar_with_quiet_in_a_pipe_or_when_the_count_cannot_be_read() {
    let emu = emulator_with(5, &[]);
    let mut pty = Pty::spawn(&emu.url(), &["-q", "tail", "-e", "--format", "text"]);
    assert_eq!(pty.wait_exit(LIMIT), 0, "{}", pty.output());
    assert!(!pty.output().contains("draining"), "{}", pty.output());

    emu.publish_all(&[example("piped")]);
    let out = emu.cmd().args(["tail", "-e"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("draining"));

    // The count answers 404: the drain goes on as before, with no error said.
    let server = Scripted::start(
        vec![
            reply(404, "{}"),
            envelope(1, &example("x")),
            reply(200, r#"{"result":true}"#),
        ],
        reply(200, "null"),
    );
    let mut pty = Pty::spawn(&server.url(), &["tail", "-e", "--format", "text"]);
    let code = pty.wait_exit(LIMIT);
    let paths: Vec<String> = server.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(code, 0, "{paths:?} {}", pty.output());
    let out = pty.output();
    assert!(!out.contains("draining") && !out.contains("error"), "{out}");
    assert!(
        server
            .seen()
            .iter()
            .any(|s| s.path.contains("/getWebhooksCount/")),
        "the count was asked for"
    );
}

/// Status and body of one request straight to the emulator (not through greenq).
fn raw(base: &str, method: &str, path: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    let url = format!("{base}{path}");
    let mut resp = match method {
        "DELETE" => agent.delete(&url).call(),
        "POST" => agent.post(&url).send(""),
        _ => agent.get(&url).call(),
    }
    .expect("request");
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    (resp.status().as_u16(), body)
}

#[test]
fn the_emulator_serves_both_methods_with_the_queue_rules() {
    let emu = emulator_with(2, &[]);
    let base = emu.url();
    let count = format!("/waInstance{INSTANCE}/getWebhooksCount/{TOKEN}");
    let clear = format!("/waInstance{INSTANCE}/clearWebhooksQueue/{TOKEN}");
    assert_eq!(raw(&base, "GET", &count), (200, r#"{"count":2}"#.into()));
    assert_eq!(
        raw(
            &base,
            "GET",
            &format!("/waInstance{INSTANCE}/getWebhooksCount/wrong")
        )
        .0,
        401
    );
    assert_eq!(
        raw(
            &base,
            "DELETE",
            &format!("/waInstance1/clearWebhooksQueue/{TOKEN}")
        )
        .0,
        403
    );
    assert_eq!(raw(&base, "POST", &count).0, 405);
    assert_eq!(raw(&base, "GET", &clear).0, 405);
    assert_eq!(queued(&emu), 2, "nothing refused took anything");

    let starting = Emulator::start_with(&[
        "--accept",
        &format!("{INSTANCE}:{TOKEN}"),
        "--instance-state",
        "starting",
    ]);
    for (method, path) in [("GET", &count), ("DELETE", &clear)] {
        let (status, body) = raw(&starting.url(), method, path);
        assert_eq!(status, 400, "{method}");
        assert!(body.contains("starting"), "{body}");
    }
}

#[test]
fn the_emulator_logs_both_methods_and_injects_faults_into_them() {
    let mut child = std::process::Command::new(bin())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "-v",
            "--faults",
            "1",
            "--seed",
            "7",
        ])
        .args(["--accept", &format!("{INSTANCE}:{TOKEN}")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn greenq serve");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).expect("first line");
    let base = first
        .trim()
        .strip_prefix("listening on ")
        .expect("address")
        .to_string();
    for (method, name) in [
        ("GET", "getWebhooksCount"),
        ("DELETE", "clearWebhooksQueue"),
    ] {
        let path = format!("/waInstance{INSTANCE}/{name}/{TOKEN}");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .into();
        // Every request meets a fault: an answer or none, either is fine here.
        let url = format!("{base}{path}");
        let _ = if method == "GET" {
            agent.get(&url).call()
        } else {
            agent.delete(&url).call()
        };
    }
    let _ = child.kill();
    let _ = child.wait();
    let log = read_rest(child.stderr.take());
    assert_no_token(&[log.as_bytes()]);
    for name in ["getWebhooksCount", "clearWebhooksQueue"] {
        assert!(
            log.lines()
                .any(|l| l.contains("fault: ") && l.contains(&format!("/{name}/***"))),
            "{name}: {log}"
        );
    }
}

#[test]
fn ctrl_c_at_purges_prompt_clears_nothing() {
    let emu = emulator_with(2, &[]);
    let mut pty = Pty::spawn(&emu.url(), &["purge"]);
    pty.wait_for("type the instance id", LIMIT);
    // ^C on the terminal: its line discipline sends SIGINT to greenq.
    pty.type_raw("\x03");
    assert_eq!(pty.wait_exit(LIMIT), 130, "{}", pty.output());
    assert_eq!(queued(&emu), 2);
}

#[test]
fn end_of_input_at_purges_prompt_clears_nothing_and_says_why() {
    let emu = emulator_with(1, &[]);
    let mut pty = Pty::spawn(&emu.url(), &["purge"]);
    pty.wait_for("holds 1 notification (", LIMIT);
    pty.wait_for("type the instance id", LIMIT);
    // Ctrl-D at the start of a line: the terminal's end of input.
    pty.type_raw("\x04");
    assert_eq!(pty.wait_exit(LIMIT), 2, "{}", pty.output());
    pty.wait_for("stdin ended before the instance id was typed", LIMIT);
    assert_eq!(queued(&emu), 1);
}

#[test]
fn purge_on_a_terminal_says_a_clear_is_too_soon_before_asking() {
    // The live service's rule: one clear a minute.
    let emu = emulator_with(2, &[]);
    let state = tempfile::tempdir().unwrap();
    let state_dir = state.path().display().to_string();
    let env = [("GREENQ_STATE_DIR", state_dir.as_str())];
    let mut first = Pty::spawn_with(&emu.url(), &["purge"], &env);
    first.wait_for("type the instance id", LIMIT);
    first.type_line(&INSTANCE.to_string());
    assert_eq!(first.wait_exit(LIMIT), 0, "{}", first.output());
    emu.publish_all(&[numbered("incomingMessageReceived", 3)]);
    // The next purge on this machine knows the service would refuse: it says so, asks nothing.
    let mut second = Pty::spawn_with(&emu.url(), &["purge"], &env);
    second.wait_for("the service allows one clear a minute: try again in", LIMIT);
    assert_eq!(second.wait_exit(LIMIT), 1, "{}", second.output());
    let shown = second.output();
    assert!(!shown.contains("type the instance id"), "{shown}");
    assert!(
        shown.contains("nothing was cleared; --wait waits"),
        "{shown}"
    );
    assert_eq!(queued(&emu), 1);
}
