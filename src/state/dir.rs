//! Where tail keeps its state: `--state-dir DIR`, else `GREENQ_STATE_DIR`, else
//! `$STATE_DIRECTORY` (systemd's `StateDirectory=`), else `$XDG_STATE_HOME/greenq`, else
//! `~/.local/state/greenq`; created with mode 0700. A directory that cannot be used is an
//! error at start, never a silent fallback.

use std::fs::DirBuilder;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use crate::exit::{Error, Result};

/// The state directory and whether the user named it (a flag or `GREENQ_STATE_DIR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDir {
    pub path: PathBuf,
    pub explicit: bool,
    /// Where the path came from, for messages.
    pub origin: &'static str,
}

/// Resolves the directory from the flag and the environment (`env` looks a variable up).
pub fn resolve(flag: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<StateDir> {
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    let found = |path: PathBuf, explicit, origin| StateDir {
        path,
        explicit,
        origin,
    };
    if let Some(path) = flag {
        return Ok(found(path.to_path_buf(), true, "--state-dir"));
    }
    if let Some(path) = set("GREENQ_STATE_DIR") {
        return Ok(found(path.into(), true, "GREENQ_STATE_DIR"));
    }
    // systemd gives a colon-separated list when the unit names several; the first is ours.
    if let Some(list) = set("STATE_DIRECTORY")
        && let Some(first) = list.split(':').find(|p| !p.is_empty())
    {
        return Ok(found(first.into(), false, "STATE_DIRECTORY"));
    }
    // The XDG spec: a relative XDG_STATE_HOME is invalid and ignored.
    if let Some(xdg) = set("XDG_STATE_HOME").filter(|p| Path::new(p).is_absolute()) {
        return Ok(found(
            Path::new(&xdg).join("greenq"),
            false,
            "XDG_STATE_HOME",
        ));
    }
    if let Some(home) = set("HOME") {
        return Ok(found(
            Path::new(&home).join(".local/state/greenq"),
            false,
            "HOME",
        ));
    }
    Err(Error::usage("tail has no state directory")
        .why("none of --state-dir, GREENQ_STATE_DIR, STATE_DIRECTORY, XDG_STATE_HOME, HOME is set")
        .fix("give one with --state-dir DIR, or run without one with --no-state"))
}

impl StateDir {
    /// Creates the directory (0700; its parents as the umask says) unless it exists.
    pub fn create(&self) -> Result<()> {
        let path = &self.path;
        if path.is_dir() {
            return Ok(());
        }
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
            .map_err(|e| self.unusable(&e.to_string()))
    }

    /// The error for a directory that cannot be used (exit 2: a restart would not help).
    pub fn unusable(&self, why: &str) -> Error {
        Error::usage(format!(
            "the state directory {} cannot be used",
            self.path.display()
        ))
        .why(format!("{why}; from {}", self.origin))
        .fix("make it a directory greenq can write to, name another with --state-dir DIR, or run with --no-state (no lock, no ledger)")
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn precedence_flag_env_systemd_xdg_home() {
        let all: &[(&str, &str)] = &[
            ("GREENQ_STATE_DIR", "/g"),
            ("STATE_DIRECTORY", "/s1:/s2"),
            ("XDG_STATE_HOME", "/x"),
            ("HOME", "/h"),
        ];
        let r = |flag: Option<&Path>, vars| resolve(flag, &env_of(vars)).unwrap();
        assert_eq!(r(Some(Path::new("/f")), all).path, PathBuf::from("/f"));
        assert!(r(Some(Path::new("/f")), all).explicit);
        assert_eq!(r(None, all).path, PathBuf::from("/g"));
        assert!(r(None, all).explicit);
        let s = r(None, &all[1..]);
        assert_eq!((s.path, s.explicit), (PathBuf::from("/s1"), false));
        assert_eq!(r(None, &all[2..]).path, PathBuf::from("/x/greenq"));
        assert_eq!(
            r(None, &all[3..]).path,
            PathBuf::from("/h/.local/state/greenq")
        );
        let relative: &[(&str, &str)] = &[("XDG_STATE_HOME", "rel"), ("HOME", "/h")];
        assert_eq!(
            r(None, relative).path,
            PathBuf::from("/h/.local/state/greenq")
        );
        let e = resolve(None, &env_of(&[])).unwrap_err();
        assert_eq!(e.code.code(), 2);
        assert!(e.to_string().contains("--no-state"), "{e}");
    }

    #[test]
    fn created_0700_and_a_file_in_the_way_is_named() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = StateDir {
            path: tmp.path().join("a/b"),
            explicit: true,
            origin: "--state-dir",
        };
        dir.create().unwrap();
        let mode = std::fs::metadata(&dir.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        std::fs::write(tmp.path().join("file"), "x").unwrap();
        let blocked = StateDir {
            path: tmp.path().join("file/sub"),
            ..dir
        };
        let e = blocked.create().unwrap_err().to_string();
        assert!(e.contains("file/sub") && e.contains("--state-dir"), "{e}");
    }
}
