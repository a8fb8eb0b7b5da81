//! One consumer per queue across machines (`tail --coordinate`): per-queue leases in
//! Redis, the lock's cross-machine form. Every member is given the whole list of queues;
//! each consumes only the queues whose lease it holds. One thread per member renews all
//! its leases and its registration in one round trip every third of the TTL, takes free
//! leases up to its fair share in rendezvous order, and gives back what is beyond it, one
//! at a time, each after its work in flight. A member stops handing on by itself two
//! thirds of a TTL after its last renewal was sent, before its lease can have expired.
//!
//! `address`: the URL and its redaction; `scripts`: the Redis round trips; `share`: the
//! fair share and the rendezvous order; `slot`: one queue's lease as its loop sees it;
//! `view`: what `greenq fleet` reads.

pub mod address;
pub mod scripts;
pub mod share;
pub mod slot;
pub mod view;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use redis::Connection;

use crate::exit::{Error, Result};
use crate::state::turn::{Turn, Turns};
use crate::terminal::status::Status;
use crate::watch::fleet_metrics::FleetMetrics;

use address::Address;
use slot::{Held, Lease, Slot};

pub const DEFAULT_TTL: u64 = 15;

pub struct Options {
    pub address: Address,
    pub member: String,
    pub ttl: Duration,
}

/// The default member name: the host name and the process id.
pub fn default_member() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname(2) writes at most `len` bytes into the buffer we own.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let host = if rc == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        "greenq".to_string()
    };
    format!("{host}:{}", std::process::id())
}

/// A member of the fleet: its queues' slots and the thread that keeps their leases.
pub struct Fleet {
    shared: Arc<Shared>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

struct Shared {
    options: Options,
    slots: Mutex<Vec<Arc<Slot>>>,
    poked: Mutex<bool>,
    wake: Condvar,
    stop: AtomicBool,
    status: Arc<Status>,
    metrics: FleetMetrics,
}

impl Shared {
    fn poke(&self) {
        *self.poked.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.wake.notify_all();
    }

    /// Sleeps up to `duration`, less when poked or stopped.
    fn sleep(&self, duration: Duration) {
        let deadline = Instant::now() + duration;
        let mut poked = self.poked.lock().unwrap_or_else(|p| p.into_inner());
        while !*poked && !self.stop.load(Ordering::SeqCst) {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            poked = match self.wake.wait_timeout(poked, deadline - now) {
                Ok((guard, _)) => guard,
                Err(p) => p.into_inner().0,
            };
        }
        *poked = false;
    }

    fn slots(&self) -> Vec<Arc<Slot>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Fleet {
    /// Checks what can be checked before anything is received: the URL, and Redis's
    /// answer when it is up (a wrong password stops here). Redis down is no error: the
    /// member starts and waits for it.
    pub fn new(options: Options, status: Arc<Status>, metrics: FleetMetrics) -> Result<Fleet> {
        let address = &options.address;
        let client =
            redis::Client::open(address.expose()).map_err(|e| refused(address, &e.to_string()))?;
        match client.get_connection_with_timeout(interval(options.ttl)) {
            Ok(mut con) => {
                if let Err(e) = redis::cmd("PING").query::<String>(&mut con) {
                    return Err(refused(address, &e.to_string()));
                }
            }
            Err(e) if is_permanent(&e) => return Err(refused(address, &e.to_string())),
            Err(_) => {}
        }
        crate::stderr_log::set_member(&options.member);
        Ok(Fleet {
            shared: Arc::new(Shared {
                options,
                slots: Mutex::new(Vec::new()),
                poked: Mutex::new(false),
                wake: Condvar::new(),
                stop: AtomicBool::new(false),
                status,
                metrics,
            }),
            thread: Mutex::new(None),
        })
    }

    /// Starts keeping leases, once every queue has its turn.
    pub fn start(&self) {
        let shared = self.shared.clone();
        let client = match redis::Client::open(shared.options.address.expose()) {
            Ok(client) => client,
            Err(_) => return,
        };
        let spawned = std::thread::Builder::new()
            .name("fleet".into())
            .spawn(move || Keeper::new(shared, client).run());
        if let Ok(handle) = spawned {
            *self.thread.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        }
    }
}

impl Drop for Fleet {
    /// Every lease still held is released in one round trip, with the registration: the
    /// others take the queues over at their next renewal.
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.poke();
        if let Some(handle) = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = handle.join();
        }
    }
}

