//! Classifying what came back (or did not): every answer and every connection fault is
//! sorted into the classes of the service's documentation, and a fault says whether the
//! request can have been carried out.

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::config::{host_part, is_loopback};
use crate::secret::Secret;
use crate::service::retry::backoff::parse_retry_after;
use crate::service::transport::Progress;
use crate::text::snippet;

/// How a call failed, classified. Every text in it is redacted by the client.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// Worth another try: 408, 429, 499, 5xx, "instance starting", connection faults, timeouts.
    Transient {
        reason: String,
        retry_after: Option<Duration>,
        arrival: Arrival,
    },
    /// The host cannot be reached at all before anything ever worked: a name that does
    /// not resolve, a refused connection, a TLS failure; the request never went out whole,
    /// so it was not carried out. Most likely a wrong URL.
    Unreachable { host: String, reason: String },
    /// A transient fault that outlived the retries.
    Exhausted { reason: String, retries: u32 },
    /// A POST was sent and its answer was lost: it may have been carried out.
    MayHaveArrived { reason: String },
    /// 401 / 403, or a 200 whose body says `{"code":401}`.
    Credentials { status: u16, detail: String },
    /// 466: the plan's quota is used up.
    Quota { detail: String },
    /// A POST refused with a definite 4xx (not 401/403/408/429/466, nor 400 "starting",
    /// which have classes of their own): the service did not take it.
    Rejected { status: u16, detail: String },
    /// Anything else: an unexpected status, a call that cannot be made.
    Unexpected { reason: String },
    /// The service answered, and the answer is not the documented one: a 2xx whose body
    /// is not the expected JSON object, or an answer too large to be one. A fault of the
    /// service: a GET or DELETE is asked again a few times (`retry`), never a POST.
    Malformed { reason: String },
    /// Ctrl-C or SIGTERM arrived.
    Interrupted,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Transient { reason, .. }
            | ApiError::Exhausted { reason, .. }
            | ApiError::MayHaveArrived { reason }
            | ApiError::Unexpected { reason }
            | ApiError::Malformed { reason } => f.write_str(reason),
            ApiError::Unreachable { host, reason } => write!(f, "{host}: {reason}"),
            ApiError::Credentials { status, detail } | ApiError::Rejected { status, detail } => {
                write!(f, "HTTP {status}: {detail}")
            }
            ApiError::Quota { detail } => write!(f, "HTTP 466: {detail}"),
            ApiError::Interrupted => f.write_str("interrupted"),
        }
    }
}

/// Whether a failed request can have been carried out: what decides if a POST may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// It never reached the service whole (no connection, or the write failed).
    NotSent,
    /// The service answered that it did not take it (429, 503 with Retry-After, 408, starting).
    Refused,
    /// It went out and the answer was lost, cut short, or was an error after the body
    /// went out: it may have been carried out.
    Unknown,
}

/// An answer read whole: status, `Retry-After`, body.
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

impl Answer {
    /// `Retry-After` matters only on a refusal.
    pub fn retry_after_of(status: u16, header: Option<&str>) -> Option<Duration> {
        (status >= 300)
            .then_some(header)
            .flatten()
            .and_then(parse_retry_after)
    }

    /// A ureq response read whole, its body up to `limit` bytes.
    pub fn read(
        mut response: ureq::http::Response<ureq::Body>,
        limit: u64,
    ) -> Result<Answer, ureq::Error> {
        let status = response.status().as_u16();
        let retry_after = Answer::retry_after_of(
            status,
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
        );
        let body = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()?;
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }
}

