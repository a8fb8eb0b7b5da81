//! `greenq publish`: validate every notification first, then send them in order.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::cli::PublishArgs;
use crate::client::{ApiError, ONE_SHOT_RETRIES};
use crate::commands::Session;
use crate::config::Config;
use crate::exit::{Error, ExitCode, Result, is_broken_pipe};
use crate::input::NotificationReader;
use crate::notification::{self, Checked, compact};
use crate::terminal;

/// Where the notifications come from; read twice (check, then send), so it must reopen.
pub struct Source {
    /// How messages name it: a path, `<stdin>`, `--text`.
    pub name: String,
    open: Box<dyn Fn() -> io::Result<Box<dyn Read>>>,
}

impl Source {
    pub fn file(path: &Path) -> Result<Source> {
        let name = path.display().to_string();
        // Opened once now, so that a missing file is a clear error before anything else.
        File::open(path).map_err(|e| cannot_read(&name, e))?;
        let path = path.to_path_buf();
        Ok(Source {
            name,
            open: Box::new(move || Ok(Box::new(File::open(&path)?))),
        })
    }

    /// Stdin is spooled to an unnamed temporary file: read twice, held in memory never.
    pub fn stdin() -> Result<Source> {
        let name = "<stdin>".to_string();
        let spool = || -> io::Result<File> {
            let mut file = tempfile::tempfile()?;
            io::copy(&mut io::stdin().lock(), &mut file)?;
            Ok(file)
        };
        let file = spool().map_err(|e| cannot_read(&name, e))?;
        Ok(Source {
            name,
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
            open: Box::new(move || Ok(Box::new(io::Cursor::new(text.clone().into_bytes())))),
        }
    }

    fn reader(&self) -> Result<NotificationReader<BufReader<Box<dyn Read>>>> {
        let read = (self.open)().map_err(|e| cannot_read(&self.name, e))?;
        Ok(NotificationReader::new(BufReader::with_capacity(
            64 * 1024,
            read,
        )))
    }
}

fn cannot_read(name: &str, e: io::Error) -> Error {
    Error::usage(format!("cannot read {name}"))
        .why(e.to_string())
        .fix("check the FILE argument")
}

pub fn run(config: &Config, args: &PublishArgs) -> Result<ExitCode> {
    let source = match (&args.text, &args.file) {
        (Some(text), _) => built_message(config, args, text)?,
        (None, Some(path)) if path.as_os_str() != "-" => Source::file(path)?,
        (None, _) => {
            if args.file.is_none() && terminal::stdin_is_terminal() {
                return Err(Error::usage("nothing to publish")
                    .why("no FILE, and stdin is a terminal")
                    .fix("give a FILE, pipe notifications into `greenq publish -`, or use --text TEXT --chat-id CHAT"));
            }
            Source::stdin()?
        }
    };
    let total = check_all(&source)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.dry_run {
        return dry_run(&source, &mut out, total, config.quiet);
    }
    let session = Session::new(config, None);
    send_all(&session, &source, total, &mut out)?;
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
        let item = item.map_err(|e| {
            Error::data(format!(
                "{}:{}:{}: notification #{} is not valid JSON",
                source.name, e.line, e.column, e.index
            ))
            .why(e.message)
            .fix("fix it and run again; nothing was sent")
        })?;
        notification::check(item.raw.get()).map_err(|problem| {
            Error::data(format!(
                "{}:{}: notification #{} is invalid",
                source.name, item.line, item.index
            ))
            .why(problem)
            .fix("fix it and run again; nothing was sent")
        })?;
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
        eprintln!(
            "greenq: dry run: {total} valid notification(s) in {}; nothing was sent",
            source.name
        );
    }
    Ok(ExitCode::Success)
}

/// The second pass: sends each notification in order, one after another (FIFO), and
/// prints its idMessage (or `-`). A failure that outlives the retries stops the batch and
/// says how many were published and where to resume.
pub fn send_all(
    session: &Session,
    source: &Source,
    total: usize,
    out: &mut impl Write,
) -> Result<()> {
    if total > 1 && terminal::stderr_is_terminal() {
        session.status.progress(total as u64, "publishing");
    }
    let mut stdout_open = true;
    let mut published = 0;
    for item in source.reader()? {
        let stop = |why: String| -> Error {
            stop_error(source, published, total, item_position(&item), why)
        };
        let item = match &item {
            Ok(item) => item,
            Err(e) => {
                return Err(stop(format!(
                    "{} changed since it was checked: {}",
                    source.name, e.message
                )));
            }
        };
        if session.interrupt.is_set() {
            return Err(publish_error(
                ApiError::Interrupted,
                source,
                published,
                total,
                item.index,
                item.line,
            ));
        }
        let checked = match notification::check(item.raw.get()) {
            Ok(checked) => checked,
            Err(problem) => {
                return Err(stop(format!(
                    "{} changed since it was checked: {problem}",
                    source.name
                )));
            }
        };
        let body = compact(item.raw.get());
        if let Err(e) = session
            .client
            .retrying(ONE_SHOT_RETRIES, |c| c.publish(&body))
        {
            session.status.clear();
            let _ = out.flush();
            return Err(publish_error(
                e, source, published, total, item.index, item.line,
            ));
        }
        published += 1;
        session.status.with_bar(|bar| bar.inc(1));
        if stdout_open {
            // A closed stdout does not stop the batch: publishing is the job, ids a report.
            if let Err(e) = print_id(out, &checked) {
                if !is_broken_pipe(&e) {
                    return Err(Error::output(e));
                }
                stdout_open = false;
            }
        }
    }
    session.status.clear();
    if stdout_open {
        out.flush().or_else(|e| {
            if is_broken_pipe(&e) {
                Ok(())
            } else {
                Err(Error::output(e))
            }
        })?;
    }
    if total > 1 {
        session.status.line(format_args!(
            "published {published} notifications from {}",
            source.name
        ));
    }
    Ok(())
}

fn print_id(out: &mut impl Write, checked: &Checked) -> io::Result<()> {
    writeln!(out, "{}", checked.id_message.as_deref().unwrap_or("-"))
}

fn item_position(
    item: &std::result::Result<crate::input::Positioned, crate::input::SyntaxError>,
) -> (usize, u64) {
    match item {
        Ok(p) => (p.index, p.line),
        Err(e) => (e.index, e.line as u64),
    }
}

fn progress_note(
    source: &Source,
    published: usize,
    total: usize,
    index: usize,
    line: u64,
) -> String {
    format!(
        "published {published} of {total}; the first not published is #{index} (line {line} of {}); \
         resume from there, e.g. `tail -n +{line} FILE | greenq publish -`",
        source.name
    )
}

fn stop_error(
    source: &Source,
    published: usize,
    total: usize,
    (index, line): (usize, u64),
    why: String,
) -> Error {
    Error::data("publish stopped")
        .why(why)
        .fix(progress_note(source, published, total, index, line))
}

fn publish_error(
    e: ApiError,
    source: &Source,
    published: usize,
    total: usize,
    index: usize,
    line: u64,
) -> Error {
    let note = progress_note(source, published, total, index, line);
    match e {
        ApiError::Interrupted => Error::new(ExitCode::Interrupted, "interrupted").why(note),
        other => other.into_error("publish", None).fix_prefix(note),
    }
}
