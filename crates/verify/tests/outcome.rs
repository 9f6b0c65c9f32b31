//! The verdict ladder: VERIFIED only for a capture that did what it set out to do. A package
//! that is intact but records a failed environment check (overridden or not), a navigation
//! that reached no page, an interruption or nothing captured at all is INTACT WITH FINDINGS,
//! each finding named; missing trusted time counts like a missing receipt.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::{Map, Value, json};
use webproof_evidence::capture::Capture;
use webproof_evidence::identity::{Algorithm, Role};
use webproof_evidence::journal::Recovery;
use webproof_evidence::package::{self, Limits};
use webproof_evidence::record::StepKind;
use webproof_evidence::{Hash32, Utc};
use webproof_verify::{Policy, Report, Verdict};

fn params(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

/// A browser-like capture built step by step by `steps`, sealed and zipped; returns the
/// package and the operator's fingerprint.
fn sealed(root: &Path, steps: impl FnOnce(&mut Capture)) -> (PathBuf, Hash32) {
    let dir = root.join("cap");
    let mut cap = Capture::create(&dir).unwrap();
    steps(&mut cap);
    let (key, doc) = identity(Role::Operator, Algorithm::Ed25519, "Op");
    cap.seal(&seal_input(&key, &doc)).unwrap();
    let wacz = root.join("cap.wacz");
    package::write_zip(&dir, &wacz, &Limits::default()).unwrap();
    (wacz, doc.fingerprint)
}

fn environment(cap: &mut Capture, worst: &str, overridden: Option<&str>) {
    let p = params(json!({
        "worst": worst,
        "findings": [{"id": "dns", "grade": worst}, {"id": "clock", "grade": "ok"}],
        "override": overridden,
    }));
    cap.add_step(
        StepKind::Environment,
        Utc::now(),
        None,
        p,
        &[("environment.json", "application/json", b"{}")],
    )
    .unwrap();
}

fn navigate(cap: &mut Capture, url: &str) {
    cap.add_step(
        StepKind::Navigate,
        Utc::now(),
        Some(url.into()),
        params(json!({"requested_url": url, "title": ""})),
        &[("viewport.png", "image/png", b"\x89PNG picture")],
    )
    .unwrap();
}

fn outcome(r: &Report) -> Vec<(Verdict, String, String)> {
    r.checks
        .iter()
        .filter(|c| c.id == "capture.outcome")
        .map(|c| (c.verdict, c.subject.clone(), c.detail.clone()))
        .collect()
}

fn policy(fpr: Hash32) -> Policy {
    Policy {
        trusted_operators: vec![fpr],
        ..Policy::default()
    }
}

#[test]
fn a_capture_that_did_what_it_set_out_to_do_is_verified() {
    let t = tempfile::tempdir().unwrap();
    let (p, fpr) = sealed(t.path(), |cap| {
        environment(cap, "ok", None);
        navigate(cap, "https://shop.example/item/42");
    });
    let r = verify(&p, &policy(fpr));
    let o = outcome(&r);
    assert_eq!(o.len(), 1);
    assert_eq!(o[0].0, Verdict::Pass, "{o:?}");
    assert_eq!(r.verdict(), Verdict::Pass, "{:#?}", failures(&r));
    // A file seal, too (no environment check: it captured files, not a page).
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    assert_eq!(verify(&b.wacz, &b.policy()).verdict(), Verdict::Pass);
}

#[test]
fn a_failed_environment_check_is_a_finding_overridden_or_not() {
    for (overridden, says) in [
        (None, "the environment check failed (dns)"),
        (
            Some("the target blocks our resolver"),
            "the operator overrode it: the target blocks our resolver",
        ),
    ] {
        let t = tempfile::tempdir().unwrap();
        let (p, fpr) = sealed(t.path(), |cap| {
            environment(cap, "fail", overridden);
            navigate(cap, "https://shop.example/");
        });
        let r = verify(&p, &policy(fpr));
        let o = outcome(&r);
        assert_eq!(o.len(), 1, "{o:?}");
        assert_eq!(o[0].0, Verdict::Finding);
        assert!(o[0].1.ends_with("step 0"), "{o:?}");
        assert!(o[0].2.contains(says), "{o:?}");
        assert_eq!(r.verdict(), Verdict::Finding);
        assert_eq!(r.findings().count(), 1);
    }
}

/// A capture whose only evidence is its network archive: evidence when the archive holds
/// responses, nothing captured when it holds none (bookkeeping with files is not evidence).
#[test]
fn a_network_archive_is_evidence_only_when_it_holds_responses() {
    for (responses, empty) in [(0u64, true), (3, false)] {
        let t = tempfile::tempdir().unwrap();
        let (p, fpr) = sealed(t.path(), |cap| {
            environment(cap, "ok", None);
            cap.add_note("the page is behind a login").unwrap();
            cap.add_step(
                StepKind::NetworkArchive,
                Utc::now(),
                None,
                params(json!({"responses": responses, "failed_requests": 0})),
                &[("data.warc", "application/warc", b"WARC/1.1\r\n")],
            )
            .unwrap();
        });
        let r = verify(&p, &policy(fpr));
        let o = outcome(&r);
        assert_eq!(o.len(), 1, "{responses}: {o:?}");
        if empty {
            assert_eq!(o[0].0, Verdict::Finding, "{o:?}");
            assert!(o[0].2.contains("holds no evidence"), "{o:?}");
        } else {
            assert_eq!(o[0].0, Verdict::Pass, "{o:?}");
            assert_eq!(r.verdict(), Verdict::Pass, "{:#?}", failures(&r));
        }
    }
}

#[test]
fn an_interruption_an_error_page_and_an_empty_capture_are_findings() {
    // Stopped by the environment check: nothing captured, and the interruption says why.
    let t = tempfile::tempdir().unwrap();
    let (p, fpr) = sealed(t.path(), |cap| {
        environment(cap, "fail", None);
        cap.record_interruption(
            "the environment check failed",
            &Recovery { torn_tail: None },
        )
        .unwrap();
    });
    let r = verify(&p, &policy(fpr));
    let details: Vec<String> = outcome(&r).into_iter().map(|o| o.2).collect();
    assert_eq!(details.len(), 3, "{details:?}");
    assert!(details[0].contains("environment check failed"));
    assert!(details[1].contains("interrupted: the environment check failed"));
    assert!(details[2].contains("holds no evidence"));
    assert_eq!(r.verdict(), Verdict::Finding);

    // A navigation that ended on the browser's error page.
    let t = tempfile::tempdir().unwrap();
    let (p, fpr) = sealed(t.path(), |cap| {
        environment(cap, "ok", None);
        navigate(cap, "chrome-error://chromewebdata/");
    });
    let r = verify(&p, &policy(fpr));
    let o = outcome(&r);
    assert_eq!(o.len(), 1, "{o:?}");
    assert!(o[0].2.contains("reached no web page"), "{o:?}");
    assert!(o[0].1.ends_with("step 1"), "{o:?}");
    assert_eq!(r.verdict(), Verdict::Finding);

    // An error page the browser shows under the requested URL: the step's load_error says so.
    let t = tempfile::tempdir().unwrap();
    let (p, fpr) = sealed(t.path(), |cap| {
        environment(cap, "ok", None);
        cap.add_step(
            StepKind::Navigate,
            Utc::now(),
            Some("http://127.0.0.1:9/gone".into()),
            params(json!({
                "requested_url": "http://127.0.0.1:9/gone",
                "title": "127.0.0.1",
                "load_error": "the browser could not load http://127.0.0.1:9/gone (ERR_EMPTY_RESPONSE)",
            })),
            &[("viewport.png", "image/png", b"\x89PNG picture")],
        )
        .unwrap();
    });
    let r = verify(&p, &policy(fpr));
    let o = outcome(&r);
    assert_eq!(o.len(), 1, "{o:?}");
    assert!(
        o[0].2
            .contains("reached no web page: the browser could not load")
            && o[0].2.contains("ERR_EMPTY_RESPONSE"),
        "{o:?}"
    );
    assert_eq!(r.verdict(), Verdict::Finding);
}

#[test]
fn untrusted_outranks_findings_and_a_failure_outranks_both() {
    let t = tempfile::tempdir().unwrap();
    let (p, fpr) = sealed(t.path(), |cap| {
        environment(cap, "fail", Some("known"));
        navigate(cap, "https://shop.example/");
    });
    // The operator not trusted: INTACT, NOT TRUSTED, with the finding still listed.
    let r = verify(&p, &Policy::default());
    assert_eq!(r.verdict(), Verdict::Untrusted);
    assert_eq!(r.findings().count(), 1);
    // Tampered: FAILED.
    let t2 = tempfile::tempdir().unwrap();
    let entries: Vec<(String, Vec<u8>)> = read_zip(&p)
        .into_iter()
        .map(|(n, mut b)| {
            if n.ends_with("viewport.png") {
                b.push(0);
            }
            (n, b)
        })
        .collect();
    let q = t2.path().join("t.wacz");
    write_zip(&q, &entries);
    assert_eq!(verify(&q, &policy(fpr)).verdict(), Verdict::Fail);
}

#[test]
fn no_time_stamp_under_trusted_tsa_roots_is_not_verified() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    // Trusting no TSA: the package makes no claim about trusted time, like one with no log.
    assert_eq!(verify(&b.wacz, &b.policy()).verdict(), Verdict::Pass);
    // Trusting a TSA: a package without any token is not verified.
    let tsa = webproof_timestamp::dev::DevTsa::generate(0).unwrap();
    let p = Policy {
        trusted_tsa: vec![tsa.root.clone()],
        ..b.policy()
    };
    let r = verify(&b.wacz, &p);
    let c = r
        .checks
        .iter()
        .find(|c| c.id == "timestamp.coverage")
        .unwrap();
    assert_eq!(c.verdict, Verdict::Untrusted, "{}", c.detail);
    assert!(c.detail.contains("configured as trusted"), "{}", c.detail);
    assert_eq!(r.verdict(), Verdict::Untrusted);
}