/// Everything but a 2xx, sorted into the classes of the service's documentation.
pub fn classify_status(answer: &Answer, secret: Option<&Secret>) -> Result<(), ApiError> {
    let status = answer.status;
    let detail = || snippet(&answer.body, secret);
    let transient = |reason: String, arrival| {
        Err(ApiError::Transient {
            reason,
            retry_after: answer.retry_after,
            arrival,
        })
    };
    match status {
        200..=299 => Ok(()),
        401 | 403 => Err(ApiError::Credentials {
            status,
            detail: detail(),
        }),
        466 => Err(ApiError::Quota { detail: detail() }),
        408 => transient("HTTP 408 (request timeout)".into(), Arrival::Refused),
        429 => transient("HTTP 429 (too many requests)".into(), Arrival::Refused),
        // A 503 that says when to come back is the service turning the request away.
        503 if answer.retry_after.is_some() => {
            transient("HTTP 503 (unavailable)".into(), Arrival::Refused)
        }
        499..=599 => transient(format!("HTTP {status}"), Arrival::Unknown),
        400 if String::from_utf8_lossy(&answer.body)
            .to_ascii_lowercase()
            .contains("starting") =>
        {
            transient(
                "HTTP 400 (the instance is starting)".into(),
                Arrival::Refused,
            )
        }
        _ => Err(ApiError::Unexpected {
            reason: format!("HTTP {status}: {}", detail()),
        }),
    }
}

/// `classify_status` for a POST: a 4xx it has no class for is a definite rejection (the
/// notification arrived nowhere), not an unexpected answer.
pub fn classify_post_status(answer: &Answer, secret: Option<&Secret>) -> Result<(), ApiError> {
    match classify_status(answer, secret) {
        Err(ApiError::Unexpected { .. }) if (400..=498).contains(&answer.status) => {
            Err(ApiError::Rejected {
                status: answer.status,
                detail: snippet(&answer.body, secret),
            })
        }
        other => other,
    }
}

/// The live service has answered HTTP 200 with `{"code":401,"description":"Unauthorized"}`.
pub fn code_refusal(body: &[u8], secret: Option<&Secret>) -> Option<ApiError> {
    #[derive(Deserialize)]
    struct Coded {
        code: u16,
    }
    let coded: Coded = object(body).ok()?;
    let detail = snippet(body, secret);
    match coded.code {
        401 | 403 => Some(ApiError::Credentials {
            status: coded.code,
            detail,
        }),
        466 => Some(ApiError::Quota { detail }),
        _ => None,
    }
}

/// Why a body is not the JSON object expected.
#[derive(Debug)]
pub enum NotObject {
    /// Valid JSON, or the start of it, of another kind: `an array`, `a string`, ...
    Kind(&'static str),
    /// Not JSON, or an object without the fields (or with fields of the wrong type).
    Json(serde_json::Error),
}

impl std::fmt::Display for NotObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotObject::Kind(kind) => write!(f, "{kind}, not an object"),
            NotObject::Json(e) => write!(f, "{e}"),
        }
    }
}

/// The one door for an answer read into a struct: the body must be a JSON object. A
/// derived `Deserialize` also takes an array for a struct, its items as the fields in
/// order (`[7,{...}]` would be receipt 7 and its body), so the kind is checked first.
pub fn object<T: DeserializeOwned>(body: &[u8]) -> Result<T, NotObject> {
    // JSON's own white space; a document that starts with `{` after it is an object or no JSON.
    let Some(at) = body
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    else {
        return Err(NotObject::Kind("an empty body"));
    };
    let kind = match body[at] {
        b'{' => return serde_json::from_slice(body).map_err(NotObject::Json),
        b'[' => "an array",
        b'"' => "a string",
        b'n' if body[at..].starts_with(b"null") => "null",
        b't' | b'f' => "a boolean",
        b'-' | b'0'..=b'9' => "a number",
        b'<' => "HTML or XML",
        _ => "not JSON",
    };
    Err(NotObject::Kind(kind))
}

/// A 2xx body read as the documented object `T`; `expected` names it for the message. A
/// `{"code":401}` refusal is told as such; anything else that is not `T` is malformed.
pub fn read_object<T: DeserializeOwned>(
    answer: &Answer,
    expected: &str,
    secret: Option<&Secret>,
) -> Result<T, ApiError> {
    // A refusal first: an object of optional fields would take it for an answer.
    if let Some(refusal) = code_refusal(&answer.body, secret) {
        return Err(refusal);
    }
    object(&answer.body).map_err(|why| malformed(answer, expected, &why, secret))
}