impl Turns for Fleet {
    fn turn(&self, instance: u64, profile: Option<&str>) -> Arc<dyn Turn> {
        let shared = Arc::downgrade(&self.shared);
        let poke = Arc::new(move || {
            if let Some(shared) = shared.upgrade() {
                shared.poke();
            }
        });
        let slot = Arc::new(Slot::new(
            instance,
            profile.map(String::from),
            poke,
            self.shared.metrics.clone(),
        ));
        self.shared
            .slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(slot.clone());
        self.shared.metrics.add_queue(instance);
        Arc::new(Lease(slot))
    }
}

/// Renewals go out every third of the TTL: two chances before the deadline.
fn interval(ttl: Duration) -> Duration {
    ttl / 3
}

/// The deadline after a renewal was sent: two thirds of the TTL.
fn renew_deadline(ttl: Duration) -> Duration {
    ttl * 2 / 3
}

fn is_permanent(e: &redis::RedisError) -> bool {
    !(e.is_io_error() || e.is_timeout() || e.is_connection_refusal() || e.is_connection_dropped())
}

fn refused(address: &Address, why: &str) -> Error {
    Error::usage(format!(
        "the coordinator {} refused greenq",
        address.shown()
    ))
    .why(address.redact(why))
    .fix(format!(
        "check the URL in --coordinate or {} (its password, its database)",
        address::ENV
    ))
}

/// The thread that keeps a member's leases.
struct Keeper {
    shared: Arc<Shared>,
    client: redis::Client,
    con: Option<Connection>,
    /// The highest epoch seen: new ones are above it even if Redis lost its count.
    floor: u64,
    /// Redis is unreachable since then (said once).
    down_since: Option<Instant>,
    backoff: Duration,
    /// The queues given changed (or Redis forgot them): published with the next renewal.
    given_dirty: bool,
    given_count: usize,
    rng: fastrand::Rng,
    /// When the next renewal is due.
    next_tick: Instant,
    /// The live members and the fair share, as the last renewal saw them.
    live: Vec<String>,
    share: usize,
}

impl Keeper {
    fn new(shared: Arc<Shared>, client: redis::Client) -> Keeper {
        Keeper {
            shared,
            client,
            con: None,
            floor: 0,
            down_since: None,
            backoff: Duration::ZERO,
            given_dirty: true,
            given_count: usize::MAX,
            rng: fastrand::Rng::new(),
            next_tick: Instant::now(),
            live: Vec::new(),
            share: usize::MAX,
        }
    }

    fn ttl(&self) -> Duration {
        self.shared.options.ttl
    }

    fn run(mut self) {
        while !self.shared.stop.load(Ordering::SeqCst) {
            let pause = match self.connected().and_then(|()| self.step()) {
                Ok(next) => {
                    self.back_up();
                    next
                }
                Err(e) => {
                    // Renewed first thing when Redis answers again.
                    self.next_tick = Instant::now();
                    self.lost(&e)
                }
            };
            self.shared.sleep(pause);
        }
        self.leave();
    }

    /// A connection, opened when there is none.
    fn connected(&mut self) -> redis::RedisResult<()> {
        if self.con.is_some() {
            return Ok(());
        }
        let timeout = interval(self.ttl()).max(Duration::from_millis(100));
        let con = self.client.get_connection_with_timeout(timeout)?;
        con.set_read_timeout(Some(timeout))?;
        con.set_write_timeout(Some(timeout))?;
        self.con = Some(con);
        Ok(())
    }

