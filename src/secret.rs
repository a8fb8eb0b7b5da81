//! The apiTokenInstance: held, exposed to the one caller that builds URLs, and redacted
//! from any text. Debug and Display never show it. Imports nothing of greenq's own, so
//! that every layer (config, errors, text helpers, the client) can use it.

use std::fmt;

/// The token. Only `expose` gives the text: to the client, which puts it in URLs, and to
/// the emulator's `--accept`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// Why a text cannot be a token. Never holds the text itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenProblem {
    Empty,
    /// `holds` names the first character that cannot stand in a URL path segment.
    Malformed {
        holds: String,
    },
}

impl Secret {
    /// Checks that the token can stand as one URL path segment; never echoes it back.
    pub fn new(token: &str) -> Result<Secret, TokenProblem> {
        let token = token.trim();
        if token.is_empty() {
            return Err(TokenProblem::Empty);
        }
        if let Some(bad) = token
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')))
        {
            let holds = if bad.is_whitespace() {
                "white space".to_string()
            } else {
                format!("{bad:?}")
            };
            return Err(TokenProblem::Malformed { holds });
        }
        Ok(Secret(token.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces every occurrence of the token in `text` by `***`.
    pub fn redact(&self, text: &str) -> String {
        text.replace(&self.0, "***")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl TokenProblem {
    /// What is wrong, after "the token from ORIGIN ".
    pub fn what(&self) -> &'static str {
        match self {
            TokenProblem::Empty => "is empty",
            TokenProblem::Malformed { .. } => "is malformed",
        }
    }

    /// Why, when there is more to say than `what`.
    pub fn why(&self) -> Option<String> {
        match self {
            TokenProblem::Empty => None,
            TokenProblem::Malformed { holds } => Some(format!(
                "it holds {holds}; a token is letters, digits, - _ . ~"
            )),
        }
    }

    /// What to do about it.
    pub fn fix(&self) -> &'static str {
        match self {
            TokenProblem::Empty => "put the apiTokenInstance from the GREEN-API console there",
            TokenProblem::Malformed { .. } => {
                "copy the apiTokenInstance again from the GREEN-API console"
            }
        }
    }
}

impl fmt::Display for TokenProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the token {}", self.what())?;
        if let Some(why) = self.why() {
            write!(f, " ({why})")?;
        }
        Ok(())
    }
}

impl std::error::Error for TokenProblem {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_shows_in_debug_or_display() {
        let s = Secret::new("abc123secret").unwrap();
        assert_eq!(format!("{s:?} {s}"), "Secret(***) ***");
        assert_eq!(s.redact("GET /x/abc123secret/1"), "GET /x/***/1");
        assert_eq!(s.expose(), "abc123secret");
    }

    #[test]
    fn surrounding_white_space_is_not_part_of_the_token() {
        assert_eq!(
            Secret::new("  tok-1_2.3~\n").unwrap().expose(),
            "tok-1_2.3~"
        );
    }

    #[test]
    fn malformed_token_is_refused_without_echoing_it() {
        let e = Secret::new("abc/def").unwrap_err();
        assert_eq!(
            e,
            TokenProblem::Malformed {
                holds: "'/'".into()
            }
        );
        assert!(!format!("{e} {e:?}").contains("abc"), "{e}");
        assert_eq!(Secret::new("  ").unwrap_err(), TokenProblem::Empty);
        assert_eq!(
            Secret::new("ab cd").unwrap_err().why().as_deref(),
            Some("it holds white space; a token is letters, digits, - _ . ~")
        );
    }
}
