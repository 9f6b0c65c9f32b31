//! The log on PostgreSQL gives the same answers as on redb, byte for byte, and several
//! frontends on one database sequence deposits without gaps or duplicates. Against a real
//! PostgreSQL started for the test (common/pg_server.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::pg_server::Postgres;
use webproof_ledger::merkle;
use webproof_log::pg::PgStore;
use webproof_log::server::lookup_keys;
use webproof_log::{LogStore, Seen, Store};

/// The same deposits, in the same batches, into both stores.
fn both(pg: &Postgres, db: &str) -> (tempfile::TempDir, Store, PgStore, usize) {
    let t = tempfile::tempdir().unwrap();
    let redb = Store::open_with_lookup(&t.path().join("log.redb"), Some(lookup_keys)).unwrap();
    let pgs = PgStore::connect(&pg.create_db(db), 2, Some(lookup_keys)).unwrap();
    let mut n = 0u8;
    // Batches of 1, 2, 3 … so that appends start at every kind of tree edge; one deposit
    // repeats an earlier one (its lookup keeps the first index).
    for batch in 1..=9usize {
        let entries: Vec<Vec<u8>> = (0..batch)
            .map(|_| {
                n = n.wrapping_add(1);
                common::deposit(if n == 20 { 3 } else { n })
            })
            .collect();
        let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let a = redb.append(&refs).unwrap();
        let b = LogStore::append(&pgs, &refs).unwrap();
        assert_eq!(a, b, "batch {batch} starts at the same index");
    }
    (t, redb, pgs, usize::from(n))
}

#[test]
fn the_same_deposits_give_the_same_tree_proofs_and_tiles() {
    let pg = Postgres::start();
    let (_t, redb, pgs, n) = both(&pg, "conformance");
    let n = n as u64;
    let stores: [&dyn LogStore; 2] = [&redb, &pgs];
    let [r, p] = stores;
    assert_eq!(r.size().unwrap(), n);
    assert_eq!(p.size().unwrap(), n);
    for size in 0..=n {
        assert_eq!(r.root(size).unwrap(), p.root(size).unwrap(), "root {size}");
        for index in 0..size {
            assert_eq!(
                r.inclusion(index, size).unwrap(),
                p.inclusion(index, size).unwrap(),
                "inclusion {index} in {size}"
            );
        }
        for old in 0..=size {
            assert_eq!(
                r.consistency(old, size).unwrap(),
                p.consistency(old, size).unwrap(),
                "consistency {old} to {size}"
            );
        }
    }
    // The root is the RFC 6962 root of the deposits.
    let leaves: Vec<merkle::Hash> = (0..n)
        .map(|i| merkle::leaf_hash(&r.entry(i).unwrap().unwrap()))
        .collect();
    assert_eq!(p.root(n).unwrap(), merkle::root(&leaves));
    // Tiles are read as runs of nodes: every level, every start, past the end too.
    for level in 0..8 {
        for start in 0..=n {
            assert_eq!(
                r.nodes(level, start, 7).unwrap(),
                p.nodes(level, start, 7).unwrap(),
                "nodes at level {level} from {start}"
            );
        }
    }
    assert_eq!(r.entries(0, n + 5).unwrap(), p.entries(0, n + 5).unwrap());
    assert_eq!(r.entries(7, 3).unwrap(), p.entries(7, 3).unwrap());
    assert_eq!(p.entry(n).unwrap(), None);
    for i in 0..n {
        let keys = lookup_keys(&r.entry(i).unwrap().unwrap());
        assert!(!keys.is_empty(), "entry {i} has no lookup key");
        for key in keys {
            assert_eq!(
                r.lookup(&key).unwrap(),
                p.lookup(&key).unwrap(),
                "lookup {i}"
            );
        }
    }
    assert_eq!(p.lookup(b"nothing").unwrap(), None);
}

