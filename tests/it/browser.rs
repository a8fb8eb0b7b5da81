//! The chat page in a real browser: headless Chromium driven through chromedriver
//! (Debian's `chromium` and `chromium-driver`, installed by .ci/run) with fantoccini. A bot
//! written here (receive, sendMessage, delete) answers, so the test needs no Python.
//! With GREENQ_UPDATE_ASSETS=1 it also takes the screenshot in docs/.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use serde_json::json;
use std::panic::AssertUnwindSafe;

use crate::support::*;

const WAIT: Duration = Duration::from_secs(20);
const XSS: &str = "<img src=x onerror=\"document.title='pwned'\">";

fn tool(names: &[&str]) -> Option<PathBuf> {
    names.iter().find_map(|name| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// chromedriver on a free port, once it says it started.
fn start_driver(driver: &Path) -> (Driver, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines
            .next()
            .and_then(Result::ok)
            .expect("chromedriver's start line");
        if line.contains("started successfully") {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    (Driver(child), port)
}

/// Answers every typed text with the same text, as the vendor's echo example does.
fn echo_bot(emu: &Emulator, stop: &AtomicBool) {
    let receive = format!(
        "{}/waInstance{INSTANCE}/receiveNotification/{TOKEN}",
        emu.url()
    );
    while !stop.load(Ordering::SeqCst) {
        let (_, got) = get_json(&receive);
        let Some(receipt) = got["receiptId"].as_u64() else {
            continue;
        };
        let body = &got["body"];
        if body["typeWebhook"] == "incomingMessageReceived" {
            let text = &body["messageData"]["textMessageData"]["textMessage"];
            let chat = &body["senderData"]["chatId"];
            api(
                emu,
                "sendMessage",
                &json!({"chatId": chat, "message": text}),
            );
        }
        emu.delete(receipt);
    }
}

struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs `script` in the page and returns its string result: one atomic look, never a
/// stale element (the page replaces a message's element on every change).
async fn js(client: &Client, script: &str) -> Result<String, Box<fantoccini::error::CmdError>> {
    let value = client.execute(script, vec![]).await?;
    Ok(match value {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    })
}

async fn count(client: &Client, css: &str) -> Result<usize, Box<fantoccini::error::CmdError>> {
    let n = js(
        client,
        &format!("return document.querySelectorAll({css:?}).length"),
    )
    .await?;
    Ok(n.parse().unwrap_or(0))
}

/// Waits until `script` returns "true".
async fn until(
    client: &Client,
    what: &str,
    script: &str,
) -> Result<(), Box<fantoccini::error::CmdError>> {
    let start = Instant::now();
    while js(client, script).await? != "true" {
        assert!(start.elapsed() < WAIT, "waited {WAIT:?} for {what}");
    }
    Ok(())
}

const TICKS: &str = "const t = document.querySelector('#messages li.msg.outgoing .ticks'); \
                     return t ? t.dataset.status : ''";

/// Records in `window.ticksShown` each new status the answer's ticks show.
const WATCH_TICKS: &str = "window.ticksShown = []; \
    new MutationObserver(() => { \
      const t = document.querySelector('#messages li.msg.outgoing .ticks'); \
      const s = t ? t.dataset.status : ''; \
      if (s && window.ticksShown[window.ticksShown.length - 1] !== s) window.ticksShown.push(s); \
    }).observe(document.querySelector('#messages'), {childList: true, subtree: true}); \
    return ''";

const READ: &str = "const t = document.querySelector('#messages li.msg.outgoing .ticks'); \
                    return !!t && t.dataset.status === 'read'";

async fn drive(client: &Client, emu: &Emulator) -> Result<(), Box<fantoccini::error::CmdError>> {
    client.goto(&emu.url()).await?;
    // Add a contact through the page's form: the conversation opens.
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#instance option"))
        .await?;
    client
        .find(Locator::Css("#c-number"))
        .await?
        .send_keys("+7 900 123 45 68")
        .await?;
    client
        .find(Locator::Css("#c-name"))
        .await?
        .send_keys("Anna")
        .await?;
    client
        .find(Locator::Css("#add-contact button"))
        .await?
        .click()
        .await?;
    until(
        client,
        "the new contact's chat",
        "return !document.querySelector('#text').disabled",
    )
    .await?;
    // Every tick the answer shows, recorded by the page itself as each event lands: the
    // test's own looks may be slower than the statuses on a busy machine.
    js(client, WATCH_TICKS).await?;
    // Type a message that would run script if it were ever rendered as HTML.
    client
        .find(Locator::Css("#text"))
        .await?
        .send_keys(XSS)
        .await?;
    client.find(Locator::Css("#send")).await?.click().await?;
    until(
        client,
        "the bot's answer",
        "return !!document.querySelector('#messages li.msg.outgoing')",
    )
    .await?;
    let answer = js(
        client,
        "return document.querySelector('#messages li.msg.outgoing .text').textContent",
    )
    .await?;
    assert_eq!(answer, XSS, "the answer shows the text as text");
    let mine = js(
        client,
        "return document.querySelector('#messages li.msg.incoming .text').textContent",
    )
    .await?;
    assert_eq!(mine, XSS);
    assert_eq!(
        count(client, "#messages img").await?,
        0,
        "no element was made of the text"
    );
    assert_ne!(client.title().await?, "pwned");
    // The ticks advance without a reload.
    until(client, "the answer read", READ).await?;
    let shown: Vec<String> = js(client, "return JSON.stringify(window.ticksShown)")
        .await
        .map(|t| serde_json::from_str(&t).unwrap_or_default())?;
    assert!(
        ["sent", "delivered", "read"]
            .iter()
            .all(|s| shown.iter().any(|t| t == s)),
        "each status shown on the page: {shown:?}"
    );
    let order = ["pending", "sent", "delivered", "read"];
    let ranks: Vec<Option<usize>> = shown
        .iter()
        .map(|s| order.iter().position(|o| o == s))
        .collect();
    assert!(
        ranks.iter().all(Option::is_some) && ranks.windows(2).all(|w| w[0] < w[1]),
        "in order: {shown:?}"
    );
    let order = ["pending", "sent", "delivered", "read"];
    let ranks: Vec<usize> = shown
        .iter()
        .filter_map(|s| order.iter().position(|o| o == s))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "in order: {shown:?}");
    // The trace of the answer: the bot's call and the four notifications it caused.
    js(
        client,
        "document.querySelector('#messages li.msg.outgoing').click(); return ''",
    )
    .await?;
    until(
        client,
        "the trace's rows",
        "return document.querySelectorAll('#trace-body tr').length === 5",
    )
    .await?;
    let text = js(
        client,
        "return document.querySelector('#trace-body').textContent",
    )
    .await?;
    assert!(text.contains("API call: sendMessage"), "{text}");
    assert!(text.contains("answered the user's message in"), "{text}");
    if std::env::var_os("GREENQ_UPDATE_ASSETS").is_some() {
        let png = client.screenshot().await?;
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/emulator-chat.png");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
    // A reload shows the same thread, once.
    client.refresh().await?;
    until(
        client,
        "the contact after a reload",
        "return !!document.querySelector('#contact-list li')",
    )
    .await?;
    js(
        client,
        "document.querySelector('#contact-list li').click(); return ''",
    )
    .await?;
    until(
        client,
        "the thread after a reload, up to the answer's read (the replay's last event)",
        READ,
    )
    .await?;
    assert_eq!(count(client, "#messages li.msg").await?, 2, "no duplicates");
    assert_eq!(count(client, "#contact-list li").await?, 1);
    assert_eq!(js(client, TICKS).await?, "read");
    // A poll whose option is named like a property of every JavaScript object.
    let (_, poll) = api(
        emu,
        "sendPoll",
        &json!({"chatId": "79001234568@c.us", "message": "Pick", "options": [
            {"optionName": "constructor"}, {"optionName": "Red"}]}),
    );
    let (status, _) = post_json(
        &format!("{}/chat/votes", emu.url()),
        &json!({"chatId": "79001234568@c.us", "idMessage": poll["idMessage"], "optionNames": ["Red"]}),
    );
    assert_eq!(status, 200);
    let options =
        "return [...document.querySelectorAll('.poll-option')].map(b => b.textContent).join('|')";
    let start = Instant::now();
    loop {
        let shown = js(client, options).await?;
        if shown == "constructor|Red · 1" {
            break;
        }
        assert!(start.elapsed() < WAIT, "the vote on the page: {shown}");
    }
    Ok(())
}

#[test]
fn the_chat_page_in_chromium_shows_the_bots_answer_live_with_ticks_and_text_as_text() {
    let (Some(driver), Some(browser)) = (
        tool(&["chromedriver"]),
        tool(&["chromium", "chromium-browser", "google-chrome"]),
    ) else {
        eprintln!(
            "skipped: the browser test: chromium and chromedriver are not installed (.ci/run installs chromium and chromium-driver)"
        );
        return;
    };
    let emu = Emulator::start_with(&[
        "--wait",
        "1",
        "--accept",
        &format!("{INSTANCE}:{TOKEN}"),
        "--status-delay",
        "0.4",
    ]);
    let (_driver, port) = start_driver(&driver);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| echo_bot(&emu, &stop));
        // Set also when an assertion fails: the scope waits for the bot, which would
        // otherwise poll forever and the failing test never end.
        let _stop = StopOnDrop(&stop);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let outcome = runtime.block_on(async {
            let mut caps = serde_json::Map::new();
            caps.insert(
                "goog:chromeOptions".into(),
                json!({"binary": browser, "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,800", "--lang=en-US",
                ]}),
            );
            let client =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps)
                    .connect(&format!("http://127.0.0.1:{port}"))
                    .await
                    .expect("a WebDriver session");
            // The session is closed (and Chromium with it) even when an assertion fails.
            let outcome = AssertUnwindSafe(drive(&client, &emu)).catch_unwind().await;
            let _ = client.close().await;
            outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        outcome.expect("the browser session");
    });
}
