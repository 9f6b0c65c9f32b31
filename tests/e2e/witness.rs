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
    let vkey = log.key.vkey();
    serve(
        env,
        &[
            "witness",
            "serve",
            "--name",
            "witness.court.test",
            "--listen",
            "127.0.0.1:0",
            "--log",
            &vkey,
        ],
    )
}

/// One raw HTTP/1.1 request (the tests have no HTTP client crate): status and body, or
/// `None` when the server is not there or hangs up.
pub(crate) fn try_http(method: &str, url: &str, body: &str) -> Option<(u16, String)> {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/')?;
    let mut s = std::net::TcpStream::connect(host).ok()?;
    write!(
        s,
        "{method} /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split_whitespace().nth(1)?.parse().ok()?;
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

pub(crate) fn http(method: &str, url: &str, body: &str) -> (u16, String) {
    try_http(method, url, body).unwrap_or_else(|| panic!("{method} {url}: no answer"))
}

pub(crate) fn post(url: &str, body: &str) -> (u16, String) {
    http("POST", url, body)
}

pub(crate) fn get(url: &str) -> (u16, String) {
    http("GET", url, "")
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

/// Starts `webproof <args>` and returns it with the first URL and the verifier key it prints.
pub(crate) fn serve(env: &Env, args: &[&str]) -> (Reaped, String, String) {
    let mut child = env.cmd().args(args).stdout(Stdio::piped()).spawn().unwrap();
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

#[test]
fn a_log_and_three_witness_processes_publish_a_cosigned_checkpoint() {
    let env = Env::new();
    let origin = "log.alliance.test/evidence";
    let log_vkey = env
        .ok(&["log", "key", "--origin", origin], 0)
        .trim()
        .to_owned();
    let mut witnesses = Vec::new();
    let mut wkeys = Vec::new();
    let mut flags = Vec::new();
    for name in [
        "witness.court.test",
        "witness.notary.test",
        "witness.ca.test",
    ] {
        let (w, url, vkey) = serve(
            &env,
            &[
                "witness",
                "serve",
                "--name",
                name,
                "--listen",
                "127.0.0.1:0",
                "--log",
                &log_vkey,
            ],
        );
        assert_eq!(env.ok(&["witness", "key", "--name", name], 0).trim(), vkey);
        wkeys.push(NoteKey::from_vkey(&vkey).unwrap());
        flags.push(format!("{url}={vkey}"));
        witnesses.push(w);
    }
    let mut args = vec![
        "log",
        "serve",
        "--origin",
        origin,
        "--listen",
        "127.0.0.1:0",
        "--quorum",
        "3",
        "--interval-ms",
        "200",
    ];
    // A witness's base URL instead of its add-checkpoint URL: refused at start, saying so
    // (before, the log ran and never published a checkpoint).
    let (base_url, first_vkey) = flags[0].split_once('=').unwrap();
    let wrong = format!(
        "{}={first_vkey}",
        base_url.trim_end_matches("add-checkpoint")
    );
    let mut bad = args.clone();
    bad.extend(["--witness", wrong.as_str()]);
    let o = env.run(&bad);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("answers 404") && err.contains("add-checkpoint URL"),
        "{err}"
    );
    for f in &flags {
        args.extend(["--witness", f.as_str()]);
    }
    let (_log, base, vkey) = serve(&env, &args);
    assert_eq!(vkey, log_vkey);
    let log_key = NoteKey::from_vkey(&log_vkey).unwrap();
    let deposit = webproof_ledger::deposit::Deposit {
        v: 1,
        sha256: "ab".repeat(32),
        sm3: "cd".repeat(32),
        package: "capture-e2e".into(),
        operator: "ef".repeat(32),
        claimed_time: "2026-11-23T12:00:00Z".into(),
        label: Some("demo".into()),
        label_commitment: None,
        files: Vec::new(),
    }
    .to_bytes()
    .unwrap();
    let (code, ack) = post(
        &format!("{base}add"),
        std::str::from_utf8(&deposit).unwrap(),
    );
    assert_eq!(code, 200, "{ack}");
    let ack: webproof_ledger::receipt::Ack = serde_json::from_str(&ack).unwrap();
    assert_eq!(ack.index, 0);
    webproof_ledger::receipt::check_promise(
        &ack.promise,
        &log_key,
        0,
        &leaf_hash(&deposit),
        &ack.proof,
    )
    .unwrap();
    // Within a few checkpoint intervals, a checkpoint cosigned by all three is published.
    let mut cp = String::new();
    for _ in 0..50 {
        let (code, body) = get(&format!("{base}checkpoint"));
        if code == 200 {
            cp = body;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let w = verify_witnessed(&cp, &log_key, &wkeys, 3).unwrap();
    assert_eq!(w.checkpoint.size, 1);
    assert_eq!(w.checkpoint.root, leaf_hash(&deposit));
    let (code, index) = get(&format!("{base}lookup/{}", "ab".repeat(32)));
    assert_eq!((code, index.trim()), (200, "0"));

    // The same question on the command line, checked offline against the witnesses' keys.
    let head = "ab".repeat(32);
    let mut args = vec![
        "log",
        "lookup",
        &head,
        "--log",
        &base,
        "--trust-log",
        &log_vkey,
        "--witness-quorum",
        "3",
    ];
    // (The names `verify` uses; alliance.rs keeps the old ones, still accepted.)
    let vkeys: Vec<String> = wkeys.iter().map(|k| k.vkey()).collect();
    for v in &vkeys {
        args.extend(["--trust-witness", v.as_str()]);
    }
    let out = env.ok(&args, 0);
    assert!(out.starts_with("DEPOSITED and PROVEN"), "{out}");
    assert_eq!(out.matches("cosigned by").count(), 3, "{out}");
    // Asking for more witnesses than cosigned (a fourth that never did), or for a head never
    // deposited: exit 1.
    let fourth = NoteSigner::new(
        "witness.other.test",
        webproof_ledger::note::ALG_COSIGNATURE_V1,
        SigningKey::from_bytes(&[9; 32]),
    )
    .unwrap()
    .key
    .vkey();
    let mut four = args.clone();
    four[8] = "4";
    four.extend(["--witness-key", fourth.as_str()]);
    let out = env.ok(&four, 1);
    assert!(out.contains("FAILED"), "{out}");
    let other = "00".repeat(32);
    let mut absent = args.clone();
    absent[2] = &other;
    let out = env.ok(&absent, 1);
    assert!(out.starts_with("NOT DEPOSITED"), "{out}");
}

/// A deposit whose chain head encodes `n`.
fn numbered(n: u64) -> String {
    String::from_utf8(
        webproof_ledger::deposit::Deposit {
            v: 1,
            sha256: format!("{n:064x}"),
            sm3: "cd".repeat(32),
            package: format!("capture-{n}"),
            operator: "ef".repeat(32),
            claimed_time: "2026-11-23T12:00:00Z".into(),
            label: None,
            label_commitment: None,
            files: Vec::new(),
        }
        .to_bytes()
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn kill_9_under_load_loses_no_acknowledged_deposit_and_history_stays_consistent() {
    use std::sync::{Arc, Mutex};
    let env = Env::new();
    let origin = "log.crash.test/evidence";
    let log_vkey = env
        .ok(&["log", "key", "--origin", origin], 0)
        .trim()
        .to_owned();
    let log_key = NoteKey::from_vkey(&log_vkey).unwrap();
    let acked: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
    let mut checkpoints: Vec<(u64, Hash)> = Vec::new();
    let mut next = 0u64;
    for round in 0..20u64 {
        let (log, base, _) = serve(
            &env,
            &[
                "log",
                "serve",
                "--origin",
                origin,
                "--listen",
                "127.0.0.1:0",
                "--interval-ms",
                "50",
            ],
        );
        // After a restart, the newest checkpoint extends every earlier one.
        let (code, cp) = get(&format!("{base}checkpoint"));
        if code == 200 {
            let w = verify_witnessed(&cp, &log_key, &[], 0).unwrap();
            for (size, root) in &checkpoints {
                if *size < w.checkpoint.size {
                    let (_, p) = get(&format!(
                        "{base}proof/consistency/{size}/{}",
                        w.checkpoint.size
                    ));
                    let proof = webproof_ledger::witness::parse_proof(&p).unwrap();
                    webproof_ledger::merkle::verify_consistency(
                        *size,
                        w.checkpoint.size,
                        root,
                        &w.checkpoint.root,
                        &proof,
                    )
                    .unwrap_or_else(|e| {
                        panic!("round {round}: {size} -> {}: {e}", w.checkpoint.size)
                    });
                }
            }
            checkpoints.push((w.checkpoint.size, w.checkpoint.root));
        }
        // Four clients deposit as fast as they can; SIGKILL comes at a random moment.
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let clients: Vec<_> = (0..4u64)
            .map(|c| {
                let (base, acked, stop) = (base.clone(), acked.clone(), stop.clone());
                let start = next + c * 1_000_000;
                std::thread::spawn(move || {
                    let mut n = start;
                    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                        let d = numbered(n);
                        n += 1;
                        match try_http("POST", &format!("{base}add"), &d) {
                            Some((200, body)) => {
                                match serde_json::from_str::<webproof_ledger::receipt::Ack>(&body) {
                                    Ok(ack) => acked.lock().unwrap().push((ack.index, d)),
                                    // Cut off by the kill: not an acknowledgement. A server
                                    // still answering sent a bad one, which fails the test.
                                    Err(e) => {
                                        assert!(
                                            try_http("GET", &format!("{base}checkpoint"), "")
                                                .is_none(),
                                            "a live log acknowledged with {body:?}: {e}"
                                        );
                                        break;
                                    }
                                }
                            }
                            _ => break, // the server is gone
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(150 + (round * 37) % 300));
        drop(log); // SIGKILL, then reap
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        for c in clients {
            // A client's failed assertion is this test's failure.
            c.join().expect("a depositing client panicked");
        }
        next += 10_000_000;
    }
    // Every acknowledged deposit is there, at the index its promise gave.
    let (_log, base, _) = serve(
        &env,
        &[
            "log",
            "serve",
            "--origin",
            origin,
            "--listen",
            "127.0.0.1:0",
        ],
    );
    let acked = acked.lock().unwrap();
    assert!(
        acked.len() > 100,
        "only {} deposits acknowledged",
        acked.len()
    );
    for (index, d) in acked.iter() {
        let (code, e) = get(&format!("{base}entry/{index}"));
        assert_eq!((code, e.as_str()), (200, d.as_str()), "entry {index}");
    }
    assert!(
        checkpoints.len() >= 10,
        "{} checkpoints seen",
        checkpoints.len()
    );
    println!(
        "{} acknowledged deposits over 20 SIGKILLs all present; {} checkpoints, each consistent with those before",
        acked.len(),
        checkpoints.len()
    );
}

/// `log serve --tsa-root … --development` publishes the alliance's trust bundle
/// (docs/trust-bundle.md) with its own key, and refuses a root that is not a certificate.
#[test]
fn log_serve_publishes_the_trust_bundle_it_is_given() {
    let env = Env::new();
    let vector: serde_json::Value = serde_json::from_str(include_str!(
        "../../crates/verify/tests/vectors/trust-bundle.json"
    ))
    .unwrap();
    let root = vector["tsa_roots"][0].as_str().unwrap();
    let pem = env.write("root.pem", root.as_bytes());
    let pem = pem.to_str().unwrap();
    let origin = "log.alliance.test/bundle";
    let (_log, url, vkey) = serve(
        &env,
        &[
            "log",
            "serve",
            "--origin",
            origin,
            "--listen",
            "127.0.0.1:0",
            "--tsa-root",
            pem,
            "--development",
        ],
    );
    let (code, body) = get(&format!("{}/trust-bundle.json", url.trim_end_matches('/')));
    assert_eq!(code, 200, "{body}");
    let b: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(b["format"], "webproof-trust-bundle");
    assert_eq!(b["alliance"], origin);
    assert_eq!(b["development"], true);
    assert_eq!(b["logs"], serde_json::json!([vkey]));
    assert_eq!(b["tsa_roots"], serde_json::json!([root]));
    assert_eq!(b["operator_cas"], serde_json::json!([]));
    // What it publishes reads as a bundle.
    env.write("b.json", body.as_bytes());
    let sample = env.write("x.txt", b"x");
    let o = env.run(&[
        "verify",
        sample.to_str().unwrap(),
        "--trust-bundle",
        "b.json",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("trust bundle"), "{err}");
    // A root that is not a certificate: refused before serving.
    let bad = env.write("bad.pem", b"not a certificate");
    let o = env.run(&[
        "log",
        "serve",
        "--origin",
        origin,
        "--listen",
        "127.0.0.1:0",
        "--tsa-root",
        bad.to_str().unwrap(),
    ]);
    assert_ne!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.pem"));
}
