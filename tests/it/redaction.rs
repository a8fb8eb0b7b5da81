//! The token never appears in any output: every path that could print a URL is run
//! with a known token, and all output is searched for it.

use crate::support::*;

/// The scripted server did see the token: the searches below search for something real.
fn assert_token_was_sent(server: &Scripted) {
    assert!(
        server.seen().iter().any(|s| s.path.contains(TOKEN)),
        "the token was never sent"
    );
}

#[test]
fn verbose_lines_show_the_url_with_the_token_as_stars() {
    let emu = Emulator::start(0);
    emu.publish_all(&[example("x")]);
    for args in [
        &["-v", "receive"][..],
        &["-v", "delete", "1"],
        &["-v", "tail", "-e"],
    ] {
        let out = emu.cmd().args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("/waInstance{INSTANCE}/")) && err.contains("/***"),
            "{args:?}: {err}"
        );
        assert!(
            err.lines().any(|l| l.ends_with(" ms")),
            "status and milliseconds: {err}"
        );
        assert_no_token(&[&out.stdout, &out.stderr]);
    }
}

#[test]
fn no_error_path_prints_the_token() {
    let paths: Vec<(&str, Vec<Step>)> = vec![
        ("401", vec![reply(401, TOKEN)]),
        ("403", vec![reply(403, &format!("bad {TOKEN}"))]),
        ("466", vec![reply(466, &format!("quota for {TOKEN}"))]),
        (
            "code 401 in a 200",
            vec![reply(
                200,
                &format!(r#"{{"code":401,"description":"{TOKEN}"}}"#),
            )],
        ),
        (
            "exhausted 5xx",
            vec![reply_with(500, &[("retry-after", "0")], TOKEN); 4],
        ),
        (
            "garbage body",
            vec![reply(200, &format!("<html>{TOKEN}</html>"))],
        ),
        (
            "unexpected status",
            vec![reply(
                404,
                &format!("no /waInstance1/receiveNotification/{TOKEN}"),
            )],
        ),
        (
            "redirect",
            vec![reply_with(
                301,
                &[("location", &format!("http://x/{TOKEN}"))],
                "",
            )],
        ),
        ("dropped", vec![Step::Drop]),
        (
            "cut short",
            vec![Step::CutShort {
                status: 200,
                body: TOKEN.into(),
            }],
        ),
        (
            "not http",
            vec![Step::Garbage(format!("{TOKEN}\r\n\r\n").into_bytes())],
        ),
    ];
    for (name, steps) in paths {
        for args in [
            &["-v", "receive"][..],
            &["-v", "delete", "1"],
            &["-v", "tail", "-n", "1"],
        ] {
            // Whatever the script leaves undone ends in a refusal, so that `tail` stops too.
            let server = Scripted::start(steps.clone(), reply(401, TOKEN));
            let out = server
                .cmd()
                .args(args)
                .timeout(std::time::Duration::from_secs(30))
                .output()
                .unwrap();
            assert_ne!(out.status.code(), Some(0), "{name} {args:?}");
            assert_token_was_sent(&server);
            assert_no_token(&[&out.stdout, &out.stderr]);
        }
    }
}

#[test]
fn a_url_pasted_whole_into_api_url_is_redacted_in_its_error() {
    for url in [
        format!("https://203.0.113.9/waInstance1/receiveNotification/{TOKEN}?x=1"),
        format!("https://203.0.113.9/waInstance1/receiveNotification/{TOKEN}"),
    ] {
        let out = greenq_at(&url).arg("receive").output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("***") || err.contains("is a request URL, not a host"),
            "{err}"
        );
        assert_no_token(&[&out.stdout, &out.stderr]);
    }
}

#[test]
fn a_connection_that_cannot_be_made_does_not_print_the_token() {
    let out = greenq_at("http://127.0.0.1:1")
        .args(["-v", "receive"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn help_shows_the_environment_but_never_the_token() {
    for args in [
        &["--help"][..],
        &["tail", "--help"],
        &["receive", "-h"],
        &["serve", "--help"],
    ] {
        let out = greenq()
            .env("GREEN_API_TOKEN", TOKEN)
            .env("API_TOKEN_INSTANCE", TOKEN)
            .env(
                "GREEN_API_URL",
                format!("https://7103.api.greenapi.com/waInstance1/receiveNotification/{TOKEN}"),
            )
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("GREEN_API_URL"), "{args:?}: {text}");
        assert_no_token(&[&out.stdout, &out.stderr]);
    }
}

#[test]
fn the_state_directory_paths_never_print_the_token() {
    let emu = Emulator::start(1);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    // A command line that holds the token (greenq takes none, but a handler's may).
    let exec = [
        "--exec",
        "--",
        "sh",
        "-c",
        &format!(": {TOKEN}; cat > /dev/null"),
    ];
    let mut first = std_greenq(&emu.url())
        .args(["tail", "--state-dir"])
        .arg(&state)
        .args(exec)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = StderrLines::new(first.stderr.take().unwrap());
    // The first one holds the lock once its command ran.
    emu.publish_all(&[example("x")]);
    wait_until(GUARD, "the first tail to delete it", || {
        emu.head().is_none()
    });
    let second = emu
        .cmd()
        .args(["-v", "tail", "--state-dir"])
        .arg(&state)
        .args(exec)
        .output()
        .unwrap();
    assert_exit(&second, 1);
    let lock = std::fs::read_dir(&state)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".lock"))
        .map(|e| std::fs::read(e.path()).unwrap())
        .unwrap();
    assert!(String::from_utf8_lossy(&lock).contains("***"));
    std::fs::write(state.join("damaged.sqlite3"), "x").unwrap();
    let unusable = emu
        .cmd()
        .args(["tail", "--state-dir"])
        .arg(state.join("damaged.sqlite3"))
        .args(exec)
        .output()
        .unwrap();
    assert_exit(&unusable, 2);
    assert_eq!(signal_and_wait(&mut first, libc::SIGTERM), Some(130));
    let first_err = lines.rest();
    assert_no_token(&[
        &second.stdout,
        &second.stderr,
        &lock,
        &unusable.stderr,
        first_err.as_bytes(),
    ]);
}
