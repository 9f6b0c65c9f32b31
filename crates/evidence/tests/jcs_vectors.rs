//! RFC 8785 vectors (tests/vectors/jcs, README there).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use webproof_evidence::canonical::{is_canonical, to_jcs};

fn check(name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/jcs");
    let input = std::fs::read(dir.join(format!("{name}.in.json"))).unwrap();
    let expected = std::fs::read(dir.join(format!("{name}.out.json"))).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&input).unwrap();
    let got = to_jcs(&v).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&expected),
        "{name}"
    );
    assert!(is_canonical(&expected));
    assert!(!is_canonical(&input));
}

#[test]
fn rfc8785_values() {
    check("values");
}

#[test]
fn rfc8785_sorting() {
    check("sorting");
}
