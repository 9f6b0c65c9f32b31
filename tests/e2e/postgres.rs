//! `webproof log serve --store postgres://…` as an alliance runs it: two frontends on one
//! PostgreSQL database (started for the test), each taking deposits and serving what the
//! other took; one killed with SIGKILL, the other going on (and signing checkpoints, if the
//! one killed did); `[log] store` in config.toml.

use webproof_ledger::deposit::Deposit;

use crate::alliance::wait_for_checkpoint;
use crate::util::*;
use crate::witness::{get, post, serve};

#[path = "../../crates/log/tests/common/pg_server.rs"]
mod pg_server;

const ORIGIN: &str = "log.alliance.test/pg";

/// The `i`-th made-up chain head (SHA-256, hex) and a canonical deposit of it.
fn deposit(i: u32) -> (String, String) {
    let sha256 = format!("{i:064x}");
    let d = Deposit {
        v: 1,
        sha256: sha256.clone(),
        sm3: format!("{:064x}", u64::from(i) << 4),
        package: format!("capture-{i}"),
        operator: "ef".repeat(32),
        claimed_time: "2026-12-05T12:00:00Z".into(),
        label: None,
        label_commitment: None,
        files: Vec::new(),
    };
    (sha256, String::from_utf8(d.to_bytes().unwrap()).unwrap())
}

fn add(base: &str, i: u32) -> u64 {
    let (code, ack) = post(&format!("{base}add"), &deposit(i).1);
    assert_eq!(code, 200, "{ack}");
    let ack: serde_json::Value = serde_json::from_str(&ack).unwrap();
    ack["index"].as_u64().unwrap()
}

/// `log serve` of the test's log, publishing every `interval_ms`, on `store` (else the one
/// config.toml names).
fn frontend(env: &Env, store: Option<&str>, interval_ms: &str) -> (Reaped, String, String) {
    let mut args = vec![
        "log",
        "serve",
        "--origin",
        ORIGIN,
        "--listen",
        "127.0.0.1:0",
    ];
    args.extend(["--interval-ms", interval_ms]);
    if let Some(s) = store {
        args.extend(["--store", s]);
    }
    serve(env, &args)
}

