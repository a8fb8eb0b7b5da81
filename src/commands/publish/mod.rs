//! `greenq publish`: validate every notification first, then send them in order.

pub mod stream;

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::Context;

use crate::cli::PublishArgs;
use crate::commands::failure::api_failure;
use crate::config::Config;
use crate::exit::{Error, ExitCode, Result, is_broken_pipe};
use crate::notification::input::{NotificationReader, checked};
use crate::notification::{self, Checked, compact};
use crate::service::answer::ApiError;
use crate::service::retry::{Limit, Repeat};
use crate::service::session::Session;
use crate::terminal::tty;

const STDIN: &str = "<stdin>";

/// Where the notifications come from; read twice (check, then send), so it must reopen.
pub struct Source {
    /// How messages name it: a path, `<stdin>`, `--text`.
    pub name: String,
    /// The user can send the rest again from it (a file, stdin); not a built message.
    resumable: bool,
    open: Box<dyn Fn() -> io::Result<Box<dyn Read>>>,
}

impl Source {
    pub fn file(path: &Path) -> anyhow::Result<Source> {
        let name = path.display().to_string();
        // Opened once now, so that a missing file is a clear error before anything else.
        File::open(path).with_context(|| cannot_read(&name))?;
        let path = path.to_path_buf();
        Ok(Source {
            name,
            resumable: true,
            open: Box::new(move || Ok(Box::new(File::open(&path)?))),
        })
    }

    /// Stdin is spooled to an unnamed temporary file: read twice, held in memory never.
    pub fn stdin() -> anyhow::Result<Source> {
        let name = STDIN.to_string();
        let spool = || -> io::Result<File> {
            let mut file = tempfile::tempfile()?;
            io::copy(&mut io::stdin().lock(), &mut file)?;
            Ok(file)
        };
        let file = spool().with_context(|| cannot_read(&name))?;
        Ok(Source {
            name,
            resumable: true,
            open: Box::new(move || {
                let mut f = file.try_clone()?;
                f.seek(SeekFrom::Start(0))?;
                Ok(Box::new(f))
            }),
        })
    }

    pub fn memory(name: &str, text: String) -> Source {
        Source {
            name: name.to_string(),
            resumable: false,
            open: Box::new(move || Ok(Box::new(io::Cursor::new(text.clone().into_bytes())))),
        }
    }

    fn reader(&self) -> Result<NotificationReader<BufReader<Box<dyn Read>>>> {
        let read = (self.open)().map_err(|e| cannot_read(&self.name).why(e.to_string()))?;
        Ok(NotificationReader::new(BufReader::with_capacity(
            64 * 1024,
            read,
        )))
    }
}

/// The error for a source that cannot be read; its cause is the why.
fn cannot_read(name: &str) -> Error {
    let fix = if name == STDIN {
        "check what is piped in; stdin is copied to a temporary file (is TMPDIR writable?)"
    } else {
        "check the FILE argument"
    };
    Error::usage(format!("cannot read {name}")).fix(fix)
}

pub fn run(config: &Config, args: &PublishArgs) -> anyhow::Result<ExitCode> {
    if let Some(input) = crate::commands::publish::stream::input(args) {
        return crate::commands::publish::stream::run(config, args, input);
    }
    let source = match (&args.text, &args.file) {
        (Some(text), _) => built_message(config, args, text)?,
        (None, Some(path)) if path.as_os_str() != "-" => Source::file(path)?,
        (None, _) => {
            if args.file.is_none() && tty::stdin_is_terminal() {
                return Err(Error::usage("nothing to publish")
                    .why("no FILE, and stdin is a terminal")
                    .fix("give a FILE, pipe notifications into `greenq publish -`, or use --text TEXT --chat-id CHAT")
                    .into());
            }
            Source::stdin()?
        }
    };
    let total = check_all(&source)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.dry_run {
        return Ok(dry_run(&source, &mut out, total, config.quiet)?);
    }
    let session = Session::new(config, None);
    let repeat = if args.at_least_once {
        Repeat::Always
    } else {
        Repeat::OnlyIfNotCarriedOut
    };
    send_all(&session, &source, total, repeat, &mut out)?;
    Ok(ExitCode::Success)
}

