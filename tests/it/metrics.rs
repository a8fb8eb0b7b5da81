//! `tail --metrics-listen`: Prometheus metrics counted right after a drain of known size,
//! every family there from the first scrape, `/healthz`, and `/readyz` (503 until the
//! service answered, 200 once it did).

use std::time::Duration;

use crate::support::*;

const FAMILIES: [&str; 13] = [
    "greenq_notifications_received_total",
    "greenq_notifications_handled_total",
    "greenq_notifications_deleted_total",
    "greenq_failed_attempts_total",
    "greenq_dead_lettered_total",
    "greenq_duplicates_total",
    "greenq_repeats_total",
    "greenq_skipped_total",
    "greenq_retries_total",
    "greenq_handler_duration_seconds",
    "greenq_queue_depth",
    "greenq_last_receive_timestamp_seconds",
    "greenq_up",
];

fn stop(child: &mut std::process::Child) {
    signal_and_wait(child, libc::SIGTERM);
}

#[test]
fn a_drain_of_known_size_is_counted_exactly() {
    let emu = Emulator::start(1);
    let wanted: Vec<String> = (1..=6)
        .map(|i| numbered("outgoingMessageReceived", i))
        .collect();
    let other: Vec<String> = (7..=8)
        .map(|i| numbered("stateInstanceChanged", i))
        .collect();
    emu.publish_all(&wanted);
    emu.publish_all(&other);
    let (mut child, _stderr, addr) =
        tail_with_metrics(&emu.url(), &["--type", "outgoingMessageReceived"]);
    let mut all = Default::default();
    wait_until(GUARD, "8 notifications deleted", || {
        all = series(&http_get(addr, "/metrics").1);
        all.get(&format!(
            "greenq_notifications_deleted_total{{instance=\"{INSTANCE}\"}}"
        )) == Some(&8.0)
    });
    let v = |family: &str| value_of(&all, family);
    assert_eq!(v("greenq_notifications_received_total"), 8.0);
    assert_eq!(v("greenq_notifications_handled_total"), 6.0);
    assert_eq!(v("greenq_skipped_total"), 2.0);
    assert_eq!(v("greenq_failed_attempts_total"), 0.0);
    assert_eq!(v("greenq_handler_duration_seconds_count"), 6.0);
    assert_eq!(v("greenq_up"), 1.0);
    assert!(v("greenq_last_receive_timestamp_seconds") > 1.6e9);
    assert_eq!(emu.drain().len(), 0, "the queue was drained");
    // The depth is read at start and then once a minute: whatever it read, it is a count.
    let depth = v("greenq_queue_depth");
    assert!((0.0..=8.0).contains(&depth), "{depth}");
    stop(&mut child);
}

#[test]
fn every_family_is_there_from_the_first_scrape_and_not_ready_before_an_answer() {
    // A host that takes the connection and never answers: nothing ever arrives.
    let server = Scripted::start(Vec::new(), hang());
    let (mut child, _stderr, addr) = tail_with_metrics(&server.url(), &[]);
    let (status, body) = http_get(addr, "/metrics");
    assert_eq!(status, 200);
    for family in FAMILIES {
        assert!(
            body.lines().any(|l| l.starts_with(family)),
            "{family} missing from the first scrape:\n{body}"
        );
    }
    let all = series(&body);
    for family in &FAMILIES[..8] {
        assert_eq!(value_of(&all, family), 0.0, "{family}");
    }
    assert_eq!(value_of(&all, "greenq_up"), 0.0);
    let key = format!("greenq_retries_total{{instance=\"{INSTANCE}\",reason=\"5xx\"}}");
    assert_eq!(
        all.get(&key),
        Some(&0.0),
        "retries by reason at zero: {all:#?}"
    );
    assert!(!body.contains(TOKEN) && !body.contains("waInstance"));
    assert_eq!(http_get(addr, "/healthz").0, 200);
    let (status, why) = http_get(addr, "/readyz");
    assert_eq!(status, 503, "{why}");
    assert!(why.contains("waiting for the first answer"), "{why}");
    assert_eq!(why.trim().lines().count(), 1, "one line: {why}");
    assert_eq!(http_get(addr, "/nothing").0, 404);
    stop(&mut child);
}

