//! `greenq serve`: the emulator, driven over real HTTP on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

fn get(url: &str) -> (u16, String) {
    let mut r = agent().get(url).call().expect("get");
    (
        r.status().as_u16(),
        r.body_mut().read_to_string().unwrap_or_default(),
    )
}

fn receive_url(emu: &Emulator, instance: u64, token: &str) -> String {
    format!(
        "{}/waInstance{instance}/receiveNotification/{token}",
        emu.url()
    )
}

#[test]
fn a_restarted_emulator_never_reuses_a_receipt_id_unless_told_where_to_start() {
    let mut emu = Emulator::start(0);
    emu.publish_all(&[example("one"), example("two")]);
    let (first, _) = emu.head().expect("queued");
    assert!(emu.delete(first));
    let (second, _) = emu.head().expect("queued");
    assert_eq!(second, first + 1);
    assert!(first > 1_000_000, "from the start's time: {first}");
    emu.restart();
    emu.publish_all(&[example("one")]);
    let (again, _) = emu.head().expect("queued");
    assert!(again > second, "{again} after {second}, on the same port");
    let mut fixed = Emulator::numbered(0);
    fixed.publish_all(&[example("one")]);
    assert_eq!(fixed.head().map(|h| h.0), Some(1));
    fixed.restart();
    fixed.publish_all(&[example("one")]);
    assert_eq!(
        fixed.head().map(|h| h.0),
        Some(1),
        "--first-receipt 1 again"
    );
}

#[test]
fn serve_prints_where_it_listens_then_the_export_lines() {
    let mut child = Command::new(bin())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("GREEN_API_INSTANCE_ID")
        .env_remove("GREEN_API_TOKEN")
        .env_remove("ID_INSTANCE")
        .env_remove("API_TOKEN_INSTANCE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..5 {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        lines.push(line.trim_end().to_string());
    }
    child.kill().unwrap();
    let _ = child.wait();
    let addr = lines[0]
        .strip_prefix("listening on http://")
        .expect("first line");
    assert_eq!(lines[1], format!("export GREEN_API_URL=http://{addr}"));
    assert_eq!(
        lines[2],
        format!("export GREEN_API_WEBHOOK_URL=http://{addr}")
    );
    // Nothing configured: the demo instance of the specification, whose token is public.
    assert_eq!(lines[3], "export GREEN_API_INSTANCE_ID=33012345");
    assert_eq!(
        lines[4],
        "export GREEN_API_TOKEN=e8dc45b249b606615485432f5bb5e29166a7502e7e5ecfeb12"
    );
}

#[test]
fn serve_hosts_the_configured_instance_and_never_prints_its_token() {
    let mut child = Command::new(bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--wait", "0"])
        .env("GREEN_API_INSTANCE_ID", INSTANCE.to_string())
        .env("GREEN_API_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    for _ in 0..5 {
        out.read_line(&mut banner).unwrap();
    }
    let addr = banner
        .lines()
        .next()
        .unwrap()
        .strip_prefix("listening on http://")
        .unwrap()
        .to_string();
    let (status, body) = get(&format!(
        "http://{addr}/waInstance{INSTANCE}/receiveNotification/{TOKEN}"
    ));
    assert_eq!((status, body.as_str()), (200, "null"));
    send_signal(&child, libc::SIGTERM);
    let status = wait_with_limit(&mut child, GUARD);
    assert!(status.success(), "SIGTERM stops it cleanly: {status:?}");
    let err = read_rest(child.stderr.take());
    assert!(banner.contains(&format!("export GREEN_API_INSTANCE_ID={INSTANCE}")));
    assert_no_token(&[banner.as_bytes(), err.as_bytes()]);
}

#[test]
fn ctrl_c_stops_the_emulator_cleanly() {
    let mut emu = Emulator::start(0);
    let child = emu.child_mut();
    send_signal(child, libc::SIGINT);
    let status = wait_with_limit(child, GUARD);
    assert!(status.success(), "{status:?}");
}

#[test]
fn head_stays_until_deleted_and_receipts_only_grow_in_fifo_order() {
    let emu = Emulator::start(0);
    emu.publish_all(&[numbered("a", 1), numbered("b", 2)]);
    let (r1, b1) = emu.head().unwrap();
    assert_eq!(emu.head().unwrap().0, r1, "the same receipt until deleted");
    assert_eq!(b1["seq"], 1);
    assert!(emu.delete(r1));
    assert!(!emu.delete(r1), "a second delete answers false");
    let (r2, b2) = emu.head().unwrap();
    assert!(r2 > r1 && r1 > 0);
    assert_eq!(b2["seq"], 2);
    assert!(emu.delete(r2));
    emu.publish_all(&[numbered("c", 3)]);
    let (r3, _) = emu.head().unwrap();
    assert!(r3 > r2);
    assert!(!emu.delete(999_999), "an unknown receipt answers false");
}

#[test]
fn bodies_come_back_byte_for_byte_with_their_field_order() {
    let emu = Emulator::start(0);
    let body = r#"{"zeta":1,"typeWebhook":"x","instanceData":{"idInstance":1101000777},"big":123456789012345678901234567890,"f":1.50,"e":1e3,"s":"é\u00e9\n"}"#;
    assert_eq!(emu.publish(body), 200);
    let (_, text) = get(&receive_url(&emu, INSTANCE, TOKEN));
    assert!(text.ends_with(&format!(",\"body\":{body}}}")), "{text}");
}

#[test]
fn credentials_and_paths_are_checked() {
    let emu = Emulator::start(0);
    assert_eq!(get(&receive_url(&emu, INSTANCE, "wrong")).0, 401);
    assert_eq!(get(&receive_url(&emu, 42, TOKEN)).0, 403);
    assert_eq!(
        get(&format!(
            "{}/waInstance{INSTANCE}/nosuchMethod/{TOKEN}",
            emu.url()
        ))
        .0,
        404
    );
    assert_eq!(get(&format!("{}/nothing/here", emu.url())).0, 404);
    let (status, body) = get(&format!(
        "{}?receiveTimeout=4",
        receive_url(&emu, INSTANCE, TOKEN)
    ));
    assert_eq!(status, 400);
    assert!(body.contains("receiveTimeout"), "{body}");
    let mut r = agent()
        .delete(&format!(
            "{}/waInstance{INSTANCE}/deleteNotification/{TOKEN}/abc",
            emu.url()
        ))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let v: serde_json::Value =
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert!(v["error"].is_string());
    let r = agent()
        .delete(&receive_url(&emu, INSTANCE, TOKEN))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 405, "wrong method");
    assert_eq!(
        agent().put(&emu.url()).send("").unwrap().status().as_u16(),
        405
    );
    // GET / is the chat page (docs/emulator.md).
    assert_eq!(
        agent().get(&emu.url()).call().unwrap().status().as_u16(),
        200
    );
}

