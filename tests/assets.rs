//! Generated assets: shell completions (`completions/`) and man pages (`man/`).
//!
//! They are generated from `greenq::cli::Cli` and committed. `assets_are_up_to_date`
//! fails when a committed file differs from what the current definition generates;
//! `GREENQ_UPDATE_ASSETS=1 cargo test --test assets` rewrites them.
//!
//! The man pages are clap_mangen's sections plus ENVIRONMENT, EXIT STATUS, EXAMPLES and
//! SEE ALSO, built from `CONFIGURATION_HELP`, `EXIT_CODES_HELP` and each command's
//! after-help text. `man_pages_render_without_warnings` runs them through groff.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;
use clap_mangen::roff::{Inline, Roff, bold, roman};

use greenq::cli::{CONFIGURATION_HELP, Cli, EXIT_CODES_HELP};

const UPDATE_VAR: &str = "GREENQ_UPDATE_ASSETS";
const UPDATE_COMMAND: &str = "GREENQ_UPDATE_ASSETS=1 cargo test --test assets";
const BIN: &str = "greenq";

/// Every generated file, by path relative to the crate root.
fn generate_all() -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    for (shell, name) in [
        (Shell::Bash, "greenq.bash"),
        (Shell::Zsh, "_greenq"),
        (Shell::Fish, "greenq.fish"),
        (Shell::Elvish, "greenq.elv"),
        (Shell::PowerShell, "_greenq.ps1"),
    ] {
        files.insert(Path::new("completions").join(name), completion(shell));
    }
    for (name, page) in man_pages() {
        files.insert(Path::new("man").join(name), page);
    }
    files
}

fn completion(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut out);
    String::from_utf8(out).expect("completions are UTF-8")
}

// ---------------------------------------------------------------------------------------
// Man pages
// ---------------------------------------------------------------------------------------

/// File name and content of `greenq.1` and of one page per subcommand.
fn man_pages() -> Vec<(String, String)> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    // Builds the whole tree: global options reach the subcommands, which get their bin
    // name (`greenq tail`, for the synopsis) and display name (`greenq-tail`, the title).
    cmd.build();
    let version = cmd.get_version().unwrap_or_default().to_owned();
    let subcommands: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let sub_pages: Vec<String> = subcommands.iter().map(page_name).collect();

    let mut pages = Vec::new();
    pages.push((
        format!("{BIN}.1"),
        man_page(&cmd, BIN, &version, &sub_pages),
    ));
    for sub in &subcommands {
        let name = page_name(sub);
        let see_also: Vec<String> = std::iter::once(BIN.to_owned())
            .chain(sub_pages.iter().filter(|p| **p != name).cloned())
            .collect();
        pages.push((
            format!("{name}.1"),
            man_page(sub, &name, &version, &see_also),
        ));
    }
    pages
}

fn page_name(cmd: &clap::Command) -> String {
    format!("{BIN}-{}", cmd.get_name())
}

