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
        &["-v", "count"],
        &["-v", "purge", "--yes"],
        &["-v", "tail", "-e", "--no-pipeline"],
        &["-v", "tail", "-e", "--max-rate", "50"],
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

/// Every kind of failed answer, with the token in it wherever a server could put it.
fn error_paths() -> Vec<(&'static str, Vec<Step>)> {
    vec![
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
    ]
}

#[test]
fn no_error_path_prints_the_token() {
    run_error_paths(&[
        &["-v", "receive"],
        &["-v", "delete", "1"],
        &["-v", "tail", "-n", "1"],
        &["-v", "tail", "-n", "1", "--no-pipeline"],
        &[
            "-v",
            "--log-format",
            "json",
            "tail",
            "-n",
            "1",
            "--metrics-listen",
            "127.0.0.1:0",
        ],
    ]);
}

#[test]
fn no_error_path_of_count_and_purge_prints_the_token() {
    run_error_paths(&[&["-v", "count"], &["-v", "purge", "--yes"]]);
}

/// Every error path with every command, each run against a server of its own and in
/// parallel, so that the retries' pauses (the exhausted 5xx waits through three) overlap.
fn run_error_paths(commands: &[&[&str]]) {
    let paths = error_paths();
    std::thread::scope(|scope| {
        for (name, steps) in &paths {
            for args in commands {
                scope.spawn(move || {
                    // Whatever the script leaves undone ends in a refusal, so that `tail`
                    // stops too.
                    let server = if args.contains(&"--metrics-listen") {
                        Scripted::start_beside_metrics(steps.clone(), reply(401, TOKEN))
                    } else {
                        Scripted::start(steps.clone(), reply(401, TOKEN))
                    };
                    let out = server
                        .cmd()
                        .args(*args)
                        .timeout(std::time::Duration::from_secs(30))
                        .output()
                        .unwrap();
                    assert_ne!(out.status.code(), Some(0), "{name} {args:?}");
                    assert_token_was_sent(&server);
                    assert_no_token(&[&out.stdout, &out.stderr]);
                });
            }
        }
    });
}

#[test]
fn a_rate_limited_drain_prints_no_token() {
    // Refused by `serve --rate-limit` (429, then paced): the pipelined answers, the
    // retries and the pace's waits; the emulator's own log is searched in pacing.rs.
    let emu = Emulator::start_with(&[
        "--wait",
        "0",
        "--accept",
        &format!("{INSTANCE}:{TOKEN}"),
        "--rate-limit",
        "2",
    ]);
    emu.publish_all(&(0..6).map(|i| numbered("x", i)).collect::<Vec<_>>());
    for extra in [&[][..], &["--no-pipeline"]] {
        let out = emu
            .cmd()
            .args([
                "-v",
                "tail",
                "-n",
                "3",
                "--allow-unknown-type",
                "--type",
                "x",
            ])
            .args(extra)
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(" 429 "), "{extra:?}: {err}");
        assert_no_token(&[&out.stdout, &out.stderr]);
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
        &["count", "--help"],
        &["purge", "--help"],
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
        // -h is a summary without the global options, which name the variables.
        if args.contains(&"--help") {
            assert!(text.contains("GREEN_API_URL"), "{args:?}: {text}");
        }
        assert_no_token(&[&out.stdout, &out.stderr]);
    }
}

