//! Countersignatures after review (docs/evidence-package.md §6e) verified in-process: a
//! notary's statement naming the package's manifest, signed, stamped over the signature,
//! the notary certified as a notary — and every way such a review can lie (the end-to-end
//! tests countersign through `webproof countersign`; this checks the verifier's side alone).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use webproof_evidence::capture::write_datapackage;
use webproof_evidence::digest::digest_bytes;
use webproof_evidence::identity::{Algorithm, IdentityDoc, Role, SecretKey};
use webproof_evidence::layout;
use webproof_evidence::manifest::Manifest;
use webproof_evidence::package::{self, Limits};
use webproof_evidence::review::{self, Review};
use webproof_timestamp::HashAlg;
use webproof_timestamp::ca::{Ca, CertRole, Subject};
use webproof_timestamp::dev::DevTsa;
use webproof_verify::{Policy, Report, Verdict};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

struct Reviewer {
    key: SecretKey,
    doc: IdentityDoc,
    cert: Option<String>,
}

/// A reviewer in `role`, certified by `ca` as `cert_role` when given.
fn reviewer(role: Role, ca: Option<(&Ca, CertRole)>) -> Reviewer {
    use x509_cert::der::EncodePem;
    let (key, doc) = identity(role, Algorithm::Sm2, "Test Notary");
    let cert = ca.map(|(ca, r)| {
        let subject = Subject {
            name: doc.name.clone(),
            organisation: doc.organisation.clone(),
            tenant: "notaries".into(),
            id_ref: None,
        };
        let spki = key.public_key().spki_der().unwrap();
        ca.certify(&subject, &spki, now() - 60, 30, r)
            .unwrap()
            .to_pem(x509_cert::der::pem::LineEnding::LF)
            .unwrap()
    });
    Reviewer { key, doc, cert }
}

/// Review `n` of the package directory `dir` by `who`, its signature stamped by `tsa`; `edit`
/// changes the statement before it is signed.
fn add_review(
    dir: &Path,
    n: u32,
    who: &Reviewer,
    tsa: Option<&DevTsa>,
    edit: impl FnOnce(&mut Review),
) -> Vec<u8> {
    let manifest = std::fs::read(dir.join(layout::MANIFEST)).unwrap();
    let m: Manifest = serde_json::from_slice(&manifest).unwrap();
    let mut r = Review {
        v: review::VERSION,
        format: review::FORMAT.into(),
        n,
        capture: m.capture.clone(),
        manifest: digest_bytes(&manifest),
        role: Role::Notary,
        algorithm: who.doc.algorithm,
        fingerprint: who.doc.fingerprint,
        verdict: "VERIFIED".into(),
        statement: "reviewed the timeline and the screenshots; consistent".into(),
        reviewed: webproof_evidence::Utc::now(),
    };
    edit(&mut r);
    let bytes = review::to_bytes(&r).unwrap();
    let sig = who.key.sign(&bytes).unwrap();
    let write = |rel: String, b: &[u8]| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b).unwrap();
    };
    write(review::json_path(n), &bytes);
    write(review::signature_path(n), &sig);
    write(
        review::identity_path(n),
        &webproof_evidence::canonical::to_jcs(&who.doc).unwrap(),
    );
    write(review::public_key_path(n), who.doc.public_key.as_bytes());
    if let Some(c) = &who.cert {
        write(review::certificate_path(n), c.as_bytes());
    }
    if let Some(tsa) = tsa {
        let req = webproof_timestamp::request(
            HashAlg::Sha256,
            &HashAlg::Sha256.digest(&sig),
            Some(vec![9, 8, 7]),
            None,
        )
        .unwrap();
        write(review::token_path(n, 1, "tsq"), &req.der);
        write(
            review::token_path(n, 1, "tsr"),
            &tsa.respond(&req.der, now() * 1_000_000),
        );
    }
    sig
}

/// The package directory zipped to `out`, the WACZ datapackage listing what was added.
fn zip(dir: &Path, out: &Path) {
    for derived in [layout::DATAPACKAGE, layout::DATAPACKAGE_DIGEST] {
        let _ = std::fs::remove_file(dir.join(derived));
    }
    let m: Manifest =
        serde_json::from_slice(&std::fs::read(dir.join(layout::MANIFEST)).unwrap()).unwrap();
    write_datapackage(dir, &m).unwrap();
    package::write_zip(dir, out, &Limits::default()).unwrap();
}