    /// Redis failed: every lease stops at its deadline by itself. Said once per outage;
    /// the next try after a growing, jittered pause (at most one TTL).
    fn lost(&mut self, e: &redis::RedisError) -> Duration {
        self.con = None;
        self.shared.metrics.set_up(false);
        if self.down_since.is_none() {
            self.down_since = Some(Instant::now());
            let address = &self.shared.options.address;
            self.shared.status.warning(format_args!(
                "the coordinator {} cannot be reached ({}); no queue is handed on until it is back (the queues keep their notifications), trying again",
                address.shown(),
                address.redact(&e.to_string())
            ));
        }
        let first = interval(self.ttl()) / 4;
        self.backoff = (self.backoff * 2).clamp(first, self.ttl());
        self.backoff.mul_f64(0.5 + self.rng.f64() / 2.0)
    }

    fn back_up(&mut self) {
        if self.down_since.take().is_some() {
            self.shared.status.line(format_args!(
                "the coordinator {} is reachable again",
                self.shared.options.address.shown()
            ));
        }
        self.shared.metrics.set_up(true);
        self.backoff = Duration::ZERO;
    }

    /// One step: the releases waiting, then, when it is due, the renewal and taking toward
    /// the fair share; else, over the share, the next queue given back. How long until
    /// the next step.
    fn step(&mut self) -> redis::RedisResult<Duration> {
        let shared = self.shared.clone();
        let slots = shared.slots();
        self.release_waiting(&slots)?;
        let now = Instant::now();
        if now >= self.next_tick {
            let taken = self.tick(&slots)?;
            // Taking while others give back: look again soon, not a whole interval later.
            let every = interval(self.ttl());
            let every = if taken { every / 5 } else { every };
            self.next_tick = now + every;
        }
        let open: Vec<&Arc<Slot>> = slots.iter().filter(|s| !s.lock().closed).collect();
        let released = self.give_back_one(&open);
        let held_now = open.iter().filter(|s| s.lock().held.is_some()).count();
        shared.metrics.set_held(held_now);
        Ok(if released {
            Duration::ZERO
        } else {
            self.next_tick.saturating_duration_since(Instant::now())
        })
    }

    /// Deletes the leases given back or dropped since the last step.
    fn release_waiting(&mut self, slots: &[Arc<Slot>]) -> redis::RedisResult<()> {
        let released: Vec<(u64, u64)> = slots
            .iter()
            .filter_map(|s| s.lock().to_release.take().map(|e| (s.instance, e)))
            .collect();
        if let (false, Some(con)) = (released.is_empty(), self.con.as_mut()) {
            scripts::release(con, &self.shared.options.member, &released, false)?;
            for _ in &released {
                self.shared.metrics.lost("given_back");
            }
        }
        Ok(())
    }

