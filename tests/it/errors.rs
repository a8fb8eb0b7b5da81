//! How a failure reads end to end: one line `greenq: error: <what> (<why>); <what to do>`,
//! the documented exit code, and never the token, whatever the cause below.

use std::io::Write;
use std::process::Stdio;

use crate::support::*;

/// The only stderr line, which must be an error line.
fn error_line(out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("greenq: error: "), "{err}");
    err.trim_end().to_string()
}

#[test]
fn an_address_in_use_names_it_gives_the_cause_and_says_what_to_do() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let out = greenq()
        .args(["serve", "--listen", &addr.to_string()])
        .args(["--accept", &format!("{INSTANCE}:{TOKEN}")])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let line = error_line(&out);
    assert!(
        line.starts_with(&format!("greenq: error: cannot listen on {addr} ("))
            && line.ends_with("); another greenq serve (or another program) listens there already: stop it, or pick another address with --listen (port 0 picks a free one)"),
        "{line}"
    );
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn unreadable_stdin_for_delete_is_a_usage_error_with_its_cause() {
    // Nothing listens there: every id is checked before the first request.
    let mut child = std_greenq("http://127.0.0.1:9")
        .args(["delete", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"17\n\xff\xfe\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 2);
    assert_eq!(
        error_line(&out),
        "greenq: error: cannot read receipt ids from stdin (stream did not contain valid \
         UTF-8); give one receipt id per line, as UTF-8 text"
    );
    // Bad input changes nothing: not even the valid id before it was sent.
    assert!(out.stdout.is_empty());
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn a_malformed_token_names_where_it_came_from_never_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    let bad = format!("{TOKEN}/x");
    std::fs::write(&path, &bad).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let out = greenq()
        .args(["-i", "1", "--token-file"])
        .arg(&path)
        .arg("receive")
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let line = error_line(&out);
    assert_eq!(
        line,
        format!(
            "greenq: error: the token from the first line of {} is malformed (it holds '/'; \
             a token is letters, digits, - _ . ~); copy the apiTokenInstance again from the \
             GREEN-API console",
            path.display()
        )
    );
    assert_no_token(&[&out.stdout, &out.stderr]);
}

/// The error line of a command line clap refuses (exit 2, nothing run).
fn refused_line(args: &[&str]) -> String {
    let out = greenq().args(args).output().unwrap();
    assert_exit(&out, 2);
    assert!(out.stdout.is_empty());
    error_line(&out)
}

#[test]
fn an_invalid_value_lists_the_valid_ones() {
    let line = refused_line(&["tail", "--format", "xml"]);
    assert!(
        line.contains(
            "invalid value 'xml' for '--format <FORMAT>' (possible values: pretty, json, text)"
        ),
        "{line}"
    );
    let line = refused_line(&["--color", "sometimes", "count"]);
    assert!(
        line.contains("(possible values: auto, always, never)"),
        "{line}"
    );
}

#[test]
fn a_missing_double_dash_before_the_exec_command_is_pointed_out() {
    let line = refused_line(&["tail", "--exec", "./handler.sh"]);
    assert!(
        line.contains("(put the command after --: greenq tail --exec -- ./handler.sh)"),
        "{line}"
    );
    // Its arguments stay with it, quoted as a shell needs them.
    let line = refused_line(&["tail", "--exec", "-n", "3", "./bot.py", "--reply", "a b"]);
    assert!(
        line.contains(
            "(put the command after --: greenq tail --exec -n 3 -- ./bot.py --reply 'a b')"
        ),
        "{line}"
    );
}

#[test]
fn flag_suggestions_make_sense() {
    let line = refused_line(&["delete", "--all"]);
    assert!(!line.contains("insecure"), "{line}");
    assert!(
        line.contains(
            "(delete takes receipt ids; to drop every waiting notification: greenq purge)"
        ) && line.contains("usage: greenq delete [OPTIONS] <RECEIPT_ID>..."),
        "{line}"
    );
    let line = refused_line(&["count", "--json"]);
    assert!(
        line.contains("unexpected argument '--json' found (use --format json)"),
        "{line}"
    );
    let line = refused_line(&["tail", "--text"]);
    assert!(line.contains("(use --format text)"), "{line}");
    let line = refused_line(&["purge", "--all"]);
    assert!(
        !line.contains("insecure") && line.contains("purge always clears the whole queue"),
        "{line}"
    );
    // Only a near miss of it is answered with --allow-insecure-http.
    let line = refused_line(&["count", "--allow-insecur"]);
    assert!(
        line.contains("a similar argument exists: '--allow-insecure-http'"),
        "{line}"
    );
    // A typo that clap matches to a flag of the same subcommand keeps clap's suggestion.
    let line = refused_line(&["tail", "--tpye", "x"]);
    assert!(
        line.contains("a similar argument exists: '--type'"),
        "{line}"
    );
}

#[test]
fn no_flag_error_offers_the_double_dash_and_common_names_are_pointed_to_greenqs() {
    // After tail's `--` comes the --exec command: clap's "use '-- --wait'" would mislead.
    for args in [
        &["tail", "--fromat", "text"][..],
        &["tail", "--nope"],
        &["count", "--nope"],
    ] {
        let line = refused_line(args);
        assert!(!line.contains("as a value"), "{line}");
    }
    let line = refused_line(&["tail", "--fromat", "text"]);
    assert!(
        line.contains("(a similar argument exists: '--format'); usage: greenq tail"),
        "{line}"
    );
    let line = refused_line(&["tail", "--wait", "5"]);
    assert!(
        line.contains("(the long poll's length is --receive-timeout SECS (5..60): greenq tail --receive-timeout 5)"),
        "{line}"
    );
    let line = refused_line(&["receive", "--timeout", "5"]);
    assert!(
        line.contains("greenq receive --receive-timeout 5)"),
        "{line}"
    );
    let line = refused_line(&["serve", "--port", "7701"]);
    assert!(
        line.contains("(use --listen ADDR: greenq serve --listen 127.0.0.1:7701)"),
        "{line}"
    );
}

#[test]
fn a_bad_number_is_said_in_words() {
    let line = refused_line(&["tail", "-n", "abc"]);
    assert!(
        line.contains("invalid value 'abc' for '--count <N>' (not a whole number); see --help"),
        "{line}"
    );
    let line = refused_line(&["tail", "--exec", "--max-attempts", "0", "--", "true"]);
    assert!(
        line.contains(
            "invalid value '0' for '--max-attempts <N>' (give a whole number of at least 1)"
        ),
        "{line}"
    );
    let line = refused_line(&["receive", "--receive-timeout", "3"]);
    assert!(
        line.contains(
            "invalid value '3' for '--receive-timeout <SECS>' (give a whole number from 5 to 60)"
        ),
        "{line}"
    );
    let line = refused_line(&["tail", "-n", "99999999999999999999999"]);
    assert!(line.contains("(too large)"), "{line}");
}

#[test]
fn a_url_without_its_scheme_or_with_the_wrong_one_is_given_back_fixed() {
    let line = refused_line(&["--api-url", "127.0.0.1:7700", "-i", "1", "count"]);
    assert!(
        line.contains("(\"127.0.0.1:7700\" has no http:// or https://); give it as http://127.0.0.1:7700 with --api-url or GREEN_API_URL"),
        "{line}"
    );
    let line = refused_line(&["--api-url", "7103.api.greenapi.com", "-i", "1", "count"]);
    assert!(
        line.contains("give it as https://7103.api.greenapi.com with"),
        "{line}"
    );
    // https:// to greenq serve, which speaks plain http: not "start it".
    let emu = Emulator::start(0);
    let https = emu.url().replace("http://", "https://");
    let out = emu
        .cmd()
        .args(["--api-url", &https, "count"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let line = error_line(&out);
    let host = https.trim_start_matches("https://");
    assert!(
        line.contains(&format!(
            "greenq serve speaks plain http: use http://{host})"
        )) && line.ends_with(
            "); check --api-url or GREEN_API_URL (the console shows your instance's host)"
        ),
        "{line}"
    );
    assert_no_token(&[&out.stdout, &out.stderr]);
}

#[test]
fn a_tail_rejected_before_anything_came_says_only_the_error() {
    // A wrong token: no `0 printed, 0 skipped, ...` summary of a run that never started.
    let emu = Emulator::start(0);
    for pipelining in [&[][..], &["--no-pipeline"][..]] {
        let out = emu
            .cmd()
            .env("GREEN_API_TOKEN", "not-the-token-0123456789")
            .args(["tail", "--format", "json"])
            .args(pipelining)
            .output()
            .unwrap();
        assert_exit(&out, 4);
        let line = error_line(&out);
        assert!(
            line.starts_with("greenq: error: credentials rejected ("),
            "{line}"
        );
    }
}