fn check<'a>(r: &'a Report, id: &str) -> Vec<(Verdict, &'a str, &'a str)> {
    r.checks
        .iter()
        .filter(|c| c.id == id)
        .map(|c| (c.verdict, c.subject.as_str(), c.detail.as_str()))
        .collect()
}

struct Setup {
    ca: Ca,
    tsa: DevTsa,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            ca: Ca::generate("test operator CA", now() - 86_400).unwrap(),
            tsa: DevTsa::generate(now() - 86_400).unwrap(),
        }
    }

    fn policy(&self, b: &Built) -> Policy {
        Policy {
            trusted_tsa: vec![self.tsa.root.clone()],
            operator_cas: vec![self.ca.cert.clone()],
            ..b.policy()
        }
    }
}

#[test]
fn a_certified_notarys_review_is_countersigned_after_review_at_trusted_time() {
    let t = tempfile::tempdir().unwrap();
    let s = Setup::new();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let notary = reviewer(Role::Notary, Some((&s.ca, CertRole::Notary)));
    add_review(&b.dir, 1, &notary, Some(&s.tsa), |_| {});
    let out: PathBuf = t.path().join("reviewed.wacz");
    zip(&b.dir, &out);

    let r = verify(&out, &s.policy(&b));
    assert!(failures(&r).is_empty(), "{:#?}", failures(&r));
    let (ok, said) = by_hand(&out);
    assert!(
        ok && said.contains("reviews/001.json: notary sm2 signature over the statement verifies"),
        "{said}"
    );
    for id in [
        "review.record",
        "review.signature",
        "review.identity",
        "review.token",
        "review.time",
    ] {
        let c = check(&r, id);
        assert_eq!(c.len(), 1, "{id}: {c:?}");
        assert_eq!(c[0].0, Verdict::Pass, "{id}: {}", c[0].2);
    }
    let (_, subject, detail) = check(&r, "review.identity")[0];
    assert_eq!(subject, "reviews/001.cert.pem");
    assert!(
        detail.contains("Test Notary (Test Org), tenant notaries"),
        "{detail}"
    );
    let (_, _, detail) = check(&r, "review.time")[0];
    assert!(
        detail.starts_with("countersigned after review by Test Notary (Test Org) no later than ")
            && detail.contains("(trusted time, ")
            && detail.contains("reviewed the timeline and the screenshots; consistent"),
        "{detail}"
    );
    // The role binding of the certificate holds here too.
    assert_eq!(check(&r, "identity.role")[0].0, Verdict::Pass);

    // Under a reader who trusts neither the CA nor the TSA: intact, not trusted — the
    // notary's identity and the review's time are only what the package says.
    let r = verify(&out, &b.policy());
    assert!(failures(&r).is_empty(), "{:#?}", failures(&r));
    assert_eq!(check(&r, "review.token")[0].0, Verdict::Untrusted);
    assert_eq!(check(&r, "review.identity")[0].0, Verdict::Untrusted);
    let (v, _, detail) = check(&r, "review.time")[0];
    assert_eq!(v, Verdict::Untrusted);
    assert!(
        detail.contains("by the reviewer's own clock only"),
        "{detail}"
    );
    // The notary's key trusted as such identifies the notary without the CA.
    let r = verify(
        &out,
        &Policy {
            trusted_notaries: vec![notary.doc.fingerprint],
            trusted_tsa: vec![s.tsa.root.clone()],
            ..b.policy()
        },
    );
    let (v, _, detail) = check(&r, "review.identity")[0];
    assert_eq!(v, Verdict::Pass, "{detail}");
    assert!(detail.contains("configured as trusted"), "{detail}");
}

