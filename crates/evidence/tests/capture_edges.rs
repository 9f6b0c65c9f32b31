//! What a capture directory does at its edges — files no step names after a crash, a step
//! without files — checked so that a change to either fails a test (gaps found by
//! `bash scripts/mutants.sh evidence`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use webproof_evidence::capture::Capture;
use webproof_evidence::layout;
use webproof_evidence::record::StepKind;
use webproof_evidence::utc::Utc;

#[test]
fn an_interruption_keeps_only_the_files_no_step_names() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("capture");
    let mut cap = Capture::create(&dir).unwrap();
    let shot = cap
        .add_step(
            StepKind::Screenshot,
            Utc::now(),
            None,
            serde_json::Map::new(),
            &[("shot.png", "image/png", b"a screenshot".as_slice())],
        )
        .unwrap();
    let journaled = shot.artifacts[0].path.clone();
    // A file written just before a crash, before its step was journaled.
    let stray = layout::artifact_path(7, "stray.bin");
    std::fs::write(dir.join(&stray), b"written, never journaled").unwrap();
    drop(cap);

    let (mut cap, recovery) = Capture::resume(&dir).unwrap();
    let r = cap.record_interruption("the test", &recovery).unwrap();
    assert_eq!(
        r.params["unjournaled_artifacts"],
        serde_json::json!([stray]),
        "only the file no step names is unjournaled"
    );
    let kept: Vec<&str> = r.artifacts.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(kept, [stray.as_str()]);
    assert!(!kept.contains(&journaled.as_str()));
    assert_eq!(r.params["steps_before"], 1);
}

#[test]
fn a_step_without_files_needs_no_artifacts_folder() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("capture");
    let mut cap = Capture::create(&dir).unwrap();
    std::fs::remove_dir(dir.join(layout::ARTIFACTS_DIR)).unwrap();
    let mut params = serde_json::Map::new();
    params.insert("text".into(), "no files".into());
    let r = cap
        .add_step(StepKind::Note, Utc::now(), None, params, &[])
        .expect("a step without files touches no artifacts folder");
    assert!(r.artifacts.is_empty());
}

#[test]
fn an_interruption_with_nothing_unjournaled_says_nothing_of_it() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("capture");
    let mut cap = Capture::create(&dir).unwrap();
    cap.add_note("seen").unwrap();
    drop(cap);
    let (mut cap, recovery) = Capture::resume(&dir).unwrap();
    let r = cap.record_interruption("the test", &recovery).unwrap();
    assert!(r.params.get("unjournaled_artifacts").is_none(), "{r:?}");
    assert!(r.artifacts.is_empty());
}

#[test]
fn a_time_stamp_takes_the_next_free_number_and_a_receipt_its_own_name() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("capture");
    let cap = Capture::create(&dir).unwrap();
    let at = |k: usize, ext: &str| dir.join(layout::timestamp_path(3, k, "tsa", ext));
    cap.add_timestamp(3, 0, "tsa", b"q0", b"r0").unwrap();
    // A request kept without its response (a crash between the two) holds number 1.
    std::fs::write(at(1, "tsq"), b"q1").unwrap();
    cap.add_timestamp(3, 0, "tsa", b"q2", b"r2").unwrap();
    for (k, q, r) in [
        (0, "q0", Some("r0")),
        (1, "q1", None),
        (2, "q2", Some("r2")),
    ] {
        assert_eq!(std::fs::read(at(k, "tsq")).unwrap(), q.as_bytes(), "{k}");
        assert_eq!(
            std::fs::read(at(k, "tsr")).ok(),
            r.map(|r| r.as_bytes().to_vec()),
            "{k}"
        );
    }
    assert!(!at(3, "tsq").exists());

    cap.add_receipt(3, 1, b"{\"receipt\":1}").unwrap();
    let kept = webproof_evidence::capture::read_file(&dir.join(layout::receipt_path(3, 1)));
    assert_eq!(kept.unwrap(), b"{\"receipt\":1}");
    assert!(webproof_evidence::capture::read_file(&dir.join("absent")).is_err());
}

#[test]
fn a_seal_refuses_a_key_its_identity_does_not_name() {
    use webproof_evidence::capture::CaptureError;
    use webproof_evidence::identity::{Algorithm, Role, SecretKey};
    let doc = common::identity;
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let other = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let own = doc(Role::Operator, &key);
    let others = doc(Role::Operator, &other);
    let notarys = doc(Role::Notary, &key);
    // Another key's identity in the right role and the key's own identity in another role
    // are refused; its own identity in its role is taken.
    for (identity, taken) in [(&others, false), (&notarys, false), (&own, true)] {
        let t = tempfile::tempdir().unwrap();
        let mut cap = Capture::create(&t.path().join("capture")).unwrap();
        cap.add_note("seen").unwrap();
        let input = common::operator_seal(&key, identity, None);
        match cap.prepare_seal(&input) {
            Ok(()) => assert!(taken, "a mismatched identity was taken"),
            Err(e) => assert!(!taken && matches!(e, CaptureError::IdentityMismatch), "{e}"),
        }
    }
}