/// Past the first few runs of 32 nodes (how PostgreSQL keeps the tree): batches of every
/// size up to 1,000 across many run boundaries, compared at sampled sizes and every tile.
#[test]
fn large_appends_across_node_runs_give_the_same_tree_proofs_and_tiles() {
    let pg = Postgres::start();
    let t = tempfile::tempdir().unwrap();
    let r = Store::open_with_lookup(&t.path().join("log.redb"), Some(lookup_keys)).unwrap();
    let p = PgStore::connect(&pg.create_db("runs"), 2, Some(lookup_keys)).unwrap();
    let mut n = 0u64;
    let mut sizes = vec![0];
    for batch in [31u64, 1, 32, 33, 64, 100, 1000, 5, 257, 511] {
        let entries: Vec<Vec<u8>> = (n..n + batch)
            .map(|i| format!("run {i}").into_bytes())
            .collect();
        let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        assert_eq!(
            r.append(&refs).unwrap(),
            LogStore::append(&p, &refs).unwrap()
        );
        n += batch;
        sizes.push(n);
    }
    let (r, p): (&dyn LogStore, &dyn LogStore) = (&r, &p);
    for &size in &sizes {
        assert_eq!(r.root(size).unwrap(), p.root(size).unwrap(), "root {size}");
        for index in (0..size).step_by(37).chain(size.checked_sub(1)) {
            assert_eq!(
                r.inclusion(index, size).unwrap(),
                p.inclusion(index, size).unwrap()
            );
        }
        for old in (0..=size).step_by(97) {
            assert_eq!(
                r.consistency(old, size).unwrap(),
                p.consistency(old, size).unwrap()
            );
        }
    }
    // Whole tiles (256 wide) and odd windows, from every 31st start, at every level.
    for level in 0..12 {
        for start in (0..=n >> level).step_by(31) {
            for count in [1, 33, 256] {
                assert_eq!(
                    r.nodes(level, start, count).unwrap(),
                    p.nodes(level, start, count).unwrap(),
                    "{count} nodes at level {level} from {start}"
                );
            }
        }
    }
}

/// A log written under the first schema (a row per node) reads back the same after the
/// second (runs of 32) has moved its nodes, and goes on appending.
#[test]
fn nodes_written_a_row_each_read_back_the_same_after_the_move_into_runs() {
    let pg = Postgres::start();
    let url = pg.create_db("migrated");
    let t = tempfile::tempdir().unwrap();
    let r = Store::open_with_lookup(&t.path().join("log.redb"), Some(lookup_keys)).unwrap();
    let entries: Vec<Vec<u8>> = (0..100u32)
        .map(|i| format!("v1 {i}").into_bytes())
        .collect();
    let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    r.append(&refs).unwrap();
    // The tables of V1, filled as its append wrote them: every node of the tree a row.
    webproof_log::pg::migrate_to(&url, 1).unwrap();
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for (i, e) in entries.iter().enumerate() {
        c.execute(
            "INSERT INTO entries (idx, data) VALUES ($1, $2)",
            &[&(i as i64), e],
        )
        .unwrap();
    }
    for level in 0..8u32 {
        for (i, h) in r.nodes(level, 0, 100).unwrap().iter().enumerate() {
            c.execute(
                "INSERT INTO nodes (level, idx, hash) VALUES ($1, $2, $3)",
                &[&(level as i32), &(i as i64), &h.as_slice()],
            )
            .unwrap();
        }
    }
    c.execute("UPDATE log_state SET size = 100 WHERE id = 1", &[])
        .unwrap();
    drop(c);
    let p = PgStore::connect(&url, 1, Some(lookup_keys)).unwrap();
    let more: Vec<Vec<u8>> = (100..140u32)
        .map(|i| format!("v2 {i}").into_bytes())
        .collect();
    let refs: Vec<&[u8]> = more.iter().map(Vec::as_slice).collect();
    assert_eq!(
        r.append(&refs).unwrap(),
        LogStore::append(&p, &refs).unwrap()
    );
    for size in [1, 31, 32, 33, 64, 99, 100, 101, 127, 128, 140] {
        assert_eq!(
            LogStore::root(&r, size).unwrap(),
            p.root(size).unwrap(),
            "root {size}"
        );
    }
    for level in 0..8 {
        assert_eq!(
            LogStore::nodes(&r, level, 0, 140).unwrap(),
            p.nodes(level, 0, 140).unwrap()
        );
    }
}

