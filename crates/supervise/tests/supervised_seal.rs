//! A supervised seal end to end, in process: the operator's capture journals a file, the
//! notary on the other end of a loopback channel is shown it and states that they are present,
//! countersigns the chain head, and their webproof countersigns the sealed manifest; the
//! package verifies as supervised live by that notary — with the notary's key never on the
//! operator's side.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::thread;
use std::time::Duration;

use webproof_evidence::capture::{Capture, SealInput, SignerKey};
use webproof_evidence::identity::{Algorithm, IdentityDoc, PublicKey, Role, SecretKey};
use webproof_evidence::manifest::Case;
use webproof_evidence::package::{self, Limits};
use webproof_evidence::record::StepRecord;
use webproof_evidence::supervision::{Event, FORMAT, Signed, Statement, VERSION};
use webproof_evidence::{Digests, Utc};
use webproof_supervise::Me;
use webproof_supervise::host::{Answer, Host, Operator, RemoteNotary, StepView};
use webproof_supervise::notary::{Decision, Seen, Supervisor};
use webproof_verify::{Policy, Verdict};

fn person(role: Role, alg: Algorithm, name: &str) -> (SecretKey, IdentityDoc) {
    common::person(role, alg, name, Some("Test Notary Office"))
}

fn view(r: &StepRecord, head: Digests) -> StepView {
    StepView {
        seq: r.seq,
        kind: r.kind.as_str().into(),
        url: r.url.clone(),
        started: r.started.to_string(),
        head,
        thumbnail: None,
    }
}

const T: Duration = Duration::from_secs(20);

#[test]
fn a_supervised_seal_verifies_as_supervised_live_by_the_notary() {
    let t = tempfile::tempdir().unwrap();
    let (okey, odoc) = person(Role::Operator, Algorithm::Ed25519, "Operator");
    let (nkey, ndoc) = person(Role::Notary, Algorithm::Sm2, "王公证");
    let src = t.path().join("page.txt");
    std::fs::write(&src, b"what the page showed\n").unwrap();
    let mut cap = Capture::create(&t.path().join("cap")).unwrap();
    let r0 = cap.add_file(&src).unwrap();
    let host = Host::start(
        "127.0.0.1:0",
        None,
        cap.id(),
        None,
        Operator {
            key: okey.clone(),
            identity: odoc.clone(),
            certificate: None,
        },
    )
    .unwrap();
    host.step(view(&r0, cap.head().unwrap()));

    // The notary, on "another machine": signs whatever it is asked about what it was shown.
    let code = host.code().clone();
    let (k, d) = (nkey.clone(), ndoc.clone());
    let notary = thread::spawn(move || {
        let me = Me {
            key: &k,
            identity: &d,
            certificate: None,
        };
        Supervisor::new(code).run(me, T, &mut |seen| {
            matches!(seen, Seen::Ask(_)).then_some(Decision::Sign)
        })
    });
    assert!(host.wait_connected(T));
    let (joined, cert) = host.notary().unwrap();
    assert_eq!(joined.fingerprint, ndoc.fingerprint);

    // Each statement the notary signs goes into the chain, and is shown in turn.
    let state = |cap: &mut Capture, event: Event| {
        let last = cap.records().last().unwrap().seq;
        let bytes = Statement {
            v: VERSION,
            format: FORMAT.into(),
            event,
            capture: cap.id().to_owned(),
            seq: last,
            head: cap.head().unwrap(),
            notary: joined.fingerprint,
            time: Utc::now(),
            reason: None,
        }
        .to_bytes()
        .unwrap();
        let Some(Answer::Signed(signature)) = host.ask(&bytes, T) else {
            panic!("the notary did not sign");
        };
        let signed = Signed {
            bytes,
            signature,
            identity: joined.clone(),
            certificate: cert.clone(),
        };
        let (r, head) = cap.add_supervision(&signed, event).unwrap();
        host.step(view(&r, head));
    };
    state(&mut cap, Event::Present);
    state(&mut cap, Event::Countersign);

    // The seal: the notary's countersignature comes from the notary's webproof.
    let remote = RemoteNotary {
        host: &host,
        key: PublicKey::from_pem(&joined.public_key).unwrap(),
        timeout: T,
    };
    let input = SealInput {
        case: Case {
            id: Some("CASE-S".into()),
            note: None,
        },
        tool_version: "test".into(),
        operator: SignerKey {
            key: &okey,
            identity: &odoc,
            certificate: None,
        },
        notary: Some(SignerKey {
            key: &remote,
            identity: &joined,
            certificate: None,
        }),
    };
    let (seq, head) = cap.seal_step(&input).unwrap();
    host.step(view(cap.records().last().unwrap(), head));
    assert_eq!(seq, 3);
    cap.seal(&input).unwrap();
    host.end();
    notary.join().unwrap().unwrap();

    let out = t.path().join("p.wacz");
    package::write_zip(&t.path().join("cap"), &out, &Limits::default()).unwrap();
    let report = webproof_verify::verify_path(
        &out,
        &Policy {
            trusted_operators: vec![odoc.fingerprint],
            trusted_notaries: vec![ndoc.fingerprint],
            ..Policy::default()
        },
    )
    .unwrap();
    let failures: Vec<String> = report.failures().map(|c| c.detail.clone()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    let live = report
        .checks
        .iter()
        .find(|c| c.id == "supervision.live")
        .expect("supervision.live");
    assert_eq!(live.verdict, Verdict::Pass, "{}", live.detail);
    assert!(
        live.detail
            .starts_with("supervised live by notary 王公证 (Test Notary Office) from step 1; chain heads countersigned after steps 1"),
        "{}",
        live.detail
    );
    assert_eq!(report.verdict(), Verdict::Pass);
}
