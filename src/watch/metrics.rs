//! The Prometheus registry (`prometheus-client`) and greenq's metric families, with the
//! label set every series carries (`instance`; a field added to `Labels` extends them all).
//! Each followed instance gets its series at zero when it is added, so that every family
//! is there from the first scrape and `rate()` works before the first event.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::{EncodeLabel, EncodeLabelSet, LabelSetEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::watch::probe::Probe;

/// Who a series is about: the instance, and its profile when tail follows profiles.
/// Never a token, a URL or message text.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Labels {
    pub instance: String,
    pub profile: Option<String>,
}

/// By hand, so that a run without profiles has no `profile=""` on every series.
impl EncodeLabelSet for Labels {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> Result<(), std::fmt::Error> {
        ("instance", self.instance.as_str()).encode(encoder.encode_label())?;
        if let Some(profile) = &self.profile {
            ("profile", profile.as_str()).encode(encoder.encode_label())?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RetryLabels {
    #[prometheus(flatten)]
    pub who: Labels,
    /// `service::retry::observer::retry_class`: 429, 5xx, network, ...
    pub reason: String,
}

/// Every class `retry_class` gives, and `malformed` (an answer not the documented one),
/// present at zero from the start.
pub const RETRY_REASONS: [&str; 8] = [
    "429",
    "5xx",
    "408",
    "starting",
    "timeout",
    "network",
    "malformed",
    "other",
];

type Seconds = Gauge<f64, AtomicU64>;
type Durations = Family<Labels, Histogram, fn() -> Histogram>;

/// Handler durations from 5 ms to about 80 s (a command's default timeout is 180 s).
fn handler_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 15))
}

#[derive(Clone, Default)]
pub struct Families {
    pub received: Family<Labels, Counter>,
    pub handled: Family<Labels, Counter>,
    pub deleted: Family<Labels, Counter>,
    pub failed_attempts: Family<Labels, Counter>,
    pub dead_lettered: Family<Labels, Counter>,
    pub duplicates: Family<Labels, Counter>,
    pub repeats: Family<Labels, Counter>,
    pub skipped: Family<Labels, Counter>,
    pub retries: Family<RetryLabels, Counter>,
    pub handler_seconds: Option<Durations>,
    pub queue_depth: Family<Labels, Gauge>,
    pub last_receive: Family<Labels, Seconds>,
    pub up: Family<Labels, Gauge>,
}

/// The registry, and the families to add instances to.
pub struct Metrics {
    registry: Registry,
    families: Families,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut families = Families {
            handler_seconds: Some(Durations::new_with_constructor(handler_histogram)),
            ..Families::default()
        };
        let mut registry = Registry::default();
        let f = &mut families;
        let counters: [(&str, &str, &Family<Labels, Counter>); 8] = [
            (
                "greenq_notifications_received",
                "Notifications received from the queue",
                &f.received,
            ),
            (
                "greenq_notifications_handled",
                "Notifications handed on and done (printed, command exited 0, hook answered 2xx)",
                &f.handled,
            ),
            (
                "greenq_notifications_deleted",
                "Notifications deleted from the queue",
                &f.deleted,
            ),
            (
                "greenq_failed_attempts",
                "Handler attempts that failed",
                &f.failed_attempts,
            ),
            (
                "greenq_dead_lettered",
                "Notifications written to the dead-letter file and deleted",
                &f.dead_lettered,
            ),
            (
                "greenq_duplicates",
                "Notifications deleted unhandled as duplicates (--dedupe)",
                &f.duplicates,
            ),
            (
                "greenq_repeats",
                "Notifications shown again after they were handled, deleted again",
                &f.repeats,
            ),
            (
                "greenq_skipped",
                "Notifications deleted unprinted by --type",
                &f.skipped,
            ),
        ];
        for (name, help, family) in counters {
            registry.register(name, help, family.clone());
        }
        registry.register(
            "greenq_retries",
            "API calls tried again after a transient fault, by reason",
            f.retries.clone(),
        );
        if let Some(h) = &f.handler_seconds {
            registry.register(
                "greenq_handler_duration_seconds",
                "Time a handler took per attempt",
                h.clone(),
            );
        }
        registry.register(
            "greenq_queue_depth",
            "Notifications waiting in the queue (getWebhooksCount, read at most once a minute; 0 until read)",
            f.queue_depth.clone(),
        );
        registry.register(
            "greenq_last_receive_timestamp_seconds",
            "Unix time of the last receive that the service answered (0: none yet)",
            f.last_receive.clone(),
        );
        registry.register(
            "greenq_up",
            "1 while the instance is followed and the service answered; 0 before, and once it stopped",
            f.up.clone(),
        );
        Metrics { registry, families }
    }

    /// Creates the instance's series, at zero, and hands back its probe.
    pub fn add(&self, labels: Labels) -> Probe {
        Probe::registered(&self.families, labels)
    }

    /// For series registered by others (the fleet's), before anything is served.
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// The OpenMetrics text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