#[test]
fn publish_refuses_what_is_not_a_notification_with_a_json_error() {
    let emu = Emulator::start(0);
    let post = |body: &[u8]| {
        let mut r = agent().post(&emu.url()).send(body).unwrap();
        let status = r.status().as_u16();
        let v: serde_json::Value =
            serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        (status, v)
    };
    for bad in [
        &b"{not json"[..],
        b"[1,2]",
        b"\"text\"",
        b"{}",
        br#"{"instanceData":{"idInstance":"1"}}"#,
        b"\xff\xfe",
    ] {
        let (status, v) = post(bad);
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(bad));
        assert!(v["error"].is_string());
    }
    let (status, v) = post(br#"{"typeWebhook":"x","instanceData":{"idInstance":5}}"#);
    assert_eq!(status, 404, "unknown instance");
    assert!(v["error"].as_str().unwrap().contains('5'));
    let (status, v) = post(numbered("x", 1).as_bytes());
    assert_eq!((status, v["result"].as_bool()), (200, Some(true)));
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(11 * 1024 * 1024));
    assert_eq!(post(big.as_bytes()).0, 413);
    assert_eq!(emu.drain().len(), 1, "nothing bad was queued");
}

#[test]
fn an_oversized_body_is_read_to_its_end_then_refused_on_a_connection_that_stays() {
    let emu = Emulator::start(0);
    let mut conn = TcpStream::connect(emu.addr).unwrap();
    let length = 11 << 20;
    write!(
        conn,
        "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n"
    )
    .unwrap();
    let chunk = vec![b' '; 1 << 20];
    for i in 0..11 {
        conn.write_all(&chunk)
            .unwrap_or_else(|e| panic!("MiB {i} of the body: {e}"));
        if i == 10 {
            // A client that sends slower than the server reads: the limit is long passed.
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let answer = read_message(&mut reader).expect("an answer");
    assert!(answer.head.starts_with("HTTP/1.1 413"), "{}", answer.head);
    write!(
        conn,
        "GET /waInstance{INSTANCE}/receiveNotification/{TOKEN} HTTP/1.1\r\nhost: x\r\n\r\n"
    )
    .unwrap();
    let next = read_message(&mut reader).expect("the connection stays usable");
    assert!(next.head.starts_with("HTTP/1.1 200"), "{}", next.head);
    assert_eq!(next.body, b"null", "nothing was queued");
}

#[test]
fn a_publish_wakes_a_waiting_long_poll_at_once() {
    // The longest wait: had the publish not woken the poll, it would end with null.
    let emu = Emulator::start(60);
    let mut waiter = TcpStream::connect(emu.addr).unwrap();
    write!(
        waiter,
        "GET /waInstance{INSTANCE}/receiveNotification/{TOKEN} HTTP/1.1\r\nhost: x\r\n\r\n"
    )
    .unwrap();
    // A whole exchange on a later connection: the emulator accepted the waiter's connection
    // first, with its request already there, so the poll is waiting before the publish.
    assert_eq!(get(&receive_url(&emu, INSTANCE, "wrong")).0, 401);
    emu.publish_all(&[numbered("x", 1)]);
    waiter.set_read_timeout(Some(2 * GUARD)).unwrap();
    let answer = read_message(&mut BufReader::new(waiter)).expect("an answer");
    assert!(answer.head.starts_with("HTTP/1.1 200"), "{}", answer.head);
    let body = String::from_utf8_lossy(&answer.body);
    assert!(body.contains("\"seq\":1"), "woken by the publish: {body}");
}

#[test]
fn an_empty_wait_ends_with_null_after_the_wait() {
    let emu = Emulator::start(1);
    let t = Instant::now();
    let (status, body) = get(&receive_url(&emu, INSTANCE, TOKEN));
    assert_eq!((status, body.as_str()), (200, "null"));
    let waited = t.elapsed();
    // A lower bound, and a guard against a wait that never ends.
    assert!(
        waited >= Duration::from_millis(950) && waited < GUARD,
        "{waited:?}"
    );
    let t = Instant::now();
    let (_, body) = get(&format!(
        "{}?receiveTimeout=5",
        receive_url(&emu, INSTANCE, TOKEN)
    ));
    assert_eq!(body, "null");
    assert!(
        t.elapsed() >= Duration::from_millis(4950),
        "receiveTimeout wins over --wait"
    );
}

#[test]
fn a_stuck_client_and_garbage_do_not_stop_the_others() {
    let emu = Emulator::start(0);
    // A client that sends half a request line and then nothing.
    let mut stuck = TcpStream::connect(emu.addr).unwrap();
    stuck.write_all(b"GET /waInst").unwrap();
    // A client that sends garbage.
    let mut garbage = TcpStream::connect(emu.addr).unwrap();
    garbage
        .write_all(b"\x00\x01\x02 not http at all\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    garbage.set_read_timeout(Some(GUARD)).unwrap();
    let _ = garbage.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 400"),
        "garbage is answered 400 and the connection closed: {answer:?}"
    );
    emu.publish_all(&[numbered("x", 1)]);
    assert!(emu.head().is_some(), "others are served");
    drop(stuck);
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let emu = Emulator::start(0);
    let mut conn = TcpStream::connect(emu.addr).unwrap();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    for _ in 0..3 {
        write!(
            conn,
            "GET /waInstance{INSTANCE}/receiveNotification/{TOKEN} HTTP/1.1\r\nhost: x\r\n\r\n"
        )
        .unwrap();
        let m = read_message(&mut reader).expect("an answer on the same connection");
        assert!(m.head.starts_with("HTTP/1.1 200"), "{}", m.head);
        assert_eq!(m.body, b"null");
    }
}

#[test]
fn verbose_logs_each_request_with_the_token_redacted() {
    let mut child = Command::new(bin())
        .args([
            "serve",
            "-v",
            "--listen",
            "127.0.0.1:0",
            "--wait",
            "0",
            "--accept",
        ])
        .arg(format!("{INSTANCE}:{TOKEN}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let addr = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap()
        .to_string();
    get(&format!(
        "http://{addr}/waInstance{INSTANCE}/receiveNotification/{TOKEN}"
    ));
    get(&format!(
        "http://{addr}/waInstance{INSTANCE}/receiveNotification/wrong-{TOKEN}"
    ));
    send_signal(&child, libc::SIGTERM);
    wait_with_limit(&mut child, GUARD);
    let err = read_rest(child.stderr.take());
    assert!(
        err.contains(&format!(
            "GET /waInstance{INSTANCE}/receiveNotification/*** 200"
        )),
        "{err}"
    );
    assert!(err.contains("*** 401"), "{err}");
    assert_no_token(&[err.as_bytes()]);
}

/// The webhook endpoint takes what the vendor documents as a notification, and what
/// `greenq publish` checks: a string `typeWebhook` (not empty) and an integer
/// `instanceData.idInstance`. Anything else is a 400 naming the problem, and nothing is queued.
#[test]
fn publish_refuses_a_notification_without_a_string_type_with_a_400_naming_it() {
    let emu = Emulator::start(0);
    let instance = format!(r#""instanceData":{{"idInstance":{INSTANCE}}}"#);
    for (body, problem) in [
        (format!("{{{instance}}}"), "typeWebhook is missing"),
        (
            format!(r#"{{"typeWebhook":5,{instance}}}"#),
            "typeWebhook must be a string, found a number",
        ),
        (
            format!(r#"{{"typeWebhook":null,{instance}}}"#),
            "typeWebhook must be a string, found null",
        ),
        (
            format!(r#"{{"typeWebhook":"",{instance}}}"#),
            "typeWebhook is empty",
        ),
    ] {
        let mut r = agent().post(&emu.url()).send(body.as_bytes()).unwrap();
        let status = r.status().as_u16();
        let v: serde_json::Value =
            serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(status, 400, "{body}: {v}");
        let error = v["error"].as_str().unwrap_or_default();
        assert!(error.contains(problem), "{body}: {error}");
    }
    assert_eq!(emu.drain().len(), 0, "nothing was queued");
    // What greenq publish sends is taken.
    assert_eq!(emu.publish(&numbered("incomingMessageReceived", 1)), 200);
    assert_eq!(emu.drain().len(), 1);
}
