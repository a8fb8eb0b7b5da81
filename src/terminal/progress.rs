//! The look of a drain on a terminal: the bar of `tail -e` over a backlog (done/total,
//! rate, time left), its last look at the queue once the total is reached, and the
//! spinner's `≈ 1,234 waiting`.

use std::fmt::Write;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

use crate::terminal::status::stderr_target;

/// A bar of `total` steps on stderr: done/total, rate, time left.
pub fn drain_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), stderr_target());
    last_look(&bar, false, None);
    bar
}

/// Draining (`... 1200/5000 850/s eta 4s`), or, once the total is reached, the last
/// look at the queue (`... 5000/5000 2,476/s ⠋ empty? (≤ 5 s)`), which
/// the steady tick keeps moving while the service waits up to `wait` seconds (`None`:
/// its default); its rate is the drain's when it got there (it would only fall while the
/// service waits).
pub fn last_look(bar: &ProgressBar, on: bool, wait: Option<u32>) {
    let template = if on {
        // The figures are fixed (the rate in the prefix), the words a wide message: short
        // enough for 80 columns, they give way on a narrower terminal, the figures do not.
        bar.set_prefix(rate(bar.per_sec()));
        bar.set_message(match wait {
            Some(wait) => format!("empty? (≤ {wait} s)"),
            None => "empty?".to_string(),
        });
        "draining [{bar:30}] {pos}/{len} {prefix} {spinner} {wide_msg}".to_string()
    } else {
        "draining [{bar:30}] {pos}/{len} {rate} eta {eta}".to_string()
    };
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(with_rate(style).progress_chars("=> "));
    }
    if on {
        bar.enable_steady_tick(Duration::from_millis(100));
    } else {
        bar.disable_steady_tick();
    }
}

/// `style` with the key `{rate}`: the rate as `rate` writes it.
pub fn with_rate(style: ProgressStyle) -> ProgressStyle {
    style.with_key("rate", |state: &ProgressState, w: &mut dyn Write| {
        let _ = w.write_str(&rate(state.per_sec()));
    })
}

/// `12,463/s`; below 10 a second, one decimal (`0.4/s`).
pub fn rate(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec < 0.0 {
        return "0/s".into();
    }
    if per_sec < 10.0 {
        return format!("{per_sec:.1}/s");
    }
    format!("{}/s", thousands(per_sec.round() as u64))
}

/// The spinner of `tail`, with the depth last read in its prefix.
pub fn depth_spinner(message: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, stderr_target());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}{prefix}") {
        bar.set_style(style);
    }
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// ` · ≈ 1,234 waiting`, the spinner's prefix; nothing for an empty queue.
pub fn waiting(depth: u64) -> String {
    if depth == 0 {
        return String::new();
    }
    format!(" · ≈ {} waiting", thousands(depth))
}

/// 1234567 as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depths_read_with_thousands_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(waiting(0), "");
        assert_eq!(waiting(1234), " · ≈ 1,234 waiting");
    }

    #[test]
    fn rates_read_without_a_tail_of_decimals() {
        assert_eq!(rate(12_463.134_1), "12,463/s");
        assert_eq!(rate(99.5), "100/s");
        assert_eq!(rate(3.4567), "3.5/s");
        assert_eq!(rate(f64::NAN), "0/s");
    }
}