/// The error for a 2xx whose body is not `expected`: what came back, redacted and cut short.
pub fn malformed(
    answer: &Answer,
    expected: &str,
    why: &dyn std::fmt::Display,
    secret: Option<&Secret>,
) -> ApiError {
    ApiError::Malformed {
        reason: format!(
            "HTTP {} with a body that is not {expected} ({why}): {}",
            answer.status,
            snippet(&answer.body, secret)
        ),
    }
}

/// Where a request that got no answer stands.
pub struct Fault<'a> {
    /// `text` of the error, redacted by the caller.
    pub text: String,
    pub host: &'a str,
    /// Nothing has worked yet in this run: a wrong URL is more likely than an outage.
    pub first_contact: bool,
    pub progress: Progress,
}

/// Connection-level faults: transient, except that before anything worked a host that
/// cannot be found, refuses or fails TLS is a configuration problem (a wrong URL is
/// likelier than an outage; a supervisor restarts a service whose local server was not
/// up yet); and a fault after the request went out may leave it carried out.
pub fn classify_transport(e: &ureq::Error, fault: Fault) -> ApiError {
    use ureq::Error as E;
    let Fault {
        text,
        host,
        first_contact,
        progress,
    } = fault;
    let arrival = if progress.sent {
        Arrival::Unknown
    } else {
        Arrival::NotSent
    };
    let unreachable = |reason: String| {
        // Only while nothing went out whole: a request that did (a TLS fault in the answer)
        // may have been carried out, and a POST must not be told it arrived nowhere.
        if first_contact && !progress.sent {
            ApiError::Unreachable {
                host: host.to_string(),
                reason,
            }
        } else {
            ApiError::Transient {
                reason,
                retry_after: None,
                arrival,
            }
        }
    };
    let refused = match e {
        E::ConnectionFailed => true,
        E::Io(io) => io.kind() == std::io::ErrorKind::ConnectionRefused,
        _ => false,
    };
    // rustls' own errors (a handshake that failed) come wrapped in an I/O error.
    let tls = matches!(e, E::Tls(_) | E::Rustls(_) | E::Pem(_))
        || matches!(e, E::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()));
    match e {
        E::HostNotFound => unreachable("the host name does not resolve".into()),
        // On loopback, most often the emulator on another port or not started.
        _ if refused && !progress.writing && is_loopback(host_part(host)) => unreachable(format!(
            "connection refused; is greenq serve running on {host}?"
        )),
        _ if refused && !progress.writing => unreachable(format!("connection refused: {text}")),
        // greenq serve has no TLS: an https:// URL to it fails the handshake.
        _ if tls && is_loopback(host_part(host)) => unreachable(format!(
            "TLS failed: {text}; greenq serve speaks plain http: use http://{host}"
        )),
        _ if tls => unreachable(format!(
            "TLS failed: {text}; if a corporate CA signs this host, add it to the system's trust store"
        )),
        E::Timeout(_) => ApiError::Transient {
            reason: format!("timed out ({text})"),
            retry_after: None,
            arrival,
        },
        E::Io(_) | E::ConnectionFailed | E::Protocol(_) => ApiError::Transient {
            reason: format!("connection failed: {text}"),
            retry_after: None,
            arrival,
        },
        E::BodyExceedsLimit(limit) => ApiError::Malformed {
            reason: format!("the answer is larger than {} MiB", limit >> 20),
        },
        E::LargeResponseHeader(..) => ApiError::Malformed {
            reason: format!("the answer's head is too large ({text})"),
        },
        _ => ApiError::Unexpected { reason: text },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, retry_after: Option<u64>, body: &str) -> Answer {
        Answer {
            status,
            retry_after: retry_after.map(Duration::from_secs),
            body: body.as_bytes().to_vec(),
        }
    }

    fn arrival(status: u16, retry_after: Option<u64>) -> Option<Arrival> {
        match classify_status(&answer(status, retry_after, ""), None) {
            Err(ApiError::Transient { arrival, .. }) => Some(arrival),
            _ => None,
        }
    }

    #[test]
    fn statuses_are_classified_as_documented() {
        assert!(classify_status(&answer(200, None, ""), None).is_ok());
        assert!(matches!(
            classify_status(&answer(401, None, ""), None),
            Err(ApiError::Credentials { status: 401, .. })
        ));
        assert!(matches!(
            classify_status(&answer(403, None, ""), None),
            Err(ApiError::Credentials { status: 403, .. })
        ));
        assert!(
            matches!(classify_status(&answer(466, None, "limit"), None), Err(ApiError::Quota { detail }) if detail == "limit")
        );
        assert!(matches!(
            classify_status(
                &answer(
                    400,
                    None,
                    "{\"message\":\"Instance in starting process, try later\"}"
                ),
                None
            ),
            Err(ApiError::Transient {
                arrival: Arrival::Refused,
                ..
            })
        ));
        assert!(matches!(
            classify_status(&answer(400, None, "bad"), None),
            Err(ApiError::Unexpected { .. })
        ));
        assert!(
            matches!(classify_status(&answer(404, None, "nope"), None), Err(ApiError::Unexpected { reason }) if reason == "HTTP 404: nope")
        );
    }

    #[test]
    fn only_a_refusal_says_a_request_was_not_carried_out() {
        assert_eq!(arrival(429, None), Some(Arrival::Refused));
        assert_eq!(arrival(408, None), Some(Arrival::Refused));
        assert_eq!(arrival(503, Some(0)), Some(Arrival::Refused));
        assert_eq!(arrival(503, None), Some(Arrival::Unknown));
        for status in [499, 500, 502, 504] {
            assert_eq!(arrival(status, Some(1)), Some(Arrival::Unknown), "{status}");
        }
    }

    #[test]
    fn a_200_with_code_401_is_a_credentials_error() {
        assert!(matches!(
            code_refusal(br#"{"code":401,"description":"Unauthorized"}"#, None),
            Some(ApiError::Credentials { status: 401, .. })
        ));
        assert!(matches!(
            code_refusal(br#"{"code":466}"#, None),
            Some(ApiError::Quota { .. })
        ));
        assert_eq!(code_refusal(br#"{"result":true}"#, None), None);
        assert_eq!(code_refusal(b"garbage", None), None);
    }

    fn fault(first_contact: bool, host: &str, progress: Progress) -> Fault<'_> {
        Fault {
            text: "x".into(),
            host,
            first_contact,
            progress,
        }
    }

    #[test]
    fn a_bad_host_fails_fast_only_before_first_contact() {
        let e = ureq::Error::HostNotFound;
        assert!(matches!(
            classify_transport(&e, fault(true, "apii.example", Progress::default())),
            ApiError::Unreachable { .. }
        ));
        assert!(matches!(
            classify_transport(&e, fault(false, "apii.example", Progress::default())),
            ApiError::Transient { .. }
        ));
        let refused = ureq::Error::Io(std::io::ErrorKind::ConnectionRefused.into());
        assert!(matches!(
            classify_transport(&refused, fault(true, "api.example", Progress::default())),
            ApiError::Unreachable { .. }
        ));
        assert!(
            matches!(
                classify_transport(&refused, fault(true, "127.0.0.1:7701", Progress::default())),
                ApiError::Unreachable { reason, .. }
                    if reason == "connection refused; is greenq serve running on 127.0.0.1:7701?"
            ),
            "a wrong loopback port is a wrong URL too"
        );
        assert!(
            matches!(
                classify_transport(
                    &refused,
                    fault(false, "127.0.0.1:7701", Progress::default())
                ),
                ApiError::Transient {
                    arrival: Arrival::NotSent,
                    ..
                }
            ),
            "after an answer came, a refusal is an outage, and what it refused was not sent"
        );
        let handshake = ureq::Error::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::General("corrupt".into()),
        ));
        assert!(
            matches!(
                classify_transport(&handshake, fault(true, "127.0.0.1", Progress::default())),
                ApiError::Unreachable { .. }
            ),
            "a failed TLS handshake, as ureq wraps it"
        );
        let sent = Progress {
            writing: true,
            sent: true,
            ..Progress::default()
        };
        assert!(
            matches!(
                classify_transport(&handshake, fault(true, "127.0.0.1", sent)),
                ApiError::Transient {
                    arrival: Arrival::Unknown,
                    ..
                }
            ),
            "a TLS fault after the request went out whole: it may have been carried out"
        );
    }

    #[test]
    fn a_post_refused_with_a_4xx_is_rejected_and_other_statuses_keep_their_class() {
        assert!(matches!(
            classify_post_status(&answer(404, None, "not hosted"), None),
            Err(ApiError::Rejected { status: 404, detail }) if detail == "not hosted"
        ));
        assert!(matches!(
            classify_post_status(&answer(400, None, "bad"), None),
            Err(ApiError::Rejected { status: 400, .. })
        ));
        assert!(matches!(
            classify_post_status(&answer(401, None, ""), None),
            Err(ApiError::Credentials { .. })
        ));
        assert!(matches!(
            classify_post_status(&answer(429, None, ""), None),
            Err(ApiError::Transient { .. })
        ));
        assert!(matches!(
            classify_post_status(&answer(302, None, ""), None),
            Err(ApiError::Unexpected { .. })
        ));
        assert!(matches!(
            classify_status(&answer(404, None, ""), None),
            Err(ApiError::Unexpected { .. })
        ));
    }

    #[test]
    fn a_fault_after_the_request_went_out_leaves_it_unknown() {
        let reset = ureq::Error::Io(std::io::ErrorKind::ConnectionReset.into());
        let sent = Progress {
            writing: true,
            sent: true,
            ..Progress::default()
        };
        let writing = Progress {
            writing: true,
            ..Progress::default()
        };
        let arrival = |p| match classify_transport(&reset, fault(false, "h", p)) {
            ApiError::Transient { arrival, .. } => arrival,
            other => panic!("{other:?}"),
        };
        assert_eq!(arrival(sent), Arrival::Unknown);
        assert_eq!(arrival(writing), Arrival::NotSent);
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Pair {
        a: u64,
        b: serde_json::Value,
    }

    #[test]
    fn only_an_object_is_read_into_a_struct() {
        let kind = |body: &[u8]| match object::<Pair>(body) {
            Err(NotObject::Kind(kind)) => kind,
            other => panic!("{other:?}"),
        };
        // A derived Deserialize alone would read this as a = 7, b = {...}.
        assert_eq!(kind(br#"[7,{"x":1}]"#), "an array");
        assert_eq!(kind(b" \r\n\t[7,{}]"), "an array");
        assert_eq!(kind(b"\"text\""), "a string");
        assert_eq!(kind(b"null"), "null");
        assert_eq!(kind(b"-3"), "a number");
        assert_eq!(kind(b"true"), "a boolean");
        assert_eq!(kind(b"<html>"), "HTML or XML");
        assert_eq!(kind(b""), "an empty body");
        assert_eq!(kind(b"  "), "an empty body");
        assert_eq!(kind(b"nul"), "not JSON");
        assert!(matches!(
            object::<Pair>(br#"{"a":"7","b":1}"#),
            Err(NotObject::Json(_))
        ));
        assert!(matches!(
            object::<Pair>(br#" {"a":7,"b":[1]}"#),
            Ok(Pair { a: 7, .. })
        ));
        // A refusal is read from an object only.
        assert_eq!(code_refusal(b"[401]", None), None);
    }

    #[test]
    fn a_malformed_answer_says_what_was_expected_and_what_came() {
        let e = read_object::<Pair>(&answer(200, None, "[7,{}]"), "a pair", None).unwrap_err();
        assert_eq!(
            e,
            ApiError::Malformed {
                reason: "HTTP 200 with a body that is not a pair (an array, not an object): [7,{}]"
                    .into()
            }
        );
        let e = read_object::<Pair>(&answer(200, None, r#"{"code":401}"#), "a pair", None);
        assert!(matches!(e, Err(ApiError::Credentials { status: 401, .. })));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any JSON value: read only when it is an object (one that fits).
        #[test]
        fn a_value_is_read_only_when_it_is_an_object(
            v in crate::notification::json_strategy::value(),
            pretty in proptest::prelude::any::<bool>(),
        ) {
            let text = if pretty {
                serde_json::to_string_pretty(&v).unwrap_or_default()
            } else {
                v.to_string()
            };
            let read = object::<serde_json::Map<String, serde_json::Value>>(text.as_bytes());
            proptest::prop_assert_eq!(read.is_ok(), v.is_object());
        }
    }
}
