//! The fleet's series (`tail --coordinate`): leases held, acquired and lost (by reason),
//! the renewal's latency, whether the coordinator answers, the live members, and how soon
//! a queue taken over is followed. Registered only when the run is coordinated.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Reason {
    /// expired (not renewed in time, or Redis forgot it), given_back (over the share).
    pub reason: String,
}

pub const LOST_REASONS: [&str; 2] = ["expired", "given_back"];

#[derive(Clone)]
pub struct FleetMetrics {
    held: Gauge,
    acquired: Counter,
    lost: Family<Reason, Counter>,
    renew: Histogram,
    up: Gauge,
    members: Gauge,
    takeover: Histogram,
    queues: Gauge,
}

impl Default for FleetMetrics {
    fn default() -> Self {
        let lost = Family::<Reason, Counter>::default();
        for reason in LOST_REASONS {
            let _ = lost.get_or_create(&Reason {
                reason: reason.into(),
            });
        }
        FleetMetrics {
            held: Gauge::default(),
            acquired: Counter::default(),
            lost,
            renew: Histogram::new(exponential_buckets(0.0005, 2.0, 14)),
            up: Gauge::default(),
            members: Gauge::default(),
            takeover: Histogram::new(exponential_buckets(0.001, 2.0, 14)),
            queues: Gauge::default(),
        }
    }
}

impl FleetMetrics {
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "greenq_fleet_leases_held",
            "Queue leases this member holds",
            self.held.clone(),
        );
        registry.register(
            "greenq_fleet_leases_acquired",
            "Queue leases this member took",
            self.acquired.clone(),
        );
        registry.register(
            "greenq_fleet_leases_lost",
            "Queue leases this member stopped holding, by reason",
            self.lost.clone(),
        );
        registry.register(
            "greenq_fleet_renew_duration_seconds",
            "Time one renewal of all the member's leases took (one round trip)",
            self.renew.clone(),
        );
        registry.register(
            "greenq_fleet_coordinator_up",
            "1 while Redis answers the member's renewals",
            self.up.clone(),
        );
        registry.register(
            "greenq_fleet_members",
            "Live members of the fleet, as the last renewal saw them",
            self.members.clone(),
        );
        registry.register(
            "greenq_fleet_takeover_seconds",
            "Time from taking a queue's lease to following the queue",
            self.takeover.clone(),
        );
        registry.register(
            "greenq_fleet_queues",
            "Queues this member was given (it holds the lease of some of them)",
            self.queues.clone(),
        );
    }

    pub fn add_queue(&self, _instance: u64) {
        self.queues.inc();
    }

    pub fn set_held(&self, n: usize) {
        self.held.set(n as i64);
    }

    pub fn acquired(&self) {
        self.acquired.inc();
    }

    pub fn lost(&self, reason: &str) {
        self.lost
            .get_or_create(&Reason {
                reason: reason.into(),
            })
            .inc();
    }

    pub fn renewed(&self, took: Duration, members: usize) {
        self.renew.observe(took.as_secs_f64());
        self.members.set(members as i64);
    }

    pub fn set_up(&self, up: bool) {
        self.up.set(i64::from(up));
    }

    pub fn followed(&self, after: Duration) {
        self.takeover.observe(after.as_secs_f64());
    }
}
