//! What to tell the user when a call failed for good: the advice names the flags and
//! variables to check, which only the command layer knows.

use crate::exit::{Error, ExitCode};
use crate::service::answer::ApiError;

/// The user-facing error for a failed `what` ("receiveNotification", "publish", ...).
/// What to check when credentials are rejected; `lib::run` names the profile instead
/// when the credentials came from one.
pub const CREDENTIALS_ADVICE: &str = "check the instance id (-i, GREEN_API_INSTANCE_ID), the token (GREEN_API_TOKEN, --token-file) \
     and that --api-url is the host the console shows for this instance";

/// Where the API host and the webhook endpoint are set, as the advice names them; `lib::run`
/// names the profile instead when one supplied them.
pub const API_OPTION: &str = "--api-url or GREEN_API_URL (the console shows your instance's host)";
pub const WEBHOOK_OPTION: &str = "--webhook-url or GREEN_API_WEBHOOK_URL";

pub fn api_failure(e: ApiError, what: &str, instance: Option<u64>) -> Error {
    let retry_later = "check the network and the service, then try again";
    match e {
        ApiError::Transient { reason, .. } => Error::failure(format!("{what} failed"))
            .why(reason)
            .fix(retry_later),
        ApiError::Exhausted { reason, retries } => Error::failure(format!("{what} failed"))
            .why(format!("{reason}; gave up after {retries} retries"))
            .fix(retry_later),
        ApiError::Unreachable { host, reason } => {
            let option = if what.starts_with("publish") {
                WEBHOOK_OPTION
            } else {
                API_OPTION
            };
            let loopback = crate::config::is_loopback(crate::config::host_part(&host));
            let fix = if loopback && reason.starts_with("connection refused") {
                format!("start it, or check {option}")
            } else if loopback {
                format!("check {option}")
            } else {
                format!(
                    "check {option}, and that this machine can reach it (DNS, proxy: HTTPS_PROXY, firewall)"
                )
            };
            Error::failure(format!("cannot reach {host}"))
                .why(reason)
                .fix(fix)
        }
        ApiError::MayHaveArrived { reason } => {
            Error::failure(format!("{what} may have arrived"))
                .why(format!(
                    "it was sent, and its answer was lost: {reason}; greenq does not send it again, which could publish it twice"
                ))
                .fix("check the queue (greenq receive) before sending it again; --at-least-once retries instead of stopping")
        }
        ApiError::Credentials { status, detail } => {
            let why = match status {
                403 => format!(
                    "HTTP 403: instance {} is unknown to this host or not authorized: {detail}",
                    instance.map_or_else(|| "?".to_string(), |i| i.to_string())
                ),
                _ => format!("HTTP {status}: the token was not accepted: {detail}"),
            };
            Error::new(ExitCode::Credentials, "credentials rejected")
                .why(why)
                .fix(CREDENTIALS_ADVICE)
        }
        ApiError::Quota { detail } => Error::new(ExitCode::Quota, "quota exceeded")
            .why(format!("HTTP 466: {detail}"))
            .fix("upgrade the instance's plan in the console, or wait until the quota renews"),
        ApiError::Rejected { status, detail } => {
            let fix = match status {
                404 => "check --webhook-url or GREEN_API_WEBHOOK_URL, and that it hosts the instance the body's instanceData.idInstance names",
                413 => "the notification is too large for the service: make it smaller",
                _ => "fix the notification (run with -v to see the exchange), or check --webhook-url",
            };
            Error::failure(format!("{what} was rejected"))
                .why(format!("HTTP {status}: {detail}"))
                .fix(fix)
        }
        ApiError::Unexpected { reason } => Error::failure(format!("{what} failed"))
            .why(reason)
            .fix("check --api-url / --webhook-url; run with -v to see the exchange"),
        ApiError::Malformed { reason } => {
            let option = if what.starts_with("publish") {
                "--webhook-url"
            } else {
                "--api-url"
            };
            Error::failure(format!("{what} failed"))
                .why(format!(
                    "the service answered something it does not document: {reason}"
                ))
                .fix(format!(
                    "check that {option} points at the service (another server's page is no answer of it); run with -v to see the exchange"
                ))
        }
        ApiError::Interrupted => Error::interrupted(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_class() {
        let code = |e: ApiError| api_failure(e, "x", Some(1)).code;
        assert_eq!(
            code(ApiError::Credentials {
                status: 401,
                detail: String::new()
            }),
            ExitCode::Credentials
        );
        assert_eq!(
            code(ApiError::Quota {
                detail: String::new()
            }),
            ExitCode::Quota
        );
        for failure in [
            ApiError::Exhausted {
                reason: String::new(),
                retries: 3,
            },
            ApiError::Unexpected {
                reason: String::new(),
            },
            ApiError::Malformed {
                reason: String::new(),
            },
            ApiError::MayHaveArrived {
                reason: String::new(),
            },
            ApiError::Unreachable {
                host: "h".into(),
                reason: String::new(),
            },
        ] {
            assert_eq!(code(failure), ExitCode::Failure);
        }
        assert_eq!(code(ApiError::Interrupted), ExitCode::Interrupted);
    }
}
