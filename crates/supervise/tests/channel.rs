//! The supervision channel over real TCP on loopback: the operator listens, the notary joins
//! with the code, each learns who the other is, and messages of any size go both ways; a wrong
//! code, a wrong role, another notary, and a frame altered or replayed on the way are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use webproof_evidence::identity::{Algorithm, IdentityDoc, Role, SecretKey};
use webproof_supervise::{JoinCode, Me, Msg, SuperviseError, accept, connect};

fn person(role: Role, alg: Algorithm, name: &str) -> (SecretKey, IdentityDoc) {
    common::person(role, alg, name, None)
}

const T: Duration = Duration::from_secs(10);

/// The operator's end on a fresh port: accepts one connection with `code`'s secret (the
/// code's address is the listener's), and returns what `serve` made of it.
fn operator<R: Send + 'static>(
    pinned: Option<webproof_evidence::digest::Hash32>,
    serve: impl FnOnce(Result<webproof_supervise::Channel, SuperviseError>) -> R + Send + 'static,
) -> (JoinCode, thread::JoinHandle<R>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let code = JoinCode::new(&l.local_addr().unwrap().to_string()).unwrap();
    let c = code.clone();
    let h = thread::spawn(move || {
        let (key, doc) = person(Role::Operator, Algorithm::Ed25519, "Operator");
        let (s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(T)).unwrap();
        let me = Me {
            key: &key,
            identity: &doc,
            certificate: None,
        };
        serve(accept(s, &c, me, pinned))
    });
    (code, h)
}

#[test]
fn the_notary_joins_with_the_code_and_both_know_who_the_other_is() {
    let big = "x".repeat(200_000);
    let sent = big.clone();
    let (code, op) = operator(None, move |ch| {
        let mut ch = ch.unwrap();
        assert_eq!(ch.peer.role, Role::Notary);
        let peer = ch.peer.name.clone();
        ch.send(&Msg::Session {
            capture: "c-1".into(),
            target: Some("https://shop.example/".into()),
        })
        .unwrap();
        // A message larger than one Noise message: split and joined again.
        ch.send(&Msg::SignRequest {
            id: 1,
            statement: sent,
        })
        .unwrap();
        let answer = ch.recv().unwrap();
        (peer, answer)
    });
    let (key, doc) = person(Role::Notary, Algorithm::Sm2, "王公证");
    let mut ch = connect(
        &code.to_string().parse().unwrap(),
        Me {
            key: &key,
            identity: &doc,
            certificate: Some("-----BEGIN CERTIFICATE-----\n…"),
        },
        T,
    )
    .unwrap();
    assert_eq!(
        (ch.peer.role, ch.peer.name.as_str()),
        (Role::Operator, "Operator")
    );
    assert_eq!(
        ch.recv().unwrap(),
        Msg::Session {
            capture: "c-1".into(),
            target: Some("https://shop.example/".into())
        }
    );
    assert_eq!(
        ch.recv().unwrap(),
        Msg::SignRequest {
            id: 1,
            statement: big
        }
    );
    ch.send(&Msg::Signed {
        id: 1,
        signature: "ab".into(),
    })
    .unwrap();
    let (peer, answer) = op.join().unwrap();
    assert_eq!(peer, "王公证");
    assert_eq!(
        answer,
        Msg::Signed {
            id: 1,
            signature: "ab".into()
        }
    );
}

#[test]
fn a_wrong_code_gets_no_channel_at_either_end() {
    let (code, op) = operator(None, |ch| ch.map(|_| ()));
    // The operator's address, another secret.
    let wrong = JoinCode::new(&code.addr).unwrap();
    let (key, doc) = person(Role::Notary, Algorithm::Ed25519, "N");
    let me = Me {
        key: &key,
        identity: &doc,
        certificate: None,
    };
    let e = connect(&wrong, me, T).unwrap_err();
    assert!(
        matches!(
            e,
            SuperviseError::Closed | SuperviseError::Io(_) | SuperviseError::Handshake(_)
        ),
        "{e}"
    );
    let e = op.join().unwrap().unwrap_err();
    assert!(matches!(e, SuperviseError::Handshake(_)), "{e}");
}

