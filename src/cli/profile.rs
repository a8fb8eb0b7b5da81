//! `greenq profile`: list, add, set, remove and import the profiles of the config file.

use std::path::PathBuf;

use clap::{Args, Subcommand};

pub(super) const PROFILE_EXAMPLES: &str = "\
Examples:
  Add a profile whose token is in a file of its own (mode 0600):
    greenq profile add shop -i 1101000001 --api-url https://7103.api.greenapi.com \\
      --token-file ~/.config/greenq/shop.token
  Add one whose token goes into the config file (written 0600):
    greenq profile add support -i 1101000002 --api-url https://7103.api.greenapi.com --token-stdin < token.txt
  Change one field, keeping the token, the other fields and the file's comments:
    greenq profile set shop --webhook-url http://127.0.0.1:7700
  See them (never the tokens):
    greenq profile list
  Follow one, or several in one process:
    greenq --profile shop tail
    greenq tail --profile shop --profile support
  One profile per instance of a partner account:
    greenq profile import --partner-url https://api.green-api.com --partner-token-file partner.token \\
      --api-url https://7103.api.greenapi.com

The file: $GREENQ_CONFIG, else config.toml in $XDG_CONFIG_HOME/greenq or in ~/.config/greenq.
Edits keep the file's comments and order, and are written atomically with mode 0600.";

#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(subcommand)]
    pub action: ProfileAction,
}

#[derive(Debug, Subcommand)]
pub enum ProfileAction {
    /// List the profiles: name, instance, API host, where the token comes from (never the token)
    #[command(visible_alias = "ls")]
    List,

    /// Add a profile from -i, --api-url, [--webhook-url] and --token-file or --token-stdin
    ///
    /// Example: greenq profile add shop -i 1101000001 --api-url https://7103.api.greenapi.com --token-file shop.token
    Add(ProfileAddArgs),

    /// Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin
    ///
    /// Only the fields given change; the others (the token among them), the file's comments
    /// and its order stay. A new --token-file or --token-stdin replaces the other source.
    /// Example: greenq profile set shop --webhook-url http://127.0.0.1:7700
    #[command(visible_alias = "edit")]
    Set(ProfileSetArgs),

    /// Remove a profile (the rest of the file is kept as it is)
    ///
    /// Example: greenq profile remove shop
    #[command(visible_alias = "rm")]
    Remove {
        /// The profile's name
        #[arg(value_name = "NAME")]
        name: String,
    },

    /// Add a profile per instance of a partner account (the Partner API's getInstances)
    ///
    /// The Partner API does not say an instance's host: --api-url gives it for all of them.
    /// Profiles are named after the instance's name (made safe), else its id; deleted instances
    /// are skipped; existing profiles are kept unless --force.
    /// Example: greenq profile import --partner-url https://api.green-api.com --partner-token-file partner.token --api-url https://7103.api.greenapi.com
    Import(ProfileImportArgs),
}

#[derive(Debug, Args)]
pub struct ProfileAddArgs {
    /// The profile's name: letters, digits, - and _
    #[arg(value_name = "NAME")]
    pub name: String,

    /// Read the token from stdin and keep it in the config file (written 0600)
    ///
    /// Example: greenq profile add shop -i 1101000001 --api-url URL --token-stdin < token.txt
    #[arg(long)]
    pub token_stdin: bool,

    /// Replace a profile of that name
    ///
    /// Example: greenq profile add shop -i 1101000001 --api-url URL --token-file shop.token --force
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ProfileSetArgs {
    /// The profile's name
    #[arg(value_name = "NAME")]
    pub name: String,

    /// Read a new token from stdin and keep it in the config file (written 0600)
    ///
    /// Example: greenq profile set shop --token-stdin < new-token.txt
    #[arg(long)]
    pub token_stdin: bool,
}

#[derive(Debug, Args)]
pub struct ProfileImportArgs {
    /// The Partner API's host
    ///
    /// Example: --partner-url https://api.green-api.com
    #[arg(long, value_name = "URL")]
    pub partner_url: String,

    /// File whose first line is the partner token (mode 0600)
    ///
    /// Example: --partner-token-file ~/.config/greenq/partner.token
    #[arg(long, value_name = "PATH")]
    pub partner_token_file: PathBuf,

    /// Replace profiles of the same names
    ///
    /// Example: greenq profile import --partner-url URL --partner-token-file partner.token --api-url URL --force
    #[arg(long)]
    pub force: bool,
}
