//! The alliance trust bundle (docs/trust-bundle.md): the checked-in example reads into what a
//! verifier trusts; a bundle that is damaged anywhere is refused, saying where.
//!
//! tests/vectors/trust-bundle.json was made with OpenSSL 3 alone (Ed25519 keys for the log and
//! the witnesses, their signed-note verifier keys computed as c2sp.org/signed-note says, and
//! two self-signed P-256 certificates), not by webproof.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use webproof_ledger::note::{ALG_COSIGNATURE_V1, ALG_ED25519};
use webproof_message::Explain;
use webproof_verify::Policy;
use webproof_verify::bundle::{self, BundleError, MAX_BUNDLE};

const EXAMPLE: &str = include_str!("vectors/trust-bundle.json");

fn example() -> Value {
    serde_json::from_str(EXAMPLE).unwrap()
}

fn read(v: &Value) -> Result<bundle::Trusted, BundleError> {
    bundle::read(serde_json::to_string(v).unwrap().as_bytes())
}

#[test]
fn the_example_bundle_reads_into_what_a_verifier_trusts() {
    let t = bundle::read(EXAMPLE.as_bytes()).unwrap();
    assert_eq!(t.bundle.alliance, "Example evidence alliance");
    assert!(!t.bundle.development);
    let mut p = Policy::default();
    t.apply(&mut p);
    assert_eq!(p.log.logs.len(), 1);
    assert_eq!(p.log.logs[0].name, "log.example.org/alliance");
    assert_eq!(p.log.logs[0].alg, ALG_ED25519);
    assert_eq!(p.log.witnesses.len(), 3);
    assert!(p.log.witnesses.iter().all(|w| w.alg == ALG_COSIGNATURE_V1));
    assert_eq!(p.log.quorum, 2);
    assert_eq!(p.operator_cas.len(), 1);
    assert_eq!(p.trusted_tsa.len(), 1);
    let cn = p.trusted_tsa[0].tbs_certificate().subject().to_string();
    assert!(cn.contains("Example TSA root"), "{cn}");
    // Applied beside what was trusted already: lists grow, the larger quorum holds.
    p.log.quorum = 3;
    t.apply(&mut p);
    assert_eq!((p.log.logs.len(), p.log.quorum), (2, 3));
}

#[test]
fn a_damaged_bundle_is_refused_saying_where() {
    type Edit = fn(&mut Value);
    let cases: [(Edit, &str); 9] = [
        (
            |v| v["format"] = json!("webproof-bundle"),
            "err-bundle-version",
        ),
        (|v| v["v"] = json!(2), "err-bundle-version"),
        (|v| v["extra"] = json!(1), "err-bundle-json"),
        (|v| v["quorum"] = json!(4), "err-bundle-quorum"),
        (
            |v| v["witnesses"][1] = json!("witness.notary.example.org+00000000+AQ=="),
            "err-bundle-entry",
        ),
        (|v| v["logs"][0] = json!("not a key"), "err-bundle-entry"),
        (|v| v["tsa_roots"][0] = json!("MIIB"), "err-bundle-entry"),
        (
            |v| {
                let two = format!(
                    "{}{}",
                    v["tsa_roots"][0].as_str().unwrap(),
                    v["operator_cas"][0].as_str().unwrap()
                );
                v["tsa_roots"][0] = json!(two);
            },
            "err-bundle-entry",
        ),
        (
            |v| {
                let pem = v["operator_cas"][0].as_str().unwrap().replace('M', "N");
                v["operator_cas"][0] = json!(pem);
            },
            "err-bundle-entry",
        ),
    ];
    for (i, (edit, key)) in cases.iter().enumerate() {
        let mut v = example();
        edit(&mut v);
        let e = read(&v)
            .err()
            .unwrap_or_else(|| panic!("case {i} was read"));
        assert_eq!(e.message().key, *key, "case {i}: {e}");
    }
    // Where: the field and the index of the entry.
    let mut v = example();
    v["witnesses"][2] = json!("x");
    let e = read(&v).err().unwrap();
    assert!(e.to_string().starts_with("witnesses[2]: "), "{e}");
    let mut v = example();
    v["tsa_roots"][0] = json!("two");
    assert!(
        read(&v)
            .err()
            .unwrap()
            .to_string()
            .starts_with("tsa_roots[0]: ")
    );
    // A quorum of every witness is reachable; no witnesses and no quorum is a bundle too.
    let mut v = example();
    v["quorum"] = json!(3);
    read(&v).unwrap();
    let mut v = example();
    v["witnesses"] = json!([]);
    v["quorum"] = json!(0);
    read(&v).unwrap();
    // Too large to be a bundle.
    let big = vec![b' '; MAX_BUNDLE + 1];
    assert!(matches!(bundle::read(&big), Err(BundleError::TooLarge)));
    // The limit itself is allowed: the example padded to exactly MAX_BUNDLE bytes reads.
    let mut padded = EXAMPLE.as_bytes().to_vec();
    padded.resize(MAX_BUNDLE, b' ');
    bundle::read(&padded).unwrap();
}
