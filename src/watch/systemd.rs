//! systemd's notify protocol (`sd-notify`, a datagram to `NOTIFY_SOCKET`; nothing when
//! it is not set): READY=1 once the service first answered for every instance, STATUS=
//! with the counts every few seconds, WATCHDOG=1 only while every loop is within its
//! lease (making progress, pausing on purpose or in a long poll; never while stuck),
//! STOPPING=1 on shutdown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sd_notify::NotifyState;

use crate::watch::probe::Probe;
use crate::watch::readiness::Readiness;

/// How often the state is looked at: READY=1 goes out within this of the first answer.
const TICK: Duration = Duration::from_millis(200);
const STATUS_EVERY: Duration = Duration::from_secs(5);

/// Whether a service manager listens.
pub fn enabled() -> bool {
    std::env::var_os("NOTIFY_SOCKET").is_some()
}

pub fn spawn(readiness: Arc<Readiness>, probes: Arc<std::sync::Mutex<Vec<Probe>>>) {
    // Fed at half the manager's interval, as sd_watchdog_enabled(3) advises.
    let watchdog = sd_notify::watchdog_enabled().map(|every| every / 2);
    let spawned = std::thread::Builder::new()
        .name("greenq-systemd".into())
        .spawn(move || {
            let mut ready = false;
            let mut last_status: Option<Instant> = None;
            let mut last_watchdog: Option<Instant> = None;
            loop {
                if !ready && readiness.verdict().is_ok() {
                    ready = true;
                    last_status = Some(Instant::now());
                    let line = status_line(&readiness, &probes);
                    let _ = sd_notify::notify(&[NotifyState::Ready, NotifyState::Status(&line)]);
                }
                if let Some(every) = watchdog
                    && last_watchdog.is_none_or(|at| at.elapsed() >= every)
                    && readiness.all_alive()
                {
                    last_watchdog = Some(Instant::now());
                    let _ = sd_notify::notify(&[NotifyState::Watchdog]);
                }
                if last_status.is_none_or(|at| at.elapsed() >= STATUS_EVERY) {
                    last_status = Some(Instant::now());
                    let line = status_line(&readiness, &probes);
                    let _ = sd_notify::notify(&[NotifyState::Status(&line)]);
                }
                std::thread::sleep(TICK);
            }
        });
    drop(spawned);
}

fn status_line(readiness: &Readiness, probes: &std::sync::Mutex<Vec<Probe>>) -> String {
    let counts: Vec<String> = probes
        .lock()
        .map(|p| p.iter().map(Probe::status).collect())
        .unwrap_or_default();
    let state = match readiness.verdict() {
        Ok(()) => "following".to_string(),
        Err(why) => why,
    };
    // One line: a newline would end the STATUS= field.
    format!("{state}; {}", counts.join("; ")).replace('\n', " ")
}

/// The process is shutting down.
pub fn stopping() {
    let _ = sd_notify::notify(&[NotifyState::Stopping]);
}