#[test]
fn metrics_readiness_and_json_log_lines_never_show_the_token() {
    let emu = Emulator::start(1);
    emu.publish_all(&[example("x")]);
    let mut child = Reaped(
        std_greenq(&emu.url())
            .args([
                "-v",
                "--log-format",
                "json",
                "tail",
                "--metrics-listen",
                "127.0.0.1:0",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.stdout.take().unwrap();
    let mut stderr = StderrLines::new(child.stderr.take().unwrap());
    let line = stderr.wait_for("metrics on http://", GUARD);
    let addr: std::net::SocketAddr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .parse()
        .unwrap();
    wait_until(GUARD, "the notification deleted", || emu.head().is_none());
    let metrics = http_get(addr, "/metrics").1;
    let ready = http_get(addr, "/readyz").1;
    signal_and_wait(&mut child, libc::SIGTERM);
    let out = read_rest(Some(stdout));
    let err = stderr.rest();
    assert!(err.contains("/***"), "the -v lines were there: {err}");
    assert_no_token(&[
        metrics.as_bytes(),
        ready.as_bytes(),
        out.as_bytes(),
        err.as_bytes(),
    ]);
}

#[test]
fn every_answer_to_a_clear_is_shown_without_the_token() {
    let count = || reply(200, r#"{"count":1}"#);
    let clears: Vec<(&str, Step)> = vec![
        ("401", reply(401, TOKEN)),
        ("odd body", reply(200, &format!("<html>{TOKEN}</html>"))),
        (
            "too soon",
            reply(
                200,
                &format!(r#"{{"isCleared":false,"reason":"{TOKEN}","leftTime":46}}"#),
            ),
        ),
        ("dropped", Step::Drop),
        (
            "cut short",
            Step::CutShort {
                status: 200,
                body: TOKEN.into(),
            },
        ),
    ];
    for (name, step) in clears {
        let server = Scripted::start(vec![count(), step], reply(401, TOKEN));
        let out = server
            .cmd()
            .args(["-v", "purge", "--yes"])
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(0), "{name}");
        assert_token_was_sent(&server);
        assert_no_token(&[&out.stdout, &out.stderr]);
    }
}

#[test]
fn profiles_and_many_instances_never_print_a_token() {
    use std::os::unix::fs::PermissionsExt;
    let fleet = Fleet::start(3, 0);
    let partner = fleet.dir.path().join("partner");
    std::fs::write(&partner, PARTNER_TOKEN).unwrap();
    std::fs::set_permissions(&partner, std::fs::Permissions::from_mode(0o600)).unwrap();
    let url = fleet.emulator.url();
    let import = |token_file: &std::path::Path| {
        fleet
            .cmd()
            .args([
                "-v",
                "profile",
                "import",
                "--partner-url",
                &url,
                "--api-url",
                &url,
            ])
            .arg("--partner-token-file")
            .arg(token_file)
            .output()
            .unwrap()
    };
    let mut outputs = vec![import(&partner)];
    fleet.publish(2);
    let token_file = fleet.dir.path().join("t");
    std::fs::write(&token_file, fleet_token(0)).unwrap();
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    for args in [
        &["profile", "list"][..],
        &["-v", "tail", "--all-profiles", "-e", "--format", "text"],
        &["-v", "--profile", "shop-1", "receive"],
        &["-v", "doctor", "--profile", "shop-2"],
    ] {
        outputs.push(fleet.cmd().args(args).output().unwrap());
    }
    // Error paths: a wrong token in a profile, a config file others may read, a partner
    // token that is refused, a profile whose token is malformed.
    let text = std::fs::read_to_string(&fleet.config).unwrap();
    std::fs::write(
        &fleet.config,
        text.replace(&fleet_token(1), &format!("{TOKEN}-x")),
    )
    .unwrap();
    outputs.push(
        fleet
            .cmd()
            .args(["-v", "tail", "--all-profiles", "-e"])
            .output()
            .unwrap(),
    );
    std::fs::set_permissions(&fleet.config, std::fs::Permissions::from_mode(0o644)).unwrap();
    outputs.push(
        fleet
            .cmd()
            .args(["--profile", "shop-1", "receive"])
            .output()
            .unwrap(),
    );
    std::fs::set_permissions(&fleet.config, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(
        &fleet.config,
        text.replace(&fleet_token(2), &format!("{TOKEN}/x")),
    )
    .unwrap();
    outputs.push(
        fleet
            .cmd()
            .args(["--profile", "shop-3", "receive"])
            .output()
            .unwrap(),
    );
    std::fs::write(&partner, format!("{TOKEN}-partner")).unwrap();
    outputs.push(import(&partner));
    assert!(outputs.iter().any(|o| o.status.code() == Some(4)));
    for out in &outputs {
        assert_no_token(&[&out.stdout, &out.stderr]);
        for text in [&out.stdout, &out.stderr] {
            assert!(!String::from_utf8_lossy(text).contains(PARTNER_TOKEN));
        }
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
