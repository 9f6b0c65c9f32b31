//! Everything under trusted time: a signer who turns dishonest after sealing can add files,
//! change them and sign the manifest again — signatures and derived files all in order — and
//! still cannot make the package verify, because the seal step (whose chain head the final
//! time-stamps and receipts cover) names every file and the manifest's own claims.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use std::path::Path;

use common::*;
use webproof_evidence::identity::Algorithm;
use webproof_verify::{Report, Verdict};

fn verdict_of<'a>(r: &'a Report, id: &str, subject: &str) -> Option<&'a webproof_verify::Check> {
    r.checks
        .iter()
        .find(|c| c.id == id && c.subject == subject && c.verdict == Verdict::Fail)
}

/// Check `id` failed on `subject` saying `says`, and passed nowhere beside (`what` names the
/// case in a panic).
fn failed_alone(r: &Report, id: &str, subject: &str, says: &str, what: &str) {
    let c = verdict_of(r, id, subject)
        .unwrap_or_else(|| panic!("{what} not caught: {:#?}", failures(r)));
    assert!(c.detail.contains(says), "{what}: {}", c.detail);
    assert!(
        !r.checks
            .iter()
            .any(|c| c.id == id && c.verdict == Verdict::Pass),
        "{what}: a pass beside the failure"
    );
}

/// An honest package whose manifest a dishonest signer changed with `edit` and signed again:
/// the temporary directory holding it, its path, and its verification report.
fn resigned_after(
    edit: fn(&mut webproof_evidence::manifest::Manifest),
) -> (tempfile::TempDir, std::path::PathBuf, Report) {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let forged = t.path().join("forged.wacz");
    resign(&b.dir, &forged, &b.keys, |_, m| edit(m));
    let r = verify(&forged, &b.policy());
    (t, forged, r)
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

#[test]
fn an_honest_package_binds_every_file_to_its_seal_step() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, true);
    let r = verify(&b.wacz, &b.policy());
    assert_eq!(r.verdict(), Verdict::Pass, "{:#?}", failures(&r));
    let (ok, said) = by_hand(&b.wacz);
    assert!(ok, "{said}");
    for id in ["seal.files", "seal.manifest", "seal.signers"] {
        assert!(
            r.checks
                .iter()
                .any(|c| c.id == id && c.verdict == Verdict::Pass),
            "{id}"
        );
    }
    // It counts the files it binds: every listed file but the journal and its proofs.
    let m: webproof_evidence::manifest::Manifest = serde_json::from_slice(
        &std::fs::read(b.dir.join(webproof_evidence::layout::MANIFEST)).unwrap(),
    )
    .unwrap();
    let bound = m
        .files
        .iter()
        .filter(|f| !webproof_evidence::layout::is_proof_of_chain(&f.path))
        .count();
    assert!(bound > 5);
    let files = r
        .checks
        .iter()
        .find(|c| c.id == "seal.files" && c.verdict == Verdict::Pass)
        .unwrap();
    assert!(
        files
            .detail
            .starts_with(&format!("each of the {bound} files ")),
        "{}",
        files.detail
    );
    // The seal step names what no earlier step did: identities and the WACZ files.
    let named: Vec<&str> = r
        .checks
        .iter()
        .filter(|c| c.id == "step.artifact" && c.detail.contains("(seal)"))
        .map(|c| c.subject.as_str())
        .collect();
    for p in [
        "archive/data.warc",
        "identity/notary.json",
        "identity/notary.pub.pem",
        "identity/operator.json",
        "identity/operator.pub.pem",
        "indexes/index.cdx",
        "pages/pages.jsonl",
    ] {
        assert!(
            named.contains(&p),
            "{p} not named by the seal step: {named:?}"
        );
    }
}

