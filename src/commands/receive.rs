//! `greenq receive`: one long poll; prints the envelope; deletes nothing.

use std::io::Write;

use crate::cli::ReceiveArgs;
use crate::commands::failure::api_failure;
use crate::config::Config;
use crate::exit::{Error, ExitCode};
use crate::service::retry::{Limit, Repeat};
use crate::service::session::Session;
use crate::terminal::format::Format;
use crate::terminal::format::Printer;
use crate::terminal::tty;

pub fn run(config: &Config, args: &ReceiveArgs) -> anyhow::Result<ExitCode> {
    let credentials = config.require_credentials()?;
    let instance = credentials.instance;
    let session = Session::new(config, Some(credentials));
    session.spinner("waiting for a notification");
    let client = &session.client;
    let received = session
        .retry(Limit::Retries(3))
        .run(Repeat::Safe, || client.receive(args.receive_timeout));
    session.status.clear();
    let envelope = match received {
        Ok(Some(envelope)) => envelope,
        Ok(None) => {
            crate::commands::webhook_warning::warn_if_webhook_set(&session);
            session
                .status
                .line("no notification: the queue stayed empty for the whole wait");
            return Ok(ExitCode::NothingThere);
        }
        Err(e) => return Err(api_failure(e, "receiveNotification", Some(instance)).into()),
    };
    let indented = tty::stdout_is_terminal();
    let printer = Printer::new(Format::Json, session.stdout_color());
    let mut out = std::io::stdout().lock();
    printer
        .envelope(&mut out, &envelope, indented)
        .and_then(|()| out.flush())
        .map_err(Error::output)?;
    Ok(ExitCode::Success)
}
