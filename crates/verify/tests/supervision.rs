//! Live supervision as the verifier judges it (docs/supervision.md): a notary's statements in
//! the chain — present, a countersigned checkpoint, a refusal — each signed by the notary who
//! countersigns the manifest; a "notary-present" step forged with the operator's key, a
//! statement about another chain head, and another notary's statement fail; a refusal makes a
//! package that is intact and says "notary refused: <reason>".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use webproof_evidence::capture::{Capture, SealInput, SignerKey};
use webproof_evidence::identity::{Algorithm, IdentityDoc, Role, SecretKey};
use webproof_evidence::manifest::Case;
use webproof_evidence::package::{self, Limits};
use webproof_evidence::supervision::{Event, FORMAT, Signed, Statement, VERSION};
use webproof_evidence::{Digests, Utc};
use webproof_verify::{Policy, Report, Verdict};

struct Person {
    key: SecretKey,
    doc: IdentityDoc,
}

fn person(role: Role, name: &str) -> Person {
    let (key, doc) = identity(role, Algorithm::Ed25519, name);
    Person { key, doc }
}

/// `who` signs `event` about step `seq` whose chain head is `head`.
fn statement(
    cap: &Capture,
    who: &Person,
    event: Event,
    seq: u64,
    head: Digests,
    reason: Option<&str>,
) -> Signed {
    let st = Statement {
        v: VERSION,
        format: FORMAT.into(),
        event,
        capture: cap.id().to_owned(),
        seq,
        head,
        notary: who.doc.fingerprint,
        time: Utc::now(),
        reason: reason.map(str::to_owned),
    };
    let bytes = st.to_bytes().unwrap();
    Signed {
        signature: who.key.sign(&bytes).unwrap(),
        bytes,
        identity: who.doc.clone(),
        certificate: None,
    }
}

/// A file captured under supervision: `steps` adds the supervision steps (given the capture
/// and the head after the file step), then the package is sealed by the operator and, when
/// `countersigner` is given, that notary.
fn supervised(
    root: &Path,
    operator: &Person,
    countersigner: Option<&Person>,
    steps: impl FnOnce(&mut Capture, Digests),
) -> PathBuf {
    let src = root.join("page.txt");
    std::fs::write(&src, b"what the page showed\n").unwrap();
    let mut cap = Capture::create(&root.join("cap")).unwrap();
    cap.add_file(&src).unwrap();
    let head = cap.head().unwrap();
    steps(&mut cap, head);
    fn key(p: &Person) -> SignerKey<'_> {
        SignerKey {
            key: &p.key,
            identity: &p.doc,
            certificate: None,
        }
    }
    let input = SealInput {
        case: Case {
            id: Some("CASE-L".into()),
            note: None,
        },
        tool_version: "test".into(),
        operator: SignerKey {
            key: &operator.key,
            identity: &operator.doc,
            certificate: None,
        },
        notary: countersigner.map(key),
    };
    cap.seal(&input).unwrap();
    let out = root.join("p.wacz");
    package::write_zip(&root.join("cap"), &out, &Limits::default()).unwrap();
    out
}

fn policy(operator: &Person, notary: &Person) -> Policy {
    Policy {
        trusted_operators: vec![operator.doc.fingerprint],
        trusted_notaries: vec![notary.doc.fingerprint],
        ..Policy::default()
    }
}

fn checks<'a>(r: &'a Report, id: &str) -> Vec<(Verdict, &'a str)> {
    r.checks
        .iter()
        .filter(|c| c.id == id)
        .map(|c| (c.verdict, c.detail.as_str()))
        .collect()
}

