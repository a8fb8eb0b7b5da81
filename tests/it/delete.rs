//! `greenq delete`.

use crate::support::*;

#[test]
fn deletes_receipts_given_as_arguments_and_reports_each() {
    let emu = Emulator::numbered(0);
    emu.publish_all(&[numbered("a", 1), numbered("b", 2)]);
    let out = emu.cmd().args(["delete", "1", "2"]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(lines(&out.stdout), ["deleted 1", "deleted 2"]);
    assert!(emu.head().is_none());
}

#[test]
fn a_receipt_not_found_is_exit_3() {
    let emu = Emulator::numbered(0);
    emu.publish_all(&[numbered("a", 1)]);
    let out = emu.cmd().args(["delete", "1", "77"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(lines(&out.stdout), ["deleted 1", "not found 77"]);
}

#[test]
fn receive_piped_into_delete_acknowledges_it() {
    let emu = Emulator::numbered(0);
    emu.publish_all(&[example("one"), example("two")]);
    let received = emu.cmd().arg("receive").output().unwrap();
    let out = emu
        .cmd()
        .args(["delete", "-"])
        .write_stdin(received.stdout)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out.stdout), ["deleted 1"]);
    assert_eq!(emu.head().map(|h| h.0), Some(2));
}

#[test]
fn stdin_takes_numbers_one_per_line() {
    let emu = Emulator::numbered(0);
    emu.publish_all(&[numbered("a", 1), numbered("b", 2), numbered("c", 3)]);
    let out = emu
        .cmd()
        .args(["delete", "3", "-"])
        .write_stdin("1\n\n  2 \n")
        .output()
        .unwrap();
    assert_eq!(lines(&out.stdout), ["deleted 3", "deleted 1", "deleted 2"]);
}

#[test]
fn a_bad_id_anywhere_deletes_nothing() {
    let emu = Emulator::numbered(0);
    emu.publish_all(&[numbered("a", 1)]);
    for args in [
        &["delete", "1", "abc"][..],
        &["delete", "1", "0"],
        &["delete", "1", "-5"],
    ] {
        let out = emu.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
    let out = emu
        .cmd()
        .args(["delete", "1", "-"])
        .write_stdin("2\nnope\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stdin line 2 is not a receipt id"), "{err}");
    assert_eq!(emu.head().map(|h| h.0), Some(1), "nothing was deleted");
}

#[test]
fn a_batch_that_fails_halfway_says_what_was_and_was_not_done() {
    let fail = reply_with(500, &[("retry-after", "0")], "");
    let server = Scripted::start(vec![reply(200, r#"{"result":true}"#)], fail);
    let out = server
        .cmd()
        .args(["delete", "5", "6", "7"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(lines(&out.stdout), ["deleted 5"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("deleteNotification of receipt 6 failed"),
        "{err}"
    );
    assert!(err.contains("1 of 3 done; not done: 6 7"), "{err}");
    assert_eq!(
        server.seen().len(),
        1 + 4,
        "one try and three retries for receipt 6"
    );
}

#[test]
fn empty_stdin_is_a_usage_error() {
    let emu = Emulator::start(0);
    let out = emu
        .cmd()
        .args(["delete", "-"])
        .write_stdin("\n\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no receipt ids to delete"));
}

#[test]
fn not_found_after_a_lost_answer_is_reported_as_gone() {
    // The first DELETE's answer is lost (the connection drops); the retry answers false.
    let server = Scripted::start(
        vec![Step::Drop, reply(200, r#"{"result":false}"#)],
        reply(200, "null"),
    );
    let out = server.cmd().args(["delete", "9"]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        lines(&out.stdout),
        ["gone 9 (an earlier try whose answer was lost may have deleted it)"]
    );
}
