//! `greenq demo`: no account, no configuration, no network beyond loopback. Starts the
//! emulator in this process, publishes a few notifications of different kinds through
//! the real publish path, then runs the real tail loop until the queue is empty.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use crate::cli::{DemoArgs, GlobalArgs};
use crate::commands::publish::{Source, check_all, send_all};
use crate::commands::tail;
use crate::config::{BaseUrl, Config, Credentials};
use crate::emulator::{DEMO_INSTANCE, DEMO_TOKEN, Emulator, Options};
use crate::exit::{Error, ExitCode};
use crate::secret::Secret;
use crate::service::retry::Repeat;
use crate::service::session::Session;
use crate::terminal::format;

pub fn run(global: &GlobalArgs, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let url = start_emulator(&[DEMO_INSTANCE], global.verbose)?;
    let token = Secret::new(DEMO_TOKEN)?;
    let config = demo_config(&url, DEMO_INSTANCE, &token, global);
    let session = Session::new(
        &config,
        Some(Credentials {
            instance: DEMO_INSTANCE,
            token,
        }),
    );
    let source = Source::memory("greenq's demo set", notifications());
    let total = check_all(&source)?;
    session.status.line(format_args!(
        "demo: an emulator runs on {url}; publishing {total} notifications to instance {DEMO_INSTANCE}, then tailing them"
    ));
    send_all(
        &session,
        &source,
        total,
        Repeat::OnlyIfNotCarriedOut,
        &mut std::io::sink(),
    )?;
    let format = args.format.unwrap_or_else(format::default_for_stdout);
    let options = tail::Options {
        count: None,
        exit_on_empty: true,
        receive_timeout: None,
        pipeline: true,
        max_rate: None,
        // Its emulator answers an empty receive at once.
        short_last_look: false,
    };
    let mut delivery = crate::consumer::printing(&session, format, Vec::new());
    let code = tail::follow_and_report(&session, &options, &mut delivery, None)?;
    if code == ExitCode::Success {
        session
            .status
            .line("demo: the queue is empty; try `greenq serve` to keep an emulator running");
    }
    Ok(code)
}

/// An emulator on a free loopback port hosting `ids` with the demo's token, served by a
/// thread that ends with the process; its URL.
pub(crate) fn start_emulator(ids: &[u64], verbose: bool) -> anyhow::Result<BaseUrl> {
    let emulator = Emulator::bind(Options {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        accept: ids.iter().map(|id| (*id, DEMO_TOKEN.to_string())).collect(),
        // An empty queue answers at once, so that the demo ends when it is drained.
        wait: Duration::ZERO,
        verbose,
        // Ids from 1 read well, and this emulator lives for one run that keeps no ledger.
        first_receipt: 1,
    })
    .with_context(cannot_start)?;
    let addr = emulator.local_addr().with_context(cannot_start)?;
    std::thread::spawn(move || emulator.run(std::future::pending()));
    Ok(BaseUrl::parse(
        &format!("http://{addr}"),
        "demo",
        "",
        false,
    )?)
}

/// Only colour and verbosity come from the command line: URLs, instance and token are
/// the emulator's, whatever the environment says.
pub(crate) fn demo_config(url: &BaseUrl, id: u64, token: &Secret, global: &GlobalArgs) -> Config {
    Config {
        api_url: url.clone(),
        webhook_url: url.clone(),
        instance: Some(id),
        token: Some(token.clone()),
        color: global.color,
        verbose: global.verbose,
        quiet: global.quiet,
    }
}

fn cannot_start() -> Error {
    Error::failure("cannot start the emulator on loopback")
        .fix("check that 127.0.0.1 is up and a free port can be bound")
}

/// The specification's example first, then one of each common kind, and one kind that
/// does not exist yet (greenq must pass it through untouched).
pub(crate) fn notifications() -> String {
    let now = jiff::Timestamp::now().as_second();
    let instance =
        json!({"idInstance": DEMO_INSTANCE, "wid": "79001234567@c.us", "typeInstance": "whatsapp"});
    let sender = json!({"chatId": "79001234568@c.us", "sender": "79001234568@c.us", "senderName": "Green API"});
    let example = r#"{"typeWebhook":"outgoingMessageReceived","instanceData":{"idInstance":33012345,"wid":"79001234567@c.us","typeInstance":"whatsapp"},"timestamp":1588091580,"idMessage":"F7AEC1B7086ECDC7E6E45923F5EDB825","senderData":{"chatId":"79001234568@c.us","sender":"79001234568@c.us","senderName":"Green API"},"messageData":{"typeMessage":"textMessage","textMessageData":{"textMessage":"I use Green-API to send this message to you!"}}}"#;
    let others = [
        json!({"typeWebhook": "incomingMessageReceived", "instanceData": instance, "timestamp": now,
               "idMessage": "3EB0C767D097B7C7C030", "senderData": sender,
               "messageData": {"typeMessage": "textMessage", "textMessageData": {"textMessage": "Привет! Got it, thanks 👍"}}}),
        json!({"typeWebhook": "incomingMessageReceived", "instanceData": instance, "timestamp": now,
               "idMessage": "3EB0C767D097B7C7C031", "senderData": sender,
               "messageData": {"typeMessage": "imageMessage", "fileMessageData": {
                   "downloadUrl": "https://example.invalid/cat.jpg", "caption": "our new office cat",
                   "fileName": "cat.jpg", "mimeType": "image/jpeg"}}}),
        json!({"typeWebhook": "incomingMessageReceived", "instanceData": instance, "timestamp": now,
               "idMessage": "3EB0C767D097B7C7C032", "senderData": sender,
               "messageData": {"typeMessage": "locationMessage", "locationMessageData": {
                   "latitude": 55.7539, "longitude": 37.6208, "nameLocation": "Red Square", "address": "Moscow"}}}),
        json!({"typeWebhook": "outgoingMessageStatus", "instanceData": instance, "timestamp": now,
               "idMessage": "F7AEC1B7086ECDC7E6E45923F5EDB825", "chatId": "79001234568@c.us",
               "status": "delivered", "sendByApi": true}),
        json!({"typeWebhook": "incomingCall", "instanceData": instance, "timestamp": now,
               "idMessage": "A1B2C3D4E5F6", "from": "79001234569@c.us", "status": "missed"}),
        json!({"typeWebhook": "stateInstanceChanged", "instanceData": instance, "timestamp": now,
               "stateInstance": "authorized"}),
        json!({"typeWebhook": "someFutureWebhook", "instanceData": instance, "timestamp": now,
               "novelty": {"shown": "as raw JSON, never dropped"}}),
    ];
    let mut ndjson = format!("{example}\n");
    for n in others {
        ndjson.push_str(&n.to_string());
        ndjson.push('\n');
    }
    ndjson
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_notifications_all_pass_the_publish_check() {
        let source = Source::memory("demo", notifications());
        assert_eq!(check_all(&source).unwrap(), 8);
    }
}
