//! The docs cannot go stale unnoticed: every relative link and `#anchor` in README.md,
//! CHANGELOG.md and docs/*.md resolves; every `--flag` on a `greenq ...` line of a fenced
//! code block is in that subcommand's `--help` (hidden flags are not); the module map of
//! docs/development.md names every file of `src/` and no file that is gone.
//!
//! Each check is a function that returns the problems it found, so that the tests at the
//! end can show it finds a broken link, an unknown flag and a missing map row.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::support::greenq;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md, CHANGELOG.md and every docs/*.md, with their text.
fn doc_files() -> Vec<(PathBuf, String)> {
    let mut paths = vec![root().join("README.md"), root().join("CHANGELOG.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    paths.extend(docs);
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
            (p, text)
        })
        .collect()
}

fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The info string of a line that opens or closes a fenced code block (GitHub's rule: three
/// backticks, and no backtick after them).
fn fence(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("```")?;
    let info = rest.trim_start_matches('`');
    (!info.contains('`')).then_some(info)
}

/// The lines outside fenced code blocks, numbered from 1.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if fence(line).is_some() {
            fenced = !fenced;
        } else if !fenced {
            out.push((i + 1, line));
        }
    }
    out
}

/// The lines inside fenced code blocks, a line ending in `\` joined with the next,
/// numbered by their first line. A ```` ```text ```` block is output (a tree, an error
/// shown on purpose), not commands: it is left out.
pub fn code_lines(text: &str) -> Vec<(usize, String)> {
    let mut fenced = false;
    let mut output = false;
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(info) = fence(line) {
            fenced = !fenced;
            output = fenced && info.trim() == "text";
            out.extend(open.take());
            continue;
        }
        if !fenced || output {
            continue;
        }
        let (at, mut joined) = open.take().unwrap_or((i + 1, String::new()));
        joined.push_str(line);
        match joined.strip_suffix('\\') {
            Some(head) => open = Some((at, format!("{head} "))),
            None => out.push((at, joined)),
        }
    }
    out.extend(open);
    out
}

/// A line without its `code spans`, where a `](` is no link.
fn without_code_spans(line: &str) -> String {
    line.split('`').step_by(2).collect::<Vec<_>>().join(" ")
}

/// The targets of the inline links `[text](target)` of a line of prose.
fn link_targets(line: &str) -> Vec<String> {
    let line = without_code_spans(line);
    let mut out = Vec::new();
    let mut rest = line.as_str();
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        let end = rest.find(')').unwrap_or(rest.len());
        let target = rest[..end].split_whitespace().next().unwrap_or("");
        out.push(target.to_string());
        rest = &rest[end..];
    }
    out
}

/// GitHub's anchor for a heading: lowercase, spaces to `-`, punctuation dropped (letters,
/// digits, `-` and `_` stay).
pub fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Every anchor a Markdown text has: its headings' slugs, a repeated one with `-1`, `-2`...
fn anchors(text: &str) -> HashSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = HashSet::new();
    for (_, line) in prose_lines(text) {
        let hashes = line.chars().take_while(|&c| c == '#').count();
        let Some(title) = line[hashes..].strip_prefix(' ') else {
            continue;
        };
        if !(1..=6).contains(&hashes) {
            continue;
        }
        let base = slug(title);
        let n = seen.entry(base.clone()).or_default();
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

/// Links whose file is missing, or whose `#anchor` is no heading of that file.
fn broken_links(files: &[(PathBuf, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, text) in files {
        for (line_no, line) in prose_lines(text) {
            for target in link_targets(line) {
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (file, anchor) = match target.split_once('#') {
                    Some((file, anchor)) => (file, Some(anchor)),
                    None => (target.as_str(), None),
                };
                let place = format!("{}:{line_no}: ({target})", shown(path));
                let to = path.parent().expect("a folder").join(file);
                let to_text = if file.is_empty() {
                    text.clone()
                } else if to.is_dir() {
                    String::new()
                } else {
                    // Bytes: an image (docs/emulator-chat.png) is a target too.
                    match std::fs::read(&to) {
                        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                        Err(_) => {
                            problems.push(format!("{place}: no file {}", to.display()));
                            continue;
                        }
                    }
                };
                if let Some(anchor) = anchor
                    && !anchors(&to_text).contains(anchor)
                {
                    problems.push(format!("{place}: no heading gives #{anchor}"));
                }
            }
        }
    }
    problems
}

/// A shell line's words, unquoted; `None` for an operator (`|`, `&&`, `;`, `>`, ...), which
/// ends a command. An unquoted `#` starting a word ends the line.
pub fn shell_words(line: &str) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, '#') if word.is_none() => break,
            (None, c) if c.is_whitespace() => out.extend(word.take().map(Some)),
            (None, '|' | '&' | ';' | '<' | '>' | '(' | ')') => {
                out.extend(word.take().map(Some));
                if out.last().is_none_or(|w| w.is_some()) {
                    out.push(None);
                }
            }
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word.map(Some));
    out
}