#[test]
fn a_file_added_after_sealing_fails_even_when_the_manifest_is_signed_again() {
    // A fabricated web page, a screenshot, a report that calls the package verified.
    let forgeries = [
        (
            "artifacts/000002-shop.png",
            b"\x89PNG\r\n\x1a\n forged".as_slice(),
        ),
        (
            "report/report.html",
            b"<p>VERIFIED by the notary office</p>".as_slice(),
        ),
        ("video/segment-000009.mp4", b"not a recording".as_slice()),
    ];
    each_in_parallel(&forgeries, |&(rel, bytes)| {
        let t = tempfile::tempdir().unwrap();
        let b = build(t.path(), Algorithm::Ed25519, false);
        let forged = t.path().join("forged.wacz");
        resign(&b.dir, &forged, &b.keys, |dir, _| write(dir, rel, bytes));
        let r = verify(&forged, &b.policy());
        // Nothing says the files are bound besides.
        failed_alone(&r, "seal.files", rel, "added after the seal step", rel);
        // Everything else a re-signing signer controls is in order.
        assert!(
            failures(&r).iter().all(|f| f.starts_with("seal.files")),
            "{:#?}",
            failures(&r)
        );
        assert_eq!(r.verdict(), Verdict::Fail);
        // Standard tools alone catch it as well.
        let (ok, said) = by_hand(&forged);
        assert!(!ok && said.contains("named by no step"), "{rel}: {said}");
    });
}

#[test]
fn a_file_changed_after_sealing_fails_even_when_the_manifest_is_signed_again() {
    let changed = [
        "identity/operator.json",
        "archive/data.warc",
        "pages/pages.jsonl",
        "artifacts/000000-contract.txt",
    ];
    each_in_parallel(&changed, |rel| {
        let t = tempfile::tempdir().unwrap();
        let b = build(t.path(), Algorithm::Ed25519, false);
        let forged = t.path().join("forged.wacz");
        resign(&b.dir, &forged, &b.keys, |dir, _| {
            let mut bytes = std::fs::read(dir.join(rel)).unwrap();
            bytes.extend_from_slice(b"\n");
            std::fs::write(dir.join(rel), bytes).unwrap();
        });
        let r = verify(&forged, &b.policy());
        let c = verdict_of(&r, "step.artifact", rel)
            .unwrap_or_else(|| panic!("{rel} not caught: {:#?}", failures(&r)));
        assert!(c.detail.contains("other digests"), "{}", c.detail);
        assert_eq!(r.verdict(), Verdict::Fail);
        let (ok, said) = by_hand(&forged);
        assert!(!ok, "{rel}: {said}");
    });
}

#[test]
fn the_manifests_case_tool_and_time_are_the_seal_steps() {
    type Edit = fn(&mut webproof_evidence::manifest::Manifest);
    let edits: [(&str, Edit); 3] = [
        ("case", |m| m.case.note = Some("settled".into())),
        ("tool", |m| m.tool.version = "9.9".into()),
        ("sealed", |m| {
            m.sealed = webproof_evidence::Utc::parse("2020-01-01T00:00:00.000000Z").unwrap()
        }),
    ];
    each_in_parallel(&edits, |&(field, edit)| {
        let (_t, forged, r) = resigned_after(edit);
        let c = r
            .checks
            .iter()
            .find(|c| c.id == "seal.manifest")
            .expect("a seal.manifest check");
        assert_eq!(c.verdict, Verdict::Fail, "{field}: {}", c.detail);
        assert!(c.detail.contains(field), "{field}: {}", c.detail);
        let (ok, said) = by_hand(&forged);
        assert!(!ok, "{field}: {said}");
    });
}

#[test]
fn a_manifest_of_another_format_or_version_is_refused_even_when_signed() {
    type Edit = fn(&mut webproof_evidence::manifest::Manifest);
    let edits: [(&str, Edit); 2] = [
        ("format", |m| {
            m.format = "webproof-evidence-package-2".into()
        }),
        ("version", |m| m.v = 2),
    ];
    each_in_parallel(&edits, |&(what, edit)| {
        let (_t, _, r) = resigned_after(edit);
        let c = verdict_of(&r, "manifest.parse", "evidence/manifest.json")
            .expect("a manifest.parse check");
        assert_eq!(c.verdict, Verdict::Fail, "{what}: {}", c.detail);
        assert!(
            c.detail.contains("unsupported manifest format"),
            "{what}: {}",
            c.detail
        );
        assert_eq!(r.verdict(), Verdict::Fail);
    });
}

