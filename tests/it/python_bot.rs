//! The vendor's bot framework (whatsapp-chatbot-python, from PyPI) against `greenq serve`:
//! its echo example, unchanged but for `host=`, answers messages typed through the chat
//! page's routes. `.ci/run` installs it in target/venv; GREENQ_TEST_PYTHON names another
//! interpreter that has it. Without either, the test says so in one line and passes.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::support::*;

/// The instance and token of the vendor's example (examples/echo.py).
const BOT_INSTANCE: u64 = 1101000001;
const BOT_TOKEN: &str = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345";
const MESSAGES: usize = 20;

/// The Python that has the framework, or why there is none.
fn python() -> Result<PathBuf, String> {
    let python = std::env::var_os("GREENQ_TEST_PYTHON").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/venv/bin/python"),
        PathBuf::from,
    );
    let found = Command::new(&python)
        .args(["-c", "import whatsapp_chatbot_python"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match found {
        Ok(s) if s.success() => Ok(python),
        _ => Err(format!(
            "{} has no whatsapp_chatbot_python (.ci/run installs it: python3 -m venv target/venv && target/venv/bin/pip install whatsapp-chatbot-python)",
            python.display()
        )),
    }
}

struct Bot(Child);

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The instance's receivers on the page's status route.
fn receivers(emu: &Emulator) -> Value {
    let (_, status) = get_json(&format!("{}/chat/status", emu.url()));
    status["instances"][0].clone()
}

#[test]
fn the_vendors_echo_bot_answers_twenty_messages_typed_on_the_page() {
    let python = match python() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("skipped: the Python bot test: {why}");
            return;
        }
    };
    let emu = Emulator::start_with(&[
        "--wait",
        "1",
        "--accept",
        &format!("{BOT_INSTANCE}:{BOT_TOKEN}"),
        "--status-delay",
        "0.02",
    ]);
    let vendor = include_str!("../fixtures/echo.py");
    let original = format!("\"{BOT_INSTANCE}\", \"{BOT_TOKEN}\"\n)");
    assert!(vendor.contains(&original), "the example changed upstream");
    let script = vendor.replace(
        &original,
        &format!(
            "\"{BOT_INSTANCE}\", \"{BOT_TOKEN}\", host=\"{}\"\n)",
            emu.url()
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("echo.py");
    std::fs::write(&path, script).unwrap();
    let log = std::fs::File::create(dir.path().join("bot.log")).unwrap();
    let _bot = Bot(Command::new(&python)
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start the bot"));
    let bot_log = || std::fs::read_to_string(dir.path().join("bot.log")).unwrap_or_default();
    // The framework drains the queue at start (until a receive answers empty), then polls.
    wait_for(Duration::from_secs(30), "the bot to start polling", || {
        let r = receivers(&emu);
        r["emptyAnswers"].as_u64() >= Some(1) && r["waiting"].as_u64() >= Some(1)
    });
    let anna = add_contact(&emu, "79001234568", "Anna", "normal");
    let texts: Vec<String> = (1..=MESSAGES)
        .map(|i| format!("message {i}: <b>echo</b> & \"quotes\""))
        .collect();
    let typed: Vec<String> = texts
        .iter()
        .map(|t| {
            type_message(&emu, &anna, t)["idMessage"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let settled = |m: &Value| {
        m["notifications"]
            .as_array()
            .is_some_and(|ns| ns.iter().all(|n| n["deleted"] == true))
    };
    wait_for(
        Duration::from_secs(30),
        "20 answers read and every notification deleted",
        || {
            let messages = chat_messages(&emu, &anna);
            messages.len() == 2 * MESSAGES
                && messages.iter().all(settled)
                && messages
                    .iter()
                    .filter(|m| m["type"] == "outgoing")
                    .all(|m| {
                        m["statusMessage"] == "read"
                            && m["notifications"].as_array().map(Vec::len) == Some(4)
                    })
        },
    );
    let messages = chat_messages(&emu, &anna);
    for (id, text) in typed.iter().zip(&texts) {
        let incoming = messages
            .iter()
            .find(|m| m["idMessage"] == id.as_str())
            .unwrap();
        let notes = incoming["notifications"].as_array().unwrap();
        assert_eq!(notes.len(), 1, "{incoming}");
        assert_eq!(notes[0]["typeWebhook"], "incomingMessageReceived");
        assert_eq!(notes[0]["received"], 1, "received once: {incoming}");
        let answers: Vec<&Value> = messages
            .iter()
            .filter(|m| m["replyTo"] == id.as_str())
            .collect();
        assert_eq!(answers.len(), 1, "one answer to {text}:\n{}", bot_log());
        let answer = answers[0];
        assert_eq!(
            answer["messageData"]["textMessageData"]["textMessage"],
            text.as_str()
        );
        assert_eq!(answer["call"]["method"], "sendMessage");
        let trace: Vec<(String, String, u64)> = answer["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["typeWebhook"].as_str().unwrap().to_string(),
                    n["status"].as_str().unwrap_or_default().to_string(),
                    n["received"].as_u64().unwrap(),
                )
            })
            .collect();
        let expected: Vec<(String, String, u64)> = [
            ("outgoingAPIMessageReceived", ""),
            ("outgoingMessageStatus", "sent"),
            ("outgoingMessageStatus", "delivered"),
            ("outgoingMessageStatus", "read"),
        ]
        .iter()
        .map(|(k, s)| (k.to_string(), s.to_string(), 1))
        .collect();
        assert_eq!(trace, expected, "{answer}");
        assert!(answer["answerMs"].as_u64().is_some());
    }
    let r = receivers(&emu);
    assert_eq!(r["received"].as_u64(), Some(5 * MESSAGES as u64), "{r}");
}