#[test]
fn a_notary_present_who_countersigns_makes_a_supervised_package() {
    let t = tempfile::tempdir().unwrap();
    let (op, no) = (
        person(Role::Operator, "Operator"),
        person(Role::Notary, "王公证"),
    );
    let p = supervised(t.path(), &op, Some(&no), |cap, head| {
        let s = statement(cap, &no, Event::Present, 0, head, None);
        let (_, after) = cap.add_supervision(&s, Event::Present).unwrap();
        // A checkpoint countersigned as it came, then the final countersignature.
        let s = statement(cap, &no, Event::Checkpoint, 1, after, None);
        let (_, after) = cap.add_supervision(&s, Event::Checkpoint).unwrap();
        let s = statement(cap, &no, Event::Countersign, 2, after, None);
        cap.add_supervision(&s, Event::Countersign).unwrap();
    });
    let r = verify(&p, &policy(&op, &no));
    assert!(failures(&r).is_empty(), "{:#?}", failures(&r));
    let st = checks(&r, "supervision.statement");
    assert_eq!(st.len(), 3);
    assert!(st.iter().all(|(v, _)| *v == Verdict::Pass), "{st:?}");
    assert!(
        st[0].1.contains("present, having seen the steps up to 0"),
        "{st:?}"
    );
    assert!(
        st[1]
            .1
            .contains("countersigned the chain head after step 1 as it arrived (a checkpoint)"),
        "{st:?}"
    );
    assert!(
        st[2]
            .1
            .contains("countersigned the chain head after step 2"),
        "{st:?}"
    );
    let live = checks(&r, "supervision.live");
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].0, Verdict::Pass);
    assert!(
        live[0]
            .1
            .starts_with("supervised live by notary 王公证 (Test Org) from step 1; chain heads countersigned after steps 1, 2;"),
        "{}",
        live[0].1
    );
    assert_eq!(r.verdict(), Verdict::Pass);
    let (ok, said) = by_hand(&p);
    assert!(
        ok && said.contains("notary present statement signed by 王公证")
            && said.contains("notary checkpoint statement signed by 王公证"),
        "{said}"
    );
    // A package without supervision steps says nothing of supervision.
    let t2 = tempfile::tempdir().unwrap();
    let plain = supervised(t2.path(), &op, Some(&no), |_, _| {});
    let r = verify(&plain, &policy(&op, &no));
    assert!(checks(&r, "supervision.live").is_empty());
}

#[test]
fn a_notary_present_step_forged_with_the_operators_key_fails() {
    let t = tempfile::tempdir().unwrap();
    let op = person(Role::Operator, "Operator");
    // The operator's own key under a notary's identity document.
    let forger = Person {
        key: op.key.clone(),
        doc: IdentityDoc {
            role: Role::Notary,
            name: "A Notary".into(),
            ..op.doc.clone()
        },
    };
    let p = supervised(t.path(), &op, None, |cap, head| {
        let s = statement(cap, &forger, Event::Present, 0, head, None);
        cap.add_supervision(&s, Event::Present).unwrap();
    });
    let r = verify(&p, &policy(&op, &forger));
    let st = checks(&r, "supervision.statement");
    assert_eq!(st[0].0, Verdict::Fail);
    assert!(st[0].1.contains("operator's own key"), "{}", st[0].1);
    assert_eq!(r.verdict(), Verdict::Fail);
    let (ok, said) = by_hand(&p);
    assert!(
        !ok && said.contains("signed with the operator's key"),
        "{said}"
    );
}

