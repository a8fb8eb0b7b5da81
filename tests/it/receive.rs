//! `greenq receive` and the configuration every command shares.

use crate::support::*;

#[test]
fn receive_prints_one_compact_envelope_in_a_pipe_and_deletes_nothing() {
    let emu = Emulator::start(0);
    emu.publish_all(&[example("hello")]);
    let out = emu.cmd().arg("receive").output().unwrap();
    assert_exit(&out, 0);
    let lines = lines(&out.stdout);
    assert_eq!(lines.len(), 1);
    let v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    let receipt = v["receiptId"].as_u64().unwrap();
    assert_eq!(
        v["body"]["messageData"]["textMessageData"]["textMessage"],
        "hello"
    );
    assert_eq!(emu.head().map(|h| h.0), Some(receipt), "still queued");
}

#[test]
fn receive_is_indented_on_a_terminal_and_coloured_only_when_it_should_be() {
    let emu = Emulator::numbered(0);
    emu.publish_all(&[example("hello")]);
    let run = |args: &[&str], no_color: bool| {
        let mut cmd = emu.cmd();
        cmd.env("GREENQ_TEST_TERMINAL", "1")
            .args(args)
            .arg("receive");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let plain = run(&["--color", "never"], false);
    assert!(
        plain.starts_with("{\n  \"receiptId\": 1,\n  \"body\": {\n"),
        "{plain}"
    );
    assert!(!plain.contains('\u{1b}'));
    assert!(
        run(&[], false).contains("\u{1b}["),
        "auto colours a terminal"
    );
    assert!(
        !run(&[], true).contains('\u{1b}'),
        "NO_COLOR turns auto off"
    );
    assert!(
        run(&["--color", "always"], true).contains("\u{1b}["),
        "--color wins over NO_COLOR"
    );
    let piped = emu
        .cmd()
        .args(["--color", "always", "receive"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&piped.stdout).contains("\u{1b}["));
    assert!(
        !String::from_utf8_lossy(&emu.cmd().arg("receive").output().unwrap().stdout)
            .contains('\u{1b}')
    );
}

#[test]
fn an_empty_queue_is_exit_3_with_a_note_and_nothing_on_stdout() {
    let emu = Emulator::start(0);
    let out = emu.cmd().arg("receive").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no notification"));
    let quiet = emu.cmd().args(["-q", "receive"]).output().unwrap();
    assert_eq!(quiet.status.code(), Some(3));
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
}

#[test]
fn receive_timeout_is_sent_and_checked() {
    let server = Scripted::start(vec![], reply(200, "null"));
    let out = server
        .cmd()
        .args(["receive", "--receive-timeout", "7"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].path,
        format!("/waInstance{INSTANCE}/receiveNotification/{TOKEN}?receiveTimeout=7")
    );
    assert!(
        seen[0]
            .headers
            .to_ascii_lowercase()
            .contains(&format!("user-agent: greenq/{}", env!("CARGO_PKG_VERSION"))),
        "{}",
        seen[0].headers
    );
    let host = format!("host: {}\r\n", server.addr);
    assert_eq!(
        seen[0].headers.to_ascii_lowercase().matches(&host).count(),
        1,
        "one Host header, with the port: {}",
        seen[0].headers
    );
    for bad in ["4", "61", "x"] {
        let out = server
            .cmd()
            .args(["receive", "--receive-timeout", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
    assert_eq!(server.seen().len(), 1, "bad input sends nothing");
}

#[test]
fn an_empty_body_is_no_notification_too() {
    let server = Scripted::start(vec![reply(200, "")], reply(200, "null"));
    let out = server.cmd().arg("receive").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn missing_instance_or_token_is_a_usage_error_naming_option_and_variable() {
    let out = greenq().arg("receive").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("greenq: error: no instance id"), "{err}");
    assert!(
        err.contains("-i") && err.contains("GREEN_API_INSTANCE_ID"),
        "{err}"
    );
    let out = greenq().args(["-i", "5", "receive"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no token") && err.contains("GREEN_API_TOKEN") && err.contains("--token-file"),
        "{err}"
    );
    let out = greenq()
        .env("GREEN_API_INSTANCE_ID", "12ab")
        .arg("receive")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("GREEN_API_INSTANCE_ID is not a valid instance id")
    );
}

#[test]
fn the_sdk_variable_names_work_too() {
    let emu = Emulator::start(0);
    emu.publish_all(&[example("x")]);
    let out = greenq()
        .env("GREEN_API_URL", emu.url())
        .env("ID_INSTANCE", INSTANCE.to_string())
        .env("API_TOKEN_INSTANCE", TOKEN)
        .arg("receive")
        .output()
        .unwrap();
    assert_exit(&out, 0);
}

#[test]
fn the_token_file_is_read_and_guarded() {
    let emu = Emulator::start(0);
    emu.publish_all(&[example("x")]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, format!("{TOKEN}\nsecond line ignored\n")).unwrap();
    let run = || {
        greenq()
            .env("GREEN_API_URL", emu.url())
            .env("GREEN_API_INSTANCE_ID", INSTANCE.to_string())
            .arg("--token-file")
            .arg(&path)
            .arg("receive")
            .output()
            .unwrap()
    };
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("readable by group or others") && err.contains("chmod 600"),
        "{err}"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
    let out = greenq()
        .args(["-i", "1", "--token-file", "/nonexistent/token", "receive"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // The context names the file, its cause is the why, the advice comes last, on one line.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("greenq: error: cannot read the token file /nonexistent/token (")
            && err.ends_with(
                "); check --token-file; the file's first line must be the apiTokenInstance\n"
            )
            && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn plain_http_leaves_loopback_only_when_allowed() {
    let out = greenq_at("http://example.com")
        .arg("receive")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--api-url uses plain http:// to example.com")
            && err.contains("--allow-insecure-http"),
        "{err}"
    );
    for bad in [
        "not a url",
        "ftp://x.example",
        "https://",
        "https://h.example/?q=1",
    ] {
        let out = greenq_at(bad).arg("receive").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--api-url is not a usable URL"));
    }
}

#[test]
fn ctrl_c_during_a_long_poll_exits_130_at_once() {
    // The server holds the poll for an hour: exiting within the guard means at once.
    let server = Scripted::start(vec![], hang());
    let mut child = std_greenq(&server.url()).arg("receive").spawn().unwrap();
    server.wait_for_requests(1, GUARD);
    send_signal(&child, libc::SIGINT);
    let status = wait_with_limit(&mut child, GUARD);
    assert_eq!(status.code(), Some(130));
}
