//! `greenq doctor` against the emulator in each state and setting, and the webhookUrl
//! warning of tail and receive. The token never shows in any output.

use std::process::Output;

use crate::support::*;
use serde_json::Value;

fn emulator(extra: &[&str]) -> Emulator {
    let accept = format!("{INSTANCE}:{TOKEN}");
    let mut args = vec!["--wait", "0", "--accept", &accept];
    args.extend_from_slice(extra);
    Emulator::start_with(&args)
}

fn doctor(emulator: &Emulator, extra: &[&str]) -> Output {
    let out = emulator
        .cmd()
        .args(["-v", "doctor"])
        .args(extra)
        .output()
        .unwrap();
    assert_no_token(&[&out.stdout, &out.stderr]);
    out
}

fn json_report(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1, "one object:\n{text}");
    serde_json::from_str(&text).expect("json")
}

/// The line of check `name`, which must be there.
fn line_of(out: &Output, name: &str) -> String {
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines()
        .find(|l| l[5..].starts_with(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name} line in:\n{text}"))
        .to_string()
}

const CHECKS: [&str; 8] = [
    "configuration",
    "API host",
    "credentials",
    "instance state",
    "webhookUrl",
    "notification kinds",
    "queue depth",
    "webhook endpoint",
];

#[test]
fn everything_passes_against_a_fresh_emulator() {
    let emulator = emulator(&[]);
    let out = doctor(&emulator, &[]);
    assert_exit(&out, 0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), CHECKS.len(), "{stdout}");
    for (line, name) in lines.iter().zip(CHECKS) {
        assert!(line.starts_with(&format!("ok   {name}: ")), "{line}");
    }
    assert!(line_of(&out, "configuration").contains("token from GREEN_API_TOKEN"));
    let host = line_of(&out, "API host");
    for part in ["resolved in", "TCP connect", "first request", "round trip"] {
        assert!(host.contains(part), "{host}");
    }
    assert!(line_of(&out, "webhook endpoint").contains("nothing posted"));
}

#[test]
fn marks_on_a_terminal() {
    let emulator = emulator(&["--instance-state", "blocked"]);
    let out = doctor(&emulator, &[]);
    assert_exit(&out, 1);
    let out = emulator
        .cmd()
        .args(["--color", "never", "doctor"])
        .env("GREENQ_TEST_TERMINAL", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("✓ credentials: "), "{stdout}");
    assert!(stdout.contains("✗ instance state: blocked"), "{stdout}");
}

#[test]
fn json_has_every_check_in_order() {
    let emulator = emulator(&[]);
    let out = doctor(&emulator, &["--format", "json"]);
    assert_exit(&out, 0);
    let report = json_report(&out);
    assert_eq!(report["ok"], true);
    assert_eq!(report["exit"], 0);
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, CHECKS);
    assert_eq!(report["checks"][3]["data"]["state"], "authorized");
    assert!(report["checks"][1]["data"]["round_trip_ms"].is_number());
}

#[test]
fn every_state_but_authorized_fails_with_what_it_means_and_what_to_do() {
    for (state, advice) in [
        ("notAuthorized", "QR code"),
        ("blocked", "banned"),
        ("sleepMode", "turn the phone on"),
        ("starting", "wait for start-up"),
        ("yellowCard", "suspended"),
    ] {
        let emulator = emulator(&["--instance-state", state]);
        let out = doctor(&emulator, &[]);
        assert_exit(&out, 1);
        let line = line_of(&out, "instance state");
        assert!(
            line.starts_with(&format!("FAIL instance state: {state} (")),
            "{line}"
        );
        assert!(line.contains(advice), "{line}");
        assert!(line_of(&out, "credentials").starts_with("ok"));
        let report = json_report(&doctor(&emulator, &["--format", "json"]));
        assert_eq!(report["ok"], false);
        assert_eq!(report["checks"][3]["status"], "fail");
    }
}

#[test]
fn a_set_webhook_url_fails_and_incoming_off_warns() {
    let emulator = emulator(&[]);
    let settings = r#"{"webhookUrl":"https://hooks.example/in","incomingWebhook":"no"}"#;
    assert_eq!(set_settings(&emulator, settings).0, 200);
    let out = doctor(&emulator, &[]);
    assert_exit(&out, 1);
    let line = line_of(&out, "webhookUrl");
    assert!(line.starts_with("FAIL"), "{line}");
    assert!(line.contains("https://hooks.example/in"), "{line}");
    assert!(
        line.contains("the queue receives nothing while webhookUrl is set"),
        "{line}"
    );
    assert!(line.contains("clear webhookUrl"), "{line}");
    let kinds = line_of(&out, "notification kinds");
    assert!(kinds.starts_with("warn"), "{kinds}");
    assert!(kinds.contains("off: incomingWebhook"), "{kinds}");
}