#[test]
fn only_a_notary_joins_and_on_a_pinned_session_only_that_notary() {
    // An operator's identity cannot join as the notary.
    let (code, op) = operator(None, |ch| ch.map(|_| ()));
    let (key, doc) = person(Role::Operator, Algorithm::Ed25519, "Other operator");
    let _ = connect(
        &code,
        Me {
            key: &key,
            identity: &doc,
            certificate: None,
        },
        T,
    );
    let e = op.join().unwrap().unwrap_err();
    assert!(
        matches!(
            e,
            SuperviseError::WrongRole {
                expected: "notary",
                found: "operator"
            }
        ),
        "{e}"
    );
    // A session pinned to the notary who joined first refuses another notary.
    let (first, _) = person(Role::Notary, Algorithm::Ed25519, "First");
    let first_fp = first.public_key().fingerprint().unwrap();
    let (code, op) = operator(Some(first_fp), |ch| ch.map(|_| ()));
    let (key, doc) = person(Role::Notary, Algorithm::Ed25519, "Second");
    let _ = connect(
        &code,
        Me {
            key: &key,
            identity: &doc,
            certificate: None,
        },
        T,
    );
    let e = op.join().unwrap().unwrap_err();
    assert!(matches!(e, SuperviseError::OtherNotary { .. }), "{e}");
}

/// An identity document that names another key than the one that signs: refused.
#[test]
fn an_identity_that_is_not_the_signing_key_is_refused() {
    let (code, op) = operator(None, |ch| ch.map(|_| ()));
    let (key, _) = person(Role::Notary, Algorithm::Ed25519, "N");
    let (_, other_doc) = person(Role::Notary, Algorithm::Ed25519, "N");
    let _ = connect(
        &code,
        Me {
            key: &key,
            identity: &other_doc,
            certificate: None,
        },
        T,
    );
    let e = op.join().unwrap().unwrap_err();
    assert!(matches!(e, SuperviseError::Identity(_)), "{e}");
}

/// A man in the middle who has no code but sits on the wire: forwards every frame, and does
/// `meddle` to the `n`th frame from the operator (counting from 1: the handshake reply, the
/// operator's hello, then its messages).
fn proxy(to: String, n: usize, meddle: fn(Vec<u8>) -> Vec<Vec<u8>>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    thread::spawn(move || {
        let (mut notary, _) = l.accept().unwrap();
        let mut op = TcpStream::connect(to).unwrap();
        let (mut n_in, mut op_out) = (notary.try_clone().unwrap(), op.try_clone().unwrap());
        thread::spawn(move || {
            let _ = std::io::copy(&mut n_in, &mut op_out);
            let _ = op_out.shutdown(std::net::Shutdown::Both);
        });
        let mut i = 0;
        loop {
            let mut len = [0u8; 2];
            if op.read_exact(&mut len).is_err() {
                return;
            }
            let mut b = vec![0u8; usize::from(u16::from_be_bytes(len))];
            if op.read_exact(&mut b).is_err() {
                return;
            }
            i += 1;
            let frames = if i == n { meddle(b) } else { vec![b] };
            for f in frames {
                let len = u16::try_from(f.len()).unwrap().to_be_bytes();
                if notary
                    .write_all(&len)
                    .and_then(|()| notary.write_all(&f))
                    .is_err()
                {
                    return;
                }
            }
        }
    });
    addr
}

fn through(meddle: fn(Vec<u8>) -> Vec<Vec<u8>>) -> SuperviseError {
    let (code, op) = operator(None, |ch| {
        let mut ch = ch.unwrap();
        for id in 0..3 {
            ch.send(&Msg::SignRequest {
                id,
                statement: "s".into(),
            })
            .unwrap();
        }
        // Hold the connection until the notary is done.
        let _ = ch.recv();
    });
    let via = proxy(code.addr.clone(), 3, meddle);
    let mut code_via = code.to_string();
    code_via = code_via.replacen(&code.addr, &via, 1);
    let (key, doc) = person(Role::Notary, Algorithm::Ed25519, "N");
    let mut ch = connect(
        &code_via.parse().unwrap(),
        Me {
            key: &key,
            identity: &doc,
            certificate: None,
        },
        T,
    )
    .unwrap();
    let mut err = None;
    for _ in 0..3 {
        if let Err(e) = ch.recv() {
            err = Some(e);
            break;
        }
    }
    ch.close();
    let _ = op.join();
    err.expect("the meddling went unnoticed")
}

#[test]
fn a_frame_altered_or_replayed_on_the_wire_is_refused() {
    // One bit of the first message flipped.
    let e = through(|mut b| {
        let i = b.len() / 2;
        b[i] ^= 1;
        vec![b]
    });
    assert!(matches!(e, SuperviseError::Tampered), "{e}");
    // The first message delivered twice: the copy does not decrypt in its place.
    let e = through(|b| vec![b.clone(), b]);
    assert!(matches!(e, SuperviseError::Tampered), "{e}");
    // The first message dropped: the second does not decrypt in its place either.
    let e = through(|_| vec![]);
    assert!(matches!(e, SuperviseError::Tampered), "{e}");
}