#[test]
fn a_second_review_follows_the_first_and_a_gap_fails() {
    let t = tempfile::tempdir().unwrap();
    let s = Setup::new();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let notary = reviewer(Role::Notary, Some((&s.ca, CertRole::Notary)));
    let other = reviewer(Role::Notary, Some((&s.ca, CertRole::Notary)));
    add_review(&b.dir, 1, &notary, Some(&s.tsa), |_| {});
    add_review(&b.dir, 2, &other, Some(&s.tsa), |_| {});
    let out = t.path().join("two.wacz");
    zip(&b.dir, &out);
    let r = verify(&out, &s.policy(&b));
    assert!(failures(&r).is_empty(), "{:#?}", failures(&r));
    assert_eq!(check(&r, "review.time").len(), 2);
    // Review 1 gone (every file of it): review 2 follows nothing.
    for f in std::fs::read_dir(b.dir.join("reviews")).unwrap() {
        let f = f.unwrap().path();
        if f.file_name().unwrap().to_str().unwrap().starts_with("001") {
            std::fs::remove_file(f).unwrap();
        }
    }
    let out = t.path().join("gap.wacz");
    zip(&b.dir, &out);
    let r = verify(&out, &s.policy(&b));
    let c = check(&r, "review.record");
    assert_eq!(c[0].0, Verdict::Fail, "{c:?}");
    assert!(c[0].2.contains("numbers must run from 1"), "{}", c[0].2);
}

/// What a review that lies looks like, each on its own: the verifier fails it, saying why.
#[test]
fn a_review_that_lies_fails() {
    let t = tempfile::tempdir().unwrap();
    let s = Setup::new();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let notary = reviewer(Role::Notary, Some((&s.ca, CertRole::Notary)));
    let clean = t.path().join("clean");
    copy_dir(&b.dir, &clean);
    let policy = s.policy(&b);
    // Each case: a fresh copy, the lie, and (check, its subject, words of its detail).
    let case = |name: &str, lie: &dyn Fn(&Path)| -> Report {
        let dir = t.path().join(name);
        copy_dir(&clean, &dir);
        lie(&dir);
        let out = t.path().join(format!("{name}.wacz"));
        zip(&dir, &out);
        // Standard tools alone (docs/verify-by-hand.sh) refuse it too.
        let (ok, said) = by_hand(&out);
        assert!(
            !ok,
            "{name}: webproof fails it, the by-hand script passes it: {said}"
        );
        verify(&out, &policy)
    };
    let fails = |r: &Report, id: &str, words: &str| {
        let hit = r
            .failures()
            .find(|c| c.id == id && c.detail.contains(words));
        assert!(
            hit.is_some(),
            "no failed {id} saying {words:?}: {:#?}",
            failures(r)
        );
    };

    // The statement changed after it was signed.
    let r = case("altered", &|d| {
        add_review(d, 1, &notary, Some(&s.tsa), |_| {});
        let p = d.join(review::json_path(1));
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, text.replace("consistent", "inconsistent")).unwrap();
    });
    fails(&r, "review.signature", "one of them was altered");
    // A review of another package (its manifest digests), signed as such.
    let r = case("other", &|d| {
        add_review(d, 1, &notary, Some(&s.tsa), |r| {
            r.manifest = digest_bytes(b"another manifest");
        });
    });
    fails(&r, "review.record", "reviews another manifest");
    // Another capture, number or format.
    let r = case("capture", &|d| {
        add_review(d, 1, &notary, Some(&s.tsa), |r| r.capture = "00".repeat(16));
    });
    fails(&r, "review.record", "wrong format");
    let r = case("number", &|d| {
        add_review(d, 1, &notary, Some(&s.tsa), |r| r.n = 2);
    });
    fails(&r, "review.record", "wrong format");
    // A version or a format of its own, each alone.
    let r = case("version", &|d| {
        add_review(d, 1, &notary, Some(&s.tsa), |r| r.v = review::VERSION + 1);
    });
    fails(&r, "review.record", "wrong format");
    let r = case("format", &|d| {
        add_review(d, 1, &notary, Some(&s.tsa), |r| {
            r.format = "webproof-review-draft".into()
        });
    });
    fails(&r, "review.record", "wrong format");
    // The operator reviewing their own package under a notary's name: the operator's key.
    let operator_key = b.keys[0].1.clone();
    let op_doc = {
        let (_, mut d) = identity(Role::Notary, Algorithm::Ed25519, "Test Notary");
        let pk = operator_key.public_key();
        d.public_key = pk.to_pem().unwrap();
        d.fingerprint = pk.fingerprint().unwrap();
        d
    };
    let op_as_notary = Reviewer {
        key: operator_key,
        doc: op_doc,
        cert: None,
    };
    let r = case("own", &|d| {
        add_review(d, 1, &op_as_notary, Some(&s.tsa), |_| {});
    });
    fails(&r, "review.record", "the operator's own");
    // Signed as an operator, not a notary.
    let r = case("role", &|d| {
        add_review(d, 1, &notary, Some(&s.tsa), |r| r.role = Role::Operator);
    });
    fails(&r, "review.record", "a review is a notary's");
    // A notary whose certificate is an operator's.
    let op_cert = reviewer(Role::Notary, Some((&s.ca, CertRole::Operator)));
    let r = case("cert-role", &|d| {
        add_review(d, 1, &op_cert, Some(&s.tsa), |_| {});
    });
    fails(&r, "identity.role", "presented for the notary's signature");
    // The identity document is someone else's key.
    let r = case("identity", &|d| {
        add_review(d, 1, &notary, Some(&s.tsa), |_| {});
        let (_, stranger) = identity(Role::Notary, Algorithm::Sm2, "Test Notary");
        std::fs::write(
            d.join(review::identity_path(1)),
            webproof_evidence::canonical::to_jcs(&stranger).unwrap(),
        )
        .unwrap();
    });
    fails(&r, "review.identity", "disagree");
    // A token over something else than the signature.
    let r = case("token", &|d| {
        add_review(d, 1, &notary, None, |_| {});
        let req = webproof_timestamp::request(
            HashAlg::Sha256,
            &HashAlg::Sha256.digest(b"something else"),
            None,
            None,
        )
        .unwrap();
        std::fs::write(
            d.join(review::token_path(1, 1, "tsr")),
            s.tsa.respond(&req.der, now() * 1_000_000),
        )
        .unwrap();
    });
    let c = check(&r, "review.token");
    assert_eq!(c[0].0, Verdict::Fail, "{c:?}");
    // Files under reviews/ that nothing checks.
    let r = case("stray", &|d| {
        add_review(d, 1, &notary, Some(&s.tsa), |_| {});
        std::fs::write(d.join("reviews/notes.txt"), b"x").unwrap();
        std::fs::write(d.join("reviews/004.sig"), b"x").unwrap();
        std::fs::write(d.join("reviews/001-7.tsq"), b"x").unwrap();
    });
    fails(
        &r,
        "file.unlisted",
        "not one of the file names a review has",
    );
    fails(&r, "file.unlisted", "belongs to no review statement");
    fails(&r, "file.unlisted", "no token beside it");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// Two trusted tokens over a review's signature, from two TSAs: the review's time is the
