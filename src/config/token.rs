//! The token read and checked: from a text (a variable, a line of a file), or from the
//! first line of a token file. Errors name where the token came from, never the token.

use std::path::Path;

use anyhow::Context;

use crate::exit::{Error, Result};
use crate::secret::Secret;

/// The token as a `Secret`, or a usage error that names `origin` (never the text).
pub fn parse_token(text: &str, origin: &str) -> Result<Secret> {
    Secret::new(text).map_err(|problem| {
        let error =
            Error::usage(format!("the token from {origin} {}", problem.what())).fix(problem.fix());
        match problem.why() {
            Some(why) => error.why(why),
            None => error,
        }
    })
}

pub fn read_token_file(path: &Path) -> anyhow::Result<Secret> {
    use std::io::{BufRead, BufReader, Read};
    let shown = path.display();
    // Only the first line, and only so much of it: `--token-file /dev/zero` must not fill memory.
    let mut first = String::new();
    std::fs::File::open(path)
        .and_then(|file| BufReader::new(file.take(4096)).read_line(&mut first))
        .with_context(|| {
            Error::usage(format!("cannot read the token file {shown}"))
                .fix("check --token-file; the file's first line must be the apiTokenInstance")
        })?;
    warn_if_readable_by_others(path);
    Ok(parse_token(&first, &format!("the first line of {shown}"))?)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o044 != 0
    {
        crate::ewriteln!(
            "greenq: warning: the token file {} is readable by group or others; run: chmod 600 {}",
            path.display(),
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}
