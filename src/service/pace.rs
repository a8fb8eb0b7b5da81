//! Pacing per method, below the service's rate limit. Nothing is paced until the service
//! refused a request with 429 (or `--max-rate` set a ceiling): then requests of that
//! method go out evenly at about 90 % of the rate that drew the 429, and the rate creeps
//! up again while the pace is what holds requests back (additive increase, multiplicative
//! decrease, as TCP's congestion control). The back-off of `retry` still comes first.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// After a 429, this share of the rate that drew it.
const DECREASE: f64 = 0.9;
/// Each second the pace held requests back, the rate grows by this share of the rate
/// that drew the last 429: 20 s to climb back to the limit, so a 429 at most every ~20 s.
const PROBE: f64 = 0.005;
/// A 429 drawn by a few requests a second is no rate to pace at (a refusal by chaos, or
/// another consumer): the pace never goes below this, the back-off does the rest.
const MIN_RATE: f64 = 20.0;
/// The window the service counts requests in.
const WINDOW: Duration = Duration::from_secs(1);
/// Sends remembered per method: enough to measure any rate a limit is met at.
const REMEMBERED: usize = 4096;
/// A paced client that fell behind its schedule (descheduled, a slow write) may catch up
/// this much at once, and never beyond its rate in any one second (`window_allows`).
const SLACK: Duration = Duration::from_millis(250);

/// The pace of one instance's requests, per method (`receiveNotification`, ...).
pub struct Pace {
    ceiling: Cell<Option<f64>>,
    lanes: RefCell<Vec<(&'static str, Lane)>>,
}

struct Lane {
    /// Sends of the last second, oldest first.
    recent: VecDeque<Instant>,
    /// Requests per second; `None`: not paced.
    rate: Option<f64>,
    /// Growth of the rate per second of being held back.
    probe: f64,
    /// The earliest the next request may go.
    next: Instant,
    /// When the rate last grew (or was last not the limit).
    grown: Instant,
}

impl Pace {
    /// `ceiling`: requests per second per method from the start (`--max-rate`).
    pub fn new(ceiling: Option<u32>) -> Self {
        Pace {
            ceiling: Cell::new(ceiling.map(f64::from)),
            lanes: RefCell::new(Vec::new()),
        }
    }

    /// Sets the ceiling (`--max-rate`), for every method from now on.
    pub fn set_ceiling(&self, ceiling: Option<u32>) {
        let ceiling = ceiling.map(f64::from);
        self.ceiling.set(ceiling);
        if let Some(c) = ceiling {
            for (_, lane) in self.lanes.borrow_mut().iter_mut() {
                lane.rate = Some(lane.rate.map_or(c, |r| r.min(c)));
            }
        }
    }

    /// Books requests of `methods` sent together (a pipelined pair), and says when they may
    /// go: now, or later when a method is paced.
    pub fn reserve(&self, methods: &[&'static str], now: Instant) -> Instant {
        let mut lanes = self.lanes.borrow_mut();
        let ceiling = self.ceiling.get();
        let mut at = now;
        for &method in methods {
            let lane = lane(&mut lanes, method, ceiling, now);
            if let Some(behind) = now.checked_sub(SLACK) {
                lane.next = lane.next.max(behind);
            }
            at = at.max(lane.next).max(lane.window_allows(now));
        }
        for &method in methods {
            let lane = lane(&mut lanes, method, ceiling, now);
            lane.grow(now, at > now, ceiling);
            lane.sent(at);
        }
        at
    }

    /// The service refused a request of `method` with 429: pace it from now on.
    pub fn refused(&self, method: &'static str, now: Instant) {
        let mut lanes = self.lanes.borrow_mut();
        let ceiling = self.ceiling.get();
        let lane = lane(&mut lanes, method, ceiling, now);
        let drew = lane.count(now) as f64;
        let rate = lane.rate.map_or(drew, |r| r.min(drew)) * DECREASE;
        let rate = rate.max(MIN_RATE);
        let rate = ceiling.map_or(rate, |c| rate.min(c));
        lane.rate = Some(rate);
        lane.probe = drew.max(MIN_RATE) * PROBE;
        lane.grown = now;
    }

    /// The rate `method` is paced at, if it is.
    pub fn rate(&self, method: &str) -> Option<f64> {
        self.lanes
            .borrow()
            .iter()
            .find(|(m, _)| *m == method)
            .and_then(|(_, lane)| lane.rate)
    }
}

fn lane<'a>(
    lanes: &'a mut Vec<(&'static str, Lane)>,
    method: &'static str,
    ceiling: Option<f64>,
    now: Instant,
) -> &'a mut Lane {
    let i = match lanes.iter().position(|(m, _)| *m == method) {
        Some(i) => i,
        None => {
            lanes.push((
                method,
                Lane {
                    recent: VecDeque::new(),
                    rate: ceiling,
                    probe: 0.0,
                    next: now,
                    grown: now,
                },
            ));
            lanes.len() - 1
        }
    };
    &mut lanes[i].1
}

