//! `greenq demo`: no account, no configuration, nothing beyond loopback.

use crate::support::*;

#[test]
fn demo_runs_with_no_configuration_and_ignores_the_environment() {
    // Everything configured points at a host that does not exist: the demo must not care.
    let out = greenq_at("https://unreachable.invalid")
        .args(["demo", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let lines = lines(&out.stdout);
    assert_eq!(lines.len(), 8);
    assert!(
        lines[0].contains("I use Green-API to send this message to you!"),
        "the specification's example first"
    );
    let kinds: Vec<String> = lines
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["typeWebhook"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for kind in [
        "outgoingMessageReceived",
        "incomingMessageReceived",
        "outgoingMessageStatus",
        "stateInstanceChanged",
        "incomingCall",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("8 printed, 0 skipped, 8 deleted"), "{err}");
    assert!(
        err.contains("greenq: published 8 notifications from greenq's demo set"),
        "{err}"
    );
}

#[test]
fn demo_on_a_terminal_is_pretty() {
    let out = greenq()
        .env("GREENQ_TEST_TERMINAL", "1")
        .args(["--color", "never", "demo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("── 1 · outgoingMessageReceived · "),
        "{text}"
    );
    assert!(
        text.contains("79001234568@c.us (Green API): I use Green-API to send this message to you!")
    );
}