/// earlier one, whichever token comes first.
#[test]
fn the_earliest_trusted_token_over_a_review_is_its_time() {
    let t = tempfile::tempdir().unwrap();
    let s = Setup::new();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let second = DevTsa::generate(now() - 86_400).unwrap();
    let notary = reviewer(Role::Notary, Some((&s.ca, CertRole::Notary)));
    // Token 1 (the first TSA) now; token 2 (the second TSA) half a minute before (still within
    // the notary certificate's validity, which the review's time is checked against).
    let sig = add_review(&b.dir, 1, &notary, Some(&s.tsa), |_| {});
    let req = webproof_timestamp::request(
        HashAlg::Sha256,
        &HashAlg::Sha256.digest(&sig),
        Some(vec![1, 2, 3]),
        None,
    )
    .unwrap();
    let earlier = now() - 30;
    std::fs::write(b.dir.join(review::token_path(1, 2, "tsq")), &req.der).unwrap();
    std::fs::write(
        b.dir.join(review::token_path(1, 2, "tsr")),
        second.respond(&req.der, earlier * 1_000_000),
    )
    .unwrap();
    let out = t.path().join("two-tokens.wacz");
    zip(&b.dir, &out);
    let policy = Policy {
        trusted_tsa: vec![s.tsa.root.clone(), second.root.clone()],
        ..s.policy(&b)
    };
    let r = verify(&out, &policy);
    assert!(failures(&r).is_empty(), "{:#?}", failures(&r));
    assert_eq!(check(&r, "review.token").len(), 2);
    let (v, _, detail) = check(&r, "review.time")[0];
    assert_eq!(v, Verdict::Pass, "{detail}");
    // The earlier token's time, to the second.
    let second_ = webproof_evidence::Utc::from_unix(earlier as u64)
        .unwrap()
        .to_string()[..19]
        .to_owned();
    assert!(
        detail.contains(&format!("no later than {second_}")),
        "{detail}"
    );
}
