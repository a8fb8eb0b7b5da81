//! The shape of `src/` that docs/development.md promises: folders by layer,
//! each importing only from the layers below it, and no heap of files in one place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, top first, as the tree in docs/development.md lists them. A module may import from its
/// own layer's folder and from any layer after it; `emulator` stands apart (only
/// `commands` uses it, and it uses only the model and the base).
const LAYERS: &[&[&str]] = &[
    &["commands"],
    &["consumer"],
    &["fleet"],
    &["state"],
    &["watch"],
    &["service"],
    &["config"],
    &["cli"],
    &["terminal"],
    &["notification"],
    &["exit", "text", "secret", "stderr_log"],
];

const STANDALONE: &str = "emulator";

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level part of `src/` a file belongs to: its folder, or its own name.
fn part_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).expect("under src");
    let first = rel.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

/// Each `crate::NAME` a file names outside its unit tests.
fn imports(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).expect("read");
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
    code.match_indices("crate::")
        .map(|(at, _)| {
            code[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect()
        })
        .collect()
}

fn layer_of(part: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&part))
}

#[test]
fn every_folder_imports_only_from_the_layers_below_it() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let part = part_of(file);
        if part == "main" || part == "lib" {
            continue;
        }
        for import in imports(file) {
            if import == part || import == "ewriteln" {
                continue;
            }
            let allowed = match (part.as_str(), layer_of(&part), layer_of(&import)) {
                (STANDALONE, _, Some(to)) => to >= layer_of("notification").expect("layer"),
                ("commands", _, _) if import == STANDALONE => true,
                (_, Some(from), Some(to)) => to >= from,
                _ => false,
            };
            if !allowed {
                wrong.push(format!("{} imports crate::{import}", file.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layer order (see LAYERS and the tree in docs/development.md):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_heap_of_files_in_one_place() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut per_folder: BTreeMap<PathBuf, usize> = BTreeMap::new();
    for file in &files {
        *per_folder
            .entry(file.parent().expect("parent").to_path_buf())
            .or_default() += 1;
    }
    let top = per_folder.get(&src()).copied().unwrap_or(0);
    assert!(
        top <= 10,
        "src/ holds {top} files: main.rs, lib.rs and at most 8 more"
    );
    for (folder, count) in per_folder {
        assert!(
            count <= 12,
            "{} holds {count} files (at most 12)",
            folder.display()
        );
    }
}

#[test]
fn every_part_of_src_has_a_layer() {
    let mut parts: Vec<String> = std::fs::read_dir(src())
        .expect("read src")
        .map(|e| {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            name.trim_end_matches(".rs").to_string()
        })
        .filter(|p| p != "main" && p != "lib")
        .collect();
    parts.sort();
    let unplaced: Vec<&String> = parts
        .iter()
        .filter(|p| layer_of(p).is_none() && p.as_str() != STANDALONE)
        .collect();
    assert!(
        unplaced.is_empty(),
        "parts of src/ in no layer (add them to LAYERS and the tree in docs/development.md): {unplaced:?}"
    );
}
