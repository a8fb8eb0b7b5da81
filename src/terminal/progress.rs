//! The look of a drain on a terminal: the bar of `tail -e` over a backlog (done/total,
//! rate, time left) and the spinner's `≈ 1,234 waiting`.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::terminal::status::stderr_target;

/// A bar of `total` steps on stderr: done/total, rate, time left.
pub fn drain_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), stderr_target());
    if let Ok(style) =
        ProgressStyle::with_template("draining [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
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
}