#[test]
fn a_statement_about_another_head_or_by_another_notary_fails() {
    let (op, no, other) = (
        person(Role::Operator, "Operator"),
        person(Role::Notary, "N"),
        person(Role::Notary, "Other"),
    );
    let t = tempfile::tempdir().unwrap();
    let p = supervised(t.path(), &op, Some(&no), |cap, _| {
        let wrong = webproof_evidence::digest::digest_bytes(b"another chain");
        let s = statement(cap, &no, Event::Present, 0, wrong, None);
        cap.add_supervision(&s, Event::Present).unwrap();
    });
    let r = verify(&p, &policy(&op, &no));
    let st = checks(&r, "supervision.statement");
    assert_eq!(st[0].0, Verdict::Fail);
    assert!(st[0].1.contains("chain head"), "{}", st[0].1);
    let (ok, said) = by_hand(&p);
    assert!(!ok && said.contains("another chain head"), "{said}");

    let t = tempfile::tempdir().unwrap();
    let p = supervised(t.path(), &op, Some(&no), |cap, head| {
        let s = statement(cap, &other, Event::Present, 0, head, None);
        cap.add_supervision(&s, Event::Present).unwrap();
    });
    let r = verify(&p, &policy(&op, &no));
    let st = checks(&r, "supervision.statement");
    assert_eq!(st[0].0, Verdict::Fail);
    assert!(
        st[0].1.contains("while the package is countersigned by"),
        "{}",
        st[0].1
    );

    // A statement whose signature is another's.
    let t = tempfile::tempdir().unwrap();
    let p = supervised(t.path(), &op, Some(&no), |cap, head| {
        let mut s = statement(cap, &no, Event::Present, 0, head, None);
        s.signature = other.key.sign(&s.bytes).unwrap();
        cap.add_supervision(&s, Event::Present).unwrap();
    });
    let r = verify(&p, &policy(&op, &no));
    let st = checks(&r, "supervision.statement");
    assert_eq!(st[0].0, Verdict::Fail);
    assert!(st[0].1.contains("does not verify"), "{}", st[0].1);
    let (ok, said) = by_hand(&p);
    assert!(
        !ok && said.contains("the signature does not verify"),
        "{said}"
    );
}

/// `s` changed by `edit` and signed again by `who`.
fn resigned(s: Signed, who: &Person, edit: impl FnOnce(&mut Statement)) -> Signed {
    let mut st: Statement = serde_json::from_slice(&s.bytes).unwrap();
    edit(&mut st);
    let bytes = st.to_bytes().unwrap();
    Signed {
        signature: who.key.sign(&bytes).unwrap(),
        bytes,
        ..s
    }
}

#[test]
fn a_statement_of_another_version_or_format_fails_each_alone() {
    let (op, no) = (
        person(Role::Operator, "Operator"),
        person(Role::Notary, "N"),
    );
    for (what, edit) in [
        (
            "version",
            Box::new(|st: &mut Statement| st.v = VERSION + 1) as Box<dyn Fn(&mut Statement)>,
        ),
        (
            "format",
            Box::new(|st: &mut Statement| st.format = "webproof-supervision-draft".into()),
        ),
    ] {
        let t = tempfile::tempdir().unwrap();
        let p = supervised(t.path(), &op, Some(&no), |cap, head| {
            let s = resigned(
                statement(cap, &no, Event::Present, 0, head, None),
                &no,
                &edit,
            );
            cap.add_supervision(&s, Event::Present).unwrap();
        });
        let r = verify(&p, &policy(&op, &no));
        let st = checks(&r, "supervision.statement");
        assert_eq!(st[0].0, Verdict::Fail, "{what}");
        assert!(st[0].1.contains("known version"), "{what}: {}", st[0].1);
        let (ok, said) = by_hand(&p);
        assert!(!ok && said.contains("known version"), "{what}: {said}");
    }
}

