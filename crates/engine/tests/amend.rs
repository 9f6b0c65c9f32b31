//! Amending sealed packages in process, against a development TSA, a log and a witness on
//! loopback: a receipt refresh once the log has grown, then a renewal under SM3, both
//! verifying under the alliance's keys; nothing newer to refresh, a package that does not
//! verify, no TSA and no receipts are refused with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use std::path::Path;

use common::*;
use webproof_engine::amend::{self, AmendError, Renewal};
use webproof_evidence::renewal::RenewalAlg;
use webproof_verify::{Policy, Verdict};

/// The verdicts of the checks `id` of `package`, which must not fail as a whole.
fn verified(package: &Path, policy: &Policy, id: &str) -> Vec<Verdict> {
    let report = webproof_verify::verify_path(package, policy).unwrap();
    assert_ne!(report.verdict(), Verdict::Fail, "{report:#?}");
    report
        .checks
        .iter()
        .filter(|c| c.id == id)
        .map(|c| c.verdict)
        .collect()
}

#[test]
fn a_refresh_once_the_log_grew_and_a_renewal_under_sm3_both_verify() {
    let a = Alliance::start();
    let t = tempfile::tempdir().unwrap();
    let (one, policy, _) = sealed(&a, t.path(), "one.wacz", true);
    // Another capture's deposits grow the log past the first package's receipts.
    sealed(&a, t.path(), "two.wacz", true);
    let refreshed = t.path().join("one-refreshed.wacz");
    let r = amend::refresh(&one, &refreshed, &a.log_url, &a.trust, a.rt.handle()).unwrap();
    assert_eq!(r.n, 1);
    assert!(r.earlier.iter().all(|s| *s < r.size), "{r:?}");
    assert!(!r.witnesses.is_empty(), "{r:?}");
    assert_eq!(
        verified(&refreshed, &policy, "receipt.refresh"),
        [Verdict::Pass]
    );
    // Nothing newer since: refused, nothing written.
    let again = t.path().join("again.wacz");
    let e = amend::refresh(&refreshed, &again, &a.log_url, &a.trust, a.rt.handle()).unwrap_err();
    assert!(matches!(e, AmendError::NothingToRefresh { .. }), "{e}");
    assert!(!again.exists());

    let renewed = t.path().join("one-renewed.wacz");
    let urls = [a.tsa_url.clone()];
    let renewal = Renewal {
        package: &refreshed,
        out: &renewed,
        tsa_urls: &urls,
        alg: RenewalAlg::Sm3,
        roots: std::slice::from_ref(&a.tsa_root),
    };
    let said = Said::default();
    let r = amend::renew(&renewal, &record(&said), a.rt.handle()).unwrap();
    assert_eq!((r.n, r.stamped, r.alg), (1, 1, RenewalAlg::Sm3));
    assert_eq!(*said.borrow(), ["renewal 1 stamped"]);
    let record_verdicts = verified(&renewed, &policy, "renewal.record");
    assert!(
        !record_verdicts.is_empty() && record_verdicts.iter().all(|v| *v == Verdict::Pass),
        "{record_verdicts:?}"
    );
    // The renewed package exists now: never overwritten.
    let e = amend::renew(&renewal, &record(&said), a.rt.handle()).unwrap_err();
    assert!(matches!(e, AmendError::OutExists(_)), "{e}");
    // No work directory is left beside the packages.
    let left: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("work"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_package_that_does_not_verify_no_tsa_and_no_receipts_are_refused_with_nothing_written() {
    let a = Alliance::start();
    let t = tempfile::tempdir().unwrap();
    let (plain, _, _) = sealed(&a, t.path(), "plain.wacz", false);
    // An artifact's bytes changed in the ZIP (stored, so they are there as written).
    let mut zip = std::fs::read(&plain).unwrap();
    let at = zip
        .windows(5)
        .position(|w| w == [0x89, b'P', b'N', b'G', 0])
        .expect("the first step's artifact is stored");
    zip[at + 4] = 9;
    let tampered = t.path().join("tampered.wacz");
    std::fs::write(&tampered, zip).unwrap();

    let out = t.path().join("out.wacz");
    let urls = [a.tsa_url.clone()];
    let renewal = |package: &Path, urls: &[String]| {
        let r = Renewal {
            package,
            out: &out,
            tsa_urls: urls,
            alg: RenewalAlg::Sha256,
            roots: std::slice::from_ref(&a.tsa_root),
        };
        amend::renew(&r, &|_| {}, a.rt.handle()).unwrap_err()
    };
    let e = renewal(&tampered, &urls);
    assert!(matches!(e, AmendError::Fails { .. }), "{e}");
    let e = renewal(&plain, &[]);
    assert!(matches!(e, AmendError::NoTsa), "{e}");
    let e = amend::refresh(&tampered, &out, &a.log_url, &a.trust, a.rt.handle()).unwrap_err();
    assert!(matches!(e, AmendError::Fails { .. }), "{e}");
    let e = amend::refresh(&plain, &out, &a.log_url, &a.trust, a.rt.handle()).unwrap_err();
    assert!(matches!(e, AmendError::NoReceipts(_)), "{e}");
    assert!(!out.exists());
}

/// A notary's countersignature after review, in process: the statement names the manifest and
/// the verdict the notary saw, the TSA stamps the signature, the result verifies with the
/// notary trusted; an operator's identity, the operator's own key, a failing package and no
/// TSA are refused with nothing written.
#[test]
fn a_notary_countersigns_after_review_and_what_must_not_be_is_refused() {
    use webproof_engine::amend::Countersign;
    use webproof_evidence::identity::{Algorithm, Role, SecretKey};
    let a = Alliance::start();
    let t = tempfile::tempdir().unwrap();
    let (pkg, policy, _) = sealed(&a, t.path(), "p.wacz", true);
    let key = SecretKey::generate(Algorithm::Sm2).unwrap();
    let mut doc = identity(&key);
    doc.role = Role::Notary;
    doc.algorithm = Algorithm::Sm2;
    doc.name = "Engine Notary".into();
    let urls = [a.tsa_url.clone()];
    let out = t.path().join("reviewed.wacz");
    let said = Said::default();
    let c = Countersign {
        package: &pkg,
        out: &out,
        tsa_urls: &urls,
        policy: &policy,
        key: &key,
        identity: &doc,
        certificate: None,
        statement: "reviewed",
    };
    let done = amend::countersign(&c, &record(&said), a.rt.handle()).unwrap();
    assert_eq!((done.n, done.stamped), (1, 1));
    assert_eq!(done.verdict_seen, "VERIFIED");
    assert_eq!(*said.borrow(), ["review 1 stamped"]);
    let trusted = Policy {
        trusted_notaries: vec![doc.fingerprint],
        ..policy.clone()
    };
    for id in [
        "review.record",
        "review.signature",
        "review.identity",
        "review.token",
        "review.time",
    ] {
        assert_eq!(verified(&out, &trusted, id), [Verdict::Pass], "{id}");
    }
    // A second review follows the first.
    let out2 = t.path().join("reviewed2.wacz");
    let done = amend::countersign(
        &Countersign {
            package: &out,
            out: &out2,
            ..c
        },
        &|_| {},
        a.rt.handle(),
    )
    .unwrap();
    assert_eq!(done.n, 2);
    assert_eq!(
        verified(&out2, &trusted, "review.time"),
        [Verdict::Pass, Verdict::Pass]
    );

    let refused = t.path().join("refused.wacz");
    let refuse = |c: Countersign<'_>| amend::countersign(&c, &|_| {}, a.rt.handle()).unwrap_err();
    let base = Countersign {
        package: &pkg,
        out: &refused,
        tsa_urls: &urls,
        policy: &policy,
        key: &key,
        identity: &doc,
        certificate: None,
        statement: "reviewed",
    };
    let mut operator_doc = doc.clone();
    operator_doc.role = Role::Operator;
    let e = refuse(Countersign {
        identity: &operator_doc,
        ..base
    });
    assert!(matches!(e, AmendError::NotNotary("operator")), "{e}");
    let e = refuse(Countersign {
        tsa_urls: &[],
        ..base
    });
    assert!(matches!(e, AmendError::NoTsa), "{e}");
    let mut bytes = std::fs::read(&pkg).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 1;
    let bad = t.path().join("bad.wacz");
    std::fs::write(&bad, bytes).unwrap();
    let e = refuse(Countersign {
        package: &bad,
        ..base
    });
    assert!(
        matches!(e, AmendError::Fails { .. } | AmendError::Verify(_)),
        "{e}"
    );
    assert!(!refused.exists());
}
