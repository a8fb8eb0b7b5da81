//! Exit codes and the one error type. Every failure reads
//! `greenq: error: <what> (<why>); <what to do>` and maps to a documented code.

use std::fmt;

/// The documented exit codes (README, `greenq --help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    Success = 0,
    /// Network or service failure that survived the retries.
    Failure = 1,
    /// Bad flags, environment or configuration.
    Usage = 2,
    /// Nothing there: empty queue, receipt not found.
    NothingThere = 3,
    /// The service rejected the instance id or token.
    Credentials = 4,
    /// The plan's quota is used up (HTTP 466).
    Quota = 5,
    /// Invalid input data (sysexits' EX_DATAERR).
    DataErr = 65,
    /// Ctrl-C or SIGTERM.
    Interrupted = 130,
}

impl ExitCode {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// A failure with its exit code and the three parts of its message.
#[derive(Debug)]
pub struct Error {
    pub code: ExitCode,
    /// Ends the process with `code` and no message (a closed stdout).
    pub silent: bool,
    what: String,
    why: Option<String>,
    fix: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: ExitCode, what: impl Into<String>) -> Self {
        Error {
            code,
            silent: false,
            what: what.into(),
            why: None,
            fix: None,
        }
    }

    pub fn usage(what: impl Into<String>) -> Self {
        Self::new(ExitCode::Usage, what)
    }

    pub fn data(what: impl Into<String>) -> Self {
        Self::new(ExitCode::DataErr, what)
    }

    pub fn failure(what: impl Into<String>) -> Self {
        Self::new(ExitCode::Failure, what)
    }

    /// Ctrl-C or SIGTERM stopped the work.
    pub fn interrupted() -> Self {
        Self::new(ExitCode::Interrupted, "interrupted").why("Ctrl-C or SIGTERM")
    }

    pub fn why(mut self, why: impl Into<String>) -> Self {
        self.why = Some(why.into());
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// Puts `note` (what was and was not done) before the advice.
    pub fn fix_prefix(mut self, note: impl Into<String>) -> Self {
        let note = note.into();
        self.fix = Some(match self.fix {
            Some(fix) => format!("{note}; {fix}"),
            None => note,
        });
        self
    }

    /// The same error with the token replaced by `***` in every part.
    pub fn redacted(self, secret: &crate::config::Secret) -> Self {
        Error {
            code: self.code,
            silent: self.silent,
            what: secret.redact(&self.what),
            why: self.why.map(|t| secret.redact(&t)),
            fix: self.fix.map(|t| secret.redact(&t)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)?;
        if let Some(why) = &self.why {
            write!(f, " ({why})")?;
        }
        if let Some(fix) = &self.fix {
            write!(f, "; {fix}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl Error {
    /// A failed write to stdout: a closed pipe (`greenq ... | head`) ends quietly with 0,
    /// as in ripgrep; anything else (a full disk) is a failure.
    pub fn output(e: std::io::Error) -> Self {
        if is_broken_pipe(&e) {
            let mut quiet = Error::new(ExitCode::Success, "stdout was closed");
            quiet.silent = true;
            quiet
        } else {
            Error::failure("cannot write the output")
                .why(e.to_string())
                .fix("check where stdout goes (disk full?)")
        }
    }
}

/// True for the error a closed pipe gives.
pub fn is_broken_pipe(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_has_what_why_and_fix() {
        let e = Error::usage("no instance id")
            .why("neither -i nor GREEN_API_INSTANCE_ID is set")
            .fix("set one");
        assert_eq!(
            e.to_string(),
            "no instance id (neither -i nor GREEN_API_INSTANCE_ID is set); set one"
        );
        assert_eq!(e.code.code(), 2);
    }

    #[test]
    fn codes_are_the_documented_ones() {
        let codes: Vec<i32> = [
            ExitCode::Success,
            ExitCode::Failure,
            ExitCode::Usage,
            ExitCode::NothingThere,
            ExitCode::Credentials,
            ExitCode::Quota,
            ExitCode::DataErr,
            ExitCode::Interrupted,
        ]
        .iter()
        .map(|c| c.code())
        .collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 5, 65, 130]);
    }
}
