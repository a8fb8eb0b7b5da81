//! The hand-off to Redis Streams, with a real `redis-server` (`.ci/run` installs it): the
//! recipe of docs/consumer.md, `tail --exec -- redis-cli -e ... XADD greenq '*' body`,
//! puts every body in the stream once, in queue order, and a notification is deleted only after Redis took it. A Redis
//! that is down, or that refuses the command, fails the attempt and nothing is deleted.

use crate::support::*;

/// The recipe of docs/consumer.md, word for word (a test below holds the two together).
const RECIPE: &str = "greenq tail --exec -- redis-cli -e -p 6379 -x XADD greenq '*' body";

/// The recipe's arguments after `greenq tail`, for a Redis on `port`.
fn recipe(port: u16) -> Vec<String> {
    let words: Vec<String> = crate::docs::shell_words(RECIPE)
        .into_iter()
        .map(|w| w.expect("no operator in the recipe"))
        .collect();
    assert_eq!(words[..2], ["greenq", "tail"], "{RECIPE}");
    words[2..]
        .iter()
        .map(|w| match w.as_str() {
            "6379" => port.to_string(),
            _ => w.clone(),
        })
        .collect()
}

#[test]
fn the_documented_recipe_is_the_tested_one() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/consumer.md"))
        .expect("docs/consumer.md");
    assert!(
        crate::docs::code_lines(&doc)
            .iter()
            .any(|(_, line)| line == RECIPE),
        "docs/consumer.md has no code line `{RECIPE}`: keep the documented Redis recipe and this test's the same"
    );
    assert_eq!(
        recipe(7000).join(" "),
        "--exec -- redis-cli -e -p 7000 -x XADD greenq * body"
    );
}

#[test]
fn a_drain_into_a_redis_stream_holds_every_body_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start(dir.path());
    let emu = Emulator::start(0);
    let bodies: Vec<String> = (1..=20)
        .map(|i| numbered("incomingMessageReceived", i))
        .collect();
    emu.publish_all(&bodies);
    let out = emu
        .cmd()
        .args(["tail", "-e"])
        .args(recipe(redis.port))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(emu.head().is_none(), "everything was acknowledged");
    let stream: serde_json::Value =
        serde_json::from_str(&redis.cli(&["--json", "XRANGE", "greenq", "-", "+"])).unwrap();
    let stored: Vec<serde_json::Value> = stream
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let fields = &entry[1];
            assert_eq!(fields[0], "body", "{entry}");
            serde_json::from_str(fields[1].as_str().unwrap()).unwrap()
        })
        .collect();
    let expected: Vec<serde_json::Value> = bodies
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    assert_eq!(stored, expected, "every body once, in queue order");
}

#[test]
fn a_redis_that_is_down_or_refuses_fails_the_attempts_and_nothing_is_deleted() {
    let emu = Emulator::start(0);
    let bodies: Vec<String> = (1..=3)
        .map(|i| numbered("incomingMessageReceived", i))
        .collect();
    emu.publish_all(&bodies);
    // Down: nobody listens on the port.
    let down = unused_addr().port();
    let out = emu
        .cmd()
        .args(["tail", "-e", "--max-attempts", "2"])
        .args(recipe(down))
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("was not handled after 2 attempts"), "{err}");
    // Up, but the key is not a stream: XADD answers an error, which -e makes exit 1.
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start(dir.path());
    redis.cli(&["SET", "greenq", "not a stream"]);
    let out = emu
        .cmd()
        .args(["tail", "-e", "--max-attempts", "1"])
        .args(recipe(redis.port))
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let left: Vec<u64> = emu
        .drain()
        .iter()
        .map(|b| b["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(left, [1, 2, 3], "nothing was deleted");
}