/// The `--text` notification, from the configured instance.
fn built_message(config: &Config, args: &PublishArgs, text: &str) -> Result<Source> {
    let instance = config.require_instance()?;
    let chat = args.chat_id.as_deref().unwrap_or_default();
    let chat = notification::normalize_chat_id(chat).map_err(|why| {
        Error::usage("--chat-id is not a chat id")
            .why(why)
            .fix("give 79001234568 or 79001234568@c.us")
    })?;
    let mut rng = fastrand::Rng::new();
    let id = notification::new_id_message(&mut rng);
    let now = jiff::Timestamp::now().as_second();
    let json = notification::outgoing_text(instance, &chat, &args.sender_name, text, now, &id);
    Ok(Source::memory("--text", json))
}

/// The first pass: every notification must pass `check` before anything is sent.
/// Returns how many there are.
pub fn check_all(source: &Source) -> Result<usize> {
    let mut total = 0;
    for item in source.reader()? {
        let (item, _) = checked(&source.name, item, "fix it and run again; nothing was sent")?;
        total = item.index;
    }
    if total == 0 {
        return Err(
            Error::data(format!("{} holds no notification", source.name))
                .fix("give one JSON object, or several (NDJSON or concatenated)"),
        );
    }
    Ok(total)
}

fn dry_run(source: &Source, out: &mut impl Write, total: usize, quiet: bool) -> Result<ExitCode> {
    for item in source.reader()?.flatten() {
        writeln!(out, "{}", compact(item.raw.get())).map_err(Error::output)?;
    }
    out.flush().map_err(Error::output)?;
    if !quiet {
        crate::ewriteln!(
            "greenq: dry run: {} in {}; nothing was sent",
            crate::text::count_of(total as u64, "valid notification", "valid notifications"),
            source.name
        );
    }
    Ok(ExitCode::Success)
}

/// The second pass: sends each notification in order, one after another (FIFO), and
/// prints its idMessage (or `-`). Anything that stops the batch says how many were
/// published and where to resume.
pub fn send_all(
    session: &Session,
    source: &Source,
    total: usize,
    repeat: Repeat,
    out: &mut impl Write,
) -> Result<()> {
    if total > 1 && tty::stderr_is_terminal() {
        session.status.progress(total as u64, "publishing");
    }
    let mut progress = Progress {
        source,
        total,
        published: 0,
        next: (1, 1),
    };
    let mut stdout_open = true;
    let mut instance_noted = false;
    let mut retry = session.retry(Limit::Retries(3));
    // A file that grew since it was checked: only what was checked is sent.
    for item in source.reader()?.take(total) {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                progress.next = (e.index, e.line as u64);
                return Err(progress.stopped(Error::data("publish stopped").why(format!(
                    "{} changed since it was checked: {}",
                    source.name, e.message
                ))));
            }
        };
        progress.next = (item.index, item.line);
        if session.interrupt.is_set() {
            return Err(progress.stopped(Error::interrupted()));
        }
        let checked = notification::check(item.raw.get()).map_err(|problem| {
            progress.stopped(Error::data("publish stopped").why(format!(
                "{} changed since it was checked: {problem}",
                source.name
            )))
        })?;
        note_other_instance(session, &mut instance_noted, item.index, &checked);
        let body = compact(item.raw.get());
        // A signal lets the POST in flight finish, so that the count is exact.
        let client = &session.client;
        let sent = session
            .interrupt
            .protect(|| retry.run(repeat, || client.publish(&body)));
        if let Err(e) = sent.map_err(as_publish_failure) {
            session.status.clear();
            let _ = out.flush();
            let uncertain = matches!(e, ApiError::MayHaveArrived { .. });
            let nowhere = arrived_nowhere(&e, repeat);
            let what = if source.resumable || total > 1 {
                format!("publish of #{}", item.index)
            } else {
                "publish of the --text message".to_string()
            };
            let error = match e {
                ApiError::Interrupted => Error::interrupted(),
                other => api_failure(other, &what, None),
            };
            return Err(if uncertain {
                progress.uncertain(error)
            } else if nowhere {
                progress.not_published(error)
            } else {
                progress.stopped(error)
            });
        }
        progress.published += 1;
        retry.progress();
        session.status.with_bar(|bar| bar.inc(1));
        // A closed stdout does not stop the batch: publishing is the job, ids a report.
        if stdout_open && let Err(e) = print_id(out, &checked) {
            if !is_broken_pipe(&e) {
                return Err(progress.after_output_error(e));
            }
            stdout_open = false;
        }
    }
    session.status.clear();
    if stdout_open
        && let Err(e) = out.flush()
        && !is_broken_pipe(&e)
    {
        return Err(progress.after_output_error(e));
    }
    if total > 1 {
        session.status.line(format_args!(
            "published {} notifications from {}",
            progress.published, source.name
        ));
    }
    Ok(())
}