#[test]
fn checkpoints_requests_seen_and_ra_records_read_back_the_same() {
    let pg = Postgres::start();
    let (_t, redb, pgs, _) = both(&pg, "records");
    let stores: [&dyn LogStore; 2] = [&redb, &pgs];
    for s in stores {
        s.put_checkpoint(3, "three").unwrap();
        s.put_checkpoint(10, "ten").unwrap();
        s.put_checkpoint(7, "seven").unwrap();
        s.remember(
            &[
                Seen {
                    digest: [1; 32],
                    until: 100,
                },
                Seen {
                    digest: [2; 32],
                    until: 200,
                },
            ],
            50,
        )
        .unwrap();
        // Remembering at 150 forgets what expired before it.
        s.append_seen(
            &[b"x".as_slice()],
            &[Seen {
                digest: [3; 32],
                until: 300,
            }],
            150,
        )
        .unwrap();
        for (k, v) in [("op/b", "2"), ("op/a", "1"), ("code/z", "9"), ("op/", "0")] {
            s.ra_update(k, Box::new(move |_| Ok(Some(v.as_bytes().to_vec()))))
                .unwrap()
                .unwrap();
        }
        // A refusal writes nothing; a change sees the value it changes.
        let refused = s
            .ra_update(
                "op/a",
                Box::new(|old| {
                    assert_eq!(old, Some(b"1".as_slice()));
                    Err(webproof_log::Refusal::new(409, "no".into()))
                }),
            )
            .unwrap();
        assert_eq!(refused.unwrap_err().status, 409);
    }
    let [r, p] = stores;
    assert_eq!(p.latest_checkpoint().unwrap(), Some((10, "ten".into())));
    assert_eq!(
        r.latest_checkpoint().unwrap(),
        p.latest_checkpoint().unwrap()
    );
    assert_eq!(r.seen(150).unwrap(), p.seen(150).unwrap());
    assert_eq!(p.seen(0).unwrap().len(), 2);
    assert_eq!(r.ra_list("op/").unwrap(), p.ra_list("op/").unwrap());
    assert_eq!(p.ra_list("op/").unwrap().len(), 3);
    assert_eq!(p.ra_get("op/a").unwrap(), Some(b"1".to_vec()));
    assert_eq!(p.ra_get("op/c").unwrap(), None);
    assert_eq!(r.size().unwrap(), p.size().unwrap());
}

#[test]
fn two_frontends_on_one_database_hand_out_every_index_once() {
    let pg = Postgres::start();
    let url = pg.create_db("frontends");
    let fronts: Vec<Arc<PgStore>> = (0..2)
        .map(|_| Arc::new(PgStore::connect(&url, 2, Some(lookup_keys)).unwrap()))
        .collect();
    let mut got: Vec<(u64, usize, Vec<u8>)> = std::thread::scope(|s| {
        let running: Vec<_> = (0..6u8)
            .map(|w| {
                let f = Arc::clone(&fronts[usize::from(w) % 2]);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    for k in 0..10u8 {
                        let batch: Vec<Vec<u8>> = (0..=k % 3)
                            .map(|j| format!("w{w} k{k} j{j}").into_bytes())
                            .collect();
                        let refs: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
                        let first = f.append(&refs).unwrap();
                        for (j, e) in batch.into_iter().enumerate() {
                            mine.push((first + j as u64, usize::from(w), e));
                        }
                    }
                    mine
                })
            })
            .collect();
        running
            .into_iter()
            .flat_map(|h| h.join().expect("a depositing thread panicked"))
            .collect()
    });
    got.sort();
    let total = got.len() as u64;
    assert_eq!(total, 6 * 19, "six depositors, 19 deposits each");
    for (i, (index, _, entry)) in got.iter().enumerate() {
        assert_eq!(*index, i as u64, "indices are 0..n without gap or repeat");
        assert_eq!(fronts[i % 2].entry(*index).unwrap().as_ref(), Some(entry));
    }
    let leaves: Vec<merkle::Hash> = got.iter().map(|(_, _, e)| merkle::leaf_hash(e)).collect();
    for f in &fronts {
        assert_eq!(f.size().unwrap(), total);
        assert_eq!(f.root(total).unwrap(), merkle::root(&leaves));
    }
}

