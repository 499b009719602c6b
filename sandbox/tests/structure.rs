//! Layout rules of `sandbox/src`: no import cycle among its modules (by file, and by top-level
//! module) and no source file over 600 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `gateway/mod.rs` → `gateway`, `gateway/cancel.rs` → `gateway::cancel`, `lib.rs` → ``.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts.join("::")
}

/// Paths a file names: `crate::a::b`, the members of `use crate::{a, b::{c, d}}`, and `super::x`
/// (resolved against the file's module).
fn named_paths(text: &str, module: &str, is_mod_rs: bool) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let ident = |s: &str| {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect::<String>()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + 7..];
        if let Some(group) = rest.strip_prefix('{') {
            expand_group(group, "", &mut out);
        } else {
            let p = ident(rest);
            let p = p.trim_end_matches(':');
            if let Some((prefix, _)) = rest.split_once("::{").filter(|(pre, _)| *pre == p) {
                expand_group(&rest[prefix.len() + 3..], prefix, &mut out);
            }
            out.push(p.to_string());
        }
    }
    let parent = {
        let mut segs: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
        // In a mod.rs file, `super` is the parent of the directory's module.
        let _ = is_mod_rs;
        segs.pop();
        segs.join("::")
    };
    for (i, _) in code.match_indices("super::") {
        let p = ident(&code[i + 7..]);
        let p = p.trim_end_matches(':');
        out.push(if parent.is_empty() {
            p.to_string()
        } else {
            format!("{parent}::{p}")
        });
    }
    out
}

/// `a, b::c, d::{e, f}}` → prefix::a, prefix::b::c, prefix::d::e, prefix::d::f (up to the closing brace).
fn expand_group(s: &str, prefix: &str, out: &mut Vec<String>) {
    let mut depth = 0usize;
    let mut item = String::new();
    let join = |p: &str, i: &str| {
        if p.is_empty() {
            i.to_string()
        } else {
            format!("{p}::{i}")
        }
    };
    let mut items = Vec::new();
    for ch in s.chars() {
        match ch {
            '{' => {
                depth += 1;
                item.push(ch);
            }
            '}' if depth == 0 => break,
            '}' => {
                depth -= 1;
                item.push(ch);
            }
            ',' if depth == 0 => items.push(std::mem::take(&mut item)),
            _ => item.push(ch),
        }
    }
    items.push(item);
    for it in items {
        let it = it.split(" as ").next().unwrap_or("");
        let it: String = it.chars().filter(|c| !c.is_whitespace()).collect();
        if it.is_empty() {
            continue;
        }
        if let Some((head, inner)) = it.split_once("::{") {
            expand_group(inner, &join(prefix, head), out);
        } else {
            out.push(join(prefix, &it));
        }
    }
}

fn has_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let at = stack.iter().position(|s| s == n).unwrap_or(0);
                let mut cycle = stack[at..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            Some(2) => return None,
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, g, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if let Some(c) = visit(n, graph, &mut state, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

#[test]
fn modules_are_acyclic_and_files_small() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeMap<String, PathBuf> = files.iter().map(|f| (module_of(&src, f), f.clone())).collect();
    let mut by_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut by_top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).expect("read");
        let lines = text.lines().count();
        assert!(
            lines <= MAX_LINES,
            "{} has {lines} lines (max {MAX_LINES})",
            file.display()
        );
        if module.is_empty() || file.ends_with("main.rs") {
            continue; // the crate root declares modules; main.rs is its own crate
        }
        let is_mod_rs = file.ends_with("mod.rs");
        for p in named_paths(&text, module, is_mod_rs) {
            // The longest module the path names.
            let segs: Vec<&str> = p.split("::").collect();
            let target = (1..=segs.len())
                .rev()
                .map(|n| segs[..n].join("::"))
                .find(|m| modules.contains_key(m));
            let Some(target) = target else { continue };
            if &target != module {
                by_file.entry(module.clone()).or_default().insert(target.clone());
            }
            let (a, b) = (module.split("::").next().unwrap(), target.split("::").next().unwrap());
            if a != b {
                by_top.entry(a.to_string()).or_default().insert(b.to_string());
            }
        }
    }
    assert!(by_file.len() > 10, "the scan found the modules' imports: {by_file:?}");
    assert!(by_file["routes"].contains("http"), "{:?}", by_file["routes"]);
    if let Some(c) = has_cycle(&by_file) {
        panic!("import cycle between modules: {}", c.join(" -> "));
    }
    if let Some(c) = has_cycle(&by_top) {
        panic!("import cycle between top-level modules: {}", c.join(" -> "));
    }
    assert!(!by_file
        .get("http")
        .is_some_and(|d| d.iter().any(|m| m == "routes" || m.starts_with("gateway"))));
}

#[test]
fn the_checker_sees_cycles() {
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert!(has_cycle(&g).is_some());
    let mut out = Vec::new();
    expand_group("a, b::{c, d}, e as f}", "x", &mut out);
    assert_eq!(out, ["x::a", "x::b::c", "x::b::d", "x::e"]);
    let paths = named_paths(
        "use crate::{http::Request, wire};\nuse super::ledger::X;",
        "gateway::cancel",
        false,
    );
    assert!(
        paths.contains(&"http::Request".to_string()) && paths.contains(&"wire".to_string()),
        "{paths:?}"
    );
    assert!(paths.contains(&"gateway::ledger::X".to_string()), "{paths:?}");
}
