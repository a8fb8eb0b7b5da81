//! Profiles: the `[profiles.NAME]` tables of the config file, read and checked (`api_url`,
//! `webhook_url`, `instance`, `token_file` or `token`), and the names a profile may have.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table};

use crate::config::file;
use crate::config::token::{parse_token, read_token_file};
use crate::exit::{Error, Result};
use crate::secret::Secret;

/// The keys a profile may have; any other is a typo worth telling.
pub const KEYS: [&str; 5] = ["api_url", "webhook_url", "instance", "token_file", "token"];

/// One profile as the file gives it; the token is read only when it is used.
#[derive(Clone, Debug)]
pub struct Profile {
    pub name: String,
    pub api_url: Option<String>,
    pub webhook_url: Option<String>,
    pub instance: Option<u64>,
    pub token: TokenSource,
    /// The config file it came from, for messages and the 0600 rule.
    pub file: PathBuf,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    None,
    File(PathBuf),
    /// `token = "..."` in the config file itself.
    Inline,
}

impl Profile {
    /// Where the token comes from, as `profile list` shows it (never the token).
    pub fn token_origin(&self) -> String {
        match &self.token {
            TokenSource::None => "-".into(),
            TokenSource::File(path) => path.display().to_string(),
            TokenSource::Inline => "in the config file".into(),
        }
    }

    /// The token: from its file, or from the config file; either must be 0600.
    pub fn read_token(&self) -> anyhow::Result<Option<Secret>> {
        self.read_token_in(&mut None)
    }

    /// The same, with the config file read (checked and parsed) once for many profiles:
    /// `last` keeps the last file's document.
    fn read_token_in(
        &self,
        last: &mut Option<(PathBuf, DocumentMut)>,
    ) -> anyhow::Result<Option<Secret>> {
        match &self.token {
            TokenSource::None => Ok(None),
            TokenSource::File(path) => {
                file::check_private(path, &format!("the token file of profile {}", self.name))?;
                read_token_file(path).map(Some)
            }
            TokenSource::Inline => {
                let doc = match last {
                    Some((path, doc)) if *path == self.file => doc,
                    _ => {
                        file::check_private(&self.file, "the config file")?;
                        let doc = file::read(&self.file)?.unwrap_or_default();
                        &last.insert((self.file.clone(), doc)).1
                    }
                };
                let text = profile_table(doc, &self.name)
                    .and_then(|t| t.get("token"))
                    .and_then(Item::as_str)
                    .unwrap_or_default();
                let origin = format!("profile {} in {}", self.name, self.file.display());
                Ok(Some(parse_token(text, &origin)?))
            }
        }
    }
}

/// Every profile's token, as `read_token` gives it, with the config file read once: a tail
/// of 1,000 profiles whose tokens are inline parsed the whole file for each (quadratic,
/// seconds at the start).
pub fn read_tokens(profiles: &[Profile]) -> anyhow::Result<Vec<Option<Secret>>> {
    let mut last = None;
    profiles
        .iter()
        .map(|p| p.read_token_in(&mut last))
        .collect()
}

/// The table `[profiles.NAME]`, if there is one.
pub fn profile_table<'a>(doc: &'a DocumentMut, name: &str) -> Option<&'a Table> {
    doc.get("profiles")?.as_table()?.get(name)?.as_table()
}

/// Every profile of the file, in the file's order.
pub fn all(doc: &DocumentMut, path: &Path) -> Result<Vec<Profile>> {
    let Some(profiles) = doc.get("profiles") else {
        return Ok(Vec::new());
    };
    let bad = |why: String| {
        Error::usage(format!(
            "the config file {} has a bad [profiles] table",
            path.display()
        ))
        .why(why)
        .fix("each profile is a table [profiles.NAME]; `greenq profile add` writes one")
    };
    let table = profiles
        .as_table_like()
        .ok_or_else(|| bad("`profiles` is not a table".into()))?;
    table
        .iter()
        .map(|(name, item)| {
            let table = item
                .as_table_like()
                .ok_or_else(|| bad(format!("`profiles.{name}` is not a table")))?;
            parse(name, table, path)
        })
        .collect()
}

/// The profiles named `names`, in that order, from the config file; a usage error names
/// the file and what is missing.
pub fn load(
    env: &dyn Fn(&str) -> Option<String>,
    names: &[String],
) -> anyhow::Result<Vec<Profile>> {
    let path = file::path(env)?;
    let doc = file::read(&path)?;
    let Some(doc) = doc else {
        let asked = match names {
            [] => "--all-profiles was given".to_string(),
            _ => format!("profile {} was asked for", names.join(", ")),
        };
        return Err(Error::usage(format!("no config file at {}", path.display()))
            .why(asked)
            .fix("add one with `greenq profile add NAME --instance ID --api-url URL --token-file PATH`, or set GREENQ_CONFIG")
            .into());
    };
    let known = all(&doc, &path)?;
    if names.is_empty() {
        return Ok(known);
    }
    names
        .iter()
        .map(|name| {
            known
                .iter()
                .find(|p| &p.name == name)
                .cloned()
                .ok_or_else(|| {
                    let list: Vec<&str> = known.iter().map(|p| p.name.as_str()).collect();
                    let why = if list.is_empty() {
                        format!("{} has no profiles", path.display())
                    } else {
                        format!("{} has {}", path.display(), list.join(", "))
                    };
                    Error::usage(format!("no profile named {name}"))
                        .why(why)
                        .fix("check --profile / GREENQ_PROFILE; `greenq profile list` shows them")
                        .into()
                })
        })
        .collect()
}

