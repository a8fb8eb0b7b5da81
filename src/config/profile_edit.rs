//! Editing the profiles of a config file document: adding (or replacing) and removing a
//! `[profiles.NAME]` table, leaving every other line, comment and the order as they were.

use toml_edit::{DocumentMut, Item, Table, Value, value};

use crate::exit::{Error, Result};

/// One profile's fields as they are written.
pub struct Fields<'a> {
    pub api_url: &'a str,
    pub webhook_url: Option<&'a str>,
    pub instance: u64,
    pub token_file: Option<&'a str>,
    pub token: Option<&'a str>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    New,
    Replaced,
    /// A profile of that name exists and `force` was not given.
    Kept,
}

fn profiles(doc: &mut DocumentMut) -> Result<&mut Table> {
    let item = doc.entry("profiles").or_insert_with(|| {
        let mut table = Table::new();
        // No bare `[profiles]` line: only the `[profiles.NAME]` tables show.
        table.set_implicit(true);
        Item::Table(table)
    });
    item.as_table_mut().ok_or_else(|| {
        Error::usage("the config file's `profiles` is not a table")
            .fix("make it [profiles.NAME] tables, or move the file away")
    })
}

/// A TOML integer is an i64: a larger id would be written negative, a profile that
/// cannot be read back.
fn instance_value(instance: u64) -> Result<i64> {
    i64::try_from(instance).map_err(|_| {
        Error::usage("-i/--instance is not a valid instance id")
            .why(format!("{instance} is larger than a config file can hold"))
            .fix("give the idInstance from the console")
    })
}

/// Adds `[profiles.NAME]`; an existing one is replaced only with `force`, in its place.
pub fn add(doc: &mut DocumentMut, name: &str, fields: &Fields, force: bool) -> Result<Added> {
    let instance = instance_value(fields.instance)?;
    let profiles = profiles(doc)?;
    let exists = profiles.contains_key(name);
    if exists && !force {
        return Ok(Added::Kept);
    }
    let mut table = Table::new();
    table.insert("api_url", value(fields.api_url));
    if let Some(url) = fields.webhook_url {
        table.insert("webhook_url", value(url));
    }
    table.insert("instance", value(instance));
    if let Some(path) = fields.token_file {
        table.insert("token_file", value(path));
    }
    if let Some(token) = fields.token {
        table.insert("token", value(token));
    }
    match profiles.get_mut(name).and_then(Item::as_table_mut) {
        // Replaced in place: its position and the comment above it stay.
        Some(old) => {
            let decor = old.decor().clone();
            *old = table;
            *old.decor_mut() = decor;
        }
        None => {
            profiles.insert(name, Item::Table(table));
        }
    }
    Ok(if exists { Added::Replaced } else { Added::New })
}

/// The fields `set` changes; `None` keeps the file's value.
#[derive(Default)]
pub struct Changes<'a> {
    pub api_url: Option<&'a str>,
    pub webhook_url: Option<&'a str>,
    pub instance: Option<u64>,
    /// A new token source; the other one (`token` or `token_file`) goes.
    pub token_file: Option<&'a str>,
    pub token: Option<&'a str>,
}

/// Changes the given fields of profile NAME in place: the other fields (the token among
/// them), the comments (a key's trailing one too) and the order stay. False when there
/// is no such profile.
pub fn set(doc: &mut DocumentMut, name: &str, changes: &Changes) -> Result<bool> {
    let instance = changes.instance.map(instance_value).transpose()?;
    let Some(table) = profiles(doc)?
        .get_mut(name)
        .and_then(Item::as_table_like_mut)
    else {
        return Ok(false);
    };
    let mut put = |key: &str, new: Value| match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = new;
            *old.decor_mut() = decor;
        }
        None => {
            table.insert(key, Item::Value(new));
        }
    };
    if let Some(url) = changes.api_url {
        put("api_url", url.into());
    }
    if let Some(url) = changes.webhook_url {
        put("webhook_url", url.into());
    }
    if let Some(instance) = instance {
        put("instance", instance.into());
    }
    if let Some(path) = changes.token_file {
        put("token_file", path.into());
    }
    if let Some(token) = changes.token {
        put("token", token.into());
    }
    if changes.token_file.is_some() {
        table.remove("token");
    }
    if changes.token.is_some() {
        table.remove("token_file");
    }
    Ok(true)
}

