//! greenq as a watched service: Prometheus metrics and `/healthz` / `/readyz` on
//! `--metrics-listen` (`metrics`, `server`, `listen`), the queue depth read once a minute
//! (`depth`), systemd's notify protocol when `NOTIFY_SOCKET` is set (`systemd`), and what
//! readiness and the watchdog are decided from (`readiness`). The loop, the delivery and
//! the retries report to a `Probe`, one per followed instance.

pub mod depth;
pub mod listen;
pub mod metrics;
pub mod probe;
pub mod readiness;
pub mod server;
pub mod systemd;

use std::sync::{Arc, Mutex};

use crate::exit::Result;
use crate::service::session::Session;
use crate::watch::metrics::{Labels, Metrics};
use crate::watch::probe::Probe;
use crate::watch::readiness::Readiness;

pub struct Watch {
    metrics: Arc<Metrics>,
    readiness: Arc<Readiness>,
    probes: Arc<Mutex<Vec<Probe>>>,
    serving: bool,
}

impl Watch {
    /// Starts what was asked for: the HTTP endpoints on `listen`, and the systemd
    /// notifications when a service manager listens. A bad or busy address is a usage
    /// error before anything was received.
    pub fn start(session: &Session, listen: Option<&str>) -> Result<Watch> {
        let watch = Watch {
            metrics: Arc::new(Metrics::new()),
            readiness: Arc::new(Readiness::default()),
            probes: Arc::new(Mutex::new(Vec::new())),
            serving: listen.is_some(),
        };
        if let Some(text) = listen {
            let addr = listen::parse(text)?;
            if let Some(warning) = listen::exposure_warning(addr) {
                session.status.warning(warning);
            }
            let listener = listen::bind(addr)?;
            let bound = listener.local_addr().unwrap_or(addr);
            server::spawn(listener, watch.metrics.clone(), watch.readiness.clone());
            session.status.line(format_args!(
                "metrics on http://{bound}/metrics (and /healthz, /readyz)"
            ));
        }
        if systemd::enabled() {
            systemd::spawn(watch.readiness.clone(), watch.probes.clone());
        }
        Ok(watch)
    }

    /// Follows `instance` from now on: its series at zero, its readiness, its depth.
    pub fn instance(&self, session: &Session, instance: u64) -> Probe {
        let probe = self.metrics.add(Labels {
            instance: instance.to_string(),
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
