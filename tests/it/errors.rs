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
            && line.ends_with("); pick another address with --listen (port 0 picks a free one)"),
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