/// Removes `[profiles.NAME]`; false when there was none. The comment lines right above it
/// go with it; a paragraph before them (the file's own header) moves to the next table.
pub fn remove(doc: &mut DocumentMut, name: &str) -> Result<bool> {
    let Some(removed) = profiles(doc)?.remove(name) else {
        return Ok(false);
    };
    let Some(table) = removed.as_table() else {
        return Ok(true);
    };
    let prefix = table
        .decor()
        .prefix()
        .and_then(|p| p.as_str())
        .unwrap_or_default();
    let kept = match prefix.rfind("\n\n") {
        Some(end) => &prefix[..end + 2],
        None => "",
    };
    if kept.trim().is_empty() {
        return Ok(true);
    }
    let after = table.position().unwrap_or(isize::MAX);
    if let Some(next) = next_table(doc.as_table_mut(), after) {
        let old = next
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or_default()
            .to_string();
        next.decor_mut().set_prefix(format!("{kept}{old}"));
    } else {
        let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
        doc.set_trailing(format!("{kept}{trailing}"));
    }
    Ok(true)
}

/// The table (at any depth) that comes first after `position` in the file.
fn next_table(table: &mut Table, position: isize) -> Option<&mut Table> {
    let mut best: Option<&mut Table> = None;
    for (_, item) in table.iter_mut() {
        let Some(child) = item.as_table_mut() else {
            continue;
        };
        let candidate = if child.position().is_some_and(|p| p > position) && !child.is_implicit() {
            Some(child)
        } else {
            next_table(child, position)
        };
        if let Some(c) = candidate {
            let better = match &best {
                Some(b) => c.position() < b.position(),
                None => true,
            };
            if better {
                best = Some(c);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# my instances\n\n[profiles.b]  # the second\ninstance = 2\napi_url = \"https://b\"\n\n# keep me\n[other]\nx = 1\n";

    fn fields(instance: u64) -> Fields<'static> {
        Fields {
            api_url: "https://h",
            webhook_url: None,
            instance,
            token_file: Some("/t"),
            token: None,
        }
    }

    #[test]
    fn setting_changes_only_the_given_fields_in_place() {
        let file = "# mine\n[profiles.b]  # the second\ninstance = 2 # old\n# the token\ntoken = \"t0k3n\"\napi_url = \"https://b\"\n\n[other]\nx = 1\n";
        let mut doc: DocumentMut = file.parse().unwrap();
        let changes = Changes {
            webhook_url: Some("http://127.0.0.1:7700"),
            instance: Some(3),
            ..Changes::default()
        };
        assert!(set(&mut doc, "b", &changes).unwrap());
        assert_eq!(
            doc.to_string(),
            "# mine\n[profiles.b]  # the second\ninstance = 3 # old\n# the token\ntoken = \"t0k3n\"\napi_url = \"https://b\"\nwebhook_url = \"http://127.0.0.1:7700\"\n\n[other]\nx = 1\n"
        );
        let to_file = Changes {
            token_file: Some("/t"),
            ..Changes::default()
        };
        assert!(set(&mut doc, "b", &to_file).unwrap());
        assert!(
            !doc.to_string().contains("t0k3n") && doc.to_string().contains("token_file = \"/t\"")
        );
        assert!(!set(&mut doc, "nope", &changes).unwrap());
    }

    #[test]
    fn adding_keeps_comments_and_order() {
        let mut doc: DocumentMut = FILE.parse().unwrap();
        assert_eq!(add(&mut doc, "a", &fields(1), false).unwrap(), Added::New);
        let text = doc.to_string();
        assert!(
            text.starts_with("# my instances\n\n[profiles.b]  # the second\n"),
            "{text}"
        );
        assert!(text.contains("# keep me\n[other]\nx = 1\n"), "{text}");
        assert!(
            text.contains(
                "[profiles.a]\napi_url = \"https://h\"\ninstance = 1\ntoken_file = \"/t\"\n"
            ),
            "{text}"
        );
        assert!(!text.contains("[profiles]\n"), "{text}");
    }

    #[test]
    fn an_existing_profile_is_replaced_only_with_force() {
        let mut doc: DocumentMut = FILE.parse().unwrap();
        assert_eq!(add(&mut doc, "b", &fields(9), false).unwrap(), Added::Kept);
        assert!(doc.to_string().contains("instance = 2"));
        assert_eq!(
            add(&mut doc, "b", &fields(9), true).unwrap(),
            Added::Replaced
        );
        let text = doc.to_string();
        assert!(
            text.contains("instance = 9") && !text.contains("instance = 2"),
            "{text}"
        );
        assert!(text.contains("[profiles.b]  # the second"), "{text}");
    }

    #[test]
    fn removing_leaves_the_rest() {
        let mut doc: DocumentMut = FILE.parse().unwrap();
        assert!(remove(&mut doc, "b").unwrap());
        assert!(!remove(&mut doc, "b").unwrap());
        let text = doc.to_string();
        assert!(text.starts_with("# my instances\n"), "{text}");
        assert!(text.contains("# keep me\n[other]\nx = 1\n"), "{text}");
        assert!(!text.contains("instance = 2"), "{text}");
    }
}
