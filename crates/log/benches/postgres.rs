//! `cargo bench -p webproof-log --bench postgres`
//!
//! The evidence log on PostgreSQL beside the embedded redb store, in the same run (absolute
//! rates differ twofold between machines here, so only figures from one run compare). A
//! PostgreSQL 15 of Debian's packages is started for the run (`initdb` into /tmp, a loopback
//! port, durable: fsync and synchronous commit on, as a deployment runs it).
//!
//! For each deployment — redb (one frontend), PostgreSQL with one frontend, PostgreSQL with two
//! frontends on one database (clients spread over them in turn, as a load balancer would) —
//! over HTTP on loopback, servers and clients sharing this machine's cores:
//! 1. 8 clients posting `POST /add-batch` of 1,000 deposits each, back to back;
//! 2. 64 clients posting single deposits, back to back;
//! 3. single deposits offered open loop at `LOAD` (default 0.5) of the capacity measured in 2:
//!    acknowledgement latency p50/p99.
//!
//! Then proofs at scale: `LEAVES` (default 10^7) deposits appended to a PostgreSQL store and
//! to a redb store in durable commits of 20,000, and inclusion proofs generated from each
//! (and verified) for random leaves.
//!
//! Environment: `SECS` per phase (default 5), `LOAD` (a fraction), `LEAVES`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../tests/common/pg_server.rs"]
mod pg_server;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use ed25519_dalek::SigningKey;
use webproof_ledger::merkle;
use webproof_ledger::note::{ALG_ED25519, NoteSigner};
use webproof_log::pg::PgStore;
use webproof_log::server::{Access, LogService, lookup_keys};
use webproof_log::{LogStore, Store};

/// Worker connections per frontend, as `webproof log serve --store postgres://…` opens.
const CONNECTIONS: usize = 8;

fn signer() -> NoteSigner {
    NoteSigner::new(
        "log.bench/evidence",
        ALG_ED25519,
        SigningKey::from_bytes(&[1; 32]),
    )
    .unwrap()
}

/// A frontend on database `url`, its own directory (the operator CA's files) under `dir`.
fn pg_frontend(url: &str, dir: &std::path::Path) -> Arc<LogService> {
    let store = PgStore::connect(url, CONNECTIONS, Some(lookup_keys)).unwrap();
    LogService::open_on(dir, Arc::new(store), signer(), vec![], 0, Access::default()).unwrap()
}

/// Runs the three phases on `frontends` (each served from a runtime of its own); checks that
/// the log holds exactly the deposits acknowledged. The batched rate.
fn deployment(name: &str, frontends: &[Arc<LogService>], secs: u64, fraction: f64) -> f64 {
    let rt = common::runtime();
    let served: Vec<_> = frontends.iter().map(common::serve).collect();
    let load = common::Load::new(served.iter().map(|(_, base)| base.clone()).collect());
    let (batched, _) = common::phases(name, &load, &rt, secs, fraction);
    assert_eq!(
        frontends[0].store().size().unwrap(),
        load.next.load(Ordering::Relaxed),
        "{name}: the log does not hold exactly the deposits acknowledged"
    );
    batched
}

fn entry(i: u64) -> [u8; 40] {
    let mut e = [0x42u8; 40];
    e[..8].copy_from_slice(&i.to_be_bytes());
    e
}

/// Appends `leaves` entries to `store` in commits of 20,000, then generates and verifies
/// inclusion proofs for random leaves; prints both.
fn proofs(name: &str, store: &dyn LogStore, leaves: u64) {
    let t0 = Instant::now();
    let chunk = 20_000u64;
    let mut i = 0;
    while i < leaves {
        let n = chunk.min(leaves - i);
        let batch: Vec<[u8; 40]> = (i..i + n).map(entry).collect();
        let refs: Vec<&[u8]> = batch.iter().map(|e| e.as_slice()).collect();
        store.append(&refs).unwrap();
        i += n;
    }
    let fill = t0.elapsed().as_secs_f64();
    let root = store.root(leaves).unwrap();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let n = 1_000;
    let (mut gen_t, mut len) = (0f64, 0);
    for _ in 0..n {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let idx = rng % leaves;
        let t = Instant::now();
        let proof = store.inclusion(idx, leaves).unwrap().unwrap();
        gen_t += t.elapsed().as_secs_f64();
        len = proof.len();
        merkle::verify_inclusion(idx, leaves, &merkle::leaf_hash(&entry(idx)), &proof, &root)
            .unwrap();
    }
    println!(
        "{name}: {leaves} deposits appended in {fill:.1} s ({:.0}/s, {chunk} per durable commit); inclusion proof ({len} hashes) generated in {:.0} µs (mean of {n} random leaves, each verified)",
        leaves as f64 / fill,
        gen_t / n as f64 * 1e6
    );
}

fn main() {
    common::deposit_is_canonical();
    let secs = common::env("SECS", 5);
    let fraction = common::fraction("LOAD", 0.5);
    let leaves = common::env("LEAVES", 10_000_000);
    let pg = pg_server::Postgres::start();
    let dirs = tempfile::tempdir().unwrap();
    let dir = |name: &str| dirs.path().join(name);

    let redb = deployment(
        "redb, 1 frontend",
        &[LogService::open(&dir("redb"), signer(), vec![], 0).unwrap()],
        secs,
        fraction,
    );
    let url = pg.create_db("one");
    let one = deployment(
        "PostgreSQL, 1 frontend",
        &[pg_frontend(&url, &dir("one"))],
        secs,
        fraction,
    );
    let url = pg.create_db("two");
    let two = deployment(
        "PostgreSQL, 2 frontends",
        &[
            pg_frontend(&url, &dir("two-a")),
            pg_frontend(&url, &dir("two-b")),
        ],
        secs,
        fraction,
    );
    println!(
        "batched rate against redb's: PostgreSQL 1 frontend {:.2}, 2 frontends {:.2} (goal: 2 frontends at least 0.50)",
        one / redb,
        two / redb
    );

    let url = pg.create_db("proofs");
    proofs(
        "PostgreSQL",
        &PgStore::connect(&url, CONNECTIONS, None).unwrap(),
        leaves,
    );
    proofs("redb", &Store::open(&dir("proofs.redb")).unwrap(), leaves);
}
