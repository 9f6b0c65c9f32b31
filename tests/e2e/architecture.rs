//! ARCHITECTURE.md's code map is true: every crate depends only on the webproof crates its row
//! allows, every crate has a row, and the binary's `main.rs` is the command line's definition
//! and nothing any module uses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The code map: each row's path (`crates/evidence`, `src-tauri`) and the webproof crates it
/// may depend on (by short name: `evidence`, `verify`, …).
fn code_map() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let section = text
        .split("## Code map")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("ARCHITECTURE.md has a code map");
    let ticked = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(|s| s.trim_end_matches('/').to_owned())
            .collect()
    };
    let mut map = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let (first, last) = (cells[0].trim_start_matches("| "), cells[cells.len() - 1]);
        let allowed = ticked(last.trim_end_matches(" |"));
        for path in ticked(first) {
            map.insert(path, allowed.clone());
        }
    }
    map
}

fn manifest_at(path: &Path) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// How many items the array at `keys` of `t` holds (0 where there is none).
fn array_len(t: &toml::Table, keys: &[&str]) -> usize {
    let mut v = Some(t);
    for k in &keys[..keys.len() - 1] {
        v = v.and_then(|t| t.get(*k)).and_then(|x| x.as_table());
    }
    v.and_then(|t| t.get(keys[keys.len() - 1]))
        .and_then(|a| a.as_array())
        .map_or(0, |a| a.len())
}

/// A manifest's webproof dependencies (normal and build, not dev), by short name.
fn webproof_deps(manifest: &Path) -> Vec<String> {
    let t = manifest_at(manifest);
    ["dependencies", "build-dependencies"]
        .iter()
        .filter_map(|k| t.get(*k).and_then(|d| d.as_table()))
        .flat_map(|d| d.keys())
        .filter_map(|k| k.strip_prefix("webproof-").map(str::to_owned))
        .collect()
}

#[test]
fn every_crate_depends_only_on_what_its_row_allows() {
    let map = code_map();
    let mut crates: Vec<(String, PathBuf)> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (format!("crates/{name}"), e.path().join("Cargo.toml"))
        })
        .collect();
    crates.push(("src-tauri".into(), root().join("src-tauri/Cargo.toml")));
    assert!(crates.len() >= 15, "{crates:?}");
    let short: Vec<String> = crates
        .iter()
        .filter_map(|(p, _)| p.strip_prefix("crates/").map(str::to_owned))
        .collect();
    let mut wrong = Vec::new();
    for (path, manifest) in &crates {
        let Some(allowed) = map.get(path) else {
            wrong.push(format!("{path} has no row in ARCHITECTURE.md's code map"));
            continue;
        };
        for name in allowed.iter().filter(|n| !n.contains(' ')) {
            // A row names crates (or, for the UI, a file): each must exist.
            if !short.contains(name) && name != "bindings.ts" {
                wrong.push(format!("{path}'s row allows `{name}`, which is no crate"));
            }
        }
        for dep in webproof_deps(manifest) {
            if !allowed.contains(&dep) {
                wrong.push(format!(
                    "{path} depends on webproof-{dep}, which its row does not allow"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_map_catches_a_dependency_its_row_does_not_allow() {
    // The check itself bites: the verifier's row does not allow the browser.
    let map = code_map();
    let verify = &map["crates/verify"];
    assert_eq!(verify, &["message", "evidence", "timestamp", "ledger"]);
    let t = tempfile::tempdir().unwrap();
    let manifest = t.path().join("Cargo.toml");
    std::fs::write(
        &manifest,
        "[package]\nname = \"x\"\n[dependencies]\nwebproof-evidence.workspace = true\nwebproof-browser = { path = \"../browser\" }\n[dev-dependencies]\nwebproof-log.workspace = true\n",
    )
    .unwrap();
    let deps = webproof_deps(&manifest);
    assert_eq!(deps, ["browser", "evidence"]);
    assert!(deps.iter().any(|d| !verify.contains(d)));
}

#[test]
fn no_module_of_the_binary_uses_its_main() {
    // main.rs defines `Cli` and `Command` and dispatches; a module reaching back into it
    // (`crate::home`, `crate::Output` …) is what the map forbids.
    let src = root().join("crates/cli/src");
    let main = std::fs::read_to_string(src.join("main.rs")).unwrap();
    let defined: Vec<String> = main
        .lines()
        .filter_map(|l| {
            let l = l.trim_start_matches("pub(crate) ");
            ["fn ", "struct ", "enum ", "static ", "const "]
                .iter()
                .find_map(|k| l.strip_prefix(k))
                .map(|rest| {
                    rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .next()
                        .unwrap_or("")
                        .to_owned()
                })
        })
        .filter(|n| !n.is_empty())
        .collect();
    assert!(defined.contains(&"Cli".to_owned()), "{defined:?}");
    let mut wrong = Vec::new();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "main.rs" || !name.ends_with(".rs") {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap();
        for d in &defined {
            if text.contains(&format!("crate::{d}")) {
                wrong.push(format!("{name} uses crate::{d} of main.rs"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        main.lines().count() < 300,
        "main.rs has {} lines",
        main.lines().count()
    );
}

#[test]
fn the_verifiers_build_holds_no_issuing_code() {
    // verify (and what it builds on) takes the time-stamp crate without `issue`…
    for krate in ["verify", "evidence", "ledger"] {
        let t = manifest_at(&root().join(format!("crates/{krate}/Cargo.toml")));
        assert_eq!(
            array_len(&t, &["dependencies", "webproof-timestamp", "features"]),
            0,
            "crates/{krate} builds webproof-timestamp with features"
        );
    }
    let t = manifest_at(&root().join("crates/timestamp/Cargo.toml"));
    assert_eq!(
        array_len(&t, &["features", "default"]),
        0,
        "the time-stamp crate's default features issue nothing"
    );
    assert_eq!(
        array_len(&t, &["features", "issue"]),
        0,
        "issue is a feature of its own"
    );
    assert!(t["features"].as_table().unwrap().contains_key("issue"));
    // …in which the development TSA and the CA's issuing half are compiled out.
    let lib = std::fs::read_to_string(root().join("crates/timestamp/src/lib.rs")).unwrap();
    assert!(lib.contains("#[cfg(feature = \"issue\")]\npub mod dev;"));
    let ca = std::fs::read_to_string(root().join("crates/timestamp/src/ca.rs")).unwrap();
    for item in ["pub struct Ca {", "impl Ca {", "pub struct CaFiles {"] {
        let at = ca.find(item).unwrap();
        assert!(
            ca[..at].trim_end().ends_with("#[cfg(feature = \"issue\")]"),
            "{item} is outside the feature"
        );
    }
}

#[test]
fn the_pure_crates_open_no_socket_and_start_no_process() {
    // What the map calls pure reaches the network and other programs only through an adapter
    // (step 0's probing is `webproof_engine::machine::LocalMachine`).
    let words = [
        "std::process",
        "Command::new",
        "TcpStream",
        "TcpListener",
        "UdpSocket",
        "to_socket_addrs",
        "tokio",
        "reqwest",
    ];
    let mut found = Vec::new();
    for krate in [
        "evidence",
        "timestamp",
        "ledger",
        "verify",
        "capture",
        "report",
        "i18n",
        "watch",
    ] {
        let mut dirs = vec![root().join("crates").join(krate).join("src")];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                for w in words.iter().filter(|w| text.contains(*w)) {
                    found.push(format!("{} uses {w}", p.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
