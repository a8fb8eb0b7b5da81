//! Exit codes, the typed error that carries one, and how `main` reports an error.
//! Every failure reads `greenq: error: <what> (<why>); <what to do>` and maps to a
//! documented code.
//!
//! Commands return `anyhow::Result`. The exit code and the advice travel as an `Error`
//! somewhere in the chain (found by downcast); contexts say what was being done. How a
//! chain is rendered: see `render`.

use std::fmt;

use crate::secret::Secret;

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

/// A failure with its exit code and the three parts of its message. Used as a context
/// over a cause (`io_result.context(Error::usage("cannot read X").fix(..))`), the cause
/// becomes the why.
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

    /// Replaces `from` in the advice with `to` (what was and was not done stays).
    pub fn replace_in_fix(&mut self, from: &str, to: &str) {
        if let Some(fix) = &mut self.fix {
            *fix = fix.replace(from, to);
        }
    }

    /// Why it failed, when that was said.
    pub fn why_text(&self) -> Option<&str> {
        self.why.as_deref()
    }

    /// What to do, when that was said.
    pub fn fix_text(&self) -> Option<&str> {
        self.fix.as_deref()
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
    pub fn redacted(self, secret: &Secret) -> Self {
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

/// The exit code of `err`: that of its typed `Error`, else 1 (`Failure`).
pub fn code_of(err: &anyhow::Error) -> ExitCode {
    typed(err).map_or(ExitCode::Failure, |e| e.code)
}

/// The outermost typed `Error` in the chain, also when it was given as a context.
fn typed(err: &anyhow::Error) -> Option<&Error> {
    err.downcast_ref::<Error>()
        .or_else(|| err.chain().find_map(|cause| cause.downcast_ref::<Error>()))
}

/// The message after `greenq: error: `, or None for a silent end (a closed stdout).
///
/// The chain is read from the outermost context to the root cause, each element giving
/// one part (a typed `Error` gives its what, then its why): the first part is <what>,
/// the others, joined by `: `, are <why>, and the fix of the outermost typed error that
/// has one is <what to do>; the exit code is the outermost typed error's (`code_of`).
/// So an `Error` alone reads as its own Display; an `Error` used as a context over an
/// I/O error reads `what (the I/O error); fix`; a plain context over an `Error` reads
/// `context (its what: its why); its fix`.
pub fn render(err: &anyhow::Error) -> Option<String> {
    let typed = typed(err);
    if typed.is_some_and(|e| e.silent) {
        return None;
    }
    let mut parts = Vec::new();
    let mut fix = typed.and_then(|e| e.fix.clone());
    for cause in err.chain() {
        // anyhow hides a context's own type from `chain`: a typed error given as a
        // context is the element that displays as it.
        let as_typed = cause
            .downcast_ref::<Error>()
            .or_else(|| typed.filter(|e| e.to_string() == cause.to_string()));
        match as_typed {
            Some(e) => {
                parts.push(e.what.clone());
                parts.extend(e.why.clone());
                if fix.is_none() {
                    fix = e.fix.clone();
                }
            }
            None => parts.push(cause.to_string()),
        }
    }
    let mut parts = parts.into_iter().filter(|p| !p.is_empty());
    let what = parts.next().unwrap_or_else(|| "failed".to_string());
    let why: Vec<String> = parts.collect();
    let message = Error {
        code: ExitCode::Failure,
        silent: false,
        what,
        why: (!why.is_empty()).then(|| why.join(": ")),
        fix,
    };
    Some(without_os_error_numbers(&message.to_string()))
}

/// `No such file or directory (os error 2)` reads `No such file or directory`: the number
/// repeats the words, for a person.
fn without_os_error_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" (os error ") {
        let tail = &rest[at + " (os error ".len()..];
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && tail[digits..].starts_with(')') {
            out.push_str(&rest[..at]);
            rest = &tail[digits + 1..];
        } else {
            out.push_str(&rest[..at + 1]);
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// Prints `err` to stderr as `greenq: error: ...` (unless silent); its exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    if let Some(message) = render(err) {
        crate::ewriteln!("greenq: error: {message}");
    }
    code_of(err)
}

/// True for the error a closed pipe gives.
pub fn is_broken_pipe(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    fn not_found() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")
    }

    #[test]
    fn os_error_numbers_are_left_out_and_nothing_else() {
        assert_eq!(
            without_os_error_numbers("cannot listen (Address in use (os error 98)); pick"),
            "cannot listen (Address in use); pick"
        );
        for kept in [
            "a (os error x)",
            "a (os error 5",
            "a (os error )",
            "(os error 1)",
        ] {
            assert_eq!(without_os_error_numbers(kept), kept);
        }
    }

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

    #[test]
    fn a_typed_error_alone_renders_as_itself() {
        let e = Error::usage("no token").why("none set").fix("set one");
        let shown = e.to_string();
        let err = anyhow::Error::from(e);
        assert_eq!(render(&err).unwrap(), shown);
        assert_eq!(code_of(&err), ExitCode::Usage);
        let bare = anyhow::Error::from(Error::data("empty"));
        assert_eq!(render(&bare).unwrap(), "empty");
    }

    #[test]
    fn a_typed_context_takes_its_cause_as_the_why() {
        let err = Err::<(), _>(not_found())
            .context(Error::usage("cannot read the token file t").fix("check --token-file"))
            .unwrap_err();
        assert_eq!(
            render(&err).unwrap(),
            "cannot read the token file t (no such file); check --token-file"
        );
        assert_eq!(code_of(&err), ExitCode::Usage);
        let with_why = Err::<(), _>(not_found())
            .context(Error::failure("cannot start").why("on loopback"))
            .unwrap_err();
        assert_eq!(
            render(&with_why).unwrap(),
            "cannot start (on loopback: no such file)"
        );
    }

    #[test]
    fn a_plain_context_becomes_the_what_and_the_typed_error_the_why_and_fix() {
        let err = Err::<(), _>(
            Error::usage("line 2 is not an id")
                .why("\"x\"")
                .fix("fix it"),
        )
        .context("cannot read ids from stdin")
        .context("cannot delete")
        .unwrap_err();
        assert_eq!(
            render(&err).unwrap(),
            "cannot delete (cannot read ids from stdin: line 2 is not an id: \"x\"); fix it"
        );
        assert_eq!(code_of(&err), ExitCode::Usage);
        let inner_fix = Err::<(), _>(Error::usage("bad line").fix("fix the line"))
            .context(Error::data("publish stopped"))
            .unwrap_err();
        assert_eq!(
            render(&inner_fix).unwrap(),
            "publish stopped (bad line); fix the line"
        );
        assert_eq!(code_of(&inner_fix), ExitCode::DataErr);
    }

    #[test]
    fn without_a_typed_error_it_is_exit_1_with_no_advice() {
        let err = Err::<(), _>(not_found())
            .context("opening notifications.ndjson")
            .unwrap_err();
        assert_eq!(
            render(&err).unwrap(),
            "opening notifications.ndjson (no such file)"
        );
        assert_eq!(code_of(&err), ExitCode::Failure);
        let err = anyhow::anyhow!("plain");
        assert_eq!(render(&err).unwrap(), "plain");
        assert_eq!(code_of(&err), ExitCode::Failure);
    }

    #[test]
    fn a_closed_stdout_is_silent_and_successful_even_under_a_context() {
        let pipe = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed");
        let err = Err::<(), _>(Error::output(pipe))
            .context("printing the envelope")
            .unwrap_err();
        assert_eq!(render(&err), None);
        assert_eq!(code_of(&err), ExitCode::Success);
        let full = std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full");
        let err = anyhow::Error::from(Error::output(full));
        assert_eq!(code_of(&err), ExitCode::Failure);
        assert!(
            render(&err)
                .unwrap()
                .starts_with("cannot write the output (disk full)")
        );
    }

    #[test]
    fn a_typed_error_wrapped_as_a_source_is_found_too() {
        #[derive(Debug)]
        struct Wrapper(Error);
        impl fmt::Display for Wrapper {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("batch stopped")
            }
        }
        impl std::error::Error for Wrapper {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let inner = Error::new(ExitCode::Quota, "quota exceeded").fix("wait");
        let err = anyhow::Error::from(Wrapper(inner));
        assert_eq!(code_of(&err), ExitCode::Quota);
        assert_eq!(
            render(&err).unwrap(),
            "batch stopped (quota exceeded); wait"
        );
    }
}