fn parse(name: &str, table: &dyn toml_edit::TableLike, path: &Path) -> Result<Profile> {
    let bad = |why: String| {
        Error::usage(format!(
            "profile {} in {} is not valid",
            crate::text::escape_controls(name),
            path.display()
        ))
        .why(why)
        .fix(format!("a profile has {}", KEYS.join(", ")))
    };
    check_name(name).map_err(&bad)?;
    for (key, _) in table.iter() {
        if !KEYS.contains(&key) {
            return Err(bad(format!("unknown key `{key}`")));
        }
    }
    let text = |key: &str| -> Result<Option<String>> {
        match table.get(key) {
            None => Ok(None),
            Some(item) => item
                .as_str()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| bad(format!("`{key}` must be a string"))),
        }
    };
    let instance = match table.get("instance") {
        None => None,
        Some(item) => match item.as_integer() {
            Some(id) if id > 0 => Some(id as u64),
            _ => {
                return Err(bad(
                    "`instance` must be a positive integer (the idInstance)".into(),
                ));
            }
        },
    };
    // Only the key's presence: the value is read when it is used, after the 0600 check.
    let inline = match table.get("token") {
        None => false,
        Some(item) if item.is_str() => true,
        Some(_) => return Err(bad("`token` must be a string".into())),
    };
    let token = match (text("token_file")?, inline) {
        (Some(_), true) => return Err(bad("it has both `token` and `token_file`".into())),
        (Some(file), false) => TokenSource::File(expand_home(&file)),
        (None, true) => TokenSource::Inline,
        (None, false) => TokenSource::None,
    };
    Ok(Profile {
        name: name.to_string(),
        api_url: text("api_url")?,
        webhook_url: text("webhook_url")?,
        instance,
        token,
        file: path.to_path_buf(),
    })
}

/// `~/x` as the home directory's `x`, as a shell would have it.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), etcetera::home_dir()) {
        (Some(rest), Ok(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// A profile name: letters, digits, `-` and `_`, so that it is one word everywhere (a shell,
/// a systemd `%i`, a file name, an environment value).
pub fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err("a profile name is 1 to 64 characters".into());
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
    {
        Some(c) => Err(format!(
            "the name holds {c:?}; a profile name is letters, digits, - and _"
        )),
        None => Ok(()),
    }
}

/// A name made safe: runs of other characters become one `-`, lower case; empty gives `None`.
pub fn safe_name(text: &str) -> Option<String> {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(64).collect();
    let out = out.trim_end_matches('-').to_string();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> DocumentMut {
        text.parse().unwrap()
    }

    #[test]
    fn profiles_are_read_in_order_with_their_token_source() {
        let d = doc(
            "# mine\n[profiles.b]\ninstance = 2\ntoken_file = \"/t/b\"\n\n\
                     [profiles.a]\napi_url = \"https://h\"\ninstance = 1\ntoken = \"x\"\n",
        );
        let all = all(&d, Path::new("/c.toml")).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].name.as_str(), all[0].instance), ("b", Some(2)));
        assert_eq!(all[0].token, TokenSource::File("/t/b".into()));
        assert_eq!(all[1].token, TokenSource::Inline);
        assert_eq!(all[1].api_url.as_deref(), Some("https://h"));
        assert_eq!(all[1].token_origin(), "in the config file");
    }

    #[test]
    fn bad_profiles_name_the_problem_and_never_the_token() {
        for (text, why) in [
            (
                "[profiles.a]\ninstance = \"x\"\n",
                "`instance` must be a positive integer",
            ),
            ("[profiles.a]\ninstanse = 1\n", "unknown key `instanse`"),
            (
                "[profiles.a]\ntoken = \"sekret\"\ntoken_file = \"f\"\n",
                "both",
            ),
            ("[profiles.\"a b\"]\ninstance = 1\n", "holds ' '"),
            ("profiles = 3\n", "`profiles` is not a table"),
        ] {
            let e = all(&doc(text), Path::new("/c.toml")).unwrap_err();
            assert_eq!(e.code.code(), 2);
            assert!(e.to_string().contains(why), "{e}");
            assert!(!e.to_string().contains("sekret"), "{e}");
        }
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(
            safe_name("Shop #1 (Moscow)").as_deref(),
            Some("shop-1-moscow")
        );
        assert_eq!(safe_name("  ").as_deref(), None);
        assert_eq!(safe_name("Магазин").as_deref(), None);
        assert_eq!(safe_name("a_b").as_deref(), Some("a_b"));
        assert!(check_name("shop-1").is_ok());
        assert!(check_name("").is_err());
    }
}
