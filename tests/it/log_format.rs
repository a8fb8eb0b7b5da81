//! `--log-format json`: every line greenq writes on stderr is one JSON object (`time`,
//! `level`, `message` and the fields it names), through warnings, retries, the summary
//! and errors; stdout stays the data.

use std::os::unix::fs::PermissionsExt;

use crate::support::*;

fn json_lines(stderr: &[u8]) -> Vec<serde_json::Value> {
    let text = String::from_utf8_lossy(stderr);
    assert!(!text.trim().is_empty(), "nothing on stderr");
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}\nall:\n{text}"));
            for key in ["time", "level", "message"] {
                assert!(v[key].is_string(), "no {key} in {line}");
            }
            v
        })
        .collect()
}

#[test]
fn every_stderr_line_is_json_through_a_warning_retries_and_the_summary() {
    let server = Scripted::start(
        vec![
            reply(502, "bad gateway"),
            reply_with(429, &[("retry-after", "0")], ""),
            envelope(1, &example("hello")),
            reply(200, r#"{"result":true}"#),
        ],
        reply(200, "null"),
    );
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = server
        .cmd()
        .env_remove("GREEN_API_TOKEN")
        .args(["--log-format", "json", "--token-file"])
        .arg(&token_file)
        .args(["tail", "-e"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_no_token(&[&out.stdout, &out.stderr]);
    let lines = json_lines(&out.stderr);
    let warning = lines
        .iter()
        .find(|l| l["level"] == "warn")
        .expect("the token file warning");
    assert!(warning["message"].as_str().unwrap().contains("chmod 600"));
    let retries: Vec<_> = lines
        .iter()
        .filter(|l| l["message"].as_str().unwrap().starts_with("retrying in"))
        .collect();
    assert_eq!(retries.len(), 2, "{lines:?}");
    assert_eq!(retries[0]["status"], 502);
    assert_eq!(retries[1]["status"], 429);
    assert!(retries[0]["delay_s"].as_f64().unwrap() >= 0.0);
    assert_eq!(retries[0]["instance"], INSTANCE);
    let summary = lines.last().unwrap();
    assert_eq!(summary["level"], "info");
    let message = summary["message"].as_str().unwrap();
    assert!(
        message.starts_with("1 printed, 0 skipped, 1 deleted, 2 retries"),
        "{message}"
    );
    // stdout is the data, as without the flag.
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        printed["messageData"]["textMessageData"]["textMessage"],
        "hello"
    );
}

#[test]
fn an_error_is_one_json_line_too() {
    let server = Scripted::start(Vec::new(), reply(401, "Unauthorized"));
    let out = server
        .cmd()
        .args(["--log-format", "json", "tail"])
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let lines = json_lines(&out.stderr);
    let error = lines.last().unwrap();
    assert_eq!(error["level"], "error", "{lines:?}");
    assert_eq!(error["status"], 401, "{error}");
    assert!(!error["message"].as_str().unwrap().starts_with("greenq:"));
    assert_no_token(&[&out.stdout, &out.stderr]);
}
