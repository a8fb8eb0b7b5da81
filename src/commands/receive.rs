//! `greenq receive`: one long poll; prints the envelope; deletes nothing.

use std::io::Write;

use crate::cli::{Format, ReceiveArgs};
use crate::client::ONE_SHOT_RETRIES;
use crate::commands::Session;
use crate::config::Config;
use crate::exit::{Error, ExitCode, Result};
use crate::format::Printer;
use crate::terminal;

pub fn run(config: &Config, args: &ReceiveArgs) -> Result<ExitCode> {
    let credentials = config.require_credentials()?;
    let instance = credentials.instance;
    let session = Session::new(config, Some(credentials));
    session.spinner("waiting for a notification");
    let received = session
        .client
        .retrying(ONE_SHOT_RETRIES, |c| c.receive(args.receive_timeout));
    session.status.clear();
    let envelope = match received {
        Ok(Some(envelope)) => envelope,
        Ok(None) => {
            crate::commands::doctor::warn_if_webhook_set(&session);
            session
                .status
                .line("no notification: the queue stayed empty for the whole wait");
            return Ok(ExitCode::NothingThere);
        }
        Err(e) => return Err(e.into_error("receiveNotification", Some(instance))),
    };
    let indented = terminal::stdout_is_terminal();
    let printer = Printer::new(Format::Json, session.stdout_color());
    let mut out = std::io::stdout().lock();
    printer
        .envelope(&mut out, &envelope, indented)
        .and_then(|()| out.flush())
        .map_err(Error::output)?;
    Ok(ExitCode::Success)
}
