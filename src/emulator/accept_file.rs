//! `serve --accept-file FILE`: the instances to host, one `ID:TOKEN` a line, optionally
//! followed by a name (for the Partner API's getInstances). `#` starts a comment line.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::Context;

use crate::exit::Error;
use crate::secret::Secret;
use crate::text::parse_positive;

/// Hosting more would only be a mistake (a wrong file): a million lines is plenty.
const MAX_LINES: usize = 1_000_000;

/// Each line's instance, token and name, in the file's order.
pub fn read(path: &Path) -> anyhow::Result<Vec<(u64, String, Option<String>)>> {
    let shown = path.display();
    let file = std::fs::File::open(path).with_context(|| {
        Error::usage(format!("cannot read the --accept-file {shown}"))
            .fix("give a file of ID:TOKEN lines")
    })?;
    let mut out = Vec::new();
    for (n, line) in BufReader::new(file.take(256 * 1024 * 1024))
        .lines()
        .enumerate()
    {
        let line = line.with_context(|| {
            Error::usage(format!("cannot read the --accept-file {shown}"))
                .fix("give a text file of ID:TOKEN lines")
        })?;
        if out.len() >= MAX_LINES {
            return Err(
                Error::usage(format!("the --accept-file {shown} is too long"))
                    .why(format!("over {MAX_LINES} instances"))
                    .fix("host fewer instances")
                    .into(),
            );
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(parse_line(line).map_err(|e| {
            Error::usage(format!(
                "line {} of the --accept-file {shown} is not ID:TOKEN [NAME]",
                n + 1
            ))
            .why(e)
            .fix("e.g. 1101000001:my-test-token Shop one")
        })?);
    }
    Ok(out)
}

/// One line; the error never holds the token.
fn parse_line(line: &str) -> std::result::Result<(u64, String, Option<String>), String> {
    let (pair, name) = match line.split_once(char::is_whitespace) {
        Some((pair, name)) => (pair, Some(name.trim().to_string())),
        None => (line, None),
    };
    let (id, token) = pair.split_once(':').ok_or("there is no `:`")?;
    let id = parse_positive(id)?;
    let token = Secret::new(token).map_err(|p| format!("the token {}", p.what()))?;
    Ok((
        id,
        token.expose().to_string(),
        name.filter(|n| !n.is_empty()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_id_token_and_an_optional_name() {
        assert_eq!(parse_line("7:tok").unwrap(), (7, "tok".into(), None));
        assert_eq!(
            parse_line("7:tok  Shop #1").unwrap(),
            (7, "tok".into(), Some("Shop #1".into()))
        );
        assert!(parse_line("x:tok").is_err());
        let e = parse_line("7:a/b-secret").unwrap_err();
        assert!(!e.contains("secret"), "{e}");
    }

    #[test]
    fn a_file_skips_comments_and_names_a_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "# hosted\n1:a\n\n2:b Two\n").unwrap();
        let got = read(&path).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].2.as_deref(), Some("Two"));
        std::fs::write(&path, "1:a\n2\n").unwrap();
        let e = read(&path).unwrap_err();
        assert!(
            e.to_string().starts_with("line 2 of the --accept-file"),
            "{e}"
        );
    }
}
