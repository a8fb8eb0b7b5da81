//! What the retries tell a watcher above the service layer (metrics, the systemd
//! watchdog), which this layer cannot import: a retry and its class, and a pause that
//! starts (the loop waits on purpose: it is not stuck).

use std::time::Duration;

pub trait RetryObserver: Send + Sync {
    /// A call is tried again; `reason` is its class (`retry_class`, or `malformed`).
    fn retrying(&self, reason: &'static str);
    /// A pause of `delay` starts.
    fn pausing(&self, delay: Duration);
}

/// A transient fault's class, for a metric label: `429`, `5xx`, `408`, `starting`,
/// `timeout`, `network` or `other`. Never the message itself (it may quote a server).
pub fn retry_class(reason: &str) -> &'static str {
    if let Some(rest) = reason.strip_prefix("HTTP ") {
        return match rest.get(..3) {
            Some("429") => "429",
            Some("408") => "408",
            Some("400") if rest.contains("starting") => "starting",
            Some(code) if code.starts_with('5') || code == "499" => "5xx",
            _ => "other",
        };
    }
    if reason.starts_with("timed out") {
        "timeout"
    } else if reason.starts_with("connection") {
        "network"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_of_the_reasons_answer_gives() {
        for (reason, class) in [
            ("HTTP 429 (too many requests)", "429"),
            ("HTTP 502", "5xx"),
            ("HTTP 503 (unavailable)", "5xx"),
            ("HTTP 400 (the instance is starting)", "starting"),
            ("timed out (read)", "timeout"),
            ("connection failed: reset", "network"),
            ("something", "other"),
        ] {
            assert_eq!(retry_class(reason), class, "{reason}");
        }
    }
}
