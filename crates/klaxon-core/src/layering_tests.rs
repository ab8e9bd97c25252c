//! The map in `lib.rs` holds: each folder of this crate uses only those to its left, so there
//! are no import cycles between them. Read from the sources (comments and unit tests left out,
//! since a test may reach across to set a scene).

use std::collections::BTreeSet;
use std::path::Path;

/// Each folder's place; a module may use modules of a lower rank only. The shared edges
/// (`paths`, `data_dir`, `text`, `secrets`, `logging`, `error`) may be used by all and are not
/// ranked.
const RANKS: [(&str, u8); 9] = [
    ("domain", 0),
    ("config", 1),
    ("probe", 2),
    ("channels", 2),
    ("sources", 3),
    ("store", 3),
    ("aftermath", 4),
    ("protocol", 5),
    ("engine", 6),
];

fn rank(module: &str) -> Option<u8> {
    RANKS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// The code of a source file without its comments and its unit tests.
fn code_of(text: &str) -> String {
    let text = match text
        .find("#[cfg(test)]")
        .or_else(|| text.find("#[cfg(all(test"))
    {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn module_dependencies_point_one_way() {
    let src = crate::crate_dir().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = BTreeSet::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with("_tests.rs") || name == "tests.rs" || name == "proptests.rs" {
            continue;
        }
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.components().next().unwrap().as_os_str();
        let top = top.to_string_lossy().trim_end_matches(".rs").to_string();
        let Some(mine) = rank(&top) else { continue };
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        for used in code.split("crate::").skip(1) {
            let used: String = used
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if let Some(theirs) = rank(&used)
                && used != top
                && theirs >= mine
            {
                wrong.insert(format!("{} uses {used}", relative.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "dependencies against the map: {wrong:#?}");
}

#[test]
fn the_check_sees_a_use_against_the_map() {
    let code = code_of("use crate::engine::Engine;\n// crate::engine in a comment\n");
    assert_eq!(code.matches("crate::engine").count(), 1);
    assert!(rank("engine").unwrap() > rank("domain").unwrap());
    assert_eq!(rank("paths"), None);
}
