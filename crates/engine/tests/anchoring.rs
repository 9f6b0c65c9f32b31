//! Trusted time and the log, in process: the engine's stamper and depositor against a
//! development TSA, an evidence log and a witness served on loopback — tokens and receipts
//! written into a capture that then seals and verifies under their keys; a TSA and a log that
//! do not answer are said, never stop the capture, and are reported as undelivered.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use std::time::Duration;

use common::*;
use ed25519_dalek::SigningKey;
use webproof_engine::depositing::{DepositInfo, Depositor, LogSettings};
use webproof_engine::stamping::{Stamper, TsaSettings, Undelivered};
use webproof_evidence::capture::Capture;
use webproof_evidence::identity::{Algorithm, SecretKey};
use webproof_evidence::package::{self, Limits};
use webproof_ledger::note::{ALG_ED25519, NoteSigner};
use webproof_ledger::receipt::LogTrust;
use webproof_timestamp::HashAlg;
use webproof_verify::{Policy, Verdict};

#[test]
fn tokens_and_receipts_arrive_in_the_capture_and_the_package_verifies_under_their_keys() {
    let a = Alliance::start();
    let t = tempfile::tempdir().unwrap();
    let mut cap = Capture::create(&t.path().join("cap")).unwrap();
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let doc = identity(&key);
    let said = Said::default();
    let note = record(&said);
    let mut st = stamper(&a, &cap, &key);
    // A checkpoint mid-capture, then the final one over the seal step.
    step(&mut cap, 0);
    st.start(&cap, 0, &cap.head().unwrap()).unwrap();
    assert_eq!(st.last_sent().0, Some(0));
    step(&mut cap, 1);
    st.collect(&cap, &note).unwrap();
    let input = seal_input(&key, &doc);
    cap.prepare_seal(&input).unwrap();
    let (seq, head) = cap.seal_step(&input).unwrap();
    st.start(&cap, seq, &head).unwrap();
    st.finish_tokens(&cap, Duration::from_secs(30), &note)
        .unwrap();
    st.finish_log(&cap, Duration::from_secs(30), &note).unwrap();
    let said = said.borrow().clone();
    for expected in [
        "stamped 0",
        "stamped 2",
        "deposited 0",
        "deposited 2",
        "receipt 0",
        "receipt 2",
    ] {
        assert!(said.contains(&expected.to_owned()), "{expected}: {said:?}");
    }
    // Both imprints of each head, from the one TSA: the quorum of 1 is met.
    assert_eq!(st.stamped(seq), 1);
    assert!(st.quorum_met(seq) && st.quorum_met(0) && !st.quorum_met(1));
    let status = st.status();
    assert_eq!(
        (status.tsas, status.stamped_seq, status.deposited),
        (1, Some(2), 0)
    );
    let dir = cap.dir().to_owned();
    assert_eq!(st.undelivered(&dir, seq), []);
    let tokens = std::fs::read_dir(dir.join("timestamps")).unwrap().count();
    assert_eq!(tokens, 8, "a request and a response per imprint and head");
    assert!(dir.join("receipts/000002-1.json").exists());

    // Sealed and packaged: VERIFIED under the TSA's root and the log's and witness's keys.
    cap.seal(&input).unwrap();
    let wacz = t.path().join("cap.wacz");
    package::write_zip(&dir, &wacz, &Limits::default()).unwrap();
    let policy = Policy {
        trusted_operators: vec![doc.fingerprint],
        trusted_tsa: vec![a.tsa_root.clone()],
        log: a.trust.clone(),
        ..Policy::default()
    };
    let r = webproof_verify::verify_path(&wacz, &policy).unwrap();
    assert_eq!(r.verdict(), Verdict::Pass, "{:#?}", r.checks);
    assert!(r.time.iter().all(|t| t.not_after.is_some()));
}

#[test]
fn a_tsa_and_a_log_that_do_not_answer_are_said_and_reported_undelivered() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // Ports nobody listens on (bound, then closed).
    let closed = || {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let t = tempfile::tempdir().unwrap();
    let mut cap = Capture::create(&t.path().join("cap")).unwrap();
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let log_key = NoteSigner::new(
        "log.down.test",
        ALG_ED25519,
        SigningKey::from_bytes(&[5; 32]),
    )
    .unwrap()
    .key;
    let log = Depositor::new(
        LogSettings {
            url: closed(),
            trust: LogTrust {
                logs: vec![log_key],
                witnesses: vec![],
                quorum: 0,
            },
        },
        DepositInfo::new(cap.id(), &key, None).unwrap(),
        rt.handle().clone(),
    )
    .unwrap();
    let said = Said::default();
    let note = record(&said);
    assert_eq!(log.latest_checkpoint(&note), None);
    let mut st = Stamper::new(
        TsaSettings {
            urls: vec![closed(), closed()],
            quorum: 5, // more than there are TSAs: held to their number
            algs: vec![HashAlg::Sha256],
            policy: None,
        },
        Some(log),
        rt.handle().clone(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(st.quorum(), 2);
    step(&mut cap, 0);
    st.start(&cap, 0, &cap.head().unwrap()).unwrap();
    st.finish_tokens(&cap, Duration::from_secs(30), &note)
        .unwrap();
    st.finish_log(&cap, Duration::from_secs(30), &note).unwrap();
    // The capture goes on: another step journals after the failures.
    step(&mut cap, 1);
    assert_eq!(cap.records().len(), 2);
    let said = said.borrow().clone();
    assert_eq!(
        said,
        [
            "no not-before",
            "stamp failed",
            "stamp failed",
            "deposit failed"
        ],
        "{said:?}"
    );
    assert_eq!(
        st.undelivered(cap.dir(), 0),
        [Undelivered::Tsa, Undelivered::Log]
    );
    assert!(
        !cap.dir().join("timestamps").exists()
            || std::fs::read_dir(cap.dir().join("timestamps"))
                .unwrap()
                .count()
                == 0
    );
}

#[test]
fn nothing_configured_needs_no_stamper_and_a_log_needs_its_key() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let none = TsaSettings {
        urls: vec![],
        quorum: 1,
        algs: vec![HashAlg::Sha256],
        policy: None,
    };
    assert!(
        Stamper::new(none, None, rt.handle().clone())
            .unwrap()
            .is_none()
    );
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let e = Depositor::new(
        LogSettings {
            url: "http://127.0.0.1:9/".into(),
            trust: LogTrust::default(),
        },
        DepositInfo::new("c", &key, None).unwrap(),
        rt.handle().clone(),
    )
    .err()
    .unwrap();
    assert!(
        e.to_string()
            .contains("no key for the log at http://127.0.0.1:9/"),
        "{e}"
    );
}