    /// The renewal of every lease and of the registration, and free leases taken up to
    /// the fair share, in one round trip. True when some were taken.
    fn tick(&mut self, slots: &[Arc<Slot>]) -> redis::RedisResult<bool> {
        let Some(con) = self.con.as_mut() else {
            return Ok(false);
        };
        let shared = self.shared.clone();
        let (member, ttl) = (&shared.options.member, shared.options.ttl);
        let ttl_ms = ttl.as_millis() as u64;
        let open: Vec<&Arc<Slot>> = slots.iter().filter(|s| !s.lock().closed).collect();
        if open.len() != self.given_count {
            self.given_count = open.len();
            self.given_dirty = true;
        }
        let given = self.given_dirty.then(|| given_json(&open));
        let leases: Vec<(u64, u64)> = slots
            .iter()
            .filter_map(|s| s.lock().held.map(|h| (s.instance, h.epoch)))
            .collect();
        // Free ones are taken in rendezvous order, as the last renewal saw the members.
        let mut candidates: Vec<&Arc<Slot>> = open
            .iter()
            .copied()
            .filter(|s| {
                let state = s.lock();
                state.held.is_none() && state.to_release.is_none()
            })
            .collect();
        let live = &self.live;
        candidates.sort_by_key(|s| share::preference(member, s.instance, live));
        let instances: Vec<u64> = candidates.iter().map(|s| s.instance).collect();
        let sent = Instant::now();
        let round = scripts::Round {
            member,
            ttl_ms,
            given: given.as_deref(),
            floor: self.floor,
            leases: &leases,
            queues: open.len(),
            candidates: &instances,
        };
        let ticked = scripts::tick(con, &round)?;
        let now = Instant::now();
        self.floor = self.floor.max(ticked.epoch);
        shared.metrics.renewed(now - sent, ticked.members.len());
        self.given_dirty = ticked.registered_anew && given.is_none();
        let deadline = sent + renew_deadline(ttl);
        for ((instance, epoch), still) in leases.iter().zip(&ticked.held) {
            let Some(slot) = slots.iter().find(|s| s.instance == *instance) else {
                continue;
            };
            let mut state = slot.lock();
            match state.held.as_mut() {
                Some(held) if held.epoch == *epoch && *still => held.deadline = deadline,
                Some(held) if held.epoch == *epoch => {
                    state.held = None;
                    state.give_back = false;
                    drop(state);
                    slot.notify();
                    shared.metrics.lost("expired");
                    shared.status.line(format_args!(
                        "lost the lease of instance {instance} (it expired or Redis forgot it); handing nothing more on"
                    ));
                }
                _ => {}
            }
        }
        let taken = !ticked.got.is_empty();
        for (index, epoch) in ticked.got {
            let Some(slot) = candidates.get(index) else {
                continue;
            };
            self.floor = self.floor.max(epoch);
            let mut state = slot.lock();
            if state.closed {
                state.to_release = Some(epoch);
                continue;
            }
            state.held = Some(Held {
                epoch,
                deadline,
                acquired: now,
            });
            state.followed = false;
            drop(state);
            slot.notify();
            shared.metrics.acquired();
        }
        self.live = ticked.members;
        self.share = share::fair_share(open.len(), self.live.len());
        Ok(taken)
    }

    /// Over the share (as the last renewal saw the members): the queue we are least
    /// preferred for is given back, at once when its loop is between notifications, else
    /// when its work in flight is done. One at a time. True when one was released now.
    fn give_back_one(&mut self, open: &[&Arc<Slot>]) -> bool {
        let held: Vec<&Arc<Slot>> = open
            .iter()
            .copied()
            .filter(|s| s.lock().held.is_some())
            .collect();
        if held.len() <= self.share || held.iter().any(|s| s.lock().give_back) {
            return false;
        }
        let (member, live) = (&self.shared.options.member, &self.live);
        let Some(slot) = held
            .iter()
            .max_by_key(|s| share::preference(member, s.instance, live))
        else {
            return false;
        };
        let mut state = slot.lock();
        let mut released = false;
        if state.in_hand {
            state.give_back = true;
        } else if let Some(h) = state.held.take() {
            state.to_release = Some(h.epoch);
            released = true;
        }
        drop(state);
        slot.notify();
        released
    }

    /// The end of the run: every lease still ours and the registration, in one round trip.
    fn leave(&mut self) {
        let slots = self.shared.slots();
        let leases: Vec<(u64, u64)> = slots
            .iter()
            .filter_map(|s| {
                let mut state = s.lock();
                let held = state.held.take().map(|h| h.epoch);
                held.or(state.to_release.take()).map(|e| (s.instance, e))
            })
            .collect();
        if self.con.is_none() && self.down_since.is_none() {
            let _ = self.connected();
        }
        if let Some(con) = self.con.as_mut() {
            let _ = scripts::release(con, &self.shared.options.member, &leases, true);
        }
    }
}

/// The queues a member was given, as `greenq fleet` reads them.
fn given_json(open: &[&Arc<Slot>]) -> String {
    let list: Vec<serde_json::Value> = open
        .iter()
        .map(|s| serde_json::json!({"instance": s.instance, "profile": s.profile}))
        .collect();
    serde_json::Value::Array(list).to_string()
}