/// What `greenq PATH --help` offers: its subcommands and its flags (`--long` and `-s`),
/// global ones included, hidden ones not (clap does not show them).
#[derive(Default)]
struct Help {
    subcommands: HashSet<String>,
    flags: HashSet<String>,
}

fn help_of(path: &[String]) -> Help {
    let out = greenq().args(path).arg("--help").output().expect("greenq");
    assert!(out.status.success(), "greenq {path:?} --help: {out:?}");
    parse_help(&String::from_utf8_lossy(&out.stdout))
}

/// Reads clap's long help: a line ending in `:` at column 0 starts a section; in
/// `Commands:`, a name at two spaces; in an options section, `  -s, --long` or
/// `      --long` (descriptions and examples are indented further, or in other sections).
fn parse_help(text: &str) -> Help {
    let mut help = Help::default();
    let mut section = "";
    for line in text.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            section = line;
            continue;
        }
        if section == "Commands:" {
            if let Some(name) = line.strip_prefix("  ").and_then(|l| l.split(' ').next())
                && !name.is_empty()
            {
                help.subcommands.insert(name.to_string());
            }
            continue;
        }
        if !section.ends_with("ptions:") {
            continue;
        }
        let long = if let Some(rest) = line.strip_prefix("  -") {
            let mut chars = rest.chars();
            let short = chars.next().filter(|c| c.is_ascii_alphanumeric());
            let after = chars.as_str();
            if let Some(s) = short.filter(|_| after.is_empty() || after.starts_with([',', ' '])) {
                help.flags.insert(format!("-{s}"));
            }
            after.strip_prefix(", ")
        } else {
            line.strip_prefix("      ")
        };
        if let Some(name) = long.and_then(|l| l.strip_prefix("--")) {
            let name: String = name
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if !name.is_empty() {
                help.flags.insert(format!("--{name}"));
            }
        }
    }
    help
}

/// Flags on `greenq ...` lines of the code blocks that the subcommand (where the flag
/// stands) does not offer. A command ends at an operator or a bare `--` (what follows is
/// `--exec`'s command).
fn unknown_flags(
    files: &[(PathBuf, String)],
    help: &mut dyn FnMut(&[String]) -> Help,
) -> (Vec<String>, usize) {
    let mut cache: HashMap<Vec<String>, Help> = HashMap::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (path, text) in files {
        for (line_no, line) in code_lines(text) {
            let words = shell_words(&line);
            let mut i = 0;
            while i < words.len() {
                let starts = words[i]
                    .as_deref()
                    .is_some_and(|w| w == "greenq" || w.ends_with("/greenq"));
                i += 1;
                if !starts {
                    continue;
                }
                let mut sub: Vec<String> = Vec::new();
                while let Some(Some(word)) = words.get(i) {
                    i += 1;
                    if word == "--" {
                        // The rest of this command is --exec's, up to an operator.
                        while let Some(Some(_)) = words.get(i) {
                            i += 1;
                        }
                        break;
                    }
                    let offered = cache.entry(sub.clone()).or_insert_with(|| help(&sub));
                    let flags: Vec<String> = if let Some(long) = word.strip_prefix("--") {
                        let name = long.split('=').next().unwrap_or(long);
                        vec![format!("--{name}")]
                    } else if word.len() > 1
                        && word.starts_with('-')
                        && word[1..].chars().all(|c| c.is_ascii_alphabetic())
                    {
                        word[1..].chars().map(|c| format!("-{c}")).collect()
                    } else {
                        if offered.subcommands.contains(word.as_str()) {
                            sub.push(word.clone());
                        }
                        continue;
                    };
                    for flag in flags {
                        checked += 1;
                        if !offered.flags.contains(&flag) {
                            problems.push(format!(
                                "{}:{line_no}: `greenq {}` has no {flag}: {line}",
                                shown(path),
                                sub.join(" ")
                            ));
                        }
                    }
                }
            }
        }
    }
    (problems, checked)
}

/// The module map: the first cell of each table row of the `## Module map` section.
fn map_rows(development: &str) -> BTreeSet<String> {
    let mut inside = false;
    let mut rows = BTreeSet::new();
    for (_, line) in prose_lines(development) {
        if line.starts_with("## ") {
            inside = line == "## Module map";
            continue;
        }
        if !inside {
            continue;
        }
        if let Some(cell) = line
            .strip_prefix("| `")
            .and_then(|l| l.split_once("` |"))
            .map(|(cell, _)| cell)
        {
            rows.insert(cell.to_string());
        }
    }
    rows
}

