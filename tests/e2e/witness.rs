//! `webproof witness serve` as an operator runs it: it prints its verifier key, cosigns a
//! log's checkpoint over HTTP, keeps its key across restarts and refuses a split view.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;

use ed25519_dalek::SigningKey;
use webproof_ledger::merkle::{Hash, leaf_hash, root};
use webproof_ledger::note::{ALG_ED25519, Checkpoint, NoteKey, NoteSigner};
use webproof_ledger::witness::{add_checkpoint_body, verify_witnessed};

use crate::util::*;

const ORIGIN: &str = "log.webproof.test/e2e";

fn start(env: &Env, log: &NoteSigner) -> (Reaped, String, String) {
    let mut child = env
        .cmd()
        .args([
            "witness",
            "serve",
            "--name",
            "witness.court.test",
            "--listen",
            "127.0.0.1:0",
            "--log",
            &log.key.vkey(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_owned();
    let vkey = lines
        .next()
        .unwrap()
        .unwrap()
        .trim()
        .trim_start_matches("verifier key: ")
        .to_owned();
    (Reaped(child), url, vkey)
}

/// A raw HTTP/1.1 POST (the tests have no HTTP client crate): status and body.
fn post(url: &str, body: &str) -> (u16, String) {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap();
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(s, "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn signed(log: &NoteSigner, leaves: &[Hash]) -> String {
    Checkpoint {
        origin: ORIGIN.into(),
        size: leaves.len() as u64,
        root: root(leaves),
        extensions: vec![],
    }
    .sign(log)
}

#[test]
fn a_witness_cosigns_remembers_its_key_and_refuses_a_fork() {
    let env = Env::new();
    let log = NoteSigner::new(ORIGIN, ALG_ED25519, SigningKey::from_bytes(&[3; 32])).unwrap();
    let tree: Vec<Hash> = (0..5u8).map(|i| leaf_hash(&[i])).collect();
    let (w, url, vkey) = start(&env, &log);
    let wkey = NoteKey::from_vkey(&vkey).unwrap();
    let n5 = signed(&log, &tree);
    let (code, lines) = post(&url, &add_checkpoint_body(0, &[], &n5));
    assert_eq!(code, 200, "{lines}");
    verify_witnessed(&format!("{n5}{lines}"), &log.key, &[wkey], 1).unwrap();
    // Restarted: the same key, the same memory.
    drop(w);
    let (_w, url, vkey2) = start(&env, &log);
    assert_eq!(vkey2, vkey);
    let mut other = tree.clone();
    other[2] = leaf_hash(b"changed");
    let (code, body) = post(&url, &add_checkpoint_body(5, &[], &signed(&log, &other)));
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("fork"), "{body}");
}
