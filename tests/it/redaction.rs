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
            &["-v", "tail", "-n", "1", "--no-pipeline"],
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
