//! `greenq count`: how many notifications wait in the queue (getWebhooksCount).

use std::io::Write;

use serde_json::json;

use crate::cli::{CountArgs, CountFormat};
use crate::commands::failure::api_failure;
use crate::config::Config;
use crate::exit::{Error, ExitCode};
use crate::service::retry::{Limit, Repeat};
use crate::service::session::Session;

pub fn run(config: &Config, args: &CountArgs) -> anyhow::Result<ExitCode> {
    let credentials = config.require_credentials()?;
    let instance = credentials.instance;
    let session = Session::new(config, Some(credentials));
    let client = &session.client;
    let count = session
        .retry(Limit::Retries(3))
        .run(Repeat::Safe, || client.webhooks_count())
        .map_err(|e| api_failure(e, "getWebhooksCount", Some(instance)))?;
    let line = match args.format {
        CountFormat::Text => count.to_string(),
        CountFormat::Json => json!({"count": count, "instance": instance}).to_string(),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(Error::output)?;
    Ok(ExitCode::Success)
}