/// The page `name` (`greenq`, `greenq-tail`) for `cmd`; `see_also` lists page names.
fn man_page(cmd: &clap::Command, name: &str, version: &str, see_also: &[String]) -> String {
    let man = Man::new(cmd.clone());

    // The after-help text: examples, notes and (for subcommands) their exit codes. The
    // main page's long after-help repeats the configuration and exit-code tables, which
    // get sections of their own.
    let after_help = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(|s| s.to_string())
        .unwrap_or_default()
        .replace(CONFIGURATION_HELP, "")
        .replace(EXIT_CODES_HELP, "");
    let extra = split_after_help(&after_help);

    let mut out = Vec::new();
    let w: &mut dyn Write = &mut out;
    // Written by hand: the roff crate drops an empty argument, so Man::render_title with
    // no date (a date would make the pages stale every day) shifts source and manual.
    writeln!(
        w,
        ".TH {} 1 \"\" \"{BIN} {version}\" \"User Commands\"",
        name.to_uppercase()
    )
    .unwrap();
    // No hyphenation: it would split option names (--web-hook-url) across lines.
    w.write_all(b".nh\n").unwrap();
    man.render_name_section(w).unwrap();
    // A justified synopsis spreads `greenq     tail     [--api-url]`.
    w.write_all(b".ad l\n").unwrap();
    man.render_synopsis_section(w).unwrap();
    w.write_all(b".ad\n").unwrap();
    man.render_description_section(w).unwrap();
    // Notes from the after-help continue the description.
    let mut notes = Roff::new();
    for paragraph in &extra.notes {
        prose(&mut notes, paragraph);
    }
    notes.to_writer(w).unwrap();
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(w).unwrap();
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(w).unwrap();
    }

    let mut roff = Roff::new();
    roff.control("SH", ["ENVIRONMENT"]);
    table(&mut roff, CONFIGURATION_HELP);

    roff.control("SH", ["EXIT STATUS"]);
    if !extra.exit.is_empty() {
        prose(&mut roff, &extra.exit);
        roff.control("PP", []);
        roff.text([roman("All exit statuses:")]);
    }
    table(&mut roff, EXIT_CODES_HELP);

    if !extra.examples.is_empty() {
        roff.control("SH", ["EXAMPLES"]);
        for block in &extra.examples {
            examples(&mut roff, block);
        }
    }

    roff.control("SH", ["SEE ALSO"]);
    let mut refs = Vec::new();
    for (i, page) in see_also.iter().enumerate() {
        if i > 0 {
            refs.push(roman(", "));
        }
        refs.push(bold(page.as_str()));
        refs.push(roman("(1)"));
    }
    roff.text(refs);
    roff.to_writer(w).unwrap();

    if cmd.get_version().is_some() {
        man.render_version_section(w).unwrap();
    }
    let page = String::from_utf8(out).expect("man pages are UTF-8");
    // Every part above starts with the roff crate's apostrophe preamble: keep the first.
    let preamble = Roff::new().render();
    match page.split_once(&preamble) {
        Some((head, tail)) => format!("{preamble}{head}{}", tail.replace(&preamble, "")),
        None => page,
    }
}

/// An after-help text, taken apart.
#[derive(Default)]
struct AfterHelp<'a> {
    /// Indented blocks (the one under `Examples:` and any indented paragraph).
    examples: Vec<Vec<&'a str>>,
    /// Prose paragraphs: they go to DESCRIPTION.
    notes: Vec<Vec<&'a str>>,
    /// From an `Exit codes:` line to the end of its paragraph: goes to EXIT STATUS.
    exit: Vec<&'a str>,
}

fn split_after_help(text: &str) -> AfterHelp<'_> {
    let mut parts = AfterHelp::default();
    for paragraph in paragraphs(text) {
        let mut lines = paragraph.as_slice();
        if lines[0].trim_end() == "Examples:" {
            lines = &lines[1..];
            if !lines.is_empty() {
                parts.examples.push(lines.to_vec());
            }
        } else if lines.iter().all(|l| is_indented(l)) {
            parts.examples.push(lines.to_vec());
        } else if let Some(at) = lines.iter().position(|l| l.starts_with("Exit codes:")) {
            if at > 0 {
                parts.notes.push(lines[..at].to_vec());
            }
            parts.exit.extend_from_slice(&lines[at..]);
        } else {
            parts.notes.push(lines.to_vec());
        }
    }
    parts
}

