//! A supervised session between the operator's host and the notary's supervisor on loopback:
//! the notary sees each step once, leaves and joins again and is shown what was journaled
//! meanwhile, signs a statement about a step it saw, refuses — signed — a statement about a
//! chain head it was not shown or when it decides so; and no other notary can join.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use webproof_evidence::digest::digest_bytes;
use webproof_evidence::identity::{Algorithm, IdentityDoc, PublicKey, Role, SecretKey};
use webproof_evidence::supervision::{Event, FORMAT, Statement, VERSION};
use webproof_evidence::{Digests, Utc};
use webproof_supervise::host::{Answer, Host, Operator, StepView};
use webproof_supervise::notary::{Decision, Ending, Seen, Supervisor};
use webproof_supervise::{JoinCode, Me};

fn person(role: Role, name: &str) -> (SecretKey, IdentityDoc) {
    common::person(role, Algorithm::Ed25519, name, None)
}

fn step(seq: u64) -> StepView {
    StepView {
        seq,
        kind: "navigate".into(),
        url: Some(format!("https://shop.example/{seq}")),
        started: Utc::now().to_string(),
        head: digest_bytes(&seq.to_be_bytes()),
        thumbnail: None,
    }
}

fn statement(event: Event, seq: u64, head: Digests, notary: &IdentityDoc) -> Vec<u8> {
    Statement {
        v: VERSION,
        format: FORMAT.into(),
        event,
        capture: "cap-1".into(),
        seq,
        head,
        notary: notary.fingerprint,
        time: Utc::now(),
        reason: None,
    }
    .to_bytes()
    .unwrap()
}

const T: Duration = Duration::from_secs(20);