#[test]
fn trusting_another_signer_names_the_key_expected_and_never_advises_the_packages_own() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let fp = b.operator.to_hex();
    let id = |r: &Report| {
        r.checks
            .iter()
            .find(|c| c.id == "identity.operator")
            .unwrap()
            .clone()
    };
    // Another operator is trusted: this one is named as not theirs.
    let someone = Hash32([7; 32]);
    let r = verify(
        &b.wacz,
        &Policy {
            trusted_operators: vec![someone],
            ..Policy::default()
        },
    );
    let c = id(&r);
    assert_eq!(c.verdict, Verdict::Untrusted);
    assert!(
        c.detail.contains(&format!(
            "signed with key {fp}, which is not a key you trust"
        )) && c.detail.contains(&someone.to_hex()),
        "{}",
        c.detail
    );
    // Nobody is trusted: the fingerprint is shown, never as advice to trust it.
    for r in [r, verify(&b.wacz, &Policy::default())] {
        let c = id(&r);
        assert!(
            !c.detail.contains(&format!("--trust-operator {fp}")),
            "{}",
            c.detail
        );
    }
}

/// The sealer's verdict in the report sealed inside a package (docs §6d): judged before the
/// seal step, on the chain, the time-stamps so far under the sealer's TSA roots and what the
/// capture did.
#[test]
fn the_sealers_verdict_before_the_seal_step_judges_what_exists_then() {
    use webproof_timestamp::HashAlg;
    use webproof_verify::verify_before_seal;
    let judge = |dir: &Path, policy: &Policy, stamp_at_seal: bool| {
        let src = package::DirSource::open(dir, &Limits::default()).unwrap();
        verify_before_seal(&src, policy, stamp_at_seal)
    };
    let coverage = |r: &Report| {
        r.checks
            .iter()
            .find(|c| c.id == "timestamp.coverage")
            .map(|c| (c.verdict, c.detail.clone()))
            .unwrap()
    };
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("cap");
    let mut cap = Capture::create(&dir).unwrap();
    environment(&mut cap, "ok", None);
    navigate(&mut cap, "https://shop.example/item/42");
    let tsa = webproof_timestamp::dev::DevTsa::generate(0).unwrap();
    let trusting = Policy {
        trusted_tsa: vec![tsa.root.clone()],
        ..Policy::default()
    };

    // No TSA at all: nothing expected of time unless the sealer trusts TSAs.
    let r = judge(&dir, &Policy::default(), false);
    assert_eq!(r.verdict(), Verdict::Pass, "{:#?}", r.checks);
    assert_eq!(r.capture.as_deref(), Some(cap.id()));
    assert_eq!(r.chain_head, cap.head());
    assert_eq!(judge(&dir, &trusting, false).verdict(), Verdict::Untrusted);
    // TSAs to stamp the seal step: they cover every step, if the sealer trusts them.
    let r = judge(&dir, &trusting, true);
    assert_eq!(r.verdict(), Verdict::Pass, "{:#?}", r.checks);
    assert!(coverage(&r).1.contains("no time-stamps yet"));
    let r = judge(&dir, &Policy::default(), true);
    assert_eq!(coverage(&r).0, Verdict::Untrusted);
    assert_eq!(r.verdict(), Verdict::Untrusted);

    // A token over step 0 so far: judged under the sealer's roots; step 1 waits for the seal.
    let head0 = webproof_evidence::journal::parse(
        &std::fs::read(dir.join("evidence/journal.jsonl")).unwrap(),
    )
    .unwrap()
    .heads[0];
    let req = webproof_timestamp::request(HashAlg::Sha256, &head0.sha256.0, None, None).unwrap();
    let resp = tsa.respond(&req.der, 1_000_000);
    cap.add_timestamp(0, 1, "dev", &req.der, &resp).unwrap();
    let r = judge(&dir, &trusting, true);
    assert_eq!(r.verdict(), Verdict::Pass, "{:#?}", r.checks);
    let (v, detail) = coverage(&r);
    assert_eq!(v, Verdict::Pass);
    assert!(
        detail.contains("step 1: no trusted time-stamp")
            && detail.contains("the time-stamps over the seal step"),
        "{detail}"
    );
    assert_eq!(
        r.time[0].token.as_deref().map(|t| t.ends_with(".tsr")),
        Some(true)
    );
    // Untrusted roots: the token is untrusted; without TSAs at the seal, step 1 lacks time.
    assert_eq!(
        judge(&dir, &Policy::default(), true).verdict(),
        Verdict::Untrusted
    );
    assert_eq!(
        coverage(&judge(&dir, &trusting, false)).0,
        Verdict::Untrusted
    );

    // What the capture did is judged as in a sealed package.
    let t2 = tempfile::tempdir().unwrap();
    let dir2 = t2.path().join("cap");
    let mut cap2 = Capture::create(&dir2).unwrap();
    environment(&mut cap2, "fail", Some("known"));
    navigate(&mut cap2, "https://shop.example/");
    let r = judge(&dir2, &Policy::default(), false);
    assert_eq!(r.verdict(), Verdict::Finding);
    assert!(outcome(&r)[0].2.contains("the operator overrode it: known"));

    // Sealed already, or no journal: not a capture before its seal step.
    let (key, doc) = identity(Role::Operator, Algorithm::Ed25519, "Op");
    cap2.seal_step(&seal_input(&key, &doc)).unwrap();
    let r = judge(&dir2, &Policy::default(), false);
    assert_eq!(r.verdict(), Verdict::Fail);
    assert_eq!(
        r.first_failure().unwrap(),
        "journal.chain evidence/journal.jsonl: already sealed"
    );
    std::fs::remove_file(dir2.join("evidence/journal.jsonl")).unwrap();
    let r = judge(&dir2, &Policy::default(), false);
    assert_eq!(r.verdict(), Verdict::Fail);
    assert!(r.first_failure().unwrap().starts_with("journal.chain"));
}