/// Runs of non-blank lines.
fn paragraphs(text: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut current = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn is_indented(line: &str) -> bool {
    line.starts_with(' ')
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A filled paragraph; the source's line breaks are not kept.
fn prose(roff: &mut Roff, lines: &[&str]) {
    roff.control("PP", []);
    for line in lines {
        roff.text(decorate(line.trim()));
    }
}

/// A two-column help table (`  NAME   meaning`) under an optional `Heading:` line, as
/// tagged paragraphs; a line with no second column is a paragraph of its own.
fn table(roff: &mut Roff, text: &str) {
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines
        .first()
        .is_some_and(|l| !is_indented(l) && l.trim_end().ends_with(':'))
    {
        lines.remove(0);
    }
    for line in lines {
        let line = line.trim();
        match line.split_once("  ") {
            Some((term, meaning)) => {
                roff.control("TP", []);
                let mut tag = decorate(term);
                // The tag is the term: bold throughout when decorate found nothing.
                if tag.iter().all(|i| matches!(i, Inline::Roman(_))) {
                    tag = vec![bold(term)];
                }
                roff.text(tag);
                roff.text(decorate(meaning.trim_start()));
            }
            None => prose(roff, &[line]),
        }
    }
}

/// An examples block: lines at the block's smallest indent that end with `:` describe
/// the example; the others are commands, shown verbatim and indented.
fn examples(roff: &mut Roff, lines: &[&str]) {
    let base = lines.iter().map(|l| indent(l)).min().unwrap_or(0);
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if indent(line) == base && line.trim_end().ends_with(':') {
            roff.control("PP", []);
            roff.text(decorate(line.trim()));
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !(indent(lines[i]) == base && lines[i].trim_end().ends_with(':')) {
            i += 1;
        }
        let run = &lines[start..i];
        let run_base = run.iter().map(|l| indent(l)).min().unwrap_or(0);
        if start == 0 {
            roff.control("PP", []);
        }
        roff.control("RS", ["4"]);
        roff.control("nf", []);
        for line in run {
            roff.text([roman(line[run_base..].trim_end())]);
        }
        roff.control("fi", []);
        roff.control("RE", []);
    }
}

/// Inline markup for help text: `code` spans, option names (-i, --token-file) and
/// environment variable names (GREEN_API_URL) in bold; the backticks are dropped.
fn decorate(text: &str) -> Vec<Inline> {
    let spans: Vec<&str> = text.split('`').collect();
    if spans.len().is_multiple_of(2) {
        // An unpaired backtick: leave the text alone.
        return vec![roman(text)];
    }
    let mut out = Vec::new();
    for (i, span) in spans.iter().enumerate() {
        if span.is_empty() {
            continue;
        }
        if i % 2 == 1 {
            out.push(bold(*span));
        } else {
            decorate_words(span, &mut out);
        }
    }
    merge_roman(out)
}

fn decorate_words(text: &str, out: &mut Vec<Inline>) {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(is_word).unwrap_or(rest.len());
        if start > 0 {
            out.push(roman(&rest[..start]));
            rest = &rest[start..];
            continue;
        }
        let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
        let word = &rest[..end];
        let name = word.trim_start_matches('-');
        let option = (1..=2).contains(&(word.len() - name.len()))
            && name.starts_with(|c: char| c.is_ascii_alphabetic());
        let variable = word.contains('_')
            && word
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if option || variable {
            out.push(bold(word));
        } else {
            out.push(roman(word));
        }
        rest = &rest[end..];
    }
}

fn merge_roman(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    for inline in inlines {
        match (out.last_mut(), inline) {
            (Some(Inline::Roman(prev)), Inline::Roman(next)) => prev.push_str(&next),
            (_, inline) => out.push(inline),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Generated man pages that no longer exist (a removed subcommand).
fn leftover_pages(expected: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root().join("man")) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| Path::new("man").join(e.file_name()))
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(BIN) && name.ends_with(".1") && !expected.contains_key(p)
        })
        .collect();
    out.sort();
    out
}

/// Where two texts first differ, for the failure message.
fn first_difference(old: &str, new: &str) -> String {
    let (mut old_lines, mut new_lines) = (old.lines(), new.lines());
    for n in 1.. {
        match (old_lines.next(), new_lines.next()) {
            (None, None) => return "only line endings or the final newline differ".to_owned(),
            (a, b) if a == b => continue,
            (a, b) => {
                return format!(
                    "first difference at line {n}:\n      committed: {}\n      generated: {}",
                    a.unwrap_or("<end of file>"),
                    b.unwrap_or("<end of file>")
                );
            }
        }
    }
    unreachable!()
}

#[test]
fn assets_are_up_to_date() {
    let files = generate_all();
    let update = std::env::var(UPDATE_VAR).is_ok_and(|v| v == "1");

    if update {
        for (path, content) in &files {
            let full = root().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            let current = std::fs::read_to_string(&full).ok();
            if current.as_deref() != Some(content.as_str()) {
                std::fs::write(&full, content)
                    .unwrap_or_else(|e| panic!("cannot write {}: {e}", full.display()));
                eprintln!("updated {}", path.display());
            }
        }
        for path in leftover_pages(&files) {
            std::fs::remove_file(root().join(&path)).unwrap();
            eprintln!("removed {}", path.display());
        }
        return;
    }

    let mut problems = Vec::new();
    for (path, content) in &files {
        match std::fs::read_to_string(root().join(path)) {
            // A checkout with CRLF line endings is not stale.
            Ok(committed) if committed.replace("\r\n", "\n") == *content => {}
            Ok(committed) => problems.push(format!(
                "  {} is stale; {}",
                path.display(),
                first_difference(&committed, content)
            )),
            Err(e) => problems.push(format!("  {} is missing ({e})", path.display())),
        }
    }
    for path in leftover_pages(&files) {
        problems.push(format!(
            "  {} belongs to no command any more",
            path.display()
        ));
    }
    assert!(
        problems.is_empty(),
        "the generated completions and man pages do not match the command-line definition:\n\
         {}\n\nRegenerate them with:\n\n    {UPDATE_COMMAND}\n",
        problems.join("\n")
    );
}

