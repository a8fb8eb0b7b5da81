//! The emulator's account side: getSettings / setSettings, getStateInstance and
//! --instance-state, notification kinds switched off, and webhook push.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::*;
use serde_json::{Value, json};

fn emulator(extra: &[&str]) -> Emulator {
    let accept = format!("{INSTANCE}:{TOKEN}");
    let mut args = vec!["--wait", "0", "--accept", &accept];
    args.extend_from_slice(extra);
    Emulator::start_with(&args)
}

fn status_of(url: &str, method: &str) -> (u16, String) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .new_agent();
    let mut answer = match method {
        "GET" => agent.get(url).call(),
        "DELETE" => agent.delete(url).call(),
        _ => agent.post(url).send("{}"),
    }
    .expect("request");
    let body = answer.body_mut().read_to_string().unwrap_or_default();
    (answer.status().as_u16(), body)
}

/// Waits until the queue's head is there (a push lane may move a notification into it).
fn wait_for_head(emulator: &Emulator) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while emulator.head().is_none() {
        assert!(Instant::now() < deadline, "nothing arrived in the queue");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn get_settings_answers_the_documented_defaults() {
    let emulator = emulator(&[]);
    let (status, settings) = get(&emulator, "getSettings");
    assert_eq!(status, 200);
    assert_eq!(settings["webhookUrl"], "");
    assert_eq!(settings["webhookUrlToken"], "");
    assert!(settings["wid"].as_str().unwrap().ends_with("@c.us"));
    for kind in [
        "outgoingWebhook",
        "outgoingMessageWebhook",
        "outgoingAPIMessageWebhook",
        "incomingWebhook",
        "stateWebhook",
        "pollMessageWebhook",
        "incomingCallWebhook",
    ] {
        assert_eq!(settings[kind], "yes", "{kind}");
    }
    assert_eq!(settings["markIncomingMessagesReaded"], "no");
    assert!(settings["delaySendMessagesMilliseconds"].is_u64());
}

#[test]
fn set_settings_stores_any_subset() {
    let emulator = emulator(&[]);
    let (status, body) = set_settings(
        &emulator,
        r#"{"webhookUrlToken":"hook-secret","delaySendMessagesMilliseconds":1000,"stateWebhook":"no"}"#,
    );
    assert_eq!((status, body), (200, json!({"saveSettings": true})));
    let (_, settings) = get(&emulator, "getSettings");
    assert_eq!(settings["webhookUrlToken"], "hook-secret");
    assert_eq!(settings["delaySendMessagesMilliseconds"], 1000);
    assert_eq!(settings["stateWebhook"], "no");
    assert_eq!(settings["incomingWebhook"], "yes");
    assert_eq!(set_settings(&emulator, "{}").0, 200);
}

#[test]
fn set_settings_refuses_unknown_fields_and_wrong_types_changing_nothing() {
    let emulator = emulator(&[]);
    let before = get(&emulator, "getSettings").1;
    for (body, named) in [
        (
            r#"{"incomingWebhook":"no","noSuchSetting":"yes"}"#,
            "noSuchSetting",
        ),
        (r#"{"incomingWebhook":true}"#, "incomingWebhook"),
        (r#"{"incomingWebhook":"maybe"}"#, "incomingWebhook"),
        (r#"{"webhookUrl":42}"#, "webhookUrl"),
        (r#"{"webhookUrl":"not a url"}"#, "webhookUrl"),
        (
            r#"{"delaySendMessagesMilliseconds":"5"}"#,
            "delaySendMessagesMilliseconds",
        ),
        (r#"{"wid":"1@c.us"}"#, "wid"),
        (r#"["webhookUrl"]"#, "object"),
        (r#"{"webhookUrl":"#, "JSON"),
    ] {
        let (status, answer) = set_settings(&emulator, body);
        assert_eq!(status, 400, "{body}");
        let error = answer["error"].as_str().expect("a JSON error");
        assert!(error.contains(named), "{body}: {error}");
    }
    assert_eq!(get(&emulator, "getSettings").1, before);
}

#[test]
fn account_methods_check_credentials_and_methods() {
    let emulator = emulator(&[]);
    for (method, verb) in [
        ("getSettings", "GET"),
        ("getStateInstance", "GET"),
        ("setSettings", "POST"),
    ] {
        let url = method_url(&emulator, method, "wrong-token");
        assert_eq!(status_of(&url, verb).0, 401, "{method}");
        let other = url.replace(&format!("waInstance{INSTANCE}"), "waInstance42");
        assert_eq!(status_of(&other, verb).0, 403, "{method}");
        let wrong_verb = if verb == "GET" { "POST" } else { "GET" };
        let url = method_url(&emulator, method, TOKEN);
        assert_eq!(status_of(&url, wrong_verb).0, 405, "{method}");
    }
}

#[test]
fn credentials_are_checked_before_the_receive_timeout() {
    let emulator = emulator(&[]);
    let base = method_url(&emulator, "receiveNotification", "wrong-token");
    assert_eq!(status_of(&format!("{base}?receiveTimeout=1"), "GET").0, 401);
    let other = base.replace(&format!("waInstance{INSTANCE}"), "waInstance42");
    assert_eq!(
        status_of(&format!("{other}?receiveTimeout=99"), "GET").0,
        403
    );
    let good = method_url(&emulator, "receiveNotification", TOKEN);
    let (status, body) = status_of(&format!("{good}?receiveTimeout=1"), "GET");
    assert_eq!(status, 400);
    assert!(body.contains("receiveTimeout"), "{body}");
}

#[test]
fn the_state_is_authorized_unless_set() {
    let emulator = emulator(&[]);
    assert_eq!(
        get(&emulator, "getStateInstance"),
        (200, json!({"stateInstance": "authorized"}))
    );
}

#[test]
fn every_instance_state_is_reported_and_only_starting_refuses_the_queue() {
    for state in [
        "notAuthorized",
        "authorized",
        "blocked",
        "sleepMode",
        "starting",
        "yellowCard",
    ] {
        let emulator = emulator(&["--instance-state", state]);
        assert_eq!(
            get(&emulator, "getStateInstance"),
            (200, json!({"stateInstance": state}))
        );
        assert_eq!(get(&emulator, "getSettings").0, 200, "{state}");
        let receive = status_of(&method_url(&emulator, "receiveNotification", TOKEN), "GET");
        let delete = status_of(
            &format!("{}/1", method_url(&emulator, "deleteNotification", TOKEN)),
            "DELETE",
        );
        let set = set_settings(&emulator, "{}").0;
        if state == "starting" {
            for (status, body) in [&receive, &delete] {
                assert_eq!(*status, 400);
                assert!(body.contains("starting"), "{body}");
            }
            assert_eq!(set, 400);
        } else {
            assert_eq!((receive.0, delete.0, set), (200, 200, 200), "{state}");
        }
    }
}

#[test]
fn an_unknown_instance_state_is_a_usage_error() {
    let out = greenq()
        .args(["serve", "--instance-state", "asleep"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("sleepMode"));
}

#[test]
fn kinds_switched_off_are_not_queued() {
    let emulator = emulator(&[]);
    assert_eq!(
        set_settings(&emulator, r#"{"incomingWebhook":"no"}"#).0,
        200
    );
    emulator.publish_all(&[
        numbered("incomingMessageReceived", 1),
        numbered("outgoingMessageReceived", 2),
        numbered("someNewType", 3),
    ]);
    let seq: Vec<Value> = emulator.drain().iter().map(|b| b["seq"].clone()).collect();
    assert_eq!(seq, [json!(2), json!(3)]);
}

/// Sets webhookUrl (and its token) to `hook`'s `/hook`.
fn push_to(emulator: &Emulator, hook: &Scripted, token: &str) {
    let body = json!({"webhookUrl": format!("{}/hook", hook.url()), "webhookUrlToken": token});
    assert_eq!(set_settings(emulator, &body.to_string()).0, 200);
}

#[test]
fn pushes_go_in_order_with_the_bearer_token_and_nothing_is_queued() {
    let emulator = emulator(&[]);
    let hook = Scripted::start(vec![], reply(200, "{}"));
    push_to(&emulator, &hook, "hook-secret");
    let bodies: Vec<String> = (1..=5)
        .map(|n| numbered("incomingMessageReceived", n))
        .collect();
    emulator.publish_all(&bodies);
    let seen = wait_for_requests(&hook, 5);
    for (n, request) in seen.iter().enumerate() {
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/hook")
        );
        assert_eq!(header(request, "authorization"), Some("Bearer hook-secret"));
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["seq"], n + 1);
        assert!(body.get("receiptId").is_none());
    }
    assert_eq!(
        emulator.head(),
        None,
        "a pushed notification must not be queued"
    );
}

#[test]
fn a_push_without_a_token_has_no_authorization() {
    let emulator = emulator(&[]);
    let hook = Scripted::start(vec![], reply(200, "{}"));
    push_to(&emulator, &hook, "");
    emulator.publish_all(&[example("hi")]);
    let seen = wait_for_requests(&hook, 1);
    assert_eq!(header(&seen[0], "authorization"), None);
    assert_eq!(
        serde_json::from_slice::<Value>(&seen[0].body).unwrap(),
        serde_json::from_str::<Value>(&example("hi")).unwrap()
    );
}

#[test]
fn a_refused_or_dropped_push_is_sent_again_in_order() {
    let emulator = emulator(&["--push-retry", "0.05"]);
    let hook = Scripted::start(
        vec![
            reply(500, "{}"),
            Step::Drop,
            reply(200, "{}"),
            reply(404, ""),
        ],
        reply(200, "{}"),
    );
    push_to(&emulator, &hook, "t");
    emulator.publish_all(&[
        numbered("incomingMessageReceived", 1),
        numbered("incomingMessageReceived", 2),
    ]);
    let seen = wait_for_requests(&hook, 5);
    let seq: Vec<u64> = seen
        .iter()
        .map(|s| {
            serde_json::from_slice::<Value>(&s.body).unwrap()["seq"]
                .as_u64()
                .unwrap()
        })
        .collect();
    // 1 refused, 1 dropped, 1 delivered; 2 refused (404), 2 delivered.
    assert_eq!(seq, [1, 1, 1, 2, 2]);
}

#[test]
fn a_push_with_no_answer_in_time_is_sent_again() {
    let emulator = emulator(&["--push-retry", "0.01", "--push-timeout", "0.2"]);
    let hook = Scripted::start(
        vec![Step::Slow(
            Duration::from_secs(60),
            Box::new(reply(200, "{}")),
        )],
        reply(200, "{}"),
    );
    push_to(&emulator, &hook, "t");
    emulator.publish_all(&[example("late")]);
    let seen = wait_for_requests(&hook, 2);
    assert_eq!(seen[0].body, seen[1].body);
}

#[test]
fn clearing_the_webhook_url_queues_again_behind_pending_pushes() {
    let emulator = emulator(&["--push-retry", "0.05"]);
    let hook = Scripted::start(vec![], reply(503, "{}"));
    push_to(&emulator, &hook, "t");
    emulator.publish_all(&[numbered("incomingMessageReceived", 1)]);
    wait_for_requests(&hook, 2);
    assert_eq!(set_settings(&emulator, r#"{"webhookUrl":""}"#).0, 200);
    emulator.publish_all(&[numbered("incomingMessageReceived", 2)]);
    wait_for_head(&emulator);
    let seq: Vec<Value> = emulator.drain().iter().map(|b| b["seq"].clone()).collect();
    assert_eq!(seq, [json!(1), json!(2)]);
}

#[test]
fn each_push_is_logged_with_verbose_and_no_token_shows() {
    let hook = Scripted::start(vec![reply(500, "{}")], reply(200, "{}"));
    let mut child = std::process::Command::new(bin())
        .args([
            "-v",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--wait",
            "0",
            "--push-retry",
            "0.01",
        ])
        .args(["--accept", &format!("{INSTANCE}:{TOKEN}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
    });
    let agent = ureq::Agent::config_builder()
        .proxy(None)
        .build()
        .new_agent();
    agent
        .post(&format!("{url}/waInstance{INSTANCE}/setSettings/{TOKEN}"))
        .send(
            json!({"webhookUrl": format!("{}/hook", hook.url()), "webhookUrlToken": "hook-secret"})
                .to_string(),
        )
        .unwrap();
    agent.post(&url).send(example("logged")).unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    let mut pushes = 0;
    while pushes < 2 {
        let mut line = String::new();
        assert_ne!(
            stderr.read_line(&mut line).unwrap(),
            0,
            "the log ended:\n{log}"
        );
        if line.contains("push") {
            pushes += 1;
        }
        log.push_str(&line);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        log.contains("attempt 1") && log.contains("HTTP 500"),
        "{log}"
    );
    assert!(
        log.contains("attempt 2") && log.contains("200 delivered"),
        "{log}"
    );
    assert!(log.contains("/setSettings/***"), "{log}");
    assert!(!log.contains("hook-secret"), "{log}");
    assert_no_token(&[log.as_bytes()]);
}
