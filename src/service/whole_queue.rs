//! Reading the answers of the two methods on the queue as a whole: `getWebhooksCount`
//! (how many wait) and `clearWebhooksQueue` (drop them all, once a minute at most).

use std::time::Duration;

use serde::Deserialize;

use crate::secret::Secret;
use crate::service::answer::{Answer, ApiError, read_object};
use crate::text::snippet;

/// What a clear came back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cleared {
    /// Done; `interval` until the next is allowed, when the server says it (the emulator
    /// does, the live service's is a minute).
    Yes { interval: Option<Duration> },
    /// `isCleared: false`: the service allows one clear a minute; `left` until the next.
    TooSoon {
        left: Option<Duration>,
        reason: String,
    },
}

/// `{"count": N}`. The vendor's documentation in one language spells the key with a
/// look-alike first letter; the service sends `count`, so only that is accepted.
pub fn count_of(answer: &Answer, secret: Option<&Secret>) -> Result<u64, ApiError> {
    #[derive(Deserialize)]
    struct Body {
        count: u64,
    }
    let body: Body = read_object(answer, "{\"count\": N}", secret)?;
    Ok(body.count)
}

/// `{"isCleared": true, "reason": ""}`, or `false` with `reason` and `leftTime` (seconds).
pub fn cleared_of(answer: &Answer, secret: Option<&Secret>) -> Result<Cleared, ApiError> {
    #[derive(Deserialize)]
    struct Body {
        #[serde(rename = "isCleared")]
        is_cleared: bool,
        #[serde(default)]
        reason: Option<String>,
        #[serde(rename = "leftTime", default)]
        left_time: Option<serde_json::Value>,
        #[serde(rename = "clearInterval", default)]
        clear_interval: Option<serde_json::Value>,
    }
    let body: Body = read_object(answer, "{\"isCleared\": ...}", secret)?;
    // Seconds, whole or not; anything odd (negative, text, hours) is no wait we keep.
    let seconds = |v: Option<serde_json::Value>| {
        v.and_then(|v| v.as_f64())
            .filter(|s| (0.0..=3600.0).contains(s))
            .map(Duration::from_secs_f64)
    };
    if body.is_cleared {
        return Ok(Cleared::Yes {
            interval: seconds(body.clear_interval),
        });
    }
    let left = seconds(body.left_time);
    let reason = snippet(body.reason.unwrap_or_default().as_bytes(), secret);
    Ok(Cleared::TooSoon { left, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Answer {
        Answer {
            status: 200,
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn only_the_latin_count_key_is_read() {
        assert_eq!(count_of(&answer(r#"{"count": 37}"#), None), Ok(37));
        assert_eq!(count_of(&answer(r#"{"count":0}"#), None), Ok(0));
        // A Cyrillic "с" as the first letter, as one translation of the docs spells it.
        let e = count_of(&answer("{\"\u{441}ount\": 3}"), None).unwrap_err();
        assert!(e.to_string().contains("\u{441}ount"), "{e}");
        for odd in [
            r#"{"count": -1}"#,
            r#"{"count": "3"}"#,
            "null",
            "<html>",
            "",
        ] {
            assert!(
                matches!(
                    count_of(&answer(odd), None),
                    Err(ApiError::Malformed { .. })
                ),
                "{odd}"
            );
        }
        assert!(matches!(
            count_of(&answer(r#"{"code":401}"#), None),
            Err(ApiError::Credentials { .. })
        ));
    }

    #[test]
    fn a_clear_is_done_or_too_soon_with_the_time_left() {
        assert_eq!(
            cleared_of(&answer(r#"{"isCleared": true, "reason": ""}"#), None),
            Ok(Cleared::Yes { interval: None })
        );
        assert_eq!(
            cleared_of(
                &answer(r#"{"isCleared":false,"reason":"Too many requests","leftTime":46}"#),
                None
            ),
            Ok(Cleared::TooSoon {
                left: Some(Duration::from_secs(46)),
                reason: "Too many requests".into()
            })
        );
        assert!(matches!(
            cleared_of(&answer(r#"{"isCleared":false,"leftTime":-5}"#), None),
            Ok(Cleared::TooSoon { left: None, .. })
        ));
        assert!(matches!(
            cleared_of(&answer(r#"{"result":true}"#), None),
            Err(ApiError::Malformed { .. })
        ));
    }
}
