//! Where the coordinator is: `--coordinate redis://HOST:PORT[/DB]` (or `rediss://` for
//! TLS), else `GREENQ_COORDINATE`. A password is accepted only from the environment (a
//! command line is visible to every user of the machine), and never shown: every text
//! that may carry the URL goes through `redact`.

use crate::exit::{Error, Result};

pub const ENV: &str = "GREENQ_COORDINATE";

/// The coordinator's URL, kept whole for the client and shown without its password.
#[derive(Clone)]
pub struct Address {
    url: String,
    shown: String,
    password: Option<String>,
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Address({})", self.shown)
    }
}

impl Address {
    /// The URL of `--coordinate` (`flag`), else of `GREENQ_COORDINATE`; `None` when neither.
    pub fn resolve(
        flag: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Address>> {
        if let Some(text) = flag {
            let address = Address::parse(text, "--coordinate")?;
            if address.password.is_some() {
                return Err(Error::usage("--coordinate holds a password")
                    .why("a command line is visible to every user of the machine")
                    .fix(format!(
                        "put the URL in {ENV} (an EnvironmentFile= under systemd, a Secret in Kubernetes) and drop --coordinate"
                    )));
            }
            return Ok(Some(address));
        }
        match env(ENV).filter(|v| !v.trim().is_empty()) {
            Some(text) => Address::parse(text.trim(), ENV).map(Some),
            None => Ok(None),
        }
    }

    /// Checks the URL's shape; an error names `origin` and never the text (it may hold a
    /// password).
    pub fn parse(text: &str, origin: &str) -> Result<Address> {
        let bad = |why: &str| {
            Error::usage(format!("{origin} is not a Redis URL"))
                .why(why.to_string())
                .fix("give redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB] (TLS)")
        };
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(bad("it has no scheme"));
        };
        if scheme != "redis" && scheme != "rediss" {
            return Err(bad("its scheme is neither redis nor rediss"));
        }
        let (authority, path) = match rest.find('/') {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        let (userinfo, host) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        if host.is_empty() {
            return Err(bad("it names no host"));
        }
        let (user, password) = match userinfo {
            Some(info) => match info.split_once(':') {
                Some((user, password)) => (user, Some(password.to_string())),
                None => (info, None),
            },
            None => ("", None),
        };
        let db = path.trim_start_matches('/');
        if !db.is_empty() && db.parse::<u32>().is_err() {
            return Err(bad("its path is not a database number"));
        }
        let user = if user.is_empty() {
            String::new()
        } else {
            format!("{user}@")
        };
        let db = if db.is_empty() {
            String::new()
        } else {
            format!("/{db}")
        };
        let password = password.filter(|p| !p.is_empty());
        let address = Address {
            url: text.to_string(),
            shown: format!("{scheme}://{user}{host}{db}"),
            password,
        };
        // What the client makes of it, checked now: a usage error, before anything starts.
        if let Err(e) = redis::Client::open(address.url.as_str()) {
            return Err(bad(&address.redact(&e.to_string())));
        }
        Ok(address)
    }

    /// The URL for the client; only the client gets it.
    pub fn expose(&self) -> &str {
        &self.url
    }

    /// `redis://user@host:port/db`: no password.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// `text` without the password (as written in the URL, and percent-decoded).
    pub fn redact(&self, text: &str) -> String {
        let text = text.replace(&self.url, &self.shown);
        match &self.password {
            Some(password) => {
                let decoded = percent_decoded(password);
                text.replace(password.as_str(), "***")
                    .replace(&decoded, "***")
            }
            None => text,
        }
    }
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_password_on_the_command_line_is_refused_and_never_echoed() {
        let e = Address::resolve(Some("redis://:hunter2@127.0.0.1:6379"), &none).unwrap_err();
        assert!(e.to_string().contains("holds a password"), "{e}");
        assert!(!format!("{e} {e:?}").contains("hunter2"));
        let from_env =
            |name: &str| (name == ENV).then(|| "redis://ops:s%40cret@10.0.0.1:6380/2".to_string());
        let address = Address::resolve(None, &from_env).unwrap().unwrap();
        assert_eq!(address.shown(), "redis://ops@10.0.0.1:6380/2");
        assert_eq!(
            address.redact("auth s@cret failed for redis://ops:s%40cret@10.0.0.1:6380/2"),
            "auth *** failed for redis://ops@10.0.0.1:6380/2"
        );
        assert!(!format!("{address:?}").contains("cret"));
    }

    #[test]
    fn a_url_of_another_shape_is_a_usage_error() {
        for text in ["localhost:6379", "http://h:1", "redis://", "redis://h:1/x"] {
            let e = Address::parse(text, "--coordinate").unwrap_err();
            assert!(e.to_string().contains("is not a Redis URL"), "{text}: {e}");
        }
        assert!(Address::parse("rediss://h:6380/0", "x").is_ok());
    }
}