#[test]
fn files_are_numbered_by_their_step_and_a_capture_keeps_its_id() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("capture");
    let mut cap = Capture::create(&dir).unwrap();
    let id = cap.id().to_owned();
    assert_eq!(id.len(), 36, "a capture id is a UUID: {id}");
    let a = t.path().join("a.txt");
    std::fs::write(&a, b"first").unwrap();
    let first = cap.add_file(&a).unwrap();
    let second = cap.add_file(&a).unwrap();
    assert_eq!(first.artifacts[0].path, layout::artifact_path(0, "a.txt"));
    assert_eq!(second.artifacts[0].path, layout::artifact_path(1, "a.txt"));
    assert_eq!(
        std::fs::read(dir.join(&second.artifacts[0].path)).unwrap(),
        b"first"
    );
    // A directory is not a file to add.
    assert!(matches!(
        cap.add_file(t.path()),
        Err(webproof_evidence::capture::CaptureError::NotAFile(_))
    ));
    assert!(!cap.is_sealed());
    drop(cap);
    let (cap, _) = Capture::resume(&dir).unwrap();
    assert_eq!(
        cap.id(),
        id,
        "the id is the journal's, kept across a resume"
    );
}

#[test]
fn the_seal_step_names_every_file_no_step_named_and_ends_the_capture() {
    use webproof_evidence::capture::CaptureError;
    use webproof_evidence::identity::Role;
    let (key, identity, t, dir, mut cap, file) = capture_with_a_file();
    let a = t.path().join("a.txt");
    // A certificate left by an earlier attempt with another setting goes: this seal names none.
    let stale = dir.join(layout::certificate_path(Role::Operator));
    std::fs::create_dir_all(stale.parent().unwrap()).unwrap();
    std::fs::write(&stale, b"stale").unwrap();
    let input = common::operator_seal(&key, &identity, None);
    let (seq, head) = cap.seal_step(&input).unwrap();
    assert_eq!(seq, 1, "the seal step follows the file's");
    assert!(!stale.exists(), "the stale certificate was removed");
    assert!(cap.is_sealed());
    let seal = cap.records().last().unwrap();
    assert_eq!(seal.kind, StepKind::Seal);
    let named: Vec<&str> = seal.artifacts.iter().map(|a| a.path.as_str()).collect();
    assert!(!named.contains(&file.as_str()), "{named:?}");
    assert!(
        named.contains(&layout::identity_path(Role::Operator).as_str()),
        "{named:?}"
    );
    // Sealed: no more files; sealing again finds the same step.
    assert!(matches!(cap.add_file(&a), Err(CaptureError::Sealed)));
    assert_eq!(cap.seal_step(&input).unwrap(), (1, head));
}

#[test]
fn an_interruption_with_a_torn_tail_still_lists_the_files_no_step_names() {
    use webproof_evidence::journal::Recovery;
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("capture");
    let mut cap = Capture::create(&dir).unwrap();
    let mut params = serde_json::Map::new();
    params.insert("text".into(), "a step before".into());
    cap.add_step(StepKind::Note, Utc::now(), None, params, &[])
        .unwrap();
    let stray = layout::artifact_path(3, "stray.bin");
    std::fs::write(dir.join(&stray), b"written, never journaled").unwrap();
    // The journal's torn tail, set aside by recovery: kept as the interruption's own file.
    let side = t.path().join("torn-tail");
    std::fs::write(&side, b"{\"seq\":").unwrap();
    drop(cap);
    let (mut cap, _) = Capture::resume(&dir).unwrap();
    let recovery = Recovery {
        torn_tail: Some((side, 7)),
    };
    let r = cap.record_interruption("the test", &recovery).unwrap();
    assert_eq!(r.params["torn_tail_bytes"], 7);
    assert_eq!(
        r.params["unjournaled_artifacts"],
        serde_json::json!([stray])
    );
    let kept: Vec<&str> = r.artifacts.iter().map(|a| a.path.as_str()).collect();
    let tail = layout::artifact_path(r.seq, "journal-torn-tail.bin");
    assert_eq!(kept, [tail.as_str(), stray.as_str()], "each file once");
}