/// Runs the notary's supervisor in a thread; what it was shown is logged as lines.
fn notary_run(
    sup: Arc<Mutex<Supervisor>>,
    key: SecretKey,
    doc: IdentityDoc,
    log: Arc<Mutex<Vec<String>>>,
    decide: fn(&Seen<'_>) -> Option<Decision>,
) -> thread::JoinHandle<Result<Ending, webproof_supervise::SuperviseError>> {
    thread::spawn(move || {
        let me = Me {
            key: &key,
            identity: &doc,
            certificate: None,
        };
        let mut sup = sup.lock().unwrap();
        sup.run(me, T, &mut |seen| {
            log.lock().unwrap().push(match seen {
                Seen::Session { capture, .. } => format!("session {capture}"),
                Seen::Step { step, late } => format!("step {} late={late}", step.seq),
                Seen::Ask(st) => format!("ask {} {}", st.event.as_str(), st.seq),
                Seen::Ended => "ended".into(),
            });
            decide(seen)
        })
    })
}

#[test]
fn the_notary_follows_leaves_rejoins_signs_and_refuses() {
    let (okey, odoc) = person(Role::Operator, "Operator");
    let (nkey, ndoc) = person(Role::Notary, "Notary");
    let host = Host::start(
        "127.0.0.1:0",
        None,
        "cap-1",
        Some("https://shop.example/"),
        Operator {
            key: okey,
            identity: odoc,
            certificate: None,
        },
    )
    .unwrap();
    let code: JoinCode = host.code().to_string().parse().unwrap();
    host.step(step(0));
    host.step(step(1));
    let sup = Arc::new(Mutex::new(Supervisor::new(code.clone())));
    let log = Arc::new(Mutex::new(Vec::new()));
    // First time: leaves once step 1 was shown.
    let first = notary_run(
        sup.clone(),
        nkey.clone(),
        ndoc.clone(),
        log.clone(),
        |seen| matches!(seen, Seen::Step { step, .. } if step.seq == 1).then_some(Decision::Leave),
    );
    assert_eq!(first.join().unwrap().unwrap(), Ending::Left);
    // Journaled while the notary is away.
    host.step(step(2));
    // Joins again: signs what it is asked about a step it saw, refuses a head it never saw.
    let again = notary_run(
        sup.clone(),
        nkey.clone(),
        ndoc.clone(),
        log.clone(),
        |seen| match seen {
            Seen::Ask(_) => Some(Decision::Sign),
            _ => None,
        },
    );
    assert!(host.wait_connected(T));
    let present = statement(Event::Present, 2, step(2).head, &ndoc);
    let key = PublicKey::from_pem(&ndoc.public_key).unwrap();
    match host.ask(&present, T).expect("an answer") {
        Answer::Signed(sig) => key.verify(&present, &sig).unwrap(),
        other => panic!("{other:?}"),
    }
    let unseen = statement(Event::Countersign, 2, digest_bytes(b"another head"), &ndoc);
    match host.ask(&unseen, T).expect("an answer") {
        Answer::Refused {
            statement,
            signature,
        } => {
            key.verify(&statement, &signature).unwrap();
            let st: Statement = serde_json::from_slice(&statement).unwrap();
            assert_eq!((st.event, st.seq), (Event::Refuse, 2));
            assert!(
                st.reason
                    .unwrap()
                    .contains("chain head the notary was not shown"),
                "refusal reason"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(host.notary().unwrap().0.fingerprint, ndoc.fingerprint);
    host.end();
    assert_eq!(again.join().unwrap().unwrap(), Ending::Ended);
    let log = log.lock().unwrap().clone();
    assert_eq!(
        log,
        [
            "session cap-1",
            "step 0 late=false",
            "step 1 late=false",
            "step 2 late=true",
            "ask present 2",
            "ended"
        ],
        "each step once; the one journaled meanwhile shown on joining again"
    );
    assert_eq!(sup.lock().unwrap().steps().len(), 3);
}

#[test]
fn a_notary_refuses_with_a_signed_reason_and_no_other_notary_joins() {
    let (okey, odoc) = person(Role::Operator, "Operator");
    let (nkey, ndoc) = person(Role::Notary, "Notary");
    let host = Host::start(
        "127.0.0.1:0",
        None,
        "cap-1",
        None,
        Operator {
            key: okey,
            identity: odoc,
            certificate: None,
        },
    )
    .unwrap();
    host.step(step(0));
    let code = host.code().clone();
    let log = Arc::new(Mutex::new(Vec::new()));
    let run = notary_run(
        Arc::new(Mutex::new(Supervisor::new(code.clone()))),
        nkey,
        ndoc.clone(),
        log,
        |seen| match seen {
            Seen::Ask(_) => Some(Decision::Refuse(
                "the page is not the shop applied for".into(),
            )),
            _ => None,
        },
    );
    assert!(host.wait_connected(T));
    let ask = statement(Event::Countersign, 0, step(0).head, &ndoc);
    match host.ask(&ask, T).expect("an answer") {
        Answer::Refused { statement, .. } => {
            let st: Statement = serde_json::from_slice(&statement).unwrap();
            assert_eq!(
                st.reason.as_deref(),
                Some("the page is not the shop applied for")
            );
        }
        other => panic!("{other:?}"),
    }
    // Another notary with the code: refused by the host, which keeps the first.
    let (okey2, odoc2) = person(Role::Notary, "Another notary");
    let e = Supervisor::new(code)
        .run(
            Me {
                key: &okey2,
                identity: &odoc2,
                certificate: None,
            },
            T,
            &mut |_| None,
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            webproof_supervise::SuperviseError::Closed | webproof_supervise::SuperviseError::Io(_)
        ),
        "{e}"
    );
    assert_eq!(host.notary().unwrap().0.fingerprint, ndoc.fingerprint);
    host.end();
    assert_eq!(run.join().unwrap().unwrap(), Ending::Ended);
}

/// Polls `host` for the answer to request `id` for up to `T`.
fn answer_of(host: &Host, id: u64) -> Option<Answer> {
    let deadline = std::time::Instant::now() + T;
    while std::time::Instant::now() < deadline {
        if let Some(a) = host.answered(id) {
            return Some(a);
        }
        thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn a_checkpoint_is_asked_without_waiting_and_its_answer_taken_once_when_it_comes() {
    let (okey, odoc) = person(Role::Operator, "Operator");
    let (nkey, ndoc) = person(Role::Notary, "Notary");
    let host = Host::start(
        "127.0.0.1:0",
        None,
        "cap-1",
        None,
        Operator {
            key: okey,
            identity: odoc,
            certificate: None,
        },
    )
    .unwrap();
    host.step(step(0));
    host.step(step(1));
    let log = Arc::new(Mutex::new(Vec::new()));
    let run = notary_run(
        Arc::new(Mutex::new(Supervisor::new(host.code().clone()))),
        nkey,
        ndoc.clone(),
        log.clone(),
        |seen| match seen {
            Seen::Ask(_) => Some(Decision::Sign),
            _ => None,
        },
    );
    assert!(host.wait_connected(T));
    let key = PublicKey::from_pem(&ndoc.public_key).unwrap();
    let checkpoint = statement(Event::Checkpoint, 1, step(1).head, &ndoc);
    let id = host.request(&checkpoint);
    // A withdrawn request's answer is not kept, even when the notary answers it.
    let withdrawn = host.request(&statement(Event::Checkpoint, 0, step(0).head, &ndoc));
    host.withdraw(withdrawn);
    match answer_of(&host, id).expect("the checkpoint's answer") {
        Answer::Signed(sig) => key.verify(&checkpoint, &sig).unwrap(),
        other => panic!("{other:?}"),
    }
    assert_eq!(host.answered(id), None, "an answer is taken once");
    // The notary answered both (the withdrawn one was already sent): wait for its ask to be
    // logged, then for any answer to have come back, and see that none was kept.
    let deadline = std::time::Instant::now() + T;
    while !log.lock().unwrap().iter().any(|l| l == "ask checkpoint 0") {
        assert!(std::time::Instant::now() < deadline, "the notary was asked");
        thread::sleep(Duration::from_millis(20));
    }
    let later = host.request(&statement(Event::Checkpoint, 1, step(1).head, &ndoc));
    assert!(
        answer_of(&host, later).is_some(),
        "a later request answered"
    );
    assert_eq!(
        host.answered(withdrawn),
        None,
        "a withdrawn request's answer is dropped"
    );
    host.end();
    assert_eq!(run.join().unwrap().unwrap(), Ending::Ended);
}
