//! `cargo bench -p webproof-log --bench http`
//!
//! The evidence log over HTTP on loopback, server and clients on this machine (so they share
//! its cores): every deposit a canonical `Deposit`, acknowledged only once durable with the
//! signed promise of its commit group.
//!
//! 1. Throughput: 8 clients posting `POST /add-batch` of 1,000 deposits each, back to back.
//! 2. Throughput: 64 clients posting single deposits (`POST /add`), back to back.
//! 3. Latency of single deposits offered open loop at a fraction (`LOAD`, default 0.5) of the
//!    capacity measured in phase 2: a request is due every 1/rate s whether or not earlier ones
//!    were answered, and latency counts from when it was due, so a stalled server is not
//!    hidden. (A fixed rate would measure only queueing on a machine slower than this one.)
//!
//! Environment: `SECS` per phase (default 5), `LOAD` for phase 3 (a fraction).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ed25519_dalek::SigningKey;
use webproof_ledger::note::{ALG_ED25519, NoteSigner};
use webproof_log::server::LogService;

fn main() {
    common::deposit_is_canonical();
    let secs = common::env("SECS", 5);
    let fraction = common::fraction("LOAD", 0.5);
    let dir = tempfile::tempdir().unwrap();
    let rt = common::runtime();
    let signer = NoteSigner::new(
        "log.bench/evidence",
        ALG_ED25519,
        SigningKey::from_bytes(&[1; 32]),
    )
    .unwrap();
    let svc = LogService::open(dir.path(), signer, vec![], 0).unwrap();
    // The server on its own runtime, the clients on another.
    let (_server, base) = common::serve(&svc);
    let load = common::Load::new(vec![base]);
    common::phases("redb", &load, &rt, secs, fraction);
    assert_eq!(
        svc.store().size().unwrap(),
        load.next.load(std::sync::atomic::Ordering::Relaxed)
    );
}
