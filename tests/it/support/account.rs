//! The instance's account side in tests: settings and state of the emulator, the scripted
//! server's answer to the settings read that tail and receive make, and waiting for pushes.

use std::time::{Duration, Instant};

use super::{Emulator, INSTANCE, Scripted, Seen, Step, TOKEN, reply};

/// Scripts describe the queue's methods: the getSettings that tail makes at start and
/// receive makes when it ends empty is answered 404 (greenq then goes on silently),
/// neither taking a step of the script nor counted as seen; so is, when `counts` (beside
/// `--metrics-listen`, whose depth thread reads it on its own), getWebhooksCount.
pub fn unscripted_answer(path: &str, counts: bool) -> Option<Step> {
    (path.contains("/getSettings/") || (counts && path.contains("/getWebhooksCount/")))
        .then(|| reply(404, r#"{"error":"not scripted"}"#))
}

/// A client that returns every status as an answer and ignores proxy variables.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .new_agent()
}

/// `{emulator}/waInstance{INSTANCE}/{method}/{token}`.
pub fn method_url(emulator: &Emulator, method: &str, token: &str) -> String {
    format!("{}/waInstance{INSTANCE}/{method}/{token}", emulator.url())
}

/// A GET of an account method with the test token: status and JSON body.
pub fn get(emulator: &Emulator, method: &str) -> (u16, serde_json::Value) {
    let mut answer = agent()
        .get(&method_url(emulator, method, TOKEN))
        .call()
        .expect("GET");
    let text = answer.body_mut().read_to_string().expect("body");
    (
        answer.status().as_u16(),
        serde_json::from_str(&text).expect("json"),
    )
}

/// POSTs `body` to setSettings with the test token: status and JSON body.
pub fn set_settings(emulator: &Emulator, body: &str) -> (u16, serde_json::Value) {
    let mut answer = agent()
        .post(&method_url(emulator, "setSettings", TOKEN))
        .header("content-type", "application/json")
        .send(body)
        .expect("POST");
    let text = answer.body_mut().read_to_string().expect("body");
    (
        answer.status().as_u16(),
        serde_json::from_str(&text).expect("json"),
    )
}

/// Waits until `server` has seen `n` requests (the event); fails after a generous limit.
pub fn wait_for_requests(server: &Scripted, n: usize) -> Vec<Seen> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let seen = server.seen();
        if seen.len() >= n {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "the hook saw {} of {n} requests",
            seen.len()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The value of a header in a request head, if present.
pub fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.headers.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}
