//! The URLs a profile is written with: `--api-url` (required, the caller says why) and
//! `--webhook-url`, checked as a command would check them.

use crate::cli::GlobalArgs;
use crate::config::BaseUrl;
use crate::exit::{Error, Result};

/// `--api-url` (`missing` when it is not given) and the optional `--webhook-url`.
pub fn profile_urls(
    global: &GlobalArgs,
    missing: impl FnOnce() -> Error,
) -> Result<(BaseUrl, Option<BaseUrl>)> {
    let api = global.api_url.as_deref().ok_or_else(missing)?;
    let api = BaseUrl::parse(
        api,
        "--api-url",
        "GREEN_API_URL",
        global.allow_insecure_http,
    )?;
    let webhook = global
        .webhook_url
        .as_deref()
        .map(|u| {
            BaseUrl::parse(
                u,
                "--webhook-url",
                "GREEN_API_WEBHOOK_URL",
                global.allow_insecure_http,
            )
        })
        .transpose()?;
    Ok((api, webhook))
}
