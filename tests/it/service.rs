//! systemd's notify protocol: READY=1 on a `NOTIFY_SOCKET` the test owns once the
//! service answered, STATUS= with the counts, WATCHDOG=1 while the loop long-polls, and
//! STOPPING=1 on shutdown.

use std::os::unix::net::UnixDatagram;
use std::process::Stdio;
use std::time::Instant;

use crate::support::*;

/// Datagrams until one contains `needle` (all of them, in order).
fn receive_until(socket: &UnixDatagram, needle: &str, got: &mut Vec<String>) {
    let deadline = Instant::now() + GUARD;
    let mut buf = [0u8; 4096];
    while !got.iter().any(|m| m.lines().any(|l| l == needle)) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no {needle} within {GUARD:?}: {got:?}");
        socket.set_read_timeout(Some(left)).unwrap();
        let n = socket
            .recv(&mut buf)
            .unwrap_or_else(|e| panic!("no {needle}: {e}; {got:?}"));
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
}

#[test]
fn ready_status_watchdog_and_stopping_reach_the_notify_socket() {
    let emu = Emulator::start(1);
    emu.publish_all(&[example("one"), example("two")]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    let mut child = Reaped(
        std_greenq(&emu.url())
            .env("NOTIFY_SOCKET", &path)
            // systemd's WatchdogSec=1: fed every half second while the loop is alive.
            .env("WATCHDOG_USEC", "1000000")
            .env_remove("WATCHDOG_PID")
            .args(["tail"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut got = Vec::new();
    receive_until(&socket, "READY=1", &mut got);
    let ready = got.last().unwrap().clone();
    assert!(
        ready.contains(&format!("STATUS=following; {INSTANCE}: ")),
        "the counts go with READY=1: {ready:?}"
    );
    // Fed while it waits in a long poll on an empty queue: both deleted first.
    wait_until(GUARD, "both deleted", || emu.head().is_none());
    // What was sent before that is not proof of a feed while idle.
    socket.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 4096];
    while let Ok(n) = socket.recv(&mut buf) {
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    socket.set_nonblocking(false).unwrap();
    let mut idle = Vec::new();
    receive_until(&socket, "WATCHDOG=1", &mut idle);
    got.append(&mut idle);
    assert!(!got.iter().any(|m| m.contains(TOKEN)));
    assert_eq!(signal_and_wait(&mut child, libc::SIGTERM), Some(130));
    receive_until(&socket, "STOPPING=1", &mut got);
    assert!(emu.head().is_none(), "both were handled: {got:?}");
}
