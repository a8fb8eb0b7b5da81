//! The config file on disk: where it is (`GREENQ_CONFIG`, else the XDG config directory on
//! every platform), reading it as an editable TOML document, the 0600 rule for a file that
//! holds a token, and writing it back atomically.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use toml_edit::DocumentMut;

use crate::exit::{Error, Result};

/// A config file larger than this is not a config file: refuse it rather than fill memory.
const MAX_SIZE: u64 = 4 * 1024 * 1024;

/// The config file's path: `GREENQ_CONFIG`, else `$XDG_CONFIG_HOME/greenq/config.toml`, else
/// `~/.config/greenq/config.toml` (XDG on macOS and Windows too, as bat and jj settled on).
pub fn path(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf> {
    if let Some(path) = env("GREENQ_CONFIG").filter(|p| !p.trim().is_empty()) {
        return Ok(PathBuf::from(path));
    }
    // A relative XDG_CONFIG_HOME is invalid by the specification: ignored, as etcetera does.
    if let Some(dir) = env("XDG_CONFIG_HOME").filter(|d| Path::new(d).is_absolute()) {
        return Ok(Path::new(&dir).join("greenq").join("config.toml"));
    }
    let home = match env("HOME").filter(|h| Path::new(h).is_absolute()) {
        Some(home) => PathBuf::from(home),
        None => etcetera::home_dir().map_err(|e| {
            Error::usage("cannot find the config file")
                .why(format!("no home directory: {e}"))
                .fix("set GREENQ_CONFIG=PATH (or XDG_CONFIG_HOME, or HOME)")
        })?,
    };
    Ok(home.join(".config").join("greenq").join("config.toml"))
}

/// The file as an editable document; `None` when it does not exist.
pub fn read(path: &Path) -> anyhow::Result<Option<DocumentMut>> {
    let shown = path.display();
    let mut text = String::new();
    match std::fs::File::open(path) {
        Ok(file) => file
            .take(MAX_SIZE + 1)
            .read_to_string(&mut text)
            .with_context(|| {
                Error::usage(format!("cannot read the config file {shown}"))
                    .fix("check the file (GREENQ_CONFIG names another one)")
            })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e).with_context(|| {
                Error::usage(format!("cannot read the config file {shown}"))
                    .fix("check the file's permissions (GREENQ_CONFIG names another one)")
            });
        }
    };
    if text.len() as u64 > MAX_SIZE {
        return Err(
            Error::usage(format!("the config file {shown} is too large"))
                .why("over 4 MiB")
                .fix("a config file holds a few profiles; check GREENQ_CONFIG")
                .into(),
        );
    }
    let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        // The parser's message quotes the offending line, which may hold a token.
        let place = e
            .span()
            .map(|span| line_and_column(&text, span.start))
            .map(|(l, c)| format!("line {l}, column {c}: "))
            .unwrap_or_default();
        Error::usage(format!("the config file {shown} is not valid TOML"))
            .why(format!("{place}{}", first_line(e.message())))
            .fix("fix the file, or move it away and add profiles with `greenq profile add`")
    })?;
    Ok(Some(doc))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text).trim()
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Refuses to read a token from a file that others may read: `chmod 600 PATH`.
#[cfg(unix)]
pub fn check_private(path: &Path, what: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode())
        .map_err(|e| {
            Error::usage(format!("cannot read {what} {}", path.display())).why(e.to_string())
        })?;
    if mode & 0o077 != 0 {
        return Err(Error::usage(format!(
            "{what} {} holds a token and others may read it",
            path.display()
        ))
        .why(format!(
            "its mode is {:o}; a file holding a token must be 0600",
            mode & 0o777
        ))
        .fix(format!("run: chmod 600 {}", path.display())));
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn check_private(_path: &Path, _what: &str) -> Result<()> {
    Ok(())
}

/// Writes `doc` to `path` atomically (a temporary file in the same directory, mode 0600,
/// written through, then renamed over it): a crash leaves the old file or the new, never half.
pub fn write(path: &Path, doc: &DocumentMut) -> anyhow::Result<()> {
    let shown = path.display();
    let failed = || {
        Error::usage(format!("cannot write the config file {shown}"))
            .fix("check the directory's permissions (GREENQ_CONFIG names another file)")
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(failed)?;
    // tempfile creates its files 0600.
    let mut temp = tempfile::NamedTempFile::new_in(dir).with_context(failed)?;
    temp.write_all(doc.to_string().as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .with_context(failed)?;
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_follows_greenq_config_then_xdg_then_home() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let p = path(&env(&[("GREENQ_CONFIG", "/x/c.toml"), ("HOME", "/h")])).unwrap();
        assert_eq!(p, PathBuf::from("/x/c.toml"));
        let p = path(&env(&[("XDG_CONFIG_HOME", "/xdg"), ("HOME", "/h")])).unwrap();
        assert_eq!(p, PathBuf::from("/xdg/greenq/config.toml"));
        let p = path(&env(&[("XDG_CONFIG_HOME", "rel"), ("HOME", "/h")])).unwrap();
        assert_eq!(p, PathBuf::from("/h/.config/greenq/config.toml"));
    }

    #[test]
    fn invalid_toml_names_the_place_not_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[profiles.a]\ntoken = secret-token-x\n").unwrap();
        let e = read(&path).unwrap_err();
        let shown = crate::exit::render(&e).unwrap();
        assert!(
            shown.contains("is not valid TOML (line 2, column"),
            "{shown}"
        );
        assert!(!shown.contains("secret-token-x"), "{shown}");
    }

    #[cfg(unix)]
    #[test]
    fn writes_are_private_and_a_shared_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("c.toml");
        let doc: DocumentMut = "# mine\n[profiles.a]\ninstance = 1\n".parse().unwrap();
        write(&path, &doc).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(check_private(&path, "the config file").is_ok());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = check_private(&path, "the config file").unwrap_err();
        assert!(
            e.to_string()
                .ends_with(&format!("run: chmod 600 {}", path.display()))
        );
        assert_eq!(read(&path).unwrap().unwrap().to_string(), doc.to_string());
    }
}