#[test]
fn man_pages_render_without_warnings() {
    for (name, page) in man_pages() {
        let child = StdCommand::new("groff")
            .args(["-man", "-Tutf8", "-ww"])
            .env("LC_ALL", "C.UTF-8")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(e) => panic!(
                "cannot run groff ({e}); it checks the man pages: install it \
                 (apt-get install groff)"
            ),
        };
        // groff reads all its input before it writes much; no deadlock for a page this size.
        child
            .stdin
            .take()
            .unwrap()
            .write_all(page.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stderr.is_empty(),
            "groff -man -Tutf8 -ww man/{name} warns or fails ({}):\n{stderr}",
            output.status
        );
        // Without the overstriking that makes bold (X, backspace, X).
        let mut text = String::new();
        for c in String::from_utf8_lossy(&output.stdout).chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        for section in ["ENVIRONMENT", "EXIT STATUS", "EXAMPLES"] {
            assert!(
                text.contains(section),
                "man/{name} has no {section} section"
            );
        }
    }
}

#[test]
fn man_pages_cover_every_subcommand() {
    let names: Vec<String> = man_pages().into_iter().map(|(n, _)| n).collect();
    for expected in [
        "greenq.1",
        "greenq-receive.1",
        "greenq-delete.1",
        "greenq-publish.1",
        "greenq-tail.1",
        "greenq-serve.1",
        "greenq-demo.1",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no {expected} in {names:?}"
        );
    }
}

fn greenq() -> StdCommand {
    let mut cmd = StdCommand::new(env!("CARGO_BIN_EXE_greenq"));
    cmd.env_remove("CLICOLOR_FORCE").env("NO_COLOR", "1");
    cmd
}

#[test]
fn version_prints_name_and_version() {
    let output = greenq().arg("--version").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("greenq {}\n", env!("CARGO_PKG_VERSION"))
    );
    assert!(output.stderr.is_empty());
}

#[test]
fn no_arguments_prints_short_help_and_exits_2() {
    // arg_required_else_help: clap prints the short help on stderr and exits with 2, the
    // usage-error status.
    let output = greenq().output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("Follow, publish and acknowledge GREEN-API notification queues\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Usage: greenq [OPTIONS] <COMMAND>"),
        "{stderr}"
    );
    assert!(stderr.contains("Commands:"), "{stderr}");
    assert!(stderr.contains("with no account: greenq demo"), "{stderr}");
    // The short help: no long description, configuration or exit-code table.
    assert!(!stderr.contains("Exit codes:"), "{stderr}");
    assert!(!stderr.contains("Configuration:"), "{stderr}");
    assert!(!stderr.contains("at-least-once"), "{stderr}");
}

#[test]
fn dash_h_is_a_summary_and_dash_dash_help_keeps_everything() {
    let help = |flag: &str| {
        let out = greenq()
            .env("COLUMNS", "100")
            .args(["tail", flag])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let short = help("-h");
    assert!(
        short.lines().count() <= 60,
        "{} lines:\n{short}",
        short.lines().count()
    );
    // tail's own options, one line each: no global options, no examples, no prose.
    assert!(
        short.contains("--exec") && short.contains("--state-dir"),
        "{short}"
    );
    let body: Vec<&str> = short.lines().take(short.lines().count() - 1).collect();
    for absent in [
        "--api-url",
        "--allow-insecure-http",
        "--log-format",
        "Examples:",
        "Faults are retried",
    ] {
        assert!(
            !body.iter().any(|l| l.contains(absent)),
            "{absent} in:\n{short}"
        );
    }
    assert!(
        !body.iter().any(|l| l.starts_with("                ")
            && !l.trim_start().starts_with("[possible values")),
        "an option's summary wraps:\n{short}"
    );
    assert_eq!(
        short.lines().last(),
        Some(
            "Examples and details: --help. Global options (--api-url, --profile, -i, -v...): greenq --help."
        )
    );
    let long = help("--help");
    for present in [
        "Global options:",
        "--api-url",
        "--allow-insecure-http",
        "Examples:",
        "Faults are retried",
    ] {
        assert!(long.contains(present), "{present} not in:\n{long}");
    }
    // Prose is wrapped within the width: no sentence broken over an overlong line.
    for line in long.lines() {
        assert!(line.chars().count() <= 100, "too long: {line}");
    }
    assert!(
        long.contains("and never deletes what was not handled."),
        "{long}"
    );
}
