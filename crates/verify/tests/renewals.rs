//! A renewal (docs/evidence-package.md, "Renewal") verified in-process: its record covers the
//! package, its token stamps the record's bytes, and the token is trusted only under a TSA
//! root the reader trusts (the end-to-end tests renew through `webproof renew`; this one
//! checks the verifier's side on its own — a gap found by `bash scripts/mutants.sh verify`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use webproof_evidence::capture::write_datapackage;
use webproof_evidence::identity::Algorithm;
use webproof_evidence::layout;
use webproof_evidence::manifest::Manifest;
use webproof_evidence::package::{self, DirSource, Limits};
use webproof_evidence::renewal::{self, RenewalAlg};
use webproof_timestamp::HashAlg;
use webproof_timestamp::dev::DevTsa;
use webproof_verify::{Policy, Verdict};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The package `b` with renewal 1 (SHA-512) stamped by `tsa`, zipped to `out`.
fn renewed(dir: &Path, out: &Path, tsa: &DevTsa) {
    let m: Manifest =
        serde_json::from_slice(&std::fs::read(dir.join(layout::MANIFEST)).unwrap()).unwrap();
    let write = |rel: String, bytes: &[u8]| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    write(
        renewal::certs_path(1),
        webproof_timestamp::certs_to_pem(std::slice::from_ref(&tsa.root))
            .unwrap()
            .as_bytes(),
    );
    let src = DirSource::open(dir, &Limits::default()).unwrap();
    let record = renewal::plan(&src, &m.capture, 1, RenewalAlg::Sha512).unwrap();
    let bytes = renewal::to_bytes(&record).unwrap();
    write(renewal::json_path(1), &bytes);
    let req = webproof_timestamp::request(
        HashAlg::Sha512,
        &HashAlg::Sha512.digest(&bytes),
        Some(vec![1, 2, 3, 4, 5, 6, 7, 8]),
        None,
    )
    .unwrap();
    write(renewal::token_path(1, 1, "tsq"), &req.der);
    write(
        renewal::token_path(1, 1, "tsr"),
        &tsa.respond(&req.der, now() * 1_000_000),
    );
    // The WACZ datapackage lists every file: derived again, as `renew` does.
    for derived in [layout::DATAPACKAGE, layout::DATAPACKAGE_DIGEST] {
        std::fs::remove_file(dir.join(derived)).unwrap();
    }
    write_datapackage(dir, &m).unwrap();
    package::write_zip(dir, out, &Limits::default()).unwrap();
}

fn renewal_token(r: &webproof_verify::Report) -> (Verdict, String) {
    let c = r
        .checks
        .iter()
        .find(|c| c.id == "renewal.token")
        .expect("a renewal.token check");
    (c.verdict, c.detail.clone())
}

#[test]
fn a_renewal_is_trusted_under_its_tsas_root_and_only_then() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let tsa = DevTsa::generate(now() - 60).unwrap();
    let out: PathBuf = t.path().join("renewed.wacz");
    renewed(&b.dir, &out, &tsa);

    let trusted = Policy {
        trusted_tsa: vec![tsa.root.clone()],
        ..b.policy()
    };
    let r = verify(&out, &trusted);
    let (verdict, detail) = renewal_token(&r);
    assert_eq!(verdict, Verdict::Pass, "{detail}\n{:#?}", failures(&r));
    // Its record, certificates, request and token are each where the others say: no orphan.
    // (The package's steps carry no tokens, so trusted time of the capture itself is not
    // claimed: the verdict is UNTRUSTED for that, not FAILED.)
    assert!(failures(&r).is_empty(), "{:#?}", failures(&r));
    assert_eq!(r.verdict(), Verdict::Untrusted);
    assert!(
        r.checks
            .iter()
            .any(|c| c.id == "renewal.record" && c.verdict == Verdict::Pass)
    );

    // Another TSA's root trusted instead: the token is valid but not trusted.
    let other = DevTsa::generate(now() - 60).unwrap();
    let r = verify(
        &out,
        &Policy {
            trusted_tsa: vec![other.root.clone()],
            ..b.policy()
        },
    );
    let (verdict, detail) = renewal_token(&r);
    assert_eq!(verdict, Verdict::Untrusted, "{detail}");
}