#[test]
fn ready_once_the_emulator_answered() {
    let emu = Emulator::start(1);
    let (mut child, _stderr, addr) = tail_with_metrics(&emu.url(), &[]);
    wait_until(GUARD, "/readyz 200", || http_get(addr, "/readyz").0 == 200);
    assert_eq!(http_get(addr, "/readyz").1, "ready\n");
    stop(&mut child);
}

#[test]
fn an_address_in_use_is_a_usage_error_that_deletes_nothing() {
    let emu = Emulator::start(0);
    emu.publish_all(&[example("kept")]);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = emu
        .cmd()
        .args(["tail", "-e", "--metrics-listen", &addr])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("cannot listen on {addr} for --metrics-listen")),
        "{err}"
    );
    assert!(emu.head().is_some(), "nothing was received or deleted");
    let out = emu
        .cmd()
        .args(["tail", "-e", "--metrics-listen", "nowhere"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
}

#[test]
fn a_non_loopback_address_is_served_with_a_warning() {
    let emu = Emulator::start(1);
    let mut child = Reaped(
        std_greenq(&emu.url())
            .args(["tail", "--metrics-listen", "0.0.0.0:0"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = StderrLines::new(child.stderr.take().unwrap());
    let warning = stderr.wait_for("warning: --metrics-listen", GUARD);
    assert!(
        warning.contains("can be reached from the network"),
        "{warning}"
    );
    stderr.wait_for("metrics on http://0.0.0.0:", GUARD);
    stop(&mut child);
}

#[test]
fn retries_are_counted_by_reason() {
    let server = Scripted::start_beside_metrics(
        vec![
            reply(502, "bad gateway"),
            reply_with(429, &[("retry-after", "0")], ""),
            reply(503, ""),
            envelope(1, &example("x")),
            reply(200, r#"{"result":true}"#),
        ],
        hang(),
    );
    let (mut child, _stderr, addr) = tail_with_metrics(&server.url(), &[]);
    let mut all = Default::default();
    wait_until(GUARD, "the notification deleted", || {
        all = series(&http_get(addr, "/metrics").1);
        all.get(&format!(
            "greenq_notifications_deleted_total{{instance=\"{INSTANCE}\"}}"
        )) == Some(&1.0)
    });
    let retries = |reason: &str| {
        all[&format!("greenq_retries_total{{instance=\"{INSTANCE}\",reason=\"{reason}\"}}")]
    };
    assert_eq!(
        (retries("5xx"), retries("429"), retries("network")),
        (2.0, 1.0, 0.0)
    );
    assert_eq!(
        value_of(&all, "greenq_up"),
        1.0,
        "answered once the receive was"
    );
    assert_eq!(http_get(addr, "/readyz").0, 200);
    stop(&mut child);
}

#[test]
fn a_malformed_answer_is_counted_as_a_retry_of_its_own_class() {
    // An array for an envelope, once; then the queue holds the long poll.
    let server =
        Scripted::start_beside_metrics(vec![reply(200, r#"[7,{"typeWebhook":"x"}]"#)], hang());
    let (mut child, _stderr, addr) = tail_with_metrics(&server.url(), &[]);
    let key = |reason: &str| {
        format!("greenq_retries_total{{instance=\"{INSTANCE}\",reason=\"{reason}\"}}")
    };
    let mut all = Default::default();
    wait_until(GUARD, "a malformed answer retried", || {
        all = series(&http_get(addr, "/metrics").1);
        all.get(&key("malformed")) == Some(&1.0)
    });
    assert_eq!(all.get(&key("other")), Some(&0.0), "{all:#?}");
    stop(&mut child);
}
