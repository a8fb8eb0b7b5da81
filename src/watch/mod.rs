//! greenq as a watched service: Prometheus metrics and `/healthz` / `/readyz` on
//! `--metrics-listen` (`metrics`, `server`, `listen`), the queue depth read once a minute
//! (`depth`), systemd's notify protocol when `NOTIFY_SOCKET` is set (`systemd`), and what
//! readiness and the watchdog are decided from (`readiness`). The loop, the delivery and
//! the retries report to a `Probe`, one per followed instance.

pub mod depth;
pub mod fleet_metrics;
pub mod listen;
pub mod metrics;
pub mod probe;
pub mod readiness;
pub mod server;
pub mod systemd;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::exit::Result;
use crate::service::session::Session;
use crate::terminal::status::Status;
use crate::watch::metrics::{Labels, Metrics};
use crate::watch::probe::Probe;
use crate::watch::readiness::Readiness;

pub struct Watch {
    metrics: Arc<Metrics>,
    readiness: Arc<Readiness>,
    probes: Arc<Mutex<Vec<Probe>>>,
    /// Bound by `new`, served from `start`.
    listener: Mutex<Option<TcpListener>>,
    serving: bool,
}

impl Watch {
    /// Binds `listen` (a bad or busy address is a usage error before anything was
    /// received); nothing is served until `start`, once the instances were added.
    pub fn new(status: &Status, listen: Option<&str>) -> Result<Watch> {
        let listener = match listen {
            Some(text) => {
                let addr = listen::parse(text)?;
                if let Some(warning) = listen::exposure_warning(addr) {
                    status.warning(warning);
                }
                Some(listen::bind(addr)?)
            }
            None => None,
        };
        Ok(Watch {
            metrics: Arc::new(Metrics::new()),
            readiness: Arc::new(Readiness::default()),
            probes: Arc::new(Mutex::new(Vec::new())),
            serving: listener.is_some(),
            listener: Mutex::new(listener),
        })
    }

    /// Adds the fleet's series (`--coordinate`), before `start`.
    pub fn with_fleet(mut self, fleet: &fleet_metrics::FleetMetrics) -> Watch {
        if let Some(metrics) = Arc::get_mut(&mut self.metrics) {
            fleet.register(metrics.registry_mut());
        }
        self
    }

    /// Serves the endpoints and talks to systemd, with every instance's series in place
    /// (so that the first scrape has them all).
    pub fn start(&self, status: &Status) {
        if let Some(listener) = self.listener.lock().ok().and_then(|mut l| l.take()) {
            let bound = listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_default();
            server::spawn(listener, self.metrics.clone(), self.readiness.clone());
            status.line(format_args!(
                "metrics on http://{bound}/metrics (and /healthz, /readyz)"
            ));
        }
        if systemd::enabled() {
            systemd::spawn(self.readiness.clone(), self.probes.clone());
        }
    }

    /// Follows `instance` from now on: its series at zero, its readiness, its depth.
    pub fn instance(&self, session: &Session, instance: u64, profile: Option<&str>) -> Probe {
        let probe = self.metrics.add(Labels {
            instance: instance.to_string(),
            profile: profile.map(str::to_string),
        });
        self.readiness.add(probe.state.clone());
        if let Ok(mut probes) = self.probes.lock() {
            probes.push(probe.clone());
        }
        if self.serving {
            depth::spawn(session, probe.clone());
        }
        probe
    }
}

/// The process is shutting down (systemd's STOPPING=1).
pub fn stopping() {
    systemd::stopping();
}