#[test]
fn the_seal_step_names_no_time_stamp_or_receipt_and_a_datapackage_lists_every_file() {
    let (key, identity, _t, dir, mut cap, _) = capture_with_a_file();
    // The chain's proofs are no step's files: a time-stamp and a receipt of step 0.
    cap.add_timestamp(0, 0, "tsa.example", b"request", b"response")
        .unwrap();
    cap.add_receipt(0, 0, b"{}").unwrap();
    let proofs = [
        layout::timestamp_path(0, 0, "tsa.example", "tsq"),
        layout::timestamp_path(0, 0, "tsa.example", "tsr"),
        layout::receipt_path(0, 0),
    ];
    let input = common::operator_seal(&key, &identity, None);
    cap.seal_step(&input).unwrap();
    let seal = cap.records().last().unwrap();
    for p in &proofs {
        assert!(dir.join(p).is_file(), "{p}");
        assert!(
            !seal.artifacts.iter().any(|a| &a.path == p),
            "the seal step names {p}"
        );
    }
    // Sealed: the datapackage lists every file of the directory but its own two.
    cap.seal(&input).unwrap();
    let dp: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(layout::DATAPACKAGE)).unwrap()).unwrap();
    let listed: std::collections::BTreeSet<String> = dp["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect();
    let mut on_disk = std::collections::BTreeSet::new();
    for e in walk(&dir) {
        on_disk.insert(e);
    }
    on_disk.remove(layout::DATAPACKAGE);
    on_disk.remove(layout::DATAPACKAGE_DIGEST);
    assert_eq!(listed, on_disk);
    for p in &proofs {
        assert!(listed.contains(p.as_str()), "{p}");
    }
    // Its digest file names it and its SHA-256 (WACZ 1.1.1).
    let digest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(layout::DATAPACKAGE_DIGEST)).unwrap())
            .unwrap();
    let dp_bytes = std::fs::read(dir.join(layout::DATAPACKAGE)).unwrap();
    assert_eq!(
        digest,
        serde_json::json!({"path": "datapackage.json",
            "hash": format!("sha256:{}", webproof_evidence::digest::sha256(&dp_bytes))})
    );
}

/// Every file under `root`, as a path relative to it with `/`.
fn walk(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(rel);
            }
        }
    }
    out
}

#[test]
fn a_stale_certificate_that_cannot_be_removed_stops_the_seal() {
    use webproof_evidence::capture::CaptureError;
    use webproof_evidence::identity::Role;
    let (key, identity, _t, dir, mut cap, _) = capture_with_a_file();
    // Something that is no file where the certificate would be: removing it fails, and the
    // seal says so instead of sealing around it.
    let stale = dir.join(layout::certificate_path(Role::Operator));
    std::fs::create_dir_all(&stale).unwrap();
    let input = common::operator_seal(&key, &identity, None);
    match cap.seal_step(&input) {
        Err(CaptureError::Io { path, .. }) => assert_eq!(path, stale),
        other => panic!("{other:?}"),
    }
    assert!(!cap.is_sealed());
}

/// An operator's key and identity, and a capture (in a temporary directory) holding one file:
/// what a seal step needs. Returns the file's path in the capture too.
fn capture_with_a_file() -> (
    webproof_evidence::identity::SecretKey,
    webproof_evidence::identity::IdentityDoc,
    tempfile::TempDir,
    std::path::PathBuf,
    Capture,
    String,
) {
    use webproof_evidence::identity::{Algorithm, Role, SecretKey};
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let identity = common::identity(Role::Operator, &key);
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("capture");
    let mut cap = Capture::create(&dir).unwrap();
    let a = t.path().join("a.txt");
    std::fs::write(&a, b"a file").unwrap();
    let file = cap.add_file(&a).unwrap().artifacts[0].path.clone();
    (key, identity, t, dir, cap, file)
}

#[test]
fn a_sealed_manifest_carries_the_operators_signature_over_its_bytes() {
    use webproof_evidence::identity::Role;
    let (key, identity, _t, dir, cap, _) = capture_with_a_file();
    cap.seal(&common::operator_seal(&key, &identity, None))
        .unwrap();
    let manifest = std::fs::read(dir.join(layout::MANIFEST)).unwrap();
    let sig = std::fs::read(dir.join(layout::signature_path(Role::Operator))).unwrap();
    key.public_key().verify(&manifest, &sig).unwrap();
    let mut other = manifest.clone();
    other.push(b' ');
    assert!(key.public_key().verify(&other, &sig).is_err());
    assert!(!dir.join(layout::signature_path(Role::Notary)).exists());
}

#[test]
fn a_person_is_named_with_their_organisation_when_they_have_one() {
    use webproof_evidence::identity::{Algorithm, Role, SecretKey};
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let mut doc = common::identity(Role::Notary, &key);
    assert_eq!(doc.who(), "Zhang San");
    doc.organisation = Some("Hangzhou Notary Office".into());
    assert_eq!(doc.who(), "Zhang San (Hangzhou Notary Office)");
}
