//! `verify --json`'s one type: what the CLI writes from a verification, the app reads back
//! whole, with the members docs/evidence-package.md §7 names.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use common::*;
use webproof_engine::verification::Verification;
use webproof_evidence::capture::Capture;
use webproof_evidence::identity::{Algorithm, SecretKey};
use webproof_evidence::package::{self, Limits};
use webproof_verify::{Policy, Verdict};

#[test]
fn a_verification_reads_back_as_written_with_the_documented_members() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("cap");
    let mut cap = Capture::create(&dir).unwrap();
    step(&mut cap, 0);
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let doc = identity(&key);
    cap.seal(&seal_input(&key, &doc)).unwrap();

    let wacz = t.path().join("cap.wacz");
    package::write_zip(&dir, &wacz, &Limits::default()).unwrap();
    let report = webproof_verify::verify_path(&wacz, &Policy::default()).unwrap();
    let v = Verification::new(
        &report,
        "en",
        |c| format!("name of {}", c.id),
        |c| format!("said: {}", c.detail),
    );
    assert_eq!(v.verdict, Verdict::Untrusted, "nobody trusted");
    assert_eq!(v.checks.len(), report.checks.len());
    assert!(
        v.checks
            .iter()
            .all(|c| c.name == format!("name of {}", c.id))
    );
    assert_eq!(v.chain_head, report.chain_head);
    let text = serde_json::to_string(&v).unwrap();
    let back: Verification = serde_json::from_str(&text).unwrap();
    assert_eq!(back, v);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let members: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        members,
        [
            "capture",
            "chain_head",
            "checks",
            "lang",
            "package",
            "time",
            "verdict"
        ]
    );
    assert_eq!(value["verdict"], "untrusted");
    let check = value["checks"][0].as_object().unwrap();
    for m in [
        "detail", "id", "message", "name", "subject", "text", "verdict",
    ] {
        assert!(check.contains_key(m), "{m}: {check:?}");
    }
}