#[test]
fn identities_keys_and_statements_that_name_different_keys_fail_each_alone() {
    let (op, no, other) = (
        person(Role::Operator, "Operator"),
        person(Role::Notary, "N"),
        person(Role::Notary, "Other"),
    );
    type Edit<'a> = Box<dyn Fn(&mut Signed) + 'a>;
    let cases: [(&str, Edit<'_>); 3] = [
        (
            "identity",
            Box::new(|s: &mut Signed| s.identity.fingerprint = other.doc.fingerprint),
        ),
        (
            "algorithm",
            Box::new(|s: &mut Signed| s.identity.algorithm = Algorithm::Sm2),
        ),
        (
            "statement",
            Box::new(|s: &mut Signed| {
                *s = resigned(s.clone(), &no, |st| st.notary = other.doc.fingerprint)
            }),
        ),
    ];
    for (what, edit) in cases {
        let t = tempfile::tempdir().unwrap();
        let p = supervised(t.path(), &op, None, |cap, head| {
            let mut s = statement(cap, &no, Event::Present, 0, head, None);
            edit(&mut s);
            cap.add_supervision(&s, Event::Present).unwrap();
        });
        let r = verify(&p, &policy(&op, &no));
        let st = checks(&r, "supervision.statement");
        assert_eq!(st[0].0, Verdict::Fail, "{what}");
        assert!(
            st[0].1.contains("name different keys"),
            "{what}: {}",
            st[0].1
        );
        assert!(!by_hand(&p).0, "{what}: the by-hand script passes it");
    }
}

#[test]
fn a_refusals_reason_may_be_as_long_as_the_limit_and_no_longer() {
    let (op, no) = (
        person(Role::Operator, "Operator"),
        person(Role::Notary, "N"),
    );
    for (len, holds) in [
        (webproof_evidence::supervision::MAX_REASON, true),
        (webproof_evidence::supervision::MAX_REASON + 1, false),
    ] {
        let t = tempfile::tempdir().unwrap();
        let p = supervised(t.path(), &op, None, |cap, head| {
            let s = statement(cap, &no, Event::Refuse, 0, head, Some(&"r".repeat(len)));
            cap.add_supervision(&s, Event::Refuse).unwrap();
        });
        let r = verify(&p, &policy(&op, &no));
        let st = checks(&r, "supervision.statement");
        assert_eq!(st[0].0 == Verdict::Pass, holds, "{len}: {}", st[0].1);
        assert_eq!(by_hand(&p).0, holds, "{len}: the by-hand script disagrees");
    }
}

#[test]
fn a_refusal_is_recorded_and_the_package_says_notary_refused() {
    let t = tempfile::tempdir().unwrap();
    let (op, no) = (
        person(Role::Operator, "Operator"),
        person(Role::Notary, "N"),
    );
    let p = supervised(t.path(), &op, None, |cap, head| {
        let s = statement(cap, &no, Event::Present, 0, head, None);
        let (_, after) = cap.add_supervision(&s, Event::Present).unwrap();
        let s = statement(
            cap,
            &no,
            Event::Refuse,
            1,
            after,
            Some("the page shown is not the shop named in the application"),
        );
        cap.add_supervision(&s, Event::Refuse).unwrap();
    });
    let r = verify(&p, &policy(&op, &no));
    assert!(failures(&r).is_empty(), "{:#?}", failures(&r));
    let live = checks(&r, "supervision.live");
    assert_eq!(live[0].0, Verdict::Finding);
    assert!(
        live[0]
            .1
            .starts_with("notary refused: the page shown is not the shop named in the application"),
        "{}",
        live[0].1
    );
    assert_eq!(r.verdict(), Verdict::Finding);

    // A refusal without a reason is no statement.
    let t = tempfile::tempdir().unwrap();
    let p = supervised(t.path(), &op, None, |cap, head| {
        let s = statement(cap, &no, Event::Refuse, 0, head, Some("  "));
        cap.add_supervision(&s, Event::Refuse).unwrap();
    });
    let r = verify(&p, &policy(&op, &no));
    assert_eq!(checks(&r, "supervision.statement")[0].0, Verdict::Fail);
    // Present but never countersigning nor refusing: not a completed supervision.
    let t = tempfile::tempdir().unwrap();
    let p = supervised(t.path(), &op, None, |cap, head| {
        let s = statement(cap, &no, Event::Present, 0, head, None);
        cap.add_supervision(&s, Event::Present).unwrap();
    });
    let r = verify(&p, &policy(&op, &no));
    let live = checks(&r, "supervision.live");
    assert_eq!(live[0].0, Verdict::Finding);
    assert!(
        live[0]
            .1
            .contains("countersignature of the sealed manifest"),
        "{}",
        live[0].1
    );
}