/// Waits (at most 10 s) until `cond` holds.
fn eventually(what: &str, cond: impl Fn() -> bool) {
    let t0 = std::time::Instant::now();
    while !cond() {
        assert!(t0.elapsed() < std::time::Duration::from_secs(10), "{what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn one_frontend_signs_checkpoints_and_another_takes_over_when_it_dies() {
    let pg = Postgres::start();
    let url = pg.create_db("leader");
    let a = PgStore::connect(&url, 1, None).unwrap();
    let b = PgStore::connect(&url, 1, None).unwrap();
    eventually("neither frontend took the lead", || a.leads() || b.leads());
    for _ in 0..10 {
        assert!(!(a.leads() && b.leads()), "two frontends lead at once");
        std::thread::sleep(webproof_log::pg::LEAD_POLL / 4);
    }
    let (leader, other) = if a.leads() { (a, b) } else { (b, a) };
    drop(leader);
    eventually("the other frontend did not take over", || other.leads());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_under_load_gets_retryable_answers_and_loses_nothing() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut pg = Postgres::start();
    let url = pg.create_db("restart");
    let dir = tempfile::tempdir().unwrap();
    let signer = webproof_ledger::note::NoteSigner::new(
        "log.webproof.test/restart",
        webproof_ledger::note::ALG_ED25519,
        ed25519_dalek::SigningKey::from_bytes(&[1; 32]),
    )
    .unwrap();
    let backend = common::Backend::Postgres(url);
    let svc =
        common::open_log(&backend, dir.path(), signer, vec![], 0, Default::default()).unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let app = svc.router();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });

    // A depositor that keeps depositing, backing off when told to.
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (stop, base) = (Arc::clone(&stop), base.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut answers = Vec::new();
            let mut i = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let body = common::deposit_n(i);
                let r = http
                    .post(format!("{base}/add"))
                    .body(body.clone())
                    .send()
                    .await;
                let r = r.expect("the frontend answers while the database is away");
                let status = r.status().as_u16();
                let retry = r.headers().get("retry-after").is_some();
                let text = r.text().await.unwrap();
                if status == 503 {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                answers.push((status, retry, text, body));
                i += 1;
            }
            answers
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    pg.stop_now();
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    pg.start_again();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    let answers = load.await.unwrap();

    let mut acked = std::collections::BTreeMap::new();
    let (mut refused, mut after) = (0, 0);
    for (status, retry, text, body) in &answers {
        match status {
            200 => {
                let ack: webproof_ledger::receipt::Ack = serde_json::from_str(text).unwrap();
                assert!(
                    acked.insert(ack.index, body.clone()).is_none(),
                    "index {} handed out twice",
                    ack.index
                );
                if refused > 0 {
                    after += 1;
                }
            }
            503 => {
                assert!(retry, "a 503 without Retry-After: {text}");
                refused += 1;
            }
            other => panic!("HTTP {other} while the database restarted: {text}"),
        }
    }
    assert!(
        refused > 0,
        "the restart was never felt ({} answers)",
        answers.len()
    );
    assert!(
        after > 0,
        "no deposit was taken after the database came back"
    );
    // Every acknowledged deposit is in the log at its index, and the log has no gap.
    let store = svc.store();
    let size = store.size().unwrap();
    for i in 0..size {
        let e = store.entry(i).unwrap();
        assert!(e.is_some(), "gap at index {i} of {size}");
        if let Some(want) = acked.get(&i) {
            assert_eq!(e.as_ref(), Some(want), "index {i} holds another deposit");
        }
    }
    assert!(
        acked.keys().all(|i| *i < size),
        "an acknowledged index past the end"
    );
}

#[test]
fn a_standby_promoted_after_the_primary_is_lost_has_every_acknowledged_deposit() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut primary = Postgres::start();
    primary.create_db("failover");
    let standby = Postgres::standby_of(&primary);
    primary.require_sync_standby();
    // The frontends' URL names both servers and asks for the one that takes writes.
    let url = format!(
        "postgres://webproof@127.0.0.1:{},127.0.0.1:{}/failover?target_session_attrs=read-write",
        primary.port, standby.port
    );
    let store = Arc::new(PgStore::connect(&url, 2, None).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (store, stop) = (Arc::clone(&store), Arc::clone(&stop));
        std::thread::spawn(move || {
            let (mut acked, mut refused, mut i) = (Vec::new(), 0, 0u32);
            while !stop.load(Ordering::Relaxed) {
                let e = format!("deposit {i}").into_bytes();
                i += 1;
                match store.append(&[e.as_slice()]) {
                    Ok(index) => acked.push((index, e)),
                    Err(err) => {
                        assert!(err.is_retryable(), "not retryable: {err}");
                        refused += 1;
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                }
            }
            (acked, refused)
        })
    };
    eventually("no deposit before the failover", || {
        store.size().unwrap_or(0) >= 20
    });
    // The primary's machine is lost; the standby is promoted.
    primary.kill();
    standby.promote();
    let before = store.size().ok();
    eventually("no deposit after the promotion", || {
        store
            .size()
            .is_ok_and(|n| before.is_none_or(|b| n > b + 10))
    });
    stop.store(true, Ordering::Relaxed);
    let (acked, refused) = load.join().expect("the depositor panicked");
    assert!(refused > 0, "the failover was never felt");
    // On the promoted standby: every acknowledged deposit at its index, no gap, one tree.
    let promoted = PgStore::connect(&standby.url("failover"), 1, None).unwrap();
    let size = promoted.size().unwrap();
    let mut leaves = Vec::new();
    for i in 0..size {
        let e = promoted.entry(i).unwrap();
        leaves.push(merkle::leaf_hash(
            e.as_deref().unwrap_or_else(|| panic!("gap at {i}")),
        ));
    }
    for (index, e) in &acked {
        assert_eq!(
            promoted.entry(*index).unwrap().as_ref(),
            Some(e),
            "acknowledged deposit {index} lost in the failover"
        );
    }
    assert_eq!(promoted.root(size).unwrap(), merkle::root(&leaves));
}

/// Every frontend of one log issues operator certificates under one CA: a frontend that made
/// a CA of its own is refused at start, saying which file; with the first one's CA files it
/// starts.
#[test]
fn frontends_of_one_log_issue_under_one_operator_ca() {
    use webproof_evidence::identity::{Algorithm, SecretKey};
    use webproof_log::LogError;
    use webproof_log::server::Access;
    let pg = Postgres::start();
    let backend = common::Backend::Postgres(pg.create_db("one_ca"));
    let admin = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let signer = webproof_ledger::note::NoteSigner::new(
        "log.webproof.test/ca",
        webproof_ledger::note::ALG_ED25519,
        ed25519_dalek::SigningKey::from_bytes(&[4; 32]),
    )
    .unwrap();
    let open = |dir: &std::path::Path| {
        common::open_log(
            &backend,
            dir,
            signer.clone(),
            vec![],
            0,
            Access {
                admins: vec![admin.public_key()],
                rate: 5,
            },
        )
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let _first = open(a.path()).unwrap();
    match open(b.path()) {
        Err(LogError::OtherOperatorCa(p)) => assert_eq!(p, b.path().join("operator-ca.pem")),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a frontend with another operator CA started"),
    }
    for f in ["operator-ca.pem", "operator-ca.key"] {
        std::fs::copy(a.path().join(f), b.path().join(f)).unwrap();
    }
    let _second = open(b.path()).unwrap();
    // The first opens again with its own (the record is kept, not replaced).
    drop(_first);
    open(a.path()).unwrap();
}