fn src_files(dir: &Path, src: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            src_files(&path, src, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(src).expect("under src");
            out.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// Files of src/ without a row, and rows without a file.
fn map_problems(development: &str, files: &BTreeSet<String>) -> Vec<String> {
    let rows = map_rows(development);
    let mut problems: Vec<String> = files
        .difference(&rows)
        .map(|f| format!("src/{f} has no row in the module map of docs/development.md"))
        .collect();
    problems.extend(
        rows.difference(files)
            .map(|r| format!("the module map names {r}, which is not a file of src/")),
    );
    problems
}

#[test]
fn every_relative_link_and_anchor_in_the_docs_resolves() {
    let problems = broken_links(&doc_files());
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_flag_on_a_greenq_line_of_the_docs_is_in_its_help() {
    let (problems, checked) = unknown_flags(&doc_files(), &mut help_of);
    assert!(
        checked > 50,
        "only {checked} flags were found in the docs' code blocks"
    );
    assert!(
        problems.is_empty(),
        "flags that --help does not offer:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_module_map_names_every_file_of_src_and_no_other() {
    let development = std::fs::read_to_string(root().join("docs/development.md")).unwrap();
    let mut files = BTreeSet::new();
    src_files(&root().join("src"), &root().join("src"), &mut files);
    assert!(files.contains("cli/many.rs"), "src/ was read: {files:?}");
    let problems = map_problems(&development, &files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// The checks themselves find what they are for.

#[test]
fn a_broken_link_or_anchor_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.md");
    std::fs::write(
        dir.path().join("b.md"),
        "# B's title: `here`\n## Again\n## Again\n",
    )
    .unwrap();
    let good = "[b](b.md) [t](b.md#bs-title-here) [again](b.md#again-1) [self](#a) `[x](gone.md)`";
    let files = vec![(a.clone(), format!("# A\n{good}\n```\n[x](gone.md)\n```\n"))];
    assert_eq!(broken_links(&files), Vec::<String>::new());
    for bad in [
        "[x](gone.md)",
        "[x](b.md#nothing)",
        "[x](#again)",
        "[x](b.md#again-2)",
    ] {
        let files = vec![(a.clone(), format!("# A\n{bad}\n"))];
        assert_eq!(broken_links(&files).len(), 1, "{bad}");
    }
}

#[test]
fn an_unknown_or_hidden_flag_is_found_and_an_exec_command_is_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let doc = |line: &str| vec![(dir.path().join("d.md"), format!("```sh\n{line}\n```\n"))];
    let mut help = help_of;
    let output = vec![(
        dir.path().join("d.md"),
        "```text\ngreenq count --json\n```\n".to_string(),
    )];
    assert_eq!(unknown_flags(&output, &mut help), (Vec::new(), 0));
    let good = "X=1 greenq --profile shop tail -ne --format=json --exec -- cmd --x greenq -y \\\n  --more | greenq publish - # greenq --nothing";
    assert_eq!(unknown_flags(&doc(good), &mut help), (Vec::new(), 5));
    for bad in [
        "greenq tail --pipeline",
        "greenq tail --no-such-flag",
        "greenq tail -Z",
        "greenq --count 1 tail",
        "greenq receive | greenq publish --count 3",
        "greenq profile add shop --all-profiles",
        "ExecStart=/usr/bin/greenq tail \\\n    --nope",
    ] {
        let (problems, _) = unknown_flags(&doc(bad), &mut help);
        assert_eq!(problems.len(), 1, "{bad}: {problems:?}");
    }
}

#[test]
fn a_file_without_a_row_and_a_row_without_a_file_are_found() {
    let map = "## Module map\n\n| file | owns |\n|---|---|\n| `a.rs` | a |\n| `b/c.rs` | c |\n\n## Next\n\n| `d.rs` | elsewhere |\n";
    let files = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
    assert!(map_problems(map, &files(&["a.rs", "b/c.rs"])).is_empty());
    assert_eq!(
        map_problems(map, &files(&["a.rs", "b/c.rs", "d.rs"])).len(),
        1
    );
    assert_eq!(map_problems(map, &files(&["a.rs"])).len(), 1);
}

/// The names in `SECTIONS` of benches/drain.rs, the ones `GREENQ_BENCH_ONLY` takes.
fn bench_sections(drain_rs: &str) -> Vec<String> {
    let list = drain_rs
        .split_once("const SECTIONS")
        .and_then(|(_, rest)| rest.split_once("];"))
        .map(|(list, _)| list)
        .expect("benches/drain.rs has its SECTIONS");
    list.lines()
        .filter_map(|line| line.trim().strip_prefix("(\""))
        .filter_map(|rest| rest.split_once('"').map(|(name, _)| name.to_string()))
        .collect()
}

#[test]
fn the_performance_doc_names_every_bench_section() {
    let drain = std::fs::read_to_string(root().join("benches/drain.rs")).unwrap();
    let sections = bench_sections(&drain);
    assert!(sections.len() >= 15, "SECTIONS was read: {sections:?}");
    let doc = std::fs::read_to_string(root().join("docs/performance.md")).unwrap();
    let missing: Vec<&String> = sections
        .iter()
        .filter(|name| !doc.contains(&format!("| `{name}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/performance.md has no row in its table of sections for {missing:?}"
    );
}
