//! docs/evidence-package.md's worked example is tests/fixtures/example.wacz: the document
//! and the file must agree, and both webproof and the by-hand script accept the file.

use std::path::Path;

use crate::util::*;

const FINGERPRINT: &str = "d035efdb387c6a3f3deed9f4582c5d3b42dbaf556dff31f6e02900b6a61fdc1e";

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn worked_example_matches_the_fixture() {
    let doc = std::fs::read_to_string(root().join("docs/evidence-package.md")).unwrap();
    let example = doc.split("## 9. Worked example").nth(1).expect("section 9");
    let env = Env::new();
    let dir = env.path().join("ex");
    unzip(&root().join("tests/fixtures/example.wacz"), &dir);
    let journal = std::fs::read_to_string(dir.join("evidence/journal.jsonl")).unwrap();
    let mut known = journal.clone();
    for f in [
        "evidence/manifest.json",
        "datapackage-digest.json",
        "identity/operator.json",
    ] {
        known.push_str(&std::fs::read_to_string(dir.join(f)).unwrap());
    }
    // Every journal line is quoted verbatim…
    for line in journal.lines() {
        assert!(
            example.contains(line),
            "journal line not in the document: {line}"
        );
    }
    // …and every digest the document quotes is one the fixture holds.
    let mut quoted = 0;
    for word in example.split(|c: char| !c.is_ascii_hexdigit()) {
        if word.len() == 64 {
            quoted += 1;
            assert!(
                known.contains(word) || word == FINGERPRINT,
                "{word} is not in the fixture"
            );
        }
    }
    assert!(quoted >= 10, "{quoted}");

    let out = env.ok(
        &[
            "verify",
            root().join("tests/fixtures/example.wacz").to_str().unwrap(),
            "--trust-operator",
            FINGERPRINT,
        ],
        0,
    );
    assert!(out.contains("VERIFIED: all 28 checks pass"), "{out}");
    assert!(example.contains("VERIFIED: all 28 checks pass"));

    let script = root().join("docs/verify-by-hand.sh");
    let o = tool(
        "bash",
        &[script.to_str().unwrap(), dir.to_str().unwrap()],
        &dir,
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && text.contains("ALL CHECKS PASSED"),
        "{text}"
    );
}