/// A renewal's request whose token is gone is an orphan nothing checks: it fails, and so does
/// the renewal, which no token stamps now.
#[test]
fn a_renewal_request_without_its_token_is_an_orphan() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let tsa = DevTsa::generate(now() - 60).unwrap();
    renewed(&b.dir, &t.path().join("renewed.wacz"), &tsa);
    std::fs::remove_file(b.dir.join(renewal::token_path(1, 1, "tsr"))).unwrap();
    for derived in [layout::DATAPACKAGE, layout::DATAPACKAGE_DIGEST] {
        std::fs::remove_file(b.dir.join(derived)).unwrap();
    }
    let m: Manifest =
        serde_json::from_slice(&std::fs::read(b.dir.join(layout::MANIFEST)).unwrap()).unwrap();
    write_datapackage(&b.dir, &m).unwrap();
    let out = t.path().join("orphan.wacz");
    package::write_zip(&b.dir, &out, &Limits::default()).unwrap();
    let r = verify(
        &out,
        &Policy {
            trusted_tsa: vec![tsa.root.clone()],
            ..b.policy()
        },
    );
    let orphan = r
        .failures()
        .find(|c| c.id == "file.unlisted" && c.subject == renewal::token_path(1, 1, "tsq"))
        .unwrap_or_else(|| panic!("{:#?}", failures(&r)));
    assert!(
        orphan.detail.contains("no token beside it"),
        "{}",
        orphan.detail
    );
}

/// The package of `dir` with its renewal record replaced by `bytes` (the datapackage derived
/// again), zipped to `out`.
fn with_record(dir: &Path, bytes: &[u8], out: &Path) {
    std::fs::write(dir.join(renewal::json_path(1)), bytes).unwrap();
    for derived in [layout::DATAPACKAGE, layout::DATAPACKAGE_DIGEST] {
        std::fs::remove_file(dir.join(derived)).unwrap();
    }
    let m: Manifest =
        serde_json::from_slice(&std::fs::read(dir.join(layout::MANIFEST)).unwrap()).unwrap();
    write_datapackage(dir, &m).unwrap();
    package::write_zip(dir, out, &Limits::default()).unwrap();
}

/// The `renewal.record` check's verdict and detail.
fn renewal_record(r: &webproof_verify::Report) -> (Verdict, String) {
    let c = r
        .checks
        .iter()
        .find(|c| c.id == "renewal.record")
        .expect("a renewal.record check");
    (c.verdict, c.detail.clone())
}

/// A renewal record is judged field by field: each of its version, format, number and capture
/// on its own, and its canonical form, makes it another record; and it must list every file
/// with the digest the file has now.
#[test]
fn a_renewal_record_fails_on_any_one_wrong_field_or_file() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let tsa = DevTsa::generate(now() - 60).unwrap();
    renewed(&b.dir, &t.path().join("renewed.wacz"), &tsa);
    let good = std::fs::read(b.dir.join(renewal::json_path(1))).unwrap();
    let record: renewal::Renewal = serde_json::from_slice(&good).unwrap();
    let policy = Policy {
        trusted_tsa: vec![tsa.root.clone()],
        ..b.policy()
    };
    let judged = |bytes: &[u8], name: &str| {
        let out = t.path().join(format!("{name}.wacz"));
        with_record(&b.dir, bytes, &out);
        renewal_record(&verify(&out, &policy))
    };
    let wrong = "wrong format, version, number or capture, or not canonical";
    let mut pretty = serde_json::to_vec_pretty(&record).unwrap();
    pretty.push(b'\n');
    let variants: Vec<(&str, Vec<u8>)> = vec![
        (
            "v",
            renewal::Renewal {
                v: record.v + 1,
                ..record.clone()
            },
        ),
        (
            "format",
            renewal::Renewal {
                format: "other".into(),
                ..record.clone()
            },
        ),
        (
            "n",
            renewal::Renewal {
                n: 2,
                ..record.clone()
            },
        ),
        (
            "capture",
            renewal::Renewal {
                capture: "00".repeat(16),
                ..record.clone()
            },
        ),
    ]
    .into_iter()
    .map(|(k, r)| (k, renewal::to_bytes(&r).unwrap()))
    .chain([("canonical", pretty)])
    .collect();
    for (name, bytes) in &variants {
        assert_eq!(judged(bytes, name), (Verdict::Fail, wrong.into()), "{name}");
    }
    // The record as made passes (what the variants changed is what fails them).
    assert_eq!(judged(&good, "good").0, Verdict::Pass);

    // A file it lists changed since (the record still names the old digest).
    let mut changed = record.clone();
    let first = changed.files[0].path.clone();
    changed.files[0].digest = "00".repeat(64);
    let (v, detail) = judged(&renewal::to_bytes(&changed).unwrap(), "changed");
    assert_eq!(v, Verdict::Fail);
    assert!(
        detail.contains(&format!("{first} changed since the renewal")),
        "{detail}"
    );
    // A file it must cover and does not list.
    let mut short = record.clone();
    short.files.remove(0);
    let (v, detail) = judged(&renewal::to_bytes(&short).unwrap(), "uncovered");
    assert_eq!(v, Verdict::Fail);
    assert!(
        detail.contains(&format!("{first} is not covered")),
        "{detail}"
    );
}