#[test]
fn incoming_off_alone_warns_but_passes() {
    let emulator = emulator(&[]);
    assert_eq!(
        set_settings(&emulator, r#"{"incomingWebhook":"no"}"#).0,
        200
    );
    let out = doctor(&emulator, &[]);
    assert_exit(&out, 0);
    assert!(line_of(&out, "notification kinds").starts_with("warn"));
}

#[test]
fn rejected_credentials_exit_4_and_skip_the_rest() {
    // The emulator knows another token: the test token is the wrong one, and must not show.
    let emulator = Emulator::start_with(&["--accept", &format!("{INSTANCE}:other-token")]);
    let out = doctor(&emulator, &[]);
    assert_exit(&out, 4);
    let line = line_of(&out, "credentials");
    assert!(line.starts_with("FAIL") && line.contains("401"), "{line}");
    // Said once: "rejected (HTTP 401: ...); check ...", the word not repeated.
    assert!(
        line.starts_with("FAIL credentials: rejected (HTTP 401")
            && !line.contains("credentials rejected"),
        "{line}"
    );
    assert!(line.contains("); check the instance id"), "{line}");
    for name in ["instance state", "webhookUrl", "webhook endpoint"] {
        assert!(line_of(&out, name).starts_with("skip"), "{name}");
    }
    let out = doctor(&emulator, &["--format", "json"]);
    assert_exit(&out, 4);
    assert_eq!(json_report(&out)["exit"], 4);
    let unknown = Emulator::start_with(&["--accept", &format!("42:{TOKEN}")]);
    let out = doctor(&unknown, &[]);
    assert_exit(&out, 4);
    assert!(line_of(&out, "credentials").contains("403"));
}

#[test]
fn an_unreachable_api_host_fails_at_the_host() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let out = greenq_at(&closed).args(["doctor"]).output().unwrap();
    assert_no_token(&[&out.stdout, &out.stderr]);
    assert_exit(&out, 1);
    let line = line_of(&out, "API host");
    assert!(
        line.starts_with("FAIL") && line.contains("--api-url"),
        "{line}"
    );
    // On loopback, as every other command says it.
    let port = closed.rsplit(':').next().unwrap();
    assert!(
        line.contains(&format!(
            "(connection refused; is greenq serve running on 127.0.0.1:{port}?); start it, or check --api-url"
        )),
        "{line}"
    );
    assert!(line_of(&out, "credentials").starts_with("skip"));
}

#[test]
fn missing_configuration_fails_first() {
    let out = greenq().args(["doctor"]).output().unwrap();
    assert_exit(&out, 1);
    let line = line_of(&out, "configuration");
    assert!(
        line.starts_with("FAIL") && line.contains("GREEN_API_INSTANCE_ID"),
        "{line}"
    );
    assert!(line_of(&out, "API host").starts_with("skip"));
}