/// A POST's failure as publish tells it: an answer that could not be read (too large, a
/// head over 64 KiB) came from a server that took the POST, which may have been carried out.
pub fn as_publish_failure(e: ApiError) -> ApiError {
    match e {
        ApiError::Malformed { reason } => ApiError::MayHaveArrived {
            reason: format!("the endpoint answered something that could not be read ({reason})"),
        },
        other => other,
    }
}

/// The failed POST arrived nowhere: refused by the service with a definite answer, or
/// never sent (no connection; only refusals and unsent attempts were retried).
pub fn arrived_nowhere(e: &ApiError, repeat: Repeat) -> bool {
    match e {
        ApiError::Unreachable { .. }
        | ApiError::Credentials { .. }
        | ApiError::Quota { .. }
        | ApiError::Rejected { .. } => true,
        ApiError::Exhausted { .. } => repeat == Repeat::OnlyIfNotCarriedOut,
        _ => false,
    }
}

/// Says once that a notification's own `instanceData.idInstance` decides its queue when
/// it is not the configured instance (-i, a profile): the endpoint routes by the body.
pub fn note_other_instance(session: &Session, noted: &mut bool, index: usize, checked: &Checked) {
    let Some(configured) = session.config.instance else {
        return;
    };
    if *noted || checked.instance == configured {
        return;
    }
    *noted = true;
    session.status.warning(format_args!(
        "#{index} is for instance {} (its instanceData.idInstance), not the configured \
         {configured}: the body decides which queue a notification goes to (said once)",
        checked.instance
    ));
}

fn print_id(out: &mut impl Write, checked: &Checked) -> io::Result<()> {
    writeln!(out, "{}", checked.id_message.as_deref().unwrap_or("-"))
}

/// How far a batch got, for the message that stops it.
struct Progress<'a> {
    source: &'a Source,
    total: usize,
    published: usize,
    /// Index and line of the notification being sent.
    next: (usize, u64),
}

impl Progress<'_> {
    /// `error`, with what was and was not done before the advice.
    fn stopped(&self, error: Error) -> Error {
        let (index, line) = self.next;
        if !self.source.resumable {
            return error.fix_prefix(
                "it was not confirmed as published, and may have arrived if its answer was lost: \
                 look at the queue (greenq count, greenq receive) before sending it again",
            );
        }
        error.fix_prefix(format!(
            "published {} of {}; the first not confirmed as published is #{index} (line {line} of {}), \
             which may have arrived if its answer was lost; resume from there, e.g. for NDJSON \
             `tail -n +{line} FILE | greenq publish -`",
            self.published, self.total, self.source.name
        ))
    }

    /// `error` for a notification the service refused or that was never sent: it and
    /// those after it arrived nowhere.
    fn not_published(&self, error: Error) -> Error {
        let (index, line) = self.next;
        if !self.source.resumable {
            return error.fix_prefix("nothing was published");
        }
        error.fix_prefix(format!(
            "published {} of {}; #{index} (line {line} of {}) was not published, nor anything \
             after it; once fixed, resume from it, e.g. for NDJSON `tail -n +{line} FILE | greenq publish -`",
            self.published, self.total, self.source.name
        ))
    }

    /// `error` for a notification that may have arrived: resuming from it could publish
    /// it twice, resuming after it could lose it.
    fn uncertain(&self, error: Error) -> Error {
        let (index, line) = self.next;
        if !self.source.resumable {
            // The error's own advice says what to do: look at the queue first.
            return error;
        }
        error.fix_prefix(format!(
            "published {} of {} before #{index} (line {line} of {}); if #{index} arrived, resume \
             after it, else from it, e.g. for NDJSON `tail -n +{} FILE | greenq publish -` or \
             `tail -n +{line} FILE | greenq publish -`",
            self.published,
            self.total,
            self.source.name,
            line + 1
        ))
    }

    /// All sent so far were published; only their report could not be written.
    fn after_output_error(&self, e: io::Error) -> Error {
        Error::output(e).fix_prefix(format!(
            "{} of {} were published before the output failed",
            self.published, self.total
        ))
    }
}
