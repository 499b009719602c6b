//! The house rules of the source tree, checked rather than hoped: no import cycle among the modules of
//! `src/` (the core), `sandbox/src/` (the sandbox) or `cli/src/` (the CLI), and no source file over
//! 600 lines there.
//!
//! An edge A → B exists when module A's code (comments aside) names module B through `crate::`,
//! `super::`, `self::`, or the bare name of one of A's child modules. `mod b;` itself is not an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;

/// Every `.rs` file under `root` with its module path ("" for lib.rs/main.rs, "a::b" for a/b.rs).
fn modules(root: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(root).unwrap().with_extension("");
            let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                parts.pop();
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// Code without comments (line comments and doc comments; block comments are not used here).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // Keep `//` inside string literals such as "http://": only cut when no quote precedes it.
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths a `prefix::…` reference names, with `{a, b::{c, d}}` groups expanded.
fn expand(rest: &str) -> Vec<Vec<String>> {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 1;
        let mut end = group.len();
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let inner = &group[..end];
        let mut items = Vec::new();
        let (mut depth, mut start) = (0, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(&inner[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        items.push(&inner[start..]);
        return items
            .into_iter()
            .filter(|i| !i.trim().is_empty())
            .flat_map(expand)
            .collect();
    }
    let head: String = rest.chars().take_while(|&c| is_ident(c)).collect();
    if head.is_empty() {
        return vec![vec![]];
    }
    let after = &rest[head.len()..];
    match after.strip_prefix("::") {
        Some(more) => expand(more)
            .into_iter()
            .map(|mut tail| {
                tail.insert(0, head.clone());
                tail
            })
            .collect(),
        None => vec![vec![head]],
    }
}

/// The longest module path that `path` starts with, if any.
fn module_named(path: &[String], known: &BTreeMap<String, PathBuf>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| known.contains_key(m))
}

fn edges(root: &Path) -> (BTreeMap<String, BTreeSet<String>>, Vec<String>) {
    let known = modules(root);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut too_long = Vec::new();
    for (module, path) in &known {
        let text = std::fs::read_to_string(path).unwrap();
        let lines = text.lines().count();
        if lines > MAX_LINES {
            too_long.push(format!("{} has {lines} lines (at most {MAX_LINES})", path.display()));
        }
        let code = code_of(&text);
        let own: Vec<String> = if module.is_empty() {
            vec![]
        } else {
            module.split("::").map(String::from).collect()
        };
        let mut targets = BTreeSet::new();
        for (i, _) in code.match_indices("::") {
            // The identifier just before this `::`, and whether it starts a path.
            let before = &code[..i];
            let word_start = before.rfind(|c: char| !is_ident(c)).map_or(0, |p| p + 1);
            let word = &before[word_start..];
            if word.is_empty() || before[..word_start].ends_with("::") {
                continue;
            }
            let base: Vec<String> = match word {
                "crate" => vec![],
                "self" => own.clone(),
                "super" => own[..own.len().saturating_sub(1)].to_vec(),
                child => {
                    let mut p = own.clone();
                    p.push(child.to_string());
                    if !known.contains_key(&p.join("::")) {
                        continue;
                    }
                    // Resolve from the child itself: `child::item`.
                    let mut full = p.clone();
                    full.pop();
                    full
                }
            };
            let tail = if matches!(word, "crate" | "self" | "super") {
                &code[i + 2..]
            } else {
                &code[word_start..]
            };
            for path in expand(tail) {
                let mut full = base.clone();
                full.extend(path);
                if let Some(target) = module_named(&full, &known) {
                    if &target != module && !target.is_empty() {
                        targets.insert(target);
                    }
                }
            }
        }
        graph.insert(module.clone(), targets);
    }
    (graph, too_long)
}

/// A cycle in the graph, as a list of modules, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let at = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(cycle) = visit(next, graph, state, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node) {
            if let Some(cycle) = visit(node, graph, &mut state, &mut Vec::new()) {
                return Some(cycle);
            }
        }
    }
    None
}

fn check(tree: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(tree);
    let (graph, too_long) = edges(&root);
    assert!(graph.len() > 3, "{tree}: too few modules found ({graph:?})");
    assert!(too_long.is_empty(), "{}", too_long.join("\n"));
    if let Some(cycle) = find_cycle(&graph) {
        panic!("{tree}: import cycle {}", cycle.join(" → "));
    }
}

#[test]
fn the_core_has_no_cycles_and_no_long_files() {
    check("src");
}

#[test]
fn the_sandbox_has_no_cycles_and_no_long_files() {
    check("sandbox/src");
}

#[test]
fn the_cli_has_no_cycles_and_no_long_files() {
    check("cli/src");
}

#[test]
fn the_checker_sees_cycles() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert!(find_cycle(&graph).is_some());
    graph.insert("b".to_string(), BTreeSet::new());
    assert!(find_cycle(&graph).is_none());
    let paths = expand("{a, b::{c, d}, e::f}");
    assert_eq!(paths.len(), 4);
    assert_eq!(paths[1], ["b", "c"]);
}