impl Lane {
    /// Requests sent in the last second.
    fn count(&mut self, now: Instant) -> usize {
        while self
            .recent
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= WINDOW)
        {
            self.recent.pop_front();
        }
        self.recent.len()
    }

    /// The earliest a paced request keeps the last second within the rate.
    fn window_allows(&mut self, now: Instant) -> Instant {
        let Some(rate) = self.rate else { return now };
        self.count(now);
        let most = (rate.floor() as usize).max(1);
        match self.recent.len().checked_sub(most) {
            Some(i) => self.recent.get(i).map_or(now, |&t| t + WINDOW),
            None => now,
        }
    }

    /// The rate grows only while it is what holds requests back: a client slower than
    /// its pace earns no credit to burst with later.
    fn grow(&mut self, now: Instant, held: bool, ceiling: Option<f64>) {
        let Some(rate) = self.rate else { return };
        if held {
            let held = now.saturating_duration_since(self.grown).as_secs_f64();
            let grown = rate + self.probe * held;
            self.rate = Some(ceiling.map_or(grown, |c| grown.min(c)));
        }
        self.grown = now;
    }

    fn sent(&mut self, at: Instant) {
        self.count(at);
        if self.recent.len() == REMEMBERED {
            self.recent.pop_front();
        }
        self.recent.push_back(at);
        // The schedule advances from its own slot, not from `at`: a late request does
        // not push every later one back.
        if let Some(rate) = self.rate {
            self.next = self.next.min(at) + Duration::from_secs_f64(1.0 / rate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: &str = "receiveNotification";
    const D: &str = "deleteNotification";

    /// Sends `n` requests of `methods` as fast as the pace allows, from `t`; returns the
    /// time after the last.
    fn run(pace: &Pace, methods: &[&'static str], n: usize, mut t: Instant) -> Instant {
        for _ in 0..n {
            t = pace.reserve(methods, t);
        }
        t
    }

    #[test]
    fn nothing_is_paced_before_a_429() {
        let pace = Pace::new(None);
        let t0 = Instant::now();
        assert_eq!(run(&pace, &[R, D], 10_000, t0), t0);
        assert_eq!(pace.rate(R), None);
    }

    #[test]
    fn a_429_paces_that_method_at_ninety_percent_of_the_rate_that_drew_it() {
        let pace = Pace::new(None);
        let t0 = Instant::now();
        // 101 receives within 100 ms: the 101st was refused.
        for i in 0..101 {
            pace.reserve(&[R], t0 + Duration::from_millis(i));
        }
        let t1 = t0 + Duration::from_millis(100);
        pace.refused(R, t1);
        let rate = pace.rate(R).unwrap();
        assert!((rate - 90.9).abs() < 0.01, "{rate}");
        assert_eq!(pace.rate(D), None, "per method");
        // After the back-off, 90 receives take about a second, evenly spaced.
        let t2 = t1 + Duration::from_secs(1);
        let end = run(&pace, &[R], 91, t2);
        let took = end.duration_since(t2).as_secs_f64();
        // The first 250 ms of the schedule are made up at once (it started with the 429).
        assert!((0.7..1.0).contains(&took), "{took}");
        // Never more than the limit in any second.
        assert!(pace.lanes.borrow_mut()[0].1.count(end) <= 100);
    }

    #[test]
    fn the_rate_creeps_up_only_while_it_holds_requests_back() {
        let pace = Pace::new(None);
        let t0 = Instant::now();
        for i in 0..100 {
            pace.reserve(&[R], t0 + Duration::from_millis(i));
        }
        pace.refused(R, t0 + Duration::from_millis(100));
        let start = pace.rate(R).unwrap();
        // Ten seconds of a client that always wants more: about +0.5 per second.
        let t1 = t0 + Duration::from_secs(2);
        run(&pace, &[R], 950, t1);
        let grown = pace.rate(R).unwrap();
        assert!(
            grown > start + 3.0 && grown < start + 7.0,
            "{start} -> {grown}"
        );
        // A client slower than its pace earns nothing.
        let mut t = t1 + Duration::from_secs(20);
        for _ in 0..100 {
            t = pace.reserve(&[R], t) + Duration::from_millis(100);
        }
        assert!((pace.rate(R).unwrap() - grown).abs() < 0.1);
    }

    #[test]
    fn a_client_that_fell_behind_catches_up_a_quarter_second_never_beyond_its_rate() {
        let pace = Pace::new(Some(100));
        let t0 = Instant::now();
        let t1 = run(&pace, &[R], 10, t0);
        // Descheduled for 300 ms: 30 slots missed, 25 (250 ms) made up at once.
        let late = t1 + Duration::from_millis(300);
        let at: Vec<Instant> = (0..30).map(|_| pace.reserve(&[R], late)).collect();
        let at_once = at.iter().filter(|&&t| t == late).count();
        assert!((25..=26).contains(&at_once), "{at_once}");
        assert!(at[29] > late);
        // Never more than the rate in any second, however the client stalls and runs.
        let mut sent = at;
        let mut t = late;
        for i in 0..400 {
            let stall = if i % 50 == 0 { 400 } else { 0 };
            t = pace.reserve(&[R], t + Duration::from_millis(stall));
            sent.push(t);
        }
        for (i, &start) in sent.iter().enumerate() {
            let within = sent[i..]
                .iter()
                .take_while(|&&s| s < start + WINDOW)
                .count();
            assert!(within <= 100, "{within} in the second from #{i}");
        }
    }

    #[test]
    fn a_ceiling_paces_from_the_start_and_caps_the_probing() {
        let pace = Pace::new(Some(20));
        let t0 = Instant::now();
        let end = run(&pace, &[R, D], 21, t0);
        assert_eq!(end, t0 + Duration::from_secs(1));
        pace.refused(R, end);
        assert!(pace.rate(R).unwrap() <= 20.0);
        run(&pace, &[R], 2_000, end);
        assert!(pace.rate(R).unwrap() <= 20.0);
    }

    #[test]
    fn a_429_among_few_requests_paces_no_lower_than_the_floor() {
        let pace = Pace::new(None);
        let t0 = Instant::now();
        pace.reserve(&[R], t0);
        pace.refused(R, t0);
        assert_eq!(pace.rate(R), Some(MIN_RATE));
        // A second 429 while paced lowers the pace again, never below the floor.
        let pace = Pace::new(None);
        for i in 0..200 {
            pace.reserve(&[R], t0 + Duration::from_millis(i * 5));
        }
        pace.refused(R, t0 + Duration::from_secs(1));
        let first = pace.rate(R).unwrap();
        let t1 = t0 + Duration::from_secs(3);
        let t2 = run(&pace, &[R], 300, t1);
        pace.refused(R, t2);
        assert!(pace.rate(R).unwrap() < first, "{first}");
    }
}
