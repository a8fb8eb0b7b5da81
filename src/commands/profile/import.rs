//! `greenq profile import`: one profile per instance of a partner account, from the Partner
//! API's getInstances. The API does not say an instance's host: `--api-url` gives it.
//! Tokens go into the config file, which is written 0600.

use std::path::Path;

use crate::cli::{GlobalArgs, ProfileImportArgs};
use crate::commands::failure::api_failure;
use crate::commands::profile::urls::profile_urls;
use crate::config::profile_edit::{self, Added, Fields};
use crate::config::profiles::safe_name;
use crate::config::{BaseUrl, file, read_token_file};
use crate::exit::{Error, ExitCode};
use crate::service::partner::{self, PartnerInstance};
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;

pub fn run(global: &GlobalArgs, args: &ProfileImportArgs, path: &Path) -> anyhow::Result<ExitCode> {
    let (api, webhook) = profile_urls(global, || {
        Error::usage("profile import needs --api-url")
            .why("the Partner API does not say an instance's host")
            .fix("give the API host the console shows for these instances, e.g. --api-url https://7103.api.greenapi.com")
    })?;
    let partner_url = BaseUrl::parse(
        &args.partner_url,
        "--partner-url",
        "--partner-url",
        global.allow_insecure_http,
    )?;
    file::check_private(&args.partner_token_file, "the partner token file")?;
    let token = read_token_file(&args.partner_token_file)?;
    let status = Status::new(global.quiet, global.verbose);
    let interrupt = Interrupt::install(None);
    let (instances, unusable) = partner::get_instances(&partner_url, &token, &status, &interrupt)
        .map_err(|e| {
            let error = api_failure(e, "getInstances", None).redacted(&token);
            match error.code {
                ExitCode::Credentials => error.fix(
                    "the partner token was not accepted: check --partner-token-file (the partner token from the console) and --partner-url",
                ),
                _ => error,
            }
        })?;
    if unusable > 0 {
        status.warning(format_args!(
            "{unusable} entries of the list have no idInstance or no usable apiTokenInstance; skipped"
        ));
    }
    let mut doc = file::read(path)?.unwrap_or_default();
    let mut lines = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    let (mut added, mut kept) = (0, 0);
    for instance in &instances {
        if instance.deleted {
            lines.push(format!("skipped instance {} (deleted)", instance.id));
            continue;
        }
        let name = name_for(instance, &taken);
        taken.push(name.clone());
        let fields = Fields {
            api_url: api.as_str(),
            webhook_url: webhook.as_ref().map(BaseUrl::as_str),
            instance: instance.id,
            token_file: None,
            token: Some(instance.token.expose()),
        };
        match profile_edit::add(&mut doc, &name, &fields, args.force)? {
            Added::New => {
                added += 1;
                lines.push(format!("added {name} (instance {})", instance.id));
            }
            Added::Replaced => {
                added += 1;
                lines.push(format!("replaced {name} (instance {})", instance.id));
            }
            Added::Kept => {
                kept += 1;
                lines.push(format!("kept {name} (exists; --force replaces it)"));
            }
        }
    }
    if added > 0 {
        file::write(path, &doc)?;
    }
    let mut out = String::new();
    for line in &lines {
        out.push_str(line);
        out.push('\n');
    }
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(Error::output)?;
    status.line(format_args!(
        "import: {added} profiles written to {}, {kept} kept, {} instances listed",
        path.display(),
        instances.len()
    ));
    Ok(ExitCode::Success)
}

/// The instance's name made safe, else `instance-ID`; a name taken earlier in this import
/// gets the id appended.
fn name_for(instance: &PartnerInstance, taken: &[String]) -> String {
    let name = safe_name(&instance.name).unwrap_or_else(|| format!("instance-{}", instance.id));
    if taken.contains(&name) {
        format!("{name}-{}", instance.id)
    } else {
        name
    }
}