/// `journal.chain` and `journal.heads` pass on an honest package, and each way a re-signed
/// manifest's heads can disagree with the journal fails `journal.heads` on its own.
#[test]
fn the_manifests_chain_heads_are_the_journals_each_one() {
    use webproof_evidence::manifest::Manifest;
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let r = verify(&b.wacz, &b.policy());
    for id in ["journal.chain", "journal.heads"] {
        assert!(
            r.checks.iter().any(|c| c.id == id
                && c.subject == "evidence/journal.jsonl"
                && c.verdict == Verdict::Pass),
            "{id}"
        );
    }
    let chain = r.checks.iter().find(|c| c.id == "journal.chain").unwrap();
    let m: Manifest = serde_json::from_slice(
        &std::fs::read(b.dir.join(webproof_evidence::layout::MANIFEST)).unwrap(),
    )
    .unwrap();
    assert!(m.journal.records > 2);
    assert!(
        chain
            .detail
            .starts_with(&format!("{} records,", m.journal.records)),
        "{}",
        chain.detail
    );
    type Edit = fn(&mut Manifest);
    let edits: [(&str, Edit); 6] = [
        ("record count", |m| m.journal.records += 1),
        ("a head left out", |m| {
            m.heads.remove(1);
        }),
        ("final head", |m| m.journal.head = m.heads[0].head),
        ("a step's number", |m| m.heads[1].seq = 9),
        ("a step's kind", |m| {
            m.heads[1].kind = webproof_evidence::record::StepKind::Environment
        }),
        ("a step's head", |m| m.heads[1].head = m.heads[0].head),
    ];
    each_in_parallel(&edits, |&(what, edit)| {
        let (_t, _, r) = resigned_after(edit);
        failed_alone(
            &r,
            "journal.heads",
            "evidence/journal.jsonl",
            "differ from the manifest's",
            what,
        );
    });
}

/// A step journaled after the seal step — chain intact, manifest signed again to match —
/// fails: the last step is not a seal step, and a step follows one.
#[test]
fn a_step_after_the_seal_step_fails_even_with_a_matching_manifest() {
    use webproof_evidence::journal::Journal;
    use webproof_evidence::manifest::StepHead;
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let forged = t.path().join("forged.wacz");
    resign(&b.dir, &forged, &b.keys, |dir, m| {
        let (mut j, _) = Journal::recover(&dir.join("evidence/journal.jsonl")).unwrap();
        let mut params = serde_json::Map::new();
        params.insert("text".into(), "added later".into());
        let (rec, head) = j
            .append(webproof_evidence::journal::NewStep::instant(
                webproof_evidence::record::StepKind::Note,
                params,
            ))
            .unwrap();
        m.heads.push(StepHead {
            seq: rec.seq,
            kind: rec.kind,
            head,
        });
        m.journal.records += 1;
        m.journal.head = head;
    });
    let r = verify(&forged, &b.policy());
    let said: Vec<&str> = r
        .failures()
        .filter(|c| c.id == "journal.heads")
        .map(|c| c.detail.as_str())
        .collect();
    assert_eq!(
        said,
        [
            "the last step is not a seal step",
            "a step follows a seal step"
        ],
        "{:#?}",
        failures(&r)
    );
    // Nothing of what the seal step says is judged as if the note were it.
    assert!(
        !r.checks.iter().any(|c| c.id == "seal.signers"),
        "{:#?}",
        r.checks
    );
}

