//! How each instance of a multi-instance tail ended, the exit code of the whole run (the
//! most serious of them, in a documented order), and the summary: a line per instance
//! and a total.

use crate::exit::ExitCode;

/// Most serious first: what an operator must fix before what may pass by itself. A
/// configuration problem (2), rejected credentials (4), an exhausted quota (5), a failure
/// (1), an interruption (130), success (0).
pub const SEVERITY: [ExitCode; 6] = [
    ExitCode::Usage,
    ExitCode::Credentials,
    ExitCode::Quota,
    ExitCode::Failure,
    ExitCode::Interrupted,
    ExitCode::Success,
];

fn rank(code: ExitCode) -> usize {
    // Codes not in the list (none ends a tail today) rank as failures.
    SEVERITY.iter().position(|c| *c == code).unwrap_or(3)
}

/// The most serious of `codes`; success when there are none.
pub fn worst(codes: impl IntoIterator<Item = ExitCode>) -> ExitCode {
    codes
        .into_iter()
        .min_by_key(|c| rank(*c))
        .unwrap_or(ExitCode::Success)
}

/// One instance's end.
pub struct Outcome {
    pub profile: String,
    pub code: ExitCode,
    /// The loop's own summary (`12 printed, 0 skipped, 12 deleted, 0 retries, 1.2 s`).
    pub summary: String,
    pub handled: u64,
    pub deleted: u64,
    pub retries: u64,
}

impl Outcome {
    /// `shop: 12 printed, ...`, and why it stopped when that was not a normal end.
    pub fn line(&self) -> String {
        let end = match self.code {
            ExitCode::Success => String::new(),
            ExitCode::Interrupted => " (interrupted)".into(),
            code => format!(" (stopped, exit {})", code.code()),
        };
        format!("{}: {}{end}", self.profile, self.summary)
    }
}

/// `total: 120 printed, 120 deleted, 3 retries; 10 instances, 1 stopped, 2.4 s`.
pub fn total(outcomes: &[Outcome], verb: &str, seconds: f64) -> String {
    let sum = |f: fn(&Outcome) -> u64| outcomes.iter().map(f).sum::<u64>();
    let stopped = outcomes
        .iter()
        .filter(|o| !matches!(o.code, ExitCode::Success | ExitCode::Interrupted))
        .count();
    format!(
        "total: {} {verb}, {} deleted, {} retries; {} instances, {stopped} stopped on an error, {seconds:.1} s",
        sum(|o| o.handled),
        sum(|o| o.deleted),
        sum(|o| o.retries),
        outcomes.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_serious_code_wins() {
        use ExitCode::*;
        assert_eq!(worst([Success, Credentials, Success]), Credentials);
        assert_eq!(worst([Failure, Quota]), Quota);
        assert_eq!(worst([Interrupted, Failure]), Failure);
        assert_eq!(worst([Credentials, Usage]), Usage);
        assert_eq!(worst([Success, Interrupted]), Interrupted);
        assert_eq!(worst([]), Success);
    }
}
