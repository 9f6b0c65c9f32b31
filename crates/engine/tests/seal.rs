//! The seal session in process, against a development TSA, a log and a witness on loopback:
//! the package it writes verifies under their keys, its events come in order, the working
//! copy goes only once the package verifies, and a failure before the seal step leaves a
//! capture that resumes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use common::*;
use webproof_engine::seal::{SealError, seal};
use webproof_engine::{Event, Phase};
use webproof_evidence::capture::Capture;
use webproof_evidence::identity::{Algorithm, SecretKey};
use webproof_evidence::record::StepKind;
use webproof_verify::{Policy, Verdict};

#[test]
fn a_sealed_capture_is_a_verified_package_and_its_working_copy_goes() {
    let a = Alliance::start();
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("cap");
    let mut cap = Capture::create(&dir).unwrap();
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let doc = identity(&key);
    let mut st = stamper(&a, &cap, &key);
    step(&mut cap, 0);
    step(&mut cap, 1);
    let heard = Heard::default();
    let out = t.path().join("cap.wacz");
    let mut named = Vec::new();
    let sealed = seal(
        cap,
        &seal_input(&key, &doc),
        &out,
        false,
        Some(&mut st),
        &mut |d| {
            // What the seal step names, written here: a report of the capture so far.
            named.push(d.to_owned());
            std::fs::create_dir_all(d.join("report"))?;
            std::fs::write(d.join("report/report.html"), b"<p>report</p>")?;
            Ok(())
        },
        &heard,
    )
    .unwrap();
    assert_eq!(named, std::slice::from_ref(&dir));
    assert!(sealed.undelivered.is_empty(), "{:?}", sealed.undelivered);
    assert_eq!(sealed.manifest.heads.len(), 3);
    assert!(
        !dir.exists(),
        "the working copy goes once the package verifies"
    );
    // Events: the seal step, then the phases in order, with where trust stands.
    let events = heard.events.borrow();
    assert!(matches!(&events[0], Event::Step(s) if s.kind == StepKind::Seal && s.seq == 2));
    let phases: Vec<Phase> = events
        .iter()
        .filter_map(|e| match e {
            Event::Phase { phase } => Some(*phase),
            _ => None,
        })
        .collect();
    assert_eq!(
        phases,
        [
            Phase::Timestamping,
            Phase::Depositing,
            Phase::Hashing,
            Phase::Packaging,
            Phase::Verifying
        ]
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Trust(t) if t.stamped_seq == Some(2)))
    );
    let notes = heard.notes.borrow();
    assert!(notes.contains(&"stamped 2".to_owned()) && notes.contains(&"receipt 2".to_owned()));
    // The package: VERIFIED under the alliance's keys; the report is named by the seal step.
    let policy = Policy {
        trusted_operators: vec![doc.fingerprint],
        trusted_tsa: vec![a.tsa_root.clone()],
        log: a.trust.clone(),
        ..Policy::default()
    };
    let r = webproof_verify::verify_path(&out, &policy).unwrap();
    assert_eq!(r.verdict(), Verdict::Pass, "{:#?}", r.checks);
    assert!(
        r.checks
            .iter()
            .any(|c| c.id == "step.artifact" && c.subject == "report/report.html")
    );
}

#[test]
fn without_trusted_time_it_seals_kept_and_a_failure_before_the_seal_step_loses_nothing() {
    let t = tempfile::tempdir().unwrap();
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let doc = identity(&key);
    // What the caller writes before the seal step fails: nothing sealed, nothing lost.
    let dir = t.path().join("cap");
    let mut cap = Capture::create(&dir).unwrap();
    step(&mut cap, 0);
    let out = t.path().join("cap.wacz");
    let e = seal(
        cap,
        &seal_input(&key, &doc),
        &out,
        false,
        None,
        &mut |_| Err("the disk is full".into()),
        &Heard::default(),
    )
    .err()
    .unwrap();
    assert!(matches!(e, SealError::BeforeSeal(_)), "{e}");
    assert_eq!(e.to_string(), "the disk is full");
    assert!(!out.exists());
    let (cap, _) = Capture::resume(&dir).unwrap();
    assert_eq!(cap.records().len(), 1);
    assert!(!cap.is_sealed());

    // Sealed without TSAs or a log: nothing undelivered, the working copy kept when asked.
    let heard = Heard::default();
    let sealed = seal_kept(cap, &key, &doc, &out, &heard).unwrap();
    assert!(sealed.undelivered.is_empty());
    assert!(sealed.dir.join("evidence/manifest.json").exists());
    assert!(heard.notes.borrow().is_empty());
    let policy = Policy {
        trusted_operators: vec![doc.fingerprint],
        ..Policy::default()
    };
    assert_eq!(
        webproof_verify::verify_path(&out, &policy)
            .unwrap()
            .verdict(),
        Verdict::Pass
    );
    // An existing package is never overwritten: the session fails and the capture stays.
    let (cap, _) = Capture::resume(&sealed.dir).unwrap();
    let e = seal_kept(cap, &key, &doc, &out, &Heard::default())
        .err()
        .unwrap();
    assert!(
        matches!(e, SealError::Capture { .. } | SealError::Write { .. }),
        "{e}"
    );
}

#[test]
fn a_capture_left_unsealed_reopens_as_interrupted_keeping_its_torn_tail() {
    use std::io::Write as _;
    use webproof_engine::seal::reopen;
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("cap");
    let mut cap = Capture::create(&dir).unwrap();
    step(&mut cap, 0);
    step(&mut cap, 1);
    drop(cap);
    // The process died mid-append: half a record at the journal's end.
    std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("evidence/journal.jsonl"))
        .unwrap()
        .write_all(b"{\"v\":1,\"capture\":\"half")
        .unwrap();
    let reopened = reopen(&dir).unwrap();
    assert_eq!(reopened.interruption, Some(2));
    let last = reopened.cap.records().last().unwrap().clone();
    assert_eq!(last.kind, StepKind::Interruption);
    let reason = last.params["reason"].as_str().unwrap();
    assert!(
        reason.contains("ended without sealing")
            && reason.contains("incomplete record of 22 bytes"),
        "{reason}"
    );
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let doc = identity(&key);
    let out = t.path().join("cap.wacz");
    seal_kept(reopened.cap, &key, &doc, &out, &Heard::default()).unwrap();
    // Intact, and says it was interrupted; the torn bytes are kept as evidence.
    let policy = Policy {
        trusted_operators: vec![doc.fingerprint],
        ..Policy::default()
    };
    let r = webproof_verify::verify_path(&out, &policy).unwrap();
    assert_eq!(r.verdict(), Verdict::Finding, "{:#?}", r.checks);
    assert!(r.findings().any(|c| c.detail.contains("interrupted")));
    let src = webproof_evidence::package::open(&out, &Default::default()).unwrap();
    assert!(
        src.entries()
            .iter()
            .any(|e| e.name.ends_with("journal-torn-tail.bin"))
    );
    // Reopening a sealed capture records nothing more.
    let again = reopen(&dir).unwrap();
    assert_eq!(again.interruption, None);
    // Reopening what is no capture fails, naming it.
    let e = reopen(&t.path().join("nothing")).err().unwrap();
    assert!(matches!(e, SealError::Reopen { .. }), "{e}");
}