#[cfg(unix)]
#[test]
fn a_token_file_readable_by_others_is_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let emulator = emulator(&[]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, format!("{TOKEN}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = emulator
        .cmd()
        .env_remove("GREEN_API_TOKEN")
        .args(["doctor", "--token-file"])
        .arg(&path)
        .output()
        .unwrap();
    assert_no_token(&[&out.stdout, &out.stderr]);
    assert_exit(&out, 0);
    let line = line_of(&out, "configuration");
    assert!(
        line.starts_with("warn") && line.contains("mode 644"),
        "{line}"
    );
    assert!(line.contains("chmod 600"), "{line}");
}

#[test]
fn doctor_only_reads_and_posts_nothing() {
    let api = Scripted::start(
        vec![reply(200, r#"{"stateInstance":"authorized"}"#)],
        reply(200, "{}"),
    );
    let webhook = Scripted::start(vec![], reply(200, "{}"));
    let out = api
        .cmd()
        .env("GREEN_API_WEBHOOK_URL", webhook.url())
        .args(["doctor"])
        .output()
        .unwrap();
    assert_no_token(&[&out.stdout, &out.stderr]);
    let seen = api.seen();
    assert_eq!(seen.len(), 2, "getStateInstance and getWebhooksCount");
    assert!(seen.iter().all(|s| s.method == "GET"));
    assert!(seen[0].path.contains("/getStateInstance/"));
    assert!(seen[1].path.contains("/getWebhooksCount/"));
    assert!(
        webhook.seen().is_empty(),
        "nothing may be posted to the webhook endpoint"
    );
    assert!(line_of(&out, "webhook endpoint").starts_with("ok"));
}

#[test]
fn tail_and_receive_warn_while_webhook_url_is_set() {
    let emulator = emulator(&[]);
    let warning = "webhookUrl is set";
    let out = emulator.cmd().args(["tail", "-e"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(!String::from_utf8_lossy(&out.stderr).contains(warning));
    let out = emulator.cmd().args(["receive"]).output().unwrap();
    assert_exit(&out, 3);
    assert!(!String::from_utf8_lossy(&out.stderr).contains(warning));

    let settings = r#"{"webhookUrl":"http://127.0.0.1:9/hook"}"#;
    assert_eq!(set_settings(&emulator, settings).0, 200);
    for args in [&["tail", "-e"][..], &["receive"], &["-q", "tail", "-e"]] {
        let out = emulator.cmd().args(args).output().unwrap();
        assert_no_token(&[&out.stdout, &out.stderr]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(warning) && stderr.contains("greenq doctor"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn tail_goes_on_silently_when_get_settings_fails() {
    let server = Scripted::start(vec![], reply(200, "null"));
    let out = server.cmd().args(["tail", "-e"]).output().unwrap();
    assert_exit(&out, 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn a_starting_answer_to_get_state_instance_is_the_starting_state() {
    let api = Scripted::start(
        vec![reply(
            400,
            r#"{"message":"Instance in starting process, try later"}"#,
        )],
        reply(200, "{}"),
    );
    let out = api.cmd().args(["-v", "doctor"]).output().unwrap();
    assert_no_token(&[&out.stdout, &out.stderr]);
    assert_exit(&out, 1);
    assert!(line_of(&out, "API host").starts_with("ok"));
    assert!(line_of(&out, "credentials").starts_with("warn"));
    let state = line_of(&out, "instance state");
    assert!(
        state.starts_with("FAIL instance state: starting"),
        "{state}"
    );
    assert_eq!(
        api.seen().len(),
        1,
        "no retries: doctor reports, it does not wait"
    );
}

#[test]
fn ctrl_c_stops_doctor_with_130_after_the_checks_done() {
    let api = Scripted::start(
        vec![Step::Slow(
            std::time::Duration::from_secs(60),
            Box::new(reply(200, "{}")),
        )],
        reply(200, "{}"),
    );
    let mut child = std_greenq(&api.url())
        .arg("doctor")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_requests(&api, 1);
    let code = signal_and_wait(&mut child, libc::SIGINT);
    let stdout = read_rest(child.stdout.take());
    let stderr = read_rest(child.stderr.take());
    assert_no_token(&[stdout.as_bytes(), stderr.as_bytes()]);
    assert_eq!(code, Some(130), "{stdout}{stderr}");
    assert!(stdout.starts_with("ok   configuration:"), "{stdout}");
}

#[test]
fn the_queue_depth_is_shown_in_text_and_json() {
    let emulator = emulator(&[]);
    let bodies: Vec<String> = (0..3)
        .map(|n| numbered("incomingMessageReceived", n))
        .collect();
    emulator.publish_all(&bodies);
    let out = doctor(&emulator, &[]);
    assert_exit(&out, 0);
    let line = line_of(&out, "queue depth");
    assert!(
        line.starts_with("ok   queue depth: 3 notifications waiting"),
        "{line}"
    );
    let out = doctor(&emulator, &["--format", "json"]);
    let report = json_report(&out);
    let depth = &report["checks"][6];
    assert_eq!(depth["name"], "queue depth");
    assert_eq!(depth["data"]["depth"], 3);
}

#[test]
fn a_deep_queue_while_webhook_url_is_set_is_explained() {
    let emulator = emulator(&[]);
    // A webhook that is not there: every push waits for its retry, 60 s on.
    let settings = r#"{"webhookUrl":"http://127.0.0.1:9/hook"}"#;
    assert_eq!(set_settings(&emulator, settings).0, 200);
    let bodies: Vec<String> = (0..100)
        .map(|n| numbered("incomingMessageReceived", n))
        .collect();
    emulator.publish_all(&bodies);
    let out = doctor(&emulator, &[]);
    let line = line_of(&out, "queue depth");
    assert!(
        line.starts_with("warn queue depth: 100 notifications wait, and webhookUrl is set")
            && line.contains("answer 200"),
        "{line}"
    );
}