#[test]
fn two_frontends_share_one_postgres_database() {
    let pg = pg_server::Postgres::start();
    let url = pg.create_db("alliance");
    let env = Env::new();
    let front = |store: Option<&str>| frontend(&env, store, "100");
    let (a, base_a, key_a) = front(Some(&url));
    let (_b, base_b, key_b) = front(Some(&url));
    assert_eq!(key_a, key_b, "one log, one key");

    // Deposits through either frontend get one sequence of indices.
    let mut indices: Vec<u64> = (0..3).map(|i| add(&base_a, i)).collect();
    indices.extend((3..5).map(|i| add(&base_b, i)));
    assert_eq!(indices, [0, 1, 2, 3, 4]);
    // Each serves what the other took: entries, lookup by chain head, checkpoints.
    let (code, entry) = get(&format!("{base_b}entry/1"));
    assert_eq!(code, 200);
    assert_eq!(entry, deposit(1).1);
    let (code, index) = get(&format!("{base_a}lookup/{}", deposit(4).0));
    assert_eq!((code, index.trim()), (200, "4"));
    wait_for_checkpoint(&base_a, 5);
    wait_for_checkpoint(&base_b, 5);

    // One frontend killed (SIGKILL); the other goes on where the database is.
    drop(a);
    assert_eq!(add(&base_b, 5), 5);
    assert_eq!(get(&format!("{base_b}entry/5")).0, 200);
    // Only one frontend signs checkpoints; if that was the one killed, the other takes over.
    wait_for_checkpoint(&base_b, 6);

    // A third frontend from config.toml's [log] store.
    let config = env.home().join("config.toml");
    std::fs::write(&config, format!("[log]\nstore = \"{url}\"\n")).unwrap();
    let (_c, base_c, key_c) = front(None);
    assert_eq!(key_c, key_a);
    assert_eq!(get(&format!("{base_c}entry/5")).0, 200);
    assert_eq!(add(&base_c, 6), 6);

    // A store that is not PostgreSQL is refused, saying what it must be.
    let o = env.run(&["log", "serve", "--origin", ORIGIN, "--store", "redis://x/0"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("postgres://"), "{err}");
}

/// The size and root of a published checkpoint note.
fn size_and_root(note: &str) -> (u64, webproof_ledger::merkle::Hash) {
    let n = webproof_ledger::note::Note::parse(note).unwrap();
    let c = webproof_ledger::note::Checkpoint::parse(&n.text).unwrap();
    (c.size, c.root)
}

#[test]
fn frontends_killed_under_load_lose_no_acknowledged_deposit() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let pg = pg_server::Postgres::start();
    let url = pg.create_db("kills");
    let env = Env::new();
    let front = || frontend(&env, Some(&url), "50");
    let (a, base_a, _) = front();
    let (b, base_b, _) = front();
    let bases = Arc::new(Mutex::new([base_a, base_b]));
    let mut fronts = [a, b];
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::<(u64, String)>::new()));
    // Two depositors, one on each frontend, depositing without pause.
    let load: Vec<_> = (0..2usize)
        .map(|k| {
            let (bases, stop, acked) = (bases.clone(), stop.clone(), acked.clone());
            std::thread::spawn(move || {
                let mut i = k as u32 * 1_000_000;
                while !stop.load(Ordering::Relaxed) {
                    let base = bases.lock().unwrap()[k].clone();
                    let body = deposit(i).1;
                    i += 1;
                    // A frontend killed mid-request answers nothing: not acknowledged.
                    if let Some((200, ack)) =
                        crate::witness::try_http("POST", &format!("{base}add"), &body)
                    {
                        let ack: serde_json::Value = serde_json::from_str(&ack).unwrap();
                        acked
                            .lock()
                            .unwrap()
                            .push((ack["index"].as_u64().unwrap(), body));
                    }
                }
            })
        })
        .collect();
    // Checkpoints as the other frontend publishes them, each consistent with the one before.
    let mut last: Option<(u64, webproof_ledger::merkle::Hash)> = None;
    let mut checkpoints = 0;
    let mut check_from = |base: &str| {
        let (code, note) = get(&format!("{base}checkpoint"));
        if code != 200 {
            return;
        }
        let (size, root) = size_and_root(&note);
        if let Some((old, old_root)) = last {
            assert!(size >= old, "checkpoint {size} after {old}");
            if size > old {
                let (code, proof) = get(&format!("{base}proof/consistency/{old}/{size}"));
                assert_eq!(code, 200, "{proof}");
                let proof: Vec<webproof_ledger::merkle::Hash> = proof
                    .lines()
                    .map(|l| {
                        use base64::Engine as _;
                        let b = base64::engine::general_purpose::STANDARD.decode(l).unwrap();
                        b.try_into().unwrap()
                    })
                    .collect();
                webproof_ledger::merkle::verify_consistency(old, size, &old_root, &root, &proof)
                    .unwrap_or_else(|e| panic!("checkpoint {size} not consistent with {old}: {e}"));
                checkpoints += 1;
            }
        }
        last = Some((size, root));
    };
    for round in 0..20 {
        let k = round % 2;
        std::thread::sleep(std::time::Duration::from_millis(150));
        check_from(&bases.lock().unwrap()[1 - k].clone());
        // SIGKILL, mid-batch or not; then a new frontend in its place.
        let (new, base, _) = front();
        fronts[k] = new;
        bases.lock().unwrap()[k] = base;
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.join().expect("a depositor panicked");
    }
    let base = bases.lock().unwrap()[0].clone();
    wait_for_checkpoint(&base, 1);
    check_from(&base);
    assert!(
        checkpoints >= 5,
        "only {checkpoints} new checkpoints were checked"
    );
    // Every acknowledged deposit is at its index; indices were handed out once.
    let acked = acked.lock().unwrap();
    assert!(
        acked.len() >= 40,
        "only {} deposits acknowledged",
        acked.len()
    );
    let mut seen = std::collections::HashSet::new();
    for (index, body) in acked.iter() {
        assert!(seen.insert(*index), "index {index} acknowledged twice");
        let (code, entry) = get(&format!("{base}entry/{index}"));
        assert_eq!(code, 200, "acknowledged deposit {index} is lost");
        assert_eq!(&entry, body, "index {index} holds another deposit");
    }
    drop(fronts);
}
