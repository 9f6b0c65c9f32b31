//! `cargo bench -p webproof-log --bench proofs`
//!
//! Proofs at scale: a redb store of 10^7 deposits (`LEAVES` to change it), then inclusion and
//! consistency proofs generated from the store (the tree's complete-subtree nodes) and
//! verified, for random leaves of the full tree; reports per-proof times and the store's size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use webproof_ledger::merkle::{self, Hash};
use webproof_log::Store;

/// A small deterministic generator (no extra dependency): xorshift64*.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

fn entry(i: u64) -> [u8; 40] {
    let mut e = [0x42u8; 40];
    e[..8].copy_from_slice(&i.to_be_bytes());
    e
}

fn main() {
    let leaves: u64 = std::env::var("LEAVES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.redb");
    let store = Store::open(&path).unwrap();
    let t0 = Instant::now();
    let chunk = 20_000u64;
    let mut i = 0;
    while i < leaves {
        let n = chunk.min(leaves - i);
        let batch: Vec<[u8; 40]> = (i..i + n).map(entry).collect();
        store.append(&batch).unwrap();
        i += n;
    }
    let fill = t0.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "{leaves} deposits appended in {fill:.1} s ({:.0}/s, {} per durable commit); store {:.2} GB",
        leaves as f64 / fill,
        chunk,
        bytes as f64 / 1e9
    );
    let t = Instant::now();
    let root: Hash = store.root(leaves).unwrap();
    println!(
        "tree head of {leaves} leaves: {:.3} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let n = 10_000;
    let (mut gen_t, mut ver_t, mut len) = (0f64, 0f64, 0usize);
    for _ in 0..n {
        let idx = rng.below(leaves);
        let t = Instant::now();
        let proof = store.inclusion(idx, leaves).unwrap().unwrap();
        gen_t += t.elapsed().as_secs_f64();
        len = proof.len();
        let leaf = merkle::leaf_hash(&entry(idx));
        let t = Instant::now();
        merkle::verify_inclusion(idx, leaves, &leaf, &proof, &root).unwrap();
        ver_t += t.elapsed().as_secs_f64();
    }
    println!(
        "inclusion proof at {leaves} leaves ({len} hashes): generate {:.1} µs, verify {:.2} µs (mean of {n} random leaves)",
        gen_t / n as f64 * 1e6,
        ver_t / n as f64 * 1e6
    );
    let (mut gen_t, mut ver_t) = (0f64, 0f64);
    let m = 1_000;
    for _ in 0..m {
        let old = 1 + rng.below(leaves - 1);
        let old_root = store.root(old).unwrap();
        let t = Instant::now();
        let proof = store.consistency(old, leaves).unwrap().unwrap();
        gen_t += t.elapsed().as_secs_f64();
        let t = Instant::now();
        merkle::verify_consistency(old, leaves, &old_root, &root, &proof).unwrap();
        ver_t += t.elapsed().as_secs_f64();
    }
    println!(
        "consistency proof to {leaves} leaves: generate {:.1} µs, verify {:.2} µs (mean of {m} random old sizes)",
        gen_t / m as f64 * 1e6,
        ver_t / m as f64 * 1e6
    );
}