/// A file listed with one of its digests or its size other than its step journaled is not
/// what the step produced, the rest being true.
#[test]
fn an_artifact_listed_otherwise_than_its_step_journaled_is_not_the_steps() {
    type Lie = fn(&mut webproof_evidence::manifest::FileEntry);
    let lies: [(&str, Lie); 3] = [
        ("size", |f| f.size += 1),
        ("SM3", |f| f.sm3 = f.sha256),
        ("SHA-256", |f| f.sha256 = f.sm3),
    ];
    each_in_parallel(&lies, |&(what, lie)| {
        let t = tempfile::tempdir().unwrap();
        let b = build(t.path(), Algorithm::Ed25519, false);
        let forged = t.path().join("forged.wacz");
        let artifact = std::sync::Mutex::new(String::new());
        resign_listing(
            &b.dir,
            &forged,
            &b.keys,
            |_, _| {},
            |files| {
                let f = files
                    .iter_mut()
                    .find(|f| f.path.starts_with("artifacts/"))
                    .unwrap();
                lie(f);
                *artifact.lock().unwrap() = f.path.clone();
            },
        );
        let artifact = artifact.into_inner().unwrap();
        let r = verify(&forged, &b.policy());
        let c = verdict_of(&r, "step.artifact", &artifact)
            .unwrap_or_else(|| panic!("{what} not caught: {:#?}", failures(&r)));
        assert!(
            c.detail.contains("other digests than the manifest lists"),
            "{what}: {}",
            c.detail
        );
    });
}

#[test]
fn a_package_sealed_before_the_seal_step_named_files_fails() {
    // webproof 0.1 wrote identities and the WACZ files after the seal step, and recorded no
    // case in it: nothing tells them from files a signer added later.
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/example-0.1.wacz");
    let r = verify(&fixture, &webproof_verify::Policy::default());
    for p in [
        "archive/data.warc",
        "identity/operator.json",
        "identity/operator.pub.pem",
        "indexes/index.cdx",
        "pages/pages.jsonl",
    ] {
        assert!(verdict_of(&r, "seal.files", p).is_some(), "{p}");
    }
    assert!(
        r.checks
            .iter()
            .any(|c| c.id == "seal.manifest" && c.verdict == Verdict::Fail)
    );
    assert!(
        r.checks
            .iter()
            .any(|c| c.id == "package.container" && c.verdict == Verdict::Pass)
    );
    assert_eq!(r.verdict(), Verdict::Fail);
}

#[test]
fn a_seal_interrupted_after_its_seal_step_is_finished_only_by_its_signers() {
    use webproof_evidence::capture::{Capture, CaptureError, SealInput, SignerKey};
    use webproof_evidence::identity::Role;
    use webproof_evidence::manifest::Case;
    use webproof_evidence::package::{self, Limits};
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("a.txt");
    std::fs::write(&src, b"seen\n").unwrap();
    let dir = t.path().join("cap");
    let mut cap = Capture::create(&dir).unwrap();
    cap.add_file(&src).unwrap();
    let (ka, da) = identity(Role::Operator, Algorithm::Ed25519, "A");
    let (kb, db) = identity(Role::Operator, Algorithm::Ed25519, "B");
    let input = |k, d| SealInput {
        case: Case {
            id: Some("C-1".into()),
            note: None,
        },
        tool_version: "test".into(),
        operator: SignerKey {
            key: k,
            identity: d,
            certificate: None,
        },
        notary: None,
    };
    // A writes its report and seal step, then the process dies.
    cap.prepare_seal(&input(&ka, &da)).unwrap();
    write(&dir, "report/report.html", b"<p>capture report</p>");
    cap.seal_step(&input(&ka, &da)).unwrap();
    drop(cap);
    // B cannot finish A's seal…
    let (again, _) = Capture::resume(&dir).unwrap();
    assert!(matches!(
        again.seal(&input(&kb, &db)),
        Err(CaptureError::SealedForOthers)
    ));
    // …A can, and the report written before the seal step stays, named by it.
    let (again, _) = Capture::resume(&dir).unwrap();
    again.seal(&input(&ka, &da)).unwrap();
    assert_eq!(
        std::fs::read(dir.join("report/report.html")).unwrap(),
        b"<p>capture report</p>"
    );
    let wacz = t.path().join("cap.wacz");
    package::write_zip(&dir, &wacz, &Limits::default()).unwrap();
    let policy = webproof_verify::Policy {
        trusted_operators: vec![da.fingerprint],
        ..Default::default()
    };
    let r = verify(&wacz, &policy);
    assert_eq!(r.verdict(), Verdict::Pass, "{:#?}", failures(&r));
    assert!(
        r.checks
            .iter()
            .any(|c| c.id == "step.artifact" && c.subject == "report/report.html")
    );
}
